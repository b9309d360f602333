"""``arignote.clone`` (Theano's ``theano.clone``): a copy of a graph with variables replaced."""
import numpy as np
import pytest

import arignote
import arignote.tensor as T
from arignote.graph import graph_inputs


def test_replacing_an_input_leaves_the_original_graph_alone():
    x, y = T.dvector("x"), T.dvector("y")
    s = arignote.shared(np.array([1.0, 2.0]), "s")
    cost = (x * 2 + s).sum()
    moved = arignote.clone(cost, replace={x: y})
    assert y in graph_inputs([moved]) and x not in graph_inputs([moved])
    assert x in graph_inputs([cost])
    np.testing.assert_allclose(arignote.function([y], moved)(np.array([1.0, 3.0])), 2 + 6 + 3)
    np.testing.assert_allclose(arignote.function([x], cost)(np.array([0.0, 0.0])), 3.0)


def test_an_intermediate_replaced_by_an_expression_and_lists_keep_their_form():
    x = T.dvector("x")
    h = T.exp(x)
    outs = arignote.clone([h + 1, h * 2], replace=[(h, x ** 2)])
    assert isinstance(outs, list) and len(outs) == 2
    f = arignote.function([x], outs)
    a, b = f(np.array([1.0, 2.0]))
    np.testing.assert_allclose(a, [2.0, 5.0])
    np.testing.assert_allclose(b, [2.0, 8.0])
    assert isinstance(arignote.clone((h,)), tuple)


def test_strict_refuses_a_replacement_that_changes_types():
    x, a = T.dvector("x"), T.dscalar("a")
    with pytest.raises(TypeError):
        arignote.clone(x * 2, replace={x: a})
    loose = arignote.clone(x * 2, replace={x: a}, strict=False)
    assert loose.ndim == 1 and loose.broadcastable == (True,)
    np.testing.assert_allclose(arignote.function([a], loose)(3.0), [6.0])


def test_a_value_becomes_a_shared_variable():
    x = T.dvector("x")
    out = arignote.clone(x * 2, replace={x: np.array([3.0, 4.0])})
    assert any(isinstance(v, arignote.SharedVariable) for v in graph_inputs([out]))
    np.testing.assert_allclose(out.eval(), [6.0, 8.0])


def test_share_inputs_false_copies_the_inputs_and_aliases_shared_values():
    x = T.dvector("x")
    s = arignote.shared(np.array([1.0, 2.0]), "s")
    out = arignote.clone(x + s, share_inputs=False)
    ins = graph_inputs([out])
    assert x not in ins and s not in ins
    twin = next(v for v in ins if isinstance(v, arignote.SharedVariable))
    twin.set_value(np.array([5.0, 6.0]))  # Theano's clone shares the value's storage
    np.testing.assert_allclose(s.get_value(), [5.0, 6.0])
    assert twin.name == "s"


def test_bad_arguments_name_the_culprit():
    x = T.dvector("x")
    with pytest.raises(TypeError, match="outputs must be symbolic"):
        arignote.clone(3.0)
    with pytest.raises(TypeError, match="key of replace"):
        arignote.clone(x * 2, replace={"x": x})
