"""Graphs, shared variables and compiled functions pickle, and unpickle in another process
(parallel sampling chains rely on it)."""
from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from arignote import In, function, shared
from arignote import tensor as T


def in_child(payload, body):
    """Unpickle ``payload`` as ``obj`` in a fresh Python process, run ``body`` and return its ``result``."""
    script = textwrap.dedent("""
        import pickle, sys
        import numpy as np
        obj = pickle.loads(sys.stdin.buffer.read())
    """) + textwrap.dedent(body) + "\nsys.stdout.buffer.write(pickle.dumps(result))\n"
    proc = subprocess.run([sys.executable, "-c", script], input=pickle.dumps(payload), capture_output=True,
                          timeout=120)
    if proc.returncode != 0:
        raise AssertionError(f"child process failed:\n{proc.stderr.decode()}")
    return pickle.loads(proc.stdout)


def test_graph_round_trips_in_another_process():
    x, y = T.dmatrix("x"), T.dvector("y")
    z = T.exp(x) * y + T.dot(x, y).sum() - 1
    a, b = np.arange(6.0).reshape(2, 3) / 6, np.array([1.0, -2.0, 0.5])
    want = function([x, y], z)(a, b)
    got = in_child((x, y, z, a, b), """
        import arignote
        x, y, z, a, b = obj
        assert type(z).__name__ == "TensorVariable" and x.name == "x"
        result = (arignote.function([x, y], z)(a, b), arignote.printing.pp(z))
    """)
    np.testing.assert_allclose(got[0], want, rtol=1e-14)
    assert got[1] == __import__("arignote").printing.pp(z)


def test_shared_variable_round_trips():
    s = shared(np.arange(4.0), name="s")
    got = in_child(s, """
        v = obj.get_value()
        obj.set_value(v * 3)
        result = (obj.name, str(obj.type), v, obj.get_value())
    """)
    assert got[0] == "s" and got[1] == "TensorType(float64, vector)"
    np.testing.assert_array_equal(got[2], np.arange(4.0))
    np.testing.assert_array_equal(got[3], np.arange(4.0) * 3)
    np.testing.assert_array_equal(s.get_value(), np.arange(4.0))  # the parent's copy is untouched


def test_compiled_function_round_trips_with_its_shared_variables():
    w = shared(np.array([1.0, 2.0]), name="w")
    b = shared(0.5, name="b")
    x = T.dvector("x")
    f = function([x], (x * w).sum() + b, updates=[(w, w * 2), (b, b + 1)])
    got = in_child((f, w, b), """
        f, w, b = obj
        first = f(np.array([1.0, 1.0]))
        second = f(np.array([1.0, 1.0]))
        result = (first, second, w.get_value(), b.get_value())
    """)
    assert got[0] == 3.5 and got[1] == 2.0 + 4.0 + 1.5
    np.testing.assert_array_equal(got[2], [4.0, 8.0])  # the child's w is the one its f updates
    assert got[3] == 2.5
    np.testing.assert_array_equal(w.get_value(), [1.0, 2.0])
    assert f(np.array([1.0, 1.0])) == 3.5  # the parent's function is independent


def test_seed_accumulator_round_trips():
    state = shared(0)
    inc = T.iscalar("inc")
    acc = function([inc], state, updates=[(state, state + inc)])
    acc(10)
    got = in_child((acc, state), """
        acc, state = obj
        result = [int(acc(1)), int(acc(300)), int(state.get_value())]
    """)
    assert got == [10, 11, 311]
    assert state.get_value() == 10


def test_function_options_survive_pickling():
    x, y, w = T.dscalars("x", "y", "w")
    g = function([x, In(y, value=1), In(w, value=2, name="w_by_name")], (x + y) * w, name="g", trust_input=False)
    got = in_child(g, """
        g = obj
        errors = []
        try:
            g(1, nope=2)
        except TypeError as e:
            errors.append(str(e))
        result = [float(g(33)), float(g(33, 0, 1)), float(g(33, w_by_name=1)), float(g(33, w_by_name=1, y=0)),
                  g.name, errors]
    """)
    assert got[:5] == [68.0, 33.0, 34.0, 33.0, "g"]
    assert "Unknown input or state: nope." in got[5][0]


def test_trust_input_and_givens_survive_pickling():
    x, y = T.dscalars("x", "y")
    s = shared(3.0, name="s")
    f = function([y], x * y, givens={x: s}, trust_input=True)
    f2 = pickle.loads(pickle.dumps(f))
    assert f2.trust_input is True
    assert f2(np.array(2.0)) == 6.0


def test_pickling_in_process_preserves_shared_identity():
    s = shared(np.zeros(2), name="s")
    f = function([], s.sum(), updates=[(s, s + 1)])
    f2, s2 = pickle.loads(pickle.dumps((f, s)))
    f2()
    f2()
    np.testing.assert_array_equal(s2.get_value(), [2.0, 2.0])
    np.testing.assert_array_equal(s.get_value(), [0.0, 0.0])


@pytest.mark.parametrize("dtype", ["float32", "int8", "complex128", "bool", "uint64"])
def test_types_and_constants_pickle(dtype):
    t = T.tensor(dtype, shape=(None, 2))
    c = T.constant(np.ones((2, 2), dtype))
    expr = T.switch(T.neq(t, 0), t, c) if dtype != "bool" else T.and_(t, c)
    t2, expr2 = pickle.loads(pickle.dumps((t, expr)))
    assert t2.type == t.type and expr2.type == expr.type
    v = np.eye(2).astype(dtype)
    np.testing.assert_array_equal(function([t2], expr2)(v), function([t], expr)(v))
