"""PyMC3's deprecated ``ElemwiseCategorical``: a vectorised Gibbs step for a
Categorical variable whose elements are conditionally independent (mixture
assignments). Every element is drawn at once from its full conditional, from
the elementwise log-densities of the terms that depend on the variable."""

from __future__ import annotations

import warnings

import numpy as np

import arignote.tensor as T
from arignote.graph import ancestors

from .base import ArrayStep, Competence, PointLogp
from .gibbs import _n_categories

__all__ = ["ElemwiseCategorical"]


def _elemwise_terms(model, var):
    """The sum of the elementwise log-densities of every variable depending on ``var``."""
    terms = []
    for rv in model.basic_RVs:
        lp = rv.logp_elemwiset
        if var not in set(ancestors([lp])):
            continue
        if lp.ndim != var.ndim or not _same_static_shape(lp, var):
            raise ValueError(
                f"ElemwiseCategorical: the log-density of {rv.name!r} has shape {lp.type.shape} but "
                f"{var.name!r} has {var.type.shape}; its elements are not conditionally independent term by term")
        terms.append(lp)
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total + T.zeros_like(var, dtype=total.dtype)


def _same_static_shape(lp, var):
    """Sizes known on both sides agree (a length-1 axis broadcasts)."""
    return all(a is None or b is None or a == b or a == 1
               for a, b in zip(lp.type.shape, var.type.shape))


class _ElemwiseLogp(PointLogp):
    """PointLogp whose values are the per-element conditional log-densities."""

    def __init__(self, model, vars):
        super().__init__(model, vars)
        self._elem = model.fn(_elemwise_terms(model, vars[0]))

    def elementwise(self, value):
        name, _sl, shape, dtype = self._layout[0]
        point = dict(self._point)
        point[name] = np.full(shape, value, dtype=dtype)
        return np.broadcast_to(np.asarray(self._elem(point), dtype=float), shape)


class ElemwiseCategorical(ArrayStep):
    """``ElemwiseCategorical(vars, values=None, model=None)``: draws each element
    of one Categorical variable from its full conditional over ``values``
    (default ``range(k)``). Deprecated in PyMC3 in favour of
    CategoricalGibbsMetropolis, kept for its speed on many independent elements."""

    name = "elemwise_categorical"
    default_blocked = True
    generates_stats = False
    stat_names = ()
    stat_types = ()

    def __init__(self, vars=None, values=None, model=None, logp_dlogp_func=None, **kwargs):
        warnings.warn("ElemwiseCategorical is deprecated, switch to CategoricalGibbsMetropolis.",
                      DeprecationWarning, stacklevel=2)
        self._bind(vars, model, logp_dlogp_func, kwargs)
        if len(self.vars) != 1:
            raise ValueError(f"ElemwiseCategorical takes one variable, got {[v.name for v in self.vars]}")
        var = self.vars[0]
        if values is None:
            k = _n_categories(var)
            if k is None:
                raise ValueError(f"ElemwiseCategorical: {var.name!r} has no known number of categories; "
                                 "pass values=")
            values = np.arange(k)
        self.values = np.asarray(values)

    def _make_function(self, model, vars):
        return _ElemwiseLogp(model, vars)

    @staticmethod
    def competence(var, has_grad):
        return Competence.INCOMPATIBLE  # deprecated: used only when given as step=

    def astep(self, q0):  # noqa: ARG002 - a Gibbs draw ignores the current value
        fn = self._fn
        logps = np.stack([fn.elementwise(v) for v in self.values])  # (K, *shape)
        logps = np.where(np.isnan(logps), -np.inf, logps)
        top = logps.max(axis=0)
        probs = np.exp(logps - top)
        cdf = np.cumsum(probs, axis=0)
        u = self.rng.random(top.shape) * cdf[-1]
        idx = (cdf < u[None]).sum(axis=0)
        return self.values[np.minimum(idx, len(self.values) - 1)].astype(float).ravel(), ()
