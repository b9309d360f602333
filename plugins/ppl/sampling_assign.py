"""Choosing step methods: each free variable not covered by a given step
gets the registered sampler most competent for it (NUTS for continuous
variables, a Gibbs or Metropolis step for discrete ones), as in PyMC3."""

from __future__ import annotations

import logging

from arignote import plugin_manager
from arignote.plugins.samplers import CompoundStep, Competence
from arignote.plugins.samplers.base import DISCRETE_KINDS

__all__ = ["assign_step_methods", "instantiate_steppers", "step_from_name", "describe_step"]

_log = logging.getLogger("arignote.ppl")

# ties in competence go to the earlier entry, as in PyMC3's STEP_METHODS
_PREFERENCE = ("NUTS", "HMC", "Metropolis", "BinaryMetropolis", "BinaryGibbsMetropolis", "Slice",
               "CategoricalGibbsMetropolis")


def _is_discrete(var) -> bool:
    import numpy as np

    return np.dtype(var.dtype).kind in DISCRETE_KINDS


def _competence(record, var, has_grad) -> int:
    factory = record.factory
    competence = getattr(factory, "competence", None)
    if competence is not None:
        return int(competence(var, has_grad))
    caps = set(record.capabilities)
    if _is_discrete(var):
        return int(Competence.COMPATIBLE) if "discrete" in caps else 0
    if "continuous" in caps and (has_grad or "gradient" not in caps):
        return int(Competence.COMPATIBLE)
    return 0


def _registry():
    records = plugin_manager.samplers()
    order = [n for n in _PREFERENCE if n in records] + [n for n in records if n not in _PREFERENCE]
    return [records[n] for n in order]


def step_from_name(name, model, **kwargs):
    """A registered sampler by (case-insensitive) name, over its default variables."""
    records = plugin_manager.samplers()
    by_lower = {k.lower(): r for k, r in records.items()}
    rec = by_lower.get(str(name).lower())
    if rec is None:
        raise ValueError(f"unknown step method {name!r}; registered samplers: {sorted(records)}")
    return rec.factory(model=model, **kwargs)


def _covered(steps):
    names = set()
    for s in steps:
        for m in (s.methods if isinstance(s, CompoundStep) else [s]):
            names.update(v.name for v in m.vars)
    return names


def instantiate_steppers(model, assignment, step_kwargs=None):
    """One step per sampler record, over the variables assigned to it."""
    step_kwargs = step_kwargs or {}
    steps = []
    for rec, vars in assignment:
        kwargs = dict(step_kwargs.get(rec.name.lower(), {}))
        steps.append(rec.factory(vars=vars, model=model, **kwargs))
    return steps


def assign_step_methods(model, step=None, step_kwargs=None):
    """Return the step (a CompoundStep when several) covering every free variable."""
    if step is None:
        steps = []
    elif isinstance(step, (list, tuple)):
        steps = list(step)
    else:
        steps = [step]
    steps = [step_from_name(s, model) if isinstance(s, str) else s for s in steps]
    free = {v.name for v in model.free_RVs}
    covered = _covered(steps)
    stray = sorted(covered - free)
    if stray:
        raise ValueError(f"step methods were given variables {stray} that are not free "
                         f"variables of the model (free: {sorted(free)})")
    grad_ok = model.cont_vars
    grad_names = {v.name for v in grad_ok}
    assignment = {}
    registry = _registry()
    if not registry:
        raise RuntimeError("no step methods are registered (arignote_register_samplers)")
    for var in model.free_RVs:
        if var.name in covered:
            continue
        has_grad = var.name in grad_names and getattr(getattr(var, "distribution", None), "has_gradient", True)
        scores = [_competence(r, var, has_grad) for r in registry]
        best = max(range(len(registry)), key=lambda i: (scores[i], -i))
        if scores[best] <= 0:
            raise ValueError(f"no registered step method can sample {var.name!r} ({var.dtype})")
        assignment.setdefault(best, []).append(var)
    new = instantiate_steppers(model, [(registry[i], vs) for i, vs in assignment.items()],
                               step_kwargs)
    steps = steps + new
    if len(steps) == 1:
        return steps[0], bool(new)
    return CompoundStep(steps), bool(new)


def _shown_name(name: str) -> str:
    """``sd_log__`` -> ``sd``: PyMC3 lists the variables under their untransformed names."""
    return "_".join(name.split("_")[:-3]) if name.endswith("__") and name.count("_") >= 3 else name


def describe_step(step) -> str:
    """PyMC3's listing: ``NUTS: [b, a]`` or ``CompoundStep`` then ``>Metropolis: [s]`` lines."""
    def one(m):
        return f"{type(m).__name__}: [{', '.join(_shown_name(v.name) for v in reversed(m.vars))}]"

    if isinstance(step, CompoundStep):
        return "\n".join(["CompoundStep"] + [">" + one(m) for m in step.methods])
    return one(step)
