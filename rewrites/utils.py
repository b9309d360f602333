"""Small graph helpers shared by the rule sets: matching Elemwise nodes, reading
constants, building nodes without call-site bookkeeping, and fitting a
replacement to the exact type (dtype and broadcast pattern) of what it replaces.
"""
from __future__ import annotations

import numpy as np

from arignote.graph import Constant
from arignote.tensor import math as tm
from arignote.tensor.elemwise import DimShuffle, Elemwise
from arignote.tensor.variable import TensorConstant
from arignote.types import TensorType


def sop_name(var_or_node):
    """The scalar op name of an Elemwise node (or of a variable's owner), else None."""
    node = var_or_node.owner if hasattr(var_or_node, "owner") else var_or_node
    op = getattr(node, "op", None)
    return op.scalar_op.name if isinstance(op, Elemwise) else None


def owner_is(var, *names):
    """True when ``var`` is the output of an Elemwise of one of the scalar ops ``names``."""
    node = var.owner
    return node is not None and isinstance(node.op, Elemwise) and node.op.scalar_op.name in names


def E(name, *inputs):
    """The output of a fresh Elemwise node of scalar op ``name`` (no trace lookup)."""
    return tm.elemwise(name).make_node(*inputs).outputs[0]


def cast(x, dtype):
    if x.dtype == dtype:
        return x
    return tm.elemwise_cast(dtype).make_node(x).outputs[0]


def const(value, dtype):
    """A 0-d constant of ``dtype``."""
    data = np.asarray(value, dtype=dtype)
    return TensorConstant(TensorType(dtype, shape=()), data)


def const_data(var):
    """The array behind ``var`` when it is a constant, seen through DimShuffles; else None."""
    chain = []
    while var.owner is not None and isinstance(var.owner.op, DimShuffle):
        chain.append(var.owner)
        var = var.owner.inputs[0]
    if not (isinstance(var, Constant) and isinstance(var.type, TensorType)):
        return None
    data = np.asarray(var.data)
    for node in reversed(chain):
        cell = [None]
        node.op.perform(node, [data], [cell])
        data = cell[0]
    return data


def scalar_const(var):
    """The single value of a constant whose elements are all equal (a Python scalar), else None."""
    data = const_data(var)
    if data is None or data.size == 0:
        return None
    if data.size == 1:
        return data.reshape(()).item()
    flat = data.reshape(-1)
    first = flat[0]
    if data.dtype.kind in "fc" and np.isnan(first):
        return None
    if np.all(flat == first):
        return first.item()
    return None


def is_const(var, value):
    """True when ``var`` is a constant all of whose elements equal ``value``."""
    v = scalar_const(var)
    return v is not None and not isinstance(v, complex) and v == value


def compatible(old_type, new_type):
    """True when a variable of ``new_type`` may stand for one of ``old_type``:
    same dtype, same broadcast pattern, static sizes no less known."""
    if old_type == new_type:
        return True
    if not (isinstance(old_type, TensorType) and isinstance(new_type, TensorType)):
        return False
    if old_type.dtype != new_type.dtype or old_type.ndim != new_type.ndim:
        return False
    for o, n in zip(old_type.shape, new_type.shape):
        if (o == 1) != (n == 1):
            return False
        if o is not None and o != n:
            return False
    return True


def pad_left(x, ndim):
    if x.ndim >= ndim:
        return x
    order = ["x"] * (ndim - x.ndim) + list(range(x.ndim))
    return DimShuffle(x.type.broadcastable, order).make_node(x).outputs[0]


def fit(new, old, fill_from=()):
    """``new`` made type-compatible with ``old``: cast to its dtype, padded to its
    rank, and broadcast (``second(operand, new)``) against operands of
    ``fill_from`` that carry the axes ``new`` lacks.  None when impossible."""
    if new is None:
        return None
    if compatible(old.type, new.type):
        return new
    if not isinstance(new.type, TensorType) or new.ndim > old.ndim:
        return None
    new = pad_left(new, old.ndim)
    ob = old.type.broadcastable
    missing = [d for d in range(old.ndim) if new.type.broadcastable[d] and not ob[d]]
    for operand in fill_from:
        if not missing:
            break
        if operand.ndim > old.ndim:
            continue
        pb = (True,) * (old.ndim - operand.ndim) + operand.type.broadcastable
        if any(not pb[d] for d in missing) and all(pb[d] or not ob[d] for d in range(old.ndim)):
            new = E("second", operand, new)
            missing = [d for d in missing if new.type.broadcastable[d]]
    if new.dtype != old.dtype:
        new = cast(new, old.dtype)
    return new if compatible(old.type, new.type) else None


def const_like(value, old):
    """A constant holding ``value`` with the type of ``old`` (static sizes filled in where they
    do not change the broadcast pattern)."""
    data = np.asarray(value, dtype=old.type.dtype)
    if data.ndim != old.ndim:
        return None
    shape = []
    for s, b, d in zip(old.type.shape, old.type.broadcastable, data.shape):
        if s is not None and s != d:
            return None
        if b and d != 1:
            return None
        shape.append(d if (d != 1 or b) else None)
    return TensorConstant(TensorType(old.type.dtype, shape=shape), data)


def single_client(fgraph, var):
    """The one client node of ``var`` (None when it has several, uses it twice, or it is an output)."""
    g = fgraph.g
    if var not in g:
        return None
    adj = g.succ[var]
    if len(adj) != 1:
        return None
    ((node, keys),) = adj.items()
    if len(keys) != 1 or fgraph.is_output(var):
        return None
    return node


def n_clients(fgraph, var):
    return len(fgraph.clients(var))
