"""The C backend against the NumPy reference: every scalar op on every dtype, fusion, broadcasting,
strided/negative-stride/0-d/empty arrays, reductions, BLAS, views, fallbacks, errors, safety.

Compiles are the cost here, so each test builds few functions with many outputs, and the whole
module uses one temporary compile directory (``config.compiledir``).
"""
from __future__ import annotations

import os
import threading
import warnings

import numpy as np
import pytest

import arignote
from arignote import function
from arignote import scalar as ps
from arignote import tensor as T
from arignote.config import config
from arignote.tensor.elemwise import Elemwise
from arignote.testing import all_backends, mismatch
from arignote.types import DTYPES, TensorType

_C = {n: (ok, why) for n, ok, why in all_backends()}.get("c", (False, "not registered"))
pytestmark = pytest.mark.skipif(not _C[0], reason=f"backend 'c' is not available: {_C[1]}")


@pytest.fixture(scope="module", autouse=True)
def compiledir(tmp_path_factory):
    """One temporary compile directory for the module."""
    path = tmp_path_factory.mktemp("arignote-c-cache")
    with config.change_flags(compiledir=str(path)):
        yield str(path)


# ------------------------------------------------------------- comparison


def assert_same(got, want, what=""):
    """dtype, shape and values as the reference, by the harness's rules (exact for integers and
    bools; relative/ulp error for floats, signed zeros, nan and inf positions)."""
    problem = mismatch(got, want)
    assert problem is None, f"{what}: {problem}\n got {got!r}\nwant {np.asarray(want)!r}"


def compare(inputs, outputs, values, **kw):
    """Compile on 'c' and 'py', call both, compare every output; returns the 'c' function."""
    fc = function(inputs, outputs, backend="c", on_unused_input="ignore", **kw)
    fp = function(inputs, outputs, backend="py", on_unused_input="ignore", **kw)
    with np.errstate(all="ignore"):
        got = fc(*[np.array(v, copy=True) for v in values])
        want = fp(*values)
    if not isinstance(outputs, (list, tuple)):
        got, want = [got], [want]
    for k, (g, w) in enumerate(zip(got, want)):
        assert_same(g, w, f"output {k} ({outputs[k] if isinstance(outputs, (list, tuple)) else outputs})")
    return fc


# ----------------------------------------------------- values per dtype

_F = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.5, -2.5, 3.0, 0.3, -0.7, 0.9, 7.25, -100.0, 1e-5, 1e30, -1e30,
      np.inf, -np.inf, np.nan]
_VALUES = {
    "bool": [False, True],
    "int8": [0, 1, -1, 2, -3, 5, 100, -100, 127, -128],
    "int16": [0, 1, -1, 3, -7, 300, -32768, 32767],
    "int32": [0, 1, -1, 7, -9, 70000, -2 ** 31, 2 ** 31 - 1],
    "int64": [0, 1, -1, 7, -9, 3 ** 30, -2 ** 63, 2 ** 63 - 1],
    "uint8": [0, 1, 2, 7, 100, 255],
    "uint16": [0, 1, 3, 300, 65535],
    "uint32": [0, 1, 7, 70000, 2 ** 32 - 1],
    "uint64": [0, 1, 9, 3 ** 30, 2 ** 64 - 1],
    "float16": [v for v in _F if abs(v) < 6e4 or not np.isfinite(v)],
    "float32": _F,
    "float64": _F + [1e-300, 1e300],
    "complex64": [complex(a, b) for a in (0.0, 1.5, -2.0, np.inf, np.nan) for b in (0.0, -0.5, 3.0, np.inf)],
    "complex128": [complex(a, b) for a in (0.0, 1.5, -2.0, 1e-3, np.inf, np.nan) for b in (0.0, -0.5, 3.0, -np.inf)],
}


def values(dtype):
    with np.errstate(all="ignore"):
        return np.array(_VALUES[dtype], dtype=dtype)


def pair_values(d1, d2):
    a, b = values(d1), values(d2)
    A, B = np.meshgrid(a, b, indexing="ij")
    return A.ravel().copy(), B.ravel().copy()


def _ops(arity):
    out = []
    for name, op in sorted(ps.all_scalar_ops().items()):
        if isinstance(op, (ps.Composite, ps.Cast)):
            continue
        if op.nin == arity or (op.nin == -1 and arity == 2):
            out.append(op)
    return out


def _reference(sop, out_dtype, arrays):
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sop.impl(out_dtype, *arrays)


def sweep(arity, dtype_tuples, value_fn):
    """One 'c' function computing every scalar op of ``arity`` on every dtype tuple; checked against perform."""
    sym, arrays, outs, wants, labels = {}, [], [], [], []
    for dts in dtype_tuples:
        vals = value_fn(*dts)
        xs = []
        for k, (d, v) in enumerate(zip(dts, vals)):
            key = (dts, k)
            sym[key] = TensorType(d, shape=(None,))(f"x_{'_'.join(dts)}_{k}")
            arrays.append(v)
            xs.append(sym[key])
        for sop in _ops(arity):
            ins, args = list(vals), list(xs)
            if sop.name == "pow" and np.dtype(dts[1]).kind in "iu":
                # negative integer powers raise in NumPy: a separate exponent input without them
                key = (dts, "pow")
                if key not in sym:
                    sym[key] = TensorType(dts[1], shape=(None,))(f"e_{'_'.join(dts)}")
                    arrays.append((vals[1] % 5).astype(dts[1]))
                ins[1], args[1] = arrays[list(sym).index(key)], sym[key]
            try:
                node = Elemwise(sop).make_node(*args)
            except (TypeError, ValueError):
                continue
            out_dt = node.outputs[0].dtype
            try:
                want = _reference(sop, out_dt, ins)
            except TypeError:  # NumPy has no loop for these dtypes (UFuncTypeError): no backend has one
                continue
            outs.append(node.outputs[0])
            wants.append(np.asarray(want, dtype=out_dt))
            labels.append(f"{sop.name}{dts}")
    inputs = [sym[k] for k in sym]
    f = function(inputs, outs, backend="c", on_unused_input="ignore")
    with np.errstate(all="ignore"):
        got = f(*arrays)
    failures = []
    for g, w, lab in zip(got, wants, labels):
        try:
            assert_same(g, w, lab)
        except AssertionError as e:
            failures.append(str(e).splitlines()[0])
    assert not failures, f"{len(failures)} of {len(labels)} op/dtype results differ:\n" + "\n".join(failures[:40])
    return len(labels)


SAME = [(d,) for d in DTYPES]


def test_every_unary_op_on_every_dtype():
    n = sweep(1, SAME, lambda d: [values(d)])
    assert n > 300


def test_every_binary_op_on_every_dtype_pair_of_one_dtype():
    n = sweep(2, [d * 2 for d in SAME], pair_values)
    assert n > 250


MIXED = [("int8", "uint8"), ("int64", "uint64"), ("uint64", "int64"), ("int32", "float32"), ("uint8", "float16"),
         ("bool", "int16"), ("float32", "float64"), ("int64", "float64"), ("complex64", "float64"),
         ("uint64", "float32"), ("int16", "complex128"), ("uint32", "int8"), ("bool", "float32")]


def test_binary_ops_promote_mixed_dtypes_like_numpy():
    n = sweep(2, MIXED, pair_values)
    assert n > 150


def _ternary_values(d1, d2, d3):
    a, b, c = values(d1), values(d2), values(d3)
    n = max(len(a), len(b), len(c))
    return [np.resize(a, n), np.resize(b[::-1], n), np.resize(c, n)]


def test_ternary_ops_clip_and_switch():
    n = sweep(3, [("float64",) * 3, ("int8", "int8", "int8"), ("bool", "float32", "int64"),
                  ("float32", "float32", "float64"), ("uint16", "int32", "uint16"), ("int64", "complex64", "complex128")],
              _ternary_values)
    assert n >= 8


def test_casts_between_every_pair_of_dtypes():
    xs = {d: TensorType(d, shape=(None,))(f"x_{d}") for d in DTYPES}
    outs, wants, labels = [], [], []
    for src in DTYPES:
        for dst in DTYPES:
            v = values(src)
            if src.startswith(("float", "complex")) and dst[0] in "iub" and dst != "bool":
                # out-of-range float->int (negative -> unsigned included) is undefined in C and NumPy
                v = v[np.isfinite(v.real) & (abs(v.real) < 100) & ((v.real >= 0) | (dst[0] != "u"))]
                xs[src + dst] = TensorType(src, shape=(None,))(f"y_{src}_{dst}")
                outs.append((xs[src + dst], v, Elemwise(ps.cast_op(dst))(xs[src + dst])))
            else:
                outs.append((xs[src], values(src), Elemwise(ps.cast_op(dst))(xs[src])))
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                wants.append(v.astype(dst))
            labels.append(f"cast {src}->{dst}")
    inputs, arrays = [], []
    for var, v, _ in outs:
        if var not in inputs:
            inputs.append(var)
            arrays.append(v)
    f = function(inputs, [o for _, _, o in outs], backend="c", on_unused_input="ignore")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = f(*arrays)
    for g, w, lab in zip(got, wants, labels):
        assert_same(g, w, lab)


# ------------------------------------------------------ fusion and shapes


def test_fused_expression_matches_numpy_and_runs_as_one_loop():
    x, y = T.dvector("x"), T.dvector("y")
    expr = T.exp(-x ** 2) * T.sin(x) + T.log1p(abs(y)) * T.tanh(x * y)
    a = np.array([0.0, -0.0, 1.0, -2.5, 30.0, np.inf, -np.inf, np.nan, 1e-300, 700.0])
    b = np.array([1.0, -1.0, np.nan, 0.5, -30.0, 2.0, np.inf, 0.0, -1e300, 1.0])
    f = compare([x, y], expr, [a, b])
    prog = f.maker.fgraph.lowered
    loops = [s for s in prog.steps if s.kind == "LoopStep"]
    assert len(loops) == 1 and not prog.fallbacks(), prog.describe()
    assert type(f._thunk).__name__ == "builtin_function_or_method"  # one call into C per call


def test_fusion_never_makes_the_schedule_cyclic():
    # without rewrites, sibling fusion could make a group wait on a group that waits on it
    x, y = T.dmatrix("x"), T.dmatrix("y")
    r = np.random.default_rng(2).random((2, 3))
    X, Y = np.random.default_rng(3).random((2, 3)) + 0.5, np.random.default_rng(4).standard_normal((2, 3))
    compare([x, y], T.grad(T.sum(x ** y * r), [x, y]), [X, Y], mode="NO_REWRITES")


def test_lowering_a_long_chain_is_iterative():
    from arignote.backends import lowering
    from arignote.fg import FunctionGraph

    x = T.dvector("x")
    y = x
    for i in range(5000):  # far beyond Python's recursion limit
        y = T.sin(y) if i % 2 else y * 1.0001
    prog = lowering.lower(FunctionGraph([x], [y]), lowering.Target("c"))
    assert all(s.kind == "LoopStep" for s in prog.steps) and len(prog.steps) > 20
    assert sum(len(s.nodes) for s in prog.steps) == 5000


def test_mixed_dtype_chain_promotes_at_every_step():
    a, b, c = T.bvector("a"), T.wvector("b"), T.fvector("c")
    i8 = np.array([1, -2, 100, -128, 7], dtype="int8")
    i16 = np.array([300, -1, 2, 5, -32768], dtype="int16")
    f32 = np.array([0.5, -1.5, np.nan, 1e30, -0.0], dtype="float32")
    compare([a, b, c], [a * b + c, (a + b) // 3, (a * a) - b, T.exp(a) * c, (a > c) | (b < 0)], [i8, i16, f32])


def test_broadcasting_rows_columns_scalars():
    x = T.dmatrix("x")
    r, c, s = T.drow("r"), T.dcol("c"), T.dscalar("s")
    X = np.arange(12.0).reshape(3, 4) - 5
    compare([x, r, c, s], [x + r, x * c + s, r + c, T.exp(c) - r * s, s * 2 + 1],
            [X, np.linspace(-1, 1, 4)[None], np.array([[0.5], [-2.0], [3.0]]), np.array(1.5)])


def test_non_contiguous_and_negative_stride_inputs():
    x, y = T.dmatrix("x"), T.dmatrix("y")
    base = np.arange(60.0).reshape(6, 10) / 7
    views = [base[::2, ::3], base[::-1, ::-2][:3, :4], base.T[:4, :3], base[1:4, 2:6]]
    f = function([x, y], [T.sin(x) * y + 1, (x - y).sum(axis=0), x.T * 2], backend="c")
    for a in views:
        for b in views:
            if a.shape != b.shape:
                continue
            got = f(a, b)
            assert_same(got[0], np.sin(a) * b + 1)
            assert_same(got[1], (a - b).sum(axis=0))
            assert_same(got[2], a.T * 2)


def test_three_d_transposed_and_zero_d_and_empty_arrays():
    t, s = T.dtensor3("t"), T.dscalar("s")
    base = np.random.default_rng(0).standard_normal((4, 5, 6))
    f = function([t, s], [t * s + T.exp(t), t.sum(axis=(0, 2)), t.max(axis=2), T.exp(s)], backend="c")
    for a in (base, base.transpose(2, 0, 1), base[:, ::-1, ::2], np.zeros((0, 5, 6)), np.zeros((3, 0, 2))):
        got = f(a, np.array(-0.5))
        assert_same(got[0], a * -0.5 + np.exp(a))
        assert_same(got[1], a.sum(axis=(0, 2)))
        assert_same(got[2], a.max(axis=2))
        assert_same(got[3], np.exp(np.array(-0.5)))


def test_max_of_empty_axis_raises_like_the_reference():
    x = T.dmatrix("x")
    f = function([x], x.max(axis=0), backend="c")
    g = function([x], x.max(axis=0), backend="py")
    with pytest.raises(ValueError) as ec:
        f(np.zeros((0, 3)))
    with pytest.raises(ValueError) as ep:
        g(np.zeros((0, 3)))
    assert str(ec.value).splitlines()[0] == str(ep.value).splitlines()[0]
    assert_same(f(np.zeros((2, 0))), np.zeros((0,)))


def test_runtime_broadcast_errors_match_the_reference():
    x, y = T.dmatrix("x"), T.dmatrix("y")
    fc = function([x, y], T.exp(x) + y, backend="c")
    fp = function([x, y], T.exp(x) + y, backend="py")
    for a, b in [(np.ones((2, 3)), np.ones((2, 4))), (np.ones((2, 1)), np.ones((2, 3)))]:
        with pytest.raises(ValueError) as ec:
            fc(a, b)
        with pytest.raises(ValueError) as ep:
            fp(a, b)
        assert str(ec.value).splitlines()[0] == str(ep.value).splitlines()[0]


def test_integer_power_with_negative_exponent_raises():
    x, y = T.lvector("x"), T.lvector("y")
    f = function([x, y], x ** y, backend="c")
    assert_same(f(np.array([2, -3, 0]), np.array([3, 3, 0])), np.array([8, -27, 1]))
    with pytest.raises(ValueError, match="Integers to negative integer powers are not allowed"):
        f(np.array([2, 3]), np.array([1, -1]))


# ------------------------------------------------------------- reductions

REDUCE_DTYPES = ["bool", "int8", "uint16", "int32", "int64", "uint64", "float16", "float32", "float64", "complex128"]


@pytest.mark.parametrize("dtype", REDUCE_DTYPES)
def test_reductions_over_every_axis_set(dtype):
    x = TensorType(dtype, shape=(None, None, None))("x")
    rng = np.random.default_rng(3)
    a = (rng.standard_normal((3, 4, 5)) * 4).astype(dtype) if dtype != "complex128" else \
        (rng.standard_normal((3, 4, 5)) + 1j * rng.standard_normal((3, 4, 5)))
    if dtype == "bool":
        a = rng.random((3, 4, 5)) > 0.5
    outs = []
    for axis in (None, 0, 1, 2, (0, 1), (1, 2), (0, 2), ()):
        outs += [x.sum(axis=axis), x.prod(axis=axis)]
        if dtype != "complex128":
            outs += [x.max(axis=axis), x.min(axis=axis)]
        outs += [T.any(x, axis=axis), T.all(x, axis=axis)]
    f = compare([x], outs, [a])
    got = f(a[::-1, :, ::-2])  # strided input, same function
    want = function([x], outs, backend="py")(a[::-1, :, ::-2])
    for g, w in zip(got, want):
        assert_same(g, w)


def test_sum_of_many_floats_is_pairwise_like_numpy():
    x = T.fvector("x")
    a = np.random.default_rng(1).random(1_000_003).astype("float32")
    got = function([x], x.sum(), backend="c")(a)
    assert got.dtype == np.float32
    assert abs(float(got) - float(a.sum())) <= 1e-6 * float(a.sum())


def test_reductions_with_nan_and_inf():
    x = T.dmatrix("x")
    a = np.array([[1.0, np.nan, 3.0], [np.inf, -np.inf, 0.0], [-1.0, 2.0, np.inf]])
    compare([x], [x.max(axis=0), x.min(axis=1), x.sum(axis=0), x.prod(axis=1), x.max(), T.any(x, axis=0)], [a])


# ------------------------------------------------------------------- dot


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_dot_and_matmul_through_blas(dtype):
    rng = np.random.default_rng(5)
    A = rng.standard_normal((5, 7)).astype(dtype)
    B = rng.standard_normal((7, 3)).astype(dtype)
    v = rng.standard_normal(7).astype(dtype)
    w = rng.standard_normal(5).astype(dtype)
    x, y = TensorType(dtype, shape=(None, None))("x"), TensorType(dtype, shape=(None, None))("y")
    p, q = TensorType(dtype, shape=(None,))("p"), TensorType(dtype, shape=(None,))("q")
    outs = [T.dot(x, y), T.dot(x, p), T.dot(q, x), T.dot(p, p), T.dot(x.T, q), T.dot(y.T, x.T), T.matmul(x, y)]
    f = compare([x, y, p, q], outs, [A, B, v, w])
    prog = f.maker.fgraph.lowered
    if _has_scipy():
        assert sum(s.kind == "DotStep" for s in prog.steps) == len(outs), prog.describe()
    # strided, negative-stride and Fortran-ordered operands through the same function
    A2 = np.asfortranarray(rng.standard_normal((5, 14)).astype(dtype))[:, ::2]
    B2 = rng.standard_normal((3, 7)).astype(dtype).T[::-1]
    v2 = rng.standard_normal(21).astype(dtype)[::3]
    want = function([x, y, p, q], outs, backend="py")(A2, B2, v2, w[::-1])
    for g, wv in zip(f(A2, B2, v2, w[::-1]), want):
        assert_same(g, wv)
    # an empty inner dimension gives zeros
    got = f(np.zeros((5, 0), dtype), np.zeros((0, 3), dtype), np.zeros(0, dtype), w)
    assert_same(got[0], np.zeros((5, 3), dtype))


def _has_scipy():
    try:
        import scipy.linalg.cython_blas  # noqa: F401
    except ImportError:
        return False
    return True


def test_integer_dot_falls_back_to_numpy():
    x, y = T.lmatrix("x"), T.lmatrix("y")
    compare([x, y], T.dot(x, y), [np.arange(6).reshape(2, 3), np.arange(12).reshape(3, 4)])


# ----------------------------------------------------------------- views


def test_dimshuffle_subtensor_and_shape_run_natively():
    x, i = T.dmatrix("x"), T.lscalar("i")
    X = np.arange(20.0).reshape(4, 5)
    outs = [x[1:3, ::-2] * 2, x[i], x[-1, 1:], x.T[::2], x.shape, x.shape[1] * 3, x[::-1].dimshuffle(1, "x", 0) + 1]
    f = compare([x, i], outs, [X, np.array(2)])
    prog = f.maker.fgraph.lowered
    assert not prog.fallbacks(), prog.describe()
    f = function([x, i], x[i], backend="c")
    with pytest.raises(IndexError):
        f(X, np.array(7))


def test_fallback_nodes_are_named_under_debug():
    x = T.dmatrix("x")
    from arignote.backends.c import FallbackWarning

    with config.change_flags(debug=True), warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        f = function([x], T.sort(x, axis=0) + 1, backend="c")
    msgs = [str(w.message) for w in rec if issubclass(w.category, FallbackWarning)]
    assert len(msgs) == 1 and "Sort" in msgs[0], msgs
    X = np.array([[3.0, 1.0], [2.0, 5.0], [4.0, 0.0]])
    assert_same(f(X), np.sort(X, axis=0) + 1)


# ------------------------------------------------------------------ safety


def test_outputs_are_never_overwritten_by_a_later_call():
    x = T.dvector("x")
    f = function([x], [x * 2, T.exp(x).sum()], backend="c")
    first = f(np.array([1.0, 2.0]))
    keep = [a.copy() for a in first]
    second = f(np.array([5.0, 6.0]))
    for a, k in zip(first, keep):
        assert_same(a, k)
    assert not np.shares_memory(first[0], second[0])
    del first, keep
    third = f(np.array([7.0, 8.0]))  # the previous buffers may be reused now: values still right
    assert_same(third[0], np.array([14.0, 16.0]))
    assert_same(second[0], np.array([10.0, 12.0]))


def test_inputs_are_not_mutated_and_identity_outputs_are_copies():
    x = T.dvector("x")
    f = function([x], [x, x.T, x * 1], backend="c")
    a = np.array([1.0, 2.0, 3.0])
    out = f(a)
    out[0][0] = out[1][1] = out[2][2] = 99
    assert_same(a, np.array([1.0, 2.0, 3.0]))


def test_trust_input_and_raw_thunk_accept_any_array_like():
    x, y = T.dscalar("x"), T.dscalar("y")
    f = function([x, y], x + y, backend="c", trust_input=True)
    assert_same(f(np.array(2.0), np.array(3.0)), np.array(5.0))
    # values that are not exact aligned arrays go through the runtime's conversion hook
    out = f._thunk([2.0, np.array(3.0).astype(">f8")])
    assert_same(out[0], np.array(5.0))


def test_concurrent_calls_from_threads():
    x = T.dvector("x")
    f = function([x], T.sin(x) * 2 + x.sum(), backend="c")
    errors = []

    def work(k):
        a = np.full(1000 if k % 2 else 70000, float(k))  # long loops run without the GIL
        for _ in range(100):
            out = f(a)
            if not np.allclose(out, np.sin(a) * 2 + a.sum()):
                errors.append(k)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_user_names_never_reach_the_generated_code(compiledir):
    evil = 'x */ system("echo pwned") /* "quoted" \\ \n #include <stdio.h>'
    x = T.dvector(evil)
    y = T.dvector('y"; int z = 1; //')
    f = function([x, y], T.cosh(x) * 3.25 - y, backend="c")
    assert_same(f(np.array([0.5, 1.0]), np.array([1.0, 2.0])), np.cosh([0.5, 1.0]) * 3.25 - [1.0, 2.0])
    for base, _dirs, files in os.walk(compiledir):
        for name in files:
            if name.endswith(".c"):
                with open(os.path.join(base, name), encoding="utf-8") as fh:
                    text = fh.read()
                assert "pwned" not in text and "int z = 1" not in text


def test_compiler_failure_reports_the_message_and_keeps_the_source(monkeypatch):
    from arignote.backends.c import CompileError, render

    original = render.prelude
    monkeypatch.setattr(render, "prelude", lambda: original() + "\n#error arignote-test-failure\n")
    x = T.dvector("x")
    with pytest.raises(CompileError) as e:
        function([x], T.arctan(x) * 1.0625 + 0.125, backend="c")
    msg = str(e.value)
    assert "arignote-test-failure" in msg and "kept at" in msg
    kept = msg.rsplit("kept at ", 1)[1].strip()
    assert os.path.exists(kept) and "arignote-test-failure" in open(kept).read()
    monkeypatch.undo()
    f = function([x], T.arctan(x) * 1.0625 + 0.125, backend="c")  # the process carries on
    assert_same(f(np.array([1.0])), np.arctan([1.0]) * 1.0625 + 0.125)


def test_unavailable_without_a_compiler():
    from arignote.backends.c import build

    with config.change_flags(c_compiler="no-such-c-compiler-xyz"):
        ok, reason = build.available()
    assert not ok and "no-such-c-compiler-xyz" in reason


def test_registered_with_priority_above_py():
    from arignote import plugin_manager

    recs = plugin_manager.backends()
    assert recs["c"].priority == 10 and recs["c"].priority > recs["py"].priority
    a = T.dscalar("a")
    assert arignote.function([a], a * 0 + 1, backend="c").backend == "c"
