"""Reductions against NumPy/SciPy: the case table on every backend, plus errors and static types."""
from __future__ import annotations

import numpy as np
import pytest

from arignote import function
from arignote import tensor as T
from arignote.testing import run_case
from arignote.types import TensorType

from cases.reduction_cases import CASES


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("case", CASES, ids=str)
def test_case(case, backend):
    run_case(case, backend=backend)


def test_case_ids_unique():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


# ------------------------------------------------------------- empty inputs

def test_sum_of_empty_is_zero(backend):
    x = T.dmatrix("x")
    f = function([x], [x.sum(), x.prod(), x.sum(axis=0)], backend=backend)
    s, p, s0 = f(np.zeros((0, 3)))
    assert s == 0.0 and s.shape == () and p == 1.0
    np.testing.assert_array_equal(s0, np.zeros(3))


@pytest.mark.parametrize("kind", ["max", "min"])
def test_max_of_empty_raises(backend, kind):
    x = T.dmatrix("x")
    f = function([x], getattr(T, kind)(x, axis=0), backend=backend)
    with pytest.raises(ValueError, match=rf"zero-size.*{kind}imum.*\(0, 3\)"):
        f(np.zeros((0, 3)))
    g = function([x], getattr(x, kind)(), backend=backend)
    with pytest.raises(ValueError, match="zero-size"):
        g(np.zeros((0, 3)))
    # reducing a non-empty axis of an empty array is fine, as in NumPy
    h = function([x], getattr(x, kind)(axis=1), backend=backend)
    assert h(np.zeros((0, 3))).shape == (0,)


def test_argmax_of_empty_raises(backend):
    x = T.dvector("x")
    f = function([x], T.argmax(x), backend=backend)
    with pytest.raises(ValueError, match="empty"):
        f(np.zeros(0))


# ------------------------------------------------------------ static types

@pytest.mark.parametrize("dtype,want", [("bool", "int64"), ("int8", "int64"), ("int32", "int64"),
                                        ("uint8", "uint64"), ("uint32", "uint64"), ("uint64", "uint64"),
                                        ("int64", "int64"), ("float16", "float16"), ("float32", "float32"),
                                        ("complex64", "complex64")])
def test_sum_prod_output_dtype_follows_numpy(dtype, want):
    x = TensorType(dtype, shape=(None, None))("x")
    assert T.sum(x).dtype == want == np.sum(np.zeros((1, 1), dtype)).dtype
    assert T.prod(x, axis=0).dtype == want


@pytest.mark.parametrize("dtype,want", [("int8", "float64"), ("int64", "float64"), ("bool", "float64"),
                                        ("float32", "float32"), ("float64", "float64")])
def test_mean_var_output_dtype(dtype, want):
    x = TensorType(dtype, shape=(None,))("x")
    assert T.mean(x).dtype == want
    if dtype != "bool":
        assert T.var(x).dtype == want and T.std(x).dtype == want


def test_reduction_static_shapes():
    x = T.tensor("float64", shape=(2, None, 4))
    assert T.sum(x, axis=1).type.shape == (2, 4)
    assert T.sum(x, axis=1, keepdims=True).type.shape == (2, 1, 4)
    assert T.sum(x, axis=1, keepdims=True).broadcastable == (False, True, False)
    assert T.max(x).type.shape == () and T.argmax(x, axis=-1).type.shape == (2, None)
    assert T.argmax(x).dtype == "int64" and T.all(x).dtype == "bool"


def test_bad_axes():
    x = T.dmatrix("x")
    with pytest.raises(ValueError, match="axis 2 is out of bounds for a 2-d input"):
        T.sum(x, axis=2)
    with pytest.raises(ValueError, match="axis -3 is out of bounds"):
        x.max(axis=-3)
    with pytest.raises(ValueError, match="repeated axis"):
        T.sum(x, axis=(0, -2))
    with pytest.raises(TypeError, match="axis must be a constant"):
        T.sum(x, axis=T.lscalar("a"))
    with pytest.raises(TypeError, match="complex"):
        T.max(T.zvector())


def test_constant_axis_variable_is_accepted():
    x = T.dmatrix("x")
    f = function([x], T.sum(x, axis=T.constant(1)))
    np.testing.assert_array_equal(f(np.ones((2, 3))), [3.0, 3.0])


def test_methods_match_functions(backend, rng):
    x = T.dtensor3("x")
    v = rng.standard_normal((2, 3, 4))
    outs = [x.sum(axis=1), x.mean(axis=(0, 2)), x.max(axis=-1, keepdims=True), x.min(), x.prod(axis=0),
            x.var(axis=1, ddof=1), x.std(), x.argmax(axis=2), x.argmin(), x.all(axis=0), x.any()]
    got = function([x], outs, backend=backend)(v)
    want = [v.sum(axis=1), v.mean(axis=(0, 2)), v.max(axis=-1, keepdims=True), v.min(), v.prod(axis=0),
            v.var(axis=1, ddof=1), v.std(), v.argmax(axis=2), v.argmin(), v.all(axis=0), v.any()]
    for g, w in zip(got, want):
        assert g.shape == np.shape(w)
        np.testing.assert_allclose(g, w, rtol=1e-12)
