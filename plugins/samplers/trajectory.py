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

__all__ = ["TreeResult", "build_subtree", "nuts_trajectory"]

def _logaddexp(a: float, b: float) -> float:
    """log(exp(a) + exp(b)) on Python floats (NumPy's ufunc costs a microsecond)."""
    if a < b:
        a, b = b, a
    if b == -math.inf:
        return a
    return a + math.log1p(math.exp(b - a))


# A subtree is a plain tuple (creating a slotted object costs ~0.6 us, a
# tuple ~0.05 us): a contiguous run of leaves in building order.
FIRST, LAST, P_SUM, PROPOSAL, LOG_SIZE, ACCEPT_SUM, N_STEPS, DIVERGING, TURNING, MAX_ERROR = range(10)


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
                  energy0: float, rng, max_energy: float) -> tuple:
    """A subtree of ``2**depth`` leapfrog steps starting from ``leaf``
    (``coef``: the step's :func:`~.integration.coefficients`), as the tuple
    ``(first, last, p_sum, proposal, log_size, accept_sum, n_steps,
    diverging, turning, max_error)``.

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
        return (new, new, new.p, new, -err, accept, 1, err > max_energy, False, err)
    t1 = build_subtree(logp_dlogp, leaf, depth - 1, coef, inv_mass, energy0, rng, max_energy)
    if t1[DIVERGING] or t1[TURNING]:
        return t1
    t2 = build_subtree(logp_dlogp, t1[LAST], depth - 1, coef, inv_mass, energy0, rng, max_energy)
    first1, last1, psum1, prop1, size1, acc1, n1, _d1, _t1, err1 = t1
    first2, last2, psum2, prop2, size2, acc2, n2, div2, turn2, err2 = t2
    max_error = err1 if err1 > err2 else err2
    if div2 or turn2:
        return (first1, last2, None, None, -math.inf, acc1 + acc2, n1 + n2, div2, turn2, max_error)
    log_size = _logaddexp(size1, size2)
    proposal = prop2 if math.log(rng.random()) < size2 - log_size else prop1
    p_sum = psum1 + psum2
    if depth == 1:  # two leaves: the extra checks repeat the main one
        turning = p_sum.dot(first1.v) <= 0.0 or p_sum.dot(last2.v) <= 0.0
    else:
        turning = _joint_turning(first1, last1, psum1, first2, last2, psum2, p_sum)
    return (first1, last2, p_sum, proposal, log_size, acc1 + acc2, n1 + n2, False, turning, max_error)


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
        (first, last, sub_psum, sub_proposal, sub_size, sub_accept, sub_n, sub_div,
         sub_turn, sub_error) = build_subtree(logp_dlogp, near, depth,
                                              coefs[0] if forward else coefs[1],
                                              inv_mass, energy0, rng, max_energy)
        depth += 1
        accept_sum += sub_accept
        n_steps += sub_n
        if sub_error > max_error:
            max_error = sub_error
        if sub_div:
            diverging = True
            break
        if sub_turn:
            break
        if math.log(rng.random()) < sub_size - log_size:
            proposal = sub_proposal
        log_size = _logaddexp(log_size, sub_size)
        total = p_sum + sub_psum
        turning = _joint_turning(far, near, p_sum, first, last, sub_psum, total)
        p_sum = total
        if forward:
            right = last
        else:
            left = last
        if turning:
            break
    return TreeResult(proposal, depth, n_steps, accept_sum / max(n_steps, 1), diverging,
                      proposal.energy - energy0, max_error, proposal.energy)
