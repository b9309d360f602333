"""Plain Hamiltonian Monte Carlo: a fixed path length of leapfrog steps and
a Metropolis acceptance of the end point."""

from __future__ import annotations

import math

from .hmc_base import BaseHMC
from .integration import coefficients, leapfrog

__all__ = ["HMC"]


class HMC(BaseHMC):
    """``HMC(vars=None, path_length=2.0, max_steps=1024, **kwargs)``; the
    step size is jittered by a uniform factor in [0.85, 1.15] unless
    ``step_rand`` is given."""

    name = "hmc"
    generates_stats = True
    stat_names = ("step_size", "n_steps", "tune", "step_size_bar", "accept", "diverging",
                  "energy_error", "energy", "path_length", "accepted", "model_logp") + BaseHMC.TIMING_STATS
    stat_types = (float, int, bool, float, float, bool, float, float, float, bool, float, float, float, float)

    def __init__(self, vars=None, path_length=2.0, max_steps=1024, **kwargs):
        kwargs.setdefault("step_rand", self._jitter)
        super().__init__(vars, **kwargs)
        self.path_length = float(path_length)
        self.max_steps = int(max_steps)

    def _jitter(self, eps):
        return eps * self.rng.uniform(0.85, 1.15)

    def _transition(self, root, eps):
        n_steps = max(1, min(int(self.path_length / eps), self.max_steps))
        leaf = root
        coef = coefficients(eps, self.inv_mass)
        for _ in range(n_steps):
            leaf = leapfrog(self._fn, leaf, coef, self.inv_mass)
            if not math.isfinite(leaf.energy) or leaf.energy - root.energy > self.Emax:
                break
        error = leaf.energy - root.energy
        diverging = not math.isfinite(error) or error > self.Emax
        accept = 0.0 if diverging else min(1.0, math.exp(-error))
        accepted = not diverging and self.rng.random() < accept
        return (leaf if accepted else root), accept, (n_steps, accept, diverging, error, accepted)

    def _stats(self, info, eps, tune, leaf):
        n_steps, accept, diverging, error, accepted = info
        return (eps, n_steps, tune, self._dual.averaged, accept, diverging, error, leaf.energy,
                self.path_length, accepted, leaf.logp)
