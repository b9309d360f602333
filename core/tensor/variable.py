"""TensorVariable and TensorConstant: symbolic arrays with NumPy-like operators."""
from __future__ import annotations

import numpy as np

from ..graph import Constant, Variable
from ..labels import constant_label
from ..types import TensorType


class _TensorMixin:
    """Operators and methods shared by tensor variables and constants."""

    # --- type facts
    @property
    def dtype(self):
        return self.type.dtype

    @property
    def ndim(self):
        return self.type.ndim

    @property
    def broadcastable(self):
        return self.type.broadcastable

    @property
    def shape(self):
        from . import shape_ops

        return shape_ops.shape(self)

    @property
    def size(self):
        from . import math as tm

        return tm.prod(self.shape)

    @property
    def T(self):
        return self.transpose()

    # --- arithmetic
    def __add__(self, o):
        return _m().add(self, o)

    def __radd__(self, o):
        return _m().add(o, self)

    def __sub__(self, o):
        return _m().sub(self, o)

    def __rsub__(self, o):
        return _m().sub(o, self)

    def __mul__(self, o):
        return _m().mul(self, o)

    def __rmul__(self, o):
        return _m().mul(o, self)

    def __truediv__(self, o):
        return _m().true_div(self, o)

    def __rtruediv__(self, o):
        return _m().true_div(o, self)

    def __floordiv__(self, o):
        return _m().int_div(self, o)

    def __rfloordiv__(self, o):
        return _m().int_div(o, self)

    def __mod__(self, o):
        return _m().mod(self, o)

    def __rmod__(self, o):
        return _m().mod(o, self)

    def __pow__(self, o):
        return _m().pow(self, o)

    def __rpow__(self, o):
        return _m().pow(o, self)

    def __neg__(self):
        return _m().neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _m().abs(self)

    def __matmul__(self, o):
        return _m().matmul(self, o)

    def __rmatmul__(self, o):
        return _m().matmul(o, self)

    # --- comparisons (== and != stay identity, as in Theano: use eq/neq)
    def __lt__(self, o):
        return _m().lt(self, o)

    def __le__(self, o):
        return _m().le(self, o)

    def __gt__(self, o):
        return _m().gt(self, o)

    def __ge__(self, o):
        return _m().ge(self, o)

    __hash__ = Variable.__hash__

    # --- bitwise / logical
    def __and__(self, o):
        return _m().and_(self, o)

    def __rand__(self, o):
        return _m().and_(o, self)

    def __or__(self, o):
        return _m().or_(self, o)

    def __ror__(self, o):
        return _m().or_(o, self)

    def __xor__(self, o):
        return _m().xor(self, o)

    def __rxor__(self, o):
        return _m().xor(o, self)

    def __invert__(self):
        return _m().invert(self)

    def __bool__(self):
        raise TypeError(
            "a symbolic variable has no truth value; use arignote.tensor.switch / eq / and_ "
            "instead of Python's if/and/or/==",
        )

    def __iter__(self):
        raise TypeError("a symbolic tensor cannot be iterated; index it with [i] instead")

    # no __len__, as in Theano: len(x) raises Python's "object of type 'TensorVariable' has no len()"

    # --- indexing
    def __getitem__(self, idx):
        from . import indexing

        return indexing.getitem(self, idx)

    # --- methods
    def sum(self, axis=None, dtype=None, keepdims=False, acc_dtype=None):
        return _m().sum(self, axis=axis, dtype=dtype, keepdims=keepdims, acc_dtype=acc_dtype)

    def prod(self, axis=None, dtype=None, keepdims=False, acc_dtype=None):
        return _m().prod(self, axis=axis, dtype=dtype, keepdims=keepdims, acc_dtype=acc_dtype)

    def mean(self, axis=None, dtype=None, keepdims=False):
        return _m().mean(self, axis=axis, dtype=dtype, keepdims=keepdims)

    def var(self, axis=None, ddof=0, keepdims=False):
        return _m().var(self, axis=axis, ddof=ddof, keepdims=keepdims)

    def std(self, axis=None, ddof=0, keepdims=False):
        return _m().std(self, axis=axis, ddof=ddof, keepdims=keepdims)

    def max(self, axis=None, keepdims=False, initial=None):
        return _m().max(self, axis=axis, keepdims=keepdims, initial=initial)

    def min(self, axis=None, keepdims=False, initial=None):
        return _m().min(self, axis=axis, keepdims=keepdims, initial=initial)

    def argmax(self, axis=None, keepdims=False):
        return _m().argmax(self, axis=axis, keepdims=keepdims)

    def argmin(self, axis=None, keepdims=False):
        return _m().argmin(self, axis=axis, keepdims=keepdims)

    def all(self, axis=None, keepdims=False):
        return _m().all(self, axis=axis, keepdims=keepdims)

    def any(self, axis=None, keepdims=False):
        return _m().any(self, axis=axis, keepdims=keepdims)

    def dot(self, o):
        return _m().dot(self, o)

    def reshape(self, shape, *more, ndim=None):
        from . import shape_ops

        if more:
            shape = (shape,) + more
        return shape_ops.reshape(self, shape, ndim=ndim)

    def dimshuffle(self, *pattern):
        from .elemwise import DimShuffle

        if len(pattern) == 1 and isinstance(pattern[0], (list, tuple)):
            pattern = tuple(pattern[0])
        return DimShuffle(self.broadcastable, pattern)(self)

    def flatten(self, ndim=1):
        from . import shape_ops

        return shape_ops.flatten(self, ndim)

    def transpose(self, *axes):
        from . import shape_ops

        if len(axes) == 1 and isinstance(axes[0], (list, tuple)):
            axes = tuple(axes[0])
        return shape_ops.transpose(self, axes or None)

    def astype(self, dtype):
        return _m().cast(self, dtype)

    def squeeze(self, axis=None):
        from . import shape_ops

        return shape_ops.squeeze(self, axis)

    def repeat(self, repeats, axis=None):
        from . import extra_ops

        return extra_ops.repeat(self, repeats, axis)

    def clip(self, a_min, a_max):
        return _m().clip(self, a_min, a_max)

    def nonzero_values(self):
        return self.flatten()[_m().neq(self.flatten(), 0)]

    def zeros_like(self, dtype=None):
        return _m().zeros_like(self, dtype=dtype)

    def ones_like(self, dtype=None):
        return _m().ones_like(self, dtype=dtype)

    def copy(self, name=None):
        out = _m().identity(self)
        out.name = name
        return out

    def __round__(self, ndigits=None):
        return _m().round(self)

    def round(self, mode=None):
        return _m().round(self, mode)

    def conj(self):
        return _m().conj(self)

    @property
    def real(self):
        return _m().real(self)

    @property
    def imag(self):
        return _m().imag(self)

    def log(self):
        return _m().log(self)

    def exp(self):
        return _m().exp(self)

    def cumsum(self, axis=None):
        return _m().cumsum(self, axis)

    __array_priority__ = 1000
    __array_ufunc__ = None  # numpy operators defer to ours: np_array + x -> x.__radd__


_math = None  # arignote.tensor.math, kept once imported: every operator goes through it


def _m():
    return _math or _load_math()


def _load_math():
    global _math
    from . import math

    _math = math
    return math


class TensorVariable(_TensorMixin, Variable):
    """A symbolic array (the result of ``T.dmatrix('x')`` or of an op)."""


TensorType.variable_type = TensorVariable


class TensorConstant(_TensorMixin, Constant):
    """A fixed array in a graph.

    The value is read-only: a writeable array is copied (as Theano does: changing the
    caller's array afterwards does not change the graph), a read-only one is shared.
    """

    def __init__(self, type, data, name=None):
        if not (isinstance(data, np.ndarray) and data.dtype == type.numpy_dtype and not data.flags.writeable):
            data = np.array(data, dtype=type.dtype, copy=True)
            data.setflags(write=False)
        super().__init__(type, data, name)

    @property
    def value(self):
        return self.data

    def __str__(self):
        """Theano's spelling: ``TensorConstant{2.0}``, ``TensorConstant{(3,) of 1.0}``, or the name."""
        return constant_label(self)


def constant_of_array(t, arr):
    """A TensorConstant of type ``t`` holding ``arr``, which must already be a read-only ndarray of
    ``t``'s dtype and shape (the graph builder's fast path: nothing is converted or copied)."""
    c = TensorConstant.__new__(TensorConstant)
    Constant.__init__(c, t, arr)
    return c


def constant(x, name=None, ndim=None, dtype=None):
    """A TensorConstant holding ``x`` (static shape from the value).

    With ``ndim``, length-1 axes are added, or leading length-1 axes dropped, to get
    ``ndim`` dimensions (as Theano does).
    """
    x_ = _to_array(x, dtype)
    if ndim is not None:
        if x_.ndim < ndim:
            x_ = x_.reshape((1,) * (ndim - x_.ndim) + x_.shape)
        elif x_.ndim > ndim:
            extra = x_.ndim - ndim
            if any(s != 1 for s in x_.shape[:extra]):
                raise ValueError(f"a constant of shape {x_.shape} cannot have {ndim} dimensions: its "
                                 f"{extra} leading axes are not all of length 1")
            x_ = x_.reshape(x_.shape[extra:])
    t = TensorType(x_.dtype, shape=x_.shape)
    return TensorConstant(t, x_, name=name)


def _to_array(x, dtype=None):
    if dtype is not None:
        return np.asarray(x, dtype=dtype)
    if isinstance(x, bool):
        return np.asarray(x, dtype="bool")
    if isinstance(x, int):
        a = np.asarray(x)
        return a
    if isinstance(x, float):
        from ..config import config

        return np.asarray(x, dtype=config.floatX if config.floatX != "float16" else "float64")
    a = np.asarray(x)
    if a.dtype == object:
        raise TypeError(f"cannot make a tensor constant from {type(x).__name__} {x!r}")
    if a.dtype.kind in "US":
        raise TypeError(f"cannot make a tensor constant from a string {x!r}")
    return a


def as_tensor_variable(x, name=None, ndim=None, dtype=None):
    """Turn x (a variable, number, list or array) into a tensor variable."""
    if isinstance(x, _TensorMixin):
        if ndim is not None and x.ndim != ndim:
            x = _to_ndim(x, ndim)
        if dtype is not None and x.dtype != dtype:
            x = _m().cast(x, dtype)
        return x
    if isinstance(x, Variable):
        raise TypeError(f"{x} of type {x.type} is not a tensor")
    if isinstance(x, (list, tuple)) and any(isinstance(e, Variable) for e in _flat(x)):
        from . import basic

        return basic.stack([as_tensor_variable(e) for e in x])
    return constant(x, name=name, ndim=ndim, dtype=dtype)


def _to_ndim(x, ndim):
    """``x`` with ``ndim`` dimensions, as Theano's as_tensor_variable: broadcastable axes are
    added on the left, or leading broadcastable axes dropped."""
    if x.ndim < ndim:
        return x.dimshuffle(["x"] * (ndim - x.ndim) + list(range(x.ndim)))
    extra = x.ndim - ndim
    if not all(x.broadcastable[:extra]):
        shape = ", ".join("?" if s is None else str(s) for s in x.type.shape)
        raise ValueError(
            f"as_tensor_variable: {x} of type {x.type} (shape ({shape})) cannot have {ndim} dimensions: "
            f"its {extra} leading axes are not all broadcastable, so they cannot be dropped")
    return x.dimshuffle(list(range(extra, x.ndim)))


def _flat(x):
    for e in x:
        if isinstance(e, (list, tuple)):
            yield from _flat(e)
        else:
            yield e


as_tensor = as_tensor_variable
