"""The complex forms of pow, sign, exp2, expm1, log2, log10, log1p and rint, and the dot forms
(a 0-d operand, mixed dtypes, integer and batched matmul, complex dot through zgemm/cgemm) run
natively on c and llvm, with the rewrites and without them: NumPy's values (special
values and signed zeros included) and dtypes, with every node's ``perform`` made to raise."""
from __future__ import annotations

import numpy as np
import pytest

import arignote
import arignote.tensor as T
from arignote import function
from arignote.conformance.values import edge_values
from arignote.tensor.elemwise import Elemwise
from arignote.tensor.linalg import Dot, Matmul

BACKENDS = ["c", "llvm"]
COMPLEX_OPS = {"pow": np.power, "sgn": np.sign, "exp2": np.exp2, "expm1": np.expm1, "log2": np.log2,
               "log10": np.log10, "log1p": np.log1p, "round_half_to_even": np.rint}


def _backend(name):
    ok = dict((n, a) for n, a, _, _ in arignote.plugin_manager.backend_status()).get(name)
    if not ok:
        pytest.skip(f"backend {name} not available")


@pytest.fixture
def no_perform(monkeypatch):
    """Every Elemwise, Dot and Matmul ``perform`` raises: a result must come from native code."""
    def boom(self, node, inputs, out):
        raise AssertionError(f"{node.op} ran its NumPy perform")

    for cls in (Elemwise, Dot, Matmul):
        monkeypatch.setattr(cls, "perform", boom)


def _same(got, want):
    """Equal parts, NaN where NumPy has NaN (its sign is not defined), signed zeros and infinities."""
    assert got.dtype == want.dtype and got.shape == want.shape
    for g, w in ((got.real, want.real), (got.imag, want.imag)):
        nan = np.isnan(w)
        np.testing.assert_array_equal(np.isnan(g), nan)
        np.testing.assert_array_equal(g[~nan], w[~nan])
        np.testing.assert_array_equal(np.signbit(g[~nan]), np.signbit(w[~nan]))


def _exponents(dtype):
    return np.array([0, 1, 2, 3, -1, -2, 5, -7, 99, -99, 100, 0.5, -0.5, 1 + 1j, 2.5 - 1j, 1j,
                     complex(np.nan, 0), complex(np.inf, 0), complex(0, -0.0)], dtype=dtype)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", ["complex128", "complex64"])
def test_complex_forms_are_native_and_match_numpy(backend, dtype, no_perform):
    _backend(backend)
    E = edge_values(dtype)
    x, y = T.TensorType(dtype, shape=(None,))("x"), T.TensorType(dtype, shape=(None,))("y")
    for name, npf in COMPLEX_OPS.items():
        if name == "pow":
            ex = _exponents(dtype)
            args = (np.repeat(E, len(ex)), np.tile(ex, len(E)))
            f = function([x, y], T.pow(x, y), backend=backend)
        else:
            args = (E[::-1],)  # a reversed view as well
            f = function([x], T.elemwise(name)(x), backend=backend)
        assert arignote.debug.fallbacks(f) == []
        with np.errstate(all="ignore"):
            want = npf(*args)
        _same(f(*args), want)


@pytest.mark.parametrize("name", ["floor", "ceil", "trunc", "round_half_away_from_zero"])
def test_complex_rounding_numpy_refuses_is_a_type_error_at_graph_build(name):
    with pytest.raises(TypeError):
        getattr(np, {"round_half_away_from_zero": "floor"}.get(name, name))(np.array([1 + 1j]))
    with pytest.raises(TypeError, match=rf"{name}.*not defined for complex inputs \(complex128\)"):
        T.elemwise(name)(T.zvector("z"))


def test_sign_of_complex_follows_numpy_on_the_reference():
    z = T.zvector("z")
    Z = np.array([3 - 4j, 0j, complex(np.inf, 1), complex(-np.inf, np.inf), complex(np.nan, 0)])
    got = function([z], T.sgn(z), backend="py")(Z)
    with np.errstate(all="ignore"):
        _same(got, np.sign(Z))


def test_info_lists_no_complex_form_and_detects_one_that_falls_back(monkeypatch):
    from arignote.backends import scalar_table

    for backend in BACKENDS:
        _backend(backend)
        forms = arignote.debug.unrendered_scalar_forms(backend)
        assert not {f"{n}[c]" for n in COMPLEX_OPS} & set(forms), forms
    # a form the table does not render is listed (the listing can fail)
    row = scalar_table.row_of("log1p")
    try:
        scalar_table.register(scalar_table.Rendering("log1p", c={"f": row.c["f"]}, llvm=row.llvm), replace=True)
        assert "log1p[c]" in arignote.debug.unrendered_scalar_forms("c")
    finally:
        scalar_table.unregister("log1p")
    assert "log1p[c]" not in arignote.debug.unrendered_scalar_forms("c")


# --------------------------------------------------------------------------- dot forms


def _arrays(dtype, shape, rng):
    if np.dtype(dtype).kind in "iu":
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)
    return rng.standard_normal(shape).astype(dtype)


DOT_FORMS = [
    ("int64", (), "int64", (3, 2)), ("int8", (2, 3), "int8", ()), ("uint16", (), "int8", (4,)),
    ("float64", (), "float64", (3,)), ("float32", (2, 2), "int64", ()),
    ("int64", (2, 3), "float64", (3,)), ("int32", (2, 3), "float32", (3, 2)), ("float32", (4,), "float64", (4, 2)),
    ("float32", (2, 3), "float64", (3,)), ("int16", (2, 3, 4), "float32", (4, 2)), ("uint64", (3,), "int64", (3,)),
    ("float32", (2, 3, 4), "float64", (5, 4, 2)),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("optimizer", ["fast_run", None])
@pytest.mark.parametrize("dx,sx,dy,sy", DOT_FORMS)
def test_dot_forms_are_native_with_numpys_dtype_and_values(backend, optimizer, dx, sx, dy, sy, no_perform):
    """Native with the rewrites and without them (the lowering itself handles 0-d and mixed forms)."""
    _backend(backend)
    rng = np.random.default_rng(11)
    x = T.TensorType(dx, shape=(None,) * len(sx))("x")
    y = T.TensorType(dy, shape=(None,) * len(sy))("y")
    f = function([x, y], T.dot(x, y), backend=backend, mode=arignote.Mode(optimizer=optimizer))
    assert arignote.debug.fallbacks(f) == []
    X, Y = _arrays(dx, sx, rng), _arrays(dy, sy, rng)
    if np.ndim(X) >= 2:
        X = X[::-1]  # a negative-stride view
    if np.ndim(Y) >= 1:
        Y = np.asarray(np.stack([Y, Y], axis=-1))[..., 0]  # a non-contiguous view
    _same_dot(f(X, Y), np.dot(X, Y))
    # empty operands: the shapes and dtype NumPy gives
    if len(sx) >= 2 or not sx:  # a zero-length leading axis of x (not the summed one)
        X0 = np.zeros((0,) + sx[1:], dx) if sx else X
        Y0 = Y if sx else np.zeros((0,) + sy[1:], dy)
        _same_dot(f(X0, Y0), np.dot(X0, Y0))


def _same_dot(got, want):
    assert got.dtype == want.dtype and got.shape == want.shape
    if want.dtype.kind in "iu":
        np.testing.assert_array_equal(got, want)  # exact, wrapping as NumPy's
    else:
        np.testing.assert_allclose(got, want, rtol=1e-5 if want.dtype in (np.float32, np.complex64) else 1e-12)


@pytest.mark.parametrize("backend", BACKENDS)
def test_misaligned_mixed_dot_without_rewrites_names_the_users_shapes(backend):
    """(A failing native step asks the node's ``perform`` for NumPy's message.)"""
    _backend(backend)
    x, y = T.fmatrix("x"), T.lmatrix("y")
    f = function([x, y], T.dot(x, y), backend=backend, mode=arignote.Mode(optimizer=None))
    assert arignote.debug.fallbacks(f) == []
    X, Y = np.zeros((2, 3), "float32"), np.zeros((4, 5), "int64")
    with pytest.raises(ValueError) as err:
        np.dot(X, Y)
    with pytest.raises(ValueError) as got:
        f(X, Y)
    assert str(err.value) in str(got.value)


@pytest.mark.parametrize("backend", BACKENDS)
def test_integer_matmul_is_native(backend, no_perform):
    _backend(backend)
    rng = np.random.default_rng(2)
    for sx, sy in (((3, 4), (4, 2)), ((4,), (4, 2)), ((3, 4), (4,)), ((4,), (4,))):
        x = T.TensorType("int32", shape=(None,) * len(sx))("x")
        y = T.TensorType("int8", shape=(None,) * len(sy))("y")
        f = function([x, y], T.matmul(x, y), backend=backend)
        assert arignote.debug.fallbacks(f) == []
        X, Y = _arrays("int32", sx, rng), _arrays("int8", sy, rng)
        got, want = f(X, Y), np.matmul(X, Y)
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(got, want)


MATMUL_FORMS = [
    ("float64", (2, 3, 4), "float64", (4, 5)), ("float32", (2, 3, 4), "float32", (4,)),
    ("float64", (4,), "float64", (2, 3, 4, 5)), ("float32", (3, 4), "float32", (2, 6, 4, 5)),
    ("int32", (3, 4), "int64", (2, 4, 5)), ("float32", (3, 4), "int64", (2, 4, 5)),
    ("float64", (1, 2, 3, 4), "float32", (4, 2)),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dx,sx,dy,sy", MATMUL_FORMS)
def test_matmul_above_two_dims_with_one_unbatched_operand_is_native(backend, dx, sx, dy, sy, no_perform):
    """x @ y where one operand has no batch axes: one BLAS (or integer) product, NumPy's values, on
    contiguous, negative-stride, non-contiguous and empty operands."""
    _backend(backend)
    rng = np.random.default_rng(5)
    x = T.TensorType(dx, shape=(None,) * len(sx))("x")
    y = T.TensorType(dy, shape=(None,) * len(sy))("y")
    f = function([x, y], x @ y, backend=backend)
    assert arignote.debug.fallbacks(f) == []
    X, Y = _arrays(dx, sx, rng), _arrays(dy, sy, rng)
    if np.dtype(dx).kind in "iu":
        X, Y = X % 100, Y % 100  # NumPy's integer matmul and dot wrap alike; keep the sums small anyway
    for X_, Y_ in ((X, Y), (X[::-1], Y[..., ::-1]), (np.repeat(X, 2, axis=-1)[..., ::2], Y.swapaxes(-1, 0).copy().swapaxes(-1, 0))):
        _same_dot(f(X_, Y_), np.matmul(X_, Y_))
    empties = [(np.zeros(sx[:-1] + (0,), dx), np.zeros(sy[:-2] + (0,) + sy[-1:] if len(sy) > 1 else (0,), dy))]
    if len(sx) > 1:
        empties.append((np.zeros((0,) + sx[1:], dx), Y))
    if len(sy) > 1:
        empties.append((X, np.zeros(sy[:-1] + (0,), dy)))
    for X_, Y_ in empties:  # empty rows, columns, batches and summed axes
        _same_dot(f(X_, Y_), np.matmul(X_, Y_))


BATCHED = [
    ("float64", (2, 3, 4), "float64", (2, 4, 5)), ("float32", (2, 1, 3, 4), "float32", (5, 4, 2)),
    ("float64", (1, 3, 4), "float64", (6, 1, 4, 5)), ("float32", (2, 3, 4), "int64", (2, 4, 5)),
    ("float64", (2, 3, 1), "float64", (1, 1, 7)), ("float32", (3, 1, 4), "float32", (3, 4, 1)),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dx,sx,dy,sy", BATCHED)
def test_batched_matmul_is_native_and_broadcasts_as_numpy(backend, dx, sx, dy, sy, no_perform):
    """x @ y with both operands above 2-d: batch axes of length 1 marked broadcastable broadcast as
    NumPy's (Theano's rule, test_linalg checks the refusal of unmarked ones), one BLAS product per batch."""
    _backend(backend)
    rng = np.random.default_rng(9)

    def static(shape):
        return tuple(1 if n == 1 and i < len(shape) - 2 else None for i, n in enumerate(shape))

    x = T.TensorType(dx, shape=static(sx))("x")
    y = T.TensorType(dy, shape=static(sy))("y")
    f = function([x, y], T.matmul(x, y), backend=backend)
    assert arignote.debug.fallbacks(f) == []
    X, Y = _arrays(dx, sx, rng), _arrays(dy, sy, rng)
    views = ((X, Y), (X[..., ::-1, :], Y[..., ::-1]), (X.swapaxes(-1, -2).copy().swapaxes(-1, -2), Y[::-1]),
             (np.repeat(X, 2, axis=0)[::2], np.repeat(Y, 3, axis=-2)[..., ::3, :]))
    for X_, Y_ in views:
        _same_dot(f(X_, Y_), np.matmul(X_, Y_))
    X0 = np.zeros((0,) + sx[1:], dx) if len(sx) >= len(sy) and sx[0] != 1 else X
    Y0 = np.zeros((0,) + sy[1:], dy) if len(sy) >= len(sx) and sy[0] != 1 else Y
    for X_, Y_ in ((X0, Y0), (np.zeros(sx[:-1] + (0,), dx), np.zeros(sy[:-2] + (0,) + sy[-1:], dy)),
                   (X, np.zeros(sy[:-1] + (0,), dy))):
        _same_dot(f(X_, Y_), np.matmul(X_, Y_))  # empty batches, summed axes and columns


@pytest.mark.parametrize("backend", BACKENDS)
def test_batched_matmul_errors_are_numpys(backend):
    _backend(backend)
    x, y = T.dtensor3("x"), T.dtensor3("y")
    f = function([x, y], x @ y, backend=backend)
    assert arignote.debug.fallbacks(f) == []
    for X, Y in ((np.zeros((2, 3, 4)), np.zeros((3, 4, 5))), (np.zeros((2, 3, 4)), np.zeros((2, 5, 6)))):
        with pytest.raises(ValueError) as err:
            np.matmul(X, Y)
        with pytest.raises(ValueError, match=rf"matmul: shapes \({X.shape[0]}, 3, 4\) and \({Y.shape[0]}, {Y.shape[1]}, ") as got:
            f(X, Y)
        assert str(err.value) in str(got.value)


@pytest.mark.parametrize("backend", BACKENDS)
def test_misaligned_batched_matmul_raises_numpys_message(backend):
    _backend(backend)
    x, y = T.dmatrix("x"), T.dtensor3("y")
    f = function([x, y], x @ y, backend=backend)
    assert arignote.debug.fallbacks(f) == []
    X, Y = np.zeros((2, 3)), np.zeros((4, 5, 6))
    with pytest.raises(ValueError) as err:
        np.matmul(X, Y)
    with pytest.raises(ValueError, match=r"matmul: shapes \(2, 3\) and \(4, 5, 6\)") as got:
        f(X, Y)
    assert str(err.value) in str(got.value)


COMPLEX_PRODUCTS = [
    ("complex128", (3, 4), "complex128", (4, 5), np.dot), ("complex64", (3, 4), "complex64", (4,), np.dot),
    ("complex128", (4,), "complex128", (4, 5), np.dot), ("complex64", (4,), "complex64", (4,), np.dot),
    ("complex128", (2, 3, 4), "complex128", (5, 4, 2), np.dot), ("float64", (3, 4), "complex64", (4, 2), np.dot),
    ("complex64", (3, 4), "float32", (4,), np.dot), ("int32", (3, 4), "complex64", (4, 2), np.dot),
    ("complex128", (), "complex128", (3,), np.dot),
    ("complex64", (2, 3, 4), "complex64", (2, 4, 5), np.matmul), ("complex128", (3, 4), "complex128", (2, 4, 5), np.matmul),
]


def _complex_arrays(dtype, shape, rng):
    if np.dtype(dtype).kind != "c":
        return _arrays(dtype, shape, rng) % 7 if np.dtype(dtype).kind in "iu" else _arrays(dtype, shape, rng)
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("optimizer", ["fast_run", None])
@pytest.mark.parametrize("dx,sx,dy,sy,npf", COMPLEX_PRODUCTS)
def test_complex_dot_and_matmul_are_native_through_blas(backend, optimizer, dx, sx, dy, sy, npf, no_perform):
    """zgemm/cgemm (and gemv): NumPy's products, no conjugation, on strided and empty operands."""
    _backend(backend)
    rng = np.random.default_rng(4)
    x = T.TensorType(dx, shape=(None,) * len(sx))("x")
    y = T.TensorType(dy, shape=(None,) * len(sy))("y")
    f = function([x, y], T.dot(x, y) if npf is np.dot else T.matmul(x, y), backend=backend,
                 mode=arignote.Mode(optimizer=optimizer))
    assert arignote.debug.fallbacks(f) == []
    X, Y = _complex_arrays(dx, sx, rng), _complex_arrays(dy, sy, rng)
    flip = (lambda a: a[::-1]) if sx else (lambda a: a)
    for X_, Y_ in ((X, Y), (flip(X), Y[..., ::-1]), (X.T.copy().T, np.repeat(Y, 2, axis=-1)[..., ::2])):
        _same_dot(f(X_, Y_), npf(X_, Y_))
    if len(sx) >= 2:
        X0 = np.zeros(sx[:-2] + (0,) + sx[-1:], dx)  # no rows
        _same_dot(f(X0, Y), npf(X0, Y))
    if sx and sy:
        Xk, Yk = np.zeros(sx[:-1] + (0,), dx), np.zeros(sy[:-2] + (0,) + sy[-1:] if len(sy) > 1 else (0,), dy)
        _same_dot(f(Xk, Yk), npf(Xk, Yk))


@pytest.mark.parametrize("backend", BACKENDS)
def test_misaligned_complex_dot_raises_numpys_message(backend):
    _backend(backend)
    x, y = T.zmatrix("x"), T.zmatrix("y")
    f = function([x, y], T.dot(x, y), backend=backend)
    X, Y = np.zeros((2, 3), complex), np.zeros((4, 5), complex)
    with pytest.raises(ValueError) as err:
        np.dot(X, Y)
    with pytest.raises(ValueError) as got:
        f(X, Y)
    assert str(err.value) in str(got.value)


def test_lowered_dot_forms_keep_numpys_values_on_cuda_emulated():
    """The cuda runner takes the same lowered steps (0-d loops, casts, matmul as dot plus a view,
    batched DotStep, IntDotStep): NumPy's values and dtypes, Theano's batch-broadcast refusal."""
    import os

    if "cuda-emulated" not in os.environ.get("ARIGNOTE_TEST_OPT_IN", ""):
        pytest.skip("runs when asked: ARIGNOTE_TEST_OPT_IN=cuda-emulated")
    rng = np.random.default_rng(3)
    cases = [(T.dot, "int64", (), "int64", (3, 2)), (T.dot, "int32", (2, 3), "float32", (3, 2)),
             (T.matmul, "int32", (3, 4), "int64", (2, 4, 5)), (T.matmul, "float32", (3, 4), "float64", (2, 4, 5)),
             (T.matmul, "float64", (2, 3, 4), "float64", (2, 4, 5))]
    for op, dx, sx, dy, sy in cases:
        for optimizer in ("fast_run", None):
            x = T.TensorType(dx, shape=(None,) * len(sx))("x")
            y = T.TensorType(dy, shape=(None,) * len(sy))("y")
            f = function([x, y], op(x, y), backend="cuda-emulated", mode=arignote.Mode(optimizer=optimizer))
            X, Y = _arrays(dx, sx, rng) % 50, _arrays(dy, sy, rng) % 50
            _same_dot(f(X, Y), (np.dot if op is T.dot else np.matmul)(X, Y))
    with pytest.raises(ValueError, match="not marked broadcastable"):
        f(np.ones((1, 3, 4)), np.ones((2, 4, 5)))


@pytest.mark.parametrize("backend", BACKENDS)
def test_mixed_dot_gradient_matches_numpy(backend):
    _backend(backend)
    x, y = T.fmatrix("x"), T.dvector("y")
    cost = T.sum(T.dot(x, y) ** 2)
    f = function([x, y], [cost, *T.grad(cost, [x, y])], backend=backend)
    r = np.random.default_rng(0)
    X, Y = r.standard_normal((3, 4)).astype("float32"), r.standard_normal(4)
    z = np.dot(X, Y)
    c, gx, gy = f(X, Y)
    np.testing.assert_allclose(c, np.sum(z ** 2), rtol=1e-12)
    assert gx.dtype == np.float32 and gy.dtype == np.float64
    np.testing.assert_allclose(gx, np.outer(2 * z, Y), rtol=1e-5)
    np.testing.assert_allclose(gy, X.T.astype(float) @ (2 * z), rtol=1e-12)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_dot_above_two_dims_is_native_and_names_the_users_shapes(backend, dtype, no_perform):
    _backend(backend)
    a, c = T.tensor(dtype, shape=(None,) * 3, name="a"), T.tensor(dtype, shape=(None,) * 4, name="c")
    m, v = T.tensor(dtype, shape=(None, None), name="m"), T.tensor(dtype, shape=(None,), name="v")
    outs = [T.dot(a, m), T.dot(m, a), T.dot(a, v), T.dot(v, a), T.dot(a, c), T.dot(c, m), T.dot(v, c)]
    f = function([a, c, m, v], outs, backend=backend)
    assert arignote.debug.fallbacks(f) == []
    r = np.random.default_rng(8)
    for sa, sc in (((2, 4, 4), (1, 3, 4, 4)), ((0, 4, 4), (2, 0, 4, 4)), ((3, 4, 4), (3, 2, 4, 4))):
        A, C, M, V = (r.standard_normal(s).astype(dtype) for s in (sa, sc, (4, 4), (4,)))
        # contiguous, reversed (x's leading axes do not collapse) and transposed batches
        for A_, C_ in ((A, C), (A[:, ::-1], C[:, :, ::-1]), (A.swapaxes(0, 1).copy().swapaxes(0, 1), C[::-1, :, :, ::-1])):
            for g, w in zip(f(A_, C_, M, V), [np.dot(A_, M), np.dot(M, A_), np.dot(A_, V), np.dot(V, A_), np.dot(A_, C_),
                                             np.dot(C_, M), np.dot(V, C_)]):
                assert g.shape == w.shape and g.dtype == w.dtype
                np.testing.assert_allclose(g, w, rtol=1e-5 if dtype == "float32" else 1e-12, atol=1e-5)


@pytest.mark.parametrize("backend", BACKENDS)
def test_misaligned_dot_above_two_dims_raises_numpys_message(backend):
    _backend(backend)
    a, c = T.dtensor3("a"), T.dmatrix("c")
    f = function([a, c], T.dot(a, c), backend=backend)
    A, C = np.zeros((2, 3, 4)), np.zeros((5, 6))
    with pytest.raises(ValueError) as err:
        np.dot(A, C)
    with pytest.raises(ValueError, match=r"shapes \(2,3,4\) and \(5,6\) not aligned: 4 \(dim 2\) != 5 \(dim 0\)") as got:
        f(A, C)
    assert str(err.value) in str(got.value)


@pytest.mark.parametrize("backend", ["py", "c", "llvm"])
def test_complex_pow_by_a_constant_keeps_numpys_values(backend):
    """x ** 0.5, x ** -1 and x ** 5 of a complex stay NumPy's pow after the rewrites (not sqrt,
    reciprocal or a product chain, which differ on the branch cut, at infinities and in the last bit)."""
    _backend(backend)
    z = T.zvector("z")
    E = edge_values("complex128")
    powers = (0.5, -1, 5, 2, 3, 0, -0.5)
    # exponents as Python numbers (weak: complex constants) and as real 0-d constants
    outs = [z ** p for p in powers] + [T.pow(z, T.constant(np.float64(p))) for p in powers]
    f = function([z], outs, backend=backend)
    with np.errstate(all="ignore"):
        for got, p in zip(f(E), powers * 2):
            _same(got, np.power(E, p))
