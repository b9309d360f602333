"""Canonical forms beyond sums and products: fills, dimshuffles, reshapes, casts and
useless subtensors.  (The algebra is in :mod:`algebra`, shapes in :mod:`shape_feature`.)"""
from __future__ import annotations

import numpy as np

from arignote import scalar as ps
from arignote.tensor.elemwise import DimShuffle, Elemwise
from arignote.tensor.shape_ops import MakeVector, Reshape, Shape, Shape_i
from arignote.tensor.subtensor import Subtensor, _group
from arignote.types import DTYPES

from .registry import local_rule
from .utils import E, cast, compatible, const_data, owner_is, single_client, sop_name

_CASTS = tuple(f"cast_{d}" for d in DTYPES)


# ------------------------------------------------------------------- fills


@local_rule(("second",), "canonicalize", "stabilize", "specialize", tags=("fill",))
def local_useless_fill(fgraph, node):
    """second(a, b) -> b when a does not broadcast b any further."""
    b = node.inputs[1]
    return [b] if compatible(node.outputs[0].type, b.type) else None


@local_rule((Elemwise,), "canonicalize", tags=("fill",))
def local_fill_sink(fgraph, node):
    """f(second(a, b), c) -> second(a, f(b, c)): arithmetic sees b itself, fills move outwards."""
    sop = node.op.scalar_op
    if sop.name == "second" or isinstance(sop, ps.Composite) or len(node.outputs) != 1:
        return None
    fills, ins = [], []
    for v in node.inputs:
        if owner_is(v, "second"):
            fills.append(v.owner.inputs[0])
            ins.append(v.owner.inputs[1])
        else:
            ins.append(v)
    if not fills:
        return None
    new = node.op.make_node(*ins).outputs[0]
    for a in fills:
        if not compatible(node.outputs[0].type, new.type):
            new = E("second", a, new)
    if new.dtype != node.outputs[0].dtype:
        return None
    return [new] if compatible(node.outputs[0].type, new.type) else None


# -------------------------------------------------------------- dimshuffle


def _identity_order(op):
    return op.new_order == tuple(range(len(op.input_broadcastable)))


@local_rule((DimShuffle,), "canonicalize", "stabilize", "specialize", tags=("dimshuffle",))
def local_useless_dimshuffle(fgraph, node):
    """A dimshuffle that keeps every axis in place -> its input."""
    return [node.inputs[0]] if _identity_order(node.op) else None


@local_rule((DimShuffle,), "canonicalize", "stabilize", "specialize", tags=("dimshuffle",))
def local_dimshuffle_merge(fgraph, node):
    """dimshuffle(dimshuffle(x)) -> one dimshuffle of x (or x)."""
    inner = node.inputs[0].owner
    if inner is None or not isinstance(inner.op, DimShuffle):
        return None
    x = inner.inputs[0]
    order = [o if o == "x" else inner.op.new_order[o] for o in node.op.new_order]
    if order == list(range(x.ndim)):
        return [x]
    return [DimShuffle(x.type.broadcastable, order).make_node(x).outputs[0]]


@local_rule((DimShuffle,), "canonicalize", tags=("dimshuffle",))
def local_dimshuffle_lift(fgraph, node):
    """dimshuffle(f(a, b)) -> f(dimshuffle(a), dimshuffle(b)) for an elementwise f used only here."""
    x = node.inputs[0]
    inner = x.owner
    if inner is None or not isinstance(inner.op, Elemwise) or len(inner.outputs) != 1:
        return None
    if single_client(fgraph, x) is not node:
        return None
    order = node.op.new_order
    ins = []
    for v in inner.inputs:
        if any(not v.type.broadcastable[d] for d in node.op.drop):
            return None
        ins.append(DimShuffle(v.type.broadcastable, order).make_node(v).outputs[0])
    return [inner.op.make_node(*ins).outputs[0]]


# ----------------------------------------------------------------- reshape


@local_rule((Reshape,), "canonicalize", "specialize", tags=("reshape",))
def local_reshape_merge(fgraph, node):
    """reshape(reshape(x, s1), s2) -> reshape(x, s2)."""
    inner = node.inputs[0].owner
    if inner is None or not isinstance(inner.op, Reshape):
        return None
    return [node.op.make_node(inner.inputs[0], node.inputs[1]).outputs[0]]


def _is_shape_entry(v, x, d):
    """True when ``v`` is statically the length of axis ``d`` of ``x``."""
    static = x.type.shape[d]
    data = const_data(v)
    if data is not None and data.size == 1:
        return static is not None and int(data.reshape(())) == static
    return v.owner is not None and isinstance(v.owner.op, Shape_i) and v.owner.op.i == d and v.owner.inputs[0] is x


@local_rule((Reshape,), "canonicalize", "specialize", tags=("reshape", "useless"))
def local_useless_reshape(fgraph, node):
    """reshape(x, shape(x)) -> x, and a reshape of a vector into a vector -> x."""
    x, shp = node.inputs
    out = node.outputs[0]
    if x.ndim != node.op.ndim:
        return None
    if x.ndim == 1 and compatible(out.type, x.type):
        return [x]
    entries = None
    data = const_data(shp)
    if data is not None:
        if all(s is not None and int(e) == s for e, s in zip(data.reshape(-1), x.type.shape)):
            entries = True
    elif shp.owner is not None and isinstance(shp.owner.op, Shape):
        entries = shp.owner.inputs[0] is x or None
    elif shp.owner is not None and isinstance(shp.owner.op, MakeVector):
        entries = all(_is_shape_entry(v, x, d) for d, v in enumerate(shp.owner.inputs)) or None
    if entries and compatible(out.type, x.type):
        return [x]
    return None


@local_rule((Reshape,), "canonicalize", tags=("reshape",))
def local_reshape_lift(fgraph, node):
    """reshape(f(x), s) -> f(reshape(x, s)) for a one-input elementwise f used only here."""
    x, shp = node.inputs
    inner = x.owner
    if inner is None or not isinstance(inner.op, Elemwise) or len(inner.inputs) != 1 or len(inner.outputs) != 1:
        return None
    if single_client(fgraph, x) is not node:
        return None
    r = node.op.make_node(inner.inputs[0], shp).outputs[0]
    return [inner.op.make_node(r).outputs[0]]


# ------------------------------------------------------------------- casts


@local_rule(_CASTS, "canonicalize", "stabilize", "specialize", tags=("cast", "useless"))
def local_useless_cast(fgraph, node):
    """cast(x, dtype of x) -> x."""
    x = node.inputs[0]
    return [x] if x.type == node.outputs[0].type else None


@local_rule(_CASTS, "canonicalize", tags=("cast",))
def local_cast_cast(fgraph, node):
    """cast(cast(x, d1), d2) -> cast(x, d2) when the first cast loses nothing (x itself if d2 is x's)."""
    mid = node.inputs[0]
    if sop_name(mid) not in _CASTS:
        return None
    x = mid.owner.inputs[0]
    if not np.can_cast(np.dtype(x.dtype), np.dtype(mid.dtype), "safe"):
        return None
    return [cast(x, node.outputs[0].dtype)]


# --------------------------------------------------------------- subtensor


def _full_slice(x, d, entry, comps):
    _, hs, he, hk = entry
    it = iter(comps)
    start = next(it) if hs else None
    stop = next(it) if he else None
    step = next(it) if hk else None
    if step is not None and not _const_eq(step, 1):
        return False
    if start is not None and not _const_eq(start, 0):
        return False
    if stop is None:
        return True
    data = const_data(stop)
    if data is not None and data.size == 1:
        n = x.type.shape[d]
        return int(data.reshape(())) >= (n if n is not None else np.iinfo("int64").max)
    return _is_shape_entry(stop, x, d)


def _const_eq(v, value):
    data = const_data(v)
    return data is not None and data.size == 1 and data.reshape(()).item() == value


@local_rule((Subtensor,), "canonicalize", "specialize", tags=("subtensor", "useless"))
def local_useless_subtensor(fgraph, node):
    """x[:], x[0:n] with n the length of the axis, x[::1] -> x."""
    x = node.inputs[0]
    idx = node.op.idx_list
    if any(e == "int" for e in idx):
        return None
    groups = _group(idx, node.inputs[1:])
    if all(_full_slice(x, d, e, c) for d, (e, c) in enumerate(zip(idx, groups))):
        out = node.outputs[0]
        return [x] if compatible(out.type, x.type) else None
    return None
