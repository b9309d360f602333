"""Gaussian approximations of a model's posterior in its unconstrained (transformed) space:
``MeanField`` (independent normals) and ``FullRank`` (a normal with a Cholesky factor).

Parameters are shared variables, so an optimiser updates them inside one compiled step;
``sample`` draws from the fitted Gaussian and maps the draws back through the model's
transforms into a trace that ArviZ and arignote's trace tools accept.
"""
from __future__ import annotations

import numpy as np

import arignote
import arignote.tensor as T

from ..context import modelcontext
from ..model_fn import _slices
from ..trace import MultiTrace, NDArray
from .local import local_groups

_HALF_LOG_2PI_E = 0.5 * (1.0 + np.log(2.0 * np.pi))


class ParametrizationError(ValueError):
    """The model cannot be approximated (e.g. it has discrete free variables)."""


class Approximation:
    """A Gaussian over the flattened continuous free variables of ``model``."""

    def __init__(self, model=None, start=None, random_seed=None, local_rv=None):
        self.model = modelcontext(model)
        disc = [v.name for v in self.model.free_RVs if v.dtype not in ("float16", "float32", "float64")]
        if disc:
            raise ParametrizationError(f"Discrete variables are not supported by VI: {disc}")
        self.local = local_groups(self.model, local_rv, random_seed)
        local_vars = [g.var for g in self.local]
        self.vars = [v for v in self.model.free_RVs if v not in local_vars]
        if not self.vars:
            raise ParametrizationError("the model has no (global) free variables to approximate")
        self._layout, self.ddim = _slices(self.vars)
        self._rng = np.random.RandomState(random_seed)
        self._det_fn = None
        self.hist = np.asarray(())  # the losses of the fits that optimised this approximation

    def _start_vector(self, start):
        point = self.model.test_point
        for k, v in (start or {}).items():
            var = self.model.named_vars.get(k)
            if k in point:
                point[k] = np.asarray(v)
            elif getattr(var, "transformed", None) is not None:  # an untransformed value
                point[var.transformed.name] = var.transformation.forward_val(np.asarray(v))
            elif var is None or k not in (d.name for d in self.model.deterministics):
                raise ValueError(f"start gives a value for {k!r}, which is not a free variable of the "
                                 f"model (free: {sorted(point)})")
        try:
            return np.concatenate([np.broadcast_to(np.asarray(point[n], dtype=np.float64), shape).ravel()
                                   for n, _, shape, _ in self._layout])
        except ValueError as e:
            raise ValueError(f"start: a value does not fit its variable's shape ({e})") from None

    # -------------------------------------------------------------- symbolic pieces
    def symbolic_sample(self, eps):
        """Reparameterised draws for standard normals ``eps`` (a vector, or a matrix of rows)."""
        raise NotImplementedError

    @property
    def symbolic_entropy(self):
        raise NotImplementedError

    def symbolic_entropy_of(self, eps):
        """The entropy estimate for the draws made from the rows of ``eps`` (exact for Gaussians)."""
        return self.symbolic_entropy

    def local_givens(self):
        """``{local variable: a new draw}`` (empty without ``local_rv``)."""
        return {g.var: g.symbolic_draw() for g in self.local}

    @property
    def local_entropy(self):
        """The local groups' entropies, each scaled like its variable's log-density."""
        return sum((g.symbolic_entropy for g in self.local), T.constant(0.0))

    def point_givens(self, z):
        """``(free variable, piece of the flat vector z)`` pairs that rebuild a point from ``z``."""
        out = []
        for v, (_, sl, shape, dtype) in zip(self.vars, self._layout):
            piece = z[sl.start] if shape == () else T.reshape(z[sl], shape)
            out.append((v, T.cast(piece, dtype) if dtype != "float64" else piece))
        return out

    # -------------------------------------------------------------- numeric draws
    def _draw_flat(self, draws):
        raise NotImplementedError

    def sample(self, draws=500, include_transformed=True):
        """``draws`` samples as a one-chain MultiTrace: the free variables (transformed names
        when ``include_transformed``), their untransformed values and the deterministics."""
        draws = int(draws)
        if draws < 1:
            raise ValueError(f"sample: draws must be a positive integer, got {draws}")
        flat = self._draw_flat(draws)
        samples = {n: flat[:, sl].reshape((draws,) + shape).astype(dt, copy=False)
                   for n, sl, shape, dt in self._layout}
        for g in self.local:
            samples[g.var.name] = np.stack([g.draw(self._rng) for _ in range(draws)])
        dets = list(self.model.deterministics)
        if dets:
            if self._det_fn is None:
                self._det_fn = self.model.fn(dets)
            rows = [self._det_fn({n: samples[n][i] for n in samples}) for i in range(draws)]
            for j, d in enumerate(dets):
                samples[d.name] = np.stack([np.asarray(r[j]) for r in rows])
        if not include_transformed:
            for v in self.model.free_RVs:
                if type(getattr(v, "distribution", None)).__name__ == "TransformedDistribution":
                    samples.pop(v.name, None)
        return MultiTrace([NDArray(0, list(samples), samples, (), self.model)])

    def __repr__(self):
        return f"<{type(self).__name__} over {self.ddim} dimension(s)>"


class _Gaussian(Approximation):
    """A Gaussian approximation: its mean ``mu`` starts at the model's start point."""

    def __init__(self, model=None, start=None, random_seed=None, local_rv=None):
        super().__init__(model, start, random_seed, local_rv)
        self.mu = arignote.shared(self._start_vector(start), name="mu")

    @property
    def mean(self):
        """The Gaussian's mean (a shared vector: ``.eval()``/``.get_value()``)."""
        return self.mu


class MeanField(_Gaussian):
    """Independent normals: ``sd = log1p(exp(rho))`` keeps the scales positive (PyMC3's form)."""

    def __init__(self, model=None, start=None, random_seed=None, local_rv=None):
        super().__init__(model, start, random_seed, local_rv)
        self.rho = arignote.shared(np.zeros(self.ddim), name="rho")
        self.params = [self.mu, self.rho]

    @property
    def std(self):
        return T.log1p(T.exp(self.rho))

    @property
    def cov(self):
        return T.diag(self.std ** 2)

    def symbolic_sample(self, eps):
        return self.mu + eps * self.std

    @property
    def symbolic_entropy(self):
        return T.log(self.std).sum() + self.ddim * _HALF_LOG_2PI_E

    def _draw_flat(self, draws):
        sd = np.log1p(np.exp(self.rho.get_value()))
        return self.mu.get_value() + self._rng.standard_normal((draws, self.ddim)) * sd


class FullRank(_Gaussian):
    """A correlated normal ``mu + L eps`` with ``L`` lower triangular (started at the identity)."""

    def __init__(self, model=None, start=None, random_seed=None, local_rv=None):
        super().__init__(model, start, random_seed, local_rv)
        self.L_raw = arignote.shared(np.eye(self.ddim), name="L_tril")
        self._mask = np.tril(np.ones((self.ddim, self.ddim)))
        self.params = [self.mu, self.L_raw]

    @property
    def L(self):
        return self.L_raw * self._mask

    @property
    def cov(self):
        return T.dot(self.L, self.L.T)

    @property
    def std(self):
        return T.sqrt(T.diag(self.cov))

    def symbolic_sample(self, eps):
        return self.mu + T.dot(eps, self.L.T)

    @property
    def symbolic_entropy(self):
        return T.log(abs(T.diag(self.L_raw))).sum() + self.ddim * _HALF_LOG_2PI_E

    def _draw_flat(self, draws):
        L = self.L_raw.get_value() * self._mask
        return self.mu.get_value() + self._rng.standard_normal((draws, self.ddim)) @ L.T
