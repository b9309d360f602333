"""Symbolic helpers shared by the log-densities (bounds, log-gamma forms, normal cdf)."""
from __future__ import annotations

import numpy as np

import arignote.tensor as T
from arignote.graph import Constant, ancestors

from ..graph_eval import evaluate

LOG_2PI = float(np.log(2 * np.pi))
LOG_PI = float(np.log(np.pi))


def bound(logp, *conditions, **kwargs):
    """``logp`` where every condition holds, ``-inf`` elsewhere (conditions broadcast elementwise)."""
    cond = None
    for c in conditions:
        if isinstance(c, (bool, np.bool_)):
            c = T.constant(bool(c))
        c = fold(c)
        if isinstance(c, Constant) and np.all(c.data) and c.ndim <= T.as_tensor_variable(logp).ndim:
            continue  # always true (e.g. a check on constant data)
        cond = c if cond is None else T.and_(cond, c)
    if cond is None:
        return logp
    logp = T.as_tensor_variable(logp)
    return T.switch(cond, logp, T.constant(-np.inf, dtype=logp.dtype if logp.dtype.startswith("float") else "float64"))


def fold(x):
    """``x`` as a constant when it depends on constants only (so data terms are computed once, here)."""
    x = T.as_tensor_variable(x)
    if x.owner is None:
        return x
    if all(isinstance(a, Constant) for a in ancestors([x]) if a.owner is None):
        return T.constant(np.asarray(evaluate(x), dtype=x.dtype))
    return x


def _is_switch(x):
    op = getattr(x.owner, "op", None)
    return getattr(getattr(op, "scalar_op", None), "name", None) == "switch"


def log(x):
    """``log(x)``, taken inside a ``switch`` whose branches are smaller than its result.

    ``log(switch(c, a, b))`` with scalar ``a``, ``b`` becomes ``switch(c, log(a), log(b))``:
    two logarithms instead of one per element (the seed's switchpoint rates).
    """
    x = T.as_tensor_variable(x)
    if x.owner is not None and _is_switch(x):
        c, a, b = x.owner.inputs
        if a.ndim < x.ndim or b.ndim < x.ndim or a.type.shape != x.type.shape:
            return T.switch(c, log(a), log(b))
    return T.log(x)


def logpow(x, m):
    """``m * log(x)``, 0 wherever ``m`` is 0 (also at x = 0 or inf), with a finite gradient there."""
    zero = fold(T.eq(m, 0))
    if isinstance(zero, Constant) and not np.any(zero.data):
        return m * log(x)
    return T.switch(zero, 0.0, m * log(T.switch(zero, 1.0, x)))


def factln(n):
    return fold(T.gammaln(n + 1.0))


def betaln(a, b):
    return fold(T.gammaln(a) + T.gammaln(b) - T.gammaln(a + b))


def binomln(n, k):
    return fold(-T.log1p(n) - betaln(n - k + 1.0, k + 1.0))


def log1mexp(a):
    """``log(1 - exp(-a))`` for a >= 0, accurate over the whole range."""
    return T.switch(T.lt(a, 0.6931471805599453), T.log(-T.expm1(-a)), T.log1p(-T.exp(-a)))


def logaddexp(a, b):
    m = T.maximum(a, b)
    safe = T.switch(T.isinf(m), 0.0, m)
    return T.switch(T.isinf(m) & (m < 0), m, safe + T.log(T.exp(a - safe) + T.exp(b - safe)))


def logdiffexp(a, b):
    """``log(exp(a) - exp(b))`` for a >= b."""
    return a + log1mexp(a - b)


def normal_lcdf(mu, sigma, x):
    """``log Phi((x - mu) / sigma)``, accurate in both tails."""
    z = (x - mu) / sigma
    zs = T.switch(T.lt(z, -30.0), -30.0, z)  # keep the unused branch finite
    mid = T.log(0.5 * T.erfc(-zs / np.sqrt(2.0)))
    zt = T.switch(T.lt(z, -30.0), z, -30.0)
    zt2 = zt * zt
    # asymptotic series of the Mills ratio: log(phi(z) / -z * (1 - 1/z^2 + 3/z^4 - 15/z^6))
    tail = (-0.5 * zt2 - 0.5 * LOG_2PI - T.log(-zt)
            + T.log1p(-1.0 / zt2 + 3.0 / (zt2 * zt2) - 15.0 / (zt2 * zt2 * zt2)))
    upper = T.log1p(-0.5 * T.erfc(zs / np.sqrt(2.0)))
    return T.switch(T.lt(z, -30.0), tail, T.switch(T.lt(z, 0.0), mid, upper))


def normal_lccdf(mu, sigma, x):
    """``log(1 - Phi((x - mu) / sigma))``."""
    return normal_lcdf(-mu, sigma, -x)


def sigma_tau(sigma=None, tau=None):
    """Resolve PyMC3's ``sigma``/``tau`` (precision) pair; returns (sigma, tau) with 1 default."""
    if sigma is not None and tau is not None:
        raise ValueError("Can't pass both tau and sigma")
    if sigma is None and tau is None:
        return 1.0, 1.0
    if sigma is None:
        return T.as_tensor_variable(tau) ** -0.5 if not _is_num(tau) else np.asarray(tau, float) ** -0.5, tau
    return sigma, (T.as_tensor_variable(sigma) ** -2.0 if not _is_num(sigma) else np.asarray(sigma, float) ** -2.0)


def _is_num(x):
    return isinstance(x, (int, float, np.ndarray, np.number, list, tuple))


def alltrue(*conds):
    out = None
    for c in conds:
        out = c if out is None else T.and_(out, c)
    return out
