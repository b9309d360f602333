"""Differential-evolution Metropolis (ter Braak 2006) and its history-based
variant DE-MCMC-Z (ter Braak & Vrugt 2008), with PyMC3 3.11's parameters.

``DEMetropolis`` is a population sampler: each chain jumps along the
difference of two other chains' current states, so all chains advance in
lockstep in one process (:mod:`.population`).  ``DEMetropolisZ`` uses the
difference of two past states of its own chain instead.
"""

from __future__ import annotations

import math

import numpy as np

from .base import DISCRETE_KINDS, ArrayStep, Competence
from .metropolis import UniformProposal, tune_scaling

__all__ = ["DEMetropolis", "DEMetropolisZ"]

_TUNE_CHOICES = (None, "scaling", "lambda")


class _DifferentialEvolution(ArrayStep):
    """What both variants share: the proposal noise, tuning of ``scaling``
    or ``lambda`` from the acceptance of the last interval, the accept step."""

    default_blocked = True
    generates_stats = True
    stat_names = ("accept", "accepted", "tune", "scaling", "lambda")
    stat_types = (np.float64, bool, bool, np.float64, np.float64)

    def __init__(self, vars, S, proposal_dist, lamb, scaling, tune, tune_interval, model,
                 logp_dlogp_func, kwargs):
        self._bind(vars, model, logp_dlogp_func, kwargs)
        if tune not in _TUNE_CHOICES:
            raise ValueError(f'The parameter "tune" must be one of {{None, scaling, lambda}}, got {tune!r}')
        S = np.ones(self.size) if S is None else np.asarray(S, dtype=float)
        self.proposal_dist = (proposal_dist or UniformProposal)(S)
        self._initial_scaling = np.atleast_1d(np.asarray(scaling, dtype=float)).copy()
        if np.any(self._initial_scaling <= 0):
            raise ValueError(f"scaling must be positive, got {scaling!r}")
        self._initial_lamb = 2.38 / math.sqrt(2 * self.size) if lamb is None else float(lamb)
        self.tune_target = tune
        self.tune_interval = int(tune_interval)
        if self.tune_interval < 1:
            raise ValueError(f"tune_interval must be at least 1, got {tune_interval!r}")
        self.reset_tuning(1)

    @staticmethod
    def competence(var, has_grad):
        if np.dtype(var.dtype).kind in DISCRETE_KINDS:
            return Competence.INCOMPATIBLE
        return Competence.COMPATIBLE

    def reset_tuning(self, n_tune: int = 1000) -> None:
        self.scaling = self._initial_scaling.copy()
        self.lamb = self._initial_lamb
        self.tune = self.tune_target is not None and n_tune > 0
        self.steps_until_tune = self.tune_interval
        self.accepted = 0
        self._q = None

    def _maybe_tune(self):
        if not (self.tune and self.steps_until_tune == 0):
            return
        rate = self.accepted / self.tune_interval
        if self.tune_target == "scaling":
            self.scaling = tune_scaling(self.scaling, rate)
        else:
            self.lamb = tune_scaling(self.lamb, rate)
        self.steps_until_tune = self.tune_interval
        self.accepted = 0

    def _logp(self, q):
        value = self._fn(q)[0]
        return value if value == value else -math.inf

    def _accept(self, q0, jump):
        """Metropolis accept/reject of ``q0 + lamb * jump + noise``."""
        self._maybe_tune()
        q = q0 + self.lamb * jump + self.proposal_dist(self.rng) * self.scaling
        if q0 is not self._q:  # the current state's log-density, once per state
            self._q, self._lp = q0, self._logp(q0)
        logp = self._logp(q)  # evaluated last: side effects of the model (MLDA's Q) follow q
        log_ratio = logp - self._lp
        if log_ratio != log_ratio:
            log_ratio = -math.inf
        accepted = math.log(self.rng.random()) < log_ratio
        self.accepted += accepted
        self.steps_until_tune -= 1
        if accepted:
            self._q, self._lp = q, logp
        stats = (math.exp(min(log_ratio, 0.0)), accepted, self.tune, float(self.scaling.mean()), self.lamb)
        return (q if accepted else q0), stats


class DEMetropolis(_DifferentialEvolution):
    """``DEMetropolis(vars=None, S=None, proposal_dist=None, lamb=None,
    scaling=0.001, tune='scaling', tune_interval=100, model=None, mode=None)``.

    Needs at least 3 chains (``pm.sample(chains=3, ...)``); ``lamb``
    defaults to 2.38 / sqrt(2 d) and the noise to Uniform(-S, S) * scaling."""

    name = "DEMetropolis"
    population_step = True

    def __init__(self, vars=None, S=None, proposal_dist=None, lamb=None, scaling=0.001, tune="scaling",
                 tune_interval=100, model=None, mode=None, logp_dlogp_func=None, **kwargs):
        super().__init__(vars, S, proposal_dist, lamb, scaling, tune, tune_interval, model,
                         logp_dlogp_func, kwargs)
        self._population = None

    def link_population(self, states, idx, chain) -> None:
        """``states``: the list of every chain's current flat state (updated in
        place as chains move); ``idx``: this step's entries; ``chain``: its own index."""
        if len(states) < 3:
            raise ValueError(f"DEMetropolis is a population sampler and needs at least 3 chains, "
                             f"got {len(states)}")
        self._population = (states, idx, [c for c in range(len(states)) if c != chain])

    def astep(self, q0):
        if self._population is None:
            raise ValueError("DEMetropolis is a population sampler: run it through pm.sample with "
                             "chains >= 3 (it steps every chain in lockstep)")
        states, idx, others = self._population
        i1, i2 = self.rng.choice(others, 2, replace=False)
        return self._accept(q0, states[i1][idx] - states[i2][idx])


class DEMetropolisZ(_DifferentialEvolution):
    """``DEMetropolisZ(vars=None, S=None, proposal_dist=None, lamb=None,
    scaling=0.001, tune='lambda', tune_interval=100, tune_drop_fraction=0.9,
    model=None, mode=None)``.

    Jumps along the difference of two past states of its own chain; at the
    end of tuning the first ``tune_drop_fraction`` of the history is dropped."""

    name = "DEMetropolisZ"

    def __init__(self, vars=None, S=None, proposal_dist=None, lamb=None, scaling=0.001, tune="lambda",
                 tune_interval=100, tune_drop_fraction=0.9, model=None, mode=None, logp_dlogp_func=None,
                 **kwargs):
        if not 0.0 <= float(tune_drop_fraction) <= 1.0:
            raise ValueError(f"tune_drop_fraction must be in [0, 1], got {tune_drop_fraction!r}")
        self.tune_drop_fraction = float(tune_drop_fraction)
        self._history = []
        super().__init__(vars, S, proposal_dist, lamb, scaling, tune, tune_interval, model,
                         logp_dlogp_func, kwargs)

    def reset_tuning(self, n_tune: int = 1000) -> None:
        super().reset_tuning(n_tune)
        self._history = []
        self._warmup = n_tune > 0

    def astep(self, q0):
        n = len(self._history)
        if n > 1:
            i1 = int(self.rng.integers(n))
            i2 = int(self.rng.integers(n - 1))
            i2 += i2 >= i1  # a second, different entry
            jump = self._history[i1] - self._history[i2]
        else:
            jump = np.zeros_like(q0)
        q, stats = self._accept(q0, jump)
        self._history.append(q)
        return q, stats

    def stop_tuning(self) -> None:
        """Drop the first ``tune_drop_fraction`` of the history: tuning states
        would keep informing the jumps."""
        if self._warmup:
            self._history = self._history[int(self.tune_drop_fraction * len(self._history)):]
        self._warmup = False
        self.tune = False

