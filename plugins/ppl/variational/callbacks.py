"""Callbacks of ``fit``, called as ``cb(approx, losses, i)`` after each step (PyMC3's
``pm.callbacks``); raising StopIteration ends the fit."""
from __future__ import annotations

import numpy as np


class Callback:
    def __call__(self, approx, loss, i):
        raise NotImplementedError


def _flat_params(approx):
    return np.concatenate([np.asarray(p.get_value()).ravel() for p in approx.params])


class CheckParametersConvergence(Callback):
    """Stop when the parameters' change over ``every`` steps falls under ``tolerance``.

    ``diff``: 'relative' (change divided by the previous value) or 'absolute';
    ``ord``: the norm of the change (``numpy.linalg.norm``'s ``ord``).
    """

    def __init__(self, every=100, tolerance=1e-3, diff="relative", ord=np.inf):
        if diff not in ("relative", "absolute"):
            raise ValueError(f"CheckParametersConvergence: diff must be 'relative' or 'absolute', got {diff!r}")
        self.every = int(every)
        self.tolerance = tolerance
        self.diff = diff
        self.ord = ord
        self.prev = None

    def __call__(self, approx, loss, i):
        if self.prev is None:
            self.prev = _flat_params(approx)
            return
        if i % self.every or i < self.every:
            return
        current = _flat_params(approx)
        delta = current - self.prev
        if self.diff == "relative":
            delta = delta / (np.abs(self.prev) + 1e-10)
        self.prev = current
        norm = np.linalg.norm(delta, self.ord)
        if norm < self.tolerance:
            raise StopIteration(f"Convergence achieved at {i + 1}")


class Tracker(Callback):
    """Record functions of the approximation every ``every`` steps: ``Tracker(mean=approx.mean.eval)``."""

    def __init__(self, every=1, **fns):
        self.every = int(every)
        self.fns = fns
        self.hist = {k: [] for k in fns}

    def __getitem__(self, key):
        return self.hist[key]

    def __call__(self, approx, loss, i):
        if i % self.every:
            return
        for k, fn in self.fns.items():
            self.hist[k].append(fn())
