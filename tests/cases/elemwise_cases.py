"""Elementwise-op cases for arignote.testing.run_case: every op in arignote.tensor.math
over dtypes, shapes, broadcast patterns (row/col/ndim padding), empty and 0-d arrays,
mixed-dtype promotion, Python scalars and NumPy arrays as constants.

References are NumPy / SciPy computed in the dtype the result must have: ops that
turn integers into floats follow Theano's rule (bool/int8/int16/uint8/uint16 ->
float32; 32/64-bit integers -> float64), so the reference casts the inputs first.
"""
from __future__ import annotations

import numpy as np
from scipy import special as sp

from arignote import tensor as T
from arignote.conformance.values import edge_values, small_values
from arignote.testing import OpCase
from arignote.types import TensorType

INTS = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
FLOATS = ("float16", "float32", "float64")
COMPLEX = ("complex64", "complex128")
REAL = INTS + FLOATS
NUMERIC = REAL + COMPLEX

# Theano's integer -> float upgrade (the reference's own copy, independent of arignote's)
_UPGRADE = {"bool": "float32", "int8": "float32", "uint8": "float32", "int16": "float32",
            "uint16": "float32", "int32": "float64", "uint32": "float64", "int64": "float64",
            "uint64": "float64"}


def float_dtype(*dtypes):
    """Output dtype of a float-valued op on inputs of ``dtypes`` (NumPy promotion, then Theano's upgrade)."""
    d = np.result_type(*[np.dtype(x) for x in dtypes]).name
    return _UPGRADE.get(d, d)


# (float range, integer range) per input domain
DOMAINS = {
    "real": ((-3.0, 3.0), (-5, 5)),
    "small": ((-2.0, 2.0), (-3, 3)),
    "pos": ((0.1, 4.0), (1, 6)),
    "unit": ((-0.95, 0.95), (-1, 1)),
    "ge1": ((1.05, 4.0), (1, 6)),
    "nonzero": ((0.5, 3.0), (1, 5)),
    "expo": ((0.0, 3.0), (0, 3)),
}

_seed = [0]


def arr(dtype, shape, domain="real"):
    """A deterministic test array of ``dtype`` and ``shape`` drawn from ``domain``."""
    _seed[0] += 1
    rng = np.random.default_rng(_seed[0])
    dt = np.dtype(dtype)
    (flo, fhi), (ilo, ihi) = DOMAINS[domain]
    if dt.kind == "b":
        return rng.integers(0, 2, shape).astype(bool)
    if dt.kind in "iu":
        if dt.kind == "u":
            ilo = max(ilo, 0 if domain != "nonzero" else 1)
        a = rng.integers(ilo, ihi + 1, shape)
        if domain == "nonzero":
            a = a * (rng.integers(0, 2, shape) * 2 - 1 if dt.kind == "i" else 1)
        return a.astype(dt)
    a = rng.uniform(flo, fhi, shape)
    if domain == "nonzero":
        a = a * (rng.integers(0, 2, shape) * 2 - 1)
    if dt.kind == "c":
        a = a + 1j * rng.uniform(flo, fhi, shape)
    return a.astype(dt)


def ttype(dtype, shape):
    return TensorType(dtype, shape=shape)


CASES: list[OpCase] = []


def case(id, build, inputs, ref, **kw):
    kw.setdefault("grad", False)
    CASES.append(OpCase(id, build, inputs, ref, **kw))


def _float_ref(fn):
    """Reference for a float-valued op: inputs cast to the output dtype first."""
    def ref(*xs):
        od = float_dtype(*[x.dtype for x in xs])
        return np.asarray(fn(*[x.astype(od) for x in xs])).astype(od)

    return ref


def _same_ref(fn):
    """Reference keeping NumPy's own result dtype."""
    return lambda *xs: np.asarray(fn(*xs))


def _real_ref(fn):
    """Reference whose dtype is the real counterpart of the input's (abs/real/imag of complex)."""
    def ref(x):
        od = {"complex64": "float32", "complex128": "float64"}.get(x.dtype.name, x.dtype.name)
        return np.asarray(fn(x)).astype(od)

    return ref


def _bool_ref(fn):
    return lambda *xs: np.asarray(fn(*xs)).astype(bool)


def _round_away(x):
    if x.dtype.kind != "f":
        return x.copy()
    return (np.sign(x) * np.floor(np.abs(x) + 0.5)).astype(x.dtype)


# name: (T function, reference maker + NumPy/SciPy fn, domain, dtypes, extra kw)
UNARY = {
    "neg": (T.neg, _same_ref(np.negative), "real", NUMERIC),
    "abs": (T.abs, _real_ref(np.abs), "real", ("bool",) + NUMERIC),
    "sgn": (T.sgn, _same_ref(np.sign), "real", REAL),
    "floor": (T.floor, _float_ref(np.floor), "real", ("bool",) + REAL),
    "ceil": (T.ceil, _float_ref(np.ceil), "real", ("bool",) + REAL),
    "trunc": (T.trunc, _float_ref(np.trunc), "real", REAL),
    "round_half_to_even": (T.round_half_to_even, _same_ref(np.round), "real", REAL),
    "round_half_away_from_zero": (T.round_half_away_from_zero, _same_ref(_round_away), "real", REAL),
    "sqr": (T.sqr, _same_ref(np.square), "small", ("bool",) + NUMERIC),  # bool -> int8, as NumPy
    "sqrt": (T.sqrt, _float_ref(np.sqrt), "pos", ("bool",) + NUMERIC),
    "reciprocal": (T.reciprocal, _float_ref(np.reciprocal), "nonzero", ("bool",) + NUMERIC),
    "exp": (T.exp, _float_ref(np.exp), "small", ("bool",) + NUMERIC),
    "exp2": (T.exp2, _float_ref(np.exp2), "small", NUMERIC),
    "expm1": (T.expm1, _float_ref(np.expm1), "small", NUMERIC),
    "log": (T.log, _float_ref(np.log), "pos", NUMERIC),
    "log2": (T.log2, _float_ref(np.log2), "pos", NUMERIC),
    "log10": (T.log10, _float_ref(np.log10), "pos", NUMERIC),
    "log1p": (T.log1p, _float_ref(np.log1p), "pos", NUMERIC),
    "sin": (T.sin, _float_ref(np.sin), "real", NUMERIC),
    "cos": (T.cos, _float_ref(np.cos), "real", NUMERIC),
    "tan": (T.tan, _float_ref(np.tan), "unit", NUMERIC),
    "arcsin": (T.arcsin, _float_ref(np.arcsin), "unit", NUMERIC),
    "arccos": (T.arccos, _float_ref(np.arccos), "unit", NUMERIC),
    "arctan": (T.arctan, _float_ref(np.arctan), "real", NUMERIC),
    "sinh": (T.sinh, _float_ref(np.sinh), "small", NUMERIC),
    "cosh": (T.cosh, _float_ref(np.cosh), "small", NUMERIC),
    "tanh": (T.tanh, _float_ref(np.tanh), "real", NUMERIC),
    "arcsinh": (T.arcsinh, _float_ref(np.arcsinh), "real", NUMERIC),
    "arccosh": (T.arccosh, _float_ref(np.arccosh), "ge1", NUMERIC),
    "arctanh": (T.arctanh, _float_ref(np.arctanh), "unit", NUMERIC),
    "sigmoid": (T.sigmoid, _float_ref(sp.expit), "real", REAL),
    "softplus": (T.softplus, _float_ref(lambda x: np.logaddexp(np.zeros((), x.dtype), x)), "real", REAL),
    "erf": (T.erf, _float_ref(sp.erf), "real", REAL),
    "erfc": (T.erfc, _float_ref(sp.erfc), "real", REAL),
    "erfinv": (T.erfinv, _float_ref(sp.erfinv), "unit", FLOATS),
    "gammaln": (T.gammaln, _float_ref(sp.gammaln), "pos", REAL),
    "psi": (T.psi, _float_ref(sp.psi), "pos", REAL),
    "tri_gamma": (T.tri_gamma, _float_ref(lambda x: sp.polygamma(1, x)), "pos", ("float32", "float64")),
    "isnan": (T.isnan, _bool_ref(np.isnan), "real", NUMERIC),
    "isinf": (T.isinf, _bool_ref(np.isinf), "real", NUMERIC),
    "invert": (T.invert, _same_ref(np.invert), "real", ("bool",) + INTS),
    "logical_not": (T.logical_not, _bool_ref(np.logical_not), "real", ("bool",) + REAL),
    "identity": (T.identity, _same_ref(np.copy), "real", ("bool",) + NUMERIC),
    "real": (T.real, _real_ref(np.real), "real", FLOATS + COMPLEX),
    "imag": (T.imag, _real_ref(np.imag), "real", FLOATS + COMPLEX),
    "conj": (T.conj, _same_ref(np.conj), "real", ("bool", "int8") + FLOATS + COMPLEX),
}

# float16 special functions: SciPy computes in float32 and rounds, so does arignote
_LOOSE16 = {"gammaln", "psi", "erfinv", "tan", "expm1", "arccosh", "arctanh"}


def _unary_cases():
    for name, (fn, ref, domain, dtypes) in UNARY.items():
        for dt in dtypes:
            kw = {}
            if dt == "float16" and name in _LOOSE16:
                kw = dict(rtol=2e-2, atol=2e-2)
            case(f"{name}-{dt}", lambda x, fn=fn: fn(x), [arr(dt, (3, 4), domain)], ref, **kw)
        for shape, tag in (((), "0d"), ((0, 3), "empty"), ((2, 3, 4), "3d"), ((6,), "vec")):
            case(f"{name}-float64-{tag}" if "float64" in dtypes else f"{name}-{dtypes[-1]}-{tag}",
                 lambda x, fn=fn: fn(x), [arr("float64" if "float64" in dtypes else dtypes[-1], shape, domain)],
                 ref, grad=(name in _DIFFERENTIABLE and "float64" in dtypes and shape != (0, 3)))


_DIFFERENTIABLE = {"neg", "abs", "sqr", "sqrt", "reciprocal", "exp", "exp2", "expm1", "log", "log2", "log10",
                   "log1p", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
                   "arcsinh", "arccosh", "arctanh", "sigmoid", "softplus", "erf", "erfc", "erfinv",
                   "gammaln", "psi"}

# edge values (±0, subnormals, 1e-300, 1e-10, near overflow, ±inf, nan) for every float op,
# and tiny arguments where a naive formula loses everything
_SMALL = ("log1p", "expm1", "sinh", "tanh", "arcsin", "arctanh", "arcsinh", "sin", "tan", "arctan", "erf")
_EDGE_DTYPES = ("float64", "float32")


def _special_value_cases():
    for name, (fn, ref, _, dtypes) in UNARY.items():
        for dt in _EDGE_DTYPES:
            if dt in dtypes:
                case(f"{name}-{dt}-edge", lambda x, fn=fn: fn(x), [edge_values(dt)], ref)
                if name in _SMALL:
                    case(f"{name}-{dt}-small", lambda x, fn=fn: fn(x), [small_values(dt)], ref)
    case("sigmoid-extremes-float32", T.sigmoid, [np.array([-1e4, -100, -20, 0, 20, 100, 1e4], "float32")],
         _float_ref(sp.expit))
    case("softplus-extremes", T.softplus, [np.array([-1e4, -40, -1, 0, 1, 40, 800, 1e4])],
         lambda x: np.logaddexp(0, x))


# --------------------------------------------------------------- binary ops
BINARY = {
    "add": (T.add, _same_ref(np.add), ("real", "real"), ("bool",) + NUMERIC),
    "sub": (T.sub, _same_ref(np.subtract), ("real", "real"), NUMERIC),
    "mul": (T.mul, _same_ref(np.multiply), ("real", "real"), ("bool",) + NUMERIC),
    "true_div": (T.true_div, _float_ref(np.true_divide), ("real", "nonzero"), ("bool",) + NUMERIC),
    # bools: NumPy has no bool loop for these and computes in int8 (x // False and x % False give 0)
    "int_div": (T.int_div, _same_ref(np.floor_divide), ("real", "nonzero"), ("bool",) + REAL),
    "mod": (T.mod, _same_ref(np.mod), ("real", "nonzero"), ("bool",) + REAL),
    "pow": (T.pow, _same_ref(np.power), ("pos", "expo"), ("bool",) + NUMERIC),
    "maximum": (T.maximum, _same_ref(np.maximum), ("real", "real"), ("bool",) + REAL),
    "minimum": (T.minimum, _same_ref(np.minimum), ("real", "real"), ("bool",) + REAL),
    "arctan2": (T.arctan2, _float_ref(np.arctan2), ("real", "real"), REAL),
    "lt": (T.lt, _bool_ref(np.less), ("real", "real"), ("bool",) + REAL),
    "gt": (T.gt, _bool_ref(np.greater), ("real", "real"), ("bool",) + REAL),
    "le": (T.le, _bool_ref(np.less_equal), ("real", "real"), ("bool",) + REAL),
    "ge": (T.ge, _bool_ref(np.greater_equal), ("real", "real"), ("bool",) + REAL),
    "eq": (T.eq, _bool_ref(np.equal), ("small", "small"), ("bool",) + NUMERIC),
    "neq": (T.neq, _bool_ref(np.not_equal), ("small", "small"), ("bool",) + NUMERIC),
    "and_": (T.and_, _same_ref(np.bitwise_and), ("real", "real"), ("bool",) + INTS),
    "or_": (T.or_, _same_ref(np.bitwise_or), ("real", "real"), ("bool",) + INTS),
    "xor": (T.xor, _same_ref(np.bitwise_xor), ("real", "real"), ("bool",) + INTS),
    "logical_and": (T.logical_and, _bool_ref(np.logical_and), ("small", "small"), ("bool",) + NUMERIC),
    "logical_or": (T.logical_or, _bool_ref(np.logical_or), ("small", "small"), ("bool",) + NUMERIC),
    "logical_xor": (T.logical_xor, _bool_ref(np.logical_xor), ("small", "small"), ("bool",) + REAL),
}

# (input types' static shapes, array shapes, tag): broadcasting follows the static pattern
_BCAST = [
    (((1, None), (None, None)), ((1, 4), (3, 4)), "row-matrix"),
    (((None, None), (None, 1)), ((3, 4), (3, 1)), "matrix-col"),
    (((1, None), (None, 1)), ((1, 4), (3, 1)), "row-col"),
    (((None,), (None, None)), ((4,), (3, 4)), "vector-matrix"),
    (((), (None, None, None)), ((), (2, 3, 4)), "scalar-tensor3"),
    (((None, None), ()), ((3, 4), ()), "matrix-scalar"),
    (((), ()), ((), ()), "scalar-scalar"),
    (((None, None), (None, None)), ((0, 3), (0, 3)), "empty"),
    (((None, None), (1, None)), ((0, 3), (1, 3)), "empty-row"),
    (((None, 1, None), (None, None)), ((2, 1, 4), (3, 4)), "tensor3-bcast-middle"),
]


def _edge_pair(dt):
    """Every edge value of ``dt`` against every other (a column against a row)."""
    e = edge_values(dt, extremes=True)
    return [e[:, None].copy(), e[None, :].copy()], [ttype(dt, (None, 1)), ttype(dt, (1, None))]


def _binary_cases():
    for name, (fn, ref, (d0, d1), dtypes) in BINARY.items():
        for dt in dtypes:
            case(f"{name}-{dt}", lambda x, y, fn=fn: fn(x, y), [arr(dt, (3, 4), d0), arr(dt, (3, 4), d1)], ref)
        for dt in _EDGE_DTYPES + ("int64", "int8", "uint8"):
            if dt in dtypes and not (name == "pow" and dt[0] in "iu"):  # NumPy refuses negative int powers
                inputs, types = _edge_pair(dt)
                case(f"{name}-{dt}-edge", lambda x, y, fn=fn: fn(x, y), inputs, ref, input_types=types)
        dt = "float64" if "float64" in dtypes else dtypes[-1]
        for (s0, s1), (a0, a1), tag in _BCAST:
            case(f"{name}-{dt}-{tag}", lambda x, y, fn=fn: fn(x, y), [arr(dt, a0, d0), arr(dt, a1, d1)], ref,
                 input_types=[ttype(dt, s0), ttype(dt, s1)],
                 grad=name in ("add", "sub", "mul", "true_div", "pow") and "empty" not in tag)


# mixed-dtype promotion (NumPy's rules; Theano's float upgrade for float-valued ops)
_MIXED = [("int8", "uint8"), ("int8", "int16"), ("uint8", "uint16"), ("int32", "float32"), ("int64", "float32"),
          ("uint64", "int64"), ("int16", "float16"), ("int8", "float16"), ("bool", "int8"), ("bool", "float32"),
          ("float32", "float64"), ("complex64", "float64"), ("complex64", "int16"), ("uint32", "int8"),
          ("bool", "uint16")]


def _mixed_cases():
    for a, b in _MIXED:
        for name in ("add", "mul", "true_div", "maximum", "lt", "sub", "pow"):
            fn, ref, (d0, d1), dtypes = BINARY[name]
            if a not in dtypes or b not in dtypes:
                continue
            if name == "pow" and (a.startswith(("int", "bool")) or "bool" in (a, b)):
                continue  # NumPy: negative/bool integer powers need care; covered per dtype
            case(f"{name}-{a}-{b}", lambda x, y, fn=fn: fn(x, y), [arr(a, (2, 3), d0), arr(b, (2, 3), d1)], ref)
            case(f"{name}-{b}-{a}", lambda x, y, fn=fn: fn(x, y), [arr(b, (2, 3), d0), arr(a, (2, 3), d1)], ref)
    case("add-int64-uint64-large", T.add, [np.array([2**40, -3], "int64"), np.array([2**63 + 5, 7], "uint64")],
         _same_ref(np.add))


# ------------------------------------------------------------ ternary ops
def _ternary_cases():
    for a, b in (("float64", "float64"), ("float32", "float64"), ("int8", "int16"), ("int32", "float32"),
                 ("bool", "bool"), ("complex64", "float32"), ("uint8", "int8")):
        case(f"switch-{a}-{b}", T.switch, [arr("bool", (3, 4)), arr(a, (3, 4)), arr(b, (3, 4))],
             _same_ref(np.where))
    case("switch-int-cond", T.switch, [arr("int8", (3, 4)), arr("float64", (3, 4)), arr("float64", (3, 4))],
         _same_ref(np.where))
    case("switch-bcast", T.switch, [arr("bool", (3, 1)), arr("float64", (1, 4)), arr("float64", ())],
         _same_ref(np.where), input_types=[ttype("bool", (None, 1)), ttype("float64", (1, None)), ttype("float64", ())])
    case("switch-empty", T.switch, [arr("bool", (0, 2)), arr("float64", (0, 2)), arr("float64", (0, 2))],
         _same_ref(np.where))
    case("where-alias-python-scalars", lambda c, x: T.where(c, x, 0), [arr("bool", (5,)), arr("float32", (5,))],
         lambda c, x: np.where(c, x, np.float32(0)))
    for dt in ("float64", "float32", "int16", "uint8", "int64"):
        case(f"clip-{dt}", lambda x, lo, hi: T.clip(x, lo, hi),
             [arr(dt, (3, 4)), np.asarray(-1).astype(dt) if dt[0] != "u" else np.asarray(1, dt),
              np.asarray(2).astype(dt)], _same_ref(np.clip))
        case(f"clip-{dt}-python-bounds", lambda x: T.clip(x, 1, 3), [arr(dt, (4,))],
             lambda x: np.clip(x, 1, 3).astype(x.dtype))
    case("clip-float32-float64-bounds-keeps-x-dtype", lambda x, lo, hi: T.clip(x, lo, hi),
         [arr("float32", (5,)), np.float64(-0.5), np.float64(0.5)], lambda x, lo, hi: np.clip(x, lo, hi).astype("float32"))
    case("clip-method", lambda x: x.clip(-1.0, 1.5), [arr("float64", (2, 3))], lambda x: np.clip(x, -1.0, 1.5))
    case("clip-bcast-bounds", lambda x, lo, hi: T.clip(x, lo, hi),
         [arr("float64", (3, 4)), arr("float64", (3, 1)) - 1, arr("float64", (1, 4)) + 1],
         lambda x, lo, hi: np.clip(x, lo, hi),
         input_types=[ttype("float64", (None, None)), ttype("float64", (None, 1)), ttype("float64", (1, None))])
    for dt in _EDGE_DTYPES:
        e = edge_values(dt)
        k = len(e)
        case(f"switch-{dt}-edge", T.switch, [np.array([False, True]).reshape(2, 1, 1), e.reshape(1, k, 1).copy(),
                                            e.reshape(1, 1, k).copy()], _same_ref(np.where),
             input_types=[ttype("bool", (2, 1, 1)), ttype(dt, (1, None, 1)), ttype(dt, (1, 1, None))])
        case(f"clip-{dt}-edge", lambda x, lo, hi: T.clip(x, lo, hi),
             [e.reshape(k, 1, 1).copy(), e.reshape(1, k, 1).copy(), e.reshape(1, 1, k).copy()], _same_ref(np.clip),
             input_types=[ttype(dt, (None, 1, 1)), ttype(dt, (1, None, 1)), ttype(dt, (1, 1, None))])
    for dt in ("float64", "int32", "bool", "complex64"):
        case(f"second-{dt}", T.second, [arr("float64", (3, 4)), arr(dt, ())],
             lambda a, b: np.broadcast_to(b, a.shape).copy())


# ------------------------------------------------- composite functions
def _misc_cases():
    for dt in ("float64", "float32", "int32", "int8"):
        case(f"cast-{dt}-to-float32", lambda x: T.cast(x, "float32"), [arr(dt, (3, 4))],
             lambda x: x.astype("float32"))
        case(f"cast-{dt}-to-int16", lambda x: T.cast(x, "int16"), [arr(dt, (3, 4))], lambda x: x.astype("int16"))
        case(f"cast-{dt}-to-bool", lambda x: T.cast(x, "bool"), [arr(dt, (3, 4))], lambda x: x.astype("bool"))
        case(f"astype-{dt}-to-complex128", lambda x: x.astype("complex128"), [arr(dt, (2, 2))],
             lambda x: x.astype("complex128"))
    case("cast-float-to-int-truncates", lambda x: T.cast(x, "int32"), [np.array([-2.7, -0.5, 0.5, 2.7])],
         lambda x: x.astype("int32"))
    case("cast-same-dtype-noop", lambda x: T.cast(x, "float64"), [arr("float64", (3,))], lambda x: x.copy())
    case("cast-empty", lambda x: T.cast(x, "int8"), [arr("float32", (0, 4))], lambda x: x.astype("int8"))
    for dt in ("float64", "float32", "int16"):
        case(f"relu-{dt}", T.relu, [arr(dt, (3, 4))], lambda x: np.maximum(x, 0))
    case("relu-leaky", lambda x: T.relu(x, 0.1), [arr("float64", (3, 4))], lambda x: np.where(x > 0, x, 0.1 * x))
    for dt in ("float64", "int8", "bool", "complex64"):
        case(f"zeros_like-{dt}", T.zeros_like, [arr(dt, (2, 3))], np.zeros_like)
        case(f"ones_like-{dt}", T.ones_like, [arr(dt, (2, 3))], np.ones_like)
    case("zeros_like-dtype", lambda x: T.zeros_like(x, dtype="int32"), [arr("float64", (2, 3))],
         lambda x: np.zeros_like(x, dtype="int32"))
    case("round-default-half-even", T.round, [np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.4])], np.round)
    case("round-half-away", lambda x: T.round(x, "half_away_from_zero"),
         [np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.4])], lambda x: np.array([-3, -2, -1, 1, 2, 3, 0.0]))
    case("round-float32", T.round, [np.array([-2.5, 0.5, 1.5], "float32")], np.round)
    case("logistic-seed", lambda x: 1 / (1 + T.exp(-x)), [np.array([[0.0, 1], [-1, -2]])],
         lambda x: 1 / (1 + np.exp(-x)), grad=True)
    case("nested-expression", lambda x, y: T.exp(x) * T.log1p(y * y) - T.tanh(x / (y + 3)),
         [arr("float64", (3, 4)), arr("float64", (3, 4), "pos")],
         lambda x, y: np.exp(x) * np.log1p(y * y) - np.tanh(x / (y + 3)), grad=True)
    case("add-variadic", lambda x, y, z: T.add(x, y, z), [arr("float64", (3,)) for _ in range(3)],
         lambda x, y, z: x + y + z)
    case("mul-variadic-mixed", lambda x, y, z: T.mul(x, y, z), [arr("int8", (3,)), arr("float32", (3,)),
                                                                arr("int16", (3,))],
         lambda x, y, z: x * y * z)
    case("multiple-outputs", lambda a, b: [a - b, abs(a - b), (a - b) ** 2],
         [np.ones((2, 2)), np.array([[0.0, 1], [2, 3]])], lambda a, b: [a - b, abs(a - b), (a - b) ** 2])
    case("same-input-twice", lambda x: x * x + x, [arr("float64", (4,))], lambda x: x * x + x, grad=True)


# ------------------------------------------ Python scalars and NumPy constants
_PY_SCALAR = [
    # (id, dtype, build, ref) -- ref on NumPy arrays follows NumPy 2's weak promotion,
    # except true division, where ints upgrade the Theano way
    ("fvector-plus-float", "float32", lambda x: x + 1.0, lambda x: x + 1.0),
    ("bvector-plus-int", "int8", lambda x: x + 1, lambda x: x + 1),
    ("ivector-plus-float", "int32", lambda x: x + 1.5, lambda x: x + 1.5),
    ("wvector-times-int", "int16", lambda x: 3 * x, lambda x: 3 * x),
    ("uint8-minus-int", "uint8", lambda x: x - 1, lambda x: x - np.uint8(1)),
    ("fvector-pow-2", "float32", lambda x: x ** 2, lambda x: x ** 2),
    ("two-pow-fvector", "float32", lambda x: 2 ** x, lambda x: 2 ** x),
    ("fvector-rsub", "float32", lambda x: 1.0 - x, lambda x: 1.0 - x),
    ("bvector-truediv-int", "int8", lambda x: x / 2, lambda x: (x.astype("float32") / 2).astype("float32")),
    ("one-over-bvector", "int8", lambda x: 1 / x, lambda x: (1 / x.astype("float32")).astype("float32")),
    ("lvector-truediv-int", "int64", lambda x: x / 4, lambda x: x / 4),
    ("bvector-truediv-float", "int8", lambda x: x / 2.0, lambda x: x / 2.0),
    ("fvector-plus-complex", "float32", lambda x: x + 1j, lambda x: x + 1j),
    ("bool-plus-int", "bool", lambda x: x + 1, lambda x: x + 1),
    ("bool-and-true", "bool", lambda x: x & True, lambda x: x & True),
    ("float16-times-float", "float16", lambda x: x * 0.5, lambda x: x * 0.5),
    ("ivector-floordiv-int", "int32", lambda x: x // 3, lambda x: x // 3),
    ("ivector-mod-int", "int32", lambda x: x % 3, lambda x: x % 3),
    ("fvector-mod-float", "float32", lambda x: x % 1.5, lambda x: x % 1.5),
    ("dvector-gt-int", "float64", lambda x: x > 0, lambda x: x > 0),
    ("bvector-maximum-int", "int8", lambda x: T.maximum(x, 0), lambda x: np.maximum(x, 0)),
    ("fvector-plus-np-float64-scalar", "float32", lambda x: x + np.float64(1.0), lambda x: x + np.float64(1.0)),
    ("bvector-plus-np-int16-scalar", "int8", lambda x: x + np.int16(3), lambda x: x + np.int16(3)),
    ("fvector-plus-np-float32-scalar", "float32", lambda x: x + np.float32(2.0), lambda x: x + np.float32(2.0)),
    ("bvector-plus-int16-array", "int8", lambda x: x + np.arange(5, dtype="int16"),
     lambda x: x + np.arange(5, dtype="int16")),
    ("fvector-plus-float64-array", "float32", lambda x: x + np.linspace(0, 1, 5),
     lambda x: x + np.linspace(0, 1, 5)),
    ("array-radd-dvector", "float64", lambda x: np.arange(5.0) + x, lambda x: np.arange(5.0) + x),
    ("array-rmul-ivector", "int32", lambda x: np.full(5, 2, "int8") * x, lambda x: np.full(5, 2, "int8") * x),
    ("list-plus-dvector", "float64", lambda x: T.add([1.0, 2, 3, 4, 5], x), lambda x: np.array([1.0, 2, 3, 4, 5]) + x),
    ("matrix-constant-bcast", "float64", lambda x: x + np.ones((2, 5)), lambda x: x + np.ones((2, 5))),
]


def _py_scalar_cases():
    for id, dt, build, ref in _PY_SCALAR:
        case(f"const-{id}", build, [arr(dt, (5,), "nonzero" if "div" in id or "over" in id or "mod" in id else "small")],
             lambda x, ref=ref: np.asarray(ref(x)))


_unary_cases()
_special_value_cases()
_binary_cases()
_mixed_cases()
_ternary_cases()
_misc_cases()
_py_scalar_cases()
