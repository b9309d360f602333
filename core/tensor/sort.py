"""Sorting, as Theano's ``theano.tensor.sort``: ``sort(a, axis=-1, kind='quicksort')`` and
``argsort``, with NumPy's semantics (``axis=None`` sorts the flattened array)."""
from __future__ import annotations

import numpy as np

from ..graph import Apply, Op
from ..types import TensorType
from .variable import as_tensor_variable
from . import basic

__all__ = ["SortOp", "ArgSortOp", "sort", "argsort"]

_KINDS = ("quicksort", "mergesort", "heapsort", "stable")


def _check(x, axis, kind, order, fname):
    if kind not in _KINDS:
        raise ValueError(f"{fname}: kind must be one of {', '.join(map(repr, _KINDS))}, got {kind!r}")
    if order is not None:
        raise ValueError(f"{fname}: 'order' applies to structured arrays, which tensors are not")
    if axis is None:
        return None
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{fname}: axis must be an int or None, got {axis!r}")
    nd = max(x.ndim, 1)
    if not -nd <= axis < nd:
        raise ValueError(f"{fname}: axis {axis} is out of bounds for {x} ({x.type})")
    return int(axis) % nd


class _SortBase(Op):
    __props__ = ("kind", "axis")

    def __init__(self, kind="quicksort", axis=-1):
        self.kind, self.axis = kind, axis

    def __str__(self):
        return f"{type(self).__name__}{{{self.kind}, axis={self.axis}}}"

    def _out_shape(self, x):
        if self.axis is None:
            n = x.type.shape
            return (None if any(s is None for s in n) else int(np.prod(n, dtype=np.int64)),)
        return x.type.shape

    def infer_shape(self, fgraph, node, input_shapes):
        (shp,) = input_shapes
        if self.axis is None:
            size = as_tensor_variable(np.int64(1))
            for s in shp:
                size = size * s
            return [(size,)]
        return [shp]


class SortOp(_SortBase):
    """The values of ``x`` sorted along ``axis`` (None: the flattened array)."""

    def make_node(self, x):
        x = as_tensor_variable(x)
        if self.axis is not None and x.ndim == 0:
            raise ValueError(f"sort: cannot sort along an axis of the 0-d {x}; use axis=None")
        return Apply(self, [x], [TensorType(x.dtype, shape=self._out_shape(x)).make_variable()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = np.sort(inputs[0], axis=self.axis, kind=self.kind)

    def L_op(self, inputs, outputs, output_grads):
        """The output gradient sent back to where each sorted value came from."""
        (x,), (gz,) = inputs, output_grads
        flat = x.flatten() if self.axis is None else x
        axis = 0 if self.axis is None else self.axis
        perm = ArgSortOp(self.kind, axis)(flat)
        inverse = ArgSortOp("stable", axis)(perm)
        g = take_along_axis(gz, inverse, axis)
        if self.axis is None:
            g = g.reshape(x.shape, ndim=x.ndim)
        return [g]

    def R_op(self, inputs, eval_points):
        (x,), (ev,) = inputs, eval_points
        if ev is None:
            return [None]
        flat, e = (x.flatten(), ev.flatten()) if self.axis is None else (x, ev)
        axis = 0 if self.axis is None else self.axis
        return [take_along_axis(e, ArgSortOp(self.kind, axis)(flat), axis)]


class ArgSortOp(_SortBase):
    """The int64 indices that sort ``x`` along ``axis`` (None: the flattened array)."""

    def make_node(self, x):
        x = as_tensor_variable(x)
        if self.axis is not None and x.ndim == 0:
            raise ValueError(f"argsort: cannot sort along an axis of the 0-d {x}; use axis=None")
        return Apply(self, [x], [TensorType("int64", shape=self._out_shape(x)).make_variable()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = np.argsort(inputs[0], axis=self.axis, kind=self.kind).astype("int64", copy=False)

    def L_op(self, inputs, outputs, output_grads):
        from . import math as tm

        x = inputs[0]
        return [tm.zeros_like(x, dtype=None if x.dtype.startswith("float") else "float64")]


def take_along_axis(x, idx, axis):
    """``numpy.take_along_axis``: ``x`` read at the int positions ``idx`` along ``axis``
    (same ndim as ``x``), built from advanced indexing."""
    index = []
    for d in range(x.ndim):
        if d == axis:
            index.append(idx)
        else:
            pattern = ["x"] * x.ndim
            pattern[d] = 0
            index.append(basic.arange(x.shape[d]).dimshuffle(*pattern))
    return x[tuple(index)]


def sort(a, axis=-1, kind="quicksort", order=None):
    """``a`` sorted along ``axis`` (None: flattened), as ``numpy.sort``."""
    a = as_tensor_variable(a)
    axis = _check(a, axis, kind, order, "sort")
    return SortOp(kind, axis)(a)


def argsort(a, axis=-1, kind="quicksort", order=None):
    """The int64 indices that sort ``a`` along ``axis`` (None: flattened), as ``numpy.argsort``."""
    a = as_tensor_variable(a)
    axis = _check(a, axis, kind, order, "argsort")
    return ArgSortOp(kind, axis)(a)
