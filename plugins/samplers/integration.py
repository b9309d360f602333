"""Leapfrog integration of Hamiltonian dynamics on flat float64 vectors.

A phase-space point is a :class:`Leaf`; the kinetic energy uses a diagonal
inverse mass matrix ``inv_mass`` (the variance estimate of the posterior), so
the velocity is ``v = inv_mass * p`` and ``K = p.v / 2``.  Kept free of any
model or step-method state so that a compiled trajectory can replace it.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Leaf", "leapfrog", "initial_leaf", "draw_momentum", "coefficients"]


class Leaf:
    """One point of a trajectory: position, momentum, velocity, gradient,
    log-density and total energy (``-logp + K``)."""

    __slots__ = ("q", "p", "v", "grad", "logp", "energy", "kick")

    def __init__(self, q, p, v, grad, logp, energy, kick=None):
        self.q = q
        self.p = p
        self.v = v
        self.grad = grad
        self.logp = logp
        self.energy = energy
        self.kick = kick  # (coef, grad * eps/2) of the step that made it, reused by the next


def draw_momentum(rng, inv_mass_sqrt_recip, size):
    """Momentum ~ N(0, M) with M = diag(1 / inv_mass)."""
    return rng.standard_normal(size) * inv_mass_sqrt_recip


def initial_leaf(q, p, logp, grad, inv_mass) -> Leaf:
    v = inv_mass * p
    return Leaf(q, p, v, grad, logp, 0.5 * float(p.dot(v)) - logp)


def coefficients(eps: float, inv_mass):
    """The arrays one leapfrog step of size ``eps`` multiplies by: ``eps/2``
    and ``eps * inv_mass`` (array-by-array products are cheaper than a
    Python float times an array on short vectors)."""
    return np.full(inv_mass.shape, 0.5 * eps), eps * inv_mass


def leapfrog(logp_dlogp, leaf: Leaf, coef, inv_mass) -> Leaf:
    """One leapfrog step with ``coef = coefficients(eps, inv_mass)``
    (``eps`` negative to go backwards)."""
    half, eps_inv_mass = coef
    kick = leaf.kick
    p = leaf.p + (kick[1] if kick is not None and kick[0] is coef else leaf.grad * half)
    q = leaf.q + p * eps_inv_mass
    logp, grad = logp_dlogp(q)
    kick = grad * half
    p += kick
    v = inv_mass * p
    return Leaf(q, p, v, grad, logp, 0.5 * float(p.dot(v)) - logp, (coef, kick))
