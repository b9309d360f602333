"""LKJ priors: LKJCholeskyCov (packed Cholesky factors of covariance matrices with LKJ correlations)
and LKJCorr (the correlation matrices themselves)."""
from __future__ import annotations

import numpy as np

import arignote.tensor as T
from arignote.tensor import nlinalg

from .. import transforms
from ..context import modelcontext
from .base import Continuous, draw_values
from .continuous import rng
from .dist_math import bound


def lkj_log_normalizer(eta, n):
    """``-log`` of the integral of ``det(R)**(eta - 1)`` over n x n correlation matrices."""
    k = np.arange(1, n)
    logc = -(n - 1) * T.gammaln(eta + 0.5 * (n - 1)) + T.sum(0.5 * k * np.log(np.pi) + T.gammaln(eta + 0.5 * (n - 1 - k)))
    return -logc


class _LKJCholeskyCov(Continuous):
    """The packed lower Cholesky factor (row by row) of a covariance matrix.

    Standard deviations follow ``sd_dist``; the correlation matrix follows
    LKJ(``eta``).  Sampled with the diagonal on the log scale.
    """

    ndim_supp = 1

    def __init__(self, eta, n, sd_dist, *args, **kwargs):
        n = int(n)
        if n < 1:
            raise ValueError(f"LKJCholeskyCov: parameter 'n' must be a positive integer, got {n}")
        if kwargs.get("transform") is not None:
            raise ValueError("LKJCholeskyCov: invalid parameter transform (the Cholesky transform is fixed)")
        if kwargs.get("shape") is not None:
            raise ValueError("LKJCholeskyCov: invalid parameter shape (it is n * (n + 1) / 2)")
        if not hasattr(sd_dist, "logp"):
            raise TypeError("LKJCholeskyCov: sd_dist must be a distribution made with .dist(...)")
        self.n = n
        self.eta = self.param("eta", eta, (lambda v: v > 0, "must be positive"))
        self.sd_dist = sd_dist
        tr = transforms.CholeskyCovPacked(n)
        self.diag_idxs = tr.diag_idxs
        size = n * (n + 1) // 2
        mode = np.zeros(size)
        mode[self.diag_idxs] = 1.0
        self.mode = T.constant(mode)
        kwargs.update(shape=(size,), transform=tr)
        super().__init__(defaults=("mode",), *args, **kwargs)

    def logp(self, x):
        n, eta = self.n, self.eta
        rows, cols = np.tril_indices(n)
        sq = x ** 2
        # squared row norms of L: sums of the packed entries of each row (a constant 0/1 matrix)
        member = np.zeros((len(rows), n))
        member[np.arange(len(rows)), rows] = 1.0
        sd = T.sqrt(T.dot(sq, member))
        u = x[self.diag_idxs] / sd  # diagonal of the correlation matrix's Cholesky factor
        k = np.arange(n)
        logp_lkj = T.sum((2.0 * eta - 3.0 + n - k) * T.log(u))
        jac = T.sum(T.log(u) - k * T.log(sd))
        logp_sd = T.sum(self.sd_dist.logp(sd))
        return lkj_log_normalizer(eta, n) + logp_lkj + logp_sd + jac

    def random(self, point=None, size=None):
        (eta,) = draw_values([self.eta], point=point)
        size = () if size is None else tuple(np.atleast_1d(size).astype(int))
        count = int(np.prod(size)) if size else 1
        out = np.stack([self._one(float(eta)) for _ in range(count)])
        return out.reshape(size + (self.n * (self.n + 1) // 2,)) if size else out[0]

    def _one(self, eta):
        n = self.n
        R = _onion_corr(n, eta)
        one_each = tuple(getattr(self.sd_dist, "shape", ())) == (n,)
        sd = np.broadcast_to(np.asarray(self.sd_dist.random(size=None if one_each else n)), (n,))
        L = np.linalg.cholesky(R * np.outer(sd, sd))
        return L[np.tril_indices(n)]


def _onion_corr(n, eta):
    """One LKJ(eta) correlation matrix by the onion method (Lewandowski, Kurowicka and Joe 2009)."""
    if n == 1:
        return np.ones((1, 1))
    b = eta + (n - 2) / 2.0
    r = 2.0 * rng.beta(b, b) - 1.0
    R = np.array([[1.0, r], [r, 1.0]])
    for k in range(2, n):
        b -= 0.5
        y = rng.beta(k / 2.0, b)
        u = rng.standard_normal(k)
        w = np.sqrt(y) * u / np.linalg.norm(u)
        z = np.linalg.cholesky(R) @ w
        R = np.block([[R, z[:, None]], [z[None, :], np.ones((1, 1))]])
    return R


def LKJCholeskyCov(name, eta, n, sd_dist, compute_corr=False, store_in_trace=True, *args, **kwargs):
    """Packed Cholesky factor of a covariance matrix (``compute_corr``: also chol, corr, stds)."""
    packed = _LKJCholeskyCov(name, eta=eta, n=n, sd_dist=sd_dist, *args, **kwargs)
    if not compute_corr:
        return packed
    from ..math import expand_packed_triangular
    from ..model import Deterministic

    chol = expand_packed_triangular(n, packed, lower=True)
    cov = T.dot(chol, chol.T)
    stds = T.sqrt(T.diagonal(cov))
    corr = cov / (stds[:, None] * stds[None, :])
    if store_in_trace:
        stds = Deterministic(f"{name}_stds", stds, model=modelcontext(None))
        corr = Deterministic(f"{name}_corr", corr, model=modelcontext(None))
    return chol, corr, stds


LKJCholeskyCov.dist = _LKJCholeskyCov.dist


class LKJCorr(Continuous):
    """LKJ(``eta``) over n x n correlation matrices, as the vector of their upper off-diagonal
    entries (``np.triu_indices(n, 1)`` order); density proportional to det(R)**(eta - 1).

    ``p`` is PyMC3's deprecated spelling of ``n``.
    """

    ndim_supp = 1

    def __init__(self, eta=None, n=None, p=None, transform="interval", *args, **kwargs):
        if n is None:
            n = p
        elif p is not None:
            raise ValueError("LKJCorr: pass n or p, not both")
        if eta is None or n is None:
            raise TypeError("LKJCorr: parameters 'eta' and 'n' are required")
        n = int(n)
        if n < 2:
            raise ValueError(f"LKJCorr: parameter 'n' must be at least 2, got {n}")
        self.n = n
        self.eta = self.param("eta", eta, (lambda v: v > 0, "must be positive"))
        self.tri_index = np.triu_indices(n, 1)
        size = n * (n - 1) // 2
        self.mean = T.constant(np.zeros(size))
        if transform == "interval":
            transform = transforms.interval(-1.0, 1.0)
        kwargs.setdefault("shape", (size,))
        super().__init__(transform=transform, defaults=("mean",), *args, **kwargs)

    def corr_matrix(self, x):
        """The n x n correlation matrix of the packed off-diagonal entries ``x``."""
        n, (rows, cols) = self.n, self.tri_index
        basis = np.zeros((len(rows), n * n))
        basis[np.arange(len(rows)), rows * n + cols] = 1.0
        basis[np.arange(len(rows)), cols * n + rows] = 1.0
        return T.reshape(T.dot(x, basis), (n, n)) + np.eye(n)

    def logp(self, x):
        from .wishart import positive_definite

        R = self.corr_matrix(x)
        det = nlinalg.det(R)
        lp = lkj_log_normalizer(self.eta, self.n) + (self.eta - 1.0) * T.log(T.switch(det > 0, det, 1.0))
        return bound(lp, T.all(x >= -1), T.all(x <= 1), positive_definite(R, self.n), self.eta > 0)

    def random(self, point=None, size=None):
        (eta,) = draw_values([self.eta], point=point)
        size = () if size is None else tuple(np.atleast_1d(size).astype(int))
        count = int(np.prod(size)) if size else 1
        out = np.stack([_onion_corr(self.n, float(eta))[self.tri_index] for _ in range(count)])
        return out.reshape(size + (len(self.tri_index[0]),)) if size else out[0]
