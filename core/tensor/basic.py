"""Ops that make arrays: alloc/zeros/ones/full/empty, arange, eye/identity_like, and
join/split/concatenate/stack."""
from __future__ import annotations

import builtins

import numpy as np

from ..graph import Apply, Constant, Op, Variable
from ..types import TensorType
from .. import scalar as ps
from .variable import _TensorMixin, as_tensor_variable, constant
from .shape_ops import (expand_dims, make_vector, MakeVector, shape_i, shape_tuple, _as_int_scalar,
                        _as_int_vector, _as_tensor, _const_int, _i64, _INT, _is_disconnected,
                        _is_float, _normalize_axis, _rop_linear_in_all, _rop_linear_in_first,
                        _shape_entries, _shape_str, _static_vector_values, _vector_entries)

__all__ = ["Alloc", "ARange", "Join", "Split", "Eye", "alloc", "zeros", "ones", "full", "empty", "arange",
           "join", "concatenate", "split", "stack", "eye", "identity_like"]

# --------------------------------------------------------------------- Alloc


class Alloc(Op):
    """``alloc(value, *shape)``: a new array of ``shape`` filled with ``value`` (broadcast
    against the trailing axes).  A non-broadcastable axis of ``value`` is never broadcast."""

    __props__ = ()

    def make_node(self, value, *shape):
        v = _as_tensor(value, "alloc")
        sh = [_as_int_scalar(s, f"alloc: shape entry {k}") for k, s in enumerate(shape)]
        if v.ndim > len(sh):
            raise ValueError(f"alloc: the value {v} ({v.type}) has more dimensions ({v.ndim}) than the "
                             f"requested shape ({len(sh)})")
        lead = len(sh) - v.ndim
        out = []
        for k, s in enumerate(sh):
            c = _const_int(s)
            if c is not None and c < 0:
                raise ValueError(f"alloc: negative dimension {c} in the requested shape")
            vs = v.type.shape[k - lead] if k >= lead else None
            if c is not None and vs is not None and vs != 1 and vs != c:
                raise ValueError(f"alloc: cannot broadcast {v} of shape {_shape_str(v.type.shape)} to a "
                                 f"shape with {c} on axis {k}")
            if c is None and vs is not None and vs != 1:
                c = vs
            out.append(c)
        return Apply(self, [v] + sh, [TensorType(v.dtype, shape=out).make_variable()])

    def perform(self, node, inputs, output_storage):
        v, *sh = inputs
        shp = tuple(int(s) for s in sh)
        if builtins.any(s < 0 for s in shp):
            raise ValueError(f"alloc: negative dimension in the requested shape {shp}")
        vtype = node.inputs[0].type
        lead = len(shp) - v.ndim
        for j in range(v.ndim):
            if v.shape[j] != shp[lead + j] and not (vtype.shape[j] == 1):
                if v.shape[j] == 1:
                    raise ValueError(
                        f"alloc: value of shape {v.shape} would need run-time broadcasting of axis {j} "
                        f"to the shape {shp}; that axis is not broadcastable in its type {vtype} "
                        f"(declare it broadcastable, e.g. with dimshuffle or T.row/T.col)")
                raise ValueError(f"alloc: cannot broadcast a value of shape {v.shape} to the shape {shp}")
        out = np.empty(shp, dtype=node.outputs[0].type.dtype)
        out[...] = v
        output_storage[0][0] = out

    def infer_shape(self, fgraph, node, input_shapes):
        return [tuple(node.inputs[1:])]

    def connection_pattern(self, node):
        return [[True]] + [[False]] * (len(node.inputs) - 1)

    def L_op(self, inputs, outputs, output_grads):
        from . import math as tm

        v = inputs[0]
        (gz,) = output_grads
        lead = gz.ndim - v.ndim
        g = gz
        if lead:
            g = tm.sum(g, axis=list(range(lead)))
        axes = [k for k in range(v.ndim) if v.type.broadcastable[k] and not g.type.broadcastable[k]]
        if axes:
            g = tm.sum(g, axis=axes, keepdims=True)
        if _is_float(v) and g.dtype != v.dtype:
            g = tm.cast(g, v.dtype)
        return [g] + [None] * (len(inputs) - 1)


_alloc = Alloc()


def alloc(value, *shape):
    """An array of ``shape`` filled with ``value`` (Theano's ``T.alloc(value, *shape)``)."""
    if len(shape) == 1 and isinstance(shape[0], (list, tuple)):
        shape = tuple(shape[0])
    elif len(shape) == 1 and isinstance(shape[0], _TensorMixin) and shape[0].ndim == 1:
        shape = tuple(_shape_entries(shape[0], "alloc"))
    return _alloc(value, *shape)


def _default_dtype(dtype):
    from ..config import config

    if dtype is None or dtype == "floatX":
        return config.floatX
    return np.dtype(dtype).name


def full(shape, fill_value, dtype=None):
    """An array of ``shape`` filled with ``fill_value``.

    ``dtype`` defaults to the value's dtype (a symbolic value), int64 (a
    Python int), bool (a Python bool), otherwise ``config.floatX``.
    """
    entries = _shape_entries(shape, "full")
    if isinstance(fill_value, Variable):
        v = _as_tensor(fill_value, "full")
        if dtype is not None:
            from . import math as tm

            v = tm.cast(v, _default_dtype(dtype))
    else:
        if dtype is None:
            if isinstance(fill_value, (bool, np.bool_)):
                dtype = "bool"
            elif isinstance(fill_value, (int, np.integer)):
                dtype = "int64" if isinstance(fill_value, int) else np.asarray(fill_value).dtype.name
            elif isinstance(fill_value, np.ndarray) and fill_value.dtype.kind in "biuc":
                dtype = fill_value.dtype.name
            elif isinstance(fill_value, complex):
                dtype = "complex128"
            else:
                dtype = None
        v = constant(np.asarray(fill_value, dtype=_default_dtype(dtype)))
    return _alloc(v, *entries)


def zeros(shape, dtype=None):
    """An array of zeros (dtype defaults to ``config.floatX``)."""
    return _alloc(constant(np.zeros((), dtype=_default_dtype(dtype))), *_shape_entries(shape, "zeros"))


def ones(shape, dtype=None):
    """An array of ones (dtype defaults to ``config.floatX``)."""
    return _alloc(constant(np.ones((), dtype=_default_dtype(dtype))), *_shape_entries(shape, "ones"))


def empty(shape, dtype=None):
    """An array of ``shape`` whose contents are unspecified (zeros here)."""
    return zeros(shape, dtype)


# -------------------------------------------------------------------- ARange


class ARange(Op):
    """numpy.arange(start, stop, step, dtype) with scalar (possibly symbolic) bounds."""

    __props__ = ("dtype",)

    def __init__(self, dtype):
        self.dtype = np.dtype(dtype).name

    def make_node(self, start, stop, step):
        ins = []
        for name, v in (("start", start), ("stop", stop), ("step", step)):
            v = _as_tensor(v, "arange")
            if v.ndim != 0:
                raise TypeError(f"arange: {name} must be a scalar, got {v} ({v.type})")
            if v.dtype.startswith("complex") or v.dtype == "bool":
                raise TypeError(f"arange: {name} must be a real number, got {v} of dtype {v.dtype}")
            ins.append(v)
        n = None
        if builtins.all(isinstance(i, Constant) for i in ins):
            a, b, c = (np.asarray(i.data) for i in ins)
            if c == 0:
                raise ValueError("arange: step must not be zero")
            n = len(np.arange(a, b, c, dtype=self.dtype))
        return Apply(self, ins, [TensorType(self.dtype, shape=(n,)).make_variable()])

    def perform(self, node, inputs, output_storage):
        start, stop, step = inputs
        if step == 0:
            raise ValueError("arange: step must not be zero")
        out = np.arange(start, stop, step, dtype=self.dtype)
        output_storage[0][0] = out

    def infer_shape(self, fgraph, node, input_shapes):
        from . import math as tm

        start, stop, step = node.inputs
        if node.outputs[0].type.shape[0] is not None:
            return [(_i64(node.outputs[0].type.shape[0]),)]
        if builtins.all(i.dtype in _INT for i in node.inputs):
            start, stop, step = (tm.cast(i, "int64") for i in (start, stop, step))
            n = tm.neg(tm.int_div(start - stop, step))  # ceil((stop - start) / step)
        else:
            start, stop, step = (tm.cast(i, "float64") for i in (start, stop, step))
            n = tm.cast(tm.ceil((stop - start) / step), "int64")
        return [(tm.maximum(n, 0),)]

    def L_op(self, inputs, outputs, output_grads):
        from . import math as tm

        (gz,) = output_grads
        if not self.dtype.startswith("float"):
            return [None, None, None]
        start, stop, step = inputs
        n = shape_i(outputs[0], 0)
        idx = ARange(self.dtype)(_i64(0), n, _i64(1))
        res = []
        for v, g in ((start, tm.sum(gz)), (stop, None), (step, tm.sum(gz * idx))):
            if not _is_float(v):
                res.append(None)
            elif g is None:
                res.append(tm.zeros_like(v))
            else:
                res.append(tm.cast(g, v.dtype))
        return res


def arange(start, stop=None, step=1, dtype=None):
    """numpy.arange with Python or symbolic scalar bounds.

    Without ``dtype``: Python ints (only) give int64, any Python float gives
    ``config.floatX``; symbolic bounds give their upcast dtype (a Python float
    with integer symbolic bounds gives ``config.floatX``).
    """
    if stop is None:
        start, stop = 0, start
    vals = (start, stop, step)
    for name, v in zip(("start", "stop", "step"), vals):
        if isinstance(v, (bool, np.bool_, complex, str)) or v is None:
            raise TypeError(f"arange: {name} must be a real number, got {v!r}")
    sym = [v for v in vals if isinstance(v, Variable)]
    py = [v for v in vals if not isinstance(v, Variable)]
    has_float = builtins.any(isinstance(v, (float, np.floating)) for v in py)
    if dtype is None:
        from ..config import config

        if sym:
            dtype = ps.upcast(*[_as_tensor(v, "arange").dtype for v in sym])
            npy = [np.asarray(v).dtype for v in py if isinstance(v, np.generic)]
            if npy:
                dtype = ps.upcast(dtype, *npy)
            if has_float and dtype not in ("float32", "float64", "float16"):
                dtype = config.floatX
        elif has_float:
            dtype = config.floatX
        else:
            npy = [np.asarray(v).dtype for v in py if isinstance(v, np.generic)]
            dtype = ps.upcast("int64", *npy) if npy else "int64"
    dtype = _default_dtype(dtype)

    def conv(v):
        if isinstance(v, Variable):
            return v
        if isinstance(v, (int, np.integer)):
            return _i64(v)
        return constant(np.float64(v))

    return ARange(dtype)(conv(start), conv(stop), conv(step))


# ---------------------------------------------------------------- Join/Split


class Join(Op):
    """Concatenate tensors of equal ndim along ``axis``: Theano's ``Join`` op, whose first input
    is the axis (here a non-negative integer constant) and the others the tensors."""

    __props__ = ()

    def make_node(self, axis, *tensors):
        from . import math as tm

        axis_var = _join_axis(axis)
        if not tensors:
            raise ValueError("join: needs at least one tensor")
        ts = []
        for k, t in enumerate(tensors):
            if isinstance(t, Variable) and not isinstance(t, _TensorMixin):
                raise TypeError(f"join: input {k} ({t}) is not a tensor (type {t.type})")
            ts.append(as_tensor_variable(t))
        ndims = [t.ndim for t in ts]
        if len(set(ndims)) != 1:
            raise ValueError(
                "join: all inputs must have the same number of dimensions, got ndims "
                f"{ndims} for types {[str(t.type) for t in ts]}")
        ndim = ndims[0]
        if ndim == 0:
            raise ValueError("join: cannot join 0-d tensors (scalars); use stack")
        axis = int(axis_var.data)
        if not 0 <= axis < ndim:
            raise ValueError(f"join: axis {axis} is out of bounds for {ndim}-d inputs")
        dtype = ps.upcast(*[t.dtype for t in ts])
        ts = [tm.cast(t, dtype) if t.dtype != dtype else t for t in ts]
        out = []
        for d in range(ndim):
            dims = [t.type.shape[d] for t in ts]
            if d == axis:
                out.append(sum(dims) if builtins.all(s is not None for s in dims) else None)
                continue
            known = {s for s in dims if s is not None}
            if len(known) > 1:
                raise ValueError(
                    f"join: input shapes {[_shape_str(t.type.shape) for t in ts]} differ on axis {d}; "
                    f"only axis {axis} (the join axis) may differ")
            out.append(known.pop() if known else None)
        return Apply(self, [axis_var] + ts, [TensorType(dtype, shape=out).make_variable()])

    def perform(self, node, inputs, output_storage):
        if len(inputs) == len(node.inputs):
            axis, inputs = int(inputs[0]), inputs[1:]
        else:  # the values of the tensors only (a backend's join step): the axis is the node's constant
            axis = int(node.inputs[0].data)
        s0 = inputs[0].shape
        for a in inputs[1:]:
            if a.shape[:axis] != s0[:axis] or a.shape[axis + 1:] != s0[axis + 1:]:
                raise ValueError(
                    f"join: input shapes {[i.shape for i in inputs]} differ outside the join axis {axis}")
        out = np.concatenate(inputs, axis=axis)
        if out.dtype != node.outputs[0].type.numpy_dtype:
            out = out.astype(node.outputs[0].type.dtype)
        output_storage[0][0] = out

    def infer_shape(self, fgraph, node, input_shapes):
        from . import math as tm

        axis, input_shapes = int(node.inputs[0].data), input_shapes[1:]
        res = []
        for d in range(node.outputs[0].ndim):
            s = node.outputs[0].type.shape[d]
            if s is not None:
                res.append(_i64(s))
            elif d == axis:
                parts = [shp[axis] for shp in input_shapes]
                res.append(parts[0] if len(parts) == 1 else tm.add(*parts))
            else:
                res.append(input_shapes[0][d])
        return [tuple(res)]

    def L_op(self, inputs, outputs, output_grads):
        (gz,) = output_grads
        if not _is_float(outputs[0]):
            return [None] * len(inputs)
        axis, inputs = int(inputs[0].data), inputs[1:]
        sizes = [shape_i(t, axis) for t in inputs]
        pieces = split(gz, make_vector(*sizes, dtype="int64"), len(inputs), axis=axis)
        res = [None]  # the axis
        for t, g in zip(inputs, pieces):
            if not _is_float(t):
                res.append(None)
                continue
            if g.dtype != t.dtype:
                from . import math as tm

                g = tm.cast(g, t.dtype)
            res.append(g)
        return res


def join(axis, *tensors):
    """Theano's ``T.join(axis, *tensors)``: concatenate along ``axis`` (may be negative)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if not tensors:
        raise ValueError("join: needs at least one tensor")
    ts = []
    for k, t in enumerate(tensors):
        if isinstance(t, Variable) and not isinstance(t, _TensorMixin):
            raise TypeError(f"join: input {k} ({t}) is not a tensor (type {t.type})")
        ts.append(as_tensor_variable(t))
    ndim = ts[0].ndim
    if ndim == 0:
        raise ValueError("join: cannot join 0-d tensors (scalars); use stack")
    if builtins.any(t.ndim != ndim for t in ts):
        raise ValueError(
            "join: all inputs must have the same number of dimensions, got ndims "
            f"{[t.ndim for t in ts]} for types {[str(t.type) for t in ts]}")
    axis = _normalize_axis(axis, ndim, "join")
    if len(ts) == 1:
        return ts[0]
    return Join()(axis, *ts)


def _join_axis(axis):
    """Join's axis input: an integer constant (arignote needs it known when the graph is built)."""
    if isinstance(axis, Variable):
        if not isinstance(axis, Constant) or np.ndim(axis.data) != 0 or \
                not np.issubdtype(np.asarray(axis.data).dtype, np.integer):
            raise TypeError(f"join: the axis must be a constant integer, got {axis} ({axis.type})")
        return axis
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"join: the axis must be an integer, got {axis!r}")
    return constant(int(axis))


def concatenate(tensor_list, axis=0):
    """numpy.concatenate: join a list of tensors along ``axis``."""
    if not isinstance(tensor_list, (list, tuple)):
        raise TypeError("concatenate: the first argument must be a list or tuple of tensors, got "
                        f"{type(tensor_list).__name__}")
    return join(axis, *tensor_list)


class Split(Op):
    """Split ``x`` along ``axis`` into ``n_splits`` pieces of the sizes in an int vector."""

    __props__ = ("n_splits", "axis")

    def __init__(self, n_splits, axis=0):
        self.n_splits = int(n_splits)
        self.axis = int(axis)
        if self.n_splits < 1:
            raise ValueError(f"Split: n_splits must be >= 1, got {n_splits}")
        self.view_map = {i: [0] for i in range(self.n_splits)}

    def make_node(self, x, splits):
        x = _as_tensor(x, "split")
        if x.ndim == 0:
            raise ValueError("split: cannot split a 0-d tensor")
        if not 0 <= self.axis < x.ndim:
            raise ValueError(f"split: axis {self.axis} is out of bounds for {x} ({x.type})")
        splits = _as_int_vector(splits, "split: splits")
        n = splits.type.shape[0]
        if n is not None and n != self.n_splits:
            raise ValueError(f"split: {n} split sizes given for n_splits={self.n_splits}")
        static = _static_vector_values(splits) or [None] * self.n_splits
        if builtins.any(s is not None and s < 0 for s in static):
            raise ValueError(f"split: negative split size in {_shape_str(static)}")
        total = x.type.shape[self.axis]
        if total is not None and builtins.all(s is not None for s in static) and sum(static) != total:
            raise ValueError(f"split: sizes {_shape_str(static)} do not add up to the length {total} of "
                             f"axis {self.axis} of {x} ({x.type})")
        outs = []
        for s in static:
            shp = list(x.type.shape)
            shp[self.axis] = s
            outs.append(TensorType(x.dtype, shape=shp).make_variable())
        return Apply(self, [x, splits], outs)

    def perform(self, node, inputs, output_storage):
        x, splits = inputs
        if len(splits) != self.n_splits:
            raise ValueError(f"split: got {len(splits)} split sizes, expected {self.n_splits}")
        if (splits < 0).any():
            raise ValueError(f"split: negative split size in {tuple(splits.tolist())}")
        if splits.sum() != x.shape[self.axis]:
            raise ValueError(f"split: sizes {tuple(splits.tolist())} do not add up to the length "
                             f"{x.shape[self.axis]} of axis {self.axis} of an array of shape {x.shape}")
        parts = np.split(x, np.cumsum(splits)[:-1], axis=self.axis)
        for cell, p in zip(output_storage, parts):
            cell[0] = p

    def infer_shape(self, fgraph, node, input_shapes):
        xshp = input_shapes[0]
        x, splits = node.inputs
        try:
            entries = _vector_entries(splits, "split")
        except ValueError:
            entries = [splits[k] for k in range(self.n_splits)]
        res = []
        for e in entries:
            s = list(xshp)
            s[self.axis] = e
            res.append(tuple(s))
        return res

    def connection_pattern(self, node):
        return [[True] * self.n_splits, [False] * self.n_splits]

    def L_op(self, inputs, outputs, output_grads):
        x, splits = inputs
        if not _is_float(x):
            return [None, None]
        gs = []
        for o, g in zip(outputs, output_grads):
            if _is_disconnected(g):
                g = zeros(shape_tuple(o), dtype=o.dtype)
            gs.append(g)
        g = gs[0] if len(gs) == 1 else Join()(self.axis, *gs)
        if g.dtype != x.dtype:
            from . import math as tm

            g = tm.cast(g, x.dtype)
        return [g, None]


def split(x, splits_size, n_splits=None, axis=0):
    """Split ``x`` along ``axis`` into pieces of the given sizes; always returns a list."""
    x = _as_tensor(x, "split")
    if x.ndim == 0:
        raise ValueError("split: cannot split a 0-d tensor")
    axis = _normalize_axis(axis, x.ndim, "split")
    if isinstance(splits_size, (list, tuple)) and builtins.any(isinstance(s, Variable) for s in splits_size):
        splits_size = MakeVector("int64")(*[_as_int_scalar(s, "split: size") for s in splits_size])
    splits = _as_int_vector(splits_size, "split: splits")
    n = splits.type.shape[0]
    if n_splits is None:
        if n is None:
            raise ValueError("split: the number of splits is unknown; pass n_splits")
        n_splits = n
    outs = Split(n_splits, axis)(x, splits)
    return outs if isinstance(outs, list) else [outs]



def stack(tensors, *more, axis=0):
    """numpy.stack: join tensors of equal shape along a new axis (scalars make a vector)."""
    if isinstance(tensors, (list, tuple)):
        if len(more) > 1:
            raise TypeError(f"stack: takes a list of tensors and an axis, got {len(more) + 1} arguments")
        if more:
            axis = more[0]
    elif isinstance(tensors, Variable) or more:
        tensors = [tensors, *more]  # Theano's old stack(*tensors)
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(f"stack: expected a list of tensors, got {type(tensors).__name__}")
    if not tensors:
        raise ValueError("stack: needs at least one tensor")
    from .elemwise import weak_convert

    for k, t in enumerate(tensors):
        if isinstance(t, Variable) and not isinstance(t, _TensorMixin):
            raise TypeError(f"stack: input {k} ({t}) is not a tensor (type {t.type})")
    ts = weak_convert(list(tensors), "stack")  # Python numbers take the tensors' dtype
    ndims = [t.ndim for t in ts]
    if len(set(ndims)) != 1:
        raise ValueError(
            f"stack: all inputs must have the same number of dimensions, got ndims {ndims} "
            f"for types {[str(t.type) for t in ts]}")
    ndim = ndims[0]
    axis = _normalize_axis(axis, ndim + 1, "stack")
    if ndim == 0:
        return make_vector(*ts)
    return join(axis, *[expand_dims(t, axis) for t in ts])

# ------------------------------------------------------------ diag and eye


class Eye(Op):
    """numpy.eye(n, m, k, dtype) with integer scalar (possibly symbolic) n, m, k."""

    __props__ = ("dtype",)

    def __init__(self, dtype=None):
        self.dtype = _default_dtype(dtype)

    def make_node(self, n, m, k):
        n = _as_int_scalar(n, "eye: n")
        m = _as_int_scalar(m, "eye: m")
        k = _as_int_scalar(k, "eye: k")
        for name, v in (("n", n), ("m", m)):
            c = _const_int(v)
            if c is not None and c < 0:
                raise ValueError(f"eye: {name} must be non-negative, got {c}")
        return Apply(self, [n, m, k], [TensorType(self.dtype, shape=(_const_int(n), _const_int(m))).make_variable()])

    def perform(self, node, inputs, output_storage):
        n, m, k = (int(i) for i in inputs)
        if n < 0 or m < 0:
            raise ValueError(f"eye: negative dimensions ({n}, {m})")
        output_storage[0][0] = np.eye(n, m, k, dtype=self.dtype)

    def infer_shape(self, fgraph, node, input_shapes):
        return [(node.inputs[0], node.inputs[1])]

    def connection_pattern(self, node):
        return [[False], [False], [False]]

    def L_op(self, inputs, outputs, output_grads):
        return [None, None, None]


def eye(n, m=None, k=0, dtype=None):
    """Theano's ``T.eye(n, m=None, k=0, dtype=floatX)``: ones on the k-th diagonal."""
    if m is None:
        m = n
    return Eye(dtype)(n, m, k)


def identity_like(x, dtype=None):
    """An identity matrix shaped like the matrix ``x`` (its dtype unless ``dtype``)."""
    x = _as_tensor(x, "identity_like")
    if x.ndim != 2:
        raise ValueError(f"identity_like: expected a matrix, got {x} ({x.type})")
    return Eye(dtype or x.dtype)(shape_i(x, 0), shape_i(x, 1), 0)




for _cls in (Alloc, Split):
    _cls.R_op = _rop_linear_in_first
Join.R_op = _rop_linear_in_all
