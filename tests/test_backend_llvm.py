"""The LLVM backend: NumPy semantics at edge values, every dtype, layouts, reductions, BLAS,
the native entry's guards, fallbacks, clear compile errors, the object cache and its flags.

The op case tables (tests/cases) and the seed tests run on 'llvm' through the ``backend``
fixture; these tests cover what is specific to this backend.  Each compiled function
serves many inputs, to keep the compile count (and the run time) small.
"""
from __future__ import annotations

import gc
import os
import subprocess
import sys

import numpy as np
import pytest

from arignote import function
from arignote import plugin_manager
from arignote import tensor as T
from arignote.config import config
from arignote.types import TensorType

OK, REASON = next(((ok, r) for n, ok, r, _p in plugin_manager.backend_status() if n == "llvm"), (False, "not registered"))
pytestmark = pytest.mark.skipif(not OK, reason=f"llvm backend unavailable: {REASON}")

FLOATS = ("float16", "float32", "float64")
INTS = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
UNARY_F = ("neg", "abs", "sgn", "floor", "ceil", "trunc", "round_half_to_even", "round_half_away_from_zero",
           "sqr", "sqrt", "reciprocal", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sin", "cos",
           "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh",
           "sigmoid", "softplus", "erf", "erfc", "isnan", "isinf", "logical_not")
BINARY_F = ("add", "sub", "mul", "true_div", "int_div", "mod", "pow", "maximum", "minimum", "arctan2", "lt",
            "gt", "le", "ge", "eq", "neq", "logical_and", "logical_or", "logical_xor")
SPECIAL = ("erfinv", "gammaln", "psi", "tri_gamma")
FLOAT_EDGES = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.5, -2.5, 3.0, 7.0, -7.25, 1e-300, 1e300, np.inf, -np.inf,
               np.nan, 0.75]


def _tensor(dtype, ndim=1):
    return TensorType(dtype, shape=(None,) * ndim)()


def _scalar_fn(name):
    from arignote import scalar as ps
    from arignote.tensor.elemwise import Elemwise

    return Elemwise(ps.get_scalar_op(name))


def _compare(got, want, what):
    assert type(got) is np.ndarray, what
    assert got.dtype == want.dtype and got.shape == want.shape, (what, got.dtype, want.dtype)
    if want.dtype.kind in "biu":
        np.testing.assert_array_equal(got, want, err_msg=what)
        return
    tol = {"float16": 1e-3, "float32": 2e-6, "float64": 1e-12}[want.dtype.name]
    with np.errstate(all="ignore"):
        np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64), rtol=tol, atol=tol * 1e-3,
                                   equal_nan=True, err_msg=what)


def _both(ins, outs, args, trust=False):
    """Results on llvm and on the reference, for the same graph and inputs."""
    f = function(ins, outs, backend="llvm", trust_input=trust)
    g = function(ins, outs, backend="py")
    with np.errstate(all="ignore"):
        return f(*args), g(*args), f


# ------------------------------------------------------------- registration
def test_registered_with_priority_and_picked_by_auto():
    status = {n: (ok, p) for n, ok, _r, p in plugin_manager.backend_status()}
    assert status["llvm"] == (True, 20)
    assert plugin_manager.resolve_backend_name("auto") == "llvm"
    x = T.dvector("x")
    assert function([x], x + 1).backend == "llvm"


def test_every_table_row_has_llvm_recipes():
    from arignote.backends.llvm import scalar_ir
    from arignote.backends.scalar_table import TABLE

    for name, row in TABLE.items():
        assert row.llvm, f"{name} has no llvm column"
        for k, spec in row.llvm.items():
            assert callable(scalar_ir.recipe(spec)), (name, k, spec)
        missing = set(row.c if isinstance(row.c, dict) else ()) - set(row.llvm)
        assert not missing, f"{name}: kinds {missing} are rendered in C but not in LLVM"


# ----------------------------------------------------- scalar ops, edge values
@pytest.mark.parametrize("dtype", FLOATS)
def test_float_ops_at_edge_values_match_perform(dtype):
    """Every float op over all pairs of edge values (nan, inf, -0.0, tiny, huge) against perform,
    through the vector path (contiguous) and the strided scalar path."""
    with np.errstate(over="ignore"):
        vals = np.array(FLOAT_EDGES, dtype=dtype)
    a, b = (m.ravel() for m in np.meshgrid(vals, vals))
    x, y = _tensor(dtype), _tensor(dtype)
    outs = [_scalar_fn(n)(x) for n in UNARY_F] + [_scalar_fn(n)(x, y) for n in BINARY_F]
    names = list(UNARY_F) + list(BINARY_F)
    f = function([x, y], outs, backend="llvm")
    g = function([x, y], outs, backend="py")
    for xa, ya in ((a, b), (a[::-2], b[::-2])):
        with np.errstate(all="ignore"):
            got, want = f(xa, ya), g(xa, ya)
        for n, o, w in zip(names, got, want):
            _compare(o, w, f"{n}[{dtype}]")


@pytest.mark.parametrize("dtype", ("complex64", "complex128"))
def test_complex_ops_at_edge_values_match_perform(dtype):
    vals = np.array([0, 1, -1, 1j, -2.5 + 3j, np.inf, np.nan, complex(np.inf, 1), complex(0, -0.0), 0.5 - 4j])
    a, b = (m.ravel().astype(dtype) for m in np.meshgrid(vals, vals))
    z, w = _tensor(dtype), _tensor(dtype)
    outs = [z + w, z - w, z * w, z / w, -z, abs(z), T.sqr(z), T.reciprocal(z), T.eq(z, w), T.neq(z, w),
            T.isnan(z), T.isinf(z), T.real(z), T.imag(z), T.conj(z), T.exp(z), T.log(z), T.sqrt(z), T.sin(z),
            T.tanh(z), T.arccosh(z), T.switch(T.real(z) > 0, z, w), T.cast(z, "complex128"), z * 2 + 1j,
            T.and_(T.neq(z, 0), T.eq(w, 0))]
    f = function([z, w], outs, backend="llvm")
    g = function([z, w], outs, backend="py")
    for xa, xb in ((a, b), (a[::-3], b[::-3])):
        with np.errstate(all="ignore"):
            got, want = f(xa, xb), g(xa, xb)
        for k, (o, r) in enumerate(zip(got, want)):
            assert o.dtype == r.dtype, k
            tol = 2e-6 if dtype == "complex64" else 1e-12
            np.testing.assert_allclose(o, r, rtol=tol, atol=tol * 1e-3, equal_nan=True, err_msg=f"output {k}")


@pytest.mark.parametrize("dtype", ("float32", "float64"))
def test_special_functions_match_scipy(dtype):
    pytest.importorskip("scipy")
    x = _tensor(dtype)
    domain = np.array([-2.5, -0.5, 0.0, -0.0, -1.0, -3.0, 0.1, 0.5, 1.0, 1.4616321, 2.0, 5.5, 10.0, 30.0, 170.0,
                       1e-8, np.inf, -np.inf, np.nan], dtype=dtype)
    unit = np.array([-1.0, -0.999999, -0.5, 0.0, 0.3, 0.9, 0.99999999, 1.0, 1.5, -1e-9, np.nan], dtype=dtype)
    outs = [_scalar_fn(n)(x) for n in SPECIAL]
    f = function([x], outs, backend="llvm")
    g = function([x], outs, backend="py")
    for arr in (domain, unit, np.linspace(-4.9, 6.1, 97).astype(dtype)):
        with np.errstate(all="ignore"):
            got, want = f(arr), g(arr)
        for n, o, w in zip(SPECIAL, got, want):
            if dtype == "float64":
                near_pole = np.isfinite(w) & (np.abs(w) > 1e8)  # reflection near poles loses digits in both
                o, w = o[~near_pole], w[~near_pole]
            _compare(o, w, f"{n}[{dtype}] on {arr[:4]}...")


@pytest.mark.parametrize("dtype", INTS)
def test_integer_division_and_remainder_follow_numpy(dtype):
    info = np.iinfo(dtype)
    vals = np.array(sorted({0, 1, 2, 3, 7, info.max, info.max - 1, info.min, info.min + 1}
                           | ({-1, -2, -3, -7} if info.min < 0 else set())), dtype=dtype)
    a, b = (m.ravel() for m in np.meshgrid(vals, vals))
    x, y = _tensor(dtype), _tensor(dtype)
    names = ("int_div", "mod", "add", "sub", "mul", "maximum", "minimum", "lt", "eq", "and_", "xor")
    outs = [_scalar_fn(n)(x, y) for n in names] + [abs(x), -x, T.sgn(x), T.sqr(x), ~x]
    got, want, _ = _both([x, y], outs, [a, b])
    for n, o, w in zip(names + ("abs", "neg", "sgn", "sqr", "invert"), got, want):
        _compare(o, w, f"{n}[{dtype}]")


def test_integer_power_and_its_negative_exponent_error():
    x, y = T.lvector("x"), T.lvector("y")
    f = function([x, y], x ** y, backend="llvm")
    base = np.array([2, -3, 0, 1, -1, 7, 3], dtype=np.int64)
    exp = np.array([10, 3, 0, 62, 63, 5, 40], dtype=np.int64)
    np.testing.assert_array_equal(f(base, exp), np.power(base, exp))
    with pytest.raises(ValueError, match="Integers to negative integer powers"):
        f(base, np.array([1, 1, 1, 1, 1, 1, -1]))


def test_mixed_signed_unsigned_comparisons_are_exact():
    x, y = T.lvector("x"), T.tensor("uint64", shape=(None,))
    outs = [x < y, x <= y, x > y, x >= y, T.eq(x, y), T.neq(x, y)]
    a = np.array([-1, 0, 2**63 - 1, -(2**63), 5], dtype=np.int64)
    b = np.array([2**63, 0, 2**63, 0, 5], dtype=np.uint64)
    got, want, _ = _both([x, y], outs, [a, b])
    for o, w in zip(got, want):
        np.testing.assert_array_equal(o, w)


def test_casts_between_all_real_dtypes():
    src = ("bool", "int8", "uint16", "int64", "uint64", "float16", "float32", "float64")
    dst = ("bool", "int8", "uint8", "int32", "uint32", "int64", "uint64", "float16", "float32", "float64")
    xs = [_tensor(d) for d in src]
    outs = [T.cast(x, d) for x in xs for d in dst]
    vals = {"bool": np.array([True, False, True]), "float16": np.array([0.5, -0.0, 100.75]),
            "float32": np.array([1.5, -2.5, 3e4]), "float64": np.array([1e10, -7.5, 0.25]),
            "uint64": np.array([2**64 - 1, 0, 2**63]), "int64": np.array([-(2**40), 3, -1]),
            "int8": np.array([-128, 127, -1]), "uint16": np.array([65535, 0, 300])}
    with np.errstate(invalid="ignore"):
        args = [vals[d].astype(d) for d in src]
    got, want, _ = _both(xs, outs, args)
    for k, (o, w) in enumerate(zip(got, want)):
        _compare(o, w, f"cast {src[k // len(dst)]} -> {dst[k % len(dst)]}")


# ------------------------------------------------------------------ layouts
def test_fused_loop_over_layouts_sizes_and_broadcasting():
    x, r, c = T.dmatrix("x"), T.drow("r"), T.dcol("c")
    expr = T.exp(-x ** 2) * T.sin(r) + T.log1p(abs(c)) * T.tanh(x * r) - c
    f = function([x, r, c], expr, backend="llvm")
    rng = np.random.default_rng(0)

    def check(xa, ra, ca):
        want = np.exp(-xa ** 2) * np.sin(ra) + np.log1p(np.abs(ca)) * np.tanh(xa * ra) - ca
        got = f(xa, ra, ca)
        assert got.flags.writeable and got.base is None
        # NumPy's 'K' order: a transposed (Fortran-ordered) input gives a Fortran-ordered result
        assert got.flags.f_contiguous if xa.flags.f_contiguous and xa.ndim > 1 and min(xa.shape) > 1 \
            else got.flags.c_contiguous
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-300)

    for m, n in [(0, 3), (3, 0), (1, 1), (1, 17), (5, 1), (7, 33), (40, 9)]:
        xa = rng.standard_normal((m, n))
        check(xa, rng.standard_normal((1, n)), rng.standard_normal((m, 1)))
    big = rng.standard_normal((12, 30))
    for xa in (big.T, big[::-1, ::-2], big[2:9:3, 5:], np.asfortranarray(big)):
        ra = rng.standard_normal((1, 2 * xa.shape[1]))[:, ::2]
        ca = rng.standard_normal((xa.shape[0], 3))[:, 1:2]
        check(xa, ra, ca)


@pytest.mark.parametrize("dtype", ("bool", "int8", "uint32", "int64", "float16", "float32"))
def test_every_vector_width_and_tail_per_dtype(dtype):
    x, y = _tensor(dtype), _tensor(dtype)
    if dtype == "bool":
        outs = [x | y, T.xor(x, y), T.lt(x, y)]
    else:
        outs = [x + y, T.maximum(x, y), x * y + 1, T.switch(T.gt(x, y), x, y)]
    f = function([x, y], outs, backend="llvm")
    g = function([x, y], outs, backend="py")
    rng = np.random.default_rng(3)
    for n in list(range(0, 35)) + [127, 1000]:
        a = (rng.integers(0, 2, n) > 0 if dtype == "bool" else (rng.standard_normal(n) * 20).astype(dtype))
        b = (rng.integers(0, 2, n) > 0 if dtype == "bool" else (rng.standard_normal(n) * 20).astype(dtype))
        with np.errstate(all="ignore"):
            for o, w in zip(f(a, b), g(a, b)):
                _compare(o, w, f"{dtype} n={n}")


def test_zero_d_and_empty_and_scalar_graphs():
    a, b = T.dscalar("a"), T.iscalar("b")
    f = function([a, b], [a * b + 1, T.exp(a) > b, T.cast(a, "int8")], backend="llvm")
    r = f(2.5, 3)
    assert [x.shape for x in r] == [(), (), ()] and [x.dtype for x in r] == [np.float64, np.bool_, np.int8]
    assert r[0] == 8.5 and r[1] and r[2] == 2
    v = T.dvector("v")
    g = function([v], [v * 2, v.sum(), v.prod()], backend="llvm")
    out = g(np.empty(0))
    assert out[0].shape == (0,) and out[1] == 0.0 and out[2] == 1.0


# --------------------------------------------------------------- libmvec
def test_vector_math_keeps_numpy_nan_inf_and_agrees_with_scalar_libm():
    from arignote.backends.llvm import jit

    x, y = T.dvector("x"), T.dvector("y")
    expr = T.exp(-x ** 2) * T.sin(x) + T.log1p(abs(y)) * T.tanh(x * y)
    f = function([x, y], expr, backend="llvm")
    with config.change_flags(llvm_vector_math=False):
        fs = function([x, y], expr, backend="llvm")
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal(1001) * 4, rng.standard_normal(1001) * 4
    a[:6] = [np.nan, np.inf, -np.inf, -0.0, 0.0, 1e-310]
    b[6:10] = [np.nan, np.inf, -np.inf, -0.0]
    with np.errstate(all="ignore"):
        want = np.exp(-a ** 2) * np.sin(a) + np.log1p(np.abs(b)) * np.tanh(a * b)
    got, got_s = f(a, b), fs(a, b)
    for r in (got, got_s):
        assert np.array_equal(np.isnan(r), np.isnan(want))
        np.testing.assert_allclose(r, want, rtol=1e-13, atol=1e-15)
    assert jit.get_target().info["libmvec"] or not jit.get_target().kernel_ctx.mathlib.isas


# ---------------------------------------------------------------- reductions
def test_reductions_over_axis_sets_layouts_and_dtypes():
    x = T.tensor("float64", shape=(None, None, None))
    i = T.tensor("int16", shape=(None, None, None))
    outs = []
    for axis in (None, 0, 1, 2, (0, 2), (1, 2)):
        outs += [x.sum(axis=axis), x.prod(axis=axis), x.max(axis=axis), x.min(axis=axis, keepdims=True),
                 T.gt(x, 0).all(axis=axis), T.gt(x, 0).any(axis=axis), i.sum(axis=axis), i.max(axis=axis)]
    rng = np.random.default_rng(2)
    base = rng.standard_normal((4, 5, 6))
    ib = rng.integers(-300, 300, (4, 5, 6)).astype(np.int16)
    f = function([x, i], outs, backend="llvm")
    g = function([x, i], outs, backend="py")
    nan_case = base.copy()
    nan_case[1, 2, 3] = np.nan
    for xa, ia in ((base, ib), (base.transpose(2, 0, 1).copy().transpose(1, 2, 0), ib[:, ::-1]),
                   (base[:, ::2, 1:], ib[:, ::2, 1:]), (nan_case, ib)):
        for k, (o, w) in enumerate(zip(f(xa, ia), g(xa, ia))):
            _compare(o, w, f"reduction output {k}")


def test_long_float32_sums_stay_accurate():
    v = T.fvector("v")
    f = function([v], [v.sum(), T.sqr(v).sum()], backend="llvm")
    a = np.random.default_rng(5).random(300_001).astype(np.float32) + 1
    for got, exact in zip(f(a), (np.sum(a, dtype=np.float64), np.sum(a.astype(np.float64) ** 2))):
        assert got.dtype == np.float32 and abs(float(got) - exact) / exact < 1e-6


def test_reduction_of_empty_axis_matches_reference():
    x = T.dmatrix("x")
    f = function([x], [x.sum(axis=0), x.prod(axis=1), T.gt(x, 0).all(axis=0)], backend="llvm")
    s, p, a = f(np.empty((0, 3)))
    assert s.tolist() == [0.0, 0.0, 0.0] and p.shape == (0,) and a.tolist() == [True] * 3
    g = function([x], x.max(axis=0), backend="llvm")
    with pytest.raises(ValueError, match="zero-size"):
        g(np.empty((0, 3)))


# ---------------------------------------------------------------------- dot
def test_dot_through_blas_for_every_layout():
    pytest.importorskip("scipy")
    A, B, v = T.dmatrix("A"), T.dmatrix("B"), T.dvector("v")
    f = function([A, B, v], [T.dot(A, B), T.dot(A, v), T.dot(v, B), T.dot(v, v)], backend="llvm")
    rng = np.random.default_rng(4)
    M = rng.standard_normal((9, 8))
    for a, b in ((M[:5, :4], M[:4, :3]), (M.T[:4, :5].T, M[:4, :6]), (M[::2, ::-1][:, :4], M[1:5, ::-2]),
                 (np.asfortranarray(M[:3, :4]), np.asfortranarray(M[:4, :7])), (M[:0, :4], M[:4, :3]),
                 (M[:3, :0], M[:0, :5])):
        assert a.shape[1] == b.shape[0]
        vv = rng.standard_normal(2 * a.shape[1])[::-2]
        got = f(a, b, vv)
        want = [a @ b, a @ vv, vv @ b, vv @ vv]
        for o, w in zip(got, want):
            assert o.shape == w.shape
            np.testing.assert_allclose(o, w, rtol=1e-12, atol=1e-12)
    g = function([A, B], T.dot(A, B), backend="llvm")
    with pytest.raises(ValueError, match="not aligned"):
        g(np.ones((2, 3)), np.ones((4, 2)))


# -------------------------------------------------------------- native entry
def test_trusted_inputs_of_the_wrong_kind_never_crash():
    """trust_input skips the checks, never safety: a value the native entry cannot take is
    converted (as the untrusted path would) or refused with the untrusted path's TypeError."""
    x = T.dvector("x")
    f = function([x], x * 2, backend="llvm", trust_input=True)
    assert f(np.arange(3.0)).tolist() == [0.0, 2.0, 4.0]
    for good in (np.arange(3), np.arange(3.0).astype(">f8"), [1.0, 2.0]):
        got = f(good)
        assert got.dtype == np.float64 and got.tolist() == (np.asarray(good, dtype=float) * 2).tolist()
    for bad, match in ((np.ones((2, 2)), r"wrong number of dimensions for input 'x': expected 1 .* got 2"),
                       (3.0, r"wrong number of dimensions for input 'x': expected 1 .* got 0"),
                       (None, r"input 'x' cannot be converted to a numeric array")):
        with pytest.raises(TypeError, match=match):
            f(bad)


def test_errors_are_the_reference_errors():
    x, y = T.dmatrix("x"), T.dmatrix("y")
    f = function([x, y], x + y, backend="llvm")
    with pytest.raises(ValueError, match=r"run-time broadcasting of axis 0.*T\.row"):
        f(np.ones((1, 3)), np.ones((4, 3)))
    v = T.dvector("v")
    i = T.lscalar("i")
    g = function([v, i], [v[i], v[1:-1:2], v[::-1]], backend="llvm")
    a = np.arange(7.0)
    got = g(a, -2)
    assert got[0] == 5.0 and got[1].tolist() == [1.0, 3.0, 5.0] and got[2].tolist() == a[::-1].tolist()
    with pytest.raises(IndexError):
        g(a, 7)


def test_no_reference_leaks_and_outputs_are_fresh_arrays():
    x = T.dmatrix("x")
    f = function([x], [x.T, x * 2, x.sum(axis=1)], backend="llvm")
    a = np.ones((3, 4))
    counts = []
    for _ in range(2):  # the first round warms lazily filled caches up
        for _ in range(300):
            t, d, s = f(a)
        del t, d, s
        gc.collect()
        counts.append((sys.getrefcount(a), sys.getrefcount(np.dtype("float64"))))
    # a leak adds a reference per call (300 a round); unrelated objects freed meanwhile may move
    # the dtype's count by one or two
    assert counts[1][0] == counts[0][0] and abs(counts[1][1] - counts[0][1]) <= 2, counts
    t, d, s = f(a)
    assert not np.shares_memory(t, a) and t.tolist() == a.T.tolist()
    d[0, 0] = 5.0
    assert f(a)[1][0, 0] == 2.0


def test_output_buffers_are_reused_only_when_nobody_holds_them():
    x = T.dvector("x")
    f = function([x], [x * 2, (x + 1)[1:]], backend="llvm")
    a, b = np.arange(4.0), np.full(4, 10.0)
    r1, v1 = f(a)
    r2, v2 = f(b)  # r1 and v1 (a view of a result) are alive: they must not be overwritten
    assert r1.tolist() == [0, 2, 4, 6] and v1.tolist() == [2, 3, 4] and r2.tolist() == [20] * 4
    addr = r2.ctypes.data
    del r1, v1, r2, v2
    r3, _ = f(a)
    assert r3.ctypes.data == addr and r3.tolist() == [0, 2, 4, 6]  # the dropped buffer was reused
    r3.setflags(write=False)
    r4, _ = f(b)
    assert r4.ctypes.data != r3.ctypes.data and r3.tolist() == [0, 2, 4, 6]


def test_fully_native_graph_is_one_builtin_and_fallbacks_mix_in():
    x = T.dvector("x")
    f = function([x], T.exp(x).sum(), backend="llvm")
    assert type(f._thunk).__name__ == "builtin_function_or_method"
    z = T.zvector("z")
    with config.change_flags(debug=True), pytest.warns(UserWarning, match="perform: .*Sum"):
        g = function([x, z], [T.exp(x) * 2, T.exp(z).sum() * 2, (x * 3).argmax() + 1], backend="llvm")
    a, zc = np.arange(3.0), np.array([1j, 2, -1j])
    r = g(a, zc)
    np.testing.assert_allclose(r[0], np.exp(a) * 2)
    np.testing.assert_allclose(r[1], np.exp(zc).sum() * 2)
    assert r[2] == 3


# ----------------------------------------------------------- compile errors
def _fresh_compile(ins, outs):
    from arignote.backends.llvm import cache

    cache._memory.clear()
    with config.change_flags(llvm_disk_cache=False):
        return function(ins, outs, backend="llvm")


def test_ir_rejected_by_llvm_gives_an_error_naming_the_nodes(monkeypatch):
    from arignote.backends.llvm import LLVMCompileError, scalar_ir

    def broken(em, a, d, o):  # an intrinsic declared with the wrong argument type: fails verification
        from llvmlite import ir

        from arignote.backends.llvm.irtypes import declare, intrinsic_name

        fn = declare(em.b.module, intrinsic_name("llvm.cos", a[0].type), a[0].type, [ir.IntType(32)])
        return em.b.call(fn, [ir.Constant(ir.IntType(32), 1)])

    monkeypatch.setitem(scalar_ir.RECIPES, "fsqr", broken)
    monkeypatch.setattr(scalar_ir, "_cache", {})
    x = T.dvector("x_broken")
    with pytest.raises(LLVMCompileError, match=r"(?s)LLVM rejected.*x_broken.*sqr"):
        _fresh_compile([x], T.sqr(x) + 1)


def test_unrenderable_op_in_a_kernel_gives_an_error_naming_the_node(monkeypatch):
    from arignote.backends.llvm import LLVMCompileError, scalar_ir

    def refuse(em, a, d, o):
        raise NotImplementedError("no rendering for this test")

    monkeypatch.setitem(scalar_ir.RECIPES, "fsqr", refuse)
    monkeypatch.setattr(scalar_ir, "_cache", {})
    x = T.dvector("x_refused")
    with pytest.raises(LLVMCompileError, match=r"(?s)cannot render.*x_refused.*sqr.*no rendering"):
        _fresh_compile([x], T.sqr(x) * 3)


# ----------------------------------------------------------------- caching
def _cache_use(f):
    """'hit' or 'miss': how the compile of ``f`` found its object code."""
    return f.maker.fgraph.compile_timings["cache"]


def test_object_cache_in_memory_and_on_disk(tmp_path):
    from arignote.backends.llvm import cache

    x = T.dvector("x")
    expr = T.tanh(x) * 3 - 1
    with config.change_flags(compiledir=str(tmp_path / "cd")):
        cache._memory.clear()
        f = function([x], expr, backend="llvm")
        assert _cache_use(f) == "miss"
        assert _cache_use(function([x], expr, backend="llvm")) == "hit"
        entries = [os.path.join(d, n) for d, _, ns in os.walk(tmp_path / "cd" / "llvm") for n in ns
                   if n.endswith(".o")]
        assert entries  # the graph's module (and the shared helpers' one when this process had none yet)
        assert oct(os.stat(tmp_path / "cd").st_mode & 0o777) == "0o700"
        cache._memory.clear()
        assert _cache_use(function([x], expr, backend="llvm")) == "hit"  # from disk
        for entry in entries:  # truncate: detected, reported, recompiled
            with open(entry, "r+b") as fh:
                fh.truncate(100)
        cache._memory.clear()
        with pytest.warns(cache.CacheWarning, match="damaged"):
            g = function([x], expr, backend="llvm")
        assert _cache_use(g) == "miss"
        np.testing.assert_allclose(g(np.arange(3.0)), f(np.arange(3.0)))


def test_cache_clear_drops_llvm_objects_on_disk_and_in_memory(tmp_path):
    from arignote import compiledir
    from arignote.backends.llvm import cache

    x = T.dvector("x")
    expr = T.arctan(x) * 5 - 2
    with config.change_flags(compiledir=str(tmp_path / "cd")):
        function([x], expr, backend="llvm")
        assert compiledir.info()["llvm entries"] >= 1
        assert "cleared" in compiledir.clear()
        assert not (tmp_path / "cd" / "llvm").exists() and cache._memory == {}
        f = function([x], expr, backend="llvm")
        assert _cache_use(f) == "miss"
    np.testing.assert_allclose(f(np.arange(3.0)), np.arctan(np.arange(3.0)) * 5 - 2)


def test_second_process_loads_from_disk(tmp_path):
    from arignote.backends.llvm import cache

    x = T.dvector("x")
    with config.change_flags(compiledir=str(tmp_path / "cd")):
        cache._memory.clear()
        assert _cache_use(function([x], T.exp(x) + x.sum() * 1.5, backend="llvm")) == "miss"
    script = ("import numpy as np\nfrom arignote import tensor as T, function, plugin_manager\n"
              "x = T.dvector('other_name')\nf = function([x], T.exp(x) + x.sum() * 1.5, backend='llvm')\n"
              "assert np.allclose(f(np.arange(3.0)), np.exp(np.arange(3.0)) + 4.5)\n"
              "print(f.maker.fgraph.compile_timings['cache'])\n")
    env = dict(os.environ, ARIGNOTE_COMPILEDIR=str(tmp_path / "cd"))
    r = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert r.stdout.split()[-1:] == ["hit"], r.stderr


def test_unsafe_compiledir_is_refused(tmp_path):
    from arignote.backends.llvm import cache

    d = tmp_path / "shared"
    d.mkdir()
    os.chmod(d, 0o777)
    x = T.dvector("x")
    with config.change_flags(compiledir=str(d)):
        cache._memory.clear()
        with pytest.raises(cache.CacheError, match="writable by other users"):
            function([x], T.cosh(x) * 7, backend="llvm")


# ------------------------------------------------------------------- flags
@pytest.mark.parametrize("flags", [dict(llvm_target="generic"), dict(llvm_opt="O3"), dict(llvm_opt="O0")])
def test_target_and_optimisation_flags(flags):
    x, y = T.fvector("x"), T.fvector("y")
    expr = [T.sigmoid(x) * T.erf(y) + T.exp2(x), (x * y).sum()]
    with config.change_flags(**flags):
        f = function([x, y], expr, backend="llvm")
    a = np.linspace(-3, 3, 21, dtype=np.float32)
    got, want, _ = _both([x, y], expr, [a, a[::-1].copy()])
    for o, w in zip(got, want):
        _compare(o, w, str(flags))
    for o, w in zip(f(a, a[::-1].copy()), want):
        _compare(o, w, str(flags))
