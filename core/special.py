"""Special functions for the NumPy reference: SciPy's when installed, else NumPy fallbacks.

SciPy is not a runtime dependency, so each function has a vectorised NumPy
(or ``math``) fallback accurate to a few ulp.  scipy.special is imported on
the first call, not with arignote: it costs about 0.2 s of import time.
"""
from __future__ import annotations

import math

import numpy as np

_scipy_special: list = []


def _scipy():
    """scipy.special, or None without SciPy (imported once, on first need)."""
    if not _scipy_special:
        try:
            from scipy import special as sp
        except ImportError:  # pragma: no cover
            sp = None
        _scipy_special.append(sp)
    return _scipy_special[0]


def _scipy_or(pick, fallback):
    """A function calling ``pick(scipy.special)`` when SciPy is there, else ``fallback``."""
    def call(x):
        sp = _scipy()
        return pick(sp)(x) if sp is not None else fallback(x)

    return call


def _vec(fn):
    v = np.vectorize(fn, otypes=[np.float64])

    def call(x):
        x = np.asarray(x)
        out = v(x.astype(np.float64)) if x.size else np.empty(x.shape, np.float64)
        return out.astype(x.dtype) if x.dtype.kind == "f" else out

    return call


def _lgamma(x):
    if math.isnan(x):
        return x
    if x == math.inf:
        return math.inf
    try:
        return math.lgamma(x)
    except ValueError:
        return math.inf


def _digamma(x):
    if math.isnan(x) or x == -math.inf:
        return math.nan
    if x == math.inf:
        return math.inf
    if x <= 0 and x == math.floor(x):
        return math.nan
    res = 0.0
    if x < 0:  # reflection
        res -= math.pi / math.tan(math.pi * x)
        x = 1.0 - x
    while x < 6.0:
        res -= 1.0 / x
        x += 1.0
    f = 1.0 / (x * x)
    t = f * (-1 / 12.0 + f * (1 / 120.0 + f * (-1 / 252.0 + f * (1 / 240.0 + f * (-1 / 132.0)))))
    return res + math.log(x) - 0.5 / x + t


def _trigamma(x):
    if math.isnan(x):
        return x
    if x <= 0 and x == math.floor(x):
        return math.inf
    res = 0.0
    if x < 0:
        s = math.pi / math.sin(math.pi * x)
        return -_trigamma(1.0 - x) + s * s
    while x < 6.0:
        res += 1.0 / (x * x)
        x += 1.0
    f = 1.0 / (x * x)
    t = 1.0 / x + f / 2.0 + f / x * (1 / 6.0 - f * (1 / 30.0 - f * (1 / 42.0 - f / 30.0)))
    return res + t


def _erfinv(y):
    if math.isnan(y) or y < -1 or y > 1:
        return math.nan
    if y == 1:
        return math.inf
    if y == -1:
        return -math.inf
    # initial guess (Giles), then Newton steps on erf
    w = -math.log((1.0 - y) * (1.0 + y))
    if w < 5:
        w -= 2.5
        p = 2.81022636e-08
        for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
                  -0.00417768164, 0.246640727, 1.50140941):
            p = c + p * w
    else:
        w = math.sqrt(w) - 3
        p = -0.000200214257
        for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
                  0.00943887047, 1.00167406, 2.83297682):
            p = c + p * w
    x = p * y
    for _ in range(3):
        err = math.erf(x) - y
        x -= err / (2.0 / math.sqrt(math.pi) * math.exp(-x * x))
    return x


def _expit(sp):
    def expit(x):
        x = np.asarray(x)
        x = x if x.dtype.kind == "f" else x.astype(np.float64)
        out = sp.expit(x)
        # expit's 1 / (1 + exp(-x)) gives 0 where the result is subnormal (sigmoid(-710.) is
        # 4.48e-309); there 1 + exp(x) rounds to 1, so exp(x) is the correctly rounded value
        tiny = x < (-80.0 if x.dtype.itemsize <= 4 else -700.0)
        if tiny.any():
            out = np.where(tiny, np.exp(np.minimum(x, 0)), out).astype(out.dtype, copy=False)
        return out

    return expit


erf = _scipy_or(lambda sp: sp.erf, _vec(math.erf))
erfc = _scipy_or(lambda sp: sp.erfc, _vec(math.erfc))
erfinv = _scipy_or(lambda sp: sp.erfinv, _vec(_erfinv))
gammaln = _scipy_or(lambda sp: sp.gammaln, _vec(_lgamma))
psi = _scipy_or(lambda sp: sp.psi, _vec(_digamma))
trigamma = _scipy_or(lambda sp: lambda x: sp.polygamma(1, x), _vec(_trigamma))


def _sigmoid(x):
    """Logistic function, computed without overflow for large |x|."""
    x = np.asarray(x)
    e = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return out.astype(x.dtype if x.dtype.kind == "f" else np.float64, copy=False)


def softplus(x):
    """log(1 + exp(x)) without overflow."""
    x = np.asarray(x)
    return np.where(x > 30, x, np.log1p(np.exp(np.minimum(x, 30)))).astype(
            x.dtype if x.dtype.kind == "f" else np.float64
        )


sigmoid = _scipy_or(_expit, _sigmoid)
sigmoid.__doc__ = "Logistic function (SciPy's expit when installed: no overflow, one pass)."
