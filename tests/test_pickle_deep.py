"""Graphs pickle flat: a 100,000-op chain (a variable, and a compiled function of it) pickles,
unpickles and evaluates; small graphs come back with their sharing, names, tags and printing."""
from __future__ import annotations

import copy
import pickle
import sys

import numpy as np
import pytest

from arignote import function, graph, graph_pickle, shared
from arignote import tensor as T
from arignote.mode import Mode
from arignote.printing import debugprint, pp

N = 100_000
X0 = (3.0, -7.5, 1e3)


def chain_step(v, i):
    return v - 0.25 if i % 2 == 0 else v * 1.00002


def reference(x0, n=N):
    v = np.float64(x0)
    for i in range(n):
        v = chain_step(v, i)
    return v


# 300,000 linked objects stay alive: cyclic collections would only walk them again and again
pytestmark = pytest.mark.usefixtures("no_cyclic_gc")


@pytest.fixture(scope="module")
def chain():
    assert sys.getrecursionlimit() < 20_000  # a recursive pickle could not survive this depth
    return make_chain(N)


def make_chain(n):
    x = T.dscalar("x")
    y = x
    for i in range(n):
        y = chain_step(y, i)
    return x, y


def no_registrations():
    return not graph_pickle._var_reg and not graph_pickle._node_reg


def free_inputs(outputs):
    return [v for v in graph.graph_inputs(outputs) if not isinstance(v, graph.Constant)]


# ------------------------------------------------------------- deep chains

def test_deep_chain_variable_round_trips(chain):
    x, y = chain
    x2, y2 = pickle.loads(pickle.dumps((x, y)))
    assert no_registrations()  # the pack died with the pickler
    assert free_inputs([y2]) == [x2] and x2.name == "x" and x2 is not x
    nodes = graph.io_toposort([x2], [y2])
    assert len(nodes) == N and nodes[0].inputs[0] is x2 and nodes[-1].outputs[0] is y2
    assert [n.op for n in nodes[:2]] == [n.op for n in graph.io_toposort([x], [y])[:2]]
    f = function([x2], y2, mode=Mode(optimizer=None), backend="py")
    for x0 in X0:
        np.testing.assert_allclose(f(x0), reference(x0), rtol=1e-12)


def test_deep_chain_variable_alone_brings_its_input(chain):
    _, y = chain
    y2 = pickle.loads(pickle.dumps(y))
    (x2,) = free_inputs([y2])
    assert x2.name == "x" and x2.type == y.type
    c = y2.owner.inputs[1]
    assert c.data == 1.00002 and c.dtype == "float64"


def check_function_round_trip(x, y, n):
    f = function([x], y, mode=Mode(optimizer=None), backend="py")
    f2 = pickle.loads(pickle.dumps(f))
    assert f2 is not f and len(f2.maker.fgraph.toposort()) == n
    assert no_registrations()
    for x0 in X0:
        np.testing.assert_allclose(f2(x0), reference(x0, n), rtol=1e-12)
        assert f2(x0) == f(x0)


def test_compiled_function_of_a_chain_deeper_than_the_recursion_limit_round_trips():
    check_function_round_trip(*make_chain(5_000), 5_000)


@pytest.mark.slow
def test_deep_chain_compiled_function_round_trips(chain):
    check_function_round_trip(*chain, N)


def test_deep_chain_deepcopies(chain):
    x, y = chain
    x2, y2 = copy.deepcopy((x, y))
    assert x2 is not x and free_inputs([y2]) == [x2]
    assert len(graph.io_toposort([x2], [y2])) == N


# ------------------------------------------------------------ small graphs

def test_shared_input_comes_back_once():
    x = T.dvector("x")
    y = x + x
    y2 = pickle.loads(pickle.dumps(y))
    a, b = y2.owner.inputs
    assert a is b and a.name == "x" and a.owner is None
    assert pp(y2) == pp(y)


def test_variables_met_twice_in_one_pickle_are_one_object():
    a, b = T.dmatrix("a"), T.dvector("b")
    h = T.exp(a) * b  # an intermediate also pickled on its own
    z = h.sum() + h.max()
    for order in [(a, b, h, z), (z, h, b, a), (h, z, a, b)]:
        got = dict(zip(map(id, order), pickle.loads(pickle.dumps(order))))
        a2, b2, h2, z2 = got[id(a)], got[id(b)], got[id(h)], got[id(z)]
        anc = graph.ancestors([z2])
        assert any(v is h2 for v in anc) and any(v is a2 for v in anc) and any(v is b2 for v in anc)
        assert len(anc) == len(graph.ancestors([z]))
        assert pp(z2) == pp(z) and pp(h2) == pp(h)
        av, bv = np.arange(6.0).reshape(2, 3) / 6, np.array([1.0, -2.0, 0.5])
        np.testing.assert_allclose(function([a2, b2], z2)(av, bv), function([a, b], z)(av, bv), rtol=1e-14)
    assert no_registrations()


def test_names_types_tags_and_printing_survive():
    x = T.fmatrix("x")
    x.tag.test_value = np.ones((2, 2), "float32")
    c = T.constant(np.array([[1.5, -2.0]], dtype="float32"), name=None)
    w = T.tanh(x * c + 2)  # TAG-LINE
    w.name = "w"
    out = T.sum(w ** 2, axis=1)
    x2, w2, out2 = pickle.loads(pickle.dumps((x, w, out)))
    assert x2.name == "x" and w2.name == "w" and out2.name is None
    assert out2.type == out.type and w2.type == w.type and w2.type is w.type  # types are interned
    np.testing.assert_array_equal(x2.tag.test_value, np.ones((2, 2), "float32"))
    tr = w2.owner.tag.trace
    assert tr == w.owner.tag.trace and tr[0] == __file__ and isinstance(tr[1], int)
    c2 = w2.owner.inputs[0].owner.inputs[0].owner.inputs[1]
    assert isinstance(c2, graph.Constant) and c2.data.dtype == np.float32
    np.testing.assert_array_equal(c2.data, [[1.5, -2.0]])
    assert pp(out2) == pp(out)
    assert debugprint(out2, file="str") == debugprint(out, file="str")


def test_multi_output_node_and_apply_pickle():
    x = T.dvector("x")
    a, b = T.split(x, [2, 3], 2)
    a2, b2 = pickle.loads(pickle.dumps((a, b)))
    assert a2.owner is b2.owner and a2.owner.outputs == [a2, b2] and (a2.index, b2.index) == (0, 1)
    node2 = pickle.loads(pickle.dumps(a.owner))
    assert node2.outputs[0].owner is node2 and node2.outputs[1].index == 1
    assert node2.op == a.owner.op and node2.inputs[0].name == "x"
    assert node2.inputs[0] is graph.graph_inputs(node2.outputs)[0]


def test_shared_variables_keep_identity_and_value():
    s = shared(np.arange(3.0), name="s")
    x = T.dvector("x")
    e = (x * s).sum() + s.sum()
    s2, e2 = pickle.loads(pickle.dumps((s, e)))
    assert sum(v is s2 for v in graph.ancestors([e2])) == 1
    np.testing.assert_array_equal(s2.get_value(), np.arange(3.0))
    x2 = [v for v in graph.graph_inputs([e2]) if v.name == "x"][0]
    f = function([x2], e2)
    assert f(np.ones(3)) == 6.0
    s2.set_value(np.ones(3))
    assert f(np.ones(3)) == 6.0 and s.get_value()[2] == 2.0


def test_each_pickle_sees_the_graph_as_it_is_then():
    x = T.dscalar("x")
    y = T.exp(x) + 1
    first = pickle.dumps(y)
    x.name = "renamed"
    second = pickle.dumps(y)
    assert no_registrations()
    y1, y2 = pickle.loads(first), pickle.loads(second)
    assert graph.graph_inputs([y1])[0].name == "x" and graph.graph_inputs([y2])[0].name == "renamed"
    assert graph.graph_inputs([y1])[0] is not graph.graph_inputs([y2])[0]


def test_pickler_memo_spans_dump_calls():
    """One Pickler, two dump() calls: the second refers back to the first (pickle's memo)."""
    import io

    x = T.dvector("x")
    y = T.exp(x)
    buf = io.BytesIO()
    p = pickle.Pickler(buf)
    p.dump(y)
    p.dump(x)
    buf.seek(0)
    u = pickle.Unpickler(buf)
    y2, x2 = u.load(), u.load()
    assert y2.owner.inputs[0] is x2
    del p
    assert no_registrations()


def test_copy_is_shallow():
    x = T.dvector("x")
    y = T.exp(x)
    y3 = copy.copy(y)
    assert y3 is not y and y3.owner is y.owner and y3.type is y.type
    node = copy.copy(y.owner)
    assert node.inputs == y.owner.inputs and node.op is y.owner.op


def test_references_back_into_the_graph_being_pickled():
    """A tag holding a variable further down, a node tagged with itself, a shared variable whose
    default update uses it: each comes back pointing at the rebuilt object."""
    x = T.dvector("x")
    y = T.exp(x) + 1
    x.tag.result = y
    y.owner.tag.me = y.owner
    y2 = pickle.loads(pickle.dumps(y))
    (x2,) = free_inputs([y2])
    assert x2.tag.result is y2 and y2.owner.tag.me is y2.owner
    s = shared(np.float64(1.0), name="s")
    s.default_update = s + 1
    s2 = pickle.loads(pickle.dumps(s))
    assert s2.default_update.owner.inputs[0] is s2
    f = function([], s2 * 10)
    assert (f(), f(), s2.get_value()) == (10.0, 20.0, 3.0)
    assert s.get_value() == 1.0
