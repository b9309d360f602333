"""ifelse: choose between two sets of values on a scalar condition (Theano's ``theano.ifelse``).

The reference backend evaluates both branches and returns one; values and
gradients are those of the lazy version.
"""
from __future__ import annotations

import numpy as np

from .graph import Apply, Op
from .tensor.variable import as_tensor_variable


class IfElse(Op):
    """Outputs the ``n_outs`` "then" inputs when the condition holds, else the "else" ones."""

    __props__ = ("n_outs",)

    def __init__(self, n_outs):
        self.n_outs = int(n_outs)

    def make_node(self, cond, *values):
        cond = as_tensor_variable(cond)
        if cond.ndim != 0:
            raise TypeError(f"ifelse: the condition must be a scalar, got {cond.type}")
        n = self.n_outs
        if len(values) != 2 * n:
            raise TypeError(f"ifelse: expected {n} 'then' and {n} 'else' values, got {len(values)} in all")
        thens = [as_tensor_variable(v) for v in values[:n]]
        elses = [as_tensor_variable(v) for v in values[n:]]
        outs = []
        for k, (t, e) in enumerate(zip(thens, elses)):
            if t.ndim != e.ndim:
                raise TypeError(f"ifelse: branch {k} has {t.ndim} dims when true and {e.ndim} when false "
                                f"({t.type} vs {e.type})")
            if t.dtype != e.dtype:
                from .tensor import math as tm
                from .scalar import upcast

                dt = upcast(t.dtype, e.dtype)
                t, e = tm.cast(t, dt), tm.cast(e, dt)
                thens[k], elses[k] = t, e
            shape = tuple(a if a == b else None for a, b in zip(t.type.shape, e.type.shape))
            outs.append(t.type.clone(shape=shape)())
        return Apply(self, [cond] + thens + elses, outs)

    def perform(self, node, inputs, output_storage):
        n = self.n_outs
        chosen = inputs[1:1 + n] if inputs[0] else inputs[1 + n:]
        for cell, v, o in zip(output_storage, chosen, node.outputs):
            cell[0] = np.array(v, dtype=o.type.dtype, copy=True)

    def infer_shape(self, fgraph, node, input_shapes):
        from .tensor import math as tm

        n = self.n_outs
        cond = node.inputs[0]
        out = []
        for ts, es in zip(input_shapes[1:1 + n], input_shapes[1 + n:]):
            out.append(tuple(tm.switch(cond, a, b) for a, b in zip(ts, es)))
        return out

    def R_op(self, inputs, eval_points):
        from .tensor import math as tm

        if all(e is None for e in eval_points[1:]):
            return [None] * self.n_outs
        out = self(inputs[0], *[e if e is not None else tm.zeros_like(v) for e, v in zip(eval_points[1:], inputs[1:])])
        return out if isinstance(out, list) else [out]

    def L_op(self, inputs, outputs, output_grads):
        from .tensor import math as tm

        cond = inputs[0]
        n = self.n_outs
        gthen = [tm.switch(cond, g, tm.zeros_like(g)) for g in output_grads]
        gelse = [tm.switch(cond, tm.zeros_like(g), g) for g in output_grads]
        return [None] + [tm.sum_to_broadcast(g, v) for g, v in zip(gthen, inputs[1:1 + n])] + \
            [tm.sum_to_broadcast(g, v) for g, v in zip(gelse, inputs[1 + n:])]


def ifelse(condition, then_branch, else_branch, name=None):
    """``then_branch`` if ``condition`` (a scalar) is true, else ``else_branch``; lists are allowed."""
    single = not isinstance(then_branch, (list, tuple))
    thens = [then_branch] if single else list(then_branch)
    elses = [else_branch] if not isinstance(else_branch, (list, tuple)) else list(else_branch)
    if len(thens) != len(elses):
        raise ValueError(f"ifelse: {len(thens)} 'then' values but {len(elses)} 'else' values")
    outs = IfElse(len(thens))(condition, *thens, *elses)
    outs = [outs] if not isinstance(outs, list) else outs
    if name:
        for o in outs:
            o.name = name
    return outs[0] if single else outs
