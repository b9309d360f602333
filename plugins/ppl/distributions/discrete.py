"""Discrete distributions (int64 variables; logp of values outside the support is -inf)."""
from __future__ import annotations

import numpy as np

import arignote.tensor as T

from .base import Discrete
from .continuous import NONNEG, POSITIVE, _const, rng
from .dist_math import betaln, binomln, bound, factln, log1mexp, logaddexp, logpow

PROB = (lambda v: (v >= 0) & (v <= 1), "must lie in [0, 1]")
INT_NONNEG = (lambda v: (v >= 0) & (v == np.round(v)), "must be a non-negative integer")


class Poisson(Discrete):
    def __init__(self, mu, *args, **kwargs):
        self.mu = self.param("mu", mu, NONNEG)
        self.mode = T.floor(self.mu)
        super().__init__(*args, **kwargs)

    def logp(self, value):
        mu = self.mu
        lp = logpow(mu, value) - factln(value) - mu
        return bound(lp, value >= 0, mu >= 0)

    def _random(self, p, shape):
        return rng.poisson(p["mu"], shape)


class Binomial(Discrete):
    def __init__(self, n, p, *args, **kwargs):
        self.n = self.param("n", n, INT_NONNEG)
        self.p = self.param("p", p, PROB)
        self.mode = T.cast(T.round(self.n * self.p), "int64")
        super().__init__(*args, **kwargs)

    def logp(self, value):
        n, p = self.n, self.p
        lp = binomln(n, value) + logpow(p, value) + logpow(1 - p, n - value)
        return bound(lp, value >= 0, value <= n, p >= 0, p <= 1)

    def _random(self, p, shape):
        return rng.binomial(p["n"].astype(np.int64), p["p"], shape)


class Bernoulli(Discrete):
    """Bernoulli with probability ``p`` or log-odds ``logit_p``; support {0, 1}."""

    def __init__(self, p=None, logit_p=None, *args, **kwargs):
        if (p is None) == (logit_p is None):
            raise ValueError("Bernoulli: specify one of p and logit_p")
        if p is not None:
            self.p = self.param("p", p, PROB)
            self._logit = False
        else:
            self.logit_p = self.param("logit_p", logit_p)
            self.p = T.sigmoid(self.logit_p)
            self._logit = True
        self.mode = T.cast(T.round(self.p), "int8")
        super().__init__(*args, **kwargs)

    def logp(self, value):
        if self._logit:
            lp = T.switch(value, -T.softplus(-self.logit_p), -T.softplus(self.logit_p))
            return bound(lp, value >= 0, value <= 1)
        p = self.p
        return bound(T.switch(value, T.log(p), T.log1p(-p)), value >= 0, value <= 1, p >= 0, p <= 1)

    def logcdf(self, value):
        p = self.p
        return bound(T.switch(T.lt(value, 1), T.log1p(-p), 0.0), value >= 0, p >= 0, p <= 1)

    def _random(self, p, shape):
        prob = p["p"] if "p" in p else 1.0 / (1.0 + np.exp(-p["logit_p"]))
        return (rng.uniform(size=shape) < prob).astype(np.int64)


class Categorical(Discrete):
    """Categories 0..k-1 with probabilities ``p`` (last axis; normalised to sum to 1)."""

    param_core_ndims = {"p": 1, "cutpoints": 1}

    def __init__(self, p, *args, **kwargs):
        self.p = self.param("p", p, (lambda v: v >= 0, "must be non-negative"))
        if self.p.ndim == 0:
            raise ValueError("Categorical: parameter 'p' must have at least one dimension")
        k = self.p.type.shape[-1]
        self.k = int(k) if k is not None else T.shape(self.p)[-1]
        self.p = self.p / T.sum(self.p, axis=-1, keepdims=True)
        self.mode = T.argmax(self.p, axis=-1)
        super().__init__(*args, **kwargs)

    def logp(self, value):
        p = self.p
        k = T.shape(p)[-1]
        value = T.as_tensor_variable(value)
        v = T.clip(value, 0, k - 1)
        if p.ndim == 1:
            lp = T.log(p)[v]
        else:
            lp = T.log(T.take_along_axis(p, T.shape_padright(v), axis=-1))[..., 0] \
                if hasattr(T, "take_along_axis") else _rowwise(T.log(p), v)
        return bound(lp, value >= 0, value <= k - 1, T.all(p >= 0), T.all(p <= 1))

    def _random(self, p, shape):
        pr = p["p"] / p["p"].sum(axis=-1, keepdims=True)
        if pr.ndim == 1:
            return rng.choice(len(pr), size=shape, p=pr)
        flat = pr.reshape(-1, pr.shape[-1])
        u = rng.uniform(size=shape)
        cdf = np.cumsum(np.broadcast_to(pr, tuple(shape) + pr.shape[-1:]), axis=-1)
        return (u[..., None] > cdf).sum(axis=-1).clip(0, flat.shape[-1] - 1)

    def random(self, point=None, size=None):
        from .base import _broadcast_shape, draw_values

        (pv,) = draw_values([self.p], point=point)
        base = _broadcast_shape(self.shape, pv.shape[:-1])
        size = () if size is None else tuple(np.atleast_1d(size).astype(int))
        return self._random({"p": pv}, size + base)


def _rowwise(logp, v):
    """``logp[..., v]`` for a matrix of probabilities (one row per value)."""
    rows = T.arange(logp.shape[0])
    return logp[rows, v]


class DiscreteUniform(Discrete):
    def __init__(self, lower, upper, *args, **kwargs):
        self.lower = self.param("lower", lower, dtype="int64")
        self.upper = self.param("upper", upper, dtype="int64")
        lo, up = _const(self.lower), _const(self.upper)
        if lo is not None and up is not None and not np.all(lo <= up):
            raise ValueError(f"DiscreteUniform: parameter 'lower' must not exceed 'upper', got lower={lo}, upper={up}")
        self.mode = T.maximum(T.floor((self.upper + self.lower) / 2.0), self.lower)
        super().__init__(*args, **kwargs)

    def logp(self, value):
        lo, up = self.lower, self.upper
        return bound(-T.log(T.cast(up - lo + 1, "float64")) + T.zeros_like(value, dtype="float64"),
                     value >= lo, value <= up)

    def logcdf(self, value):
        lo, up = self.lower, self.upper
        inside = T.log(T.switch(value >= lo, T.floor(value) - lo + 1.0, 1.0)) - T.log(T.cast(up - lo + 1, "float64"))
        return T.switch(T.lt(value, lo), -np.inf, T.switch(T.lt(value, up), inside, 0.0))

    def _random(self, p, shape):
        return rng.randint(p["lower"], p["upper"] + 1, shape)


class Geometric(Discrete):
    """Number of trials up to and including the first success (support 1, 2, ...)."""

    def __init__(self, p, *args, **kwargs):
        self.p = self.param("p", p, PROB)
        self.mode = T.ones_like(self.p, dtype="int64")
        super().__init__(*args, **kwargs)

    def logp(self, value):
        p = self.p
        return bound(T.log(p) + logpow(1 - p, value - 1), value >= 1, p >= 0, p <= 1)

    def logcdf(self, value):
        p = self.p
        v = T.switch(value >= 1, value, 1)
        return bound(log1mexp(-T.log1p(-p) * v), value >= 1, p >= 0, p <= 1)

    def _random(self, p, shape):
        return rng.geometric(p["p"], shape)


class NegativeBinomial(Discrete):
    """Counts with mean ``mu`` and dispersion ``alpha`` (or ``p`` and ``n``); Poisson as alpha -> inf."""

    def __init__(self, mu=None, alpha=None, p=None, n=None, *args, **kwargs):
        if mu is not None and alpha is not None:
            self.mu = self.param("mu", mu, POSITIVE)
            self.alpha = self.param("alpha", alpha, POSITIVE)
        elif p is not None and n is not None:
            self.p = self.param("p", p, PROB)
            self.n = self.param("n", n, POSITIVE)
            self.mu = self.n * (1 - self.p) / self.p
            self.alpha = self.n
        else:
            raise ValueError("NegativeBinomial: incompatible parametrization. Must specify either alpha and mu, "
                             "or n and p.")
        self.mode = T.floor(self.mu)
        super().__init__(*args, **kwargs)

    def logp(self, value):
        mu, a = self.mu, self.alpha
        nb = binomln(value + a - 1, value) + logpow(mu / (mu + a), value) + logpow(a / (mu + a), a)
        pois = logpow(mu, value) - factln(value) - mu
        return bound(T.switch(a > 1e10, pois, nb), value >= 0, mu > 0, a > 0)

    def _random(self, p, shape):
        if "mu" in p:
            mu, a = p["mu"], p["alpha"]
        else:
            mu, a = p["n"] * (1 - p["p"]) / p["p"], p["n"]
        return rng.poisson(rng.gamma(a, mu / a, shape))


class BetaBinomial(Discrete):
    def __init__(self, alpha, beta, n, *args, **kwargs):
        self.alpha = self.param("alpha", alpha, POSITIVE)
        self.beta = self.param("beta", beta, POSITIVE)
        self.n = self.param("n", n, INT_NONNEG)
        self.mode = T.cast(T.round(self.alpha / (self.alpha + self.beta)), "int64")
        super().__init__(*args, **kwargs)

    def logp(self, value):
        a, b, n = self.alpha, self.beta, self.n
        lp = binomln(n, value) + betaln(value + a, n - value + b) - betaln(a, b)
        return bound(lp, value >= 0, value <= n, a > 0, b > 0)

    def _random(self, p, shape):
        return rng.binomial(p["n"].astype(np.int64), rng.beta(p["alpha"], p["beta"], shape))


class ZeroInflatedPoisson(Discrete):
    """With probability ``psi`` a Poisson(``theta``) count, else 0."""

    def __init__(self, psi, theta, *args, **kwargs):
        self.psi = self.param("psi", psi, PROB)
        self.theta = self.param("theta", theta, NONNEG)
        self.mode = T.floor(self.theta)
        super().__init__(*args, **kwargs)

    def logp(self, value):
        psi, theta = self.psi, self.theta
        pois = logpow(theta, value) - factln(value) - theta
        zero = logaddexp(T.log1p(-psi), T.log(psi) - theta)
        lp = T.switch(value > 0, T.log(psi) + pois, zero)
        return bound(lp, value >= 0, psi >= 0, psi <= 1, theta >= 0)

    def _random(self, p, shape):
        x = rng.poisson(p["theta"], shape)
        return x * (rng.uniform(size=shape) < p["psi"])


class ZeroInflatedBinomial(Discrete):
    def __init__(self, psi, n, p, *args, **kwargs):
        self.psi = self.param("psi", psi, PROB)
        self.n = self.param("n", n, INT_NONNEG)
        self.p = self.param("p", p, PROB)
        self.mode = T.cast(T.round(self.n * self.p), "int64")
        super().__init__(*args, **kwargs)

    def logp(self, value):
        psi, n, p = self.psi, self.n, self.p
        binom = binomln(n, value) + logpow(p, value) + logpow(1 - p, n - value)
        zero = logaddexp(T.log1p(-psi), T.log(psi) + logpow(1 - p, n))
        lp = T.switch(value > 0, T.log(psi) + binom, zero)
        return bound(lp, value >= 0, value <= n, psi >= 0, psi <= 1, p >= 0, p <= 1)

    def _random(self, p, shape):
        x = rng.binomial(p["n"].astype(np.int64), p["p"], shape)
        return x * (rng.uniform(size=shape) < p["psi"])


class ZeroInflatedNegativeBinomial(Discrete):
    def __init__(self, psi, mu, alpha, *args, **kwargs):
        self.psi = self.param("psi", psi, PROB)
        self.mu = self.param("mu", mu, POSITIVE)
        self.alpha = self.param("alpha", alpha, POSITIVE)
        self.mode = T.floor(self.mu)
        super().__init__(*args, **kwargs)

    def logp(self, value):
        psi, mu, a = self.psi, self.mu, self.alpha
        nb = binomln(value + a - 1, value) + logpow(mu / (mu + a), value) + logpow(a / (mu + a), a)
        zero = logaddexp(T.log1p(-psi), T.log(psi) + logpow(a / (mu + a), a))
        lp = T.switch(value > 0, T.log(psi) + nb, zero)
        return bound(lp, value >= 0, psi >= 0, psi <= 1, mu > 0, a > 0)

    def _random(self, p, shape):
        x = rng.poisson(rng.gamma(p["alpha"], p["mu"] / p["alpha"], shape))
        return x * (rng.uniform(size=shape) < p["psi"])


class Constant(Discrete):
    """All mass on ``c``."""

    def __init__(self, c, *args, **kwargs):
        self.c = self.param("c", c)
        self.mean = self.median = self.mode = self.c
        super().__init__(dtype="int64" if np.dtype(self.c.dtype).kind in "iub" else self.c.dtype, *args, **kwargs)

    def logp(self, value):
        return bound(T.zeros_like(value, dtype="float64"), T.eq(value, self.c))

    def _random(self, p, shape):
        return np.broadcast_to(p["c"], shape).copy()


class DiscreteWeibull(Discrete):
    def __init__(self, q, beta, *args, **kwargs):
        self.q = self.param("q", q, (lambda v: (v > 0) & (v < 1), "must lie in (0, 1)"))
        self.beta = self.param("beta", beta, POSITIVE)
        self.median = T.floor(T.exp(T.log(T.log(0.5) / T.log(self.q)) / self.beta) - 1)
        self.mode = T.maximum(self.median, 0)
        super().__init__(defaults=("mode",), *args, **kwargs)

    def logp(self, value):
        q, b = self.q, self.beta
        v = T.switch(value >= 0, value, 0)
        lp = T.log(q ** (v ** b) - q ** ((v + 1) ** b))
        return bound(lp, value >= 0, q > 0, q < 1, b > 0)

    def logcdf(self, value):
        v = T.switch(value >= 0, value, 0)
        return bound(T.log1p(-self.q ** ((v + 1) ** self.beta)), value >= 0)

    def _random(self, p, shape):
        u = rng.uniform(size=shape)
        return np.ceil((np.log(1 - u) / np.log(p["q"])) ** (1 / p["beta"])) - 1


class OrderedLogistic(Categorical):
    """Ordered categories: P(y <= k) = sigmoid(cutpoints[k] - eta)."""

    def __init__(self, eta, cutpoints, *args, **kwargs):
        self.eta = T.as_tensor_variable(np.asarray(eta, dtype=float) if not hasattr(eta, "type") else eta)
        self.cutpoints = T.as_tensor_variable(np.asarray(cutpoints, dtype=float)
                                              if not hasattr(cutpoints, "type") else cutpoints)
        e = T.shape_padright(self.eta)
        cdf = T.sigmoid(self.cutpoints - e)
        ones = T.ones_like(cdf[..., :1])
        zeros = T.zeros_like(cdf[..., :1])
        p = T.concatenate([cdf, ones], axis=-1) - T.concatenate([zeros, cdf], axis=-1)
        super().__init__(p, *args, **kwargs)
        self._params = {"eta": self.eta, "cutpoints": self.cutpoints}


class ConstantDist(Constant):
    """PyMC3's deprecated spelling of :class:`Constant`."""

    def __init__(self, *args, **kwargs):
        import warnings

        warnings.warn("ConstantDist is deprecated, use Constant", DeprecationWarning, stacklevel=3)
        super().__init__(*args, **kwargs)
