"""``iter_sample``: PyMC3's generator form of sampling, one chain in this process, yielding the
trace after every draw (for live monitoring or stopping early)."""
from __future__ import annotations

import numpy as np

from .context import modelcontext
from .sampling import _update_start, check_start
from .sampling_assign import assign_step_methods
from .trace import MultiTrace, NDArray

__all__ = ["iter_sample"]


def iter_sample(draws, step, start=None, trace=None, chain=0, tune=None, model=None, random_seed=None,
                callback=None):
    """Yield a MultiTrace holding draws 0..i after each draw i (``tune`` of the ``draws`` tune the step).

    ``callback(trace=, draw=)`` is called after each draw, as in PyMC3.
    """
    if trace is not None:
        raise NotImplementedError("trace= backends are not supported; the in-memory MultiTrace is used")
    draws = int(draws)
    if draws < 0:
        raise ValueError(f"draws must be non-negative, got {draws}")
    model = modelcontext(model)
    step, _ = assign_step_methods(model, step, {})
    point = _update_start(start, model)
    check_start(model, point)
    _prepare(step, tune, np.random.default_rng(random_seed))
    return _draws(model, step, point, draws, tune, chain, callback)


def _prepare(step, tune, rng):
    if hasattr(step, "set_rng"):
        step.set_rng(rng)
    if hasattr(step, "reset_tuning"):
        step.reset_tuning(tune or 0)
    if not tune:
        step.stop_tuning()


def _draws(model, step, point, draws, tune, chain, callback):
    free = [v.name for v in model.free_RVs]
    dets = list(model.deterministics)
    det_fn = model.fastfn(dets) if dets else None
    names = [v.name for v in model.unobserved_RVs]
    samples = {n: np.empty((draws,) + np.shape(point[n]), dtype=np.asarray(point[n]).dtype) for n in free}
    declared = getattr(step, "stats_dtypes", None) or []
    stats = [{k: np.empty(draws, dtype=np.dtype(t)) for k, t in d.items()} for d in declared]
    for i in range(draws):
        if tune is not None and i == tune:
            step.stop_tuning()
        out = step.step(point)
        point, st = out if getattr(step, "generates_stats", False) else (out, [])
        for n in free:
            samples[n][i] = point[n]
        for k, v in zip(dets, det_fn(point) if det_fn is not None else []):
            if k.name not in samples:
                samples[k.name] = np.empty((draws,) + np.shape(v), dtype=np.asarray(v).dtype)
            samples[k.name][i] = v
        for col, row in zip(stats, st):
            for k, v in row.items():
                col[k][i] = v
        strace = NDArray(chain, names, {n: a[: i + 1] for n, a in samples.items()},
                         [{k: v[: i + 1] for k, v in s.items()} for s in stats], model)
        result = MultiTrace([strace])
        if callback is not None:
            callback(trace=result, draw=i)
        yield result
