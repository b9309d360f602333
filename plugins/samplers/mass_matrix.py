"""Diagonal mass-matrix adaptation in Stan's warm-up windows.

The inverse mass matrix (a variance per coordinate) is re-estimated at the
end of each slow window: 75 draws of fast initial buffer, windows of 25, 50,
100, ... draws, and a 50-draw terminal buffer (scaled down for short
warm-ups, as Stan does).  Two estimators: Stan's regularised draw variance,
and nutpie's ``sqrt(var(draws) / var(gradients))``, which is usable after
far fewer draws.
"""

from __future__ import annotations

import numpy as np

__all__ = ["adaptation_windows", "Welford", "DiagMassAdapt", "ESTIMATORS"]

ESTIMATORS = ("stan", "grad")


def adaptation_windows(tune: int, init: int = 75, term: int = 50, base: int = 25):
    """Return ``(start, ends)``: the first slow window starts at draw
    ``start`` and the windows end (exclusive) at each of ``ends``."""
    if tune < 20:
        return tune, []
    if init + term + base > tune:
        init, term = int(0.15 * tune), int(0.1 * tune)
        base = tune - init - term
    last = tune - term
    ends, start, size = [], init, base
    while True:
        end = start + size
        if end + 2 * size > last:
            end = last
        ends.append(end)
        if end >= last:
            return init, ends
        start, size = end, size * 2


class Welford:
    """Running mean and variance of vectors."""

    __slots__ = ("n", "mean", "m2")

    def __init__(self, size: int):
        self.n = 0
        self.mean = np.zeros(size)
        self.m2 = np.zeros(size)

    def add(self, x) -> None:
        self.n += 1
        delta = x - self.mean
        self.mean += delta / self.n
        self.m2 += delta * (x - self.mean)

    def variance(self):
        return self.m2 / max(self.n - 1, 1)


def _regularise(var, n):
    return (n / (n + 5.0)) * var + 1e-3 * (5.0 / (n + 5.0))


class DiagMassAdapt:
    """Diagonal inverse mass matrix, re-estimated at each window's end."""

    def __init__(self, size: int, tune: int, estimator: str = "stan", initial=None):
        if estimator not in ESTIMATORS:
            raise ValueError(f"mass-matrix estimator must be one of {ESTIMATORS}, got {estimator!r}")
        self.size, self.estimator = size, estimator
        self.inv_mass = np.ones(size) if initial is None else np.array(initial, dtype=float)
        self.plan(tune)

    def plan(self, tune: int) -> None:
        """Lay out the windows for ``tune`` warm-up draws and start over."""
        self._start, ends = adaptation_windows(int(tune))
        self._ends = set(ends)
        self._q = Welford(self.size)
        self._g = Welford(self.size)

    def init_from_gradient(self, grad) -> None:
        """nutpie's first guess: inverse mass ``1 / |grad|``."""
        g = np.abs(np.asarray(grad, dtype=float))
        ok = np.isfinite(g) & (g > 0)
        if ok.all():
            self.inv_mass = np.clip(1.0 / g, 1e-10, 1e10)

    def update(self, i: int, q, grad) -> bool:
        """Add warm-up draw number ``i``; True when the matrix just changed."""
        if i < self._start:
            return False
        self._q.add(q)
        if self.estimator == "grad":
            self._g.add(grad)
        if i + 1 not in self._ends:
            return False
        n = self._q.n
        var_q = self._q.variance()
        if self.estimator == "grad":
            var_g = self._g.variance()
            est = np.sqrt(np.where(var_g > 0, var_q / np.where(var_g > 0, var_g, 1.0), var_q))
        else:
            est = var_q
        new = _regularise(est, n)
        self._q = Welford(self.size)
        self._g = Welford(self.size)
        if not np.all(np.isfinite(new)) or np.any(new <= 0):
            return False
        self.inv_mass = np.clip(new, 1e-10, 1e10)
        return True
