"""Gradient-control ops: identity forward, a changed gradient backward (``arignote.gradient`` exports them)."""
from __future__ import annotations

from ..graph import Apply, Op
from ..grad_markers import disconnected_type
from .variable import as_tensor_variable


def _tm():
    from . import math as tm

    return tm


class ViewOp(Op):
    """Identity in the forward pass; subclasses change what the gradient does."""

    __props__ = ()
    view_map = {0: [0]}

    def make_node(self, x):
        x = as_tensor_variable(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0]

    def infer_shape(self, fgraph, node, input_shapes):
        return [input_shapes[0]]

    def L_op(self, inputs, outputs, output_grads):
        return [output_grads[0]]

    def R_op(self, inputs, eval_points):
        return [eval_points[0]]


class ZeroGrad(ViewOp):
    """Forward identity; its gradient is zero."""

    def L_op(self, inputs, outputs, output_grads):
        return [_tm().zeros_like(inputs[0])]

    def R_op(self, inputs, eval_points):
        return [_tm().zeros_like(inputs[0])]


class DisconnectedGrad(ViewOp):
    """Forward identity; gradients do not flow through it (the input counts as disconnected)."""

    def L_op(self, inputs, outputs, output_grads):
        return [disconnected_type()]

    def connection_pattern(self, node):
        return [[False]]

    def R_op(self, inputs, eval_points):
        return [_tm().zeros_like(inputs[0])]


class GradClip(ViewOp):
    """Forward identity; the gradient is clipped to [lower, upper]."""

    __props__ = ("lower", "upper")

    def __init__(self, lower, upper):
        if lower > upper:
            raise ValueError(f"grad_clip: lower bound {lower} exceeds upper bound {upper}")
        self.lower, self.upper = float(lower), float(upper)

    def L_op(self, inputs, outputs, output_grads):
        return [_tm().clip(output_grads[0], self.lower, self.upper)]


class GradScale(ViewOp):
    """Forward identity; the gradient is multiplied by ``multiplier``."""

    __props__ = ("multiplier",)

    def __init__(self, multiplier):
        self.multiplier = float(multiplier)

    def L_op(self, inputs, outputs, output_grads):
        return [output_grads[0] * self.multiplier]


_zero_grad, _disconnected_grad = ZeroGrad(), DisconnectedGrad()


def zero_grad(x):
    """x in the forward pass, with a zero gradient."""
    return _zero_grad(x)


def disconnected_grad(x):
    """x in the forward pass; gradients treat it as disconnected from its inputs."""
    return _disconnected_grad(x)


consider_constant = zero_grad


def grad_clip(x, lower_bound, upper_bound):
    """x in the forward pass; its gradient is clipped to [lower_bound, upper_bound]."""
    return GradClip(lower_bound, upper_bound)(x)


def grad_scale(x, multiplier):
    """x in the forward pass; its gradient is multiplied by ``multiplier``."""
    return GradScale(multiplier)(x)
