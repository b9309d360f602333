"""Changing which axes a tensor declares broadcastable: Theano's ``Rebroadcast`` op and its
helpers ``addbroadcast``, ``unbroadcast`` and ``patternbroadcast``.

A broadcastable axis has length 1 (static shape 1).  Marking an axis
broadcastable is checked when the function runs: a length other than 1
raises ValueError naming the axis.
"""
from __future__ import annotations

from ..graph import Apply, Op
from ..types import TensorType
from .variable import as_tensor_variable

__all__ = ["Rebroadcast", "addbroadcast", "unbroadcast", "patternbroadcast"]


class Rebroadcast(Op):
    """``Rebroadcast((axis, broadcastable), ...)``: the input, with those axes (un)marked
    broadcastable.  A view of the input."""

    __props__ = ("axis",)
    view_map = {0: [0]}

    def __init__(self, *axis):
        items = {}
        for entry in axis:
            a, b = entry
            if isinstance(a, bool) or not isinstance(a, int) or a < 0:
                raise ValueError(f"Rebroadcast: axes are non-negative ints, got {a!r}")
            items[a] = bool(b)
        self.axis = tuple(sorted(items.items()))

    def __str__(self):
        return "Rebroadcast{" + ",".join(f"({a},{b})" for a, b in self.axis) + "}"

    def make_node(self, x):
        x = as_tensor_variable(x)
        shape = list(x.type.shape)
        for a, b in self.axis:
            if a >= x.ndim:
                raise ValueError(f"Rebroadcast: axis {a} is out of range for {x} ({x.type})")
            if b:
                if shape[a] not in (None, 1):
                    raise ValueError(f"Rebroadcast: axis {a} of {x} ({x.type}) has length {shape[a]}, "
                                     "so it cannot be broadcastable")
                shape[a] = 1
            elif shape[a] == 1:
                shape[a] = None
        return Apply(self, [x], [TensorType(x.dtype, shape=shape).make_variable()])

    def perform(self, node, inputs, output_storage):
        (x,) = inputs
        for a, b in self.axis:
            if b and x.shape[a] != 1:
                raise ValueError(
                    f"{self}: axis {a} of the input was declared broadcastable (length 1) but has length "
                    f"{x.shape[a]} (input shape {x.shape})"
                )
        output_storage[0][0] = x

    def infer_shape(self, fgraph, node, input_shapes):
        from .elemwise import _one

        (shp,) = input_shapes
        out = list(shp)
        for a, b in self.axis:
            if b:
                out[a] = _one()
        return [tuple(out)]

    def L_op(self, inputs, outputs, output_grads):
        (x,), (gz,) = inputs, output_grads
        return [patternbroadcast(gz, x.type.broadcastable)]

    def R_op(self, inputs, eval_points):
        return [None if eval_points[0] is None else self(eval_points[0])]


def _rebroadcast(x, pairs):
    x = as_tensor_variable(x)
    changes = []
    for a, b in pairs:
        if isinstance(a, bool) or not isinstance(a, int):
            raise TypeError(f"axes must be ints, got {a!r}")
        if not -x.ndim <= a < x.ndim:
            raise ValueError(f"axis {a} is out of range for {x} ({x.type})")
        a %= x.ndim
        if x.type.broadcastable[a] != bool(b):
            changes.append((a, b))
    return Rebroadcast(*changes)(x) if changes else x


def addbroadcast(x, *axes):
    """``x`` with ``axes`` declared broadcastable (their length is checked to be 1 at run time)."""
    return _rebroadcast(x, [(a, True) for a in axes])


def unbroadcast(x, *axes):
    """``x`` with ``axes`` no longer broadcastable."""
    return _rebroadcast(x, [(a, False) for a in axes])


def patternbroadcast(x, broadcastable):
    """``x`` with the broadcastable pattern ``broadcastable`` (one bool per axis)."""
    x = as_tensor_variable(x)
    broadcastable = tuple(broadcastable)
    if len(broadcastable) != x.ndim:
        raise ValueError(f"patternbroadcast: pattern {broadcastable} has {len(broadcastable)} entries, "
                         f"{x} ({x.type}) has {x.ndim} axes")
    return _rebroadcast(x, list(enumerate(broadcastable)))
