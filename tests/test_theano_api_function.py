"""Function objects as Theano documents them: In(update=, value=), f[x], tuple inputs,
Theano's argument errors, copy(share_memory=), f.maker.fgraph, a user Type's filter."""
import numpy as np
import pytest

import arignote
import arignote.tensor as T
from arignote import function
from arignote.compile.io import In, Out


def test_in_update_keeps_state_between_calls(backend):
    # doc/library/compile/io.txt: the update used to be ignored (10, 10, 10)
    u, x, s = T.scalars("u", "x", "s")
    inc = function([u, In(x, value=3), In(s, update=(s + x * u), value=10.0)], [], backend=backend)
    assert inc(5) == []
    assert float(inc[s]) == 25.0
    inc(3, 4)
    assert float(inc[s]) == 37.0
    assert float(inc[x]) == 3.0  # an override is for one call only
    inc(3, 4, 7)
    assert float(inc[s]) == 19.0
    inc[s] = 10
    assert isinstance(inc[s], np.ndarray) and inc[s].dtype == s.dtype and inc[s] == 10.0


def test_stored_values_by_name_value_and_container():
    a, b, c = T.scalars("xys")
    fn = function([a, b, ((c, c + a + b), 10.0)], [])
    assert fn["s"] is fn.value[c] is fn.container[c].value
    fn(1, 2)
    assert fn["s"] == 13.0
    fn.value[c] = 99.0
    fn(1, 0)
    assert fn["s"] == 100.0
    fn.container[c].value = 5.0
    fn(0, 0)
    assert fn["s"] == 5.0
    with pytest.raises(KeyError, match="'nope' is not an input"):
        fn["nope"]
    with pytest.raises(TypeError, match=r"input 's \(#2, .*cannot cast <U4 data to float64"):
        fn["s"] = "text"
    assert fn["s"] == 5.0  # a rejected value leaves the stored one


def test_tuple_shortcuts_and_theano_argument_errors():
    x, y, z, w = T.scalar(), T.scalar("y"), T.scalar("z"), T.scalar("w")
    fn = function(inputs=[x, y, In(z, value=42), ((w, w + x), 0)], outputs=x + y + z)
    with pytest.raises(TypeError, match=r"^Missing required input: y$"):
        fn(1)
    assert fn(1, 2) == 45.0 and fn["w"] == 1.0
    with pytest.raises(TypeError) as err:
        fn(x=1, y=2)
    assert str(err.value) == (
        "Unknown input or state: x. The function has 3 named inputs (y, z, w), and 1 unnamed input which thus "
        "cannot be accessed through keyword argument (use 'name=...' in a variable's constructor to give it a "
        "name).")
    assert fn(1, z=3, y=2) == 6.0
    assert fn(1, 2, w=400) == 45.0 and fn["w"] == 401.0
    named = function([("first", x), ("second", y, 5.0)], x * y)
    assert named(first=2) == 10.0
    with pytest.raises(TypeError, match="must be a symbolic variable or In"):
        function([(1, 2, 3, 4)], x)


def test_update_needs_a_value():
    s = T.scalar("s")
    with pytest.raises(ValueError, match="needs a starting value"):
        In(s, update=s + 1)


def test_copy_share_memory():
    x, s = T.scalars("x", "s")
    f = function([x, In(s, update=s + x, value=0.0)], s)
    shared_copy = f.copy(share_memory=True)
    own_copy = f.copy()
    f(1)
    assert f["s"] == 1.0 and shared_copy["s"] == 1.0 and own_copy["s"] == 0.0
    shared_copy(2)
    assert f["s"] == 3.0
    own_copy(5)
    assert own_copy["s"] == 5.0 and f["s"] == 3.0


def test_maker_fgraph_and_out_borrow():
    x = T.matrix("x")
    fn = function([x], [x + x, Out((x + x).T, borrow=True)])
    a, b = fn(np.eye(2))
    np.testing.assert_array_equal(a, 2 * np.eye(2))
    np.testing.assert_array_equal(b, 2 * np.eye(2))
    topo = fn.maker.fgraph.toposort()
    assert topo and all(isinstance(n, arignote.gof.Apply) for n in topo)
    out0 = fn.maker.fgraph.outputs[0]
    assert ("output", 0) in out0.clients  # merged: the transpose reads the same x + x
    assert fn.maker.fgraph.outputs[1].owner.inputs[0] is out0


class Double(arignote.gof.Type):
    """doc/extending/type.txt's type: filter with Theano's signature (no name=)."""

    def filter(self, x, strict=False, allow_downcast=None):
        if strict:
            if isinstance(x, float):
                return x
            raise TypeError("Expected a float!")
        return float(x)

    def values_eq_approx(self, x, y, tolerance=1e-4):
        return abs(x - y) / (abs(x) + abs(y)) < tolerance

    def __str__(self):
        return "double"

    def __eq__(self, other):
        return type(self) is type(other)

    def __hash__(self):
        return hash(type(self))


class Mul(arignote.gof.Op):
    __props__ = ()

    def make_node(self, x, y):
        if x.type != double or y.type != double:
            raise TypeError("mul only works on doubles")
        return arignote.gof.Apply(self, [x, y], [double()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0] * inputs[1]


double = Double()


def test_user_type_filter_with_theano_signature():
    # function() passed name= to every filter, which a Theano-style Type does not accept
    x, y = double("x"), double("y")
    f = function([x, y], Mul()(x, y))
    assert f(5, 6) == 30.0 and isinstance(f(5, 6), float)
    with pytest.raises(ValueError, match=r"^input x \(#0, double\): could not convert string to float: 'a'"):
        f("a", 1)


def test_pickled_function_keeps_its_stored_values():
    import pickle

    x, s = T.scalars("x", "s")
    f = function([x, In(s, update=s + x, value=1.0)], s * 2)
    f(1)
    f(1)
    g = pickle.loads(pickle.dumps(f))
    assert g["s"] == 3.0 and g(1) == 6.0 and g["s"] == 4.0 and f["s"] == 3.0
