"""The seed tutorial's compiler cells, up to and including the first exercise, with ``theano`` -> ``arignote``.

Each test is one cell (or a few that belong together), run on every backend,
asserting the values, types and printed output the tutorial shows.
"""
from __future__ import annotations

import shutil

import numpy as np
import pytest

import arignote
from arignote import In, function, shared
from arignote import tensor as T
from arignote.printing import pp


def test_declaring_variables():
    x = T.dscalar("x")
    y = T.dscalar("y")
    assert type(x).__name__ == "TensorVariable"
    assert x.type == T.dscalar
    assert str(T.dscalar) == "TensorType(float64, scalar)"
    assert repr(x.type) == "TensorType(float64, scalar)"
    assert x.name == "x" and y.name == "y"


def test_pp_of_sum():
    x, y = T.dscalar("x"), T.dscalar("y")
    z = x + y
    assert pp(z) == "(x + y)"


def test_add_scalars(backend):
    x, y = T.dscalar("x"), T.dscalar("y")
    f = function([x, y], x + y, backend=backend)
    r = f(2, 3)
    assert type(r) is np.ndarray and r.shape == () and r.dtype == np.float64
    assert r == 5.0
    assert repr(r) == "array(5.)"
    r2 = f(16.3, 12.1)
    assert type(r2) is np.ndarray and r2.shape == ()
    assert r2 == np.float64(16.3) + np.float64(12.1)


def test_pydotprint_seed_cell(tmp_path):
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's 'dot' program is not installed (CI installs graphviz)")
    x, y = T.dscalar("x"), T.dscalar("y")
    f = function([x, y], x + y)
    out = tmp_path / "images" / "f.png"
    arignote.printing.pydotprint(f, str(out))
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 200
    svg = tmp_path / "images" / "f.svg"
    arignote.printing.pydotprint(f, str(svg))
    text = svg.read_text()
    assert "<svg" in text and "add" in text


def test_add_matrices(backend):
    x, y = T.dmatrix("x"), T.dmatrix("y")
    f = function([x, y], x + y, backend=backend)
    r = f([[1, 2], [3, 4]], [[10, 20], [30, 40]])
    assert type(r) is np.ndarray and r.dtype == np.float64
    np.testing.assert_array_equal(r, np.array([[11.0, 22.0], [33.0, 44.0]]))


def test_type_list_exists():
    for prefix, dtype in zip("bwilfdc", ("int8", "int16", "int32", "int64", "float32", "float64", "complex64")):
        for kind, ndim in (("scalar", 0), ("vector", 1), ("matrix", 2), ("row", 2), ("col", 2),
                           ("tensor3", 3), ("tensor4", 4)):
            t = getattr(T, prefix + kind)
            assert isinstance(t, arignote.TensorType)
            assert (t.dtype, t.ndim) == (dtype, ndim)


def test_logistic(backend):
    x = T.dmatrix("x")
    s = 1 / (1 + T.exp(-x))
    logistic = function([x], s, backend=backend)
    r = logistic([[0, 1], [-1, -2]])
    want = 1 / (1 + np.exp(-np.array([[0.0, 1], [-1, -2]])))
    assert r.dtype == np.float64 and r.shape == (2, 2)
    np.testing.assert_allclose(r, want, rtol=1e-12)
    np.testing.assert_allclose(r, [[0.5, 0.73105858], [0.26894142, 0.11920292]], rtol=1e-7)


def test_multiple_outputs(backend):
    a, b = T.dmatrices("a", "b")
    diff = a - b
    abs_diff = abs(diff)
    diff_squared = diff ** 2
    f = function([a, b], [diff, abs_diff, diff_squared], backend=backend)
    out = f([[1, 1], [1, 1]], [[0, 1], [2, 3]])
    assert isinstance(out, list) and len(out) == 3
    assert all(type(o) is np.ndarray and o.dtype == np.float64 for o in out)
    np.testing.assert_array_equal(out[0], [[1.0, 0.0], [-1.0, -2.0]])
    np.testing.assert_array_equal(out[1], [[1.0, 0.0], [1.0, 2.0]])
    np.testing.assert_array_equal(out[2], [[1.0, 0.0], [1.0, 4.0]])


def test_in_defaults(backend, capsys):
    x, y, w = T.dscalars("x", "y", "w")
    z = (x + y) * w
    g = function([x, In(y, value=1), In(w, value=2, name="w_by_name")], z, backend=backend)
    assert g(33) == 68
    assert g(33, 0, 1) == 33
    assert g(33, w_by_name=1) == 34
    assert g(33, w_by_name=1, y=0) == 33
    assert type(g(33)) is np.ndarray and g(33).shape == ()
    print("g(33) = {}".format(g(33)))
    print("g(33, 0, 1) = {}".format(g(33, 0, 1)))
    print("g(33, w_by_name=1) = {}".format(g(33, w_by_name=1)))
    print("g(33, w_by_name=1, y=0) = {}".format(g(33, w_by_name=1, y=0)))
    assert capsys.readouterr().out.splitlines() == [
        "g(33) = 68.0", "g(33, 0, 1) = 33.0", "g(33, w_by_name=1) = 34.0", "g(33, w_by_name=1, y=0) = 33.0"]


def test_accumulator_and_decrementor(backend, capsys):
    state = shared(0)
    inc = T.iscalar("inc")
    accumulator = function([inc], state, updates=[(state, state + inc)], backend=backend)
    print(state.get_value())
    print(accumulator(1))
    print(state.get_value())
    print(accumulator(300))
    print(state.get_value())
    state.set_value(-1)
    print(accumulator(3))
    print(state.get_value())
    decrementor = function([inc], state, updates=[(state, state - inc)], backend=backend)
    print(decrementor(2))
    print(state.get_value())
    assert capsys.readouterr().out.split() == ["0", "0", "1", "1", "301", "-1", "2", "2", "0"]
    assert state.get_value().dtype == np.int64 and state.type.ndim == 0


def test_accumulator_returns_old_value_not_alias(backend):
    state = shared(0)
    inc = T.iscalar("inc")
    acc = function([inc], state, updates=[(state, state + inc)], backend=backend)
    first = acc(5)
    acc(7)
    assert first == 0  # the returned old value is not overwritten by later calls
    assert state.get_value() == 12


def test_updates_as_dict(backend):
    state = shared(0)
    inc = T.iscalar("inc")
    acc = function([inc], state, updates={state: state + inc}, backend=backend)
    acc(4)
    acc(5)
    assert state.get_value() == 9


def test_exercise_create_and_manipulate(backend, capsys):
    def make_vector():
        return T.vector()

    def make_matrix():
        return T.matrix()

    def elemwise_mul(a, b):
        return a * b

    def matrix_vector_mul(a, b):
        return T.dot(a, b)

    a = make_vector()
    b = make_vector()
    c = elemwise_mul(a, b)
    d = make_matrix()
    e = matrix_vector_mul(d, c)
    f = function([a, b, d], e, backend=backend)
    rng = np.random.RandomState([1, 2, 3])
    a_value = rng.randn(5).astype(a.dtype)
    b_value = rng.rand(5).astype(b.dtype)
    c_value = a_value * b_value
    d_value = rng.randn(5, 5).astype(d.dtype)
    expected = np.dot(d_value, c_value)
    actual = f(a_value, b_value, d_value)
    assert actual.dtype == np.float64 and actual.shape == (5,)
    assert np.allclose(actual, expected)
    np.testing.assert_allclose(actual, expected, rtol=1e-12)
    print("SUCCESS!")
    assert capsys.readouterr().out == "SUCCESS!\n"


def test_exercise_with_float32_floatx(backend):
    with arignote.config.change_flags(floatX="float32"):
        a, b, d = T.vector(), T.vector(), T.matrix()
    assert a.dtype == "float32" and d.dtype == "float32"
    f = function([a, b, d], T.dot(d, a * b), backend=backend)
    rng = np.random.RandomState([1, 2, 3])
    av, bv, dv = rng.randn(5).astype("float32"), rng.rand(5).astype("float32"), rng.randn(5, 5).astype("float32")
    out = f(av, bv, dv)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, dv.dot(av * bv), rtol=1e-5)
