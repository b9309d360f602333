"""Issue 11 item 6: a scalar op named like an existing one (a built-in like ``sin``) is refused,
naming both definitions, so no backend can run one while another renders the other."""
import numpy as np
import pytest

import arignote
import arignote.scalar as ps
import arignote.tensor as T
from arignote.tensor.elemwise import Elemwise
from arignote.testing import backend_params


def test_a_scalar_op_named_like_a_builtin_is_refused_naming_both_definitions():
    with pytest.raises(ValueError) as info:
        ps.ScalarOp("sin", 1, np.cos, "float")
    msg = str(info.value)
    assert "'sin' already exists" in msg
    assert "scalar.py" in msg  # where the built-in is defined
    assert __file__ in msg  # and where the new one was attempted
    assert ps.get_scalar_op("sin").fn is not np.cos  # the registry still holds the built-in


@pytest.mark.parametrize("backend", backend_params())
def test_sin_stays_sin_on_every_backend_after_a_refused_redefinition(backend):
    with pytest.raises(ValueError):
        ps.ScalarOp("sin", 1, np.cos, "float")
    x = T.dvector("x")
    f = arignote.function([x], Elemwise(ps.get_scalar_op("sin"))(x), backend=backend)
    v = np.linspace(-2, 2, 7)
    np.testing.assert_allclose(f(v), np.sin(v), rtol=1e-12)


def test_a_new_name_is_accepted_and_casts_and_pickles_keep_working():
    import pickle

    name = "reliability_test_halve"
    op = ps.all_scalar_ops().get(name) or ps.ScalarOp(name, 1, lambda a: a / 2, "float")
    x = T.dvector("x")
    f = arignote.function([x], Elemwise(op)(x), backend="py")
    np.testing.assert_allclose(f(np.array([4.0])), [2.0])
    assert pickle.loads(pickle.dumps(ps.cast_op("float32"))) == ps.cast_op("float32")
    assert pickle.loads(pickle.dumps(op)) is op
