"""Reductions over axes: sum, prod, max, min, all, any, argmax/argmin, cumulative ops,
and the graph-level mean/var/std/logsumexp built from them."""
from __future__ import annotations

import builtins
import copy

import numpy as np

from ..graph import Apply, Op
from ..types import TensorType
from .elemwise import DimShuffle, insert_axes_order
from .variable import as_tensor_variable, constant
from . import shape_ops


def normalize_axis(axis, ndim, opname="reduction"):
    """A sorted tuple of non-negative axes (all axes for None)."""
    if axis is None:
        return tuple(range(ndim))
    from .. import graph

    if isinstance(axis, graph.Variable):  # a constant axis (or axes) in a variable
        if not isinstance(axis, graph.Constant):
            raise TypeError(f"{opname}: axis must be a constant integer, got symbolic {axis}")
        axis = np.asarray(axis.data).tolist()
    if isinstance(axis, (int, np.integer)):
        axis = (int(axis),)
    out = []
    for a in axis:
        if hasattr(a, "owner") or hasattr(a, "type"):
            from .. import graph

            if isinstance(a, graph.Constant):
                a = int(a.data)
            else:
                raise TypeError(f"{opname}: axis must be a constant integer, got symbolic {a}")
        a = int(a)
        if not (-ndim <= a < ndim or (ndim == 0 and a in (0, -1))):  # NumPy: 0-d accepts 0 and -1
            raise ValueError(f"{opname}: axis {a} is out of bounds for a {ndim}-d input")
        if ndim == 0:
            continue
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{opname}: repeated axis in {axis}")
    return tuple(sorted(out))


_SUM_DTYPE = {"bool": "int64", "int8": "int64", "int16": "int64", "int32": "int64",
              "uint8": "uint64", "uint16": "uint64", "uint32": "uint64"}


_UFUNC_NAME = {"max": "maximum", "min": "minimum"}
# Theano's default accumulator of sum/prod (shown in their printed names)
_ACC_DTYPE = dict(_SUM_DTYPE, float16="float32", float32="float64", complex64="complex128")
_RESOLVED = {}  # (op, acc_dtype, axis_none) -> the op that prints them


class Reduce(Op):
    """Reduce ``x`` over ``axis`` with one of sum/prod/max/min/all/any.

    max/min of an empty axis raise, as in NumPy, unless ``identity`` is set:
    then they give the reduction's identity (-inf/+inf for floats, the
    dtype's min/max for integers), NumPy's ``initial=`` with that value.
    Compiled kernels start every max/min from that identity anyway, so the
    flag only changes their empty-axis check (which would raise without it).
    """

    __props__ = ("kind", "axis", "dtype", "identity")
    _NP = {"sum": np.sum, "prod": np.prod, "max": np.max, "min": np.min, "all": np.all, "any": np.any}

    def __init__(self, kind, axis, dtype=None, identity=False, acc_dtype=None, axis_none=False):
        self.kind = kind
        self.axis = tuple(axis)
        self.dtype = dtype
        self.identity = bool(identity) and kind in _UFUNC_NAME
        # how Theano prints a sum/prod (not props: they change no value arignote computes):
        # the accumulator dtype, and no axis list when the user asked for all axes (axis=None)
        self.acc_dtype = acc_dtype
        self.axis_none = bool(axis_none)

    def __str__(self):
        name = self.kind.capitalize()
        if self.kind in ("sum", "prod") and self.acc_dtype is not None:
            axis = "" if self.axis_none else f"axis={list(self.axis)}, "
            return f"{name}{{{axis}acc_dtype={self.acc_dtype}}}"
        extra = ", identity" if self.identity else ""
        return f"{name}{{axis={list(self.axis)}{extra}}}"

    def _with_acc_dtype(self, in_dtype):
        """This op with its accumulator dtype resolved for ``in_dtype`` (Theano's default)."""
        acc = self.acc_dtype or _ACC_DTYPE.get(in_dtype, in_dtype)
        if acc == self.acc_dtype:
            return self
        key = (self, acc, self.axis_none)
        op = _RESOLVED.get(key)
        if op is None:
            op = _RESOLVED[key] = copy.copy(self)
            op.acc_dtype = acc
        return op

    def out_dtype(self, in_dtype):
        if self.dtype is not None:
            return self.dtype
        if self.kind in ("sum", "prod"):
            return _SUM_DTYPE.get(in_dtype, in_dtype)
        if self.kind in ("all", "any"):
            return "bool"
        return in_dtype

    def make_node(self, x):
        x = as_tensor_variable(x)
        if self.axis and builtins.max(self.axis) >= x.ndim:
            raise ValueError(f"{self}: axis out of range for {x.type}")
        if self.kind in ("max", "min") and x.dtype.startswith("complex"):
            raise TypeError(f"{self.kind} is not defined for complex input {x}")
        shape = [s for i, s in enumerate(x.type.shape) if i not in self.axis]
        op = self._with_acc_dtype(x.dtype) if self.kind in ("sum", "prod") else self
        return Apply(op, [x], [TensorType(self.out_dtype(x.dtype), shape=shape).make_variable()])

    def perform(self, node, inputs, output_storage):
        (x,) = inputs
        odt = node.outputs[0].type.numpy_dtype
        if self.kind in ("sum", "prod"):
            r = self._NP[self.kind](x, axis=self.axis, dtype=odt)
        elif self.kind in _UFUNC_NAME and x.size == 0 and builtins.any(x.shape[a] == 0 for a in self.axis):
            r = self._empty_minmax(x)
        else:
            r = self._NP[self.kind](x, axis=self.axis)
        output_storage[0][0] = r if type(r) is np.ndarray and r.dtype == odt else np.asarray(r, dtype=odt)

    def _empty_minmax(self, x):
        """max/min over an empty axis: the identity when asked for, else NumPy's error."""
        if not self.identity:
            raise ValueError(
                f"{self}: zero-size array to reduction operation {_UFUNC_NAME[self.kind]} which has no "
                f"identity (input shape {x.shape}, reduced axes {list(self.axis)}); "
                f"pass initial= to T.{self.kind} for a value on empty axes")
        return np.full([s for i, s in enumerate(x.shape) if i not in self.axis],
                       minmax_identity(self.kind, x.dtype), dtype=x.dtype)

    def infer_shape(self, fgraph, node, input_shapes):
        return [tuple(s for i, s in enumerate(input_shapes[0]) if i not in self.axis)]

    def L_op(self, inputs, outputs, output_grads):
        from . import math as tm

        (x,), (z,), (gz,) = inputs, outputs, output_grads
        if self.kind in ("all", "any") or not x.dtype.startswith(("float", "complex")):
            return [tm.zeros_like(x, dtype="float64" if not x.dtype.startswith("float") else x.dtype)]
        gz_k = _restore_axes(gz, self.axis, x.ndim)
        if self.kind == "sum":
            return [tm.cast(tm.second(x, gz_k), x.dtype)]
        if self.kind in ("max", "min"):
            z_k = _restore_axes(z, self.axis, x.ndim)
            return [tm.cast(gz_k * tm.eq(x, z_k), x.dtype)]
        # prod: handle zeros exactly (0, 1 or more zeros along the reduced axes)
        is_zero = tm.eq(x, 0)
        nz = sum(is_zero, axis=self.axis, keepdims=True)
        x_nz = tm.switch(is_zero, 1, x)
        prod_nz = prod(x_nz, axis=self.axis, keepdims=True)
        g = tm.switch(tm.eq(nz, 0), prod_nz / x_nz, tm.switch(tm.and_(tm.eq(nz, 1), is_zero), prod_nz, 0))
        return [tm.cast(gz_k * g, x.dtype)]

    def R_op(self, inputs, eval_points):
        """sum over the reduced axes of (d out / d x, from L_op with a unit gradient) * eval point."""
        from . import math as tm

        (x,), (ev,) = inputs, eval_points
        if ev is None or self.kind in ("all", "any") or not x.dtype.startswith(("float", "complex")):
            return [None]
        if self.kind == "sum":
            return [self(ev)]
        z = self(x)
        (partial,) = self.L_op([x], [z], [tm.ones_like(z)])
        return [tm.cast(sum(partial * ev, axis=self.axis), z.dtype)]


def minmax_identity(kind, dtype):
    """The value max/min start from: -inf/+inf for floats, the dtype's min/max for integers."""
    dt = np.dtype(dtype)
    if dt.kind == "f":
        return -np.inf if kind == "max" else np.inf
    if dt.kind == "b":
        return kind == "min"
    info = np.iinfo(dt)
    return info.min if kind == "max" else info.max


def _restore_axes(v, axis, ndim):
    """Insert broadcastable axes at ``axis`` so v lines up with the reduced input."""
    return DimShuffle(v.type.broadcastable, insert_axes_order(axis, ndim))(v)


def _reduce(kind, x, axis, keepdims, dtype=None, identity=False, acc_dtype=None):
    x = as_tensor_variable(x)
    ax = normalize_axis(axis, x.ndim, kind)
    if dtype is not None:
        dtype = np.dtype(dtype).name
    if acc_dtype is not None:
        acc_dtype = np.dtype(acc_dtype).name
    out = Reduce(kind, ax, dtype, identity, acc_dtype, axis_none=axis is None)(x)
    if keepdims:
        out = _restore_axes(out, ax, x.ndim)
    return out


def _minmax(kind, x, axis, keepdims, initial):
    """max/min, with NumPy's ``initial``: the result is also compared with it, and an
    empty axis gives it instead of raising."""
    if initial is None:
        return _reduce(kind, x, axis, keepdims)
    from . import math as tm

    x = as_tensor_variable(x)
    if x.dtype.startswith("complex"):
        raise TypeError(f"{kind} is not defined for complex input {x}")
    init = np.asarray(initial)
    if init.ndim:
        raise ValueError(f"{kind}: initial must be a scalar, got an array of shape {init.shape}")
    with np.errstate(all="ignore"):
        init_x = init.astype(x.dtype)
    if not (init_x == init or (np.isnan(init_x) and np.isnan(init))):
        raise ValueError(f"{kind}: initial={initial!r} does not fit the input's dtype {x.dtype}")
    out = _reduce(kind, x, axis, keepdims, identity=True)
    if init_x == minmax_identity(kind, x.dtype):
        return out
    return (tm.maximum if kind == "max" else tm.minimum)(out, constant(init_x))


def sum(x, axis=None, dtype=None, keepdims=False, acc_dtype=None):
    """Sum over ``axis`` (None: all axes); ``acc_dtype`` only names the accumulator in print-outs."""
    return _reduce("sum", x, axis, keepdims, dtype, acc_dtype=acc_dtype)


def prod(x, axis=None, dtype=None, keepdims=False, acc_dtype=None, no_zeros_in_input=False):
    """Product over ``axis``."""
    return _reduce("prod", x, axis, keepdims, dtype, acc_dtype=acc_dtype)


def max(x, axis=None, keepdims=False, initial=None):
    """Maximum over ``axis``; an empty axis raises ValueError unless ``initial`` is given (as in NumPy)."""
    return _minmax("max", x, axis, keepdims, initial)


def min(x, axis=None, keepdims=False, initial=None):
    """Minimum over ``axis``; an empty axis raises ValueError unless ``initial`` is given (as in NumPy)."""
    return _minmax("min", x, axis, keepdims, initial)


def all(x, axis=None, keepdims=False):
    return _reduce("all", x, axis, keepdims)


def any(x, axis=None, keepdims=False):
    return _reduce("any", x, axis, keepdims)


class Argmax(Op):
    """Index of the max (or min) along ``axis`` (None: of the flattened array)."""

    __props__ = ("kind", "axis")

    def __init__(self, kind, axis):
        self.kind, self.axis = kind, axis

    def make_node(self, x):
        x = as_tensor_variable(x)
        if self.axis is None:
            shape = []
        else:
            shape = [s for i, s in enumerate(x.type.shape) if i != self.axis]
        return Apply(self, [x], [TensorType("int64", shape=shape).make_variable()])

    def perform(self, node, inputs, output_storage):
        (x,) = inputs
        if x.size == 0 and (self.axis is None or x.shape[self.axis] == 0):
            raise ValueError(f"{self}: attempt to get {self.kind} of an empty sequence (shape {x.shape})")
        fn = np.argmax if self.kind == "argmax" else np.argmin
        output_storage[0][0] = np.asarray(fn(x, axis=self.axis), dtype="int64")

    def infer_shape(self, fgraph, node, input_shapes):
        if self.axis is None:
            return [()]
        return [tuple(s for i, s in enumerate(input_shapes[0]) if i != self.axis)]

    def L_op(self, inputs, outputs, output_grads):
        from . import math as tm

        return [tm.zeros_like(inputs[0], dtype="float64" if not inputs[0].dtype.startswith("float") else None)]


def _arg(kind, x, axis, keepdims):
    x = as_tensor_variable(x)
    if axis is not None:
        (ax,) = normalize_axis(axis, x.ndim, kind) if not isinstance(axis, (list, tuple)) or len(axis) == 1 else (None,)
        if ax is None:
            # several axes: move them last, flatten them, reduce that one axis
            axes = normalize_axis(axis, x.ndim, kind)
            keep = [i for i in range(x.ndim) if i not in axes]
            xt = x.dimshuffle(keep + list(axes))

            flat = shape_ops.reshape(xt, [x.shape[i] for i in keep] + [-1], ndim=len(keep) + 1)
            out = Argmax(kind, len(keep))(flat)
            return _restore_axes(out, axes, x.ndim) if keepdims else out
        out = Argmax(kind, ax)(x) if x.ndim else Argmax(kind, None)(x)
        return _restore_axes(out, (ax,), x.ndim) if keepdims and x.ndim else out
    out = Argmax(kind, None)(x)
    if keepdims:
        out = _restore_axes(out, tuple(range(x.ndim)), x.ndim)
    return out


def argmax(x, axis=None, keepdims=False):
    return _arg("argmax", x, axis, keepdims)


def argmin(x, axis=None, keepdims=False):
    return _arg("argmin", x, axis, keepdims)


def max_and_argmax(x, axis=None, keepdims=False):
    return max(x, axis, keepdims), argmax(x, axis, keepdims)


def _count(x, axis):
    from . import math as tm

    ax = normalize_axis(axis, x.ndim)
    n = None
    for a in ax:
        s = x.shape[a]
        n = s if n is None else n * s
    return constant(np.int64(1)) if n is None else n


def mean(x, axis=None, dtype=None, keepdims=False, acc_dtype=None):
    """Arithmetic mean over ``axis``; integer inputs give float64."""
    from . import math as tm

    x = as_tensor_variable(x)
    s = sum(x, axis=axis, keepdims=keepdims, dtype=dtype)
    n = _count(x, axis)
    out_dtype = dtype or ("float64" if not x.dtype.startswith(("float", "complex")) else x.dtype)
    if not out_dtype.startswith(("float", "complex")):
        out_dtype = "float64"
    res = tm.true_div(tm.cast(s, out_dtype), tm.cast(n, out_dtype) if out_dtype != "float16" else tm.cast(n, "float32"))
    return tm.cast(res, out_dtype)


def var(x, axis=None, ddof=0, keepdims=False, corrected=False):
    """Variance over ``axis`` (ddof as in NumPy)."""
    from . import math as tm

    x = as_tensor_variable(x)
    if corrected:
        ddof = 1
    m = mean(x, axis=axis, keepdims=True)
    d = x - m
    if x.dtype.startswith("complex"):
        sq = tm.real(d * tm.conj(d))
    else:
        sq = tm.sqr(d)
    ss = sum(sq, axis=axis, keepdims=keepdims)
    n = _count(x, axis)
    if ddof:
        n = n - ddof
    return tm.cast(tm.true_div(ss, tm.cast(n, ss.dtype if ss.dtype.startswith("float") else "float64")),
                   ss.dtype if ss.dtype.startswith("float") else "float64")


def std(x, axis=None, ddof=0, keepdims=False, corrected=False):
    """Standard deviation over ``axis``."""
    from . import math as tm

    return tm.sqrt(var(x, axis=axis, ddof=ddof, keepdims=keepdims, corrected=corrected))


def logsumexp(x, axis=None, keepdims=False):
    """log(sum(exp(x))) computed stably (max-subtracted); -inf over an empty axis, as in SciPy.

    Integer and bool inputs are first upgraded to float the Theano way (so that
    ``x - max(x)`` cannot wrap around)."""
    from . import math as tm
    from .. import scalar as ps
    from .grad_ops import disconnected_grad

    x = as_tensor_variable(x)
    if not x.dtype.startswith(("float", "complex")):
        x = tm.cast(x, ps.upgrade_to_float(x.dtype))
    m = max(x, axis=axis, keepdims=True, initial=-np.inf)
    m = disconnected_grad(tm.switch(tm.isinf(m), 0, m))
    out = tm.log(sum(tm.exp(x - m), axis=axis, keepdims=True)) + m
    ax = normalize_axis(axis, x.ndim)
    if not keepdims:
        keep = [i for i in range(x.ndim) if i not in ax]
        out = out.dimshuffle(keep)
    return out


class CumOp(Op):
    """Cumulative sum or product along ``axis`` (None: over the flattened array)."""

    __props__ = ("mode", "axis")

    def __init__(self, mode, axis):
        self.mode, self.axis = mode, axis

    def make_node(self, x):
        x = as_tensor_variable(x)
        if self.axis is None:
            t = TensorType(x.dtype if x.dtype not in _SUM_DTYPE else _SUM_DTYPE[x.dtype], shape=(None,))
        else:
            t = TensorType(x.dtype if x.dtype not in _SUM_DTYPE else _SUM_DTYPE[x.dtype], shape=x.type.shape)
        return Apply(self, [x], [t()])

    def perform(self, node, inputs, output_storage):
        fn = np.cumsum if self.mode == "add" else np.cumprod
        output_storage[0][0] = np.asarray(fn(inputs[0], axis=self.axis), dtype=node.outputs[0].dtype)

    def infer_shape(self, fgraph, node, input_shapes):
        if self.axis is None:
            from . import math as tm

            n = None
            for s in input_shapes[0]:
                n = s if n is None else n * s
            return [(n if n is not None else constant(np.int64(1)),)]
        return [input_shapes[0]]

    def L_op(self, inputs, outputs, output_grads):
        (x,), (z,), (gz,) = inputs, outputs, output_grads
        ax = 0 if self.axis is None else self.axis
        rev = [slice(None)] * (gz.ndim)
        rev[ax] = slice(None, None, -1)
        rev = tuple(rev)
        if self.mode == "add":
            g = CumOp("add", ax)(gz[rev])[rev]
        else:
            # Theano's formula: reversed cumsum of (cumprod * gz), over x (undefined where x == 0)
            g = CumOp("add", ax)((z * gz)[rev])[rev]
            xf = x if self.axis is not None or x.ndim == 1 else x.flatten()
            g = g / xf
        if self.axis is None and x.ndim != 1:
            g = g.reshape(x.shape, ndim=x.ndim)
        return [g]

    def R_op(self, inputs, eval_points):
        if eval_points[0] is None:
            return [None]
        if self.mode != "add":
            return super().R_op(inputs, eval_points)
        return [self(eval_points[0])]


def cumsum(x, axis=None):
    x = as_tensor_variable(x)
    if axis is not None:
        (axis,) = normalize_axis(axis, x.ndim, "cumsum")
    return CumOp("add", axis)(x)


def cumprod(x, axis=None):
    x = as_tensor_variable(x)
    if axis is not None:
        (axis,) = normalize_axis(axis, x.ndim, "cumprod")
    return CumOp("mul", axis)(x)
