"""Shape ops: shape, reshape, flatten, alloc/zeros/ones/full, arange, join/split/stack,
squeeze/expand_dims/transpose, repeat/tile, broadcast_to, roll, diag/eye.

Symbolic shapes are int64 scalars (``shape_i``) or int64 vectors (``shape``,
``make_vector``).  Every helper here looks at most a few nodes up a graph
(through casts to a constant, a MakeVector, a Shape), never recursively.
"""
from __future__ import annotations

import builtins

import numpy as np

from ..graph import Apply, Constant, Op, Variable
from ..types import INT_DTYPES, TensorType
from .. import scalar as ps
from .elemwise import DimShuffle, Elemwise
from .variable import _TensorMixin, as_tensor_variable, constant

__all__ = [
    "Shape", "Shape_i", "MakeVector", "Reshape", "Alloc", "ARange", "Join", "Split", "Repeat",
    "RepeatGrad", "Roll", "Eye", "AllocDiag", "ExtractDiag",
    "shape", "shape_i", "shape_tuple", "make_vector", "reshape", "flatten", "alloc", "zeros", "ones",
    "full", "empty", "arange", "join", "concatenate", "split", "stack", "squeeze", "expand_dims",
    "transpose", "swapaxes", "moveaxis", "repeat", "tile", "broadcast_to", "shape_padleft",
    "shape_padright", "shape_padaxis", "roll", "diag", "diagonal", "eye", "identity_like",
]

_INT = frozenset(INT_DTYPES)
_INT_OR_BOOL = _INT | {"bool"}


# ------------------------------------------------------------------ helpers


def _i64(k):
    """A constant int64 scalar."""
    return constant(np.int64(k))


def _is_float(v):
    return v.dtype.startswith(("float", "complex"))


def _is_disconnected(g):
    return g is None or type(getattr(g, "type", None)).__name__ == "DisconnectedType"


def _const_int(v):
    """The Python int held by ``v`` when it is statically known, else None.

    Looks through a cast of a constant and through Shape_i of a statically
    known axis; nothing deeper.
    """
    if isinstance(v, (bool, np.bool_)):
        return None
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, np.ndarray) and v.ndim == 0 and v.dtype.kind in "iu":
        return int(v)
    if not isinstance(v, Variable):
        return None
    for _ in range(3):
        if isinstance(v, Constant):
            d = np.asarray(v.data)
            if d.ndim == 0 and d.dtype.kind in "iu":
                return int(d)
            return None
        node = v.owner
        if node is None:
            return None
        op = node.op
        if isinstance(op, Shape_i):
            s = node.inputs[0].type.shape[op.i]
            return s
        if isinstance(op, Elemwise) and isinstance(op.scalar_op, ps.Cast) and op.scalar_op.dtype in _INT:
            v = node.inputs[0]
            continue
        return None
    return None


def _as_int_scalar(v, what):
    """``v`` (an int or a symbolic integer scalar) as an int64 scalar variable."""
    if isinstance(v, (bool, np.bool_)):
        raise TypeError(f"{what}: expected an integer, got the boolean {v!r}")
    if isinstance(v, (int, np.integer)):
        return _i64(v)
    if isinstance(v, (float, np.floating, complex, str)):
        raise TypeError(f"{what}: expected an integer, got {type(v).__name__} {v!r}")
    if isinstance(v, Variable) and not isinstance(v, _TensorMixin):
        raise TypeError(f"{what}: expected an integer scalar, got {v} of type {v.type}")
    v = as_tensor_variable(v)
    if v.ndim != 0:
        raise TypeError(f"{what}: expected an integer scalar, got {v} of type {v.type} (ndim {v.ndim})")
    if v.dtype not in _INT:
        raise TypeError(f"{what}: expected an integer scalar, got {v} of dtype {v.dtype} ({v.type})")
    if v.dtype != "int64":
        from . import math as tm

        v = tm.cast(v, "int64")
    return v


def _as_int_vector(v, what):
    """``v`` (a symbolic integer vector or array-like of ints) as an int64 vector variable."""
    if not isinstance(v, Variable):
        arr = np.asarray(v)
        if arr.size == 0:
            arr = arr.astype("int64")
        if arr.ndim != 1 or arr.dtype.kind not in "iu":
            raise TypeError(f"{what}: expected a vector of integers, got {v!r}")
        return constant(arr.astype("int64"))
    if not isinstance(v, _TensorMixin):
        raise TypeError(f"{what}: expected an integer vector, got {v} of type {v.type}")
    if v.ndim != 1 or v.dtype not in _INT:
        raise TypeError(f"{what}: expected an integer vector, got {v} of type {v.type}")
    if v.dtype != "int64":
        from . import math as tm

        v = tm.cast(v, "int64")
    return v


def _static_vector_values(v):
    """Per-entry static ints (or None) of an int vector variable, or None when its length is unknown."""
    n = v.type.shape[0]
    if isinstance(v, Constant):
        return [int(e) for e in np.asarray(v.data)]
    node = v.owner
    if node is not None:
        op = node.op
        if isinstance(op, Elemwise) and isinstance(op.scalar_op, ps.Cast) and isinstance(node.inputs[0], Constant):
            return [int(e) for e in np.asarray(node.inputs[0].data)]
        if isinstance(op, MakeVector):
            return [_const_int(i) for i in node.inputs]
        if isinstance(op, Shape):
            return list(node.inputs[0].type.shape)
    if n is None:
        return None
    return [None] * n


def _vector_entries(v, what="shape"):
    """int64 scalar variables for the entries of int vector ``v`` (static length needed)."""
    n = v.type.shape[0]
    if isinstance(v, Constant):
        return [_i64(e) for e in np.asarray(v.data)]
    node = v.owner
    if node is not None:
        if isinstance(node.op, MakeVector):
            return [_as_int_scalar(i, what) for i in node.inputs]
        if isinstance(node.op, Shape):
            x = node.inputs[0]
            return [shape_i(x, k) for k in range(x.ndim)]
    if n is None:
        raise ValueError(f"{what}: the length of the symbolic vector {v} ({v.type}) is not known statically")
    return [_as_int_scalar(v[k], what) for k in range(n)]


def _shape_entries(shp, what):
    """Turn a user shape (int, tuple/list of ints or scalars, ndarray or int vector) into int64 scalars."""
    if isinstance(shp, (int, np.integer)) and not isinstance(shp, (bool, np.bool_)):
        return [_i64(shp)]
    if isinstance(shp, (list, tuple)):
        return [_as_int_scalar(s, f"{what}: shape entry {k}") for k, s in enumerate(shp)]
    if isinstance(shp, np.ndarray):
        if shp.ndim == 0:
            return [_as_int_scalar(shp, what)]
        return [_as_int_scalar(s, what) for s in shp.tolist()]
    if isinstance(shp, _TensorMixin):
        if shp.ndim == 0:
            return [_as_int_scalar(shp, what)]
        return _vector_entries(_as_int_vector(shp, what), what)
    raise TypeError(f"{what}: expected a shape (an int, a tuple of ints or integer scalars, or an "
                    f"integer vector), got {type(shp).__name__} {shp!r}")


def _prod(scalars):
    from . import math as tm

    if not scalars:
        return _i64(1)
    consts = [_const_int(s) for s in scalars]
    if builtins.all(c is not None for c in consts):
        return _i64(int(np.prod(consts, dtype="int64")))
    if len(scalars) == 1:
        return scalars[0]
    return tm.mul(*scalars)


def _normalize_axis(axis, ndim, what):
    if isinstance(axis, Variable):
        a = _const_int(axis)
        if a is None:
            raise TypeError(f"{what}: axis must be a constant integer, got symbolic {axis}")
        axis = a
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{what}: axis must be an integer, got {axis!r}")
    axis = int(axis)
    if not -ndim <= axis < ndim:
        raise ValueError(f"{what}: axis {axis} is out of bounds for a {ndim}-d input")
    return axis % ndim


def _shape_str(s):
    return "(" + ", ".join("?" if e is None else str(e) for e in s) + ("," if len(s) == 1 else "") + ")"


# --------------------------------------------------------------------- Shape


class Shape(Op):
    """The shape of a tensor, as an int64 vector of length ``x.ndim``."""

    __props__ = ()

    def make_node(self, x):
        x = _as_tensor(x, "shape")
        return Apply(self, [x], [TensorType("int64", shape=(x.ndim,)).make_variable()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = np.array(inputs[0].shape, dtype="int64")

    def infer_shape(self, fgraph, node, input_shapes):
        return [(_i64(node.inputs[0].ndim),)]

    def connection_pattern(self, node):
        return [[False]]

    def L_op(self, inputs, outputs, output_grads):
        return [None]


_shape = Shape()


def _as_tensor(x, what):
    if isinstance(x, Variable) and not isinstance(x, _TensorMixin):
        raise TypeError(f"{what}: expected a tensor, got {x} of type {x.type}")
    return as_tensor_variable(x)


def shape(x):
    """The symbolic shape of ``x`` (an int64 vector); ``x.shape``."""
    return _shape(_as_tensor(x, "shape"))


class Shape_i(Op):
    """Length of axis ``i`` of a tensor, as an int64 scalar."""

    __props__ = ("i",)

    def __init__(self, i):
        self.i = int(i)
        if self.i < 0:
            raise ValueError(f"Shape_i: axis must be non-negative, got {i}")

    def make_node(self, x):
        x = _as_tensor(x, "shape_i")
        if self.i >= x.ndim:
            raise ValueError(f"Shape_i({self.i}): {x} ({x.type}) has only {x.ndim} dimension(s)")
        return Apply(self, [x], [TensorType("int64", shape=()).make_variable()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = np.array(inputs[0].shape[self.i], dtype="int64")

    def infer_shape(self, fgraph, node, input_shapes):
        return [()]

    def connection_pattern(self, node):
        return [[False]]

    def L_op(self, inputs, outputs, output_grads):
        return [None]


def shape_i(x, i, fgraph=None):
    """Length of axis ``i`` of ``x`` (an int64 scalar; a constant when statically known)."""
    x = _as_tensor(x, "shape_i")
    i = _normalize_axis(i, x.ndim, "shape_i")
    if fgraph is not None and hasattr(fgraph, "shape_feature"):
        try:
            return fgraph.shape_feature.shape_of[x][i]
        except (KeyError, AttributeError):
            pass
    s = x.type.shape[i]
    if s is not None:
        return _i64(s)
    return Shape_i(i)(x)


def shape_tuple(x):
    """A tuple of int64 scalars, one per axis of ``x``."""
    x = _as_tensor(x, "shape_tuple")
    return tuple(shape_i(x, i) for i in range(x.ndim))


# ---------------------------------------------------------------- MakeVector


class MakeVector(Op):
    """Scalars -> a vector of ``dtype`` (used for symbolic shapes)."""

    __props__ = ("dtype",)

    def __init__(self, dtype="int64"):
        self.dtype = np.dtype(dtype).name

    def make_node(self, *inputs):
        from . import math as tm

        ins = []
        for k, i in enumerate(inputs):
            if isinstance(i, Variable) and not isinstance(i, _TensorMixin):
                raise TypeError(f"make_vector: input {k} ({i}) is not a tensor (type {i.type})")
            v = as_tensor_variable(i) if isinstance(i, Variable) else constant(np.asarray(i, dtype=self.dtype))
            if v.ndim != 0:
                raise TypeError(f"make_vector: input {k} ({v}) must be a scalar, got {v.type}")
            if v.dtype != self.dtype:
                ok = np.can_cast(v.dtype, self.dtype, "safe") or (
                    isinstance(v, Constant) and _fits_const(v.data, self.dtype)
                ) or (v.dtype in _INT_OR_BOOL and self.dtype in _INT)
                if not ok:
                    raise TypeError(
                        f"make_vector: input {k} ({v}) of dtype {v.dtype} cannot be stored in a "
                        f"{self.dtype} vector without losing data"
                    )
                v = tm.cast(v, self.dtype)
            ins.append(v)
        return Apply(self, ins, [TensorType(self.dtype, shape=(len(ins),)).make_variable()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = np.array([np.asarray(i).item() for i in inputs] if inputs else [],
                                        dtype=self.dtype)

    def infer_shape(self, fgraph, node, input_shapes):
        return [(_i64(len(node.inputs)),)]

    def L_op(self, inputs, outputs, output_grads):
        (gz,) = output_grads
        if not self.dtype.startswith(("float", "complex")) or not inputs:
            return [None] * len(inputs)
        pieces = split(gz, [1] * len(inputs), len(inputs), axis=0)
        return [p.dimshuffle(()) for p in pieces]


def _fits_const(data, dtype):
    a = np.asarray(data)
    with np.errstate(all="ignore"):
        back = a.astype(dtype).astype(a.dtype)
    return bool(np.array_equal(back, a))


def make_vector(*scalars, dtype=None):
    """A vector made of scalars (ints or scalar variables); dtype defaults to their upcast."""
    vals = [s if isinstance(s, Variable) else as_tensor_variable(s) for s in scalars]
    if dtype is None:
        dtype = ps.upcast(*[v.dtype for v in vals]) if vals else "int64"
    return MakeVector(dtype)(*vals)


# ------------------------------------------------------------------- Reshape


class Reshape(Op):
    """Reshape ``x`` to the int64 vector ``shp`` of static length ``ndim`` (one entry may be -1)."""

    __props__ = ("ndim",)
    view_map = {0: [0]}

    def __init__(self, ndim):
        self.ndim = int(ndim)
        if self.ndim < 0:
            raise ValueError(f"Reshape: ndim must be >= 0, got {ndim}")

    def make_node(self, x, shp):
        x = _as_tensor(x, "reshape")
        shp = _as_int_vector(shp, "reshape: the new shape")
        if shp.type.shape[0] is not None and shp.type.shape[0] != self.ndim:
            raise ValueError(f"reshape: the new shape {shp} has {shp.type.shape[0]} entries, but ndim={self.ndim}")
        static = _static_vector_values(shp) or [None] * self.ndim
        out = []
        for k, s in enumerate(static):
            if s is not None and s < -1:
                raise ValueError(f"reshape: invalid entry {s} in the new shape {_shape_str(static)}")
            out.append(None if s is None or s == -1 else s)
        if sum(1 for s in static if s == -1) > 1:
            raise ValueError(f"reshape: can only specify one unknown dimension (-1), got {_shape_str(static)}")
        xs = x.type.shape
        if builtins.all(s is not None for s in xs) and builtins.all(s is not None for s in static):
            size = int(np.prod(xs, dtype="int64"))
            if -1 in static:
                rest = int(np.prod([s for s in static if s != -1], dtype="int64"))
                if rest == 0 or size % rest:
                    raise ValueError(f"reshape: cannot reshape {x} of shape {_shape_str(xs)} (size {size}) "
                                     f"into shape {_shape_str(static)}")
                out[static.index(-1)] = size // rest
            elif int(np.prod(static, dtype="int64")) != size:
                raise ValueError(f"reshape: cannot reshape {x} of shape {_shape_str(xs)} (size {size}) "
                                 f"into shape {_shape_str(static)}")
        return Apply(self, [x, shp], [TensorType(x.dtype, shape=out).make_variable()])

    def perform(self, node, inputs, output_storage):
        x, shp = inputs
        if len(shp) != self.ndim:
            raise ValueError(f"reshape: the new shape {tuple(shp.tolist())} has {len(shp)} entries, "
                             f"expected {self.ndim}")
        new = tuple(int(s) for s in shp)
        if builtins.any(s < -1 for s in new) or new.count(-1) > 1:
            raise ValueError(f"reshape: invalid new shape {new} for an array of shape {x.shape} "
                             f"(entries must be >= 0, with at most one -1)")
        try:
            out = np.reshape(x, new)
        except ValueError:
            raise ValueError(f"reshape: cannot reshape array of shape {x.shape} (size {x.size}) "
                             f"into shape {new}") from None
        for d, (s, o) in enumerate(zip(node.outputs[0].type.shape, out.shape)):
            if s is not None and s != o:
                raise ValueError(f"reshape: result shape {out.shape} disagrees with the static "
                                 f"shape {_shape_str(node.outputs[0].type.shape)} on axis {d}")
        output_storage[0][0] = out

    def infer_shape(self, fgraph, node, input_shapes):
        from . import math as tm

        x, shp = node.inputs
        xshp = input_shapes[0]
        static = _static_vector_values(shp) or [None] * self.ndim
        out_static = node.outputs[0].type.shape
        try:
            entries = _vector_entries(shp, "reshape")
        except ValueError:
            entries = [shp[k] for k in range(self.ndim)]
        size = _prod(list(xshp))
        res = []
        for k in range(self.ndim):
            if out_static[k] is not None:
                res.append(_i64(out_static[k]))
            elif static[k] is not None and static[k] >= 0:
                res.append(_i64(static[k]))
            elif static[k] == -1:
                rest = _prod([e for j, e in enumerate(entries) if j != k])
                res.append(tm.int_div(size, tm.maximum(rest, 1)))
            else:
                e = entries[k]
                # the entry may be -1 at run time: size // (product of the other entries)
                neg_rest = tm.neg(_prod(entries))
                res.append(tm.switch(tm.eq(e, -1), tm.int_div(size, tm.maximum(neg_rest, 1)), e))
        return [tuple(res)]

    def connection_pattern(self, node):
        return [[True], [False]]

    def L_op(self, inputs, outputs, output_grads):
        x, shp = inputs
        (gz,) = output_grads
        return [reshape(gz, shape(x), ndim=x.ndim), None]


def reshape(x, newshape, ndim=None):
    """Reshape ``x``; ``newshape`` is a tuple/list of ints or integer scalars, or an int vector.

    One entry may be -1 (inferred).  ``ndim`` is needed when ``newshape`` is a
    symbolic vector of unknown length.
    """
    x = _as_tensor(x, "reshape")
    if isinstance(newshape, (int, np.integer)) and not isinstance(newshape, (bool, np.bool_)):
        newshape = (newshape,)
    elif isinstance(newshape, _TensorMixin) and newshape.ndim == 0:
        newshape = (newshape,)
    if isinstance(newshape, (list, tuple)):
        if ndim is not None and ndim != len(newshape):
            raise ValueError(f"reshape: ndim={ndim} disagrees with the new shape of {len(newshape)} entries")
        ndim = len(newshape)
        if builtins.all(isinstance(s, (int, np.integer)) and not isinstance(s, (bool, np.bool_))
                        for s in newshape):
            shp = constant(np.array(newshape, dtype="int64").reshape(len(newshape)))
        else:
            shp = MakeVector("int64")(*[_as_int_scalar(s, f"reshape: new shape entry {k}")
                                        for k, s in enumerate(newshape)])
    else:
        shp = _as_int_vector(newshape, "reshape: the new shape")
        n = shp.type.shape[0]
        if n is None and ndim is None:
            raise ValueError(
                f"reshape: the new shape {shp} is a symbolic vector of unknown length; pass ndim=")
        if n is not None and ndim is not None and n != ndim:
            raise ValueError(f"reshape: ndim={ndim} disagrees with the new shape of {n} entries")
        ndim = n if ndim is None else ndim
    return Reshape(ndim)(x, shp)


def flatten(x, ndim=1, outdim=None):
    """Keep the first ``ndim - 1`` axes of ``x`` and flatten the rest into one (Theano's flatten)."""
    if outdim is not None:
        ndim = outdim
    x = _as_tensor(x, "flatten")
    ndim = int(ndim)
    if ndim < 1 or (ndim > x.ndim and x.ndim > 0) or (x.ndim == 0 and ndim != 1):
        raise ValueError(f"flatten: ndim must be between 1 and {builtins.max(x.ndim, 1)} for {x} "
                         f"({x.type}), got {ndim}")
    if x.ndim == ndim:
        return x
    lead = [shape_i(x, k) for k in range(ndim - 1)]
    rest = _prod([shape_i(x, k) for k in range(ndim - 1, x.ndim)])
    return reshape(x, lead + [rest])


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
    """Concatenate tensors of equal ndim along ``axis`` (a non-negative constant)."""

    __props__ = ("axis",)

    def __init__(self, axis):
        self.axis = int(axis)

    def make_node(self, *tensors):
        from . import math as tm

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
        axis = self.axis
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
        return Apply(self, ts, [TensorType(dtype, shape=out).make_variable()])

    def perform(self, node, inputs, output_storage):
        axis = self.axis
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

        axis = self.axis
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
        sizes = [shape_i(t, self.axis) for t in inputs]
        pieces = split(gz, make_vector(*sizes, dtype="int64"), len(inputs), axis=self.axis)
        res = []
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
    return Join(axis)(*ts)


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
        g = gs[0] if len(gs) == 1 else Join(self.axis)(*gs)
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


# ------------------------------------------------------- dimshuffle helpers


def _ds(x, order):
    return DimShuffle(x.type.broadcastable, order)(x)


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


def expand_dims(x, axis):
    """numpy.expand_dims: insert length-1 (broadcastable) axes at positions ``axis`` of the result."""
    x = _as_tensor(x, "expand_dims")
    axes = axis if isinstance(axis, (list, tuple)) else (axis,)
    out_ndim = x.ndim + len(axes)
    norm = sorted(_normalize_axis(a, out_ndim, "expand_dims") for a in axes)
    if len(set(norm)) != len(norm):
        raise ValueError(f"expand_dims: repeated axis in {axis}")
    order, j = [], 0
    for k in range(out_ndim):
        if k in norm:
            order.append("x")
        else:
            order.append(j)
            j += 1
    return _ds(x, order)


def shape_padleft(t, n_ones=1):
    """Add ``n_ones`` broadcastable axes on the left."""
    t = _as_tensor(t, "shape_padleft")
    return _ds(t, ["x"] * n_ones + list(range(t.ndim)))


def shape_padright(t, n_ones=1):
    """Add ``n_ones`` broadcastable axes on the right."""
    t = _as_tensor(t, "shape_padright")
    return _ds(t, list(range(t.ndim)) + ["x"] * n_ones)


def shape_padaxis(t, axis):
    """Insert one broadcastable axis at ``axis`` (may be negative, as in expand_dims)."""
    return expand_dims(t, axis)


def squeeze(x, axis=None):
    """Drop broadcastable (statically length-1) axes: all of them, or those in ``axis``."""
    x = _as_tensor(x, "squeeze")
    if axis is None:
        drop = [k for k, b in enumerate(x.type.broadcastable) if b]
    else:
        axes = axis if isinstance(axis, (list, tuple)) else (axis,)
        drop = sorted({_normalize_axis(a, x.ndim, "squeeze") for a in axes})
        for a in drop:
            if not x.type.broadcastable[a]:
                raise ValueError(
                    f"squeeze: cannot remove axis {a} of {x} ({x.type}): it is not known to have "
                    f"length 1 (only broadcastable axes can be squeezed)")
    if not drop:
        return x
    return _ds(x, [k for k in range(x.ndim) if k not in drop])


def transpose(x, axes=None):
    """Permute the axes of ``x`` (reverse them when ``axes`` is None); ``x.T``."""
    x = _as_tensor(x, "transpose")
    if axes is None:
        order = list(range(x.ndim))[::-1]
    else:
        if isinstance(axes, (int, np.integer)):
            axes = (axes,)
        axes = list(axes)
        if len(axes) != x.ndim:
            raise ValueError(f"transpose: axes {tuple(axes)} do not match the {x.ndim} dimensions of {x}")
        order = [_normalize_axis(a, x.ndim, "transpose") for a in axes]
        if sorted(order) != list(range(x.ndim)):
            raise ValueError(f"transpose: axes {tuple(axes)} are not a permutation of {tuple(range(x.ndim))}")
    if order == list(range(x.ndim)):
        return x
    return _ds(x, order)


def swapaxes(x, axis1, axis2):
    """Swap two axes of ``x``."""
    x = _as_tensor(x, "swapaxes")
    a = _normalize_axis(axis1, x.ndim, "swapaxes")
    b = _normalize_axis(axis2, x.ndim, "swapaxes")
    order = list(range(x.ndim))
    order[a], order[b] = order[b], order[a]
    return transpose(x, order)


def moveaxis(x, source, destination):
    """numpy.moveaxis for single axes or sequences of axes."""
    x = _as_tensor(x, "moveaxis")
    src = source if isinstance(source, (list, tuple)) else [source]
    dst = destination if isinstance(destination, (list, tuple)) else [destination]
    if len(src) != len(dst):
        raise ValueError("moveaxis: source and destination must have the same number of elements")
    src = [_normalize_axis(a, x.ndim, "moveaxis") for a in src]
    dst = [_normalize_axis(a, x.ndim, "moveaxis") for a in dst]
    order = [k for k in range(x.ndim) if k not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return transpose(x, order)


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


# ------------------------------------------------------------ forward mode
def _rop_linear_in_first(self, inputs, eval_points):
    """R_op of an op linear in its first input (the others are shapes/indices)."""
    if eval_points[0] is None:
        return [None] * len(self.make_node(*inputs).outputs)
    out = self.make_node(eval_points[0], *inputs[1:]).outputs
    return list(out)


def _rop_linear_in_all(self, inputs, eval_points):
    """R_op of an op linear in all its inputs jointly (missing tangents count as zeros)."""
    from . import math as tm

    if all(e is None for e in eval_points):
        return [None]
    return [self(*[e if e is not None else tm.zeros_like(v) for e, v in zip(eval_points, inputs)])]


for _cls in (Reshape, Alloc, Repeat, Roll, ExtractDiag, AllocDiag, Split):
    _cls.R_op = _rop_linear_in_first
for _cls in (Join, MakeVector):
    _cls.R_op = _rop_linear_in_all
