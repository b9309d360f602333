"""PyMC3's graph helpers (``pymc3.theanof``) on arignote graphs: flat gradients, jacobians
and Hessians, the free inputs of a graph, and the dtype casts ``floatX``/``intX``."""
from __future__ import annotations

import numpy as np

import arignote
import arignote.tensor as T
from arignote.graph import Constant, graph_inputs
from arignote.shared import SharedVariable

from .vartypes import continuous_types, typefilter

__all__ = ["gradient", "hessian", "hessian_diag", "jacobian", "inputvars", "cont_inputs", "floatX", "intX",
           "smartfloatX", "join_nonshared_inputs"]


def inputvars(a):
    """The free input variables of the graphs ``a`` (not constants, not shared)."""
    outs = a if isinstance(a, (list, tuple)) else [a]
    return [v for v in graph_inputs(outs) if not isinstance(v, (Constant, SharedVariable))]


def cont_inputs(f):
    """The continuous (float) free inputs of ``f``."""
    return typefilter(inputvars(f), continuous_types)


def _vars(f, vars):
    if vars is None:
        vars = cont_inputs(f)
    return list(vars) if isinstance(vars, (list, tuple)) else [vars]


def gradient(f, vars=None):
    """d f / d vars, flattened and concatenated into one vector (default: f's continuous inputs)."""
    vars = _vars(f, vars)
    if not vars:
        return T.zeros((0,))
    return T.concatenate([T.flatten(g) for g in arignote.grad(f, vars)])


def jacobian(f, vars=None):
    """d f[i] / d vars: a matrix, one row per entry of the vector ``f``, one column per flat entry of vars."""
    vars = _vars(f, vars)
    if not vars:
        return T.zeros((0, 0))
    rows = arignote.gradient.jacobian(T.flatten(f), vars)
    return T.concatenate([T.reshape(j, (j.shape[0], -1)) for j in rows], axis=1)


def hessian(f, vars=None):
    """The negative Hessian of the scalar ``f`` over the flattened vars (PyMC3's sign: a precision)."""
    return -jacobian(gradient(f, vars), vars if vars is not None else cont_inputs(f))


def hessian_diag(f, vars=None):
    """The diagonal of ``hessian(f, vars)``, as a vector."""
    return T.diagonal(hessian(f, vars))


def floatX(X):
    """``X`` cast to ``arignote.config.floatX`` (NumPy values and graphs alike)."""
    if isinstance(X, arignote.Variable):
        return T.cast(X, arignote.config.floatX)
    return np.asarray(X, dtype=arignote.config.floatX)


def _int_dtype():
    return "int32" if arignote.config.floatX == "float32" else "int64"


def intX(X):
    """``X`` cast to the integer type matching floatX (int32 beside float32, else int64)."""
    if isinstance(X, arignote.Variable):
        return T.cast(X, _int_dtype())
    return np.asarray(X, dtype=_int_dtype())


def smartfloatX(x):
    """``floatX(x)`` for floating-point values; others unchanged."""
    dtype = getattr(x, "dtype", None)
    if dtype is None:
        dtype = np.asarray(x).dtype
    return floatX(x) if str(dtype).startswith("float") else x


def join_nonshared_inputs(xs, vars, shared, make_shared=False):
    """``xs`` rewritten on one flat vector in place of ``vars``: returns (the new graphs, that
    vector).  ``vars`` are laid out in order, each flattened, as ``ArrayOrdering`` places them;
    ``shared`` maps other variables to their substitutes (e.g. shared values for the rest of a
    point).  ``make_shared=True`` makes the vector a shared variable holding the vars' test
    values, else a symbolic vector input ``inarray``."""
    from .blocking import ArrayOrdering

    if not vars:
        raise ValueError("Empty list of variables.")
    ordering = ArrayOrdering(vars)
    dtype = str(T.concatenate([T.flatten(v) for v in vars]).dtype)
    start = [np.ravel(np.asarray(v.tag.test_value)) for v in vars
             if getattr(v.tag, "test_value", None) is not None]
    if make_shared:
        if len(start) != len(vars):
            raise ValueError("make_shared=True needs a test value on every variable")
        inarray = arignote.shared(np.concatenate(start).astype(dtype), "inarray")
    else:
        inarray = T.TensorType(dtype, (False,))("inarray")
        if len(start) == len(vars):
            inarray.tag.test_value = np.concatenate(start).astype(dtype)
    by_name = {v.name: v for v in vars}
    replace = {by_name[vm.var]: T.cast(T.reshape(inarray[vm.slc], vm.shp), vm.dtyp) for vm in ordering.vmap}
    replace.update(shared)
    return [arignote.clone(x, replace, strict=False) for x in xs], inarray
