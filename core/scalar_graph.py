"""Symbolic scalars (Theano's ``theano.scalar``): a ``ScalarType`` per dtype and scalar
ops applied directly to its variables, as in ``add(x, mul(y, 2))``.

Every :class:`arignote.scalar.ScalarOp` is also an Op on scalar variables (this module's
``ScalarNodeMixin``): ``add(x, y)`` makes an Apply node whose op *is* ``scalar.add``, so
``node.op == add`` holds in user rewrites, and the node prints as ``add(x, y)``.
"""
from __future__ import annotations

import numpy as np

from .graph import Apply, Constant, Variable
from .types import DTYPES, Type


class ScalarType(Type):
    """A 0-d value of one dtype held as a NumPy scalar (prints as its dtype: ``float64``)."""

    ndim = 0
    broadcastable = ()
    shape = ()

    def __init__(self, dtype):
        if str(dtype) not in DTYPES:
            raise TypeError(f"unknown scalar dtype {dtype!r}; use one of {', '.join(DTYPES)}")
        self.dtype = str(dtype)
        self.numpy_dtype = np.dtype(self.dtype)

    def __eq__(self, other):
        return type(other) is type(self) and other.dtype == self.dtype

    def __hash__(self):
        return hash((ScalarType, self.dtype))

    def __str__(self):
        return self.dtype

    def __repr__(self):
        return f"Scalar({self.dtype})"

    def filter(self, value, strict=False, allow_downcast=None, name=None):
        what = f" for {name}" if name else ""
        arr = np.asarray(value)
        if arr.ndim != 0:
            raise TypeError(f"expected a scalar of dtype {self.dtype}{what}, got an array of shape {arr.shape}")
        if arr.dtype == self.numpy_dtype:
            return arr[()]
        if strict:
            raise TypeError(f"expected a {self.dtype} scalar{what}, got {arr.dtype}")
        cast = arr.astype(self.numpy_dtype)
        if not allow_downcast and not np.can_cast(arr.dtype, self.numpy_dtype, "safe") and cast != arr:
            raise TypeError(f"{value!r}{what} cannot be stored exactly as {self.dtype} (pass allow_downcast=True)")
        return cast[()]

    def make_variable(self, name=None):
        return ScalarVariable(self, name=name)

    def format_constant(self, data):
        return str(data)

    def values_eq(self, a, b):
        return bool(np.all(a == b))

    def values_eq_approx(self, a, b, tolerance=1e-4):
        return bool(np.allclose(a, b, rtol=tolerance, atol=tolerance))


class _ScalarArithmetic:
    """Python operators on scalar variables build scalar-op nodes."""

    def _op(name, swap=False):
        def method(self, other):
            from . import scalar

            op = scalar.get_scalar_op(name)
            return op(other, self) if swap else op(self, other)

        return method

    __add__, __radd__ = _op("add"), _op("add", True)
    __sub__, __rsub__ = _op("sub"), _op("sub", True)
    __mul__, __rmul__ = _op("mul"), _op("mul", True)
    __truediv__, __rtruediv__ = _op("true_div"), _op("true_div", True)
    __floordiv__, __rfloordiv__ = _op("int_div"), _op("int_div", True)
    __pow__, __rpow__ = _op("pow"), _op("pow", True)
    __lt__, __le__, __gt__, __ge__ = _op("lt"), _op("le"), _op("gt"), _op("ge")
    del _op

    def __neg__(self):
        from . import scalar

        return scalar.get_scalar_op("neg")(self)

    __hash__ = Variable.__hash__


class ScalarVariable(_ScalarArithmetic, Variable):
    """A variable of a ScalarType."""


class ScalarConstant(_ScalarArithmetic, Constant):
    """A constant of a ScalarType."""


def _constant_dtype(value):
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, (int, np.integer)) and not isinstance(value, np.integer):
        for d in ("int8", "int16", "int32", "int64"):
            if np.iinfo(d).min <= value <= np.iinfo(d).max:
                return d
    return np.asarray(value).dtype.name


def constant(value, name=None):
    """A scalar constant; Python ints take the smallest integer dtype holding them."""
    t = ScalarType(_constant_dtype(value))
    return ScalarConstant(t, t.filter(value, allow_downcast=True), name=name)


def as_scalar(x):
    if isinstance(x, Variable):
        if not isinstance(x.type, ScalarType):
            raise TypeError(f"{x} is a {x.type}, not a scalar; scalar ops take scalar variables")
        return x
    return constant(x)


class ScalarNodeMixin:
    """Makes a scalar op an Op on scalar variables: ``make_node``, ``perform``, ``__call__``."""

    default_output = None
    destroy_map = {}
    view_map = {}

    def make_node(self, *inputs):
        ins = [as_scalar(i) for i in inputs]
        if self.nin != -1 and len(ins) != self.nin:
            raise TypeError(f"scalar op {self.name} takes {self.nin} input(s), got {len(ins)}")
        out_dtype = self.output_dtype(*[i.type.dtype for i in ins])
        return Apply(self, ins, [ScalarType(out_dtype)()])

    def __call__(self, *inputs):
        node = self.make_node(*inputs)
        return node.outputs[0]

    def perform(self, node, inputs, output_storage):
        out_dtype = np.dtype(node.outputs[0].type.dtype)
        out = self.impl(out_dtype, *[np.asarray(v) for v in inputs])
        output_storage[0][0] = np.asarray(out, dtype=out_dtype)[()]

    def infer_shape(self, *args):
        return [()]

    def connection_pattern(self, node):
        return [[True] for _ in node.inputs]


SCALAR_TYPES = {d: ScalarType(d) for d in DTYPES}
