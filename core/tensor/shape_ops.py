"""Shape introspection and reshaping: shape, shape_i, make_vector, reshape, flatten, and the
dimshuffle helpers (expand_dims, squeeze, transpose, swapaxes, moveaxis, shape_pad*).

Symbolic shapes are int64 scalars (``shape_i``) or int64 vectors (``shape``,
``make_vector``).  Every helper here looks at most a few nodes up a graph
(through casts to a constant, a MakeVector, a Shape), never recursively; the
allocation, joining and extra ops (``basic``, ``extra_ops``) build on them.
"""
from __future__ import annotations

import builtins

import numpy as np

from ..graph import Apply, Constant, Op, Variable
from ..types import INT_DTYPES, TensorType
from .. import scalar as ps
from .elemwise import DimShuffle, Elemwise, insert_axes_order
from .variable import _TensorMixin, as_tensor_variable, constant

__all__ = [
    "Shape", "Shape_i", "MakeVector", "Reshape",
    "shape", "shape_i", "shape_tuple", "make_vector", "reshape", "flatten", "squeeze", "expand_dims",
    "transpose", "swapaxes", "moveaxis", "shape_padleft", "shape_padright", "shape_padaxis",
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

    def __str__(self):
        return f"MakeVector{{dtype={self.dtype!r}}}"  # Theano's spelling of an op's props

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
        from .basic import split

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


# ------------------------------------------------------- dimshuffle helpers


def _ds(x, order):
    return DimShuffle(x.type.broadcastable, order)(x)


def expand_dims(x, axis):
    """numpy.expand_dims: insert length-1 (broadcastable) axes at positions ``axis`` of the result."""
    x = _as_tensor(x, "expand_dims")
    axes = axis if isinstance(axis, (list, tuple)) else (axis,)
    out_ndim = x.ndim + len(axes)
    norm = sorted(_normalize_axis(a, out_ndim, "expand_dims") for a in axes)
    if len(set(norm)) != len(norm):
        raise ValueError(f"expand_dims: repeated axis in {axis}")
    return _ds(x, insert_axes_order(norm, out_ndim))


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


Reshape.R_op = _rop_linear_in_first
MakeVector.R_op = _rop_linear_in_all
