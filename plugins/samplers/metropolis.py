"""Random-walk Metropolis with PyMC3's adaptive proposal scale, for
continuous and discrete variables (discrete jumps are rounded)."""

from __future__ import annotations

import math

import numpy as np

from .base import DISCRETE_KINDS, ArrayStep, Competence

__all__ = ["Metropolis", "BinaryMetropolis", "Proposal", "NormalProposal", "UniformProposal", "CauchyProposal",
           "LaplaceProposal", "PoissonProposal", "MultivariateNormalProposal",
           "tune_scaling", "metrop_select"]


class Proposal:
    """A zero-centred jump distribution with scale ``s``; called with the
    chain's random generator."""

    def __init__(self, s):
        self.s = np.asarray(s, dtype=float)

    def __call__(self, rng=None):
        return self._draw(rng if rng is not None else np.random.default_rng())


class NormalProposal(Proposal):
    def _draw(self, rng):
        return rng.normal(scale=self.s)


class UniformProposal(Proposal):
    def _draw(self, rng):
        return rng.uniform(low=-self.s, high=self.s, size=self.s.shape)


class CauchyProposal(Proposal):
    def _draw(self, rng):
        return rng.standard_cauchy(self.s.shape) * self.s


class LaplaceProposal(Proposal):
    def _draw(self, rng):
        size = self.s.shape
        return (rng.standard_exponential(size) - rng.standard_exponential(size)) * self.s


class PoissonProposal(Proposal):
    def _draw(self, rng):
        return rng.poisson(lam=self.s) - self.s


class MultivariateNormalProposal(Proposal):
    def __init__(self, s):
        super().__init__(s)
        if self.s.ndim != 2 or self.s.shape[0] != self.s.shape[1]:
            raise ValueError("MultivariateNormalProposal needs a square covariance matrix")
        self._chol = np.linalg.cholesky(self.s)

    def _draw(self, rng):
        return self._chol @ rng.standard_normal(self.s.shape[0])


def tune_scaling(scale, acc_rate):
    """PyMC3's rule: shrink or grow the proposal scale from the acceptance
    rate of the last tuning interval (target roughly 0.2-0.5)."""
    if acc_rate < 0.001:
        return scale * 0.1
    if acc_rate < 0.05:
        return scale * 0.5
    if acc_rate < 0.2:
        return scale * 0.9
    if acc_rate > 0.95:
        return scale * 10.0
    if acc_rate > 0.75:
        return scale * 2.0
    if acc_rate > 0.5:
        return scale * 1.1
    return scale


def metrop_select(log_ratio, q, q0, rng=None):
    """``(q, True)`` with probability ``min(1, exp(log_ratio))``, else ``(q0, False)``."""
    u = (rng or np.random.default_rng()).random()
    if math.isfinite(log_ratio) and math.log(u) < log_ratio:
        return q, True
    return q0, False


def discrete_mask(fn) -> np.ndarray:
    """Which elements of the step's flat vector belong to discrete variables."""
    values = fn.array_to_dict(np.asarray(fn.initial_point, dtype=float))
    parts = [np.full(np.size(values[v.name]), np.dtype(v.dtype).kind in DISCRETE_KINDS)
             for v in fn.vars]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)


class Metropolis(ArrayStep):
    """``Metropolis(vars=None, S=None, proposal_dist=None, scaling=1.0,
    tune=True, tune_interval=100, model=None, mode=None)``.

    Not blocked by default: several variables get one step each (a
    CompoundStep), as in PyMC3; ``blocked=True`` jumps them jointly."""

    name = "metropolis"
    default_blocked = False
    generates_stats = True
    stat_names = ("accept", "accepted", "tune", "scaling")
    stat_types = (float, bool, bool, float)

    def __init__(self, vars=None, S=None, proposal_dist=None, scaling=1.0, tune=True,
                 tune_interval=100, model=None, mode=None, logp_dlogp_func=None, **kwargs):
        self._bind(vars, model, logp_dlogp_func, kwargs)
        if S is None:
            S = np.ones(self.size)
        if proposal_dist is None:
            proposal_dist = MultivariateNormalProposal if np.ndim(S) == 2 else NormalProposal
        self.proposal_dist = proposal_dist(S)
        self._initial_scaling = np.atleast_1d(np.asarray(scaling, dtype=float)).copy()
        if np.any(self._initial_scaling <= 0):
            raise ValueError(f"scaling must be positive, got {scaling!r}")
        self.scaling = self._initial_scaling.copy()
        self.tune = bool(tune)
        self._tune_enabled = bool(tune)
        self.tune_interval = int(tune_interval)
        if self.tune_interval < 1:
            raise ValueError(f"tune_interval must be at least 1, got {tune_interval!r}")
        self.steps_until_tune = self.tune_interval
        self.accepted = 0
        self.discrete = discrete_mask(self._fn)
        self.any_discrete = bool(self.discrete.any())
        self._q = None
        self._logp = None

    @staticmethod
    def competence(var, has_grad):
        return Competence.COMPATIBLE

    def reset_tuning(self, n_tune: int = 1000) -> None:
        self.scaling = self._initial_scaling.copy()
        self.tune = self._tune_enabled and n_tune > 0
        self.steps_until_tune = self.tune_interval
        self.accepted = 0
        self._q = None

    def astep(self, q0):
        if q0 is not self._q:
            self._q, self._logp = q0, self._fn(q0)[0]
        if self.tune and self.steps_until_tune == 0:
            self.scaling = tune_scaling(self.scaling, self.accepted / self.tune_interval)
            self.steps_until_tune = self.tune_interval
            self.accepted = 0
        delta = self.proposal_dist(self.rng) * self.scaling
        if self.any_discrete:
            delta = np.where(self.discrete, np.round(delta), delta)
        q = q0 + delta
        logp = self._fn(q)[0]
        log_ratio = logp - self._logp
        if log_ratio != log_ratio:
            log_ratio = -math.inf
        accepted = math.log(self.rng.random()) < log_ratio
        if accepted:
            self._q, self._logp = q, logp
            self.accepted += 1
        self.steps_until_tune -= 1
        accept = math.exp(min(log_ratio, 0.0))
        return self._q, (accept, accepted, self.tune, float(self.scaling.mean()))


class BinaryMetropolis(ArrayStep):
    """``BinaryMetropolis(vars, scaling=1.0, tune=True, tune_interval=100, model=None)``:
    each element of a binary variable flips with probability
    ``1 - 0.5**scaling``, accepted by Metropolis; ``scaling`` is tuned as Metropolis's."""

    name = "binary_metropolis"
    generates_stats = True
    stat_names = ("accept", "tune", "p_jump")
    stat_types = (float, bool, float)

    def __init__(self, vars=None, scaling=1.0, tune=True, tune_interval=100, model=None,
                 logp_dlogp_func=None, **kwargs):
        self._bind(vars, model, logp_dlogp_func, kwargs)
        if scaling <= 0:
            raise ValueError(f"scaling must be positive, got {scaling!r}")
        self._initial_scaling = float(scaling)
        self._tune_enabled = bool(tune)
        self.tune_interval = int(tune_interval)
        self.reset_tuning(1 if tune else 0)

    @staticmethod
    def competence(var, has_grad):
        from .gibbs import _dist_name

        return Competence.COMPATIBLE if _dist_name(var) == "Bernoulli" else Competence.INCOMPATIBLE

    def reset_tuning(self, n_tune: int = 1000) -> None:
        self.scaling = self._initial_scaling
        self.tune = self._tune_enabled and n_tune > 0
        self.steps_until_tune = self.tune_interval
        self.accepted = 0

    def astep(self, q0):
        if self.tune and self.steps_until_tune == 0:
            self.scaling = tune_scaling(self.scaling, self.accepted / self.tune_interval)
            self.steps_until_tune = self.tune_interval
            self.accepted = 0
        p_jump = 1.0 - 0.5 ** self.scaling
        flips = self.rng.random(q0.size) < p_jump
        q = np.where(flips, 1.0 - q0, q0)
        log_ratio = self._fn(q)[0] - self._fn(q0)[0]
        accepted = log_ratio == log_ratio and math.log(self.rng.random()) < log_ratio
        self.accepted += accepted
        self.steps_until_tune -= 1
        accept = math.exp(min(log_ratio, 0.0)) if log_ratio == log_ratio else 0.0
        return (q if accepted else q0), (accept, self.tune, p_jump)
