"""Native coverage on c and llvm: reshape, x[idx] and advanced set/inc_subtensor run without a Python
fallback, agree with NumPy (views, negative strides, empty arrays, repeated indices, bounds), and
``arignote.debug.fallbacks`` / ``arignote info --fallbacks`` say what still runs through Python."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import arignote
import arignote.tensor as T
from arignote import function

BACKENDS = ["c", "llvm"]


def _backend(name):
    from arignote import plugin_manager

    ok = dict((n, a) for n, a, _, _ in plugin_manager.backend_status()).get(name)
    if not ok:
        pytest.skip(f"backend {name} not available")
    return name


def _native(f, backend):
    assert [str(n.op) for n in arignote.debug.fallbacks(f)] == []


def _equal_all(got, want, dtype=True):
    """Each output equals NumPy's: shape, values and (with ``dtype``) dtype."""
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.shape == w.shape and (not dtype or g.dtype == w.dtype), (g, w)
        np.testing.assert_array_equal(g, w)


def coal_graph():
    """The seed's marginal coal-mining log-likelihood (Poisson logp written out) and its gradient."""
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "benchmarks"))
    try:
        import workloads
    finally:
        sys.path.pop(0)
    return workloads


@pytest.mark.parametrize("backend", BACKENDS)
def test_coal_mining_logp_and_gradient_have_no_fallback(backend):
    wl = coal_graph()
    f = function(*wl.coal_graph(T), backend=_backend(backend))
    want = wl.coal_numpy(3.0, 1.0)
    got = f(3.0, 1.0)
    np.testing.assert_allclose([float(g) for g in got], want, rtol=1e-10)
    _native(f, backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_reshape_views_and_copies(backend):
    _backend(backend)
    x = T.dmatrix("x")
    outs = [x.reshape((-1,)), x.T.reshape((-1,)), x[::-1].reshape((2, -1)), x[:, ::2].reshape((-1,))]
    f = function([x], outs, backend=backend)
    _native(f, backend)
    for X in (np.arange(12.0).reshape(4, 3), np.arange(24.0).reshape(4, 6)[:, ::2], np.zeros((0, 3))):
        _equal_all(f(X), [X.reshape(-1), X.T.reshape(-1), X[::-1].reshape(2, -1), X[:, ::2].reshape(-1)])
    with pytest.raises(ValueError, match="reshape"):
        function([x], x.reshape((5, -1)), backend=backend)(np.zeros((2, 3)))


@pytest.mark.parametrize("backend", BACKENDS)
def test_reshape_copies_nothing_where_numpy_does_not(backend):
    """With borrowed input and outputs, a reshape's result shares the input's memory exactly where
    NumPy's reshape of the same view does (strided, reversed, transposed, length-1 axes), and is a
    new array where NumPy copies; values equal NumPy's either way."""
    _backend(backend)
    x = T.dmatrix("x")
    cases = [((-1,), lambda a: a), ((2, 3, 2), lambda a: a[::2]), ((4, 2, 3), lambda a: a[:, ::-1]),
             ((3, 2, 4), lambda a: a.T), ((-1,), lambda a: a[1:3]), ((-1,), lambda a: a.T),
             ((-1,), lambda a: a[::2]), ((1, 4, 1, 3), lambda a: a[:, ::2]), ((4, 3), lambda a: a[:, 1::2]),
             ((2, 1, 6), lambda a: a[::-2])]
    outs = [view(x).reshape(shape) for shape, view in cases]
    f = function([arignote.In(x, borrow=True)], [arignote.Out(o, borrow=True) for o in outs], backend=backend)
    _native(f, backend)
    X = np.arange(24.0).reshape(4, 6)
    for g, (shape, view) in zip(f(X), cases):
        w = view(X).reshape(shape)
        np.testing.assert_array_equal(g, w)
        assert np.shares_memory(g, X) == np.shares_memory(w, X), (shape, g.strides, w.strides)


def _seed_functions(backend):
    """The seed tutorial's compiled functions (its cells, ``theano`` -> ``arignote``)."""
    from arignote import In, shared
    from arignote.tensor.shared_randomstreams import RandomStreams

    fs = {}
    x, y = T.dscalars("x", "y")
    fs["add scalars"] = function([x, y], x + y, backend=backend)
    a, b = T.dmatrices("a", "b")
    fs["add matrices"] = function([a, b], a + b, backend=backend)
    fs["logistic"] = function([a], 1 / (1 + T.exp(-a)), backend=backend)
    d = a - b
    fs["diff"] = function([a, b], [d, abs(d), d ** 2], backend=backend)
    x, y, w = T.dscalars("x", "y", "w")
    fs["defaults"] = function([x, In(y, value=1), In(w, value=2, name="w_by_name")], (x + y) * w, backend=backend)
    state, inc = shared(0), T.iscalar("inc")
    fs["accumulator"] = function([inc], state, updates=[(state, state + inc)], backend=backend)
    fs["decrementor"] = function([inc], state, updates=[(state, state - inc)], backend=backend)
    u, v, m = T.dvector("u"), T.dvector("v"), T.dmatrix("m")
    fs["exercise"] = function([u, v, m], T.dot(m, u * v), backend=backend)
    x, y = T.vector("x"), T.vector("y")
    w, b, step = shared(1.0, name="w"), shared(0.0, name="b"), shared(10.0, name="step")
    p_1 = 1 / (1 + T.exp(-(x * w + b)))
    xent = -y * T.log(p_1) - (5 - y) * T.log(1 - p_1)
    gw, gb = T.grad(xent.mean(), [w, b])
    fs["train"] = function([x, y], [p_1 > 0.5, xent], updates=((w, w - step * gw), (b, b - step * gb),
                                                               (step, step * 0.99)), backend=backend)
    fs["predict"] = function([x], p_1 > 0.5, backend=backend)
    fs["random"] = function([], RandomStreams(seed=234).uniform((2, 2)), backend=backend)
    k, A = T.iscalar("k"), T.vector("A")
    result, updates = arignote.scan(fn=lambda prior, A: prior * A, outputs_info=T.ones_like(A), non_sequences=A,
                                    n_steps=k)
    fs["power"] = function([A, k], result[-1], updates=updates, backend=backend)
    c, x = T.vector("coefficients"), T.scalar("x")
    comps, _ = arignote.scan(fn=lambda co, p, val: co * (val ** p), outputs_info=None,
                             sequences=[c, T.arange(1000)], non_sequences=x)
    fs["polynomial"] = function([c, x], comps.sum(), backend=backend)
    return fs


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_seeds_compiled_functions_have_no_fallback(backend):
    """Every function the seed compiles runs natively, scan loops included, but the random draw:
    its values come from NumPy's Generator (the same stream as NumPy's), one call per draw."""
    _backend(backend)
    listed = {name: [str(n.op) for n in arignote.debug.fallbacks(f)] for name, f in _seed_functions(backend).items()}
    assert listed.pop("random") == ["RandomFunction{uniform,inplace}"]
    assert listed == {name: [] for name in listed}


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_scan_whose_body_falls_back_is_listed(backend):
    _backend(backend)
    A = T.dmatrix("A")
    out, _ = arignote.scan(fn=lambda row: T.sort(row) * 2, sequences=[A])
    f = function([A], out, backend=backend)
    assert [type(n.op).__name__ for n in arignote.debug.fallbacks(f)] == ["Scan"]
    np.testing.assert_array_equal(f(np.array([[3.0, 1.0], [0.0, -1.0]])), [[2.0, 6.0], [-2.0, 0.0]])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "int32", "complex128", "bool"])
def test_take_and_inc_set_subtensor_match_numpy(backend, dtype):
    _backend(backend)
    x, i = T.tensor(dtype, shape=(None, None), name="x"), T.lvector("i")
    y = T.tensor(dtype, shape=(None, None), name="y")
    f = function([x, i, y], [x[i], T.inc_subtensor(x[i], y), T.set_subtensor(x[i], y)], backend=backend)
    _native(f, backend)
    r = np.random.default_rng(0)
    base = (r.standard_normal((6, 8)) * 3).astype(dtype)
    for X in (base, base[::-2, 1::3], base.T[::-1][:5]):
        for I in (np.array([0, 2, 2, -1, 0, 2]), np.array([], dtype=np.int64), np.array([1])):
            Y = (r.standard_normal((len(I), X.shape[1])) * 2).astype(dtype)
            got = f(X, I, Y)
            acc = X.copy()
            np.add.at(acc, I, Y)
            st = X.copy()
            st[I] = Y
            _equal_all(got, [X[I], acc, st])


@pytest.mark.parametrize("backend", BACKENDS)
def test_take_with_a_matrix_index_and_broadcast_increment(backend):
    _backend(backend)
    x, i, y = T.dvector("x"), T.lmatrix("i"), T.dscalar("y")
    f = function([x, i, y], [x[i], T.inc_subtensor(x[i], y)], backend=backend)
    _native(f, backend)
    X, I = np.arange(5.0), np.array([[0, 4], [4, -5], [2, 2]])
    acc = X.copy()
    np.add.at(acc, I, 1.5)
    got = f(X, I, 1.5)
    np.testing.assert_array_equal(got[0], X[I])
    np.testing.assert_array_equal(got[1], acc)


@pytest.mark.parametrize("backend", BACKENDS)
def test_out_of_bounds_index_is_an_index_error_naming_node_and_index(backend):
    _backend(backend)
    x, i = T.dvector("x"), T.lvector("i")
    for out in (x[i], T.inc_subtensor(x[i], 1.0)):
        f = function([x, i], out, backend=backend)
        for bad in (7, -8):
            with pytest.raises(IndexError, match=rf"index {bad} is out of bounds for axis 0 with size 7") as e:
                f(np.zeros(7), np.array([0, bad]))
            assert "AdvancedSubtensor" in str(e.value) or "AdvancedIncSubtensor" in str(e.value)


@pytest.mark.parametrize("backend", BACKENDS)
def test_gradient_of_indexing_accumulates_repeated_indices(backend):
    _backend(backend)
    x, i = T.dvector("x"), T.lvector("i")
    g = T.grad((x[i] ** 2).sum(), x)
    f = function([x, i], g, backend=backend)
    _native(f, backend)
    X, I = np.array([1.0, 2.0, 3.0]), np.array([2, 2, 0, 2])
    want = np.zeros(3)
    np.add.at(want, I, 2 * X[I])
    np.testing.assert_array_equal(f(X, I), want)


def test_fallbacks_lists_python_nodes_and_py_runs_everything_in_python():
    x = T.dmatrix("x")
    f = function([x], T.sort(x, axis=0) + 1, backend="c")
    assert [type(n.op).__name__ for n in arignote.debug.fallbacks(f)] == ["SortOp"]
    fp = function([x], T.sort(x, axis=0) + 1, backend="py")
    assert len(arignote.debug.fallbacks(fp)) == len(fp.maker.fgraph.apply_nodes)


def test_info_fallbacks_lists_unlowered_ops_per_backend():
    out = subprocess.run([sys.executable, "-m", "arignote", "info", "--fallbacks"], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    text = out.stdout.split("ops without a native lowering", 1)[1]
    rows = {line.split()[0]: set(line.split(": ", 1)[1].split(", ")) for line in text.splitlines()[1:]
            if line.startswith("  ")}
    assert "SortOp" in rows["c"] and not rows["c"] & {"Reshape", "AdvancedSubtensor", "CumOp", "Argmax", "Alloc", "Join",
                                                       "MakeVector", "IncSubtensor"}
    assert rows["llvm"] == rows["c"]
    assert {"Reshape", "Elemwise", "CumOp"} <= rows["py"]
    assert arignote.debug.unlowered_ops("c") == sorted(arignote.debug.unlowered_ops("c"))


@pytest.mark.parametrize("backend", BACKENDS)
def test_alloc_fills_and_broadcasts_like_numpy(backend):
    _backend(backend)
    v, r, n, m = T.dvector("v"), T.drow("r"), T.lscalar("n"), T.lscalar("m")
    f = function([v, r, n, m], [T.alloc(v, n, v.shape[0]), T.alloc(r, n, m), T.alloc(np.float32(1.5), n, m),
                                T.alloc(v, 0, v.shape[0])], backend=backend)
    _native(f, backend)
    V, R = np.arange(4.0)[::-1], np.arange(5.0)[None, ::-1]
    got = f(V, R, 3, 5)
    want = [np.broadcast_to(V, (3, 4)), np.broadcast_to(R, (3, 5)), np.full((3, 5), 1.5, dtype="float32"), np.zeros((0, 4))]
    _equal_all(got, want)
    with pytest.raises(ValueError, match="alloc"):
        f(V, R, -1, 5)
    g = function([v, n], T.alloc(v, n, 3), backend=backend)
    with pytest.raises(ValueError, match="alloc"):
        g(V, 2)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", ["float64", "float32", "int32", "uint8", "bool"])
def test_argmax_argmin_match_numpy(backend, dtype):
    _backend(backend)
    x = T.tensor(dtype, shape=(None, None), name="x")
    outs = [T.argmax(x), T.argmin(x), T.argmax(x, axis=0), T.argmin(x, axis=1), T.argmax(x, axis=1)]
    f = function([x], outs, backend=backend)
    _native(f, backend)
    r = np.random.default_rng(1)
    base = (r.standard_normal((5, 7)) * 4).astype(dtype)
    cases = [base, base[::-2, ::3], base.T, np.zeros((3, 4), dtype)]
    if dtype.startswith("float"):
        nan = base.copy()
        nan[2, 3] = nan[4, 1] = np.nan
        cases.append(nan)
    for X in cases:
        want = [np.argmax(X), np.argmin(X), np.argmax(X, 0), np.argmin(X, 1), np.argmax(X, 1)]
        for g, w in zip(f(X), want):
            assert g.dtype == np.int64 and g.shape == np.shape(w)
            np.testing.assert_array_equal(g, w)
    with pytest.raises(ValueError, match="empty"):
        f(np.zeros((0, 3), dtype))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "int16", "uint32"])
def test_argmax_argmin_of_long_contiguous_rows(backend, dtype):
    """The unit-stride scan works in blocks of lanes: ties, signed zeros, infs and NaNs placed on
    both sides of lane and block boundaries give NumPy's answer (the first extreme, the first NaN)."""
    _backend(backend)
    x = T.tensor(dtype, shape=(None,), name="x")
    m = T.tensor(dtype, shape=(None, None), name="m")
    f = function([x], [T.argmax(x), T.argmin(x)], backend=backend)
    g = function([m], [T.argmax(m, axis=1), T.argmin(m, axis=1)], backend=backend)
    _native(f, backend)
    r = np.random.default_rng(7)
    is_float = dtype.startswith("float")
    for n in (1, 3, 8, 9, 1023, 1024, 1025, 2049, 5000):
        for trial in range(12):
            a = r.integers(0 if dtype[0] == "u" else -3, 4, n).astype(dtype)
            if is_float and trial % 3 == 0:
                a[r.integers(0, n, 2)] = np.nan
            if is_float and trial % 3 == 1:
                a[a == 0] = -0.0
                a[r.integers(0, n)] = 0.0
                a[r.integers(0, n)] = -np.inf if trial % 2 else np.inf
            got = f(a)
            assert (int(got[0]), int(got[1])) == (np.argmax(a), np.argmin(a)), (n, trial)
        rows = a[: n - n % 3].reshape(3, -1) if n >= 3 else a.reshape(1, -1)
        got = g(rows)
        np.testing.assert_array_equal(got[0], np.argmax(rows, 1))
        np.testing.assert_array_equal(got[1], np.argmin(rows, 1))


@pytest.mark.parametrize("backend", BACKENDS)
def test_steps_differing_only_in_their_fields_compile_apart(backend):
    """argmax and argmin (cumsum and cumprod, axis 0 and 1) of the same input type are different
    programs: compiled in one process they must not share cached code."""
    _backend(backend)
    x = T.dmatrix("x")
    X = np.array([[3.0, 1.0, 2.0], [0.0, 5.0, -1.0]])
    for build, ref in ((T.argmax, np.argmax), (T.argmin, np.argmin), (T.cumsum, np.cumsum), (T.cumprod, np.cumprod)):
        for axis in (0, 1):
            np.testing.assert_array_equal(function([x], build(x, axis=axis), backend=backend)(X), ref(X, axis=axis))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", ["float64", "float32", "int32", "uint8", "int64", "bool"])
def test_cumsum_cumprod_match_numpy(backend, dtype):
    _backend(backend)
    x = T.tensor(dtype, shape=(None, None), name="x")
    outs = [T.cumsum(x), T.cumsum(x, axis=0), T.cumsum(x, axis=1), T.cumprod(x, axis=0), T.cumprod(x)]
    f = function([x], outs, backend=backend)
    _native(f, backend)
    r = np.random.default_rng(2)
    base = (r.standard_normal((5, 6)) * 3).astype(dtype)
    for X in (base, base[::-2, ::-3], base.T, np.zeros((0, 4), dtype), np.zeros((3, 0), dtype)):
        want = [np.cumsum(X), np.cumsum(X, 0), np.cumsum(X, 1), np.cumprod(X, 0), np.cumprod(X)]
        for g, w, o in zip(f(X), want, outs):
            w = w.astype(o.dtype)
            assert g.dtype == w.dtype and g.shape == w.shape
            np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "int8", "bool", "complex128"])
def test_join_and_make_vector_match_numpy(backend, dtype):
    _backend(backend)
    x, y = T.tensor(dtype, shape=(None, None), name="x"), T.tensor(dtype, shape=(None, None), name="y")
    a, b = T.tensor(dtype, shape=(), name="a"), T.tensor(dtype, shape=(), name="b")
    f = function([x, y, a, b], [T.concatenate([x, y], axis=0), T.concatenate([y, x, y], axis=1),
                                T.stack([a, b, a]), T.join(1, x)], backend=backend)
    _native(f, backend)
    r = np.random.default_rng(3)
    base = (r.standard_normal((6, 8)) * 5).astype(dtype)
    for X, Y in ((base[:3, :4], base[3:, 4:]), (base[::-2, ::3], base[::-2, 1::3]),  # strided, reversed
                 (base.T[:4, :2], base.T[4:, :2].copy()), (base[:0, :3], base[:0, :3]), (base[:2, :0], base[:2, :0])):
        A, B = base[0, 0], base[1, 1]
        want = [np.concatenate([X, Y], 0), np.concatenate([Y, X, Y], 1), np.array([A, B, A]), X]
        for g, w in zip(f(X, Y, A, B), want):
            assert g.dtype == w.dtype and g.shape == w.shape
            np.testing.assert_array_equal(g, w)
    with pytest.raises(ValueError, match="join"):
        f(base[:2, :3], base[:2, :4], A, B)


def _np_inc(x, idx, value, set_):
    w = x.copy()
    if set_:
        w[idx] = value
    else:
        w[idx] += value
    return w


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", ["float64", "float32", "int32", "bool", "complex64"])
def test_basic_inc_and_set_subtensor_match_numpy(backend, dtype):
    """Slices (negative steps, empty), integers (negative), strided and reversed inputs, the value
    broadcast to the region; an index out of bounds is NumPy's IndexError and writes nothing."""
    _backend(backend)
    x = T.tensor(dtype, shape=(None, None), name="x")
    v = T.tensor(dtype, shape=(None,), name="v")
    i, j = T.lscalar("i"), T.lscalar("j")
    c = np.asarray(1, dtype)
    cases = [  # (graph, numpy index from (I, J), value from V, set?)
        (T.set_subtensor(x[1:, ::2], c), lambda I, J: (slice(1, None), slice(None, None, 2)), lambda V: c, True),
        (T.inc_subtensor(x[::-1, i], v), lambda I, J: (slice(None, None, -1), I), lambda V: V, False),
        (T.inc_subtensor(x[i], c), lambda I, J: I, lambda V: c, False),
        (T.set_subtensor(x[i:j], v), lambda I, J: slice(I, J), lambda V: V, True),
        (T.inc_subtensor(x[:, j:i:-1], v[0]), lambda I, J: (slice(None), slice(J, I, -1)), lambda V: V[0], False),
        (T.inc_subtensor(x[1:3], v.dimshuffle("x", 0)), lambda I, J: slice(1, 3), lambda V: V[None], False),
        (T.inc_subtensor(x[i, j], c), lambda I, J: (I, J), lambda V: c, False),
    ]
    f = function([x, v, i, j], [g for g, _, _, _ in cases], backend=backend)
    _native(f, backend)
    r = np.random.default_rng(4)
    base = (r.standard_normal((8, 8)) * 4).astype(dtype)
    for X, V, I, J in ((base[:4, :4], base[0, :4], 1, 3), (base[::-2, ::-2], base[1, ::-2], -2, 3),
                       (base.T[:4, 2:6], base[2, :4], 0, 0), (base[:4, :4], base[0, :4], 2, 2)):
        for g, (_, idx, val, set_) in zip(f(X, V, I, J), cases):
            w = _np_inc(X, idx(I, J), val(V), set_)
            assert g.dtype == w.dtype and g.shape == w.shape
            np.testing.assert_array_equal(g, w)
    empty = function([x], T.set_subtensor(x[1:, ::2], c), backend=backend)
    for E in (np.zeros((0, 3), dtype), np.zeros((3, 0), dtype)):
        np.testing.assert_array_equal(empty(E), _np_inc(E, (slice(1, None), slice(None, None, 2)), c, True))
    X = base[:4, :4].copy()
    with pytest.raises(IndexError, match=r"(?s)index 7 is out of bounds for axis 1 with size 4.*IncSubtensor"):
        f(X, base[0, :4], 7, 1)
    np.testing.assert_array_equal(X, base[:4, :4])  # nothing written on failure
    with pytest.raises(ValueError):  # a value that does not broadcast to the region
        function([x, v], T.set_subtensor(x[1:3], v), backend=backend)(X, base[0, :3])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_dot_above_two_dims_matches_numpy(backend, dtype):
    _backend(backend)
    a, c = T.tensor(dtype, shape=(None,) * 3, name="a"), T.tensor(dtype, shape=(None,) * 4, name="c")
    m, v = T.tensor(dtype, shape=(None, None), name="m"), T.tensor(dtype, shape=(None,), name="v")
    f = function([a, c, m, v], [T.dot(a, m), T.dot(m, a), T.dot(a, v), T.dot(v, a), T.dot(a, c)], backend=backend)
    _native(f, backend)
    r = np.random.default_rng(5)
    rtol = 1e-5 if dtype == "float32" else 1e-12
    for shapes in (((2, 4, 4), (1, 3, 4, 3), (4, 4), (4,)), ((0, 4, 4), (2, 2, 4, 0), (4, 4), (4,)),
                   ((3, 4, 4), (3, 2, 4, 1), (4, 4), (4,))):
        A, C, M, V = (r.standard_normal(s).astype(dtype) for s in shapes)
        A = A[:, ::-1]  # a reversed view as well
        for g, w in zip(f(A, C, M, V), [np.dot(A, M), np.dot(M, A), np.dot(A, V), np.dot(V, A), np.dot(A, C)]):
            assert g.shape == w.shape and g.dtype == w.dtype
            np.testing.assert_allclose(g, w, rtol=rtol, atol=rtol)
    with pytest.raises(ValueError, match="not aligned"):
        f(np.zeros((2, 4, 4), dtype), np.zeros((1, 1, 6, 2), dtype), np.zeros((4, 4), dtype), np.zeros(4, dtype))


# ------------------------------------------------------------- integer dot


def _int_dot_cases():
    r = np.random.default_rng(3)
    big = r.integers(-2**62, 2**62, size=(4, 5))  # products and sums that wrap in int64
    return [
        (T.lvector, T.lvector, [(np.arange(5), np.arange(5)[::-1]), (np.arange(0), np.arange(0))]),
        (T.lmatrix, T.lvector, [(big, big[0]), (big[::-1, ::2], big[1, ::-2][:3]), (np.zeros((0, 3), int), np.ones(3, int))]),
        (T.lmatrix, T.lmatrix, [(big, big.T), (big[:, ::-1], big[::-1].T[::-1]), (np.zeros((2, 0), int), np.zeros((0, 3), int))]),
        (T.ltensor3, T.ltensor3, [(r.integers(-9, 9, (2, 3, 4)), r.integers(-9, 9, (5, 4, 2))[:, ::-1]),
                                  (r.integers(-9, 9, (2, 3, 4))[:, ::2], r.integers(-9, 9, (4, 0)))]),
    ]


@pytest.mark.parametrize("backend", BACKENDS)
def test_integer_dot_is_native_and_exact(backend):
    _backend(backend)
    for mk_x, mk_y, cases in _int_dot_cases():
        x = mk_x("x")
        for X, Y in cases:
            y = T.TensorType("int64", shape=(None,) * np.ndim(Y))("y")
            f = function([x, y], T.dot(x, y), backend=backend)
            _native(f, backend)
            got, want = f(X, Y), np.dot(np.asarray(X), np.asarray(Y))
            assert got.dtype == want.dtype and got.shape == want.shape
            np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dx,dy", [("int8", "int8"), ("int8", "uint8"), ("uint64", "uint64"), ("int32", "int16")])
def test_integer_dot_dtypes_wrap_as_numpy(backend, dx, dy):
    _backend(backend)
    x, y = T.TensorType(dx, shape=(None, None))("x"), T.TensorType(dy, shape=(None, None))("y")
    f = function([x, y], T.dot(x, y), backend=backend)
    _native(f, backend)
    r = np.random.default_rng(5)
    X, Y = (r.integers(np.iinfo(d).min, np.iinfo(d).max, s, dtype=d) for d, s in ((dx, (3, 7)), (dy, (7, 4))))
    got, want = f(X, Y[::-1]), np.dot(X, Y[::-1])
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("backend", BACKENDS)
def test_integer_dot_unaligned_shapes_raise_numpys_error(backend):
    _backend(backend)
    x, y = T.lmatrix("x"), T.lmatrix("y")
    f = function([x, y], T.dot(x, y), backend=backend)
    with pytest.raises(ValueError, match="not aligned"):
        f(np.ones((2, 3), int), np.ones((4, 2), int))


# ------------------------------------------------------------------ bool masks


def _mask_inputs():
    r = np.random.default_rng(7)
    base = r.normal(size=(6, 8))
    M = r.random((6, 8)) < 0.5
    return [(base[:4, :5], M[:4, :5]), (base[::-1, ::-2], M[::2, ::2][:, :4].repeat(2, 0)[:6][::-1]),
            (base[:0, :3], M[:0, :3]), (base[:3, :3], np.zeros((3, 3), bool))]


@pytest.mark.parametrize("backend", BACKENDS)
def test_bool_mask_read_set_and_inc_match_numpy(backend):
    _backend(backend)
    x, m, m1 = T.dmatrix("x"), T.TensorType("bool", shape=(None, None))("m"), T.TensorType("bool", shape=(None,))("m1")
    v = T.dvector("v")
    f = function([x, m, m1, v], [x[m], x[m1], T.set_subtensor(x[m], v[0]), T.inc_subtensor(x[m], 2.0),
                                 T.inc_subtensor(x[m1], v)], backend=backend)
    _native(f, backend)
    for X, M in _mask_inputs():
        M1 = M[:, 0]
        V = np.arange(X.shape[1], dtype=float) + 0.5
        got = f(X, M, M1, V)
        want = [X[M], X[M1]]
        for setter, where, val in ((True, M, V[0]), (False, M, 2.0), (False, M1, V)):
            w = X.copy()
            if setter:
                w[where] = val
            else:
                w[where] += val
            want.append(w)
        _equal_all(got, want, dtype=False)


@pytest.mark.parametrize("backend", BACKENDS)
def test_bool_mask_of_the_wrong_shape_is_numpys_index_error(backend):
    _backend(backend)
    x, m = T.dmatrix("x"), T.TensorType("bool", shape=(None, None))("m")
    for out in (x[m], T.inc_subtensor(x[m], 1.0)):
        f = function([x, m], out, backend=backend)
        with pytest.raises(IndexError, match="boolean index did not match") as e:
            f(np.zeros((3, 4)), np.ones((3, 5), bool))
        assert "AdvancedSubtensor" in str(e.value) or "AdvancedIncSubtensor" in str(e.value)


# ------------------------------------------------------- several index arrays


def _np_at(X, idx, Y, set_):
    out = X.copy()
    if set_:
        out[idx] = Y
    else:
        np.add.at(out, idx, Y)
    return out


@pytest.mark.parametrize("backend", BACKENDS)
def test_multi_array_indexing_and_add_at_match_numpy(backend):
    """x[i, j] (broadcast indices, negative ones, repeats, strided and reversed x, empty indices) and
    inc/set_subtensor there: repeated positions accumulate as numpy.add.at, setting keeps the last."""
    _backend(backend)
    x, i, j, y = T.dtensor3("x"), T.lvector("i"), T.lmatrix("j"), T.dmatrix("y")
    f = function([x, i, j, y], [x[i, j], T.inc_subtensor(x[i, j], y.dimshuffle(0, 1, "x")), T.set_subtensor(x[i, j], 5.0),
                                T.inc_subtensor(x[i, j], 1.0), T.set_subtensor(x[i, j], y.dimshuffle(0, 1, "x"))],
                 backend=backend)
    _native(f, backend)
    base = np.arange(120.0).reshape(4, 5, 6)
    cases = [(base, np.array([0, -1, 0]), np.array([[1], [1], [-5]])),
             (base[::-1, ::2], np.array([3, 3]), np.array([[2, 2], [-3, 0]])),
             (base[:, 1:], np.zeros(0, int), np.zeros((1, 0), int))]
    for X, I, J in cases:
        bshape = np.broadcast_shapes(I.shape, J.shape)
        Y = np.arange(np.prod(bshape), dtype=float).reshape(bshape) + 0.25
        got = f(X, I, J, Y)
        want = [X[I, J], _np_at(X, (I, J), Y[..., None], False), _np_at(X, (I, J), 5.0, True),
                _np_at(X, (I, J), 1.0, False), _np_at(X, (I, J), Y[..., None], True)]
        _equal_all(got, want, dtype=False)


@pytest.mark.parametrize("backend", BACKENDS)
def test_multi_array_index_out_of_bounds_is_numpys_index_error(backend):
    _backend(backend)
    x, i, j = T.dmatrix("x"), T.lvector("i"), T.lvector("j")
    for out in (x[i, j], T.inc_subtensor(x[i, j], 1.0)):
        f = function([x, i, j], out, backend=backend)
        X = np.zeros((3, 4))
        with pytest.raises(IndexError, match="index 4 is out of bounds for axis 1 with size 4") as e:
            f(X, np.array([0, 1]), np.array([0, 4]))
        assert "AdvancedSubtensor" in str(e.value) or "AdvancedIncSubtensor" in str(e.value)
        with pytest.raises(IndexError, match="shape mismatch"):
            f(X, np.array([0, 1]), np.array([0, 1, 2]))
        assert not X.any()


# ------------------------------------- index arrays in any position, mixed with slices and integers


@pytest.fixture
def no_perform(monkeypatch):
    """The advanced-indexing nodes' perform raises: a value can only come from the native step."""
    from arignote.tensor.subtensor import AdvancedIncSubtensor, AdvancedSubtensor

    def boom(self, node, inputs, output_storage):
        raise AssertionError(f"{node.op} ran its perform")

    monkeypatch.setattr(AdvancedSubtensor, "perform", boom)
    monkeypatch.setattr(AdvancedIncSubtensor, "perform", boom)


def _mixed_cases():
    """(name, index builder over symbols or values): index arrays off the leading axes, adjacent
    (broadcast dims in place) and separated (broadcast dims first), with slices, integers, negative
    steps, new axes, bool masks among them and the 0-d bool mask."""
    return [
        ("x[i, :, j]", lambda s: (s.i, slice(None), s.j)),
        ("x[:, i, j]", lambda s: (slice(None), s.i, s.j)),
        ("x[:, i]", lambda s: (slice(None), s.i)),
        ("x[:, :, i]", lambda s: (slice(None), slice(None), s.i)),
        ("x[1:, i, ::-2]", lambda s: (slice(1, None), s.i, slice(None, None, -2))),
        ("x[k, :, i]", lambda s: (s.k, slice(None), s.i)),
        ("x[:, k, i]", lambda s: (slice(None), s.k, s.i)),
        ("x[i, k]", lambda s: (s.i, s.k)),
        ("x[::-1, j, k]", lambda s: (slice(None, None, -1), s.j, s.k)),
        ("x[i, 1:3, m]", lambda s: (s.i, slice(1, 3), s.m)),
        ("x[True]", lambda s: (s.t,)),
        ("x[False]", lambda s: (s.f,)),
        ("x[:, i, True]", lambda s: (slice(None), s.i, s.t)),
        ("x[:, None, i]", lambda s: (slice(None), None, s.i)),
        ("x[i, None, j]", lambda s: (s.i, None, s.j)),
        ("x[None, i, :, ::-1, None]", lambda s: (None, s.i, slice(None), slice(None, None, -1), None)),
        ("x[:, b]", lambda s: (slice(None), s.b)),
        ("x[:, b2]", lambda s: (slice(None), s.b2)),
        ("x[k, b2]", lambda s: (s.k, s.b2)),
        ("x[b4, 1:, k]", lambda s: (s.b4, slice(1, None), s.k)),
    ]


def _sym_and_vals():
    from types import SimpleNamespace as NS

    bools = [T.TensorType("bool", shape=(None,) * n)(name) for n, name in ((1, "b"), (2, "b2"), (1, "b4"))]
    sym = NS(i=T.lvector("i"), j=T.lmatrix("j"), k=T.lscalar("k"), m=T.ivector("m"),
             t=T.constant(np.bool_(True)), f=T.constant(np.bool_(False)), b=bools[0], b2=bools[1], b4=bools[2])
    val = NS(i=np.array([0, -1, 2, 0]), j=np.array([[1], [-3], [1]]), k=-2, m=np.array([1, 0, 1, 3], dtype=np.int32),
             t=np.True_, f=np.False_, b=np.array([True, False, True, True, False]),
             b2=np.random.default_rng(2).random((5, 6)) < 0.4, b4=np.array([True, False, True, True]))
    return sym, val


def _views():
    """Sources of shape (4, 5, 6): contiguous, strided, reversed on every axis, transposed (Fortran
    order), one axis reversed."""
    base = np.arange(8 * 10 * 12, dtype=float).reshape(8, 10, 12) * 0.5 - 7
    return [base[:4, :5, :6], base[::-2, 1::2, ::2], base[::-1, ::-1, ::-1][:4, :5, :6], base[:6, :5, :4].T,
            base[:4, :5, :6][:, ::-1]]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name,build", _mixed_cases(), ids=[c[0] for c in _mixed_cases()])
def test_mixed_advanced_index_reads_and_writes_match_numpy(backend, name, build, no_perform):
    """x[index] and inc (numpy.add.at) / set (last write) / inc with ignore_duplicates (NumPy's
    ``x[index] += y``) for index arrays in any position, natively, against NumPy."""
    _backend(backend)
    sym, val = _sym_and_vals()
    x = T.dtensor3("x")
    sel = x[build(sym)]
    y = T.tensor("float64", shape=(None,) * sel.ndim, name="y")
    outs = [sel, T.inc_subtensor(sel, y), T.set_subtensor(sel, y), T.inc_subtensor(sel, y, ignore_duplicates=True),
            T.inc_subtensor(sel, 1.5)]
    f = function([x, y, sym.i, sym.j, sym.k, sym.m, sym.b, sym.b2, sym.b4], outs, backend=backend,
                 on_unused_input="ignore")
    _native(f, backend)
    for X in _views():
        idx = build(val)
        region = X[idx].shape
        Y = np.arange(np.prod(region), dtype=float).reshape(region) + 0.25
        got = f(X, Y, val.i, val.j, val.k, val.m, val.b, val.b2, val.b4)
        acc, st, dup, one = X.copy(), X.copy(), X.copy(), X.copy()
        np.add.at(acc, idx, Y)
        st[idx] = Y
        dup[idx] += Y
        np.add.at(one, idx, 1.5)
        _equal_all(got, [X[idx], acc, st, dup, one])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", ["float32", "int32", "uint8", "complex128", "bool"])
def test_index_arrays_off_the_leading_axis_in_every_dtype(backend, dtype, no_perform):
    _backend(backend)
    x, i, j = T.tensor(dtype, shape=(None, None, None), name="x"), T.bvector("i"), T.TensorType("uint16", shape=(None,))("j")
    y = T.tensor(dtype, shape=(None, None, None), name="y")
    outs = [x[:, i], T.inc_subtensor(x[:, i], y), T.set_subtensor(x[:, i], y), x[j, ::-1, i]]
    f = function([x, i, j, y], outs, backend=backend)
    _native(f, backend)
    r = np.random.default_rng(3)
    X = (r.standard_normal((3, 4, 5)) * 4).astype(dtype)[:, :, ::-1]
    I, J = np.array([3, -4, 3], dtype=np.int8), np.array([2, 0, 0], dtype=np.uint16)
    Y = (r.standard_normal((3, 3, 5)) * 4).astype(dtype)
    acc, st = X.copy(), X.copy()
    np.add.at(acc, (slice(None), I), Y)
    st[:, I] = Y
    _equal_all(f(X, I, J, Y), [X[:, I], acc, st, X[J, ::-1, I]])


@pytest.mark.parametrize("backend", BACKENDS)
def test_mixed_index_on_empty_arrays_and_empty_indices(backend, no_perform):
    _backend(backend)
    x, i, j = T.dtensor3("x"), T.lvector("i"), T.lvector("j")
    cols = function([x, i], [x[:, i], T.inc_subtensor(x[:, i], 1.0)], backend=backend)
    sides = function([x, i, j], [x[i, :, j], T.set_subtensor(x[i, :, j], 2.0)], backend=backend)
    _native(cols, backend)
    _native(sides, backend)
    I2, I0 = np.array([2, -1]), np.zeros(0, int)
    for X, I, J in ((np.zeros((0, 4, 3)), I2, None), (np.zeros((3, 0, 4)), I2, np.array([0, 3])),
                    (np.ones((2, 3, 4)), I0, I0), (np.ones((2, 3, 4))[:, ::-1], I0, np.array([1]))):
        if J is None:
            got, want = cols(X, I), [X[:, I], _np_at(X, (slice(None), I), 1.0, False)]
        else:
            got, want = sides(X, I, J), [X[I, :, J], _np_at(X, (I, slice(None), J), 2.0, True)]
        _equal_all(got, want, dtype=False)


@pytest.mark.parametrize("backend", BACKENDS)
def test_mixed_index_errors_are_numpys_and_name_the_node(backend):
    _backend(backend)
    x, i, j, k = T.dtensor3("x"), T.lvector("i"), T.lvector("j"), T.lscalar("k")
    y = T.dmatrix("y")
    X = np.zeros((3, 4, 5))
    for out in (x[k, :, i], T.inc_subtensor(x[k, :, i], 1.0), T.set_subtensor(x[:, j, i], 1.0)):
        f = function([x, i, j, k], out, backend=backend, on_unused_input="ignore")
        with pytest.raises(IndexError, match="index 5 is out of bounds for axis 2 with size 5") as e:
            f(X, np.array([0, 5]), np.array([0, 1]), 0)
        assert "Advanced" in str(e.value) and "x" in str(e.value)
        with pytest.raises(IndexError, match="index -6 is out of bounds for axis 2 with size 5"):
            f(X, np.array([-6]), np.array([0]), -3)
        assert not X.any()
    for out in (x[i, k], T.set_subtensor(x[i, k], 1.0)):  # an integer after the array
        f = function([x, i, k], out, backend=backend)
        with pytest.raises(IndexError, match="index -4 is out of bounds for axis 0 with size 3") as e:
            f(X, np.array([0, -4]), 1)
        assert "Advanced" in str(e.value)
        with pytest.raises(IndexError, match="index 4 is out of bounds for axis 1 with size 4"):
            f(X, np.array([0]), 4)
    b = T.TensorType("bool", shape=(None,))("b")
    for out in (x[:, b], T.inc_subtensor(x[:, b], 1.0)):
        f = function([x, b], out, backend=backend)
        with pytest.raises(IndexError, match="boolean index did not match") as e:
            f(X, np.ones(5, bool))
        assert "Advanced" in str(e.value)
    f = function([x, i, j], x[:, i, j], backend=backend)
    with pytest.raises(IndexError, match="shape mismatch"):
        f(X, np.array([0, 1]), np.array([0, 1, 2]))
    g = function([x, i, y], T.inc_subtensor(x[:, i], y), backend=backend)
    with pytest.raises(ValueError) as e:
        g(X, np.array([0, 1]), np.ones((3, 3)))
    assert "AdvancedIncSubtensor" in str(e.value)


@pytest.mark.parametrize("backend", BACKENDS)
def test_gradient_of_mixed_indexing_is_native_and_accumulates(backend):
    _backend(backend)
    x, i, j = T.dtensor3("x"), T.lvector("i"), T.lvector("j")
    cost = (x[:, i] ** 2).sum() + (3.0 * x[i, :, j]).sum()
    f = function([x, i, j], T.grad(cost, x), backend=backend)
    _native(f, backend)
    X = np.random.default_rng(5).standard_normal((3, 4, 5))[:, ::-1]
    I, J = np.array([1, 1, -1]), np.array([0, 4, 0])
    want = np.zeros_like(X)
    np.add.at(want, (slice(None), I), 2 * X[:, I])
    np.add.at(want, (I, slice(None), J), 3.0)
    np.testing.assert_allclose(f(X, I, J), want, rtol=1e-14)
