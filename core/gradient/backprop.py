"""The reverse walk behind grad(): push gradients from seeds back to ``wrt``.

One pass over the nodes in reverse topological order, so the gradient graph
has O(1) nodes per forward node; iterative, so 100,000-node chains work.
Integer and boolean variables never carry a non-zero gradient (Theano's rule).
"""
from __future__ import annotations

import functools
import operator

from ..graph import Variable, io_toposort
from .common import _fit_broadcast, _is_float, _tm, _where
from ..errors import NoGradError
from ..grad_markers import _ZERO, _is_disconnected, _is_null, disconnected_type
from ..types import TensorType


def _backprop(seeds, wrt_list, blockers):
    """Walk back from ``seeds`` to ``wrt_list``; returns {wrt: None | _ZERO | Variable}."""
    nodes = io_toposort(list(blockers), list(seeds))
    depends = _dependents(nodes, wrt_list)
    contribs, totals = {}, {}

    def total(v):
        if v in seeds:
            return seeds[v]
        if v not in totals:
            totals[v] = _accumulate(v, contribs.pop(v, ()))
        return totals[v]

    for node in reversed(nodes):
        _visit(node, depends, total, contribs)
    return {w: (total(w) if w in depends else None) for w in wrt_list}


def _dependents(nodes, wrt_list):
    """Variables that depend on some wrt through connected op inputs/outputs."""
    dep = set(wrt_list)
    for node in nodes:
        ins = [k for k, i in enumerate(node.inputs) if i in dep]
        if not ins:
            continue
        pattern = node.op.connection_pattern(node)
        for j, o in enumerate(node.outputs):
            if any(pattern[k][j] for k in ins):
                dep.add(o)
    return dep


def _visit(node, depends, total, contribs):
    """Push the output gradients of ``node`` to its inputs (into ``contribs``)."""
    outs = node.outputs
    gouts = [total(o) if o in depends else None for o in outs]
    if all(g is None for g in gouts):
        return
    pattern = node.op.connection_pattern(node)
    targets = [k for k, i in enumerate(node.inputs)
               if i in depends and any(pattern[k][j] and gouts[j] is not None for j in range(len(outs)))]
    if not targets:
        return
    nulls = [j for j, g in enumerate(gouts) if _is_null(g)]
    real = any(isinstance(g, Variable) and not _is_null(g) and _is_float(o) for g, o in zip(gouts, outs))
    gins = _call_l_op(node, gouts) if real else None
    for k in targets:
        g = _input_grad(node, k, pattern, gouts, nulls, gins)
        if g is not None:
            contribs.setdefault(node.inputs[k], []).append(g)


def _input_grad(node, k, pattern, gouts, nulls, gins):
    """The contribution to input k of ``node``: a null, _ZERO, a Variable, or None (disconnected)."""
    inp = node.inputs[k]
    null = next((gouts[j] for j in nulls if pattern[k][j]), None)
    if null is not None:
        return null
    if gins is None or not _is_float(inp):
        if gins is not None and _is_disconnected(gins[k]):
            return None
        return _ZERO
    g = gins[k]
    if _is_disconnected(g):
        return None
    return g if _is_null(g) else _as_input_grad(node, k, inp, g)


def _call_l_op(node, gouts):
    """``node.op.L_op`` on output gradients cast to the outputs' dtypes (zeros where none)."""
    from ..config import config

    tm = _tm()
    gs = []
    for o, g in zip(node.outputs, gouts):
        if isinstance(g, Variable) and not _is_null(g) and _is_float(o):
            gs.append(g if g.type.dtype == o.type.dtype else tm.cast(g, o.type.dtype))
        elif not isinstance(o.type, TensorType):  # a generator, a slice...: no gradient to carry
            gs.append(disconnected_type())
        else:  # disconnected or zero output gradient; integer outputs carry none
            gs.append(tm.zeros_like(o, dtype=None if _is_float(o) else config.floatX))
    try:
        gins = node.op.L_op(list(node.inputs), list(node.outputs), gs)
    except NoGradError as e:
        raise NoGradError(f"{e} (needed for node {node}{_where(node)})") from e
    gins = list(gins)
    if len(gins) != len(node.inputs):
        raise ValueError(f"{node.op}.L_op returned {len(gins)} gradients for {len(node.inputs)} inputs")
    return gins


def _as_input_grad(node, k, inp, g):
    """Check an L_op result for input k (ndim, float dtype) and cast it to the input's dtype."""
    from ..tensor.variable import as_tensor_variable

    if not isinstance(g, Variable):
        g = as_tensor_variable(g)
    if getattr(g.type, "ndim", None) != getattr(inp.type, "ndim", None):
        raise ValueError(
            f"{node.op}.L_op returned a gradient of ndim {g.type.ndim} for input {k} ({inp}) of ndim "
            f"{inp.type.ndim} (node {node})"
        )
    if not _is_float(g):
        raise TypeError(f"{node.op}.L_op returned an integer-valued gradient {g} ({g.type}) for input {k} "
                        f"({inp}, {inp.type}); gradients must be floating point")
    if g.type.dtype != inp.type.dtype:
        g = _tm().cast(g, inp.type.dtype)
    return g


def _accumulate(v, cs):
    """The total gradient of ``v`` from its contributions."""
    if not cs:
        return None
    for c in cs:
        if _is_null(c):
            return c
    vs = [c for c in cs if c is not _ZERO]
    if not vs:
        return _ZERO
    if len(vs) == 1:
        t = vs[0]
    elif all(hasattr(c.type, "broadcastable") for c in vs):
        t = _tm().add(*vs)
    else:  # other types (sparse matrices) add with their own operator
        t = functools.reduce(operator.add, vs)
    return _fit_broadcast(t, v)
