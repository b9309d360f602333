"""Time series: GaussianRandomWalk (the stochastic-volatility example of PyMC3's getting-started guide)."""
from __future__ import annotations

import numpy as np

import arignote.tensor as T

from .base import Continuous, draw_values
from .continuous import Flat, Normal, _scale, rng


class GaussianRandomWalk(Continuous):
    """x[0] ~ ``init``; x[t] - x[t-1] ~ Normal(``mu``, ``sigma``) along the last axis."""

    def __init__(self, tau=None, init=None, sigma=None, mu=0.0, sd=None, *args, **kwargs):
        self.mu = self.param("mu", mu)
        _scale(self, sigma, tau, sd)
        self.init = init if init is not None else Flat.dist()
        self.mean = T.as_tensor_variable(0.0)
        super().__init__(defaults=("mean",), *args, **kwargs)
        if not self.shape:
            raise ValueError("GaussianRandomWalk needs shape= (the length of the walk)")

    def logp(self, x):
        x = T.as_tensor_variable(x)
        if x.ndim == 0:
            return self.init.logp(x)
        steps = Normal.dist(mu=self.mu, sigma=self.sigma).logp(x[..., 1:] - x[..., :-1])
        return self.init.logp(x[..., 0]) + T.sum(steps, axis=-1)

    def random(self, point=None, size=None):
        mu, sigma = draw_values([self.mu, self.sigma], point=point)
        size = () if size is None else tuple(np.atleast_1d(size).astype(int))
        shape = size + tuple(self.shape)
        steps = rng.normal(mu, sigma, shape)
        try:
            start = np.asarray(self.init.random(point=point, size=shape[:-1] or None))
        except ValueError:  # a Flat start cannot be drawn: start at 0
            start = np.zeros(shape[:-1])
        steps[..., 0] = start
        return np.cumsum(steps, axis=-1)
