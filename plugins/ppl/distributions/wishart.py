"""Wishart: symmetric positive definite matrices (kept for PyMC3 compatibility, with its warning)."""
from __future__ import annotations

import warnings

import numpy as np

import arignote.tensor as T
from arignote.tensor import nlinalg

from .base import Continuous
from .dist_math import bound


def positive_definite(X, n):
    """Symbolic test that the symmetric n x n matrix ``X`` is positive definite (leading minors > 0)."""
    ok = T.gt(X[0, 0], 0)
    for k in range(2, n + 1):
        ok = T.and_(ok, T.gt(nlinalg.det(X[:k, :k]), 0))
    return ok


def multigammaln(a, p):
    """``log`` of the multivariate gamma function Gamma_p(a)."""
    return p * (p - 1) / 4.0 * np.log(np.pi) + sum(T.gammaln(a - 0.5 * j) for j in range(p))


class Wishart(Continuous):
    """Wishart(``nu``, ``V``) over p x p matrices: the scatter matrix of ``nu`` Normal(0, V) vectors.

    As in PyMC3, it warns that MCMC on it rarely works (a free p x p matrix is almost never
    symmetric); LKJCholeskyCov or LKJCorr are the distributions to sample.
    """

    ndim_supp = 2

    def __init__(self, nu, V, *args, **kwargs):
        warnings.warn("Wishart cannot be sampled well by MCMC: a proposal is almost never a symmetric "
                      "matrix. Use LKJCholeskyCov or LKJCorr for covariance or correlation priors "
                      "(https://github.com/pymc-devs/pymc3/issues/538).", UserWarning, stacklevel=3)
        self.V = self.param("V", V)
        if self.V.ndim != 2:
            raise ValueError(f"Wishart: parameter 'V' must be a matrix, got {self.V.ndim} dimensions")
        p = self.V.type.shape[-1]
        if p is None:
            raise ValueError("Wishart: the size of V must be known")
        self.p = p = int(p)
        self.nu = self.param("nu", nu, (lambda v: v > p - 1, f"must be greater than p - 1 = {p - 1}"))
        self.mean = self.nu * self.V
        self.mode = T.switch(T.ge(self.nu, p + 1), (self.nu - p - 1) * self.V, np.nan)
        kwargs.setdefault("shape", (p, p))
        super().__init__(defaults=("mean",), *args, **kwargs)

    def logp(self, X):
        nu, V, p = self.nu, self.V, self.p
        lp = ((nu - p - 1) / 2.0 * T.log(T.abs(nlinalg.det(X)))
              - T.sum(nlinalg.matrix_inverse(V) * X) / 2.0
              - nu * p / 2.0 * np.log(2.0) - nu / 2.0 * T.log(nlinalg.det(V)) - multigammaln(nu / 2.0, p))
        return bound(lp, positive_definite(X, p), T.all(T.eq(X, X.T)), nu > p - 1)

    def _random(self, params, shape):
        from scipy import stats

        size = tuple(shape[:-2])
        out = stats.wishart(df=float(params["nu"]), scale=params["V"]).rvs(size=int(np.prod(size)) if size else 1)
        return np.asarray(out).reshape(size + (self.p, self.p))


def WishartBartlett(name, S, nu, is_cholesky=False, return_cholesky=False, testval=None):
    """A Wishart(``nu``, ``S``) matrix built by Bartlett's decomposition, so that it samples well:
    L A A^T L^T with L the Cholesky factor of S (``S`` itself when ``is_cholesky``), A lower
    triangular with A_ii = sqrt(c_i), c_i ~ ChiSquared(nu - i) (i = 0..p-1), and A_ij ~ Normal(0, 1)
    below the diagonal.  Adds ``<name>_c`` and ``<name>_z`` and returns the Deterministic ``name``
    (``L A`` when ``return_cholesky``).  ``testval`` (a p x p matrix) sets their starting values.

    PyMC3 3.11 gave c_i nu - 2 - i degrees of freedom, which is not Bartlett's decomposition.
    """
    from ..model import Deterministic
    from .continuous import ChiSquared, Normal

    S = np.asarray(S, dtype=float)
    if S.ndim != 2 or S.shape[0] != S.shape[1]:
        raise ValueError(f"WishartBartlett: S must be a square matrix, got shape {S.shape}")
    p = S.shape[0]
    if not nu > p - 1:
        raise ValueError(f"WishartBartlett: nu must be greater than p - 1 = {p - 1}, got {nu}")
    L = S if is_cholesky else np.linalg.cholesky(S)
    diag, tril = np.diag_indices(p), np.tril_indices(p, -1)
    c_start = z_start = None
    if testval is not None:
        L_inv = np.linalg.inv(L)
        A0 = np.linalg.cholesky(L_inv @ np.asarray(testval, dtype=float) @ L_inv.T)
        c_start, z_start = A0[diag] ** 2, A0[tril]
    c = ChiSquared(f"{name}_c", nu - np.arange(p), shape=p, testval=c_start)
    z = Normal(f"{name}_z", 0.0, 1.0, shape=len(tril[0]), testval=z_start)
    place_c, place_z = np.zeros((p, p * p)), np.zeros((len(tril[0]), p * p))
    place_c[np.arange(p), diag[0] * p + diag[1]] = 1.0
    place_z[np.arange(len(tril[0])), tril[0] * p + tril[1]] = 1.0
    A = T.reshape(T.dot(T.sqrt(c), place_c) + T.dot(z, place_z), (p, p))
    LA = T.dot(L, A)
    return Deterministic(name, LA if return_cholesky else T.dot(LA, LA.T))
