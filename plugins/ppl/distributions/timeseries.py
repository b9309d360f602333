"""Time series of PyMC3 3.11: GaussianRandomWalk, AR1, AR, GARCH11 and the multivariate random walks
(MvGaussianRandomWalk, MvStudentTRandomWalk); time runs along the first axis of the value,
except for GaussianRandomWalk, which walks along the last."""
from __future__ import annotations

import numpy as np

import arignote
import arignote.tensor as T

from .base import Continuous, _at_test_values, draw_values
from .continuous import Flat, Normal, _scale, rng


class GaussianRandomWalk(Continuous):
    """x[0] ~ ``init``; x[t] - x[t-1] ~ Normal(``mu``, ``sigma``) along the last axis."""

    def __init__(self, tau=None, init=None, sigma=None, mu=0.0, sd=None, *args, **kwargs):
        self.mu = self.param("mu", mu)
        _scale(self, sigma, tau, sd)
        self.init = init if init is not None else Flat.dist()
        self.mean = T.as_tensor_variable(0.0)
        super().__init__(defaults=("mean",), *args, **kwargs)
        if not self.shape:
            raise ValueError("GaussianRandomWalk needs shape= (the length of the walk)")

    def logp(self, x):
        x = T.as_tensor_variable(x)
        if x.ndim == 0:
            return self.init.logp(x)
        steps = Normal.dist(mu=self.mu, sigma=self.sigma).logp(x[..., 1:] - x[..., :-1])
        return self.init.logp(x[..., 0]) + T.sum(steps, axis=-1)

    def random(self, point=None, size=None):
        mu, sigma = draw_values([self.mu, self.sigma], point=point)
        size = () if size is None else tuple(np.atleast_1d(size).astype(int))
        shape = size + tuple(self.shape)
        steps = rng.normal(mu, sigma, shape)
        try:
            start = np.asarray(self.init.random(point=point, size=shape[:-1] or None))
        except ValueError:  # a Flat start cannot be drawn: start at 0
            start = np.zeros(shape[:-1])
        steps[..., 0] = start
        return np.cumsum(steps, axis=-1)


def _shape_of(size):
    return () if size is None else tuple(np.atleast_1d(size).astype(int))


def _start(init, point, shape):
    """Draws of ``init`` of ``shape`` (zeros for the improper Flat start, which cannot be drawn)."""
    try:
        return np.broadcast_to(np.asarray(init.random(point=point, size=shape or None)), shape)
    except ValueError:
        return np.zeros(shape)


class AR1(Continuous):
    """AR(1): x[0] ~ Normal(0, tau=tau_e * (1 - k**2)) (the stationary law); x[t] ~ Normal(k x[t-1], tau=tau_e)."""

    def __init__(self, k, tau_e, *args, **kwargs):
        self.k = self.param("k", k)
        self.tau_e = self.param("tau_e", tau_e, (lambda v: v > 0, "must be positive"))
        self.tau = self.tau_e * (1 - self.k ** 2)
        self.mode = T.as_tensor_variable(0.0)
        super().__init__(defaults=("mode",), *args, **kwargs)

    def logp(self, x):
        x = T.as_tensor_variable(x)
        boundary = Normal.dist(0.0, tau=self.tau).logp(x[0])
        innov = Normal.dist(self.k * x[:-1], tau=self.tau_e).logp(x[1:])
        return boundary + T.sum(innov)

    def random(self, point=None, size=None):
        k, tau_e = (float(v) for v in draw_values([self.k, self.tau_e], point=point))
        shape = _shape_of(size) + tuple(self.shape)
        eps = rng.normal(0.0, tau_e ** -0.5, shape)
        out = np.empty(shape)
        lead = len(shape) - len(self.shape)
        first = (slice(None),) * lead
        out[first + (0,)] = rng.normal(0.0, (tau_e * (1 - k ** 2)) ** -0.5, out[first + (0,)].shape)
        for t in range(1, self.shape[0]):
            out[first + (t,)] = k * out[first + (t - 1,)] + eps[first + (t,)]
        return out


class AR(Continuous):
    """AR(p): x[t] = rho[0] x[t-1] + ... + rho[p-1] x[t-p] + eps, eps ~ Normal(0, sigma) (or ``tau``);
    with ``constant=True`` rho[0] is an intercept and the lags follow.  The first p values follow ``init``."""

    def __init__(self, rho, sigma=None, tau=None, constant=False, init=None, sd=None, *args, **kwargs):
        _scale(self, sigma, tau, sd)
        self.rho = self.param("rho", rho)
        if self.rho.ndim > 1:
            raise ValueError(f"AR: parameter 'rho' must be a scalar or a vector, got {self.rho.ndim} dimensions")
        n = 1 if self.rho.ndim == 0 else self.rho.type.shape[0]
        if n is None:
            n = int(np.shape(_at_test_values(self.rho))[0])
        self.constant = bool(constant)
        self.p = int(n) - 1 if self.constant else int(n)
        if self.p < 1:
            raise ValueError("AR: needs at least one lag coefficient in rho")
        self.init = init if init is not None else Flat.dist()
        self.mean = T.as_tensor_variable(0.0)
        super().__init__(defaults=("mean",), *args, **kwargs)

    def _coefficients(self):
        rho = T.shape_padleft(self.rho, 1) if self.rho.ndim == 0 else self.rho
        return (rho[0], rho[1:]) if self.constant else (0.0, rho)

    def logp(self, value):
        value = T.as_tensor_variable(value)
        c, lags = self._coefficients()
        p, n = self.p, self.shape[0]
        pred = c + sum(lags[i] * value[p - 1 - i: n - 1 - i] for i in range(p))
        eps = value[p:] - pred
        innov = Normal.dist(mu=0.0, sigma=self.sigma).logp(eps)
        return T.sum(innov) + T.sum(self.init.logp(value[:p]))

    def random(self, point=None, size=None):
        rho, sigma = draw_values([self.rho, self.sigma], point=point)
        rho = np.atleast_1d(rho)
        c, lags = (rho[0], rho[1:]) if self.constant else (0.0, rho)
        lead = _shape_of(size)
        out = np.empty(lead + tuple(self.shape))
        first = (slice(None),) * len(lead)
        out[first + (slice(0, self.p),)] = _start(self.init, point, out[first + (slice(0, self.p),)].shape)
        for t in range(self.p, self.shape[0]):
            mean = c + sum(lags[i] * out[first + (t - 1 - i,)] for i in range(self.p))
            out[first + (t,)] = mean + rng.normal(0.0, sigma, out[first + (t,)].shape)
        return out


class GARCH11(Continuous):
    """GARCH(1,1): x[t] ~ Normal(0, vol[t]), vol[t]**2 = omega + alpha_1 x[t-1]**2 + beta_1 vol[t-1]**2,
    vol[0] = ``initial_vol``."""

    def __init__(self, omega, alpha_1, beta_1, initial_vol, *args, **kwargs):
        self.omega = self.param("omega", omega, (lambda v: v > 0, "must be positive"))
        self.alpha_1 = self.param("alpha_1", alpha_1, (lambda v: v >= 0, "must be non-negative"))
        self.beta_1 = self.param("beta_1", beta_1, (lambda v: v >= 0, "must be non-negative"))
        self.initial_vol = self.param("initial_vol", initial_vol, (lambda v: v >= 0, "must be non-negative"))
        self.mean = T.as_tensor_variable(0.0)
        super().__init__(defaults=("mean",), *args, **kwargs)

    def get_volatility(self, x):
        """The volatilities vol[0..n-1] of the series ``x`` (a scan over time)."""
        x = T.as_tensor_variable(x)

        def step(x_prev, vol_prev, omega, a, b):
            return T.sqrt(omega + a * T.sqr(x_prev) + b * T.sqr(vol_prev))

        vol, _ = arignote.scan(fn=step, sequences=[x[:-1]], outputs_info=[self.initial_vol],
                               non_sequences=[self.omega, self.alpha_1, self.beta_1])
        return T.concatenate([T.shape_padleft(self.initial_vol, 1), vol])

    def logp(self, x):
        return T.sum(Normal.dist(0.0, sigma=self.get_volatility(x)).logp(x))

    def random(self, point=None, size=None):
        omega, a, b, vol0 = draw_values([self.omega, self.alpha_1, self.beta_1, self.initial_vol], point=point)
        lead = _shape_of(size)
        out = np.empty(lead + tuple(self.shape))
        vol = np.full(lead, float(vol0))
        for t in range(self.shape[0]):
            if t:
                vol = np.sqrt(omega + a * out[..., t - 1] ** 2 + b * vol ** 2)
            out[..., t] = rng.normal(0.0, 1.0, lead) * vol
        return out


class MvGaussianRandomWalk(Continuous):
    """x[0] ~ ``init``; x[t] - x[t-1] ~ MvNormal(mu, cov/tau/chol); the value has shape (time, k)."""

    ndim_supp = 2

    def __init__(self, mu=0.0, cov=None, tau=None, chol=None, lower=True, init=None, *args, **kwargs):
        self.init = init if init is not None else Flat.dist()
        self.innov = self._innovation(mu, cov, tau, chol, lower)
        self._params = dict(self.innov.param_items())
        self.mean = T.as_tensor_variable(0.0)
        super().__init__(defaults=("mean",), *args, **kwargs)
        if len(self.shape) != 2:
            raise ValueError(f"{type(self).__name__} needs shape=(time, k), got shape={self.shape}")

    def _innovation(self, mu, cov, tau, chol, lower):
        from .multivariate import MvNormal

        return MvNormal.dist(mu, cov=cov, tau=tau, chol=chol, lower=lower)

    def logp(self, x):
        x = T.as_tensor_variable(x)
        return T.sum(self.init.logp(x[0])) + T.sum(self.innov.logp(x[1:] - x[:-1]))

    def random(self, point=None, size=None):
        lead = _shape_of(size)
        steps = np.asarray(self.innov.random(point=point, size=lead + (self.shape[0],)))
        idx = (slice(None),) * len(lead)
        steps[idx + (0,)] = _start(self.init, point, steps[idx + (0,)].shape)
        return np.cumsum(steps, axis=len(lead))


class MvStudentTRandomWalk(MvGaussianRandomWalk):
    """A multivariate random walk whose steps follow MvStudentT(``nu``, ...)."""

    def __init__(self, nu, *args, **kwargs):
        self.nu = nu
        super().__init__(*args, **kwargs)

    def _innovation(self, mu, cov, tau, chol, lower):
        from .multivariate import MvStudentT

        return MvStudentT.dist(self.nu, mu=mu, cov=cov, tau=tau, chol=chol, lower=lower)


class EulerMaruyama(Continuous):
    """A stochastic differential equation discretised by Euler-Maruyama with step ``dt``:
    x[t+1] ~ Normal(x[t] + dt f, sqrt(dt) g), where ``f, g = sde_fn(x[:-1], *sde_pars)``."""

    def __init__(self, dt, sde_fn, sde_pars, *args, **kwargs):
        self.dt = self.param("dt", dt, (lambda v: v > 0, "must be positive"))
        self.sde_fn, self.sde_pars = sde_fn, tuple(sde_pars)
        self.mean = T.as_tensor_variable(0.0)
        super().__init__(defaults=("mean",), *args, **kwargs)

    def logp(self, x):
        x = T.as_tensor_variable(x)
        f, g = self.sde_fn(x[:-1], *self.sde_pars)
        return T.sum(Normal.dist(mu=x[:-1] + self.dt * f, sigma=T.sqrt(self.dt) * g).logp(x[1:]))
