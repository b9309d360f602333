"""Vector- and matrix-valued distributions: MvNormal, MvStudentT, MatrixNormal, Dirichlet, Multinomial,
DirichletMultinomial."""
from __future__ import annotations

import warnings

import numpy as np

import arignote.tensor as T
from arignote.tensor import nlinalg, slinalg

from .. import transforms
from .base import Continuous, draw_values
from .continuous import rng
from .dist_math import LOG_2PI, bound


def _last_dim(t, what):
    k = t.type.shape[-1] if t.ndim else None
    if k is None:
        raise ValueError(f"{what} needs a known size of its last dimension; pass shape=")
    return int(k)


class MvNormal(Continuous):
    """Multivariate normal with mean ``mu`` and one of ``cov``, ``tau`` (precision), ``chol`` (lower Cholesky of cov)."""

    ndim_supp = 1

    def __init__(self, mu, cov=None, tau=None, chol=None, lower=True, *args, **kwargs):
        given = [n for n, v in (("cov", cov), ("tau", tau), ("chol", chol)) if v is not None]
        if len(given) != 1:
            raise ValueError("MvNormal: incompatible parameterization. Specify exactly one of tau, cov, or chol.")
        self.mu = self.param("mu", mu)
        if cov is not None:
            self.cov = self.param("cov", cov, (_is_square, "must be a square matrix"), (_is_posdef, "must be positive definite"))
            self.chol_cov = slinalg.cholesky(self.cov)
        elif tau is not None:
            self.tau = self.param("tau", tau, (_is_square, "must be a square matrix"), (_is_posdef, "must be positive definite"))
            self.chol_tau = slinalg.cholesky(self.tau)
        else:
            c = self.param("chol", chol, (_is_square, "must be a square matrix"))
            self.chol_cov = c if lower else c.T
        self._kind = given[0]
        shape_given = kwargs.get("shape") is not None
        mat = {"cov": cov, "tau": tau, "chol": chol}[self._kind]
        if "shape" not in kwargs or kwargs["shape"] is None:
            k = self.mu.type.shape[-1] if self.mu.ndim else None
            if k is None:
                k = getattr(self, self._kind if self._kind != "chol" else "chol").type.shape[-1]
            kwargs["shape"] = tuple(self.mu.type.shape[:-1]) + (k,) if self.mu.ndim else (k,)
        self.mean = self.median = self.mode = self.mu
        super().__init__(*args, **kwargs)
        self.shape_given = shape_given
        self.k = self.shape[-1]

    def _quad_logdet(self, value):
        """(squared Mahalanobis distances, log det of the covariance's Cholesky factor, valid) of ``value``."""
        value = T.as_tensor_variable(value)
        delta = value - self.mu
        k = self.shape[-1]
        d2 = T.shape_padleft(delta) if delta.ndim == 1 else T.reshape(delta, (-1, k))
        if self._kind == "tau":
            L = self.chol_tau
            half_logdet = -T.sum(T.log(T.diagonal(L)))
            z = T.dot(d2, L)
            quad = T.sum(z * z, axis=-1)
            ok = T.all(T.gt(T.diagonal(L), 0))
        else:
            L = self.chol_cov
            diag = T.diagonal(L)
            ok = T.all(T.gt(diag, 0))
            # invert the k x k factor once, then one matrix product for all the rows of values
            # (NumPy's inverse: SciPy's triangular solve is ~30x slower per call with threaded OpenBLAS)
            L_inv = nlinalg.matrix_inverse(T.switch(ok, L, T.eye(k)))
            z = T.dot(d2, L_inv.T)
            quad = T.sum(z * z, axis=-1)
            half_logdet = T.sum(T.log(T.switch(ok, diag, 1.0)))
        quad = T.reshape(quad, delta.shape[:-1]) if delta.ndim != 1 else quad[0]
        return quad, half_logdet, ok

    def logp(self, value):
        quad, half_logdet, ok = self._quad_logdet(value)
        return bound(-0.5 * quad - half_logdet - 0.5 * self.shape[-1] * LOG_2PI, ok)

    def _random(self, p, shape):
        k = self.shape[-1]
        if self._kind == "cov":
            L = np.linalg.cholesky(p["cov"])
        elif self._kind == "chol":
            L = p["chol"]
        else:
            L = np.linalg.cholesky(np.linalg.inv(p["tau"]))
        z = rng.standard_normal(tuple(shape[:-1]) + (k,))
        return p["mu"] + z @ L.T

    def random(self, point=None, size=None):
        names = [n for n, _ in self.param_items()]
        vals = draw_values([p for _, p in self.param_items()], point=point)
        params = dict(zip(names, vals))
        size = () if size is None else tuple(np.atleast_1d(size).astype(int))
        return self._random(params, size + tuple(self.shape))


def _is_square(v):
    return v.ndim == 2 and v.shape[0] == v.shape[1]


def _is_posdef(v):
    try:
        np.linalg.cholesky(v)
        return True
    except np.linalg.LinAlgError:
        return False


class Dirichlet(Continuous):
    """Probability vectors with concentration ``a`` (last axis); sampled through stick-breaking."""

    ndim_supp = 1

    def __init__(self, a, transform=transforms.stick_breaking, *args, **kwargs):
        self.a = self.param("a", a, (lambda v: v > 0, "must be positive"))
        if self.a.ndim == 0:
            raise ValueError("Dirichlet: parameter 'a' must be a vector")
        shape_given = kwargs.get("shape") is not None
        if kwargs.get("shape") is None:
            kwargs["shape"] = tuple(int(s) for s in self.a.type.shape) if None not in self.a.type.shape \
                else (_last_dim(self.a, "Dirichlet"),)
        self.mean = self.a / T.sum(self.a, axis=-1, keepdims=True)
        self.mode = T.switch(T.all(self.a > 1), (self.a - 1) / T.sum(self.a - 1, axis=-1, keepdims=True), np.nan)
        super().__init__(transform=transform, defaults=("mean",), *args, **kwargs)
        self.shape_given = shape_given

    def logp(self, value):
        a = self.a
        lp = (T.sum(T.log(T.switch(value > 0, value, 1.0)) * (a - 1), axis=-1)
              - T.sum(T.gammaln(a), axis=-1) + T.gammaln(T.sum(a, axis=-1)))
        inside = T.all(T.and_(value >= 0, value <= 1), axis=-1)
        return bound(lp, inside, T.all(a > 0))

    def _random(self, p, shape):
        g = rng.gamma(np.broadcast_to(p["a"], shape), 1.0)
        return g / g.sum(axis=-1, keepdims=True)

    def random(self, point=None, size=None):
        (a,) = draw_values([self.a], point=point)
        size = () if size is None else tuple(np.atleast_1d(size).astype(int))
        return self._random({"a": a}, size + tuple(self.shape))


class Multinomial(Continuous):
    """Counts of ``n`` draws over categories with probabilities ``p`` (last axis)."""

    ndim_supp = 1

    def __init__(self, n, p, *args, **kwargs):
        self.n = self.param("n", n, (lambda v: (v >= 0) & (v == np.round(v)), "must be a non-negative integer"))
        self.p = self.param("p", p, (lambda v: v >= 0, "must be non-negative"))
        self.p = self.p / T.sum(self.p, axis=-1, keepdims=True)
        shape_given = kwargs.get("shape") is not None
        if not shape_given:
            kwargs["shape"] = (_last_dim(self.p, "Multinomial"),)
        self.mode = T.cast(T.round(T.shape_padright(self.n) * self.p), "int64")
        kwargs.setdefault("dtype", "int64")
        super().__init__(defaults=("mode",), *args, **kwargs)
        self.shape_given = shape_given

    def logp(self, value):
        n, p = self.n, self.p
        lp = (T.gammaln(n + 1.0) - T.sum(T.gammaln(value + 1.0), axis=-1)
              + T.sum(value * T.log(T.switch(T.eq(value, 0), 1.0, p)), axis=-1))
        return bound(lp, T.all(value >= 0, axis=-1), T.eq(T.sum(value, axis=-1), n))

    def random(self, point=None, size=None):
        n, p = draw_values([self.n, self.p], point=point)
        size = () if size is None else tuple(np.atleast_1d(size).astype(int))
        count = int(np.prod(size)) if size else 1
        out = np.stack([rng.multinomial(int(n), p) for _ in range(count)])
        return out.reshape(size + (p.shape[-1],)) if size else out[0]


class MvStudentT(MvNormal):
    """Multivariate Student's t with ``nu`` degrees of freedom, location ``mu`` and scale matrix
    given by one of ``cov`` (alias ``Sigma``), ``tau`` or ``chol``."""

    def __init__(self, nu, Sigma=None, mu=None, cov=None, tau=None, chol=None, lower=True, *args, **kwargs):
        if Sigma is not None:
            if cov is not None:
                raise ValueError("MvStudentT: pass Sigma or cov, not both")
            warnings.warn("MvStudentT: Sigma is deprecated, use cov instead", DeprecationWarning, stacklevel=2)
            cov = Sigma
        if mu is None:
            mat = next(m for m in (cov, tau, chol) if m is not None) if any(m is not None for m in (cov, tau, chol)) else None
            k = np.shape(mat)[-1] if isinstance(mat, (np.ndarray, list, tuple)) else None
            mu = np.zeros(k) if k is not None else 0.0
        super().__init__(mu=mu, cov=cov, tau=tau, chol=chol, lower=lower, *args, **kwargs)
        self.nu = self.param("nu", nu, (lambda v: v > 0, "must be positive"))

    def logp(self, value):
        quad, half_logdet, ok = self._quad_logdet(value)
        nu, k = self.nu, self.shape[-1]
        lp = (T.gammaln((nu + k) / 2.0) - T.gammaln(nu / 2.0) - 0.5 * k * T.log(nu * np.pi)
              - half_logdet - (nu + k) / 2.0 * T.log1p(quad / nu))
        return bound(lp, ok, nu > 0)

    def _random(self, p, shape):
        normal = super()._random({**p, "mu": np.zeros(self.shape[-1])}, shape)
        chi2 = rng.chisquare(np.broadcast_to(p["nu"], tuple(shape[:-1])))
        return p["mu"] + normal / np.sqrt(np.asarray(chi2 / p["nu"]))[..., None]


def _cholesky_of(self, prefix, cov, chol, tau):
    """The lower Cholesky factor of one of PyMC3's ``<prefix>cov``/``<prefix>chol``/``<prefix>tau``."""
    given = [n for n, v in (("cov", cov), ("chol", chol), ("tau", tau)) if v is not None]
    if len(given) != 1:
        raise ValueError(f"{type(self).__name__}: incompatible parameterization. Specify exactly one of "
                         f"{prefix}cov, {prefix}chol or {prefix}tau.")
    value = {"cov": cov, "chol": chol, "tau": tau}[given[0]]
    mat = self.param(prefix + given[0], value, (_is_square, "must be a square matrix"))
    if given[0] == "chol":
        return mat
    if given[0] == "tau":
        mat = nlinalg.matrix_inverse(mat)
    return slinalg.cholesky(mat)


class MatrixNormal(Continuous):
    """m x n matrices whose rows are correlated by ``rowcov`` (U) and columns by ``colcov`` (V):
    vec(X) ~ Normal(vec(mu), V kron U).  Each covariance may be given by ``*cov``, ``*chol`` or ``*tau``."""

    ndim_supp = 2

    def __init__(self, mu=0, rowcov=None, rowchol=None, rowtau=None, colcov=None, colchol=None, coltau=None,
                 *args, **kwargs):
        self.mu = self.param("mu", mu)
        self.row_chol = _cholesky_of(self, "row", rowcov, rowchol, rowtau)
        self.col_chol = _cholesky_of(self, "col", colcov, colchol, coltau)
        m, n = self.row_chol.type.shape[-1], self.col_chol.type.shape[-1]
        if kwargs.get("shape") is None:
            if m is None or n is None:
                raise ValueError("MatrixNormal: pass shape=(rows, columns)")
            kwargs["shape"] = (int(m), int(n))
        self.mean = self.median = self.mode = self.mu + T.zeros(kwargs["shape"])
        super().__init__(*args, **kwargs)
        if len(self.shape) != 2:
            raise ValueError(f"MatrixNormal: shape must be (rows, columns), got {self.shape}")

    def logp(self, value):
        m, n = self.shape
        Lu, Lv = self.row_chol, self.col_chol
        du, dv = T.diagonal(Lu), T.diagonal(Lv)
        ok = T.and_(T.all(T.gt(du, 0)), T.all(T.gt(dv, 0)))
        Lu_inv = nlinalg.matrix_inverse(T.switch(ok, Lu, T.eye(m)))
        Lv_inv = nlinalg.matrix_inverse(T.switch(ok, Lv, T.eye(n)))
        Z = T.dot(T.dot(Lu_inv, value - self.mu), Lv_inv.T)
        logdet = n * T.sum(T.log(T.switch(ok, du, 1.0))) + m * T.sum(T.log(T.switch(ok, dv, 1.0)))
        return bound(-0.5 * T.sum(Z * Z) - logdet - 0.5 * m * n * LOG_2PI, ok)

    def random(self, point=None, size=None):
        mu, Lu, Lv = draw_values([self.mu, self.row_chol, self.col_chol], point=point)
        size = () if size is None else tuple(np.atleast_1d(size).astype(int))
        z = rng.standard_normal(size + tuple(self.shape))
        return mu + Lu @ z @ Lv.T


class DirichletMultinomial(Continuous):
    """Counts of ``n`` draws over categories whose probabilities follow Dirichlet(``a``) (last axis)."""

    ndim_supp = 1

    def __init__(self, n, a, *args, **kwargs):
        self.n = self.param("n", n, (lambda v: (v >= 0) & (v == np.round(v)), "must be a non-negative integer"))
        self.a = self.param("a", a, (lambda v: v > 0, "must be positive"))
        shape_given = kwargs.get("shape") is not None
        if not shape_given:
            kwargs["shape"] = (_last_dim(self.a, "DirichletMultinomial"),)
        mean = T.shape_padright(self.n) * self.a / T.sum(self.a, axis=-1, keepdims=True)
        rounded = T.floor(mean)
        left = self.n - T.sum(rounded, axis=-1)  # put what flooring lost on the last category
        self.mode = T.cast(T.set_subtensor(rounded[..., -1], rounded[..., -1] + left), "int64")
        kwargs.setdefault("dtype", "int64")
        super().__init__(defaults=("mode",), *args, **kwargs)
        self.shape_given = shape_given

    def logp(self, value):
        n, a = self.n, self.a
        total = T.sum(a, axis=-1)
        lp = (T.gammaln(n + 1.0) + T.gammaln(total) - T.gammaln(n + total)
              + T.sum(T.gammaln(value + a) - T.gammaln(value + 1.0) - T.gammaln(a), axis=-1))
        return bound(lp, T.all(value >= 0, axis=-1), T.eq(T.sum(value, axis=-1), n))

    def random(self, point=None, size=None):
        n, a = draw_values([self.n, self.a], point=point)
        size = () if size is None else tuple(np.atleast_1d(size).astype(int))
        count = int(np.prod(size)) if size else 1
        out = np.stack([rng.multinomial(int(n), rng.dirichlet(a)) for _ in range(count)])
        return out.reshape(size + (a.shape[-1],)) if size else out[0]
