"""``sample_prior_predictive``: ancestral draws of every variable from the priors."""
from __future__ import annotations

import numpy as np

from .context import modelcontext
from .graph_eval import evaluate


def sample_prior_predictive(samples=500, model=None, var_names=None, random_seed=None):
    """Draw ``samples`` joint prior draws; observed variables are drawn as data would be.

    Returns a dict name -> array of shape ``(samples,) + shape`` (free, untransformed,
    deterministic and observed variables).  Draws use NumPy's global generator;
    ``random_seed`` seeds it.
    """
    model = modelcontext(model)
    if random_seed is not None:
        np.random.seed(random_seed)
    rvs = model.free_RVs + model.observed_RVs
    dets = model.deterministics
    draws = {}
    for _ in range(int(samples)):
        point = draw_point(model, model.basic_RVs)
        given = {v: point[v.name] for v in model.free_RVs}
        others = [d for d in dets if d.name not in point]
        for d, x in zip(others, evaluate(others, given) if others else []):
            point[d.name] = x
        for k, x in point.items():
            draws.setdefault(k, []).append(np.asarray(x))
    names = var_names if var_names is not None else [v.name for v in rvs] + [d.name for d in dets]
    return {k: np.stack(draws[k]) for k in names if k in draws}


def draw_point(model, rvs) -> dict:
    """One ancestral draw of ``rvs`` (in model order); a transformed variable
    gives both its value and its transformed value."""
    point = {}
    for v in rvs:
        dist = v.distribution
        target = getattr(dist, "dist_", dist)  # draw x itself for a transformed variable
        val = np.asarray(target.random(point=point))
        if target is not dist:
            val = np.broadcast_to(val, target.shape) if target.shape else val
            outer = _untransformed(model, v)
            point[outer.name] = val
            point[v.name] = np.asarray(dist.transform_used.forward_val(val))
        else:
            if v in model.observed_RVs:
                val = _as_observed_shape(v, val)
            point[v.name] = val.astype(dist.dtype, copy=False) if hasattr(val, "astype") else val
    return point


def draw_free_point(model) -> dict:
    """One prior draw of the free variables (observed ones are not simulated)."""
    return draw_point(model, model.free_RVs)


def _untransformed(model, free):
    for d in model.deterministics:
        if getattr(d, "transformed", None) is free:
            return d
    raise KeyError(free.name)


def _as_observed_shape(var, val):
    shape = np.shape(getattr(var, "observations", val))
    try:
        return np.broadcast_to(val, shape) if shape else val
    except ValueError:
        return val


def draw(vars, draws=1, random_seed=None, model=None):
    """Prior draws of model variables (a variable or a list): arrays of shape ``(draws,) + shape``
    (without the leading axis when ``draws == 1``).  A distribution made with ``.dist()`` is drawn directly."""
    single = not isinstance(vars, (list, tuple))
    vs = [vars] if single else list(vars)
    if random_seed is not None:
        np.random.seed(random_seed)
    out = []
    for v in vs:
        if hasattr(v, "random") and not hasattr(v, "owner"):
            d = np.asarray(v.random(size=draws))
            out.append(d[0] if draws == 1 else d)
            continue
        m = model or getattr(v, "model", None) or modelcontext(None)
        d = sample_prior_predictive(draws, model=m, var_names=[v.name])[v.name]
        out.append(d[0] if draws == 1 else d)
    return out[0] if single else out
