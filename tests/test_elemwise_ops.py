"""Elementwise ops against NumPy/SciPy: the case table on every backend, plus dtype rules and errors."""
from __future__ import annotations

import numpy as np
import pytest

from arignote import function
from arignote import tensor as T
from arignote.testing import run_case
from arignote.types import TensorType

from cases.elemwise_cases import CASES, INTS, FLOATS


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("case", CASES, ids=str)
def test_case(case, backend):
    run_case(case, backend=backend)


def test_case_ids_unique():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


# ---------------------------------------------------------- dtype rules

# Theano's integer -> float upgrade, written out
UPGRADE = {"bool": "float32", "int8": "float32", "uint8": "float32", "int16": "float32", "uint16": "float32",
           "int32": "float64", "uint32": "float64", "int64": "float64", "uint64": "float64",
           "float16": "float16", "float32": "float32", "float64": "float64"}
FLOAT_OPS = ["exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "sin", "cos", "tan", "arcsin",
             "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh", "sigmoid", "softplus",
             "erf", "erfc", "erfinv", "gammaln", "psi", "floor", "ceil", "trunc", "reciprocal"]


@pytest.mark.parametrize("dtype", sorted(UPGRADE))
def test_float_valued_ops_upgrade_like_theano(dtype):
    x = TensorType(dtype, shape=(None,))("x")
    for name in FLOAT_OPS:
        if dtype == "bool" and name in ("trunc", "reciprocal"):
            continue
        assert getattr(T, name)(x).dtype == UPGRADE[dtype], (name, dtype)
    assert (x / x).dtype == UPGRADE[dtype] if dtype != "bool" else True
    assert T.arctan2(x, x).dtype == UPGRADE[dtype]


@pytest.mark.parametrize("dtype", INTS + FLOATS)
def test_dtype_preserving_ops(dtype):
    x = TensorType(dtype, shape=(None,))("x")
    for out in (x + x, x * x, x - x, x // x, x % x, x ** x, -x if dtype[0] != "u" else x, abs(x), T.sqr(x),
                T.maximum(x, x), T.minimum(x, x), T.sgn(x), T.round(x), T.clip(x, 0, 1), T.identity(x)):
        assert out.dtype == dtype, (out, dtype)
    for out in (x < x, x <= x, x > x, x >= x, T.eq(x, x), T.neq(x, x), T.isnan(x), T.isinf(x),
                T.logical_and(x, x), T.logical_not(x)):
        assert out.dtype == "bool"


def test_complex_dtype_rules():
    z = T.cvector("z")
    assert abs(z).dtype == "float32" and T.real(z).dtype == "float32" and T.imag(T.zvector()).dtype == "float64"
    assert T.exp(z).dtype == "complex64" and (z * T.dvector()).dtype == "complex128"
    assert T.conj(z).dtype == "complex64"


def test_weak_promotion_of_python_scalars():
    assert (T.fvector() + 1.0).dtype == "float32"
    assert (T.bvector() + 1).dtype == "int8"
    assert (T.ivector() + 1.5).dtype == "float64"
    assert (1.5 * T.ivector()).dtype == "float64"
    assert (T.fvector() * 2).dtype == "float32"
    assert (T.tensor("float16", shape=(None,)) + 1.0).dtype == "float16"
    assert (T.fvector() + 1j).dtype == "complex64"
    assert (T.tensor("bool", shape=(None,)) + 1).dtype == "int64"
    assert (T.tensor("bool", shape=(None,)) & True).dtype == "bool"
    assert (T.bvector() / 2).dtype == "float32"  # int8 / int8 upgrades the Theano way
    assert (T.bvector() / 2.0).dtype == "float64"  # int8 with a Python float is float64, as in NumPy 2


def test_numpy_values_are_strong():
    assert (T.fvector() + np.float64(1.0)).dtype == "float64"
    assert (T.bvector() + np.int16(1)).dtype == "int16"
    assert (T.fvector() + np.ones(3)).dtype == "float64"
    assert (T.bvector() + np.ones(3, "uint8")).dtype == "int16"
    assert (T.fvector() + np.float32(1.0)).dtype == "float32"


def test_numpy_array_on_the_left_defers_to_variable():
    x = T.dvector("x")
    for out in (np.ones(3) + x, np.ones(3) * x, np.ones(3) - x, np.ones(3) / x, np.ones(3) ** x,
                np.ones((2, 3)) @ x, np.ones(3) > x):
        assert type(out).__name__ == "TensorVariable"
    f = function([x], np.arange(3.0) - x)
    np.testing.assert_array_equal(f(np.ones(3)), np.arange(3.0) - 1)


def test_python_int_out_of_range_raises_like_numpy():
    with pytest.raises(OverflowError):
        np.zeros(3, np.int8) + 1000
    with pytest.raises(OverflowError, match="1000"):
        T.bvector() + 1000


def test_static_broadcast_patterns():
    r, c, m = T.drow(), T.dcol(), T.dmatrix()
    assert (r + c).broadcastable == (False, False)
    assert (r + r).broadcastable == (True, False)
    assert (r + m).broadcastable == (False, False)
    assert (T.dvector() + m).ndim == 2
    assert (T.dscalar() + T.dtensor3()).broadcastable == (False,) * 3
    a = T.tensor("float64", shape=(3, None))
    b = T.tensor("float64", shape=(None, 4))
    assert (a + b).type.shape == (3, 4)
    assert (a + T.drow()).type.shape == (3, None)


# ---------------------------------------------------------------- errors

@pytest.mark.parametrize("build,match", [
    (lambda: T.fvector() & T.fvector(), "integer or boolean"),
    (lambda: ~T.dvector(), "integer or boolean"),
    (lambda: T.zvector() < 1, "complex"),
    (lambda: T.zvector() % 2, "complex"),
    (lambda: T.floor(T.zvector()), "complex"),
    (lambda: T.erf(T.zvector()), "complex"),
    (lambda: T.sigmoid(T.cvector()), "complex"),
    (lambda: T.maximum(T.zvector(), T.zvector()), "complex"),
    (lambda: -T.tensor("bool", shape=(None,)), "boolean"),
    (lambda: T.tensor("bool", shape=(None,)) - T.tensor("bool", shape=(None,)), "boolean"),
    (lambda: T.sgn(T.tensor("bool", shape=(None,))), "boolean"),
    (lambda: T.exp(T.dvector(), T.dvector()), "takes 1 inputs"),
    (lambda: T.dvector() + "a", "string"),
    (lambda: T.dvector() + None, "NoneType"),
    (lambda: T.cast(T.zvector(), "float64"), "imaginary"),
    (lambda: T.round(T.dvector(), "banker"), "unknown mode"),
])
def test_make_node_errors(build, match):
    with pytest.raises((TypeError, ValueError), match=match):
        build()


def test_static_shape_mismatch_is_caught_when_building():
    a = T.tensor("float64", shape=(2, 3))
    b = T.tensor("float64", shape=(4, 3))
    with pytest.raises(ValueError, match=r"\[\(2, 3\), \(4, 3\)\] cannot be broadcast together \(axis 0"):
        a + b


def test_runtime_broadcast_of_non_broadcastable_axis_is_refused(backend):
    x, y = T.dmatrix("x"), T.dmatrix("y")
    f = function([x, y], x + y, backend=backend)
    with pytest.raises(ValueError, match=r"run-time broadcasting of axis 0.*T\.row"):
        f(np.ones((1, 3)), np.ones((4, 3)))
    r = T.drow("r")
    g = function([r, y], r + y, backend=backend)
    np.testing.assert_array_equal(g(np.ones((1, 3)), np.ones((4, 3))), np.full((4, 3), 2.0))
    with pytest.raises(TypeError, match="size 1 on axis 0"):
        g(np.ones((2, 3)), np.ones((4, 3)))


def test_elemwise_does_not_mutate_or_alias_inputs(backend):
    x = T.dvector("x")
    f = function([x], T.identity(x), backend=backend)
    a = np.arange(3.0)
    out = f(a)
    out[0] = 99
    assert a[0] == 0.0
