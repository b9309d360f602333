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
