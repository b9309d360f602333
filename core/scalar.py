"""Scalar ops: the per-element functions that Elemwise maps over arrays.

Each ScalarOp has a unique ``name`` (compiled backends render it from one
table keyed by that name; a second op of the same name is refused), an arity, an output-dtype rule, a NumPy
implementation over whole arrays, and a gradient written with tensor ops.
"""
from __future__ import annotations

import numpy as np

from .scalar_graph import ScalarNodeMixin

from . import special
from .errors import NoGradError
from .scalar_domain import CX, CX_EXTRA, EXACT, F, FI, FLOAT_EXTRA, INT_EXTRA, LIBMVEC, SPECIAL_RTOL, ConformanceDomain

_REGISTRY: dict[str, "ScalarOp"] = {}
_row_listeners: list = []  # callables told the name of each new row with a conformance domain


def on_new_row(tell):
    """Call ``tell(name)`` whenever a scalar op with a conformance domain is defined (the
    conformance records built from the rows are rebuilt then; a plugin may define rows late)."""
    _row_listeners.append(tell)
_umath = getattr(np, "_core", None) or np.core  # numpy 2 / numpy 1
_CLIP_UFUNC = _umath.umath.clip if hasattr(_umath, "umath") else _umath.clip

# Theano's rule for integer -> float upgrades (avoids NumPy's float16 for int8)
_UPGRADE_TO_FLOAT = {
    "bool": "float32", "int8": "float32", "uint8": "float32", "int16": "float32", "uint16": "float32",
    "int32": "float64", "uint32": "float64", "int64": "float64", "uint64": "float64",
}


def upcast(*dtypes):
    """NumPy's promotion of array dtypes."""
    return np.result_type(*[np.dtype(d) for d in dtypes]).name


def upgrade_to_float(*dtypes):
    d = upcast(*dtypes)
    return _UPGRADE_TO_FLOAT.get(d, d)


def _real(d):
    return {"complex64": "float32", "complex128": "float64"}.get(d, d)


DTYPE_RULES = {
    "upcast": upcast,
    "float": upgrade_to_float,
    "bool": lambda *d: "bool",
    "real": lambda *d: _real(upcast(*d)),
    "int": lambda *d: "int64",
    "first": lambda *d: d[0],
}


# What an op does when every input is bool (NumPy's ufunc loops decide):
#   "keep"  the dtype rule applies to the bools as they are (add -> bool, exp -> float32);
#   "int8"  NumPy has no bool loop and takes its int8 one (power, floor_divide, remainder, square, conj);
#   "error" NumPy has no loop at all (subtract, negative, sign): a TypeError at graph-build time.
BOOL_RULES = ("keep", "int8", "error")


class ScalarOp(ScalarNodeMixin):
    """One elementwise function, described once: its name, arity (``nin``, -1 variadic), NumPy
    function over whole arrays (``fn``), output-dtype rule, gradient, algebraic properties, how
    NumPy picks its loop dtypes (``loop``: a ufunc whose ``resolve_dtypes`` is the reference, or
    one of the rule names of arignote.backends.scalar_table.RULES; None when no backend has a
    native loop for it), whether ``arignote.tensor`` exports it as a function (``public``) and
    the inputs its conformance cases draw from (``conformance``, a ConformanceDomain: every
    backend is checked against ``fn`` there).  The backends' renderings live in their own
    folders, keyed by ``name``."""

    def __init__(self, name, nin, fn, dtype_rule="upcast", grad=None, commutative=False,
                 associative=False, identity=None, float_inputs=False, symbol=None, bools="keep", loop=None,
                 public=True, conformance=None):
        if bools not in BOOL_RULES:
            raise ValueError(f"scalar op {name}: bools must be one of {BOOL_RULES}, got {bools!r}")
        self.name = name
        self.bools = bools
        self.nin = nin  # -1: variadic (add, mul)
        self.fn = fn
        self.dtype_rule = dtype_rule
        self._grad = grad
        self.commutative = commutative
        self.associative = associative
        self.identity = identity
        self.float_inputs = float_inputs or dtype_rule == "float"
        self.symbol = symbol
        self.loop = loop
        self.public = public
        if conformance is not None and not isinstance(conformance, ConformanceDomain):
            raise TypeError(f"scalar op {name}: conformance must be a ConformanceDomain, "
                            f"not {type(conformance).__name__}")
        self.conformance = conformance
        self.defined_at = _caller()
        old = _REGISTRY.get(name)
        if old is None:
            _REGISTRY[name] = self
            if conformance is not None:
                for tell in _row_listeners:
                    tell(name)
        elif type(self).__eq__ is ScalarOp.__eq__:  # identity by name: a second definition would be
            # taken for the first one (equal, same hash) and compiled backends render by name
            raise ValueError(
                f"a scalar op named {name!r} already exists (defined at {old.defined_at}); the new one "
                f"(defined at {self.defined_at}) needs another name; get the existing one with "
                f"arignote.scalar.get_scalar_op({name!r})")

    # identity: by name, and pickled by name
    def __eq__(self, other):
        return type(other) is type(self) and other.name == self.name

    def __hash__(self):
        return hash(("ScalarOp", self.name))

    def __reduce__(self):
        return (get_scalar_op, (self.name,))

    def __str__(self):
        return self.name

    __repr__ = __str__

    def output_dtype(self, *dtypes):
        if self.bools != "keep" and dtypes and all(d == "bool" for d in dtypes):
            if self.bools == "error":
                raise TypeError(
                    f"{self.name} is not defined for boolean inputs ({', '.join(dtypes)}), as in NumPy; "
                    "use logical_not / xor, or cast to an integer first")
            dtypes = ("int8",) * len(dtypes)
        return DTYPE_RULES[self.dtype_rule](*dtypes)

    def impl(self, out_dtype, *args):
        """Apply to NumPy arrays, returning an array of ``out_dtype``."""
        if self.float_inputs:
            args = [a if a.dtype is out_dtype or a.dtype == out_dtype else a.astype(out_dtype) for a in args]
        out = self.fn(*args)
        if type(out) is not np.ndarray or (out.dtype is not out_dtype and out.dtype != out_dtype):
            out = np.asarray(out, dtype=out_dtype)
        return out

    def L_op(self, inputs, outputs, gouts):
        """Gradients of the inputs as tensor expressions (before broadcast reduction)."""
        if self._grad is None:
            raise NoGradError(f"scalar op {self.name} has no gradient")
        return self._grad(inputs, outputs[0], gouts[0])


def _caller():
    """'file:line' of the code that created a scalar op (the first frame outside its constructors)."""
    import sys

    f = sys._getframe(2)
    while f is not None and f.f_code.co_name == "__init__":
        f = f.f_back
    return f"{f.f_code.co_filename}:{f.f_lineno}" if f is not None else "?"


def get_scalar_op(name):
    return _REGISTRY[name]


def all_scalar_ops():
    return dict(_REGISTRY)


class Cast(ScalarOp):
    """Conversion to a fixed dtype."""

    def __init__(self, dtype):
        dtype = np.dtype(dtype).name
        self.dtype = dtype
        super().__init__(f"cast_{dtype}", 1, None, "first", None, public=False)

    def output_dtype(self, *dtypes):
        return self.dtype

    def impl(self, out_dtype, x):
        if self.dtype == "uint32" and x.dtype.kind == "f":
            return _float_to_uint32(x)
        return x.astype(self.dtype)

    def __eq__(self, other):
        return type(other) is Cast and other.dtype == self.dtype

    def __hash__(self):
        return hash(("Cast", self.dtype))

    def __reduce__(self):
        return (Cast, (self.dtype,))

    def L_op(self, inputs, outputs, gouts):
        tm = _t()
        (x,), (gz,) = inputs, gouts
        if x.dtype in ("bool",) or x.dtype.startswith(("int", "uint")):
            return [tm.zeros_like(x, dtype="float64")]
        if not self.dtype.startswith(("float", "complex")):
            return [tm.zeros_like(x)]  # a cast to an integer is piecewise constant
        return [tm.cast(gz, x.dtype)]


def _float_to_uint32(x):
    """float -> uint32 with one result for nan, inf and out-of-range values wherever they sit.

    NumPy's own cast gives those the vectorised loop's result in the body of an array and the
    scalar loop's in its last elements (``np.full(19, 1e10).astype('uint32')`` is 0 sixteen times,
    then 1410065408); arignote uses the vectorised rule on every backend: a 32-bit truncating
    conversion (nan or out of range: -2**31), of x - 2**31 with the top bit set from 2**31 up.
    """
    v = np.asarray(x, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        hi = v >= 2.0 ** 31
        w = np.where(hi, v - 2.0 ** 31, v)
        ok = (w >= -(2.0 ** 31)) & (w < 2.0 ** 31)
        r = np.where(ok, np.trunc(np.where(ok, w, 0.0)), -(2.0 ** 31)).astype(np.int64)
    return ((np.where(hi, r ^ 0x80000000, r)) & 0xFFFFFFFF).astype(np.uint32)


_cast_ops: dict[str, Cast] = {}


def cast_op(dtype):
    dtype = np.dtype(dtype).name
    if dtype not in _cast_ops:
        _cast_ops[dtype] = Cast(dtype)
    return _cast_ops[dtype]


class Composite(ScalarOp):
    """A DAG of scalar ops fused into one scalar function (made by the fusion rewrite).

    ``nodes`` is a tuple of (scalar_op, input_refs, dtype) where a ref is
    ('i', k) for the k-th input or ('n', j) for the output of node j;
    ``outputs`` lists node indices; ``in_dtypes`` the input dtypes.
    """

    def __init__(self, in_dtypes, nodes, outputs):
        self.in_dtypes = tuple(in_dtypes)
        self.nodes = tuple((op, tuple(refs), dt) for op, refs, dt in nodes)
        self.outputs = tuple(outputs)
        name = "composite{" + ";".join(
            f"{op.name}({','.join(f'{k}{j}' for k, j in refs)})" for op, refs, _ in self.nodes
        ) + "}"
        super().__init__(name, len(self.in_dtypes), None, "first", None, public=False)

    def __eq__(self, other):
        return type(other) is Composite and other.name == self.name and other.in_dtypes == self.in_dtypes

    def __hash__(self):
        return hash(("Composite", self.name, self.in_dtypes))

    def __reduce__(self):
        return (Composite, (self.in_dtypes, self.nodes, self.outputs))

    def output_dtypes(self):
        return [self.nodes[j][2] for j in self.outputs]

    def output_dtype(self, *dtypes):
        return self.output_dtypes()[0]

    def impl_multi(self, *args):
        vals = []
        for op, refs, dt in self.nodes:
            ins = [args[j] if k == "i" else vals[j] for k, j in refs]
            vals.append(op.impl(dt, *ins))
        return [vals[j] for j in self.outputs]

    def impl(self, out_dtype, *args):
        return self.impl_multi(*args)[0]


# ----------------------------------------------------------------- gradients
# Each takes (inputs, output, gout) of tensor variables and returns a list.


_math = None  # the tensor-math namespace the formulas are written in (installed by arignote.tensor.math)


def use_math(namespace):
    """Install the tensor-math namespace (``exp``, ``switch``, ...) the gradient formulas call.

    Scalar ops sit below the tensor layer, yet their gradients are tensor expressions:
    the tensor layer hands its namespace down instead of this module importing upward."""
    global _math
    _math = namespace


def _t():
    return _math


def _g_add(xs, z, gz):
    return [gz for _ in xs]


def _g_sub(xs, z, gz):
    return [gz, -gz]


def _g_mul(xs, z, gz):
    tm = _t()
    out = []
    for i in range(len(xs)):
        others = [x for j, x in enumerate(xs) if j != i]
        out.append(tm.mul(gz, *others) if others else gz)
    return out


def _g_div(xs, z, gz):
    x, y = xs
    return [gz / y, -(gz * x) / (y * y)]


def _g_pow(xs, z, gz):
    tm = _t()
    x, y = xs
    gx = gz * y * tm.pow(x, y - 1)
    gy = gz * tm.switch(tm.eq(x, 0), 0, z * tm.log(tm.switch(tm.eq(x, 0), 1, x)))
    return [gx, gy]


def _g_mod(xs, z, gz):
    tm = _t()
    x, y = xs
    return [gz, -gz * tm.floor_div(x, y)]


def _g_maximum(xs, z, gz):
    tm = _t()
    x, y = xs
    return [gz * tm.eq(z, x), gz * tm.eq(z, y)]


def _g_clip(xs, z, gz):
    tm = _t()
    x, lo, hi = xs
    return [gz * tm.and_(tm.ge(x, lo), tm.le(x, hi)), gz * tm.lt(x, lo), gz * tm.gt(x, hi)]


def _g_switch(xs, z, gz):
    tm = _t()
    c, a, b = xs
    return [tm.zeros_like(c, dtype="float64"), tm.switch(c, gz, 0), tm.switch(c, 0, gz)]


def _g_arctan2(xs, z, gz):
    y, x = xs
    r = x * x + y * y
    return [gz * x / r, -gz * y / r]


def _g_second(xs, z, gz):
    from .grad_markers import disconnected_type

    # second(a, b) copies b: a's values are never used, only its shape
    return [disconnected_type(), gz]


def _g_zero(xs, z, gz):
    tm = _t()
    return [tm.zeros_like(x, dtype=x.dtype if x.dtype.startswith("float") else "float64") for x in xs]


def _u(f):
    """Wrap a unary gradient formula f(x, z, gz) -> gx."""
    return lambda xs, z, gz: [f(xs[0], z, gz)]


def _d(dtypes, extra_dtypes=(), **kw):
    """A row's conformance domain: its quick-level dtypes, full-level extra dtypes and the rest."""
    return ConformanceDomain(dtypes=dtypes, extra_dtypes=extra_dtypes, **kw)


def _define_all():
    tm = _t
    S = ScalarOp
    np_ = np
    # arithmetic
    S("add", -1, lambda *a: _reduce_fn(np_.add, a), "upcast", _g_add, True, True, 0, symbol="+", loop=np_.add,
      conformance=_d(FI, INT_EXTRA, extremes=True, fuzz_kinds="fiu", ulps=EXACT))
    S("sub", 2, np_.subtract, "upcast", _g_sub, symbol="-", bools="error", loop=np_.subtract,
      conformance=_d(FI, INT_EXTRA, extremes=True, fuzz_kinds="fiu", ulps=EXACT))
    S("mul", -1, lambda *a: _reduce_fn(np_.multiply, a), "upcast", _g_mul, True, True, 1, symbol="*", loop=np_.multiply,
      conformance=_d(FI, INT_EXTRA, extremes=True, fuzz_kinds="fiu", ulps=EXACT))
    S("true_div", 2, np_.true_divide, "float", _g_div, symbol="/", loop=np_.true_divide,
      conformance=_d(FI, INT_EXTRA, nonzero=(1,), grad_domain=((-3, 3), (0.5, 3)), ulps=EXACT))
    S("int_div", 2, np_.floor_divide, "upcast", _g_zero, symbol="//", bools="int8", loop=np_.floor_divide,
      conformance=_d(FI, ("int8", "uint8"), nonzero=(1,), discontinuous=True, exact=True))
    S("mod", 2, np_.mod, "upcast", _g_mod, symbol="%", bools="int8", loop=np_.remainder,
      conformance=_d(FI, ("int8", "uint8"), nonzero=(1,), discontinuous=True, exact=True, ulps=EXACT))
    S("pow", 2, np_.power, "upcast", _g_pow, symbol="**", bools="int8", loop=np_.power,
      conformance=_d(FI + CX, ("int8",) + CX_EXTRA, domain=((-3, 3), (0, 4)), grad_domain=((0.5, 2.5), (-2, 2)), ulps=LIBMVEC))
    S("neg", 1, np_.negative, "upcast", _u(lambda x, z, gz: -gz), bools="error", loop=np_.negative,
      conformance=_d(FI, INT_EXTRA[:3], extremes=True, exact=True, fuzz_kinds="fiu", ulps=EXACT))
    S("abs", 1, np_.abs, "real", _u(lambda x, z, gz: gz * tm().sgn(x)), loop=np_.absolute,
      conformance=_d(FI, INT_EXTRA[:3], extremes=True, exact=True, fuzz_kinds="fiu", ulps=EXACT))
    S("sgn", 1, np_.sign, "upcast", _g_zero, bools="error", loop=np_.sign,
      conformance=_d(FI + CX, ("int8",) + CX_EXTRA, discontinuous=True, exact=True, fuzz_kinds="fiu", ulps=EXACT))
    S("maximum", 2, np_.maximum, "upcast", _g_maximum, True, loop=np_.maximum,
      conformance=_d(FI, INT_EXTRA, extremes=True, exact=True, fuzz_kinds="fiu", ulps=EXACT))
    S("minimum", 2, np_.minimum, "upcast", _g_maximum, True, loop=np_.minimum,
      conformance=_d(FI, INT_EXTRA, extremes=True, exact=True, fuzz_kinds="fiu", ulps=EXACT))
    S("clip", 3, np_.clip, "first", _g_clip, loop=_CLIP_UFUNC, public=False,
      conformance=_d(FI, INT_EXTRA[:3], extremes=True, exact=True))  # tensor.clip keeps x's dtype
    S("floor", 1, np_.floor, "float", _g_zero, loop=np_.floor,
      conformance=_d(F, FLOAT_EXTRA, discontinuous=True, exact=True, ulps=EXACT))
    S("ceil", 1, np_.ceil, "float", _g_zero, loop=np_.ceil,
      conformance=_d(F, FLOAT_EXTRA, discontinuous=True, exact=True, ulps=EXACT))
    S("round_half_to_even", 1, np_.round, "upcast", _g_zero, loop="same",
      conformance=_d(F + CX, ("float16",) + CX_EXTRA, discontinuous=True, exact=True, ulps=EXACT))
    S("round_half_away_from_zero", 1, _round_away, "upcast", _g_zero, loop="same",
      conformance=_d(F, ("float16",), discontinuous=True, exact=True, ulps=EXACT))
    S("trunc", 1, np_.trunc, "float", _g_zero, loop=np_.trunc,
      conformance=_d(F, FLOAT_EXTRA, discontinuous=True, exact=True, ulps=EXACT))
    S("sqr", 1, np_.square, "upcast", _u(lambda x, z, gz: gz * 2 * x), bools="int8", loop=np_.square,
      conformance=_d(FI, INT_EXTRA[:3], extremes=True, ulps=EXACT))
    S("sqrt", 1, np_.sqrt, "float", _u(lambda x, z, gz: gz * 0.5 / z), loop=np_.sqrt,
      conformance=_d(F, FLOAT_EXTRA, domain=(0.1, 4), ulps=EXACT))
    S("reciprocal", 1, np_.reciprocal, "float", _u(lambda x, z, gz: -gz * z * z), loop=np_.reciprocal,
      conformance=_d(F, FLOAT_EXTRA, nonzero=(0,), grad_domain=(0.5, 3), ulps=EXACT))
    # exponentials and logs
    S("exp", 1, np_.exp, "float", _u(lambda x, z, gz: gz * z), loop=np_.exp,
      conformance=_d(F, FLOAT_EXTRA, ulps=LIBMVEC))
    S("exp2", 1, np_.exp2, "float", _u(lambda x, z, gz: gz * z * np.log(2.0)), loop=np_.exp2,
      conformance=_d(F + CX, FLOAT_EXTRA + CX_EXTRA, ulps=LIBMVEC))
    S("expm1", 1, np_.expm1, "float", _u(lambda x, z, gz: gz * (z + 1)), loop=np_.expm1,
      conformance=_d(F + CX, FLOAT_EXTRA + CX_EXTRA, ulps=LIBMVEC, small=True))
    S("log", 1, np_.log, "float", _u(lambda x, z, gz: gz / x), loop=np_.log,
      conformance=_d(F, FLOAT_EXTRA, domain=(0.1, 5), ulps=LIBMVEC))
    S("log2", 1, np_.log2, "float", _u(lambda x, z, gz: gz / (x * np.log(2.0))), loop=np_.log2,
      conformance=_d(F + CX, FLOAT_EXTRA + CX_EXTRA, domain=(0.1, 5), ulps=LIBMVEC))
    S("log10", 1, np_.log10, "float", _u(lambda x, z, gz: gz / (x * np.log(10.0))), loop=np_.log10,
      conformance=_d(F + CX, FLOAT_EXTRA + CX_EXTRA, domain=(0.1, 5), ulps=LIBMVEC))
    S("log1p", 1, np_.log1p, "float", _u(lambda x, z, gz: gz / (1 + x)), loop=np_.log1p,
      conformance=_d(F + CX, FLOAT_EXTRA + CX_EXTRA, domain=(-0.9, 3), ulps=LIBMVEC, small=True))
    # trigonometric and hyperbolic
    S("sin", 1, np_.sin, "float", _u(lambda x, z, gz: gz * tm().cos(x)), loop=np_.sin,
      conformance=_d(F, FLOAT_EXTRA, ulps=LIBMVEC, small=True))
    S("cos", 1, np_.cos, "float", _u(lambda x, z, gz: -gz * tm().sin(x)), loop=np_.cos,
      conformance=_d(F, FLOAT_EXTRA, ulps=LIBMVEC))
    S("tan", 1, np_.tan, "float", _u(lambda x, z, gz: gz * (1 + z * z)), loop=np_.tan,
      conformance=_d(F, FLOAT_EXTRA, domain=(-1.4, 1.4), ulps=LIBMVEC, small=True))
    S("arcsin", 1, np_.arcsin, "float", _u(lambda x, z, gz: gz / tm().sqrt(1 - x * x)), loop=np_.arcsin,
      conformance=_d(F, FLOAT_EXTRA, domain=(-0.95, 0.95), ulps=LIBMVEC, small=True))
    S("arccos", 1, np_.arccos, "float", _u(lambda x, z, gz: -gz / tm().sqrt(1 - x * x)), loop=np_.arccos,
      conformance=_d(F, FLOAT_EXTRA, domain=(-0.95, 0.95), ulps=LIBMVEC))
    S("arctan", 1, np_.arctan, "float", _u(lambda x, z, gz: gz / (1 + x * x)), loop=np_.arctan,
      conformance=_d(F, FLOAT_EXTRA, ulps=LIBMVEC, small=True))
    S("arctan2", 2, np_.arctan2, "float", _g_arctan2, loop=np_.arctan2,
      conformance=_d(F, FLOAT_EXTRA, nonzero=(0, 1), ulps=LIBMVEC))
    S("sinh", 1, np_.sinh, "float", _u(lambda x, z, gz: gz * tm().cosh(x)), loop=np_.sinh,
      conformance=_d(F, FLOAT_EXTRA, ulps=LIBMVEC, small=True))
    S("cosh", 1, np_.cosh, "float", _u(lambda x, z, gz: gz * tm().sinh(x)), loop=np_.cosh,
      conformance=_d(F, FLOAT_EXTRA, ulps=LIBMVEC))
    S("tanh", 1, np_.tanh, "float", _u(lambda x, z, gz: gz * (1 - z * z)), loop=np_.tanh,
      conformance=_d(F, FLOAT_EXTRA, ulps=LIBMVEC, small=True))
    S("arcsinh", 1, np_.arcsinh, "float", _u(lambda x, z, gz: gz / tm().sqrt(x * x + 1)), loop=np_.arcsinh,
      conformance=_d(F, FLOAT_EXTRA, ulps=LIBMVEC, small=True))
    S("arccosh", 1, np_.arccosh, "float", _u(lambda x, z, gz: gz / tm().sqrt(x * x - 1)), loop=np_.arccosh,
      conformance=_d(F, FLOAT_EXTRA, domain=(1.1, 4), ulps=LIBMVEC))
    S("arctanh", 1, np_.arctanh, "float", _u(lambda x, z, gz: gz / (1 - x * x)), loop=np_.arctanh,
      conformance=_d(F, FLOAT_EXTRA, domain=(-0.9, 0.9), ulps=LIBMVEC, small=True))
    # special functions
    S("sigmoid", 1, special.sigmoid, "float", _u(lambda x, z, gz: gz * z * (1 - z)), loop="float_same",
      conformance=_d(F, FLOAT_EXTRA))
    S("softplus", 1, special.softplus, "float", _u(lambda x, z, gz: gz * tm().sigmoid(x)), loop="float_same",
      conformance=_d(F, FLOAT_EXTRA))
    S("erf", 1, special.erf, "float",
      _u(lambda x, z, gz: gz * (2.0 / np.sqrt(np.pi)) * tm().exp(-x * x)), loop="float_same",
      conformance=_d(F, FLOAT_EXTRA, rtol=SPECIAL_RTOL, ulps=LIBMVEC))
    S("erfc", 1, special.erfc, "float",
      _u(lambda x, z, gz: -gz * (2.0 / np.sqrt(np.pi)) * tm().exp(-x * x)), loop="float_same",
      conformance=_d(F, FLOAT_EXTRA, rtol=SPECIAL_RTOL, ulps=LIBMVEC))
    S("erfinv", 1, special.erfinv, "float",
      _u(lambda x, z, gz: gz * (np.sqrt(np.pi) / 2.0) * tm().exp(z * z)), loop="float_same",
      conformance=_d(F, FLOAT_EXTRA, domain=(-0.9, 0.9), rtol=SPECIAL_RTOL))
    S("gammaln", 1, special.gammaln, "float", _u(lambda x, z, gz: gz * tm().psi(x)), loop="float_same",
      conformance=_d(F, FLOAT_EXTRA, domain=(0.5, 5), rtol=SPECIAL_RTOL))
    S("psi", 1, special.psi, "float", _u(lambda x, z, gz: gz * tm().tri_gamma(x)), loop="float_same",
      conformance=_d(F, FLOAT_EXTRA, domain=(0.5, 5), rtol=SPECIAL_RTOL))
    S("tri_gamma", 1, special.trigamma, "float", None, loop="float_same",
      conformance=_d(F, FLOAT_EXTRA, domain=(0.5, 5), grad=False, rtol=SPECIAL_RTOL))
    # predicates and comparisons (no gradient flows through a bool)
    for name, fn, sym in (("lt", np_.less, "<"), ("gt", np_.greater, ">"), ("le", np_.less_equal, "<="),
                          ("ge", np_.greater_equal, ">="), ("eq", np_.equal, "=="), ("neq", np_.not_equal, "!=")):
        S(name, 2, fn, "bool", _g_zero, symbol=sym, loop=fn,
          conformance=_d(("float64", "float32", "int64", "bool", ("int64", "float64")), INT_EXTRA[:3],
                         extremes=True, grad=False, discontinuous=True, exact=True, fuzz_kinds="fiub"))
    S("isnan", 1, np_.isnan, "bool", _g_zero, loop=np_.isnan,
      conformance=_d(F, ("float16",), grad=False, discontinuous=True, exact=True))
    S("isinf", 1, np_.isinf, "bool", _g_zero, loop=np_.isinf,
      conformance=_d(F, ("float16",), grad=False, discontinuous=True, exact=True))
    S("and_", 2, _bitwise(np_.bitwise_and), "upcast", _g_zero, True, True, symbol="&", loop=np_.bitwise_and,
      conformance=_d(("int64", "bool"), ("uint8", "int8"), extremes=True, grad=False, fuzz_kinds="biu", exact=True))
    S("or_", 2, _bitwise(np_.bitwise_or), "upcast", _g_zero, True, True, symbol="|", loop=np_.bitwise_or,
      conformance=_d(("int64", "bool"), ("uint8", "int8"), extremes=True, grad=False, fuzz_kinds="biu", exact=True))
    S("xor", 2, _bitwise(np_.bitwise_xor), "upcast", _g_zero, True, True, symbol="^", loop=np_.bitwise_xor,
      conformance=_d(("int64", "bool"), ("uint8", "int8"), extremes=True, grad=False, fuzz_kinds="biu", exact=True))
    S("invert", 1, _bitwise(np_.invert), "upcast", _g_zero, symbol="~", loop=np_.invert,
      conformance=_d(("int64", "bool"), ("uint8", "int8"), extremes=True, grad=False, fuzz_kinds="biu", exact=True))
    S("logical_and", 2, np_.logical_and, "bool", _g_zero, True, loop=np_.logical_and,
      conformance=_d(("bool", "int64"), ("float64",), grad=False, fuzz_kinds="b", exact=True))
    S("logical_or", 2, np_.logical_or, "bool", _g_zero, True, loop=np_.logical_or,
      conformance=_d(("bool", "int64"), ("float64",), grad=False, fuzz_kinds="b", exact=True))
    S("logical_xor", 2, np_.logical_xor, "bool", _g_zero, True, loop=np_.logical_xor,
      conformance=_d(("bool", "int64"), ("float64",), grad=False, fuzz_kinds="b", exact=True))
    S("logical_not", 1, np_.logical_not, "bool", _g_zero, loop=np_.logical_not,
      conformance=_d(("bool", "int64"), ("float64",), grad=False, fuzz_kinds="b", exact=True))
    S("switch", 3, _switch, "switch", _g_switch, loop="switch",
      conformance=_d([("bool", "float64", "float64"), ("bool", "float32", "float32"), ("bool", "int64", "int64")], [("int64", "float64", "int64")], fuzz_kinds=("b", "fiub", "fiub"), exact=True, exact_args=(0,), ulps=EXACT))
    S("second", 2, lambda a, b: np.broadcast_to(b, np.broadcast_shapes(a.shape, b.shape)).copy(), "second",
      _g_second, loop="second",
      conformance=_d(("float64", "int64"), (("float32", "float64"),), exact=True, fuzz_kinds="fiub", ulps=EXACT))
    S("identity", 1, lambda x: x.copy(), "upcast", _u(lambda x, z, gz: gz), loop="same",
      conformance=_d(("float64", "int64", "bool"), ("float32", "uint8"), exact=True, fuzz_kinds="fiub", ulps=EXACT))
    S("real", 1, np_.real, "real", None, loop="same",
      conformance=_d(("complex128",), ("complex64",), grad=False, fuzz=False))
    S("imag", 1, np_.imag, "real", None, loop="same",
      conformance=_d(("complex128",), ("complex64",), grad=False, fuzz=False))
    S("conj", 1, np_.conj, "upcast", None, bools="int8", loop="same",
      conformance=_d(("complex128", "float64"), ("complex64",), grad=False, fuzz=False))


DTYPE_RULES["switch"] = lambda c, a, b: upcast(a, b)
DTYPE_RULES["second"] = lambda a, b: b


def _reduce_fn(ufunc, args):
    if len(args) == 2:
        return ufunc(args[0], args[1])
    out = args[0]
    for a in args[1:]:
        out = ufunc(out, a)
    if len(args) == 1:
        out = np.array(out, copy=True)
    return out


def _round_away(x):
    return np.where(x >= 0, np.floor(x + 0.5), np.ceil(x - 0.5)).astype(x.dtype) if x.dtype.kind == "f" else x.copy()


def _switch(c, a, b):
    return np.where(c, a, b)


def _bitwise(fn):
    def call(*args):
        if any(a.dtype.kind in "fc" for a in args):
            raise TypeError(f"{fn.__name__} needs integer or boolean inputs, got {[a.dtype.name for a in args]}")
        return fn(*args)

    call.__name__ = fn.__name__
    return call


_define_all()
BUILTIN = frozenset(_REGISTRY)  # the names of the scalar ops defined above (plugins add their own)
globals().update({name: op for name, op in _REGISTRY.items()})

# Theano's symbolic scalars: ``float64('x')``, ``add(x, y)`` (see scalar_graph)
from .scalar_graph import ScalarConstant, ScalarType, ScalarVariable, as_scalar, constant  # noqa: E402
from .scalar_graph import SCALAR_TYPES as _SCALAR_TYPES  # noqa: E402

Scalar = ScalarType
globals().update({k: t for k, t in _SCALAR_TYPES.items() if k != "bool"})  # keep the builtin bool
