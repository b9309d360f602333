"""``find_MAP`` (the posterior mode by SciPy's optimisers) and the scaling helpers of PyMC3's
``pymc3.tuning``: ``find_hessian``, ``find_hessian_diag``, ``trace_cov``, ``guess_scaling``."""
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


def find_hessian(point, vars=None, model=None):
    """The negative Hessian of the model's log-density (Jacobians included) at ``point``, as a
    matrix over the flattened ``vars`` (default: the continuous free variables, transformed)."""
    from .theanof import hessian

    model = modelcontext(model)
    H = hessian(model.logpt, model._grad_vars(vars))
    return np.atleast_2d(np.asarray(model.fn(H)(_with_transformed(model, point)), dtype=float))


def find_hessian_diag(point, vars=None, model=None):
    """The diagonal of ``find_hessian`` (a flat vector)."""
    return np.diag(find_hessian(point, vars, model)).copy()


def _with_transformed(model, point):
    """``point`` completed with the free variables' test values (a MAP point without them works too)."""
    full = dict(model.test_point)
    full.update({k: np.asarray(v) for k, v in point.items()})
    for var in model.deterministics:  # an untransformed value given for a transformed variable
        inner = getattr(var, "transformed", None)
        if inner is not None and inner.name not in point and var.name in point:
            full[inner.name] = var.transformation.forward_val(np.asarray(point[var.name]))
    return full


def trace_cov(trace, vars=None, model=None):
    """Covariance matrix of the flattened draws of ``vars`` (default: the model's free variables)."""
    if vars is None:
        try:
            vars = modelcontext(model).free_RVs
        except TypeError:
            vars = trace.varnames
    cols = []
    for v in vars:
        x = np.asarray(trace[getattr(v, "name", v)], dtype=float)
        cols.append(x.reshape(len(x), -1))
    return np.atleast_2d(np.cov(np.concatenate(cols, axis=1).T))


def guess_scaling(point, vars=None, model=None, scaling_bound=1e-8):
    """A positive precision for step scaling from the Hessian's diagonal at ``point``,
    each entry clipped to [scaling_bound**2, scaling_bound**-2]."""
    h = find_hessian_diag(point, vars, model)
    return np.clip(np.abs(h), scaling_bound ** 2, scaling_bound ** -2)
