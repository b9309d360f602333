"""arignote's elementwise dtype rules and empty-reduction results against NumPy 2, on every backend.

Every scalar op is applied to bool/int8/uint8/float32 inputs (every combination
for binary ops) and compared with the NumPy ufunc: the output dtype at graph-build
time, then the values on each available backend.  Where NumPy has no loop
(``np.subtract(b, b)``, ``-b``, ``np.sign(b)``) arignote must raise TypeError when
the graph is built.

Two deliberate departures from NumPy are checked as such:

* float-valued ops (true_div, sqrt, exp, reciprocal, floor, ...) upgrade integers
  and bools to float the Theano way (bool/int8/uint8 -> float32) where NumPy picks
  float16 or float64, or keeps integers (NumPy >= 2.3 floor/ceil/trunc, integer
  reciprocal); the values are NumPy's computed in that float dtype;
* ``round_half_to_even`` keeps bools as bools, where ``np.round`` on a bool array
  goes through rint's float16 loop; the values are the same.
"""
from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
import scipy.special as sp

from arignote import function
from arignote import scalar as ps
from arignote import tensor as T
from arignote.backends.scalar_table import NotRenderable, loop_dtypes
from arignote.types import TensorType

DTYPES = ("bool", "int8", "uint8", "float32")

# Theano's integer -> float upgrade, written out independently of arignote's copy
UPGRADE = {"bool": "float32", "int8": "float32", "uint8": "float32", "int16": "float32", "uint16": "float32",
           "int32": "float64", "uint32": "float64", "int64": "float64", "uint64": "float64"}

# Two operands per dtype covering every bool pair, zero divisors, signs and the int8/uint8 ends.
# Integer exponents stay >= 0 (NumPy raises on negative integer powers) and powers stay in range.
FIRST = {"bool": np.array([False, False, True, True, True, False]),
         "int8": np.array([-7, 0, 5, 127, -128, 3], "int8"),
         "uint8": np.array([0, 1, 5, 255, 200, 3], "uint8"),
         "float32": np.array([-7.5, 0.0, 5.25, 2.0, -0.0, 3.0], "float32")}
SECOND = {"bool": np.array([False, True, False, True, True, False]),
          "int8": np.array([2, 0, 3, 1, 0, 4], "int8"),
          "uint8": np.array([2, 0, 3, 1, 0, 4], "uint8"),
          "float32": np.array([2.0, 0.0, -3.0, 0.5, 0.0, -1.5], "float32")}

UNARY = {"neg": np.negative, "abs": np.absolute, "sgn": np.sign, "sqr": np.square, "reciprocal": np.reciprocal,
         "invert": np.invert, "conj": np.conjugate, "real": np.real, "imag": np.imag,
         "round_half_to_even": np.round, "floor": np.floor, "ceil": np.ceil, "trunc": np.trunc,
         "sqrt": np.sqrt, "exp": np.exp, "log1p": np.log1p, "tanh": np.tanh, "sigmoid": sp.expit,
         "isnan": np.isnan, "isinf": np.isinf, "logical_not": np.logical_not}
BINARY = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "true_div": np.true_divide,
          "int_div": np.floor_divide, "mod": np.remainder, "pow": np.power, "maximum": np.maximum,
          "minimum": np.minimum, "arctan2": np.arctan2, "and_": np.bitwise_and, "or_": np.bitwise_or,
          "xor": np.bitwise_xor, "logical_and": np.logical_and, "logical_or": np.logical_or,
          "logical_xor": np.logical_xor, "lt": np.less, "gt": np.greater, "le": np.less_equal,
          "ge": np.greater_equal, "eq": np.equal, "neq": np.not_equal}
NUMPY = {**UNARY, **BINARY}

# ops whose dtype rule is Theano's float upgrade (see the module docstring)
THEANO_FLOAT = frozenset(name for name in NUMPY if ps.get_scalar_op(name).dtype_rule == "float")
KEEPS_BOOL = frozenset({"round_half_to_even"})


def _combos(nin):
    return list(itertools.product(DTYPES, repeat=nin))


def _inputs(dtypes):
    return [FIRST[d] if k == 0 else SECOND[d] for k, d in enumerate(dtypes)]


def _numpy_reference(name, arrays):
    """NumPy's result for op ``name`` in the dtype arignote must give, or None where NumPy has no loop."""
    fn = NUMPY[name]
    with np.errstate(all="ignore"):
        try:
            want = np.asarray(fn(*arrays))
        except TypeError:
            return None
        if name in THEANO_FLOAT:
            joined = np.result_type(*arrays).name
            od = UPGRADE.get(joined, joined)
            return np.asarray(fn(*[a.astype(od) for a in arrays])).astype(od)
    if name in KEEPS_BOOL and all(a.dtype == bool for a in arrays):
        return want.astype(bool)
    return want


def _build(name, dtypes):
    ins = [TensorType(d, shape=(None,))(f"x{k}") for k, d in enumerate(dtypes)]
    return ins, T.elemwise(name)(*ins)


# x - b for a bool b and a non-bool x: rewrites/algebra.py's local_add_canonical builds neg(b), which has
# no meaning for bools, so compiling fails (tests raise rewrite failures; users get a warning and the rule
# is skipped).  Kept out of the fused value test, and checked on its own in test_number_minus_bool.
NEG_BOOL_LEAF = {("sub", (d, "bool")) for d in DTYPES if d != "bool"}


def _cases(nin, skip=frozenset()):
    """(dtypes, [(name, expected array)]) per dtype combination, for the ops NumPy accepts."""
    ops = UNARY if nin == 1 else BINARY
    out = []
    for dtypes in _combos(nin):
        arrays = _inputs(dtypes)
        refs = [(name, _numpy_reference(name, arrays)) for name in ops if (name, dtypes) not in skip]
        out.append(pytest.param(dtypes, [(n, r) for n, r in refs if r is not None], id="-".join(dtypes)))
    return out


def _rejected():
    """(name, dtypes) pairs that NumPy refuses with TypeError."""
    out = []
    for name in NUMPY:
        nin = 1 if name in UNARY else 2
        for dtypes in _combos(nin):
            if _numpy_reference(name, _inputs(dtypes)) is None:
                out.append(pytest.param(name, dtypes, id=f"{name}-{'-'.join(dtypes)}"))
    return out


# ------------------------------------------------------------- build-time dtypes

@pytest.mark.parametrize("dtypes,refs", _cases(1) + _cases(2))
def test_output_dtype_is_numpys(dtypes, refs):
    for name, want in refs:
        _, out = _build(name, dtypes)
        assert out.dtype == want.dtype.name, f"{name}{dtypes}: arignote {out.dtype}, NumPy {want.dtype.name}"


@pytest.mark.parametrize("name,dtypes", _rejected())
def test_numpy_type_errors_raise_when_building(name, dtypes):
    with pytest.raises(TypeError, match=name):
        _build(name, dtypes)


def test_rejected_bool_ops_are_the_ones_numpy_rejects():
    """The TypeError list is NumPy's: subtract, negative and sign of bools (bitwise ops of floats aside)."""
    bools = {p.values[0] for p in _rejected() if all(d == "bool" for d in p.values[1])}
    assert bools == {"sub", "neg", "sgn"}


@pytest.mark.parametrize("build,name", [
    (lambda b: b - b, "sub"),
    (lambda b: -b, "neg"),
    (lambda b: b - True, "sub"),
    (lambda b: T.sgn(b), "sgn"),
    (lambda b: T.sign(b), "sgn"),
])
def test_bool_operator_errors_name_the_op_and_dtype(build, name):
    b = T.tensor("bool", shape=(None,))
    with pytest.raises(TypeError, match=rf"{name}\b.*bool"):
        build(b)


@pytest.mark.parametrize("name", ["sub", "neg", "sgn"])
def test_scalar_op_rule_itself_rejects_bools(name):
    """The rule lives in the scalar-op table, so every user of it (Composite, rewrites) sees it."""
    sop = ps.get_scalar_op(name)
    with pytest.raises(TypeError, match=rf"{name} is not defined for boolean inputs \(bool"):
        sop.output_dtype(*["bool"] * (2 if name == "sub" else 1))
    if name == "sub":
        assert sop.output_dtype("bool", "int8") == sop.output_dtype("int8", "bool") == "int8"


# (id, arignote expression, NumPy expression) on one bool vector; the same Python code where it can be
BOOL_EXPRESSIONS = [
    ("pow", lambda b: T.pow(b, b), lambda b: np.power(b, b)),
    ("floor_div", lambda b: T.floor_div(b, b), lambda b: np.floor_divide(b, b)),
    ("mod", lambda b: T.mod(b, b), lambda b: np.mod(b, b)),
    ("sqr", lambda b: T.sqr(b), lambda b: np.square(b)),
    ("conj", lambda b: T.conj(b), lambda b: np.conjugate(b)),
    ("maximum", lambda b: T.maximum(b, b), lambda b: np.maximum(b, b)),
    ("clip-python-bools", lambda b: T.clip(b, False, True), lambda b: np.clip(b, False, True)),
    ("**", lambda b: b ** b, None), ("//", lambda b: b // b, None), ("%", lambda b: b % b, None),
    # ndarray ** 2 takes NumPy's square shortcut (int8 for bools); the ufunc, like arignote, gives int64
    ("**2", lambda b: b ** 2, lambda b: np.power(b, 2)), ("**True", lambda b: b ** True, None),
    ("//True", lambda b: b // True, None), ("%True", lambda b: b % True, None),
    ("+True", lambda b: b + True, None), ("*True", lambda b: b * True, None),
    ("&True", lambda b: b & True, None), ("+1", lambda b: b + 1, None), ("abs", lambda b: abs(b), None),
    ("~", lambda b: ~b, None),
]


@pytest.mark.parametrize("build,ref", [pytest.param(b, r or b, id=i) for i, b, r in BOOL_EXPRESSIONS])
def test_bool_expressions_match_numpy(build, ref, backend):
    """Bool arrays through operators and functions, Python bools and ints included (NumPy 2's weak scalars)."""
    b = T.tensor("bool", shape=(None,))
    out = build(b)
    x = np.array([False, True, True, False])
    with np.errstate(all="ignore"):
        want = np.asarray(ref(x))
    assert out.dtype == want.dtype.name
    got = function([b], out, backend=backend)(x)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


# ------------------------------------------------------------ values per backend

@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("dtypes,refs", _cases(1) + _cases(2, skip=NEG_BOOL_LEAF))
def test_values_match_numpy(dtypes, refs, backend):
    """All ops of one dtype combination in one function (fused on compiled backends)."""
    ins = [TensorType(d, shape=(None,))(f"x{k}") for k, d in enumerate(dtypes)]
    outs = [T.elemwise(name)(*ins) for name, _ in refs]
    got = function(ins, outs, backend=backend)(*_inputs(dtypes))
    for (name, want), g in zip(refs, got):
        assert g.dtype == want.dtype, f"{name}{dtypes} on {backend}: dtype {g.dtype}, want {want.dtype}"
        np.testing.assert_allclose(g, want, rtol=1e-6 if want.dtype.kind == "f" else 0, atol=0,
                                   equal_nan=True, err_msg=f"{name}{dtypes} on {backend}")


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", ["pow", "int_div", "mod", "sqr", "conj"])
def test_bool_int8_loop_ops_alone(name, backend):
    """Each bool op that NumPy computes in int8, unfused, with every pair of bools (zero divisors included)."""
    nin = 1 if name in UNARY else 2
    arrays = _inputs(["bool"] * nin)
    ins, out = _build(name, ["bool"] * nin)
    want = _numpy_reference(name, arrays)
    assert want.dtype == np.int8
    got = function(ins, out, backend=backend)(*arrays)
    assert got.dtype == np.int8
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("dtype", [d for d in DTYPES if d != "bool"])
def test_number_minus_bool(dtype, backend):
    ins, out = _build("sub", (dtype, "bool"))
    arrays = _inputs((dtype, "bool"))
    want = np.subtract(*arrays)
    assert out.dtype == want.dtype.name
    np.testing.assert_array_equal(function(ins, out, backend=backend)(*arrays), want)


@pytest.mark.parametrize("dtype", DTYPES)
def test_clip_and_switch_match_numpy(dtype, backend):
    x, lo, hi = (TensorType(dtype, shape=(None,))(n) for n in ("x", "lo", "hi"))
    c = T.tensor("bool", shape=(None,))
    a, b0 = FIRST[dtype], SECOND[dtype]
    lo_v, hi_v = np.minimum(a, b0), np.maximum(a, b0)
    f = function([x, lo, hi, c], [T.clip(x, lo, hi), T.switch(c, x, hi)], backend=backend)
    got_clip, got_switch = f(a[::-1].copy(), lo_v, hi_v, SECOND["bool"])
    for got, want in ((got_clip, np.clip(a[::-1], lo_v, hi_v)), (got_switch, np.where(SECOND["bool"], a[::-1], hi_v))):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


# ------------------------------------------------ compiled loops use NumPy's loops

@pytest.mark.parametrize("dtypes", _combos(1) + _combos(2), ids="-".join)
def test_compiled_loop_dtypes_agree_with_the_scalar_rule(dtypes):
    """backends/scalar_table.loop_dtypes (NumPy's ufunc type resolution) gives each op's output dtype,
    except for the Theano float upgrade (whose inputs are cast to the float first) and conj, whose
    table row resolves bools as 'same' (the loop runs in bool, the result is cast to int8: same values)."""
    for name in UNARY if len(dtypes) == 1 else BINARY:
        sop = ps.get_scalar_op(name)
        try:
            out = sop.output_dtype(*dtypes)
        except TypeError:
            continue
        if name in THEANO_FLOAT or (name in ("and_", "or_", "xor", "invert") and "float32" in dtypes):
            continue
        try:
            loop_out = loop_dtypes(name, dtypes)[1]
        except NotRenderable:
            continue  # runs its NumPy perform
        if name == "conj" and dtypes == ("bool",):
            assert (out, loop_out) == ("int8", "bool")
            continue
        assert loop_out == out, f"{name}{dtypes}: loop {loop_out}, op {out}"


# ------------------------------------------------------------- empty reductions

@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_logsumexp_of_empty_axes_is_minus_inf(backend):
    x = T.dmatrix("x")
    outs = [T.logsumexp(x, axis=0), T.logsumexp(x), T.logsumexp(x, axis=0, keepdims=True), T.logsumexp(x, axis=1)]
    f = function([x], outs, backend=backend)
    e = np.zeros((0, 3))
    # SciPy 1.17's logsumexp raises IndexError for axis=None on a (0, 3) array: its value written out
    wants = [sp.logsumexp(e, axis=0), np.array(-np.inf), sp.logsumexp(e, axis=0, keepdims=True),
             sp.logsumexp(e, axis=1)]
    for got, want in zip(f(e), wants):
        assert got.shape == want.shape and got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
    assert f(e)[0].tolist() == [-np.inf] * 3
    # the same compiled function on non-empty input
    v = np.array([[1000.0, -2.0, 0.5], [999.0, -np.inf, 0.25]])
    np.testing.assert_allclose(f(v)[0], sp.logsumexp(v, axis=0), rtol=1e-12)


def test_user_written_log_sum_exp_of_empty_axis(backend):
    """log(sum(exp(x))) is -inf over an empty axis before the stability rewrite; it must stay so after."""
    x = T.dmatrix("x")
    f = function([x], T.log(T.sum(T.exp(x), axis=0)), backend=backend)
    np.testing.assert_array_equal(f(np.zeros((0, 3))), np.full(3, -np.inf))


def test_logsumexp_gradient_is_softmax(backend):
    x = T.dmatrix("x")
    g = function([x], T.grad(T.logsumexp(x, axis=1).sum(), x), backend=backend)
    v = np.array([[0.0, 1.0, 2.0], [1000.0, 1001.0, -np.inf]])
    want = np.exp(v - sp.logsumexp(v, axis=1, keepdims=True))
    np.testing.assert_allclose(g(v), want, rtol=1e-12)
    assert g(np.zeros((0, 3))).shape == (0, 3)


@pytest.mark.parametrize("kind,ufunc", [("max", "maximum"), ("min", "minimum")])
def test_max_min_of_empty_axis_raise_like_numpy(kind, ufunc, backend):
    x = T.dmatrix("x")
    f = function([x], getattr(T, kind)(x, axis=0), backend=backend)
    with pytest.raises(ValueError) as numpy_err:
        getattr(np, kind)(np.zeros((0, 3)), axis=0)
    with pytest.raises(ValueError, match=rf"{kind.capitalize()}\{{axis=\[0\]\}}: zero-size array to reduction "
                                         rf"operation {ufunc} which has no identity \(input shape \(0, 3\)"):
        f(np.zeros((0, 3)))
    assert f"reduction operation {ufunc} which has no identity" in str(numpy_err.value)


def test_mean_of_empty_is_nan(backend):
    x = T.dmatrix("x")
    i = T.tensor("int8", shape=(None, None))
    f = function([x, i], [T.mean(x, axis=0), T.mean(x), T.mean(i, axis=0), T.mean(x, axis=1)], backend=backend)
    e, ei = np.zeros((0, 3)), np.zeros((0, 2), "int8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NumPy's "Mean of empty slice"
        wants = [np.mean(e, axis=0), np.mean(e), np.mean(ei, axis=0), np.mean(e, axis=1)]
    for got, want in zip(f(e, ei), wants):
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("build,error,match", [
    (lambda x: T.max(x, initial=np.ones(2)), ValueError, "initial must be a scalar"),
    (lambda x: T.min(T.cast(x, "int8"), initial=1000), ValueError, "does not fit.*int8"),
    (lambda x: T.max(T.cast(x, "complex128"), initial=0), TypeError, "complex"),
])
def test_max_initial_errors(build, error, match):
    with pytest.raises(error, match=match):
        build(T.dmatrix("x"))
