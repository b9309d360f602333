"""Types: what a Variable may hold.  TensorType = dtype + static shape."""
from __future__ import annotations

import numpy as np

from .graph import _set_trace, user_frame as _user_frame

DTYPES = (
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64", "complex64", "complex128",
)
INT_DTYPES = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
FLOAT_DTYPES = ("float16", "float32", "float64")
COMPLEX_DTYPES = ("complex64", "complex128")
DISCRETE_DTYPES = ("bool",) + INT_DTYPES
CONTINUOUS_DTYPES = FLOAT_DTYPES + COMPLEX_DTYPES

_BCAST_NAMES = {
    (): "scalar",
    (False,): "vector",
    (False, True): "col",
    (True, False): "row",
    (False, False): "matrix",
}


class Type:
    """Base of all types; a Type called with a name makes a Variable of it."""

    def filter(self, value, strict=False, allow_downcast=None):
        raise NotImplementedError

    def make_variable(self, name=None):
        from .graph import Variable

        return Variable(self, name=name)

    def __call__(self, name=None):
        v = self.make_variable(name)
        _set_trace(v, _user_frame())
        return v

    def constant_signature(self, data):
        return (self, data)


def _norm_dtype(dtype):
    if dtype is None:
        from .config import config

        dtype = config.floatX
    if dtype == "floatX":
        from .config import config

        dtype = config.floatX
    try:
        return _DTYPE_NAMES[dtype]  # hot path: every variable made while building a graph
    except (KeyError, TypeError):
        pass
    name = np.dtype(dtype).name
    if name not in DTYPES:
        raise TypeError(f"unsupported dtype {dtype!r}; arignote supports {', '.join(DTYPES)}")
    return name


_DTYPE_NAMES = {d: d for d in DTYPES}
_DTYPE_NAMES.update({np.dtype(d): d for d in DTYPES})


class _Interned(type):
    """Metaclass of TensorType: equal types are one object.

    Types never change once made, so sharing them is safe, and it spares the
    graph builder re-validating a shape and re-hashing a type for every new
    variable.  The cache maps both the arguments as given (when hashable) and
    the normalised ones to the type.
    """

    def __call__(cls, dtype=None, broadcastable=None, shape=None, name=None):
        dtype = _norm_dtype(dtype)
        key = (cls, dtype, broadcastable, shape, name)
        try:
            return _TYPES[key]
        except KeyError:
            pass
        except TypeError:  # lists and other unhashable arguments
            key = None
        t = super().__call__(dtype, broadcastable, shape, name)
        if len(_TYPES) > 200_000:  # only identity is lost: equal types still compare equal
            _TYPES.clear()
        t = _TYPES.setdefault((cls, t.dtype, None, t.shape, name), t)
        if key is not None:
            _TYPES[key] = t
        return t


_TYPES: dict = {}


class TensorType(Type, metaclass=_Interned):
    """An n-dimensional array type: a dtype and a static shape.

    ``shape`` entries are ints (known sizes) or None; ``broadcastable`` is
    the Theano view of the same information (True where the size is 1).
    Instances are interned (see ``_Interned``) and immutable.
    """

    #: the class of this type's variables; arignote.tensor.variable installs TensorVariable
    #: (the tensor layer sits above this module, so it hands the class down)
    variable_type = None

    def __init__(self, dtype, broadcastable=None, shape=None, name=None):
        self.dtype = _norm_dtype(dtype)
        if shape is None and broadcastable is None:
            raise TypeError("TensorType needs a broadcastable pattern or a shape")
        if shape is None:
            shape = tuple(1 if b else None for b in broadcastable)
        else:
            shape = tuple(None if s is None else int(s) for s in shape)
            if broadcastable is not None and tuple(s == 1 for s in shape) != tuple(map(bool, broadcastable)):
                raise TypeError(f"shape {shape} disagrees with broadcastable {broadcastable}")
        if any(s is not None and s < 0 for s in shape):
            raise ValueError(f"negative static shape {shape}")
        self.shape = shape
        self.name = name
        self.numpy_dtype = np.dtype(self.dtype)
        self.broadcastable = tuple(s == 1 for s in shape)
        self.ndim = len(shape)
        self._hash = hash((TensorType, self.dtype, shape))

    def clone(self, dtype=None, broadcastable=None, shape=None):
        if shape is None and broadcastable is not None:
            shape = tuple(1 if b else None for b in broadcastable)
        return TensorType(dtype or self.dtype, shape=self.shape if shape is None else shape)

    def __eq__(self, other):
        return other is self or (type(other) is type(self) and other.dtype == self.dtype
                                 and other.shape == self.shape)

    def __hash__(self):
        return self._hash

    def __str__(self):
        if self.name:
            return self.name
        b = self.broadcastable
        if any(s is not None and s != 1 for s in self.shape):
            kind = "shape=(" + ", ".join("?" if s is None else str(s) for s in self.shape) + ("," if len(b) == 1 else "") + ")"
        elif b in _BCAST_NAMES:
            kind = _BCAST_NAMES[b]
        elif not any(b):
            kind = f"{len(b)}D"
        else:
            kind = str(b)
        return f"TensorType({self.dtype}, {kind})"

    def __repr__(self):
        return str(self)

    def __reduce__(self):
        # rebuilt through the constructor: interned on load, derived fields (the hash) recomputed
        return (TensorType, (self.dtype, None, self.shape, self.name))

    def __setstate__(self, d):
        """Pickles made before types were interned carried their ``__dict__``."""
        self.__init__(d["dtype"], shape=d["shape"], name=d.get("name"))

    def make_variable(self, name=None):
        return self.variable_type(self, None, None, name)

    def is_super(self, other):
        """True when every value of ``other`` is a value of self (same dtype, looser shape)."""
        return (
            isinstance(other, TensorType)
            and other.dtype == self.dtype
            and other.ndim == self.ndim
            and all(s is None or s == o for s, o in zip(self.shape, other.shape))
        )

    def filter(self, value, strict=False, allow_downcast=None, name=None):
        """Convert ``value`` to an ndarray of this type or raise TypeError naming ``name``."""
        what = f"input {name!r}" if name else "value"
        if type(value) is np.ndarray and value.dtype == self.numpy_dtype:
            arr = value
        else:
            if strict:
                if not isinstance(value, np.ndarray) or value.dtype != self.numpy_dtype:
                    raise TypeError(f"{what} must be an ndarray of dtype {self.dtype}, got {type(value).__name__}")
            arr = _safe_cast(value, self.numpy_dtype, what, allow_downcast)
        self.check_shape(arr.shape, what)
        return arr

    def check_shape(self, shape, what="value"):
        """Raise TypeError naming ``what`` unless an array of ``shape`` fits this type."""
        shape = tuple(shape)
        if len(shape) != len(self.shape):
            raise TypeError(
                f"wrong number of dimensions for {what}: expected {len(self.shape)} "
                f"({self}), got {len(shape)} (shape {shape})"
            )
        for i, (s, a) in enumerate(zip(self.shape, shape)):
            if s is not None and s != a:
                raise TypeError(f"{what} has shape {shape}, but its type {self} requires size {s} on axis {i}")

    def cast_check(self, dtype, what="value", strict=False, allow_downcast=None):
        """Raise TypeError naming ``what`` unless ``dtype`` data may be stored in this type
        (equal, or a cast that loses nothing; any cast with ``allow_downcast``; none if ``strict``)."""
        dtype = np.dtype(dtype)
        if dtype == self.numpy_dtype:
            return
        if strict:
            raise TypeError(f"{what} must be an array of dtype {self.dtype}, got {dtype}")
        if not (allow_downcast or np.can_cast(dtype, self.numpy_dtype, "safe")):
            raise TypeError(f"{what}: cannot cast {dtype} data to {self.dtype} without losing data "
                            f"(pass a {self.dtype} array, or cast it explicitly)")

    def constant_signature(self, data):
        a = np.asarray(data)
        if a.size > 64:
            return (self, a.shape, hash(a.tobytes()), id(data))
        return (self, a.shape, a.tobytes())

    def format_constant(self, data):
        a = np.asarray(data)
        if a.ndim == 0:
            return str(a.item())
        if a.size <= 6:
            return np.array2string(a, separator=", ").replace("\n", "")
        return f"TensorConstant{{{self.dtype}, shape={a.shape}}}"

    def value_eq(self, a, b, rtol=None, atol=None):
        return np.array_equal(a, b, equal_nan=self.dtype in CONTINUOUS_DTYPES)


def _safe_cast(value, dtype, what, allow_downcast):
    """Cast value to dtype, refusing casts that lose data unless allow_downcast."""
    if isinstance(value, np.ndarray):
        arr = value
    elif isinstance(value, (bool, int, float, complex, np.generic)) and not isinstance(value, np.ndarray):
        arr = _scalar_array(value, dtype, what, allow_downcast)
        return arr
    else:
        try:
            arr = np.asarray(value)
        except Exception as e:  # ragged lists and the like
            raise TypeError(f"{what} cannot be converted to an array: {e}") from None
        if arr.dtype == object:
            raise TypeError(f"{what} cannot be converted to a numeric array (got object array from {type(value).__name__})")
    if arr.dtype == dtype:
        return arr
    if allow_downcast or np.can_cast(arr.dtype, dtype, "safe"):
        return arr.astype(dtype)
    # a value that fits exactly is accepted (e.g. python lists of ints into an int32 input)
    if _fits(arr, dtype):
        return arr.astype(dtype)
    raise TypeError(
        f"{what}: cannot cast {arr.dtype} data to {dtype} without losing data "
        f"(pass a {dtype} array, or cast it explicitly)"
    )


def _scalar_array(value, dtype, what, allow_downcast):
    if allow_downcast:
        return np.asarray(value, dtype=dtype)
    arr = np.asarray(value)
    if arr.dtype == dtype or np.can_cast(arr.dtype, dtype, "safe") or _fits(arr, dtype):
        return arr.astype(dtype)
    raise TypeError(
        f"{what}: {value!r} ({arr.dtype}) cannot be cast to {dtype} without losing data"
    )


def _fits(arr, dtype):
    """True when every element survives a round trip through dtype exactly."""
    src = arr.dtype
    if src.kind == "b":
        return True
    if dtype.kind in "iu" and src.kind in "iu":
        info = np.iinfo(dtype)
        return arr.size == 0 or (arr.min() >= info.min and arr.max() <= info.max)
    if dtype.kind in "iu":
        return False  # floats/complex into ints: refused, as Theano does
    if dtype.kind == "f" and src.kind in "iuf":
        with np.errstate(over="ignore", invalid="ignore"):
            back = arr.astype(dtype).astype(src)
        return bool(np.array_equal(back, arr, equal_nan=True))
    if dtype.kind == "c" and src.kind in "iufc":
        return True
    return False


class NoneTypeT(Type):
    """The type of a constant None (slices' missing bounds)."""

    def __eq__(self, other):
        return type(other) is type(self)

    def __hash__(self):
        return hash(NoneTypeT)

    def __str__(self):
        return "none"

    def format_constant(self, data):
        return "None"

    def filter(self, value, strict=False, allow_downcast=None, name=None):
        if value is not None:
            raise TypeError("expected None")
        return value


class GenericType(Type):
    """A type for Python objects (slices, random generators, ...)."""

    def __eq__(self, other):
        return type(other) is type(self)

    def __hash__(self):
        return hash(GenericType)

    def __str__(self):
        return "generic"

    def format_constant(self, data):
        return repr(data)

    def constant_signature(self, data):
        try:
            hash(data)
            return (self, data)
        except TypeError:
            return (self, id(data))

    def filter(self, value, strict=False, allow_downcast=None, name=None):
        return value


generic = GenericType()
