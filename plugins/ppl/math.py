"""The math names PyMC3 re-exports (``from pymc3 import switch, log, exp, sum, ...``)."""
from __future__ import annotations

import numpy as np

import arignote.tensor as T
from arignote.tensor import (abs, and_, arccos, arccosh, arcsin, arcsinh, arctan, arctanh, ceil, clip, concatenate,
                             constant, cos, cosh, cumprod, cumsum, dot, eq, erf, erfc, erfinv, exp, expm1, fill,
                             flatten, floor, ge, gt, le, log, log1p, lt, maximum, minimum, mean, neq, ones_like, or_,
                             prod, sgn, sigmoid, sin, sinh, softplus, sqr, sqrt, stack, std, sum, switch, tan, tanh,
                             where, zeros_like, gammaln, logsumexp as _logsumexp)

from .distributions.dist_math import logaddexp, logdiffexp, log1mexp  # noqa: F401

invlogit = sigmoid
expit = sigmoid
lgamma = gammaln
logsumexp = _logsumexp


def logit(p):
    return log(p / (1 - p))


def log1pexp(x):
    """``log(1 + exp(x))`` computed stably."""
    return softplus(x)


def invprobit(x):
    return 0.5 * erfc(-x / np.sqrt(2.0))


def probit(p):
    return np.sqrt(2.0) * erfinv(2 * p - 1)


def logdet(m):
    from arignote.tensor import nlinalg

    return log(abs(nlinalg.det(m)))


def expand_packed_triangular(n, packed, lower=True, diagonal_only=False):
    """The n x n triangular matrix whose entries are ``packed`` (row by row)."""
    if diagonal_only:
        return packed[np.cumsum(np.arange(1, n + 1)) - 1] if lower else packed[np.arange(n)]
    rows, cols = np.tril_indices(n) if lower else np.triu_indices(n)
    out = T.zeros((n, n), dtype=packed.dtype)
    return T.set_subtensor(out[rows, cols], packed)


__all__ = [n for n in dir() if not n.startswith("_") and n not in ("np", "T", "annotations")]
