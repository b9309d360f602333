"""dot / matmul / outer / tensordot against NumPy: the case table on every backend, plus static types and errors."""
from __future__ import annotations

import numpy as np
import pytest

from arignote import function
from arignote import tensor as T
from arignote.testing import run_case

from cases.linalg_cases import CASES


@pytest.mark.parametrize("case", CASES, ids=str)
def test_case(case, backend):
    run_case(case, backend=backend)


def test_case_ids_unique():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_dot_static_types():
    a = T.tensor("float32", shape=(2, 3))
    b = T.tensor("float64", shape=(3, None))
    assert T.dot(a, b).type.shape == (2, None) and T.dot(a, b).dtype == "float64"
    assert T.dot(T.dvector(), T.dvector()).ndim == 0
    assert T.dot(T.dtensor3(), T.dmatrix()).ndim == 3
    assert T.dot(T.ivector(), T.bmatrix()).dtype == "int32"
    assert (T.dmatrix() @ T.dtensor3()).ndim == 3


def test_dot_errors(backend):
    with pytest.raises(TypeError, match="boolean"):
        T.dot(T.tensor("bool", shape=(None,)), T.dvector())
    with pytest.raises(ValueError, match=r"not aligned \(3 != 4\)"):
        T.dot(T.tensor("float64", shape=(2, 3)), T.tensor("float64", shape=(4, 2)))
    x, y = T.dmatrix("x"), T.dmatrix("y")
    f = function([x, y], T.dot(x, y), backend=backend)
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(4, 2\)"):
        f(np.ones((2, 3)), np.ones((4, 2)))


def test_matmul_errors(backend):
    with pytest.raises(ValueError, match="scalar"):
        T.matmul(T.dscalar(), T.dmatrix())
    x, y = T.dtensor3("x"), T.dtensor3("y")
    f = function([x, y], x @ y, backend=backend)
    with pytest.raises(ValueError, match=r"batch axis 0.*not marked broadcastable"):
        f(np.ones((1, 2, 3)), np.ones((4, 3, 2)))
    np.testing.assert_allclose(f(np.ones((4, 2, 3)), np.ones((4, 3, 2))), np.full((4, 2, 2), 3.0))


def test_tensordot_errors():
    with pytest.raises(ValueError, match="differ in length"):
        T.tensordot(T.dmatrix(), T.dmatrix(), axes=[[0, 1], [0]])
    with pytest.raises(ValueError, match="out of range"):
        T.tensordot(T.dmatrix(), T.dvector(), axes=3)
    with pytest.raises(ValueError, match="does not match"):
        T.tensordot(T.tensor("float64", shape=(2, 3)), T.tensor("float64", shape=(4, 2)), axes=[[1], [0]])
