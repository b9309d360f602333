"""``Bound(Normal, lower=0.0)``: a distribution restricted to an interval (unnormalised, as in PyMC3)."""
from __future__ import annotations

import numpy as np

import arignote.tensor as T

from .. import transforms
from .base import Distribution, _at_test_values
from .dist_math import bound


class _Bounded(Distribution):
    """The wrapped distribution's density where lower <= value <= upper, -inf elsewhere."""

    def __init__(self, distribution, lower, upper, default, *args, **kwargs):
        self.dist_ = distribution.dist(*args, **{k: v for k, v in kwargs.items() if k not in ("testval", "transform")})
        self.lower = None if lower is None else T.as_tensor_variable(np.asarray(lower, dtype=float))
        self.upper = None if upper is None else T.as_tensor_variable(np.asarray(upper, dtype=float))
        self._default = default
        transform = kwargs.get("transform", "auto")
        if transform == "auto":
            transform = transforms._bounded(self.lower, self.upper) if self.dist_.dtype.startswith("float") else None
        super().__init__(shape=kwargs.get("shape"), dtype=self.dist_.dtype, testval=kwargs.get("testval"),
                         defaults=("_default",), transform=transform)
        self._params = dict(self.dist_._params)

    def logp(self, value):
        conds = []
        if self.lower is not None:
            conds.append(value >= self.lower)
        if self.upper is not None:
            conds.append(value <= self.upper)
        return bound(self.dist_.logp(value), *conds)

    def random(self, point=None, size=None):
        size = () if size is None else tuple(np.atleast_1d(size).astype(int))
        lo = -np.inf if self.lower is None else _at_test_values(self.lower)
        up = np.inf if self.upper is None else _at_test_values(self.upper)
        out = np.asarray(self.dist_.random(point=point, size=size))
        bad = (out < lo) | (out > up)
        for _ in range(1000):  # rejection sampling
            if not bad.any():
                return out
            redo = np.asarray(self.dist_.random(point=point, size=size))
            out = np.where(bad, redo, out)
            bad = (out < lo) | (out > up)
        raise ValueError("Bound: rejection sampling found no draws inside the bounds")


class Bound:
    """``Bound(Normal, lower=0.0)`` returns a distribution class: ``BoundedNormal('x', mu=1.0, sigma=3.0)``."""

    def __init__(self, distribution, lower=None, upper=None):
        if not (isinstance(distribution, type) and issubclass(distribution, Distribution)):
            raise ValueError("Bound: pass a distribution class (e.g. pm.Normal), not an instance")
        self.distribution, self.lower, self.upper = distribution, lower, upper

    def _start(self):
        lo, up = self.lower, self.upper
        if lo is not None and up is not None:
            return (np.asarray(lo, float) + np.asarray(up, float)) / 2.0
        if lo is not None:
            return np.asarray(lo, float) + 1.0
        if up is not None:
            return np.asarray(up, float) - 1.0
        return 0.0

    def _make(self, args, kwargs):
        return _Bounded.dist(self.distribution, self.lower, self.upper, self._start(), *args, **kwargs)

    def __call__(self, name, *args, **kwargs):
        from .. import context

        model = context.current(error_if_none=False)
        if model is None:
            raise TypeError(context.NO_MODEL)
        observed = kwargs.pop("observed", None)
        total_size = kwargs.pop("total_size", None)
        return model.Var(name, self._make(args, kwargs), observed, total_size)

    def dist(self, *args, **kwargs):
        return self._make(args, kwargs)
