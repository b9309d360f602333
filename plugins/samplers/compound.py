"""A sequence of step methods applied in turn (PyMC3's CompoundStep)."""

from __future__ import annotations

__all__ = ["CompoundStep"]


class CompoundStep:
    """Apply ``methods`` one after the other; each updates its own variables."""

    name = "compound"

    def __init__(self, methods):
        flat = []
        for m in methods:
            flat.extend(m.methods if isinstance(m, CompoundStep) else [m])
        if not flat:
            raise ValueError("CompoundStep needs at least one step method")
        self.methods = flat
        self.generates_stats = any(getattr(m, "generates_stats", False) for m in flat)
        self.stats_dtypes = [d for m in flat for d in getattr(m, "stats_dtypes", [])]

    @property
    def vars(self):
        return [v for m in self.methods for v in m.vars]

    def step(self, point):
        stats = []
        for method in self.methods:
            if getattr(method, "generates_stats", False):
                point, st = method.step(point)
                stats.extend(st)
            else:
                point = method.step(point)
        return (point, stats) if self.generates_stats else point

    def stop_tuning(self) -> None:
        for m in self.methods:
            m.stop_tuning()

    def reset_tuning(self, n_tune: int = 1000) -> None:
        for m in self.methods:
            if hasattr(m, "reset_tuning"):
                m.reset_tuning(n_tune)

    def set_rng(self, rng) -> None:
        for m in self.methods:
            if hasattr(m, "set_rng"):
                m.set_rng(rng)
