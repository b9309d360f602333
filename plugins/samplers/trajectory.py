"""NUTS trajectories: multinomial sampling over a doubling tree with the
generalised U-turn criterion (including the checks across merged subtrees
that Stan added in 2.23) and divergence detection.

Pure functions of flat float64 vectors and a ``logp_dlogp(q) -> (logp,
grad)`` callable, so that the tree builder can be moved into compiled code
without touching the step method.
"""

from __future__ import annotations

import math

from .integration import Leaf, coefficients, leapfrog

__all__ = ["Subtree", "TreeResult", "build_subtree", "nuts_trajectory"]



def _logaddexp(a: float, b: float) -> float:
    """log(exp(a) + exp(b)) on Python floats (NumPy's ufunc costs a microsecond)."""
    if a < b:
        a, b = b, a
    if b == -math.inf:
        return a
    return a + math.log1p(math.exp(b - a))


class Subtree:
    """A contiguous run of leaves in building order (``first`` .. ``last``)."""

    __slots__ = ("first", "last", "p_sum", "proposal", "log_size", "accept_sum",
                 "n_steps", "diverging", "turning", "max_error")

    def __init__(self, first, last, p_sum, proposal, log_size, accept_sum,
                 n_steps, diverging, turning, max_error):
        self.first = first
        self.last = last
        self.p_sum = p_sum
        self.proposal = proposal
        self.log_size = log_size
        self.accept_sum = accept_sum
        self.n_steps = n_steps
        self.diverging = diverging
        self.turning = turning
        self.max_error = max_error


def _turning(v_a, v_b, rho) -> bool:
    """No U-turn while both ends still move along the summed momentum."""
    return rho.dot(v_a) <= 0.0 or rho.dot(v_b) <= 0.0


def _joint_turning(a_first, a_last, a_psum, b_first, b_last, b_psum, p_sum) -> bool:
    """U-turn checks of two adjacent runs ``a`` then ``b`` (building order):
    the whole, and each run extended by the first leaf of the other."""
    return (_turning(a_first.v, b_last.v, p_sum)
            or _turning(a_first.v, b_first.v, a_psum + b_first.p)
            or _turning(a_last.v, b_last.v, a_last.p + b_psum))


def build_subtree(logp_dlogp, leaf: Leaf, depth: int, coef, inv_mass,
                  energy0: float, rng, max_energy: float) -> Subtree:
    """A subtree of ``2**depth`` leapfrog steps starting from ``leaf``
    (``coef``: the step's :func:`~.integration.coefficients`).

    Inside the subtree the proposal is sampled multinomially (uniform
    progressive sampling).  A subtree that diverged or turned is returned
    with its flag set and must not be used for the proposal.
    """
    if depth == 0:
        new = leapfrog(logp_dlogp, leaf, coef, inv_mass)
        err = new.energy - energy0
        if err != err or err == math.inf:  # nan or inf: a divergence
            err = math.inf
        accept = 1.0 if err <= 0.0 else math.exp(-err)
        return Subtree(new, new, new.p, new, -err, accept, 1, err > max_energy, False, err)
    t1 = build_subtree(logp_dlogp, leaf, depth - 1, coef, inv_mass, energy0, rng, max_energy)
    if t1.diverging or t1.turning:
        return t1
    t2 = build_subtree(logp_dlogp, t1.last, depth - 1, coef, inv_mass, energy0, rng, max_energy)
    accept = t1.accept_sum + t2.accept_sum
    n = t1.n_steps + t2.n_steps
    max_error = max(t1.max_error, t2.max_error)
    if t2.diverging or t2.turning:
        return Subtree(t1.first, t2.last, None, None, -math.inf, accept, n,
                       t2.diverging, t2.turning, max_error)
    log_size = _logaddexp(t1.log_size, t2.log_size)
    proposal = t1.proposal
    if math.log(rng.random()) < t2.log_size - log_size:
        proposal = t2.proposal
    p_sum = t1.p_sum + t2.p_sum
    if depth == 1:  # two leaves: the extra checks repeat the main one
        turning = _turning(t1.first.v, t2.last.v, p_sum)
    else:
        turning = _joint_turning(t1.first, t1.last, t1.p_sum, t2.first, t2.last, t2.p_sum, p_sum)
    return Subtree(t1.first, t2.last, p_sum, proposal, log_size, accept, n,
                   False, turning, max_error)


class TreeResult:
    """What one NUTS transition produced."""

    __slots__ = ("proposal", "depth", "n_steps", "mean_accept", "diverging",
                 "energy_error", "max_error", "energy")

    def __init__(self, proposal, depth, n_steps, mean_accept, diverging,
                 energy_error, max_error, energy):
        self.proposal = proposal
        self.depth = depth
        self.n_steps = n_steps
        self.mean_accept = mean_accept
        self.diverging = diverging
        self.energy_error = energy_error
        self.max_error = max_error
        self.energy = energy


def nuts_trajectory(logp_dlogp, root: Leaf, eps: float, inv_mass, rng,
                    max_treedepth: int = 10, max_energy: float = 1000.0) -> TreeResult:
    """One NUTS transition from ``root`` (whose momentum is already drawn).

    The trajectory doubles in a random direction until it turns, diverges
    or reaches ``max_treedepth``; new subtrees replace the proposal with
    probability ``min(1, w_new / w_old)`` (biased progressive sampling).
    """
    left = right = proposal = root
    p_sum = root.p
    log_size = 0.0
    energy0 = root.energy
    accept_sum = 0.0
    n_steps = 0
    diverging = False
    max_error = 0.0
    depth = 0
    coefs = (coefficients(eps, inv_mass), coefficients(-eps, inv_mass))
    while depth < max_treedepth:
        forward = rng.random() < 0.5
        near, far = (right, left) if forward else (left, right)
        sub = build_subtree(logp_dlogp, near, depth, coefs[0] if forward else coefs[1],
                            inv_mass, energy0, rng, max_energy)
        depth += 1
        accept_sum += sub.accept_sum
        n_steps += sub.n_steps
        if sub.max_error > max_error:
            max_error = sub.max_error
        if sub.diverging:
            diverging = True
            break
        if sub.turning:
            break
        if math.log(rng.random()) < sub.log_size - log_size:
            proposal = sub.proposal
        log_size = _logaddexp(log_size, sub.log_size)
        total = p_sum + sub.p_sum
        turning = _joint_turning(far, near, p_sum, sub.first, sub.last, sub.p_sum, total)
        p_sum = total
        if forward:
            right = sub.last
        else:
            left = sub.last
        if turning:
            break
    return TreeResult(proposal, depth, n_steps, accept_sum / max(n_steps, 1), diverging,
                      proposal.energy - energy0, max_error, proposal.energy)
