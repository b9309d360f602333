"""Shapes without values: ``x.shape`` rewritten from the shapes of x's inputs.

The :class:`ShapeFeature` answers the symbolic shape of a variable one op at a
time, from its owner's ``infer_shape`` applied to the static sizes or
``Shape_i`` of the owner's inputs.  The rules replace ``Shape(x)``,
``Shape_i(x)`` and ``shape(x)[k]`` by those expressions; the fixpoint then walks
them up the graph one node per step (never recursively), so ``exp(x + y).shape``
ends as ``x.shape`` without computing ``exp(x + y)``.
"""
from __future__ import annotations

import numpy as np

from arignote.graph import Constant, ShapeError, Variable
from arignote.tensor.shape_ops import MakeVector, Shape, Shape_i
from arignote.tensor.subtensor import Subtensor
from arignote.tensor.variable import as_tensor_variable
from arignote.types import TensorType

from .registry import local_rule
from .utils import cast, const, const_data, const_like


class ShapeFeature:
    """Symbolic shapes inferred op by op (attached as ``fgraph.shape_feature``)."""

    def __init__(self):
        self.fgraph = None

    def on_attach(self, fgraph):
        self.fgraph = fgraph
        fgraph.shape_feature = self

    @property
    def shape_of(self):
        """A mapping var -> tuple of int64 scalars (the interface ``tensor.shape_ops.shape_i`` reads)."""
        return _ShapeOf(self)

    @staticmethod
    def direct(var, k):
        """The length of axis ``k`` of ``var`` read from ``var`` itself (static, else Shape_i)."""
        s = var.type.shape[k]
        if s is not None:
            return const(s, "int64")
        return Shape_i(k).make_node(var).outputs[0]

    def input_shape(self, var):
        if not isinstance(var.type, TensorType):
            return None
        return tuple(self.direct(var, k) for k in range(var.ndim))

    def infer(self, var):
        """var's shape from its owner's inputs' shapes (one step), or None when the op cannot say."""
        node = var.owner
        if node is None:
            return None
        try:
            shapes = node.op.infer_shape(self.fgraph, node, [self.input_shape(i) for i in node.inputs])
        except (ShapeError, NotImplementedError):
            return None
        out = shapes[var.index]
        if out is None or len(out) != var.ndim:
            return None
        return tuple(_as_int64(s) for s in out)


class _ShapeOf:
    def __init__(self, feature):
        self.feature = feature

    def __getitem__(self, var):
        res = self.feature.infer(var)
        if res is None:
            res = self.feature.input_shape(var)
        if res is None:
            raise KeyError(var)
        return res

    def __contains__(self, var):
        return isinstance(getattr(var, "type", None), TensorType)


def _as_int64(s):
    if not isinstance(s, Variable):
        return const(int(s), "int64")
    s = as_tensor_variable(s)
    return cast(s, "int64")


def feature(fgraph):
    """The fgraph's ShapeFeature (attached on first use)."""
    f = getattr(fgraph, "shape_feature", None)
    if not isinstance(f, ShapeFeature):
        f = ShapeFeature()
        fgraph.attach_feature(f)
    return f


def _is_self(s, var, k):
    node = s.owner
    return node is not None and isinstance(node.op, Shape_i) and node.op.i == k and node.inputs[0] is var


@local_rule((Shape_i,), "canonicalize", "specialize", tags=("shape", "shape_feature"))
def local_shape_i_infer(fgraph, node):
    """Shape_i(k)(f(x)) -> the length inferred from x's shape (a constant when static)."""
    var, k = node.inputs[0], node.op.i
    if var.type.shape[k] is not None:
        return [const(var.type.shape[k], "int64")]
    shp = feature(fgraph).infer(var)
    if shp is None:
        return None
    s = shp[k]
    if _is_self(s, var, k) or s.type != node.outputs[0].type:
        return None
    return [s]


@local_rule((Shape,), "canonicalize", "specialize", tags=("shape", "shape_feature"))
def local_shape_to_shape_i(fgraph, node):
    """Shape(x) -> make_vector of x's inferred lengths (a constant when all are static)."""
    var = node.inputs[0]
    out = node.outputs[0]
    static = var.type.shape
    if all(s is not None for s in static):
        return [const_like(np.array(static, dtype="int64"), out)]
    if var.owner is None:
        return None
    shp = feature(fgraph).infer(var)
    if shp is None:
        shp = feature(fgraph).input_shape(var)
    new = MakeVector("int64").make_node(*shp).outputs[0]
    return [new] if new.type == out.type else None


@local_rule((Subtensor,), "canonicalize", "specialize", tags=("shape", "shape_feature", "subtensor"))
def local_subtensor_of_shape(fgraph, node):
    """shape(x)[k] -> Shape_i(k)(x); make_vector(a, b, c)[k] -> the k-th entry (k a constant)."""
    if node.op.idx_list != ("int",):
        return None
    vec, idx = node.inputs
    data = const_data(idx)
    if data is None or vec.owner is None:
        return None
    k = int(data.reshape(()))
    op = vec.owner.op
    out = node.outputs[0]
    if isinstance(op, Shape):
        x = vec.owner.inputs[0]
        if not -x.ndim <= k < x.ndim:
            return None
        return [ShapeFeature.direct(x, k % x.ndim)]
    if isinstance(op, MakeVector):
        entries = vec.owner.inputs
        if not -len(entries) <= k < len(entries):
            return None
        e = cast(entries[k], out.dtype)
        return [e] if e.type == out.type or isinstance(e, Constant) and e.dtype == out.dtype else None
    return None
