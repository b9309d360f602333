"""Step-size adaptation: Stan's dual averaging (Hoffman & Gelman 2014,
section 3.2) and Stan's heuristic for a first reasonable step size."""

from __future__ import annotations

import math

from .integration import coefficients, initial_leaf, leapfrog

__all__ = ["DualAverage", "find_reasonable_step_size"]


class DualAverage:
    """Drives the mean acceptance statistic towards ``target``.

    ``update(accept)`` after each tuning draw; ``current(tune)`` gives the
    step size to use (the iterate while tuning, the averaged one after)."""

    __slots__ = ("target", "gamma", "k", "t0", "mu", "log_step", "log_bar", "hbar", "count")

    def __init__(self, step_size: float, target: float = 0.8, gamma: float = 0.05,
                 k: float = 0.75, t0: float = 10.0):
        if not 0.0 < target < 1.0:
            raise ValueError(f"target_accept must lie in (0, 1), got {target!r}")
        self.target, self.gamma, self.k, self.t0 = target, gamma, k, t0
        self.restart(step_size)

    def restart(self, step_size: float) -> None:
        self.mu = math.log(10.0 * step_size)
        self.log_step = math.log(step_size)
        self.log_bar = 0.0
        self.hbar = 0.0
        self.count = 0

    def update(self, accept: float) -> None:
        self.count += 1
        n = self.count
        w = 1.0 / (n + self.t0)
        self.hbar = (1.0 - w) * self.hbar + w * (self.target - accept)
        self.log_step = self.mu - math.sqrt(n) / self.gamma * self.hbar
        eta = n ** -self.k
        self.log_bar = eta * self.log_step + (1.0 - eta) * self.log_bar

    def current(self, tune: bool) -> float:
        return math.exp(self.log_step if tune or self.count == 0 else self.log_bar)

    @property
    def averaged(self) -> float:
        return math.exp(self.log_bar) if self.count else math.exp(self.log_step)


def find_reasonable_step_size(logp_dlogp, q, logp, grad, inv_mass, step_size, rng,
                              max_iter: int = 100) -> float:
    """Double or halve ``step_size`` until one leapfrog step's acceptance
    probability crosses 0.8 (Stan's ``init_stepsize``)."""
    log_target = math.log(0.8)
    scale = 1.0 / (inv_mass ** 0.5)
    direction = 0
    for _ in range(max_iter):
        p = rng.standard_normal(q.shape[0]) * scale
        root = initial_leaf(q, p, logp, grad, inv_mass)
        new = leapfrog(logp_dlogp, root, coefficients(step_size, inv_mass), inv_mass)
        delta = root.energy - new.energy
        if delta != delta:
            delta = -math.inf
        if direction == 0:
            direction = 1 if delta > log_target else -1
        elif (direction == 1) != (delta > log_target):
            break
        new_size = step_size * (2.0 if direction == 1 else 0.5)
        if not 1e-7 < new_size < 1e7:
            break
        step_size = new_size
    return step_size
