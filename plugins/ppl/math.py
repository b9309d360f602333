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


# -- Kronecker helpers (PyMC3's pm.math, used by gp.LatentKron/MarginalKron and KroneckerNormal) --
def cartesian(*arrays):
    """The rows of the Cartesian product of the rows of 1-d or column arrays (NumPy), last index fastest."""
    grids = np.meshgrid(*[np.asarray(a).ravel() for a in arrays], indexing="ij")
    return np.stack(grids, -1).reshape(-1, len(arrays))


def kronecker(*Ks):
    """The Kronecker product of the matrices ``Ks`` (a graph)."""
    from functools import reduce

    from arignote.tensor import slinalg

    return reduce(slinalg.kron, Ks)


def flat_outer(a, b):
    return T.flatten(T.outer(a, b))


def kron_diag(*diags):
    """The diagonal of ``kronecker(*[diag(d) for d in diags])`` without forming it."""
    from functools import reduce

    return reduce(flat_outer, diags)


def kron_matrix_op(krons, m, op):
    """``op(kronecker(*krons), m)`` for ``op`` linear in its matrix (dot, triangular solves), one
    factor at a time: each step applies a factor to the leading index and rotates it to the back."""
    m = T.as_tensor_variable(m)
    if m.ndim == 1:
        m = m.dimshuffle(0, "x")
    if m.ndim != 2:
        raise ValueError(f"kron_matrix_op: m must be a vector or a matrix, got {m.ndim} dimensions")
    ncol = m.shape[1]
    y = m
    for K in krons:
        K = T.as_tensor_variable(K)
        y = op(K, T.reshape(y, (K.shape[1], -1))).T
    return T.reshape(y, (ncol, -1)).T


def kron_dot(krons, m):
    return kron_matrix_op(krons, m, dot)


def kron_solve_lower(krons, m):
    from arignote.tensor import slinalg

    return kron_matrix_op(krons, m, slinalg.solve_lower_triangular)


def kron_solve_upper(krons, m):
    from arignote.tensor import slinalg

    return kron_matrix_op(krons, m, slinalg.solve_upper_triangular)


__all__ = [n for n in dir() if not n.startswith("_") and n not in ("np", "T", "annotations")]
