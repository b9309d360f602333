"""function(): outputs, updates, givens, shared variables, unused inputs, trust_input, eval,
Python operators and tensor methods -- all against NumPy."""
from __future__ import annotations

import importlib
import warnings

import numpy as np
import pytest

import arignote
from arignote import In, function, shared
from arignote import tensor as T
from arignote.function import UnusedInputError


# ------------------------------------------------------------------ outputs

def test_single_output_is_an_array_list_output_is_a_list(backend):
    x = T.dvector("x")
    f = function([x], x * 2, backend=backend)
    r = f([1.0, 2.0])
    assert type(r) is np.ndarray
    np.testing.assert_array_equal(r, [2.0, 4.0])
    g = function([x], [x * 2], backend=backend)
    r = g([1.0, 2.0])
    assert isinstance(r, list) and len(r) == 1
    np.testing.assert_array_equal(r[0], [2.0, 4.0])
    h = function([x], (x + 1, x.sum()), backend=backend)
    a, s = h([1.0, 2.0])
    np.testing.assert_array_equal(a, [2.0, 3.0])
    assert s.shape == () and s == 3.0


def test_scalar_results_are_0d_arrays(backend):
    x = T.dscalar("x")
    r = function([x], x * 2, backend=backend)(1.5)
    assert type(r) is np.ndarray and r.shape == () and r.dtype == np.float64 and r == 3.0
    i = T.iscalar("i")
    r = function([i], i + 1, backend=backend)(4)
    assert type(r) is np.ndarray and r.dtype == np.int32 and r == 5


def test_same_output_twice_and_input_as_output(backend):
    x = T.dvector("x")
    y = x + 1
    f = function([x], [y, y, x], backend=backend)
    a = np.arange(3.0)
    o1, o2, o3 = f(a)
    np.testing.assert_array_equal(o1, a + 1)
    np.testing.assert_array_equal(o2, a + 1)
    np.testing.assert_array_equal(o3, a)
    o1[0] = 100.0
    o3[0] = 100.0
    assert o2[0] == 1.0 and a[0] == 0.0  # outputs never alias each other or the inputs


def test_results_are_not_overwritten_by_later_calls(backend):
    x = T.dvector("x")
    f = function([x], T.exp(x), backend=backend)
    r1 = f(np.zeros(2))
    r2 = f(np.ones(2))
    np.testing.assert_array_equal(r1, [1.0, 1.0])
    np.testing.assert_allclose(r2, np.exp([1.0, 1.0]))


def test_function_without_inputs(backend):
    s = shared(np.arange(3.0), name="s")
    f = function([], s * 2, backend=backend)
    np.testing.assert_array_equal(f(), [0.0, 2.0, 4.0])
    c = function([], T.constant(7) + 1, backend=backend)()
    assert c == 8 and c.dtype == np.int64


def test_arguments_by_name(backend):
    x, y = T.dscalars("x", "y")
    f = function([x, y], x - y, backend=backend)
    assert f(5, 3) == 2 and f(x=5, y=3) == 2 and f(y=3, x=5) == 2 and f(5, y=3) == 2


# ------------------------------------------------------------------ updates

def test_updates_list_and_dict(backend):
    a = shared(1.0, name="a")
    f = function([], a, updates=[(a, a * 2)], backend=backend)
    assert [float(f()) for _ in range(3)] == [1.0, 2.0, 4.0]
    assert a.get_value() == 8.0
    b = shared(np.zeros(2), name="b")
    x = T.dvector("x")
    g = function([x], [], updates={b: b + x}, backend=backend)
    assert g([1.0, 2.0]) == []
    g([1.0, 2.0])
    np.testing.assert_array_equal(b.get_value(), [2.0, 4.0])


def test_updates_are_simultaneous_swap(backend):
    a = shared(np.array([1.0, 2.0]), name="a")
    b = shared(np.array([3.0, 4.0]), name="b")
    swap = function([], [], updates=[(a, b), (b, a)], backend=backend)
    swap()
    np.testing.assert_array_equal(a.get_value(), [3.0, 4.0])
    np.testing.assert_array_equal(b.get_value(), [1.0, 2.0])
    swap()
    np.testing.assert_array_equal(a.get_value(), [1.0, 2.0])


def test_updates_use_old_values_in_outputs_and_other_updates(backend):
    a, b = shared(1.0, name="a"), shared(10.0, name="b")
    f = function([], [a, b, a + b], updates=[(a, a + b), (b, a * 100)], backend=backend)
    oa, ob, s = f()
    assert (oa, ob, s) == (1.0, 10.0, 11.0)
    assert a.get_value() == 11.0 and b.get_value() == 100.0


def test_shared_updated_by_two_functions(backend):
    state = shared(np.int64(0))
    inc = T.lscalar("inc")
    up = function([inc], [], updates=[(state, state + inc)], backend=backend)
    down = function([inc], [], updates=[(state, state - inc)], backend=backend)
    up(5)
    down(2)
    up(10)
    assert state.get_value() == 13


def test_update_errors():
    s = shared(np.zeros(3), name="s")
    x = T.dvector("x")
    with pytest.raises(TypeError, match="not a shared variable"):
        function([x], x, updates=[(x, x + 1)])
    with pytest.raises(TypeError, match=r"same type.*float32.*astype\('float64'\)"):
        function([], s, updates=[(s, T.cast(s, "float32"))])
    with pytest.raises(ValueError, match="updated more than once"):
        function([], s, updates=[(s, s + 1), (s, s + 2)])
    with pytest.raises(TypeError, match="pair"):
        function([], s, updates=[(s, s + 1, 3)])


# ------------------------------------------------------------------- givens

def test_givens_substitute_variables(backend):
    x, y = T.dscalars("x", "y")
    z = x * y + 1
    f = function([y], z, givens={x: y * 2}, backend=backend)
    assert f(3.0) == 19.0
    s = shared(4.0, name="s")
    g = function([y], z, givens=[(x, s)], backend=backend)
    assert g(2.0) == 9.0
    s.set_value(5.0)
    assert g(2.0) == 11.0
    h = function([y], z, givens={x: np.float64(0.5)}, backend=backend)
    assert h(4.0) == 3.0


def test_givens_with_shared_data_like_a_minibatch(backend):
    data = shared(np.arange(12.0).reshape(4, 3), name="data")
    x = T.dmatrix("x")
    cost = (x ** 2).sum()
    f = function([], cost, givens={x: data}, backend=backend)
    assert f() == (np.arange(12.0) ** 2).sum()


def test_givens_type_mismatch():
    x, y = T.dvector("x"), T.dmatrix("y")
    with pytest.raises(TypeError, match="types differ"):
        function([y], x + 1, givens={x: y})


# -------------------------------------------------------- shared variables

def test_shared_copies_unless_borrow():
    a = np.arange(3.0)
    s = shared(a)
    a[0] = 100.0
    assert s.get_value()[0] == 0.0
    v = s.get_value()
    v[1] = 100.0
    assert s.get_value()[1] == 1.0
    b = np.arange(3.0)
    sb = shared(b, borrow=True)
    b[0] = 7.0
    assert sb.get_value()[0] == 7.0
    assert sb.get_value(borrow=True) is sb.get_value(borrow=True)
    c = np.zeros(3)
    s.set_value(c)
    c[0] = 5.0
    assert s.get_value()[0] == 0.0
    s.set_value(c, borrow=True)
    c[1] = 6.0
    assert s.get_value()[1] == 6.0


@pytest.mark.parametrize("value,dtype", [(0, "int64"), (-3, "int64"), (1.5, "float64"), (True, "bool"),
                                         (np.float32(2), "float32"), (np.int8(3), "int8")])
def test_shared_scalars(value, dtype, backend):
    s = shared(value, name="s")
    assert s.dtype == dtype and s.ndim == 0 and s.name == "s"
    v = s.get_value()
    assert type(v) is np.ndarray and v.dtype == dtype and v == value
    r = function([], s, backend=backend)()
    assert r.dtype == dtype and r == value


def test_shared_floats_ignore_floatX():
    with arignote.config.change_flags(floatX="float32"):
        assert shared(1.5).dtype == "float64"


def test_shared_types_and_set_value_checks():
    s = shared(np.zeros((2, 3)), name="w")
    assert s.type == T.dmatrix and s.broadcastable == (False, False)
    assert shared([1, 2, 3]).dtype == "int64"
    assert shared(np.zeros((1, 3)), shape=(1, None)).broadcastable == (True, False)
    s.set_value(np.ones((5, 4)))  # any shape of the right ndim
    assert s.get_value().shape == (5, 4)
    s.set_value([[1, 2]])  # ints cast to float64 without loss
    assert s.get_value().dtype == np.float64
    with pytest.raises(TypeError, match=r"dimensions for input 'w'"):
        s.set_value(np.ones(3))
    i = shared(np.zeros(2, "int32"), name="i")
    with pytest.raises(TypeError, match=r"'i'.*float64.*int32"):
        i.set_value(np.array([1.5, 2.0]))
    with pytest.raises(TypeError, match="symbolic variable"):
        shared(T.dvector())
    with pytest.raises(TypeError, match="numeric"):
        shared({"a": 1})


def test_shared_variable_cannot_be_an_explicit_input():
    s = shared(1.0)
    with pytest.raises(TypeError, match="shared variables are implicit inputs"):
        function([s], s * 2)


def test_function_sees_set_value(backend):
    s = shared(np.ones(2), name="s")
    x = T.dvector("x")
    f = function([x], x * s, backend=backend)
    np.testing.assert_array_equal(f([1.0, 2.0]), [1.0, 2.0])
    s.set_value(np.array([3.0, 4.0]))
    np.testing.assert_array_equal(f([1.0, 2.0]), [3.0, 8.0])


# ---------------------------------------------------------- unused inputs

def test_on_unused_input():
    x, y = T.dscalars("x", "y")
    with pytest.raises(UnusedInputError, match=r"input #1 \(y\).*on_unused_input='warn'") as ei:
        function([x, y], x * 2)
    assert isinstance(ei.value, ValueError)
    with pytest.warns(UserWarning, match=r"input #1 \(y\)"):
        f = function([x, y], x * 2, on_unused_input="warn")
    assert f(2.0, 5.0) == 4.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = function([x, y], x * 2, on_unused_input="ignore")
    assert g(3.0, 0.0) == 6.0


# ---------------------------------------------------------------- trust_input

def test_trust_input(backend):
    x, y = T.dscalars("x", "y")
    f = function([x, y], x + y, backend=backend)
    assert f.trust_input is False
    a, b = np.array(2.0), np.array(3.0)
    f.trust_input = True
    assert f(a, b) == 5.0
    f.trust_input = False
    with pytest.raises(TypeError, match="x"):
        f(np.ones(2), b)  # checks are back
    g = function([x, y], x + y, backend=backend, trust_input=True)
    assert g.trust_input is True and g(a, b) == 5.0
    m = T.dmatrix("m")
    h = function([m], m.sum(), trust_input=True, backend=backend)
    assert h(np.ones((2, 2))) == 4.0


# -------------------------------------------------------------------- eval

def test_eval_compiles_once_per_input_set(monkeypatch):
    gmod = importlib.import_module("arignote.graph")  # eval compiles through the compiler function() installs
    calls = []
    real = gmod._compiler

    def counting(*a, **k):
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(gmod, "_compiler", counting)
    x, y = T.dscalars("x", "y")
    z = x * y + 1
    assert z.eval({x: 2.0, y: 3.0}) == 7.0
    assert z.eval({x: 4.0, y: 5.0}) == 21.0
    assert z.eval({y: 5.0, x: 4.0}) == 21.0
    assert len(calls) == 1
    w = x + 1
    assert w.eval({x: 1.0}) == 2.0 and len(calls) == 2
    assert w.eval({x: 1.0, y: 9.0}) == 2.0 and len(calls) == 3  # a new input set compiles again
    assert w.eval({x: 5.0}) == 6.0 and len(calls) == 3
    assert T.constant(3.0).eval() == 3.0


# -------------------------------------------------------- Python operators

OPERATORS = [
    ("add", lambda a, b: a + b), ("sub", lambda a, b: a - b), ("mul", lambda a, b: a * b),
    ("truediv", lambda a, b: a / b), ("floordiv", lambda a, b: a // b), ("mod", lambda a, b: a % b),
    ("pow", lambda a, b: abs(a) ** b), ("lt", lambda a, b: a < b), ("le", lambda a, b: a <= b),
    ("gt", lambda a, b: a > b), ("ge", lambda a, b: a >= b),
    ("radd", lambda a, b: 2.0 + a), ("rsub", lambda a, b: 2.0 - a), ("rmul", lambda a, b: 3 * a),
    ("rtruediv", lambda a, b: 1.0 / b), ("rfloordiv", lambda a, b: 7.0 // b), ("rmod", lambda a, b: 7.0 % b),
    ("rpow", lambda a, b: 2.0 ** a), ("neg", lambda a, b: -a), ("pos", lambda a, b: +a), ("abs", lambda a, b: abs(a)),
]


@pytest.mark.parametrize("name,op", OPERATORS, ids=[n for n, _ in OPERATORS])
def test_python_operators(name, op, backend, rng):
    x, y = T.dmatrix("x"), T.dmatrix("y")
    a = rng.uniform(-3, 3, (3, 4))
    b = rng.uniform(0.5, 2, (3, 4)) * rng.choice([-1, 1], (3, 4))
    out = op(x, y)
    f = function([x, y], out, backend=backend, on_unused_input="ignore")
    want = op(a, b)
    got = f(a, b)
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-13)


@pytest.mark.parametrize("name,op", [("and", lambda a, b: a & b), ("or", lambda a, b: a | b),
                                     ("xor", lambda a, b: a ^ b), ("invert", lambda a, b: ~a),
                                     ("rand", lambda a, b: 6 & a), ("ror", lambda a, b: 1 | b),
                                     ("rxor", lambda a, b: 3 ^ a)])
@pytest.mark.parametrize("dtype", ["int32", "uint8", "bool"])
def test_bitwise_operators(name, op, dtype, backend, rng):
    t = T.tensor(dtype, shape=(None,))
    x, y = t.type("x"), t.type("y")
    a = rng.integers(0, 8, 6).astype(dtype)
    b = rng.integers(0, 8, 6).astype(dtype)
    f = function([x, y], op(x, y), backend=backend, on_unused_input="ignore")
    want = op(a, b)
    got = f(a, b)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


def test_matmul_operator(backend, rng):
    x, y = T.dmatrix("x"), T.dmatrix("y")
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((3, 4))
    np.testing.assert_allclose(function([x, y], x @ y, backend=backend)(a, b), a @ b, rtol=1e-13)


# -------------------------------------------------------- tensor methods

def test_transpose_and_shape(backend, rng):
    x = T.dtensor3("x")
    a = rng.standard_normal((2, 3, 4))
    f = function([x], [x.T, x.shape, x.ndim * x.shape[0], x.transpose(1, 0, 2), x.size], backend=backend)
    t, shp, n, tr, size = f(a)
    np.testing.assert_array_equal(t, a.T)
    assert shp.dtype == np.int64
    np.testing.assert_array_equal(shp, [2, 3, 4])
    assert n == 6
    np.testing.assert_array_equal(tr, a.transpose(1, 0, 2))
    assert size == 24
    assert T.dmatrix().T.broadcastable == (False, False) and T.drow().T.broadcastable == (False, True)


def test_methods(backend, rng):
    x = T.dmatrix("x")
    v = T.dvector("v")
    a, b = rng.standard_normal((3, 4)), rng.standard_normal(4)
    exprs = {
        "sum": (x.sum(axis=0), a.sum(axis=0)), "mean": (x.mean(), a.mean()), "max": (x.max(axis=1), a.max(axis=1)),
        "min": (x.min(), a.min()), "prod": (x.prod(axis=-1), a.prod(axis=-1)), "var": (x.var(), a.var()),
        "std": (x.std(axis=0), a.std(axis=0)), "reshape": (x.reshape((2, 6)), a.reshape(2, 6)),
        "reshape_args": (x.reshape(6, -1), a.reshape(6, -1)),
        "dimshuffle": (x.dimshuffle(1, "x", 0), a.T[:, None, :]), "flatten": (x.flatten(), a.flatten()),
        "flatten2": (x.dimshuffle(0, 1, "x").flatten(2), a.reshape(3, 4)),
        "astype": (x.astype("float32"), a.astype("float32")), "astype_int": (x.astype("int16"), a.astype("int16")),
        "dot": (x.dot(v), a.dot(b)), "argmax": (x.argmax(axis=1), a.argmax(axis=1)),
        "clip": (x.clip(-0.5, 0.5), a.clip(-0.5, 0.5)), "round": (x.round(), np.round(a)),
        "copy": (x.copy(), a.copy()), "squeeze": (x.dimshuffle("x", 0, 1).squeeze(), a),
        "cumsum": (x.cumsum(axis=1), a.cumsum(axis=1)), "exp_log": (abs(x).log().exp(), abs(a)),
        "zeros_like": (x.zeros_like(), np.zeros_like(a)), "ones_like": (x.ones_like(dtype="int8"), np.ones((3, 4), "int8")),
    }
    names = list(exprs)
    f = function([x, v], [exprs[n][0] for n in names], backend=backend, on_unused_input="ignore")
    for n, got in zip(names, f(a, b)):
        want = np.asarray(exprs[n][1])
        assert got.dtype == want.dtype and got.shape == want.shape, n
        np.testing.assert_allclose(got, want, rtol=1e-12, err_msg=n)


# ------------------------------------------------------------------ misc

def test_bad_function_arguments():
    x = T.dscalar("x")
    with pytest.raises(TypeError, match="list of variables"):
        function(x, x)
    with pytest.raises(TypeError, match="symbolic variable or In"):
        function([3.0], x)
    with pytest.raises(TypeError, match="free variables"):
        function([x + 1], x)
    with pytest.raises(TypeError, match="constant"):
        function([T.constant(1.0)], x, on_unused_input="ignore")
    with pytest.raises(ValueError, match="more than once"):
        function([x, x], x)
    with pytest.raises(TypeError, match="output #0 must be a symbolic variable"):
        function([x], "nope")


def test_in_options(backend):
    x, y = T.dscalars("x", "y")
    f = function([In(x, name="first"), In(y, value=10.0)], x - y, backend=backend)
    assert f(1.0) == -9.0 and f(first=1.0) == -9.0 and f(1.0, 2.0) == -1.0 and f(first=5.0, y=1.0) == 4.0
    with pytest.raises(TypeError, match="symbolic variable"):
        In(3.0)


def test_repr_and_maker():
    x = T.dscalar("x")
    f = function([x], x + 1, name="inc")
    assert repr(f).startswith("<arignote.Function inc (x)")
    assert f.maker.fgraph.outputs[0].type == T.dscalar


# ------------------------------------------------------------------ lazy=True

def test_lazy_function_compiles_at_its_first_call(backend):
    x = T.dvector("x")
    s = shared(np.array([1.0, 2.0]), name="s")
    f = function([x], [T.exp(x) * s, (x * s).sum()], backend=backend, lazy=True)
    eager = function([x], [T.exp(x) * s, (x * s).sum()], backend=backend)
    assert not f._thunk.compiled  # rewritten now, compiled later
    xv = np.array([0.5, -1.0])
    for got, want in zip(f(xv), eager(xv)):
        np.testing.assert_allclose(got, want, rtol=1e-15)
    np.testing.assert_allclose(f(xv)[0], np.exp(xv) * [1.0, 2.0], rtol=1e-15)
    assert f._thunk.compiled
    s.set_value(np.array([3.0, 4.0]))  # shared values are read at each call, as eagerly
    np.testing.assert_allclose(f(xv)[1], 3.0 * 0.5 - 4.0, rtol=1e-15)
    with pytest.raises(TypeError):
        f(np.zeros((2, 2)))  # the input checks are the same


def test_lazy_function_pickles_and_gives_its_native_entry_without_compiling():
    import pickle

    x = T.dvector("x")
    f = function([x], [T.sum(x ** 2), 2 * x], backend="llvm", lazy=True)
    entry = f.native_entry()  # the entry is compiled on its own: the function's thunk is not
    assert not f._thunk.compiled
    lp, g = np.empty(()), np.empty(3)
    xv = np.array([1.0, -2.0, 0.5])
    assert entry.call([xv], [lp, g]) == 0
    np.testing.assert_allclose(lp, 5.25, rtol=1e-15)
    np.testing.assert_allclose(g, 2 * xv, rtol=1e-15)
    assert entry.call([xv], [lp, np.empty(4)]) == 1  # a wrong output shape is refused
    again = pickle.loads(pickle.dumps(f))
    assert not again._thunk.compiled
    np.testing.assert_allclose(again(xv)[0], 5.25, rtol=1e-15)
