"""Univariate slice sampling with stepping out and shrinkage (Neal 2003),
one coordinate at a time, with PyMC3's tuning of the initial width."""

from __future__ import annotations

import math

import numpy as np

from .base import ArrayStep, Competence

__all__ = ["Slice"]


class Slice(ArrayStep):
    """``Slice(vars=None, w=1.0, tune=True, model=None, iter_limit=inf)``."""

    name = "slice"
    default_blocked = False
    generates_stats = True
    stat_names = ("nstep_out", "nstep_in")
    stat_types = (int, int)

    def __init__(self, vars=None, w=1.0, tune=True, model=None, iter_limit=np.inf,
                 logp_dlogp_func=None, **kwargs):
        self._bind(vars, model, logp_dlogp_func, kwargs)
        self._initial_w = np.broadcast_to(np.asarray(w, dtype=float), (self.size,)).copy()
        if np.any(self._initial_w <= 0):
            raise ValueError(f"w must be positive, got {w!r}")
        self.w = self._initial_w.copy()
        self._tune_enabled = bool(tune)
        self.tune = bool(tune)
        self.n_tunes = 0
        self.iter_limit = iter_limit

    @staticmethod
    def competence(var, has_grad):
        if var.dtype.startswith("float"):
            return Competence.COMPATIBLE if has_grad else Competence.PREFERRED
        return Competence.INCOMPATIBLE

    def reset_tuning(self, n_tune: int = 1000) -> None:
        self.w = self._initial_w.copy()
        self.tune = self._tune_enabled and n_tune > 0
        self.n_tunes = 0

    def _logp(self, q):
        value = self._fn(q)[0]
        return value if value == value else -math.inf

    def astep(self, q0):
        q = np.array(q0, dtype=float)
        rng = self.rng
        logp = self._logp(q)
        n_out = n_in = 0
        for i in range(q.size):
            y = logp - rng.standard_exponential()
            x0 = q[i]
            left = x0 - rng.uniform(0.0, self.w[i])
            right = left + self.w[i]
            q[i] = left
            while self._logp(q) > y:
                left -= self.w[i]
                q[i] = left
                n_out += 1
                self._check_limit(n_out)
            q[i] = right
            while self._logp(q) > y:
                right += self.w[i]
                q[i] = right
                n_out += 1
                self._check_limit(n_out)
            while True:
                q[i] = rng.uniform(left, right)
                logp = self._logp(q)
                n_in += 1
                if logp > y:
                    break
                self._check_limit(n_in)
                if q[i] < x0:
                    left = q[i]
                else:
                    right = q[i]
        if self.tune:
            self.w = (self.w * self.n_tunes + 2.0 * np.abs(q - q0)) / (self.n_tunes + 1)
            self.w = np.where(self.w > 0, self.w, self._initial_w)
            self.n_tunes += 1
        return q, (n_out, n_in)

    def _check_limit(self, n):
        if n > self.iter_limit:
            raise RuntimeError(f"Slice: more than iter_limit={self.iter_limit} evaluations in one step")
