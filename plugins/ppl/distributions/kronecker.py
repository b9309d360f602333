"""KroneckerNormal: a multivariate normal whose covariance is a Kronecker product of small
matrices (plus optional white noise), evaluated without forming the product."""
from __future__ import annotations

from functools import reduce

import numpy as np

import arignote.tensor as T
from arignote.tensor import nlinalg, slinalg

from ..math import kron_diag, kron_dot, kron_solve_lower
from .base import Continuous, draw_values
from .continuous import rng
from .dist_math import LOG_2PI


def _np_kron_dot(mats, z):
    """``kron(*mats) @ z`` in NumPy for z of shape (..., N), one factor at a time."""
    lead = z.shape[:-1]
    y = z.reshape(lead + tuple(m.shape[1] for m in mats))
    for axis, m in enumerate(mats):
        y = np.moveaxis(np.tensordot(m, y, axes=([1], [len(lead) + axis])), 0, len(lead) + axis)
    return y.reshape(lead + (-1,))


class KroneckerNormal(Continuous):
    """Vectors of length N = n_1 ... n_k distributed as MvNormal(mu, kron(K_1, ..., K_k) + sigma^2 I).
    The factors are given as exactly one of ``covs`` (matrices), ``chols`` (their lower Cholesky
    factors) or ``evds`` (their ``(eigenvalues, eigenvectors)`` pairs); with white noise
    ``sigma`` the factors are handled through their eigendecompositions (Saatchi 2011)."""

    ndim_supp = 1

    def __init__(self, mu, covs=None, chols=None, evds=None, sigma=None, *args, **kwargs):
        given = [n for n, v in (("covs", covs), ("chols", chols), ("evds", evds)) if v is not None]
        if len(given) != 1:
            raise ValueError("KroneckerNormal: incompatible parameterization. Specify exactly one of "
                             "covs, chols, or evds.")
        self._kind = given[0]
        self.mu = self.param("mu", mu)
        self.sigma = None if sigma is None else self.param("sigma", sigma, (lambda v: v >= 0, "must be non-negative"))
        if evds is not None:
            self.eigs_sep = [T.as_tensor_variable(w) for w, _ in evds]
            self.Qs = [T.as_tensor_variable(q) for _, q in evds]
        elif covs is not None:
            self.covs = [self._matrix(c, f"covs[{i}]") for i, c in enumerate(covs)]
            if sigma is not None:
                self.eigs_sep, self.Qs = map(list, zip(*[nlinalg.eigh(c) for c in self.covs]))
            else:
                self.chols = [slinalg.cholesky(c) for c in self.covs]
        else:
            self.chols = [self._matrix(c, f"chols[{i}]") for i, c in enumerate(chols)]
            if sigma is not None:  # the noise needs the factors' eigendecompositions
                self.eigs_sep, self.Qs = map(list, zip(*[nlinalg.eigh(T.dot(L, L.T)) for L in self.chols]))
        self._eig = hasattr(self, "Qs")
        if self._eig:
            self.eigs = kron_diag(*self.eigs_sep)
            if self.sigma is not None:
                self.eigs = self.eigs + T.square(self.sigma)
        factors = self.Qs if self._eig else self.chols
        sizes = [f.type.shape[0] for f in factors]
        if kwargs.get("shape") is None:
            if None in sizes:
                raise ValueError("KroneckerNormal: the factors' sizes are not known; pass shape=")
            kwargs["shape"] = (int(np.prod(sizes)),)
        kwargs["shape"] = tuple(int(n) for n in np.atleast_1d(kwargs["shape"]))
        self.N = int(np.prod(kwargs["shape"][-1:]))
        if None not in sizes and int(np.prod(sizes)) != self.N:
            raise ValueError(f"KroneckerNormal: shape {kwargs['shape']} does not match the factors' sizes {sizes}")
        self.mean = self.median = self.mode = self.mu + T.zeros(kwargs["shape"])
        super().__init__(*args, **kwargs)

    def _matrix(self, m, what):
        m = T.as_tensor_variable(m)
        if m.ndim != 2:
            raise ValueError(f"KroneckerNormal: {what} must be a matrix, got {m.ndim} dimensions")
        return m

    def _quad_logdet(self, delta):
        """(squared Mahalanobis distances of the rows of ``delta`` (N, c) as columns, half log det)."""
        if self._eig:
            QTs = [Q.T for Q in self.Qs]
            z = kron_dot(QTs, delta)
            return T.sum(T.square(z) / self.eigs.dimshuffle(0, "x"), axis=0), 0.5 * T.sum(T.log(self.eigs))
        z = kron_solve_lower(self.chols, delta)
        sizes = [L.shape[0] for L in self.chols]
        half = reduce(lambda acc, i: acc + (self.N // sizes[i]) * T.sum(T.log(T.diagonal(self.chols[i]))),
                      range(len(self.chols)), 0.0)
        return T.sum(T.square(z), axis=0), half

    def logp(self, value):
        value = T.as_tensor_variable(value)
        delta = value - self.mu
        cols = delta.dimshuffle(0, "x") if delta.ndim == 1 else T.reshape(delta, (-1, self.N)).T
        quad, half_logdet = self._quad_logdet(cols)
        lp = -0.5 * (quad + self.N * LOG_2PI) - half_logdet
        return lp[0] if delta.ndim == 1 else T.reshape(lp, delta.shape[:-1])

    def random(self, point=None, size=None):
        size = () if size is None else tuple(np.atleast_1d(size).astype(int))
        z = rng.standard_normal(size + tuple(self.shape))
        if self._eig:
            vals = draw_values([self.mu, self.eigs] + self.Qs, point=point)
            mu, eigs, Qs = vals[0], vals[1], vals[2:]
            return mu + _np_kron_dot(Qs, z * np.sqrt(eigs))
        vals = draw_values([self.mu] + self.chols, point=point)
        return vals[0] + _np_kron_dot(vals[1:], z)
