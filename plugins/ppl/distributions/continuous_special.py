"""Continuous distributions of PyMC3 3.11 that need Bessel functions, skewing or a table:
SkewNormal, VonMises, Rice and Interpolated (PyMC3's parameterisations and transforms)."""
from __future__ import annotations

import numpy as np

import arignote.tensor as T

from .. import transforms
from .base import Continuous
from .bessel import i1_over_i0, log_i0
from .continuous import FINITE, NONNEG, POSITIVE, BoundedContinuous, PositiveContinuous, _scale, rng
from .dist_math import LOG_2PI, bound, normal_lcdf


class SkewNormal(Continuous):
    """Normal(``mu``, ``sigma``) skewed by ``alpha``: 2 phi(z) Phi(alpha z) / sigma."""

    def __init__(self, mu=0.0, sigma=None, tau=None, alpha=1, sd=None, *args, **kwargs):
        self.mu = self.param("mu", mu, FINITE)
        _scale(self, sigma, tau, sd)
        self.alpha = self.param("alpha", alpha, FINITE)
        delta = self.alpha / T.sqrt(1.0 + self.alpha ** 2)
        self.mean = self.mu + self.sigma * np.sqrt(2 / np.pi) * delta
        self.variance = self.sigma ** 2 * (1.0 - 2.0 * delta ** 2 / np.pi)
        super().__init__(defaults=("mean",), *args, **kwargs)

    def logp(self, value):
        mu, sigma, alpha = self.mu, self.sigma, self.alpha
        z = (value - mu) / sigma
        lp = np.log(2.0) - 0.5 * LOG_2PI - T.log(sigma) - 0.5 * z ** 2 + normal_lcdf(0.0, 1.0, alpha * z)
        return bound(lp, sigma > 0)

    def _random(self, p, shape):
        from scipy import stats

        sig = p["sigma"] if "sigma" in p else p["tau"] ** -0.5
        return stats.skewnorm.rvs(p["alpha"], p["mu"], sig, size=shape)


class VonMises(Continuous):
    """Circular distribution on [-pi, pi] with mean direction ``mu`` and concentration ``kappa``."""

    def __init__(self, mu=0.0, kappa=None, transform="circular", *args, **kwargs):
        if kappa is None:
            raise TypeError("VonMises: parameter 'kappa' (the concentration) is required")
        self.mu = self.param("mu", mu, FINITE)
        self.kappa = self.param("kappa", kappa, NONNEG)
        self.mean = self.median = self.mode = self.mu
        if transform == "circular":
            transform = transforms.circular
        super().__init__(transform=transform, *args, **kwargs)

    def logp(self, value):
        mu, kappa = self.mu, self.kappa
        lp = kappa * T.cos(mu - value) - (LOG_2PI + log_i0(kappa))
        return bound(lp, kappa >= 0, value >= -np.pi, value <= np.pi)

    def _random(self, p, shape):
        return rng.vonmises(p["mu"], p["kappa"], shape)


class Rice(PositiveContinuous):
    """Length of a 2-d Normal vector with offset ``nu`` and scale ``sigma`` (or ``b = nu / sigma``)."""

    def __init__(self, nu=None, sigma=None, b=None, sd=None, *args, **kwargs):
        if sd is not None:
            if sigma is not None:
                raise ValueError("Rice: pass sigma or sd, not both")
            sigma = sd
        if sigma is None:
            raise TypeError("Rice: parameter 'sigma' is required")
        if (nu is None) == (b is None):
            raise ValueError("Rice: incompatible parametrization. Specify exactly one of nu or b.")
        self.sigma = self.sd = self.param("sigma", sigma, POSITIVE)
        if nu is None:
            self.b = self.param("b", b, NONNEG)
            self.nu = self.b * self.sigma
        else:
            self.nu = self.param("nu", nu, NONNEG)
            self.b = self.nu / self.sigma
        y = self.nu ** 2 / (4.0 * self.sigma ** 2)  # the mean uses the Laguerre polynomial L_{1/2}(-2y)
        self.mean = (self.sigma * np.sqrt(np.pi / 2) * T.exp(log_i0(y) - y)
                     * (1.0 + 2.0 * y + 2.0 * y * i1_over_i0(y)))
        self.variance = 2.0 * self.sigma ** 2 + self.nu ** 2 - self.mean ** 2
        super().__init__(defaults=("mean",), *args, **kwargs)

    def logp(self, value):
        nu, s2 = self.nu, self.sigma ** 2
        x = T.switch(value > 0, value, 1.0)  # keeps log(x) finite where the bound cuts
        lp = T.log(x / s2) - (x ** 2 + nu ** 2) / (2.0 * s2) + log_i0(x * nu / s2)
        return bound(lp, value > 0, self.sigma > 0, nu >= 0)

    def _random(self, p, shape):
        nu = p["nu"] if "nu" in p else p["b"] * p["sigma"]
        return np.hypot(rng.normal(nu, p["sigma"], shape), rng.normal(0.0, p["sigma"], shape))


class Interpolated(BoundedContinuous):
    """The density interpolated linearly between ``pdf_points`` at ``x_points`` (normalised to 1).

    Support is [x_points[0], x_points[-1]] (sampled on the interval transform);
    draws invert the piecewise-quadratic CDF exactly.
    """

    def __init__(self, x_points, pdf_points, *args, **kwargs):
        x = np.asarray(x_points, dtype=float)
        pdf = np.asarray(pdf_points, dtype=float)
        if x.ndim != 1 or pdf.shape != x.shape or x.size < 2:
            raise ValueError(f"Interpolated: x_points and pdf_points must be 1-d arrays of one length >= 2, "
                             f"got shapes {x.shape} and {pdf.shape}")
        if np.any(np.diff(x) <= 0):
            raise ValueError("Interpolated: x_points must be strictly increasing")
        if np.any(pdf < 0) or not np.all(np.isfinite(pdf)):
            raise ValueError("Interpolated: pdf_points must be finite and non-negative")
        area = np.sum(np.diff(x) * (pdf[1:] + pdf[:-1]) / 2.0)
        if area <= 0:
            raise ValueError("Interpolated: pdf_points integrate to 0")
        self.x_points, self.pdf_points = x, pdf / area
        self.cdf_points = np.concatenate([[0.0], np.cumsum(np.diff(x) * (self.pdf_points[1:] + self.pdf_points[:-1]) / 2.0)])
        self.lower, self.upper = T.constant(x[0]), T.constant(x[-1])
        self._slopes = np.diff(self.pdf_points) / np.diff(x)
        self.mean = T.constant(self._mean())
        self.median = T.constant(float(self._inverse_cdf(np.array(0.5))))
        super().__init__(lower=self.lower, upper=self.upper, *args, **kwargs)

    def _mean(self):
        x, p = self.x_points, self.pdf_points
        a, b = x[:-1], x[1:]
        # integral of x * (linear pdf) over each segment, by Simpson (exact for quadratics)
        mid = (a + b) / 2
        return float(np.sum((b - a) / 6.0 * (a * p[:-1] + 4 * mid * (p[:-1] + p[1:]) / 2 + b * p[1:])))

    def logp(self, value):
        x, p, slopes = self.x_points, self.pdf_points, self._slopes
        v = T.shape_padright(T.as_tensor_variable(value), 1)
        inside = T.and_(T.ge(v, x[:-1]), T.lt(v, x[1:]))
        dens = T.sum(T.switch(inside, p[:-1] + (v - x[:-1]) * slopes, 0.0), axis=-1)
        dens = T.switch(T.eq(value, x[-1]), p[-1], dens)
        return bound(T.log(dens), value >= x[0], value <= x[-1])

    def _inverse_cdf(self, u):
        x, p, cdf, k = self.x_points, self.pdf_points, self.cdf_points, self._slopes
        i = np.clip(np.searchsorted(cdf, u, side="right") - 1, 0, len(x) - 2)
        rem = u - cdf[i]
        # solve p_i t + k_i t^2 / 2 = rem for t in [0, x_{i+1} - x_i]
        disc = np.sqrt(np.maximum(p[i] ** 2 + 2 * k[i] * rem, 0.0))
        denom = p[i] + disc
        t = 2 * rem / np.where(denom > 0, denom, 1.0)
        return np.clip(x[i] + t, x[i], x[i + 1])

    def random(self, point=None, size=None):
        size = () if size is None else tuple(np.atleast_1d(size).astype(int))
        return self._inverse_cdf(rng.uniform(0.0, 1.0, size + tuple(self.shape)))
