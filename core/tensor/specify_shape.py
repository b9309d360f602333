"""``specify_shape(x, shape)``: x, with its shape declared (checked when the function runs).

Shape inference then knows the shape without computing it, as in Theano, and the
static shape of the result holds the sizes given as numbers.
"""
from __future__ import annotations

import numpy as np

from ..graph import Apply, Constant, Op
from ..types import TensorType
from .variable import as_tensor_variable


class SpecifyShape(Op):
    """Returns its input unchanged after checking that its shape is ``shape``."""

    view_map = {0: [0]}

    def make_node(self, x, shape):
        x = as_tensor_variable(x)
        if isinstance(shape, (list, tuple)):
            from .shape_ops import make_vector

            parts = [as_tensor_variable(s) for s in shape]
            shape = make_vector(*parts, dtype="int64") if parts else as_tensor_variable(np.zeros(0, "int64"))
            static = [int(p.data) if isinstance(p, Constant) else None for p in parts]
        else:
            shape = as_tensor_variable(shape)
            static = [None] * x.ndim
            if isinstance(shape, Constant):
                static = [int(s) for s in np.asarray(shape.data).ravel()]
        if shape.ndim != 1 or shape.dtype[0] not in "iu":
            raise TypeError(f"specify_shape: the shape must be a vector of integers, got {shape.type}")
        if len(static) != x.ndim:
            raise ValueError(f"specify_shape: {x} has {x.ndim} dimension(s) but the shape has {len(static)} entries")
        for k, (s, known) in enumerate(zip(static, x.type.shape)):
            if s is not None and known is not None and s != known:
                raise ValueError(f"specify_shape: axis {k} of {x} has static length {known}, not {s}")
        out_shape = tuple(known if s is None else s for s, known in zip(static, x.type.shape))
        return Apply(self, [x, shape], [TensorType(x.dtype, shape=out_shape)()])

    def perform(self, node, inputs, output_storage):
        x, shape = inputs
        if x.shape != tuple(int(s) for s in shape):
            raise AssertionError(f"specify_shape: the input {node.inputs[0]} has shape {x.shape}, but "
                                 f"{tuple(int(s) for s in shape)} was specified")
        output_storage[0][0] = x

    def infer_shape(self, fgraph, node, input_shapes):
        from .shape_ops import MakeVector

        shape = node.inputs[1]
        if shape.owner is not None and isinstance(shape.owner.op, MakeVector):
            return [tuple(shape.owner.inputs)]
        if isinstance(shape, Constant):
            return [tuple(as_tensor_variable(np.int64(s)) for s in np.asarray(shape.data).ravel())]
        return [tuple(shape[k] for k in range(node.inputs[0].ndim))]

    def connection_pattern(self, node):
        return [[True], [False]]

    def L_op(self, inputs, outputs, output_grads):
        return [specify_shape(output_grads[0], inputs[1]), None]

    def R_op(self, inputs, eval_points):
        return [None if eval_points[0] is None else specify_shape(eval_points[0], inputs[1])]


def specify_shape(x, shape):
    """``x`` with its shape declared as ``shape`` (a tuple of ints/scalars or an int vector)."""
    return SpecifyShape()(x, shape)
