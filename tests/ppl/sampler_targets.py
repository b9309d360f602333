"""NumPy targets following the ``logp_dlogp_function`` protocol, for testing
the step methods without a model."""

from __future__ import annotations

import numpy as np


class _Var:
    def __init__(self, name, dtype="float64"):
        self.name = name
        self.dtype = dtype
        self.ndim = 1


class GaussianTarget:
    """logp of N(mu, cov) on a flat vector named ``x``; optionally counts calls."""

    def __init__(self, mu, cov, name="x"):
        self.mu = np.asarray(mu, dtype=float)
        self.cov = np.asarray(cov, dtype=float)
        self.prec = np.linalg.inv(self.cov)
        self.size = self.mu.size
        self.vars = [_Var(name)]
        self.extra_vars = []
        self.initial_point = np.zeros(self.size)
        self.calls = 0

    def __call__(self, x):
        self.calls += 1
        d = x - self.mu
        g = -self.prec @ d
        return 0.5 * d.dot(g), g

    def array_to_dict(self, x):
        return {self.vars[0].name: np.asarray(x, dtype=float).copy()}

    def dict_to_array(self, point):
        return np.asarray(point[self.vars[0].name], dtype=float).ravel()

    def set_extra_values(self, point):
        pass


class DiscreteTarget(GaussianTarget):
    """An integer variable with log-probabilities ``logps`` over 0..k-1 (others -inf)."""

    def __init__(self, logps, name="k"):
        super().__init__(np.zeros(1), np.eye(1), name)
        self.vars = [_Var(name, "int64")]
        self.logps = np.asarray(logps, dtype=float)

    def __call__(self, x):
        self.calls += 1
        v = x[0]
        if v != np.round(v) or not 0 <= v < self.logps.size:
            return -np.inf, None
        return self.logps[int(v)], None
