"""Multi-Level Delayed Acceptance (Dodwell et al. 2019), PyMC3 3.11's ``MLDA``.

A hierarchy of chains: the coarsest model's chain is a Metropolis or
DEMetropolisZ sampler; each finer level proposes the state that ``r``
(its subsampling rate) steps of the level below reach from its own state,
and accepts it with the ratio that corrects for the coarse model:
``pi_l(q) pi_{l-1}(q0) / (pi_l(q0) pi_{l-1}(q))``.  The finest model is the
current one; ``coarse_models`` are listed coarsest first.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from arignote.shared import SharedVariable

from .base import DISCRETE_KINDS, ArrayStep, Competence, PointLogp, _modelcontext, resolve_vars
from .mlda_base import DEMetropolisZMLDA, MetropolisMLDA, RandomScan, read_shared
from .mlda_estimates import RecursiveSampleMoments

__all__ = ["MLDA", "RecursiveDAProposal"]

_BASE_SAMPLERS = ("Metropolis", "DEMetropolisZ")


def _rates(subsampling_rates, n_coarse):
    if isinstance(subsampling_rates, (int, np.integer)):
        rates = [int(subsampling_rates)] * n_coarse
    else:
        rates = list(subsampling_rates)
        if len(rates) != n_coarse:
            raise ValueError(f"List of subsampling rates needs to have the same length as list of coarse "
                             f"models but the lengths were {len(rates)}, {n_coarse}")
    bad = [r for r in rates if not isinstance(r, (int, np.integer)) or r < 1]
    if bad:
        raise ValueError(f"subsampling rates must be positive integers, got {subsampling_rates!r}")
    return [int(r) for r in rates]


def _require_shared(model, name, why, level):
    if name not in model:
        raise AttributeError(f"{level} does not contain the variable {name!r}, which {why} needs; "
                             f"define it with pm.Data({name!r}, ...)")
    if not isinstance(model[name], SharedVariable):
        raise TypeError(f"The variable {name!r} of {level} is not a shared variable; "
                        f"define it with pm.Data({name!r}, ...) for {why}")


def _matching_vars(vars, model, model_below, level):
    """The free variables of ``model_below`` named as ``vars``, in their order."""
    free = {v.name: v for v in model_below.free_RVs}
    missing = [v.name for v in vars if v.name not in free]
    if missing:
        raise ValueError(f"MLDA: coarse model {level} has no variables {missing}; every model must have "
                         f"the sampled variables under the same names (it has {sorted(free)})")
    extra = sorted(set(free) - {v.name for v in model.free_RVs})
    if extra:
        raise ValueError(f"MLDA: coarse model {level} has free variables {extra} that the finer model "
                         f"does not have; every model must have the same variable names")
    fine_point = {v.name: np.shape(v.tag.test_value) for v in vars}
    for v in vars:
        shape = np.shape(free[v.name].tag.test_value)
        if shape != fine_point[v.name]:
            raise ValueError(f"MLDA: variable {v.name!r} has shape {fine_point[v.name]} in the finer model "
                             f"but {shape} in coarse model {level}")
    return [free[v.name] for v in vars]


class RecursiveDAProposal:
    """The proposal of an MLDA level: ``subsampling_rate`` steps of the level
    below (an MLDA or base sampler) from the current state; the state at
    ``subchain_selection`` is proposed.  ``Q_reg`` holds the level below's
    quantity of interest after each of those steps (variance reduction)."""

    def __init__(self, step_method_below, model_below, tune, subsampling_rate):
        self.step_method_below = step_method_below
        self.model_below = model_below
        self.tune = bool(tune)
        self.subsampling_rate = int(subsampling_rate)
        self.subchain_selection = None
        self.track_q = False
        self.Q_reg = []

    def states(self, q0):
        """The subchain from ``q0``: ``subsampling_rate`` flat states."""
        below = self.step_method_below
        q = below.restart(q0)
        out, self.Q_reg = [], []
        for _ in range(self.subsampling_rate):
            q, _stats = below.astep(q)
            out.append(q)
            if self.track_q:
                self.Q_reg.append(below.Q_last)
        return out

    def __call__(self, q0_dict):
        """PyMC3's form: a point dict in, the proposed point dict out."""
        layout = self.step_method_below._fn
        pick = self.subsampling_rate - 1 if self.subchain_selection is None else self.subchain_selection
        return layout.array_to_dict(self.states(layout.dict_to_array(q0_dict))[pick])


class MLDA(ArrayStep):
    """``MLDA(coarse_models, vars=None, base_sampler='DEMetropolisZ', base_S=None,
    base_proposal_dist=None, base_scaling=None, tune=True, base_tune_target='lambda',
    base_tune_interval=100, base_lamb=None, base_tune_drop_fraction=0.9, model=None,
    mode=None, subsampling_rates=5, base_blocked=False, variance_reduction=False,
    store_Q_fine=False, adaptive_error_model=False)``.

    Stats: ``accept``, ``accepted``, ``tune``, ``base_scaling`` (an array per
    draw), ``base_lambda`` (DEMetropolisZ), and with variance reduction
    ``Q_{l}_{l-1}`` and ``Q_0`` (arrays per draw), ``Q_{L-1}`` with ``store_Q_fine``."""

    name = "mlda"
    default_blocked = True
    generates_stats = True

    def __new__(cls, *args, **kwargs):  # the first argument is coarse_models, not vars
        return object.__new__(cls)

    def __init__(self, coarse_models, vars=None, base_sampler="DEMetropolisZ", base_S=None,
                 base_proposal_dist=None, base_scaling=None, tune=True, base_tune_target="lambda",
                 base_tune_interval=100, base_lamb=None, base_tune_drop_fraction=0.9, model=None, mode=None,
                 subsampling_rates=5, base_blocked=False, variance_reduction=False, store_Q_fine=False,
                 adaptive_error_model=False, **kwargs):
        self.is_child = bool(kwargs.pop("is_child", False))
        biases_above = kwargs.pop("mlda_biases", [])
        if not isinstance(coarse_models, list):
            raise ValueError("MLDA step method cannot use coarse_models if it is not a list")
        if len(coarse_models) == 0:
            raise ValueError("MLDA step method was given an empty list of coarse models. "
                             "Give at least one coarse model.")
        not_models = [i for i, m in enumerate(coarse_models) if not hasattr(m, "free_RVs")]
        if not_models:
            raise TypeError(f"MLDA: coarse_models{not_models} are not models (pm.Model)")
        if base_sampler not in _BASE_SAMPLERS:
            raise ValueError(f"base_sampler must be 'Metropolis' or 'DEMetropolisZ', got {base_sampler!r}")
        if not tune and base_sampler == "DEMetropolisZ":
            raise ValueError("The argument tune was set to False while using a 'DEMetropolisZ' base "
                             "sampler. 'DEMetropolisZ' tune needs to be True.")
        self.coarse_models = coarse_models
        self.subsampling_rates = _rates(subsampling_rates, len(coarse_models))
        self.subsampling_rate = self.subsampling_rates[-1]
        self.num_levels = len(coarse_models) + 1
        self.model_below = coarse_models[-1]
        self.variance_reduction = bool(variance_reduction)
        self.store_Q_fine = bool(store_Q_fine)
        self.adaptive_error_model = bool(adaptive_error_model)
        self.base_sampler = base_sampler
        if self.variance_reduction and base_sampler == "Metropolis" and not base_blocked:
            warnings.warn("Variance reduction is not compatible with non-blocked (compound) samplers. "
                          "Automatically switching to a blocked Metropolis sampler.")
            base_blocked = True
        self.base_blocked = bool(base_blocked)
        self.base_scaling = (1.0 if base_sampler == "Metropolis" else 0.001) if base_scaling is None \
            else base_scaling
        self.tune = bool(tune)
        model = _modelcontext(model)
        self._check_models(model)
        if vars is None:
            vars = [v for v in model.free_RVs if np.dtype(v.dtype).kind not in DISCRETE_KINDS]
        self._check_continuous(resolve_vars(model, vars))
        self._bind(vars, model, None, kwargs)
        self.rng = np.random.default_rng()
        level = f"{self.num_levels - 2} (coarse_models[{self.num_levels - 2}])"
        vars_below = _matching_vars(self.vars, model, self.model_below, level)
        self._fn_below = PointLogp(self.model_below, vars_below)
        self._biases = list(biases_above)
        if self.adaptive_error_model:
            self._bias0 = (read_shared(self.model_below, "mu_B"), read_shared(self.model_below, "Sigma_B"))
            self._bias = RecursiveSampleMoments(*self._bias0)
            self._biases.append(self._bias)
        below = self._make_below(vars_below, dict(base_S=base_S, base_proposal_dist=base_proposal_dist,
                                                  base_tune_target=base_tune_target,
                                                  base_tune_interval=base_tune_interval, base_lamb=base_lamb,
                                                  base_tune_drop_fraction=base_tune_drop_fraction, mode=mode))
        self.step_method_below = below
        self.proposal_dist = RecursiveDAProposal(below, self.model_below, self.tune, self.subsampling_rate)
        self.proposal_dist.track_q = self.variance_reduction
        self._set_stats()
        self.reset_tuning(1 if tune else 0)

    # -- construction -------------------------------------------------------
    def _check_models(self, model):
        needs_q = self.variance_reduction or self.store_Q_fine
        if needs_q:
            why = "variance reduction" if self.variance_reduction else "store_Q_fine"
            _require_shared(model, "Q", why, "The model given to MLDA")
        if self.variance_reduction:
            for i, m in enumerate(self.coarse_models):
                _require_shared(m, "Q", "variance reduction", f"coarse model {i}")
        if self.adaptive_error_model:
            why = "the adaptive error model"
            _require_shared(model, "model_output", why, "The model given to MLDA")
            for i, m in enumerate(self.coarse_models):
                for name in ("model_output", "mu_B", "Sigma_B"):
                    _require_shared(m, name, why, f"coarse model {i}")

    @staticmethod
    def _check_continuous(vars):
        discrete = [v.name for v in vars if np.dtype(v.dtype).kind in DISCRETE_KINDS]
        if discrete:
            raise ValueError(f"MLDA samples continuous variables only; {discrete} are discrete")

    def _make_below(self, vars_below, opts):
        """The next level down: a child MLDA, or the base sampler at the coarsest level."""
        track_q = self.variance_reduction
        if self.num_levels > 2:
            return MLDA(self.coarse_models[:-1], vars=vars_below, base_sampler=self.base_sampler,
                         base_scaling=self.base_scaling, tune=self.tune, model=self.model_below,
                         subsampling_rates=self.subsampling_rates[:-1], base_blocked=self.base_blocked,
                         variance_reduction=self.variance_reduction, store_Q_fine=False,
                         adaptive_error_model=self.adaptive_error_model, is_child=True,
                         mlda_biases=self._biases, **opts)
            return below
        if self.base_sampler == "DEMetropolisZ":
            return DEMetropolisZMLDA(vars=vars_below, S=opts["base_S"], proposal_dist=opts["base_proposal_dist"],
                                     lamb=opts["base_lamb"], scaling=self.base_scaling,
                                     tune=opts["base_tune_target"], tune_interval=opts["base_tune_interval"],
                                     tune_drop_fraction=opts["base_tune_drop_fraction"], model=self.model_below,
                                     mode=opts["mode"], mlda_track_Q=track_q)
        step = MetropolisMLDA(vars=vars_below, S=opts["base_S"], proposal_dist=opts["base_proposal_dist"],
                              scaling=self.base_scaling, tune=self.tune, tune_interval=opts["base_tune_interval"],
                              model=self.model_below, mode=opts["mode"], blocked=self.base_blocked,
                              mlda_track_Q=track_q)
        if isinstance(step, MetropolisMLDA):
            return step
        return RandomScan(step.methods, self._fn_below, self.model_below.test_point)

    def _set_stats(self):
        names = ["accept", "accepted", "tune", "base_scaling"]
        types = [np.float64, bool, bool, object]
        if self.base_sampler == "DEMetropolisZ":
            names.append("base_lambda")
            types.append(np.float64)
        if self.variance_reduction and not self.is_child:
            names += [f"Q_{k}_{k - 1}" for k in range(self.num_levels - 1, 0, -1)] + ["Q_0"]
        if self.store_Q_fine and not self.is_child:
            names.append(f"Q_{self.num_levels - 1}")
        types += [object] * (len(names) - len(types))
        self.stat_names, self.stat_types = tuple(names), tuple(types)

    @staticmethod
    def competence(var, has_grad):
        if np.dtype(var.dtype).kind in DISCRETE_KINDS:
            return Competence.INCOMPATIBLE
        return Competence.COMPATIBLE

    # -- chain control --------------------------------------------------------
    def set_rng(self, rng) -> None:
        self.rng = rng
        self.step_method_below.set_rng(rng)

    def reset_tuning(self, n_tune: int = 1000) -> None:
        """A fresh chain: every level's tuning and registers start again."""
        self.tune = self.proposal_dist.tune = n_tune > 0
        self.step_method_below.reset_tuning(n_tune)
        self.accepted = 0
        self._q = self._lp = None
        self.Q_last = self.Q_diff_last = np.nan
        self.Q_diff, self.Q_base_full = [], []
        if self.adaptive_error_model:  # the corrections start again from the models' own values
            mu0, sigma0 = self._bias0
            self.model_below["mu_B"].set_value(mu0.copy())
            self.model_below["Sigma_B"].set_value(sigma0.copy())
            self._bias.__init__(mu0, sigma0)
            self._adapting = False
            self._output_diff = None

    def stop_tuning(self) -> None:
        self.tune = self.proposal_dist.tune = False
        self.step_method_below.stop_tuning()

    def restart(self, q0):
        """Start a subchain at ``q0`` (a copy, so its log-density is evaluated
        afresh: the adaptive error model may have changed this model)."""
        return np.array(q0, dtype=float)

    def base_stats(self):
        return self.step_method_below.base_stats()

    # -- one step ---------------------------------------------------------------
    def _logp(self, q):
        value = self._fn(q)[0]
        return value if value == value else -math.inf

    def _logp_below(self, q):
        value = self._fn_below(q)[0]
        return value if value == value else -math.inf

    def astep(self, q0):
        if q0 is not self._q:
            self._q, self._lp = q0, self._logp(q0)
            if self.variance_reduction or self.store_Q_fine:
                self.Q_last = read_shared(self.model, "Q")
        rate = self.subsampling_rate
        sel = int(self.rng.integers(rate)) if self.variance_reduction else rate - 1
        self.proposal_dist.subchain_selection = sel
        q = self.proposal_dist.states(q0)[sel]
        skipped = bool(np.array_equal(q, q0))
        if skipped:
            log_ratio, accepted = 0.0, False
        else:
            # below at q0 first, then at q: the models' outputs are left at q (adaptive error model)
            lp = self._logp(q)
            log_ratio = lp - self._lp + self._logp_below(q0) - self._logp_below(q)
            if log_ratio != log_ratio:
                log_ratio = -math.inf
            accepted = math.log(self.rng.random()) < log_ratio
        if accepted:
            self._q, self._lp = q, lp
            if self.variance_reduction or self.store_Q_fine:
                self.Q_last = read_shared(self.model, "Q")
        if self.variance_reduction:
            self._update_vr(accepted, sel)
        if self.tune and self.adaptive_error_model:
            self._update_error_model(accepted)
        self.accepted += accepted
        stats = (math.exp(min(log_ratio, 0.0)), accepted, self.tune) + self.base_stats()
        if not self.is_child:
            stats += self._q_stats()
        return self._q, stats

    def _update_vr(self, accepted, sel):
        """Record Q at the coarsest level and the Q differences between levels."""
        if self.num_levels == 2:
            self.Q_base_full.extend(self.proposal_dist.Q_reg)
        if accepted:
            self.Q_diff_last = self.Q_last - self.proposal_dist.Q_reg[sel]
        self.Q_diff.append(self.Q_diff_last)

    def _q_stats(self):
        """This draw's Q statistics, gathered from every level (top level only)."""
        out = []
        if self.variance_reduction:
            level = self
            while True:
                out.append(np.array(level.Q_diff))
                level.Q_diff = []
                if level.num_levels == 2:
                    break
                level = level.step_method_below
            out.append(np.array(level.Q_base_full))
            level.Q_base_full = []
        if self.store_Q_fine:
            out.append(np.array(self.Q_last))
        return tuple(out)

    def _update_error_model(self, accepted):
        """Adaptive error model: the running Gaussian of the forward-model
        difference between this level and the one below, at accepted states;
        the model below gets the sum of the corrections of all levels from
        the finest down to it (so it aims at the finest model's output)."""
        if accepted:
            self._output_diff = read_shared(self.model, "model_output") - read_shared(self.model_below,
                                                                                        "model_output")
            self._adapting = True
        if not self._adapting:
            return
        self._bias.update(self._output_diff)
        self.model_below["mu_B"].set_value(sum(b.get_mu() for b in self._biases))
        self.model_below["Sigma_B"].set_value(sum(b.get_sigma() for b in self._biases))
