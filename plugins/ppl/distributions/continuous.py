"""Continuous distributions (PyMC3 3.x names, parametrisations and transforms)."""
from __future__ import annotations

import numpy as np

import arignote.tensor as T

from .. import transforms
from .base import Continuous
from .dist_math import (LOG_2PI, LOG_PI, betaln, bound, log1mexp, logdiffexp, logpow, normal_lccdf,
                        normal_lcdf)

rng = np.random  # NumPy's global generator (np.random.seed makes draws reproducible)

POSITIVE = (lambda v: v > 0, "must be positive")
NONNEG = (lambda v: v >= 0, "must be non-negative")
FINITE = (lambda v: ~np.isnan(v), "must not be NaN")


def _pick(**named):
    given = [k for k, v in named.items() if v is not None]
    if len(given) > 1:
        raise ValueError(f"pass only one of {', '.join(named)} (got {', '.join(given)})")
    return given[0] if given else None


def _scale(self, sigma, tau, sd):
    """Resolve sigma / tau / sd into ``self.sigma`` and ``self.tau`` (both stored)."""
    if sd is not None:
        if sigma is not None:
            raise ValueError(f"{type(self).__name__}: pass sigma or sd, not both")
        sigma = sd
    which = _pick(sigma=sigma, tau=tau)
    if which == "tau":
        tau = self.param("tau", tau, POSITIVE)
        sigma = tau ** -0.5
    else:
        sigma = self.param("sigma", 1.0 if sigma is None else sigma, POSITIVE)
        tau = sigma ** -2.0
    self.sigma = self.sd = sigma
    self.tau = tau
    return sigma, tau


class PositiveContinuous(Continuous):
    def __init__(self, transform=transforms.log, *args, **kwargs):
        super().__init__(transform=transform, *args, **kwargs)


class UnitContinuous(Continuous):
    def __init__(self, transform=transforms.logodds, *args, **kwargs):
        super().__init__(transform=transform, *args, **kwargs)


class BoundedContinuous(Continuous):
    def __init__(self, transform="auto", lower=None, upper=None, *args, **kwargs):
        if transform == "auto":
            transform = transforms._bounded(lower, upper)
        super().__init__(transform=transform, *args, **kwargs)


class Normal(Continuous):
    """Normal with mean ``mu`` and ``sigma`` (alias ``sd``) or precision ``tau``."""

    def __init__(self, mu=0, sigma=None, tau=None, sd=None, **kwargs):
        self.mu = self.param("mu", mu, FINITE)
        _scale(self, sigma, tau, sd)
        self.mean = self.median = self.mode = self.mu
        self.variance = 1.0 / self.tau
        super().__init__(**kwargs)

    def logp(self, value):
        tau, mu = self.tau, self.mu
        return bound((-tau * (value - mu) ** 2 + T.log(tau / np.pi / 2.0)) / 2.0, self.sigma > 0)

    def logcdf(self, value):
        return bound(normal_lcdf(self.mu, self.sigma, value), self.sigma > 0)

    def _random(self, p, shape):
        return rng.normal(p["mu"], _sig(p), shape)


def _sig(p):
    return p["sigma"] if "sigma" in p else p["tau"] ** -0.5


class HalfNormal(PositiveContinuous):
    def __init__(self, sigma=None, tau=None, sd=None, **kwargs):
        _scale(self, sigma, tau, sd)
        self.mean = T.sqrt(2 / (np.pi * self.tau))
        self.median = self.sigma * np.sqrt(2) * 0.4769362762044699  # sigma * sqrt(2) * erfinv(1/2)
        self.mode = T.zeros_like(self.sigma)
        self.variance = (1.0 - 2 / np.pi) / self.tau
        super().__init__(**kwargs)

    def logp(self, value):
        tau = self.tau
        return bound(-0.5 * tau * value ** 2 + 0.5 * T.log(tau * 2.0 / np.pi), value >= 0, tau > 0)

    def logcdf(self, value):
        z = value / (self.sigma * np.sqrt(2.0))
        return bound(T.log(T.erf(T.switch(value >= 0, z, 1.0))), value >= 0, self.sigma > 0)

    def _random(self, p, shape):
        return np.abs(rng.normal(0.0, _sig(p), shape))


class HalfCauchy(PositiveContinuous):
    def __init__(self, beta, *args, **kwargs):
        self.beta = self.param("beta", beta, POSITIVE)
        self.mode = T.zeros_like(self.beta)
        self.median = self.beta
        super().__init__(*args, **kwargs)

    def logp(self, value):
        b = self.beta
        return bound(np.log(2.0) - LOG_PI - T.log(b) - T.log1p((value / b) ** 2), value >= 0, b > 0)

    def logcdf(self, value):
        return bound(T.log(2.0 / np.pi * T.arctan(value / self.beta)), value >= 0, self.beta > 0)

    def _random(self, p, shape):
        return np.abs(p["beta"] * rng.standard_cauchy(shape))


class Cauchy(Continuous):
    def __init__(self, alpha, beta, *args, **kwargs):
        self.alpha = self.param("alpha", alpha, FINITE)
        self.beta = self.param("beta", beta, POSITIVE)
        self.median = self.mode = self.alpha
        super().__init__(*args, **kwargs)

    def logp(self, value):
        a, b = self.alpha, self.beta
        return bound(-LOG_PI - T.log(b) - T.log1p(((value - a) / b) ** 2), b > 0)

    def logcdf(self, value):
        return bound(T.log(0.5 + T.arctan((value - self.alpha) / self.beta) / np.pi), self.beta > 0)

    def _random(self, p, shape):
        return p["alpha"] + p["beta"] * rng.standard_cauchy(shape)


class StudentT(Continuous):
    """Student's t with ``nu`` degrees of freedom, location ``mu``, scale ``sigma``/``sd`` or precision ``lam``."""

    def __init__(self, nu, mu=0, lam=None, sigma=None, sd=None, *args, **kwargs):
        self.nu = self.param("nu", nu, POSITIVE)
        self.mu = self.param("mu", mu, FINITE)
        if sd is not None:
            sigma = sd
        which = _pick(lam=lam, sigma=sigma)
        if which == "lam":
            self.lam = self.param("lam", lam, POSITIVE)
            self.sigma = self.sd = self.lam ** -0.5
        else:
            self.sigma = self.sd = self.param("sigma", 1.0 if sigma is None else sigma, POSITIVE)
            self.lam = self.sigma ** -2.0
        self.mean = self.median = self.mode = self.mu
        super().__init__(*args, **kwargs)

    def logp(self, value):
        nu, mu, lam = self.nu, self.mu, self.lam
        lp = (T.gammaln((nu + 1.0) / 2.0) - T.gammaln(nu / 2.0) + 0.5 * T.log(lam / (nu * np.pi))
              - (nu + 1.0) / 2.0 * T.log1p(lam * (value - mu) ** 2 / nu))
        return bound(lp, lam > 0, nu > 0)

    def _random(self, p, shape):
        sig = p["sigma"] if "sigma" in p else p["lam"] ** -0.5
        return p["mu"] + sig * rng.standard_t(p["nu"], shape)


class Exponential(PositiveContinuous):
    def __init__(self, lam, *args, **kwargs):
        self.lam = self.param("lam", lam, POSITIVE)
        self.mean = 1.0 / self.lam
        self.median = self.mean * np.log(2)
        self.mode = T.zeros_like(self.lam)
        self.variance = self.lam ** -2
        super().__init__(*args, **kwargs)

    def logp(self, value):
        lam = self.lam
        return bound(T.log(lam) - lam * value, value >= 0, lam > 0)

    def logcdf(self, value):
        a = self.lam * value
        return bound(log1mexp(T.switch(value >= 0, a, 1.0)), value >= 0, self.lam > 0)

    def _random(self, p, shape):
        return rng.exponential(1.0 / p["lam"], shape)


class Gamma(PositiveContinuous):
    """Gamma with shape ``alpha`` and rate ``beta``, or mean ``mu`` and ``sigma``/``sd``."""

    def __init__(self, alpha=None, beta=None, mu=None, sigma=None, sd=None, *args, **kwargs):
        if sd is not None:
            sigma = sd
        if alpha is not None and beta is not None:
            self.alpha = self.param("alpha", alpha, POSITIVE)
            self.beta = self.param("beta", beta, POSITIVE)
        elif mu is not None and sigma is not None:
            self.mu = self.param("mu", mu, POSITIVE)
            self.sigma = self.sd = self.param("sigma", sigma, POSITIVE)
            self.alpha = self.mu ** 2 / self.sigma ** 2
            self.beta = self.mu / self.sigma ** 2
        else:
            raise ValueError("Gamma: incompatible parameterization. Either use alpha and beta, or mu and sigma "
                             "to specify distribution.")
        self.mean = self.alpha / self.beta
        self.mode = T.maximum((self.alpha - 1) / self.beta, 0)
        self.variance = self.alpha / self.beta ** 2
        super().__init__(defaults=("mean", "mode"), *args, **kwargs)

    def logp(self, value):
        a, b = self.alpha, self.beta
        lp = -T.gammaln(a) + logpow(b, a) - b * value + logpow(value, a - 1)
        return bound(lp, value >= 0, a > 0, b > 0)

    def _random(self, p, shape):
        a, b = _gamma_ab(p)
        return rng.gamma(a, 1.0 / b, shape)


def _gamma_ab(p):
    if "alpha" in p:
        return p["alpha"], p["beta"]
    return p["mu"] ** 2 / p["sigma"] ** 2, p["mu"] / p["sigma"] ** 2


class InverseGamma(PositiveContinuous):
    def __init__(self, alpha=None, beta=None, mu=None, sigma=None, sd=None, *args, **kwargs):
        if sd is not None:
            sigma = sd
        if alpha is not None and beta is not None:
            self.alpha = self.param("alpha", alpha, POSITIVE)
            self.beta = self.param("beta", 1.0 if beta is None else beta, POSITIVE)
        elif alpha is not None and beta is None and mu is None:
            self.alpha = self.param("alpha", alpha, POSITIVE)
            self.beta = self.param("beta", 1.0, POSITIVE)
        elif mu is not None and sigma is not None:
            self.mu = self.param("mu", mu, POSITIVE)
            self.sigma = self.sd = self.param("sigma", sigma, POSITIVE)
            self.alpha = (2 * self.sigma ** 2 + self.mu ** 2) / self.sigma ** 2
            self.beta = self.mu * (self.mu ** 2 + self.sigma ** 2) / self.sigma ** 2
        else:
            raise ValueError("InverseGamma: incompatible parameterization. Either use alpha and (optionally) "
                             "beta, or mu and sigma to specify distribution.")
        self.mode = self.beta / (self.alpha + 1.0)
        self.mean = T.switch(self.alpha > 1, self.beta / (self.alpha - 1.0), np.inf)
        super().__init__(defaults=("mode",), *args, **kwargs)

    def logp(self, value):
        a, b = self.alpha, self.beta
        lp = logpow(b, a) - T.gammaln(a) - b / value + logpow(value, -a - 1)
        return bound(lp, value > 0, a > 0, b > 0)

    def _random(self, p, shape):
        if "alpha" in p:
            a, b = p["alpha"], p["beta"]
        else:
            s2 = p["sigma"] ** 2
            a, b = (2 * s2 + p["mu"] ** 2) / s2, p["mu"] * (p["mu"] ** 2 + s2) / s2
        return b / rng.gamma(a, 1.0, shape)


class Beta(UnitContinuous):
    def __init__(self, alpha=None, beta=None, mu=None, sigma=None, sd=None, *args, **kwargs):
        if sd is not None:
            sigma = sd
        if alpha is not None and beta is not None:
            self.alpha = self.param("alpha", alpha, POSITIVE)
            self.beta = self.param("beta", beta, POSITIVE)
        elif mu is not None and sigma is not None:
            self.mu = self.param("mu", mu, (lambda v: (v > 0) & (v < 1), "must lie in (0, 1)"))
            self.sigma = self.sd = self.param("sigma", sigma, POSITIVE)
            kappa = self.mu * (1 - self.mu) / self.sigma ** 2 - 1
            self.alpha, self.beta = self.mu * kappa, (1 - self.mu) * kappa
        else:
            raise ValueError("Beta: incompatible parameterization. Either use alpha and beta, or mu and sigma "
                             "to specify distribution.")
        self.mean = self.alpha / (self.alpha + self.beta)
        self.variance = self.alpha * self.beta / ((self.alpha + self.beta) ** 2 * (self.alpha + self.beta + 1))
        super().__init__(defaults=("mean",), *args, **kwargs)

    def logp(self, value):
        a, b = self.alpha, self.beta
        lp = logpow(value, a - 1) + logpow(1 - value, b - 1) - betaln(a, b)
        return bound(lp, value >= 0, value <= 1, a > 0, b > 0)

    def _random(self, p, shape):
        if "alpha" in p:
            a, b = p["alpha"], p["beta"]
        else:
            k = p["mu"] * (1 - p["mu"]) / p["sigma"] ** 2 - 1
            a, b = p["mu"] * k, (1 - p["mu"]) * k
        return rng.beta(a, b, shape)


class Uniform(BoundedContinuous):
    def __init__(self, lower=0, upper=1, *args, **kwargs):
        self.lower = self.param("lower", lower, FINITE)
        self.upper = self.param("upper", upper, FINITE)
        lo, up = _const(self.lower), _const(self.upper)
        if lo is not None and up is not None and not np.all(lo < up):
            raise ValueError(f"Uniform: parameter 'lower' must be below 'upper', got lower={lo}, upper={up}")
        self.mean = (self.upper + self.lower) / 2.0
        self.median = self.mean
        super().__init__(lower=self.lower, upper=self.upper, *args, **kwargs)

    def logp(self, value):
        lo, up = self.lower, self.upper
        return bound(-T.log(up - lo) + T.zeros_like(value, dtype="float64"), value >= lo, value <= up)

    def logcdf(self, value):
        lo, up = self.lower, self.upper
        inside = T.log(T.maximum(value - lo, 0.0)) - T.log(up - lo)
        return T.switch(T.lt(value, lo) | T.le(up, lo), -np.inf, T.switch(T.lt(value, up), inside, 0.0))

    def _random(self, p, shape):
        return rng.uniform(p["lower"], p["upper"], shape)


def _const(t):
    from .base import _constant_value

    return _constant_value(t)


class Flat(Continuous):
    """The improper uniform density over the real line (logp 0)."""

    def __init__(self, *args, **kwargs):
        self._default = 0
        super().__init__(defaults=("_default",), *args, **kwargs)

    def logp(self, value):
        return T.zeros_like(value, dtype="float64")

    def logcdf(self, value):
        return T.switch(T.eq(value, -np.inf), -np.inf, T.switch(T.eq(value, np.inf), 0.0, np.log(0.5)))

    def random(self, point=None, size=None):
        raise ValueError("Cannot sample from Flat distribution")


class HalfFlat(PositiveContinuous):
    """The improper uniform density over the positive reals."""

    def __init__(self, *args, **kwargs):
        self._default = 1
        super().__init__(defaults=("_default",), *args, **kwargs)

    def logp(self, value):
        return bound(T.zeros_like(value, dtype="float64"), value > 0)

    def logcdf(self, value):
        return T.switch(T.lt(value, np.inf), -np.inf, 0.0)

    def random(self, point=None, size=None):
        raise ValueError("Cannot sample from HalfFlat distribution")


class Lognormal(PositiveContinuous):
    def __init__(self, mu=0, sigma=None, tau=None, sd=None, *args, **kwargs):
        self.mu = self.param("mu", mu, FINITE)
        _scale(self, sigma, tau, sd)
        self.mean = T.exp(self.mu + 1.0 / (2 * self.tau))
        self.median = T.exp(self.mu)
        self.mode = T.exp(self.mu - 1.0 / self.tau)
        super().__init__(*args, **kwargs)

    def logp(self, value):
        mu, tau = self.mu, self.tau
        v = T.switch(value > 0, value, 1.0)
        lp = -0.5 * tau * (T.log(v) - mu) ** 2 + 0.5 * T.log(tau / (2.0 * np.pi)) - T.log(v)
        return bound(lp, value > 0, tau > 0)

    def logcdf(self, value):
        v = T.switch(value > 0, value, 1.0)
        return bound(normal_lcdf(self.mu, self.sigma, T.log(v)), value > 0, self.sigma > 0)

    def _random(self, p, shape):
        return np.exp(rng.normal(p["mu"], _sig(p), shape))


LogNormal = Lognormal


class Laplace(Continuous):
    def __init__(self, mu, b, *args, **kwargs):
        self.mu = self.param("mu", mu, FINITE)
        self.b = self.param("b", b, POSITIVE)
        self.mean = self.median = self.mode = self.mu
        super().__init__(*args, **kwargs)

    def logp(self, value):
        return bound(-T.log(2 * self.b) - abs(value - self.mu) / self.b, self.b > 0)

    def logcdf(self, value):
        y = (value - self.mu) / self.b
        return bound(T.switch(T.le(value, self.mu), np.log(0.5) + y, T.log1p(-0.5 * T.exp(-y))), self.b > 0)

    def _random(self, p, shape):
        return rng.laplace(p["mu"], p["b"], shape)


class Logistic(Continuous):
    def __init__(self, mu=0.0, s=1.0, *args, **kwargs):
        self.mu = self.param("mu", mu, FINITE)
        self.s = self.param("s", s, POSITIVE)
        self.mean = self.mode = self.median = self.mu
        super().__init__(*args, **kwargs)

    def logp(self, value):
        az = abs((value - self.mu) / self.s)  # the density is symmetric; |z| keeps both tails finite
        return bound(-az - T.log(self.s) - 2.0 * T.softplus(-az), self.s > 0)

    def logcdf(self, value):
        return bound(-T.softplus(-(value - self.mu) / self.s), self.s > 0)

    def _random(self, p, shape):
        return rng.logistic(p["mu"], p["s"], shape)


class Weibull(PositiveContinuous):
    def __init__(self, alpha, beta, *args, **kwargs):
        self.alpha = self.param("alpha", alpha, POSITIVE)
        self.beta = self.param("beta", beta, POSITIVE)
        self.mean = self.beta * T.exp(T.gammaln(1 + 1.0 / self.alpha))
        self.median = self.beta * T.exp(T.log(T.log(2.0)) / self.alpha)
        super().__init__(*args, **kwargs)

    def logp(self, value):
        a, b = self.alpha, self.beta
        v = T.switch(value >= 0, value, 1.0)
        lp = T.log(a) - T.log(b) + logpow(v / b, a - 1) - (v / b) ** a
        return bound(lp, value >= 0, a > 0, b > 0)

    def logcdf(self, value):
        v = T.switch(value >= 0, value, 1.0)
        return bound(log1mexp((v / self.beta) ** self.alpha), value >= 0, self.alpha > 0, self.beta > 0)

    def _random(self, p, shape):
        return p["beta"] * rng.weibull(p["alpha"], shape)


class ChiSquared(PositiveContinuous):
    def __init__(self, nu, *args, **kwargs):
        self.nu = self.param("nu", nu, POSITIVE)
        self.alpha, self.beta = self.nu / 2.0, T.as_tensor_variable(0.5)
        self.mean = self.nu
        self.mode = T.maximum(self.nu - 2, 0)
        super().__init__(defaults=("mean", "mode"), *args, **kwargs)

    logp = Gamma.logp

    def _random(self, p, shape):
        return rng.chisquare(p["nu"], shape)


class TruncatedNormal(BoundedContinuous):
    """Normal(mu, sigma) restricted to [lower, upper] (either bound may be None)."""

    def __init__(self, mu=0, sigma=None, tau=None, lower=None, upper=None, transform="auto", sd=None,
                 *args, **kwargs):
        self.mu = self.param("mu", mu, FINITE)
        _scale(self, sigma, tau, sd)
        self.lower = None if lower is None else self.param("lower", lower)
        self.upper = None if upper is None else self.param("upper", upper)
        lo, up = (None if lower is None else _const(self.lower)), (None if upper is None else _const(self.upper))
        if lo is not None and up is not None and not np.all(lo < up):
            raise ValueError(f"TruncatedNormal: parameter 'lower' must be below 'upper', got lower={lo}, upper={up}")
        mid = self.mu
        if self.lower is not None:
            mid = T.maximum(mid, self.lower)
        if self.upper is not None:
            mid = T.minimum(mid, self.upper)
        self.median = self.mode = mid
        if self.lower is not None and self.upper is not None:
            self.median = (self.lower + self.upper) / 2.0 + 0 * self.mu
        super().__init__(transform=transform, lower=self.lower, upper=self.upper, defaults=("median",), *args, **kwargs)

    def _norm(self):
        mu, sig = self.mu, self.sigma
        if self.lower is None and self.upper is None:
            return T.constant(0.0)
        if self.lower is None:
            return normal_lcdf(mu, sig, self.upper)
        if self.upper is None:
            return normal_lccdf(mu, sig, self.lower)
        lcdf_a, lcdf_b = normal_lcdf(mu, sig, self.lower), normal_lcdf(mu, sig, self.upper)
        lccdf_a, lccdf_b = normal_lccdf(mu, sig, self.lower), normal_lccdf(mu, sig, self.upper)
        # take the side where the difference is better conditioned
        return T.switch(self.lower > mu, logdiffexp(lccdf_a, lccdf_b), logdiffexp(lcdf_b, lcdf_a))

    def logp(self, value):
        mu, tau = self.mu, self.tau
        lp = (-tau * (value - mu) ** 2 + T.log(tau / np.pi / 2.0)) / 2.0 - self._norm()
        conds = [self.sigma > 0]
        if self.lower is not None:
            conds.append(value >= self.lower)
        if self.upper is not None:
            conds.append(value <= self.upper)
        return bound(lp, *conds)

    def _random(self, p, shape):
        from scipy import stats

        sig = _sig(p)
        lo = (p["lower"] - p["mu"]) / sig if "lower" in p else -np.inf
        up = (p["upper"] - p["mu"]) / sig if "upper" in p else np.inf
        return stats.truncnorm.rvs(lo, up, loc=p["mu"], scale=sig, size=shape)


class HalfStudentT(PositiveContinuous):
    """|StudentT(nu, 0, sigma)|; scale ``sigma``/``sd`` or precision ``lam``."""

    def __init__(self, nu=1, sigma=None, lam=None, sd=None, *args, **kwargs):
        self.nu = self.param("nu", nu, POSITIVE)
        if sd is not None:
            sigma = sd
        if _pick(lam=lam, sigma=sigma) == "lam":
            self.lam = self.param("lam", lam, POSITIVE)
            self.sigma = self.sd = self.lam ** -0.5
        else:
            self.sigma = self.sd = self.param("sigma", 1.0 if sigma is None else sigma, POSITIVE)
        self.median = self.sigma
        self.mode = T.zeros_like(self.sigma)
        super().__init__(*args, **kwargs)

    def logp(self, value):
        nu, s = self.nu, self.sigma
        lp = (np.log(2.0) + T.gammaln((nu + 1.0) / 2.0) - T.gammaln(nu / 2.0) - 0.5 * T.log(nu * np.pi) - T.log(s)
              - (nu + 1.0) / 2.0 * T.log1p(value ** 2 / (s ** 2 * nu)))
        return bound(lp, value >= 0, nu > 0, s > 0)

    def _random(self, p, shape):
        s = p["sigma"] if "sigma" in p else p["lam"] ** -0.5
        return np.abs(s * rng.standard_t(p["nu"], shape))


class Pareto(Continuous):
    """Pareto with shape ``alpha`` and scale (lower bound) ``m``."""

    def __init__(self, alpha, m, transform="lowerbound", *args, **kwargs):
        self.alpha = self.param("alpha", alpha, POSITIVE)
        self.m = self.param("m", m, POSITIVE)
        self.median = self.m * 2.0 ** (1.0 / self.alpha)
        if transform == "lowerbound":
            transform = transforms.lowerbound(self.m)
        super().__init__(transform=transform, *args, **kwargs)

    def logp(self, value):
        a, m = self.alpha, self.m
        v = T.switch(value >= m, value, m)
        return bound(T.log(a) + logpow(m, a) - logpow(v, a + 1), value >= m, a > 0, m > 0)

    def logcdf(self, value):
        v = T.switch(value >= self.m, value, self.m)
        return bound(T.log1p(-(self.m / v) ** self.alpha), value >= self.m, self.alpha > 0, self.m > 0)

    def _random(self, p, shape):
        return p["m"] * (1.0 - rng.uniform(size=shape)) ** (-1.0 / p["alpha"])


class Gumbel(Continuous):
    def __init__(self, mu, beta, *args, **kwargs):
        self.mu = self.param("mu", mu, FINITE)
        self.beta = self.param("beta", beta, POSITIVE)
        self.mean = self.mu + self.beta * np.euler_gamma
        self.median = self.mu - self.beta * np.log(np.log(2.0))
        self.mode = self.mu
        super().__init__(*args, **kwargs)

    def logp(self, value):
        z = (value - self.mu) / self.beta
        return bound(-z - T.exp(-z) - T.log(self.beta), self.beta > 0)

    def logcdf(self, value):
        return bound(-T.exp(-(value - self.mu) / self.beta), self.beta > 0)

    def _random(self, p, shape):
        return rng.gumbel(p["mu"], p["beta"], shape)


class Kumaraswamy(UnitContinuous):
    def __init__(self, a, b, *args, **kwargs):
        self.a = self.param("a", a, POSITIVE)
        self.b = self.param("b", b, POSITIVE)
        self.median = (1.0 - 2.0 ** (-1.0 / self.b)) ** (1.0 / self.a)
        super().__init__(defaults=("median",), *args, **kwargs)

    def logp(self, value):
        a, b = self.a, self.b
        v = T.switch(T.and_(value > 0, value < 1), value, 0.5)
        lp = T.log(a) + T.log(b) + (a - 1) * T.log(v) + (b - 1) * T.log1p(-v ** a)
        return bound(lp, value > 0, value < 1, a > 0, b > 0)

    def _random(self, p, shape):
        u = rng.uniform(size=shape)
        return (1 - (1 - u) ** (1 / p["b"])) ** (1 / p["a"])


class Triangular(BoundedContinuous):
    def __init__(self, lower=0, upper=1, c=0.5, *args, **kwargs):
        self.lower = self.param("lower", lower, FINITE)
        self.upper = self.param("upper", upper, FINITE)
        self.c = self.param("c", c, FINITE)
        lo, up, c0 = _const(self.lower), _const(self.upper), _const(self.c)
        if lo is not None and up is not None and c0 is not None and not np.all((lo <= c0) & (c0 <= up) & (lo < up)):
            raise ValueError(f"Triangular: parameters must satisfy lower <= c <= upper, lower < upper, "
                             f"got lower={lo}, c={c0}, upper={up}")
        self.mean = self.c
        self.median = self.c
        super().__init__(lower=self.lower, upper=self.upper, *args, **kwargs)

    def logp(self, value):
        lo, up, c = self.lower, self.upper, self.c
        left = T.log(2 * (value - lo)) - T.log((up - lo) * (c - lo))
        right = T.log(2 * (up - value)) - T.log((up - lo) * (up - c))
        at_c = T.log(2.0 / (up - lo))
        lp = T.switch(T.lt(value, c), left, T.switch(T.gt(value, c), right, at_c))
        return bound(lp, value >= lo, value <= up)

    def logcdf(self, value):
        lo, up, c = self.lower, self.upper, self.c
        left = 2 * T.log(T.maximum(value - lo, 0.0)) - T.log((up - lo) * (c - lo))
        right = T.log1p(-(up - value) ** 2 / ((up - lo) * (up - c)))
        return T.switch(T.le(value, lo), -np.inf,
                        T.switch(T.le(value, c), left, T.switch(T.lt(value, up), right, 0.0)))

    def _random(self, p, shape):
        return rng.triangular(p["lower"], p["c"], p["upper"], shape)


class ExGaussian(Continuous):
    """Normal(mu, sigma) plus Exponential(mean ``nu``)."""

    def __init__(self, mu=0.0, sigma=None, nu=None, sd=None, *args, **kwargs):
        if sd is not None:
            sigma = sd
        self.mu = self.param("mu", mu, FINITE)
        self.sigma = self.sd = self.param("sigma", sigma, POSITIVE)
        self.nu = self.param("nu", nu, POSITIVE)
        self.mean = self.mu + self.nu
        super().__init__(defaults=("mean",), *args, **kwargs)

    def logp(self, value):
        mu, s, nu = self.mu, self.sigma, self.nu
        lp = -T.log(nu) + (mu - value) / nu + 0.5 * (s / nu) ** 2 + normal_lcdf(mu + s ** 2 / nu, s, value)
        return bound(lp, s > 0, nu > 0)

    def _random(self, p, shape):
        return rng.normal(p["mu"], p["sigma"], shape) + rng.exponential(p["nu"], shape)


class Wald(PositiveContinuous):
    """Inverse Gaussian with mean ``mu`` and shape ``lam`` (or ``phi = lam / mu``), shifted by ``alpha``."""

    def __init__(self, mu=None, lam=None, phi=None, alpha=0.0, *args, **kwargs):
        if mu is not None and lam is not None:
            self.mu = self.param("mu", mu, POSITIVE)
            self.lam = self.param("lam", lam, POSITIVE)
        elif mu is not None and phi is not None:
            self.mu = self.param("mu", mu, POSITIVE)
            self.phi = self.param("phi", phi, POSITIVE)
            self.lam = self.mu * self.phi
        elif lam is not None and phi is not None:
            self.lam = self.param("lam", lam, POSITIVE)
            self.phi = self.param("phi", phi, POSITIVE)
            self.mu = self.lam / self.phi
        else:
            raise ValueError("Wald: specify two of mu, lam and phi")
        self.alpha = self.param("alpha", alpha, NONNEG)
        self.mean = self.mu + self.alpha
        super().__init__(defaults=("mean",), *args, **kwargs)

    def logp(self, value):
        mu, lam, a = self.mu, self.lam, self.alpha
        x = T.switch(value > a, value - a, 1.0)
        lp = 0.5 * T.log(lam / (2 * np.pi)) - 1.5 * T.log(x) - lam * (x - mu) ** 2 / (2 * mu ** 2 * x)
        return bound(lp, value > a, mu > 0, lam > 0)

    def _random(self, p, shape):
        mu = p["mu"] if "mu" in p else p["lam"] / p["phi"]
        lam = p["lam"] if "lam" in p else p["mu"] * p["phi"]
        return p.get("alpha", 0.0) + rng.wald(mu, lam, shape)


class Moyal(Continuous):
    def __init__(self, mu=0, sigma=1.0, *args, **kwargs):
        self.mu = self.param("mu", mu, FINITE)
        self.sigma = self.param("sigma", sigma, POSITIVE)
        self.median = self.mu - self.sigma * np.log(2 * 0.2274934241502281)  # 2 * erfcinv(1/2)**2
        self.mean = self.mu + self.sigma * (np.euler_gamma + np.log(2))
        super().__init__(*args, **kwargs)

    def logp(self, value):
        z = (value - self.mu) / self.sigma
        return bound(-0.5 * (z + T.exp(-z)) - T.log(self.sigma) - 0.5 * LOG_2PI, self.sigma > 0)

    def logcdf(self, value):
        z = (value - self.mu) / self.sigma
        return bound(T.log(T.erfc(T.exp(-z / 2) / np.sqrt(2.0))), self.sigma > 0)

    def _random(self, p, shape):
        from scipy import stats

        return stats.moyal.rvs(p["mu"], p["sigma"], size=shape)


class LogitNormal(UnitContinuous):
    """``sigmoid(Normal(mu, sigma))``."""

    def __init__(self, mu=0, sigma=None, tau=None, sd=None, **kwargs):
        self.mu = self.param("mu", mu, FINITE)
        _scale(self, sigma, tau, sd)
        self.median = T.sigmoid(self.mu)
        super().__init__(**kwargs)

    def logp(self, value):
        mu, tau = self.mu, self.tau
        v = T.switch(T.and_(value > 0, value < 1), value, 0.5)
        lp = -0.5 * tau * (T.log(v) - T.log1p(-v) - mu) ** 2 + 0.5 * T.log(tau / (2 * np.pi)) - T.log(v) - T.log1p(-v)
        return bound(lp, value > 0, value < 1, tau > 0)

    def _random(self, p, shape):
        return 1.0 / (1.0 + np.exp(-rng.normal(p["mu"], _sig(p), shape)))


class AsymmetricLaplace(Continuous):
    def __init__(self, b, kappa, mu=0, *args, **kwargs):
        self.b = self.param("b", b, POSITIVE)
        self.kappa = self.param("kappa", kappa, POSITIVE)
        self.mu = self.param("mu", mu, FINITE)
        self.mean = self.mu - (self.kappa - 1 / self.kappa) / self.b
        super().__init__(defaults=("mean",), *args, **kwargs)

    def logp(self, value):
        b, k, mu = self.b, self.kappa, self.mu
        d = value - mu
        lp = T.log(b / (k + 1 / k)) - T.switch(d >= 0, d * b * k, -d * b / k)
        return bound(lp, b > 0, k > 0)

    def _random(self, p, shape):
        from scipy import stats

        return stats.laplace_asymmetric.rvs(p["kappa"], loc=p["mu"], scale=1 / p["b"], size=shape)
