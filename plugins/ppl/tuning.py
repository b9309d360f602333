"""``find_MAP``: the mode of the posterior by SciPy's optimisers on the compiled logp and gradient."""
from __future__ import annotations

import numpy as np

from .context import modelcontext
from .graph_eval import evaluate

_NO_GRAD = {"powell", "nelder-mead", "cobyla", "cobyqa"}


def find_MAP(start=None, vars=None, method="L-BFGS-B", return_raw=False, include_transformed=True,
             progressbar=True, maxeval=5000, model=None, *args, seed=None, **kwargs):
    """Maximum a posteriori point, searched in the transformed space on the density
    without the transforms' Jacobians (as PyMC3 3.x: the mode of the untransformed
    variables, e.g. (a-1)/(a+b-2) for a Beta).

    Returns a dict of NumPy values: the free variables (transformed names too
    when ``include_transformed``), their untransformed values and the
    deterministics.  Discrete variables stay at their ``start`` values.
    """
    from scipy import optimize

    model = modelcontext(model)
    point = model.test_point
    if start is not None:
        point.update({k: np.asarray(v) for k, v in start.items() if k in point})
        for k, v in start.items():  # an untransformed value given for a transformed variable
            var = model.named_vars.get(k)
            if k not in point and getattr(var, "transformed", None) is not None:
                point[var.transformed.name] = var.transformation.forward_val(np.asarray(v))
    vars = model.cont_vars if vars is None else [model[v] if isinstance(v, str) else v for v in vars]
    vars = [getattr(v, "transformed", v) for v in vars]
    f = model.logp_dlogp_function(vars, jacobian=False)
    f.set_extra_values(point)
    x0 = f.dict_to_array(point)

    def neg(x):
        lp, g = f(np.ascontiguousarray(x, dtype=np.float64))
        if not np.isfinite(lp):
            return np.inf, np.zeros_like(g)
        return -lp, -g

    use_grad = method.lower() not in _NO_GRAD
    options = dict(kwargs.pop("options", {}) or {})
    if use_grad:
        options.setdefault("maxfun" if method.upper() == "L-BFGS-B" else "maxiter", maxeval)
        res = optimize.minimize(neg, x0, jac=True, method=method, options=options, **kwargs)
    else:
        options.setdefault("maxfev" if method.lower() != "cobyla" else "maxiter", maxeval)
        res = optimize.minimize(lambda x: neg(x)[0], x0, method=method, options=options, **kwargs)
    point.update(f.array_to_dict(res.x))
    out = _full_point(model, point, include_transformed)
    return (out, res) if return_raw else out


def _full_point(model, point, include_transformed=True):
    """Free values plus the untransformed values and deterministics they determine."""
    given = {v: np.asarray(point[v.name]) for v in model.free_RVs}
    dets = model.deterministics
    vals = evaluate(list(dets), given) if dets else []
    out = {}
    for v in model.free_RVs:
        if include_transformed or getattr(v, "distribution", None).__class__.__name__ != "TransformedDistribution":
            out[v.name] = np.array(point[v.name])
    for v, x in zip(dets, vals):
        out[v.name] = np.array(x)
    return out
