"""``DensityDist``: a distribution given by a user's log-density function."""
from __future__ import annotations

from .base import Distribution


class DensityDist(Distribution):
    """``DensityDist('x', logp_fn, observed=...)``: ``logp_fn(value)`` returns a graph.

    ``observed`` may be a dict of arrays: ``logp_fn`` is then called with them as keywords.
    """

    def __new__(cls, name, logp=None, *args, **kwargs):
        from .. import context

        obs = kwargs.get("observed")
        if isinstance(obs, dict):
            model = context.current(error_if_none=False)
            if model is None:
                raise TypeError(context.NO_MODEL)
            kwargs.pop("observed")
            total_size = kwargs.pop("total_size", None)
            dist = cls.dist(logp, *args, **kwargs)
            return model._multi_observed(name, dist, obs, total_size)
        return super().__new__(cls, name, logp, *args, **kwargs)

    def __init__(self, logp, shape=(), dtype=None, testval=0, random=None, *args, **kwargs):
        if not callable(logp):
            raise TypeError(f"DensityDist: logp must be callable, got {type(logp).__name__}")
        super().__init__(shape, dtype, testval, *args, **kwargs)
        self._logp_fn = logp
        self._rand = random

    def logp(self, value=None, **kw):
        return self._logp_fn(value, **kw) if value is not None else self._logp_fn(**kw)

    def random(self, point=None, size=None):
        if self._rand is None:
            raise ValueError("DensityDist was not given a random function")
        return self._rand(point=point, size=size)
