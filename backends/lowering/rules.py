"""Per-op lowering rules: the step of one node that is not an Elemwise, or None for a NumPy fallback.

The rules arrive as LoweringRecords through the ``arignote_register_lowerings`` hook, the built-in
ones below included (backends/lowering/plugin.py); ``register_lowering`` adds one directly."""
from __future__ import annotations

import functools

import numpy as np

from arignote.types import TensorType

from arignote.deep_copy import DeepCopyOp
from arignote.tensor.basic import Alloc, Join
from arignote.tensor.elemwise import DimShuffle
from arignote.tensor.linalg import Dot, Matmul
from arignote.tensor.reduction import Argmax, CumOp, Reduce
from arignote.tensor.shape_ops import MakeVector, Reshape, Shape, Shape_i
from arignote.tensor.subtensor import AdvancedIncSubtensor, AdvancedSubtensor, IncSubtensor, Subtensor

from . import limits
from .steps import (AllocStep, LoopStep, ArgStep, CumStep, DimShuffleStep, DotStep, IncSubtensorStep, GatherStep, IntDotStep, MaskPutStep, MaskStep, ScatterStep, JoinStep, PutStep, ReduceStep, ReshapeStep, ShapeStep, SubtensorStep, TakeStep,
                    _dtype_ok, _is_tensor)


# ------------------------------------------------------------- per-op rules


@functools.singledispatch
def _dispatch(op, node, target):
    return None


_hooked: list = []  # [True] once the plugins' LoweringRecords are registered in _dispatch


def lower_node(op, node, target):
    """The step for one node (not Elemwise), or None for a NumPy fallback."""
    if not _hooked:
        _load_hooked()
    return _dispatch(op, node, target)


def _load_hooked():
    from arignote import plugin_manager

    for rec in plugin_manager.lowerings().values():
        if rec.op_type not in _dispatch.registry:
            _dispatch.register(rec.op_type)(rec.lower)
    _hooked.append(True)


def register_lowering(op_type):
    """Decorator: ``@register_lowering(MyOp) def f(op, node, target) -> Step | None``."""
    return _dispatch.register(op_type)


def _lower_dimshuffle(op, node, target):
    if not _dtype_ok(target, *node.inputs, *node.outputs):
        return None
    return DimShuffleStep(list(node.inputs), list(node.outputs), [node], order=tuple(op.new_order))


def _lower_reduce(op, node, target):
    x, (z,) = node.inputs[0], node.outputs
    if not _dtype_ok(target, x, z):
        return None
    return ReduceStep([x], [z], [node], kind_=op.kind, axes=tuple(op.axis), in_dtype=x.dtype, out_dtype=z.dtype)


def _lower_dot(op, node, target):
    """A dot's steps in every mode: a 0-d operand is an elementwise product; mixed dtypes with a
    float result are cast to it first (NumPy's rule), then multiplied by BLAS.  Matmul where one
    operand has no batch axes is the same product (plus a view)."""
    x, y = node.inputs
    (z,) = node.outputs
    if not _dtype_ok(target, x, y, z):
        return None
    if isinstance(op, Dot) and (x.ndim == 0 or y.ndim == 0):
        return _elemwise_steps(node, target, _tensor().mul(x, y), z)
    batched = isinstance(op, Matmul) and x.ndim > 2 and y.ndim > 2
    if _int_dot(x, y, z) and not batched:
        return _product(node, [x, y], z, lambda i, o: IntDotStep(i, o, [node]))
    if not target.blas or z.dtype not in BLAS_DTYPES or x.ndim < 1 or y.ndim < 1:
        return None
    steps, operands = [], []
    for v in (x, y):
        if v.dtype != z.dtype:
            cast = _tensor().cast(v, z.dtype)
            part = _elemwise_steps(node, target, cast, cast)
            if part is None:
                return None
            steps += part
            v = cast
        operands.append(v)
    if batched:
        return [*steps, DotStep(operands, [z], [node], dtype=z.dtype, batched=True)]
    return [*steps, *_product(node, operands, z, lambda i, o: DotStep(i, o, [node], dtype=z.dtype))]


#: the dtypes DotStep multiplies through BLAS (d, s, z, c gemm)
BLAS_DTYPES = ("float32", "float64", "complex64", "complex128")


def _product(node, operands, z, make):
    """The product step ``make(inputs, outputs)`` of numpy.dot's rule into ``z``.  A matmul of
    x (m, k) and y (b..., k, n) is dot(x, y) (m, b..., n) with its m axis moved behind the batch axes
    (one product per batch, then a view); with x of any rank and y a matrix or a vector, or x a
    vector, matmul is dot itself."""
    x, y = operands
    if not (isinstance(node.op, Matmul) and x.ndim == 2 and y.ndim > 2):
        return [make([x, y], [z])]
    prod = TensorType(z.dtype, shape=(x.type.shape[0], *y.type.shape[:-2], y.type.shape[-1]))()
    nb = y.ndim - 2
    return [make([x, y], [prod]), DimShuffleStep([prod], [z], [node], order=(*range(1, nb + 1), 0, nb + 1))]


def _tensor():
    import arignote.tensor as T  # the public constructors, imported when first needed

    return T


def _elemwise_steps(node, target, expr, result):
    """Steps computing the detached elementwise graph ``expr`` (built on ``node``'s inputs) into
    ``result`` in ``result``'s dtype: its DimShuffles as views, its Elemwise nodes as one loop.
    None when a piece is not renderable (the node falls back as a whole)."""
    from arignote.graph import io_toposort
    from arignote.tensor.elemwise import Elemwise

    from .body import NotRenderable, _LoopBuilder, _Memo

    steps, b = [], _LoopBuilder(target, result.ndim, _Memo(target))
    try:
        for n in io_toposort(list(node.inputs), [expr]):
            if isinstance(n.op, DimShuffle):
                step = _lower_dimshuffle(n.op, n, target)
                if step is None:
                    return None
                step.nodes = [node]
                steps.append(step)
            elif isinstance(n.op, Elemwise):
                b.add_node(n)
            else:  # pragma: no cover - the callers build only DimShuffles and Elemwises
                return None
        out_val = b.body.cast(b.values[expr], result.dtype)
    except NotRenderable:
        return None
    if len(b.operands) + 1 > limits.MAX_OPERANDS:
        return None
    loop = LoopStep(list(b.operands), [result], [node], ndim=result.ndim,
                    bcast=[tuple(v.type.broadcastable) for v in b.operands], body=list(b.body.vals),
                    out_vals=[out_val], literals=dict(b.literals))
    return [*steps, loop]


def _int_dot(x, y, z):
    """Is this NumPy's integer dot of two arrays, in NumPy's result dtype?"""
    return (all(v.dtype[0] in "iu" for v in (x, y, z)) and x.ndim >= 1 and y.ndim >= 1
            and np.result_type(x.dtype, y.dtype) == np.dtype(z.dtype))


def _lower_shape(op, node, target):
    if not _dtype_ok(target, *node.inputs):
        return None
    return ShapeStep(list(node.inputs), list(node.outputs), [node], axis=None)


def _lower_shape_i(op, node, target):
    if not _dtype_ok(target, *node.inputs):
        return None
    return ShapeStep(list(node.inputs), list(node.outputs), [node], axis=op.i)


def _int_scalars(vs):
    return all(_is_tensor(v) and v.ndim == 0 and v.dtype[0] in "iu" for v in vs)


def _basic_index(op, idx):
    """Are the entries integers and slices over integer scalars (what SubtensorStep renders)?"""
    if not _int_scalars(idx):
        return False
    return all(e == "int" or (isinstance(e, tuple) and e[0] == "slice") for e in op.idx_list)


def _lower_subtensor(op, node, target):
    x, *idx = node.inputs
    if not _dtype_ok(target, x, *node.outputs) or not _basic_index(op, idx):
        return None
    return SubtensorStep(list(node.inputs), list(node.outputs), [node], idx_list=tuple(op.idx_list))


def _lower_inc_subtensor(op, node, target):
    x, y, *idx = node.inputs
    if not _dtype_ok(target, x, y, *node.outputs) or not _basic_index(op, idx) or y.dtype != x.dtype:
        return None
    region_ndim = x.ndim - sum(e == "int" for e in op.idx_list)
    if y.ndim > region_ndim:
        return None
    return IncSubtensorStep(list(node.inputs), list(node.outputs), [node], idx_list=tuple(op.idx_list),
                            set_=op.set_instead_of_inc, y_bcast=tuple(s == 1 for s in y.type.shape))


def _lower_join(op, node, target):
    (z,), tensors = node.outputs, node.inputs[1:]  # Theano's Join: input 0 is the (constant) axis
    if not _dtype_ok(target, *tensors, z) or any(v.dtype != z.dtype for v in tensors):
        return None
    return JoinStep(list(tensors), [z], [node], axis=int(node.inputs[0].data), stacked=False)


def _lower_make_vector(op, node, target):
    (z,) = node.outputs
    if not _dtype_ok(target, *node.inputs, z) or any(v.dtype != z.dtype or v.ndim for v in node.inputs):
        return None
    return JoinStep(list(node.inputs), [z], [node], axis=0, stacked=True)


def _lower_reshape(op, node, target):
    x, shp = node.inputs
    if not _dtype_ok(target, x, shp, *node.outputs) or shp.ndim != 1 or shp.dtype[0] not in "iu":
        return None
    return ReshapeStep(list(node.inputs), list(node.outputs), [node], ndim=op.ndim)


def _first_axis_array(op, index):
    """Is the advanced index one integer array on the first axis (``x[idx]``, NumPy's ``take``)?"""
    return (len(op.idx_list) == 1 and isinstance(op.idx_list[0], tuple) and op.idx_list[0][0] == "array"
            and len(index) == 1 and index[0].dtype[0] in "iu")


def _bool_mask(op, index):
    """Is the advanced index one bool array (rank >= 1) over the leading axes (``x[mask]``)?"""
    return (len(op.idx_list) == 1 and isinstance(op.idx_list[0], tuple) and op.idx_list[0][0] == "bool"
            and len(index) == 1 and index[0].dtype == "bool" and index[0].ndim >= 1)


def _is_slice(e):
    return isinstance(e, tuple) and e[0] == "slice"


def _advanced_index(op, x, index, first):
    """GatherStep's fields for an index of integer arrays, bool masks, integers, slices and new axes
    (``view``, ``axes``, ``at``, ``arrays``: the arrays' input positions, ``index`` starting at
    ``first``), or None."""
    view, axes, arrays, adv = [], [], [], []
    i = vdims = 0
    for pos, e in enumerate(op.idx_list):
        if e == "int" or _is_slice(e):
            n = 1 if e == "int" else sum(e[1:])
            if not _int_scalars(index[i:i + n]):
                return None
            view.append(e)
            i += n
            if e == "int":
                adv.append(pos)
            else:
                vdims += 1
        elif e == "newaxis":
            view.append(e)
            vdims += 1
        elif e[0] in ("array", "bool"):
            n = 1 if e[0] == "array" else e[1]  # a mask of rank k >= 1 takes k axes (as its nonzero())
            view += [("slice", False, False, False)] * n
            axes.append(vdims if n else -1)
            vdims += n
            arrays.append(first + i)
            adv.append(pos)
            i += 1
        else:
            return None
    if not arrays or any(index[j - first].dtype[0] not in "iub" for j in arrays) or \
            len(view) - view.count("newaxis") > x.ndim:
        return None
    adjacent = adv == list(range(adv[0], adv[-1] + 1))
    at = sum(_is_slice(e) or e == "newaxis" for e in op.idx_list[:adv[0]]) if adjacent else 0
    return dict(view=tuple(view), axes=tuple(axes), at=at, arrays=tuple(arrays))


def _lower_advanced_subtensor(op, node, target):
    x, *idx = node.inputs
    if not _dtype_ok(target, x, *idx, *node.outputs):
        return None
    if _bool_mask(op, idx) and x.ndim >= idx[0].ndim:
        return MaskStep(list(node.inputs), list(node.outputs), [node])
    if _first_axis_array(op, idx) and x.ndim >= 1:
        return TakeStep(list(node.inputs), list(node.outputs), [node])
    found = _advanced_index(op, x, idx, 1)
    if found is None:
        return None
    return GatherStep(list(node.inputs), list(node.outputs), [node], **found)


def _lower_advanced_inc(op, node, target):
    x, y, *idx = node.inputs
    if not _dtype_ok(target, x, y, *idx, *node.outputs) or y.dtype != x.dtype:
        return None
    y_bcast = tuple(s == 1 for s in y.type.shape)
    dupes = op.ignore_duplicates and not op.set_instead_of_inc
    if _bool_mask(op, idx) and x.ndim >= idx[0].ndim:  # a mask names each position once
        return MaskPutStep(list(node.inputs), list(node.outputs), [node], set_=op.set_instead_of_inc, y_bcast=y_bcast)
    if _first_axis_array(op, idx) and x.ndim >= 1 and not dupes:
        return PutStep(list(node.inputs), list(node.outputs), [node], set_=op.set_instead_of_inc, y_bcast=y_bcast)
    found = _advanced_index(op, x, idx, 2)
    if found is None:
        return None
    return ScatterStep(list(node.inputs), list(node.outputs), [node], set_=op.set_instead_of_inc,
                       y_bcast=y_bcast, ignore_dupes=dupes, **found)


def _lower_alloc(op, node, target):
    v, *shape = node.inputs
    if not _dtype_ok(target, v, *node.outputs) or any(not _is_tensor(s) or s.ndim or s.dtype[0] not in "iu"
                                                         for s in shape):
        return None
    return AllocStep(list(node.inputs), list(node.outputs), [node], v_bcast=tuple(s == 1 for s in v.type.shape))


def _lower_arg(op, node, target):
    (x,) = node.inputs
    if not _dtype_ok(target, x, *node.outputs) or x.dtype[0] not in "fiub" or x.dtype == "float16":
        return None
    if op.axis is not None and not isinstance(op.axis, int):
        return None
    return ArgStep([x], list(node.outputs), [node], kind_=op.kind, axis=op.axis)


def _lower_cum(op, node, target):
    (x,), (z,) = node.inputs, node.outputs
    if not _dtype_ok(target, x, z) or op.mode not in ("add", "mul"):
        return None
    floats = x.dtype in ("float32", "float64") and z.dtype == x.dtype
    ints = x.dtype[0] in "iub" and z.dtype in ("int64", "uint64")
    if not (floats or ints) or (op.axis is not None and not isinstance(op.axis, int)):
        return None
    return CumStep([x], [z], [node], mode=op.mode, axis=op.axis)


def _lower_deep_copy(op, node, target):
    """function()'s copy of an output (Theano's DeepCopyOp), natively, into fresh C-ordered
    storage: a join of the one array (every element as it is: NaN, -0.0, complex); a 0-d value,
    which a join cannot hold, as a max over no axes (a sum for complex: a -0.0 part becomes +0.0)."""
    (x,), (z,) = node.inputs, node.outputs
    if not _dtype_ok(target, x, z):
        return None
    if x.ndim:
        return JoinStep([x], [z], [node], axis=0, stacked=False)
    kind = "sum" if x.dtype.startswith("complex") else "max"
    return ReduceStep([x], [z], [node], kind_=kind, axes=(), in_dtype=x.dtype, out_dtype=z.dtype)


def needs_blas(fgraph):
    """Does ``fgraph`` hold a node the lowering may turn into a BLAS call (Dot, Matmul)?"""
    return any(isinstance(n.op, (Dot, Matmul)) for n in fgraph.apply_nodes)


#: the built-in rules, registered through the hook by backends/lowering/plugin.py
BUILTIN = {DimShuffle: _lower_dimshuffle, Reduce: _lower_reduce, Dot: _lower_dot, Matmul: _lower_dot,
           Shape: _lower_shape, Shape_i: _lower_shape_i, Subtensor: _lower_subtensor, Reshape: _lower_reshape,
           AdvancedSubtensor: _lower_advanced_subtensor, AdvancedIncSubtensor: _lower_advanced_inc,
           Alloc: _lower_alloc, Argmax: _lower_arg, CumOp: _lower_cum, Join: _lower_join, MakeVector: _lower_make_vector,
           IncSubtensor: _lower_inc_subtensor, DeepCopyOp: _lower_deep_copy}
