"""ifelse (values, gradients, errors) and Function.copy(swap=..., delete_updates=...)."""
import numpy as np
import pytest

import arignote
from arignote import function, shared
from arignote import tensor as T
from arignote.ifelse import ifelse


def test_ifelse_picks_branch_like_switch():
    a, b = T.scalars("a", "b")
    x, y = T.matrices("x", "y")
    f = function([a, b, x, y], ifelse(T.lt(a, b), T.mean(x), T.mean(y)), mode=arignote.Mode(linker="vm"))
    m1, m2 = np.ones((4, 4)), np.full((4, 4), 2.0)
    assert f(0.0, 1.0, m1, m2) == 1.0
    assert f(1.0, 0.0, m1, m2) == 2.0


def test_ifelse_several_outputs_and_gradient():
    a, b = T.dscalars("a", "b")
    hi, lo = ifelse(T.gt(a, b), [a * a, b], [b * 3, a])
    f = function([a, b], [hi, lo] + T.grad(hi + lo, [a, b]))
    np.testing.assert_allclose(f(3.0, 2.0), [9.0, 2.0, 6.0, 1.0])
    np.testing.assert_allclose(f(1.0, 2.0), [6.0, 1.0, 1.0, 3.0])


def test_ifelse_errors():
    a = T.dscalar("a")
    v = T.dvector("v")
    with pytest.raises(TypeError, match="condition must be a scalar"):
        ifelse(v, a, a)
    with pytest.raises(TypeError, match="dims"):
        ifelse(a, a, v)
    with pytest.raises(ValueError, match="'then' values"):
        ifelse(a, [a, a], [a])


def test_copy_swap_and_delete_updates():
    state = shared(0)
    inc = T.iscalar("inc")
    acc = function([inc], state, updates=[(state, state + inc)])
    acc(10)
    new_state = shared(0)
    acc2 = acc.copy(swap={state: new_state})
    assert acc2(100) == [0]  # a copy returns a list, as Theano's Function.copy
    assert new_state.get_value() == 100 and state.get_value() == 10
    null = acc.copy(delete_updates=True)
    assert null(9000) == [10]
    assert state.get_value() == 10
    with pytest.raises(TypeError, match="differ in type"):
        acc.copy(swap={state: shared(0.0)})


def test_givens_replace_shared_by_input():
    state = shared(0)
    inc = T.iscalar("inc")
    foo = T.scalar(dtype=state.dtype)
    f = function([inc, foo], state * 2 + inc, givens=[(state, foo)])
    assert f(1, 3) == 7
    assert state.get_value() == 0
