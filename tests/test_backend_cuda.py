"""The cuda backends: the kernels run under the CPU emulation ('cuda-emulated') against NumPy,
their registration (never 'auto'), the reasons 'cuda' gives without CuPy or a device, and (where
a device exists) the 'cuda' backend itself."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import arignote
import arignote.tensor as T
from arignote import plugin_manager as pm
from arignote.config import config

EMU = "cuda-emulated"
STATUS = {n: (ok, reason) for n, ok, reason, _p in pm.backend_status()}
needs_emu = pytest.mark.skipif(not STATUS[EMU][0], reason=f"cuda-emulated unavailable: {STATUS[EMU][1]}")
needs_gpu = pytest.mark.skipif(not STATUS["cuda"][0], reason=f"backend 'cuda' is not available: {STATUS['cuda'][1]}")


def f_emu(inputs, outputs, **kw):
    return arignote.function(inputs, outputs, backend=EMU, **kw)


def test_auto_never_picks_a_cuda_backend():
    assert pm.resolve_backend_name("auto") not in ("cuda", EMU)
    prios = {n: p for n, _ok, _r, p in pm.backend_status()}
    assert prios["cuda"] < prios["py"] and prios[EMU] < prios["py"]


def test_cuda_unavailable_names_the_reason():
    ok, reason = STATUS["cuda"]
    try:
        import cupy  # noqa: F401
    except ImportError:
        assert not ok and reason.startswith("cupy is not installed")
        with pytest.raises(RuntimeError, match="cupy is not installed"):
            pm.get_backend("cuda")
    else:
        assert ok or reason.startswith("no CUDA device")


@needs_emu
def test_fused_loop_broadcasting_and_strided_views(rng):
    x, y = T.matrix("x"), T.vector("y")
    out = T.exp(-x ** 2) * T.sin(x) + T.log1p(abs(y)) * T.tanh(x * y)
    f = f_emu([x, y], out)
    X = rng.normal(size=(7, 5))
    Y = rng.normal(size=(5,))
    ref = lambda X, Y: np.exp(-X ** 2) * np.sin(X) + np.log1p(abs(Y)) * np.tanh(X * Y)  # noqa: E731
    np.testing.assert_allclose(f(X, Y), ref(X, Y), rtol=1e-13)
    Xs, Ys = np.asfortranarray(X)[::-1, ::2], Y[::-2]  # reversed rows, every other column, reversed vector
    np.testing.assert_allclose(f(Xs, np.ascontiguousarray(Ys[:3])), ref(Xs, Ys[:3]), rtol=1e-13)
    assert f(X[:0], Y).shape == (0, 5)
    with pytest.raises(ValueError, match=r"\(7, 5\).*\(4,\)|do not broadcast|shape"):
        f(X, Y[:4])


@needs_emu
@pytest.mark.parametrize("axis", [None, 0, 1, 2, (0, 2), (1, 2)])
def test_block_reductions_match_numpy(rng, axis):
    x = T.tensor3("x")
    f = f_emu([x], [x.sum(axis=axis), x.max(axis=axis), x.min(axis=axis), x.prod(axis=axis),
                    T.any(x > 1, axis=axis), T.all(x > -3, axis=axis)])
    X = rng.normal(size=(3, 9, 5))  # 9 and 5 reduced elements over 4 threads: strided, uneven tails
    got = f(X)
    want = [X.sum(axis=axis), X.max(axis=axis), X.min(axis=axis), X.prod(axis=axis),
            (X > 1).any(axis=axis), (X > -3).all(axis=axis)]
    for g, w in zip(got, want):
        assert g.dtype == w.dtype and g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=1e-12)


@needs_emu
def test_reductions_of_empty_axes_and_integers(rng):
    x, i = T.matrix("x"), T.lmatrix("i")
    f = f_emu([x, i], [x.sum(axis=0), x.prod(axis=0), i.sum(axis=1), i.max()])
    X, I = np.zeros((0, 4)), rng.integers(-50, 50, size=(6, 7))
    s, p, si, mi = f(X, I)
    np.testing.assert_array_equal(s, np.zeros(4))
    np.testing.assert_array_equal(p, np.ones(4))
    np.testing.assert_array_equal(si, I.sum(axis=1))
    assert si.dtype == np.int64 and mi == I.max()


@needs_emu
def test_integer_power_errors_and_nan_semantics():
    a, b = T.lvector("a"), T.lvector("b")
    f = f_emu([a, b], a ** b)
    np.testing.assert_array_equal(f(np.array([2, 3]), np.array([3, 2])), [8, 9])
    with pytest.raises(ValueError, match="negative integer powers"):
        f(np.array([2, 3]), np.array([1, -1]))
    x = T.vector("x")
    g = f_emu([x], [T.maximum(x, 0), x // 0.0, T.cast(x, "int32")])
    v = np.array([np.nan, -1.5, 2.5, np.inf])
    with np.errstate(all="ignore"):
        want = [np.maximum(v, 0), v // 0.0]
    got = g(v)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])
    np.testing.assert_array_equal(got[2][1:3], [-1, 2])


@needs_emu
def test_dot_views_and_shapes(rng):
    x, y = T.matrix("x"), T.matrix("y")
    f = f_emu([x, y], [T.dot(x, y.T), x[1:, ::-1].T, x.shape, x[2, 3]])
    X, Y = rng.normal(size=(4, 5)), rng.normal(size=(3, 5))
    d, v, s, e = f(X, Y)
    np.testing.assert_allclose(d, X @ Y.T)
    np.testing.assert_array_equal(v, X[1:, ::-1].T)
    np.testing.assert_array_equal(s, [4, 5])
    assert isinstance(e, np.ndarray) and e.shape == () and e == X[2, 3]


@needs_emu
def test_debug_flag_lists_the_nodes_run_on_the_host():
    from arignote.backends.cuda.common import FallbackWarning

    z = T.zvector("z")
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        old, config.debug = config.debug, True
        try:
            f = f_emu([z], T.exp(z))
        finally:
            config.debug = old
    assert any(issubclass(x.category, FallbackWarning) and "exp" in str(x.message) for x in w)
    v = np.array([1 + 2j, -0.5j])
    np.testing.assert_allclose(f(v), np.exp(v))
    assert f.maker.fgraph.lowered.fallbacks()


@needs_emu
def test_shared_updates_and_float32(rng):
    w = arignote.shared(np.ones(4, dtype="float32"), name="w")
    x = T.fvector("x")
    f = f_emu([x], (w * x).sum(), updates=[(w, w * np.float32(0.5) + x)])
    X = rng.normal(size=4).astype("float32")
    r = f(X)
    assert r.dtype == np.float32 and np.isclose(r, X.sum())
    np.testing.assert_allclose(w.get_value(), 0.5 + X, rtol=1e-6)


@needs_emu
def test_generated_source_never_holds_user_names():
    from arignote.backends.cuda import common

    x = T.vector("x */ #include <evil> /*")
    f = f_emu([x], T.exp(x) + 1)
    _prog, _syms, source = common.lower(f.maker.fgraph, EMU)
    assert "evil" not in source and "#include <evil>" not in source
    np.testing.assert_allclose(f(np.array([0.0, 1.0])), np.exp([0.0, 1.0]) + 1)


# ------------------------------------------------------------- on a device


@needs_gpu
def test_cuda_matches_numpy_and_keeps_outputs_numpy(rng):
    x, y = T.fmatrix("x"), T.fvector("y")
    f = arignote.function([x, y], [T.exp(-x ** 2) * T.sin(x) + T.log1p(abs(y)) * T.tanh(x * y), x.sum(axis=0),
                                   T.dot(x, y)], backend="cuda")
    X, Y = rng.normal(size=(64, 33)).astype("float32"), rng.normal(size=33).astype("float32")
    a, s, d = f(X, Y)
    assert isinstance(a, np.ndarray) and a.dtype == np.float32
    np.testing.assert_allclose(a, np.exp(-X ** 2) * np.sin(X) + np.log1p(abs(Y)) * np.tanh(X * Y), rtol=1e-5)
    np.testing.assert_allclose(s, X.sum(axis=0), rtol=1e-4)
    np.testing.assert_allclose(d, X @ Y, rtol=1e-4)


@needs_gpu
def test_cuda_selected_by_the_device_flag():
    old = config.device
    config.device = "cuda"
    try:
        x = T.vector("x")
        f = arignote.function([x], x * 2)
        np.testing.assert_array_equal(f(np.arange(3.0)), [0, 2, 4])
    finally:
        config.device = old
