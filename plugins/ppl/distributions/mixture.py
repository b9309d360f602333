"""Mixtures: ``Mixture(w, comp_dists)`` and ``NormalMixture(w, mu, sigma)``."""
from __future__ import annotations

import numpy as np

import arignote.tensor as T

from .base import Distribution, draw_values
from .continuous import Normal, rng


class Mixture(Distribution):
    """Weights ``w`` (last axis) over components: a list of distributions, or one distribution
    whose parameters have one entry per component along their last axis."""

    param_core_ndims = {"w": 1}

    def __init__(self, w, comp_dists, *args, **kwargs):
        self.w = self.param("w", w, (lambda v: v >= 0, "must be non-negative"))
        self.comp_dists = comp_dists
        dists = comp_dists if isinstance(comp_dists, (list, tuple)) else [comp_dists]
        dtype = kwargs.pop("dtype", dists[0].dtype)
        self.mean = T.sum(self.w * self._comp_stat("mean"), axis=-1) if self._has("mean") else None
        defaults = ("mean",) if self.mean is not None else ()
        kwargs.setdefault("testval", None)
        super().__init__(dtype=dtype, defaults=defaults, *args, **kwargs)

    def _has(self, stat):
        dists = self.comp_dists if isinstance(self.comp_dists, (list, tuple)) else [self.comp_dists]
        return all(getattr(d, stat, None) is not None for d in dists)

    def _comp_stat(self, stat):
        if isinstance(self.comp_dists, (list, tuple)):
            return T.stack([T.as_tensor_variable(getattr(d, stat)) for d in self.comp_dists], axis=-1)
        return T.as_tensor_variable(getattr(self.comp_dists, stat))

    def _comp_logp(self, value):
        value = T.as_tensor_variable(value)
        if isinstance(self.comp_dists, (list, tuple)):
            return T.stack([d.logp(value) for d in self.comp_dists], axis=-1)
        return self.comp_dists.logp(T.shape_padright(value))

    def logp(self, value):
        return T.logsumexp(T.log(self.w) + self._comp_logp(value), axis=-1)

    def random(self, point=None, size=None):
        (w,) = draw_values([self.w], point=point)
        size = () if size is None else tuple(np.atleast_1d(size).astype(int))
        shape = size + tuple(self.shape)
        k = w.shape[-1]
        wn = w / w.sum(axis=-1, keepdims=True)
        choice = (rng.uniform(size=shape)[..., None] > np.cumsum(np.broadcast_to(wn, shape + (k,)), -1)).sum(-1)
        choice = np.minimum(choice, k - 1)
        if isinstance(self.comp_dists, (list, tuple)):
            draws = np.stack([np.broadcast_to(d.random(point=point, size=size or None), shape)
                              for d in self.comp_dists], axis=-1)
        else:
            draws = np.asarray(self.comp_dists.random(point=point, size=size or None))
            draws = np.broadcast_to(draws, shape + (k,))
        return np.take_along_axis(draws, choice[..., None], axis=-1)[..., 0]


class NormalMixture(Mixture):
    def __init__(self, w, mu, sigma=None, tau=None, sd=None, comp_shape=(), *args, **kwargs):
        if sd is not None:
            sigma = sd
        super().__init__(w, Normal.dist(mu, sigma=sigma, tau=tau, shape=comp_shape), *args, **kwargs)
