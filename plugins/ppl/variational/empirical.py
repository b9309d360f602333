"""``Empirical``: an approximation held as a set of particles (PyMC3's histogram).

The particles live in the model's flat transformed space, one per row of the shared
matrix ``histogram``: taken from a trace (every draw of every chain), given as an array,
or made by jittering the start point (``size`` particles, what SVGD starts from).
Draws pick particles uniformly at random; ``mean``/``cov`` are the particles' own
(``cov`` divides by the number of particles, as PyMC3's does).
"""
from __future__ import annotations

import numpy as np

import arignote
import arignote.tensor as T

from .approximations import Approximation, ParametrizationError


class Empirical(Approximation):
    """Particles ``histogram`` (n, ddim) from ``trace`` (a MultiTrace or an (n, ddim) array) or
    ``size`` copies of ``start`` moved by normal noise of sd ``jitter``."""

    def __init__(self, trace=None, size=None, jitter=1, start=None, model=None, random_seed=None,
                 local_rv=None):
        if local_rv is not None:
            raise ParametrizationError("Empirical approximation does not support local variables")
        super().__init__(model, start, random_seed)
        if trace is None:
            if size is None:
                raise ParametrizationError("Need `trace` or `size` to initialize")
            if int(size) < 1:
                raise ValueError(f"Empirical: size must be a positive integer, got {size}")
            start_vec = self._start_vector(start)
            hist = np.tile(start_vec, (int(size), 1)) + self._rng.normal(0.0, jitter, (int(size), self.ddim))
        elif isinstance(trace, np.ndarray) or isinstance(trace, (list, tuple)):
            hist = np.array(trace, dtype="float64")
            if hist.ndim != 2 or hist.shape[1] != self.ddim or hist.shape[0] < 1:
                raise ValueError(f"Empirical: particles must be an array of shape (n, {self.ddim}) in the "
                                 f"model's flat transformed space, got shape {hist.shape}")
        else:
            hist = self._from_trace(trace)
        self.histogram = arignote.shared(hist, name="histogram")
        self.params = [self.histogram]

    def _from_trace(self, trace):
        columns = []
        for var, (name, _, shape, _) in zip(self.vars, self._layout):
            values = _transformed_values(trace, self.model, var, name)
            columns.append(np.asarray(values, dtype="float64").reshape(len(values), -1))
        return np.concatenate(columns, axis=1)

    # -------------------------------------------------------------- statistics
    @property
    def mean(self):
        return self.histogram.mean(axis=0)

    @property
    def cov(self):
        x = self.histogram - self.mean
        return T.dot(x.T, x) / T.cast(self.histogram.shape[0], "float64")

    @property
    def std(self):
        return T.sqrt(T.diag(self.cov))

    def symbolic_sample(self, eps):
        raise ParametrizationError("Empirical has no reparameterised draws; fit it with SVGD")

    def _draw_flat(self, draws):
        hist = self.histogram.get_value(borrow=True)
        return hist[self._rng.randint(0, hist.shape[0], size=draws)]

    def __repr__(self):
        n, d = self.histogram.get_value(borrow=True).shape
        return f"Empirical[{n}, {d}]"

    __str__ = __repr__


def _transformed_values(trace, model, var, name):
    """The values of free variable ``name`` over every draw of ``trace`` (chains concatenated)."""
    varnames = list(getattr(trace, "varnames", ()))
    if name in varnames:
        return np.asarray(trace.get_values(name, combine=True))
    owner = next((v for v in model.deterministics if getattr(v, "transformed", None) is var), None)
    if owner is None or owner.name not in varnames:
        raise ValueError(f"trace has not all FreeRV in the group: {name!r} is missing")
    values = np.asarray(trace.get_values(owner.name, combine=True))
    return np.stack([np.asarray(owner.transformation.forward_val(v)) for v in values])
