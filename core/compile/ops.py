"""Theano's ``theano.compile.ops``: ``as_op`` (an Op from a Python function) and helper ops
(``DeepCopyOp``, ``ViewOp``, ``Shape_i``)."""
from __future__ import annotations

import numpy as np

from ..deep_copy import DeepCopyOp, deep_copy_op  # noqa: F401
from ..graph import Apply, Op
from ..tensor.grad_ops import ViewOp  # noqa: F401
from ..tensor.shape_ops import Shape_i  # noqa: F401


class FromFunctionOp(Op):
    """An Op running a Python function on NumPy values (what ``as_op`` makes).

    Inputs must have the declared ``itypes``; the function's results are cast to the
    ``otypes``. No gradient: Theano's as_op ops are not differentiable either.
    """

    __props__ = ("fn", "itypes", "otypes", "infer_shape_fn")

    def __init__(self, fn, itypes, otypes, infer_shape=None):
        self.fn, self.itypes, self.otypes, self.infer_shape_fn = fn, tuple(itypes), tuple(otypes), infer_shape
        self.__name__ = getattr(fn, "__name__", "as_op")

    def __str__(self):
        return f"FromFunctionOp{{{self.__name__}}}"

    def make_node(self, *inputs):
        from ..tensor.variable import as_tensor_variable

        if len(inputs) != len(self.itypes):
            raise TypeError(f"{self} takes {len(self.itypes)} input(s), got {len(inputs)}")
        ins = []
        for k, (v, t) in enumerate(zip(inputs, self.itypes)):
            v = as_tensor_variable(v) if not hasattr(v, "type") else v
            if v.type != t and not (hasattr(t, "is_super") and t.is_super(v.type)):
                raise TypeError(f"{self}: input {k} ({v}) has type {v.type}, expected {t}")
            ins.append(v)
        return Apply(self, ins, [t() for t in self.otypes])

    def perform(self, node, inputs, output_storage):
        outs = self.fn(*inputs)
        if len(self.otypes) == 1:
            outs = [outs]
        if len(outs) != len(self.otypes):
            raise ValueError(f"{self} returned {len(outs)} value(s), expected {len(self.otypes)}")
        for cell, v, t in zip(output_storage, outs, self.otypes):
            dtype = getattr(t, "dtype", None)
            cell[0] = np.asarray(v, dtype=dtype) if dtype is not None else v

    def infer_shape(self, fgraph, node, input_shapes):
        if self.infer_shape_fn is None:
            return Op.infer_shape(self, fgraph, node, input_shapes)
        return self.infer_shape_fn(node, input_shapes)


def as_op(itypes, otypes, infer_shape=None):
    """Decorator making an Op of a Python function over NumPy arrays: ``@as_op(itypes=[T.dmatrix],
    otypes=[T.dmatrix])``. ``infer_shape(node, input_shapes)`` may give the output shapes."""
    itypes = list(itypes) if isinstance(itypes, (list, tuple)) else [itypes]
    otypes = list(otypes) if isinstance(otypes, (list, tuple)) else [otypes]
    if infer_shape is not None and not callable(infer_shape):
        raise TypeError("as_op(infer_shape=...) must be a function (node, input_shapes) -> output shapes")

    def decorator(fn):
        return FromFunctionOp(fn, itypes, otypes, infer_shape)

    return decorator
