"""Ops that rearrange values: repeat/tile, broadcast_to, roll, and diag/diagonal."""
from __future__ import annotations

import builtins

import numpy as np

from ..graph import Apply, Constant, Op, Variable
from ..types import TensorType
from .variable import _TensorMixin, constant
from .shape_ops import (flatten, reshape, shape_i, shape_padleft, _as_int_scalar, _as_tensor,
                        _const_int, _ds, _i64, _INT, _is_float, _normalize_axis,
                        _rop_linear_in_first, _shape_entries)
from .basic import _alloc, alloc

__all__ = ["Repeat", "RepeatGrad", "Roll", "AllocDiag", "ExtractDiag", "repeat", "tile", "broadcast_to", "roll",
           "diag", "diagonal"]

# -------------------------------------------------------------------- Repeat


class Repeat(Op):
    """numpy.repeat(x, repeats, axis) with an integer scalar or vector ``repeats``."""

    __props__ = ("axis",)

    def __init__(self, axis):
        self.axis = int(axis)

    def make_node(self, x, repeats):
        x = _as_tensor(x, "repeat")
        if not 0 <= self.axis < x.ndim:
            raise ValueError(f"repeat: axis {self.axis} is out of bounds for {x} ({x.type})")
        r = _as_tensor(repeats, "repeat")
        if r.ndim > 1 or r.dtype not in _INT:
            raise TypeError(f"repeat: repeats must be an integer scalar or vector, got {r} ({r.type})")
        if r.dtype != "int64":
            from . import math as tm

            r = tm.cast(r, "int64")
        n = x.type.shape[self.axis]
        if r.ndim == 1 and r.type.shape[0] not in (None, 1) and n is not None and r.type.shape[0] != n:
            raise ValueError(f"repeat: {r.type.shape[0]} repeats given for axis {self.axis} of length {n}")
        out_n = None
        if isinstance(r, Constant):
            rv = np.asarray(r.data)
            if (rv < 0).any():
                raise ValueError(f"repeat: negative repeats {rv.tolist()}")
            if rv.ndim == 0 or rv.shape == (1,):
                out_n = None if n is None else n * int(rv.reshape(()))
            else:
                out_n = int(rv.sum())
        shp = list(x.type.shape)
        shp[self.axis] = out_n
        return Apply(self, [x, r], [TensorType(x.dtype, shape=shp).make_variable()])

    def perform(self, node, inputs, output_storage):
        x, r = inputs
        if (r < 0).any():
            raise ValueError(f"repeat: negative repeats {r.tolist()}")
        n = x.shape[self.axis]
        if r.ndim == 1 and r.shape[0] not in (1, n):
            raise ValueError(f"repeat: {r.shape[0]} repeats given for axis {self.axis} of length {n} "
                             f"(array of shape {x.shape})")
        output_storage[0][0] = np.repeat(x, r, axis=self.axis)

    def infer_shape(self, fgraph, node, input_shapes):
        from . import math as tm

        x, r = node.inputs
        s = list(input_shapes[0])
        if node.outputs[0].type.shape[self.axis] is not None:
            s[self.axis] = _i64(node.outputs[0].type.shape[self.axis])
        elif r.ndim == 0:
            s[self.axis] = s[self.axis] * r
        elif r.type.shape[0] == 1:
            s[self.axis] = s[self.axis] * tm.sum(r)
        else:
            # length-1 vectors broadcast: n * r[0] == sum(r) * n / len(r) in both cases
            s[self.axis] = tm.switch(tm.eq(input_shapes[1][0], 1), s[self.axis] * tm.sum(r), tm.sum(r))
        return [tuple(s)]

    def connection_pattern(self, node):
        return [[True], [False]]

    def L_op(self, inputs, outputs, output_grads):
        x, r = inputs
        (gz,) = output_grads
        if not _is_float(x):
            return [None, None]
        g = RepeatGrad(self.axis)(gz, r, shape_i(x, self.axis))
        if g.dtype != x.dtype:
            from . import math as tm

            g = tm.cast(g, x.dtype)
        return [g, None]


class RepeatGrad(Op):
    """The adjoint of Repeat: sum each group of repeated entries back (segment sums along ``axis``)."""

    __props__ = ("axis",)

    def __init__(self, axis):
        self.axis = int(axis)

    def make_node(self, gz, repeats, n):
        gz = _as_tensor(gz, "RepeatGrad")
        repeats = _as_tensor(repeats, "RepeatGrad")
        n = _as_int_scalar(n, "RepeatGrad: n")
        shp = list(gz.type.shape)
        shp[self.axis] = _const_int(n)
        return Apply(self, [gz, repeats, n], [TensorType(gz.dtype, shape=shp).make_variable()])

    def perform(self, node, inputs, output_storage):
        gz, r, n = inputs
        n = int(n)
        ax = self.axis
        if r.ndim == 0 or r.shape == (1,):
            k = int(r.reshape(()))
            shp = gz.shape[:ax] + (n, k) + gz.shape[ax + 1:]
            out = gz.reshape(shp).sum(axis=ax + 1, dtype=gz.dtype)
        else:
            shp = list(gz.shape)
            shp[ax] = n
            out = np.zeros(shp, dtype=gz.dtype)
            nz = r > 0
            if nz.any():
                starts = np.concatenate([[0], np.cumsum(r)[:-1]])[nz]
                sums = np.add.reduceat(gz, starts, axis=ax)
                idx = [slice(None)] * gz.ndim
                idx[ax] = np.nonzero(nz)[0]
                out[tuple(idx)] = sums
        output_storage[0][0] = np.asarray(out, dtype=node.outputs[0].type.dtype)

    def infer_shape(self, fgraph, node, input_shapes):
        s = list(input_shapes[0])
        s[self.axis] = node.inputs[2]
        return [tuple(s)]

    def connection_pattern(self, node):
        return [[True], [False], [False]]

    def L_op(self, inputs, outputs, output_grads):
        gz, r, n = inputs
        (gg,) = output_grads
        return [Repeat(self.axis)(gg, r), None, None]


def repeat(x, repeats, axis=None):
    """numpy.repeat: ``repeats`` is an int, an integer scalar or an integer vector."""
    x = _as_tensor(x, "repeat")
    if axis is None:
        x = flatten(x, 1) if x.ndim != 1 else x
        axis = 0
    else:
        axis = _normalize_axis(axis, x.ndim, "repeat")
    if isinstance(repeats, (bool, np.bool_)):
        raise TypeError(f"repeat: repeats must be integers, got {repeats!r}")
    if isinstance(repeats, (int, np.integer)):
        if repeats < 0:
            raise ValueError(f"repeat: negative repeats {repeats}")
        repeats = _i64(repeats)
    elif isinstance(repeats, (list, tuple, np.ndarray)) and not isinstance(repeats, Variable):
        arr = np.asarray(repeats)
        if arr.size == 0:
            arr = arr.astype("int64")
        if arr.dtype.kind not in "iu":
            raise TypeError(f"repeat: repeats must be integers, got {repeats!r}")
        repeats = constant(arr.astype("int64"))
    return Repeat(axis)(x, repeats)


def tile(x, reps, ndim=None):
    """numpy.tile for a tuple of ints or integer scalars (built from alloc and reshape)."""
    x = _as_tensor(x, "tile")
    if isinstance(reps, (int, np.integer, Variable)) and not (isinstance(reps, _TensorMixin) and reps.ndim == 1):
        reps = (reps,)
    if isinstance(reps, _TensorMixin):
        reps = _shape_entries(reps, "tile")
    reps = [_as_int_scalar(r, f"tile: reps entry {k}") for k, r in enumerate(reps)]
    for r in reps:
        c = _const_int(r)
        if c is not None and c < 0:
            raise ValueError(f"tile: negative repetition {c}")
    d = builtins.max(len(reps), x.ndim)
    if ndim is not None and ndim != d:
        raise ValueError(f"tile: ndim={ndim} but the result has {d} dimensions")
    reps = [_i64(1)] * (d - len(reps)) + reps
    if x.ndim < d:
        x = shape_padleft(x, d - x.ndim)
    if builtins.all(_const_int(r) == 1 for r in reps):
        return x
    order, alloc_shape, out_shape = [], [], []
    for k, r in enumerate(reps):
        n = shape_i(x, k)
        if _const_int(r) != 1:
            order.append("x")
            alloc_shape.append(r)
        order.append(k)
        alloc_shape.append(n)
        rc, nc = _const_int(r), _const_int(n)
        out_shape.append(_i64(rc * nc) if rc is not None and nc is not None else r * n)
    big = alloc(_ds(x, order), *alloc_shape)
    return reshape(big, out_shape)


def broadcast_to(x, shape):
    """numpy.broadcast_to (as a new array); axes of ``x`` that are not broadcastable must match."""
    x = _as_tensor(x, "broadcast_to")
    entries = _shape_entries(shape, "broadcast_to")
    if x.ndim > len(entries):
        raise ValueError(f"broadcast_to: {x} ({x.type}) has more dimensions than the shape ({len(entries)})")
    return _alloc(x, *entries)


# ---------------------------------------------------------------------- Roll


class Roll(Op):
    """numpy.roll(x, shift, axis) for one axis (or the flattened array when axis is None)."""

    __props__ = ("axis",)

    def __init__(self, axis=None):
        self.axis = None if axis is None else int(axis)

    def make_node(self, x, shift):
        x = _as_tensor(x, "roll")
        if self.axis is not None and not 0 <= self.axis < x.ndim:
            raise ValueError(f"roll: axis {self.axis} is out of bounds for {x} ({x.type})")
        shift = _as_int_scalar(shift, "roll: shift")
        return Apply(self, [x, shift], [x.type.make_variable()])

    def perform(self, node, inputs, output_storage):
        x, shift = inputs
        output_storage[0][0] = np.roll(x, int(shift), axis=self.axis)

    def infer_shape(self, fgraph, node, input_shapes):
        return [input_shapes[0]]

    def connection_pattern(self, node):
        return [[True], [False]]

    def L_op(self, inputs, outputs, output_grads):
        x, shift = inputs
        return [Roll(self.axis)(output_grads[0], -shift), None]


def roll(x, shift, axis=None):
    """numpy.roll; ``shift`` and ``axis`` may be sequences of equal length."""
    x = _as_tensor(x, "roll")
    if isinstance(shift, (list, tuple)) or isinstance(axis, (list, tuple)):
        shifts = list(shift) if isinstance(shift, (list, tuple)) else [shift]
        axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
        if len(shifts) == 1:
            shifts = shifts * len(axes)
        if len(axes) == 1:
            axes = axes * len(shifts)
        if len(shifts) != len(axes):
            raise ValueError("roll: shift and axis must have the same length")
        for s, a in zip(shifts, axes):
            x = roll(x, s, a)
        return x
    if axis is not None:
        axis = _normalize_axis(axis, x.ndim, "roll")
    return Roll(axis)(x, shift)


def _diag_len(n, m, k):
    """Length of the k-th diagonal of an n x m matrix."""
    return builtins.max(0, builtins.min(n, m - k) if k >= 0 else builtins.min(n + k, m))


class ExtractDiag(Op):
    """The ``offset``-th diagonal of a matrix (numpy.diagonal, as a new vector)."""

    __props__ = ("offset",)

    def __init__(self, offset=0):
        self.offset = int(offset)

    def make_node(self, x):
        x = _as_tensor(x, "diagonal")
        if x.ndim != 2:
            raise ValueError(f"diagonal: expected a matrix, got {x} ({x.type})")
        n, m = x.type.shape
        length = None if n is None or m is None else _diag_len(n, m, self.offset)
        return Apply(self, [x], [TensorType(x.dtype, shape=(length,)).make_variable()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = np.diagonal(inputs[0], self.offset).copy()

    def infer_shape(self, fgraph, node, input_shapes):
        from . import math as tm

        n, m = input_shapes[0]
        k = self.offset
        inner = tm.minimum(n, m - k) if k >= 0 else tm.minimum(n + k, m)
        return [(tm.maximum(inner, 0),)]

    def L_op(self, inputs, outputs, output_grads):
        (x,) = inputs
        (gz,) = output_grads
        return [AllocDiag(self.offset)(gz, shape_i(x, 0), shape_i(x, 1))]


class AllocDiag(Op):
    """An ``n x m`` matrix of zeros with the vector ``v`` on its ``offset``-th diagonal."""

    __props__ = ("offset",)

    def __init__(self, offset=0):
        self.offset = int(offset)

    def make_node(self, v, n, m):
        v = _as_tensor(v, "diag")
        if v.ndim != 1:
            raise ValueError(f"diag: expected a vector, got {v} ({v.type})")
        n = _as_int_scalar(n, "diag: n")
        m = _as_int_scalar(m, "diag: m")
        return Apply(self, [v, n, m], [TensorType(v.dtype, shape=(_const_int(n), _const_int(m))).make_variable()])

    def perform(self, node, inputs, output_storage):
        v, n, m = inputs
        n, m, k = int(n), int(m), self.offset
        length = _diag_len(n, m, k)
        if len(v) != length:
            raise ValueError(f"diag: a vector of length {len(v)} does not fit diagonal {k} of a "
                             f"{n} x {m} matrix (length {length})")
        out = np.zeros((n, m), dtype=v.dtype)
        i = np.arange(length)
        if k >= 0:
            out[i, i + k] = v
        else:
            out[i - k, i] = v
        output_storage[0][0] = out

    def infer_shape(self, fgraph, node, input_shapes):
        return [(node.inputs[1], node.inputs[2])]

    def connection_pattern(self, node):
        return [[True], [False], [False]]

    def L_op(self, inputs, outputs, output_grads):
        return [ExtractDiag(self.offset)(output_grads[0]), None, None]


def diag(v, k=0):
    """numpy.diag: a vector gives a square matrix with it on diagonal ``k``; a matrix gives its diagonal."""
    v = _as_tensor(v, "diag")
    if v.ndim == 1:
        n = shape_i(v, 0)
        size = _i64(_const_int(n) + abs(k)) if _const_int(n) is not None else n + abs(int(k))
        return AllocDiag(k)(v, size, size)
    if v.ndim == 2:
        return ExtractDiag(k)(v)
    raise ValueError(f"diag: input must be a vector or a matrix, got {v} ({v.type})")


def diagonal(x, offset=0):
    """The ``offset``-th diagonal of a matrix."""
    return ExtractDiag(offset)(x)




for _cls in (Repeat, Roll, ExtractDiag, AllocDiag):
    _cls.R_op = _rop_linear_in_first
