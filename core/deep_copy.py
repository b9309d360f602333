"""Theano's ``DeepCopyOp``: a node that hands out a fresh copy of its input.

``function()`` puts one on every output that would otherwise share memory with an
input, a shared value or a constant (Theano's ``insert_deepcopy``), and on every
value an in-place node may not overwrite (see ``arignote.destroy``).
"""
from __future__ import annotations

import copy

import numpy as np

from .graph import Apply, Op


class DeepCopyOp(Op):
    """Its output is a copy of its input, never a view of it."""

    __props__ = ()

    def make_node(self, x):
        if not hasattr(x, "type"):
            from .tensor.variable import as_tensor_variable

            x = as_tensor_variable(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        (x,) = inputs
        output_storage[0][0] = x.copy() if isinstance(x, np.ndarray) else copy.deepcopy(x)

    def infer_shape(self, fgraph, node, input_shapes):
        return [input_shapes[0]]

    def L_op(self, inputs, outputs, output_grads):
        return [output_grads[0]]

    def R_op(self, inputs, eval_points):
        return [eval_points[0]]


deep_copy_op = DeepCopyOp()
