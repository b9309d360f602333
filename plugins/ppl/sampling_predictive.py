"""Posterior predictive draws: the observed variables drawn again at each
point of a trace."""

from __future__ import annotations

import numpy as np

from .context import modelcontext
from .trace import MultiTrace

__all__ = ["sample_posterior_predictive", "sample_ppc", "fast_sample_posterior_predictive",
           "sample_posterior_predictive_w"]


def _points(trace, samples):
    if isinstance(trace, MultiTrace):
        points = list(trace.points())
    elif isinstance(trace, (list, tuple)):
        points = list(trace)
    else:
        raise TypeError(f"trace must be a MultiTrace or a list of points, got {type(trace).__name__}")
    if not points:
        raise ValueError("the trace holds no draws")
    if samples is None:
        return points
    samples = int(samples)
    if samples < 1:
        raise ValueError(f"samples must be positive, got {samples}")
    return [points[i % len(points)] for i in range(samples)]


def sample_posterior_predictive(trace, samples=None, model=None, var_names=None, size=None,
                                keep_size=False, random_seed=None, progressbar=True):
    """Dict name -> array ``(n_points, *shape)`` of draws of the observed
    variables (or ``var_names``) given each point of ``trace``; with
    ``keep_size`` the first axes are ``(chains, draws)``."""
    model = modelcontext(model)
    if random_seed is not None:
        np.random.seed(random_seed)
    points = _points(trace, samples)
    if var_names is None:
        vars = list(model.observed_RVs)
    else:
        vars = []
        for name in var_names:
            if name not in model.named_vars:
                raise ValueError(f"var_names: {name!r} is not a variable of the model")
            vars.append(model.named_vars[name])
    out = {v.name: [] for v in vars}
    for point in points:
        for v in vars:
            if v.name in point and v not in model.observed_RVs:
                out[v.name].append(np.asarray(point[v.name]))
            else:
                out[v.name].append(np.asarray(v.distribution.random(point=point, size=size)))
    result = {k: np.asarray(vals) for k, vals in out.items()}
    if keep_size:
        if not isinstance(trace, MultiTrace) or samples is not None:
            raise ValueError("keep_size=True needs a MultiTrace and samples=None")
        shape = (trace.nchains, len(trace))
        result = {k: v.reshape(shape + v.shape[1:]) for k, v in result.items()}
    return result


sample_ppc = sample_posterior_predictive
fast_sample_posterior_predictive = sample_posterior_predictive


def sample_posterior_predictive_w(traces, samples=None, models=None, weights=None, random_seed=None,
                                  progressbar=True):
    """Posterior predictive draws averaged over models (PyMC3 3.x): from each trace, a share of the
    draws proportional to its weight (e.g. ``pm.compare``'s), drawn by its model's observed
    variables.  The models must have observed variables of the same names; returns name -> array
    ``(samples, *shape)`` with the models' draws shuffled together.
    """
    traces = list(traces)
    if models is None:
        models = [modelcontext(None)] * len(traces)
    models = list(models)
    weights = np.ones(len(traces)) if weights is None else np.asarray(weights, dtype=float).ravel()
    if len(weights) != len(traces):
        raise ValueError("The number of traces and weights should be the same")
    if len(models) != len(traces):
        raise ValueError("The number of models and weights should be the same")
    if np.any(weights < 0) or weights.sum() <= 0:
        raise ValueError(f"weights must be non-negative with a positive sum, got {weights}")
    names = [sorted(v.name for v in m.observed_RVs) for m in models]
    if any(n != names[0] for n in names):
        raise ValueError(f"The models' observed variables differ: {names}")
    rng = np.random.default_rng(random_seed)
    if random_seed is not None:
        np.random.seed(random_seed)
    total = min(len(t) * t.nchains for t in traces) if samples is None else int(samples)
    counts = np.floor(total * weights / weights.sum()).astype(int)
    counts[np.argmax(counts)] += total - counts.sum()  # the counts add up to ``total``
    out = {n: [] for n in names[0]}
    for trace, model, count in zip(traces, models, counts):
        points = list(trace.points())
        for i in rng.integers(0, len(points), count):
            for v in model.observed_RVs:
                out[v.name].append(np.asarray(v.distribution.random(point=points[i])))
    order = rng.permutation(total)
    return {k: np.asarray(v)[order] for k, v in out.items()}
