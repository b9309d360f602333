"""Error types and messages: calling a compiled function wrongly, missing inputs, run-time
failures inside a node (naming the node, shapes, dtypes and the user's line), and atomic updates."""
from __future__ import annotations

import inspect
import os

import numpy as np
import pytest

from arignote import In, MissingInputError, function, shared
from arignote import tensor as T

HERE = os.path.abspath(__file__)


def _line_of(marker):
    """Line number of the source line of this file containing ``marker``."""
    for i, line in enumerate(inspect.getsource(inspect.getmodule(_line_of)).splitlines(), 1):
        if marker in line and "_line_of(" not in line:
            return i
    raise AssertionError(marker)


@pytest.fixture
def f_xy(backend):
    x, y = T.dscalars("x", "y")
    return function([x, y], x + y, backend=backend)


# ------------------------------------------------------- argument checks

def test_too_many_arguments(f_xy):
    with pytest.raises(TypeError, match=r"at most 2 argument\(s\) \(\(x, y\)\), got 3"):
        f_xy(1, 2, 3)


def test_too_few_arguments(f_xy):
    with pytest.raises(TypeError, match="Missing required input: y"):
        f_xy(1)
    with pytest.raises(TypeError, match="Missing required input: x"):
        f_xy()


def test_unknown_keyword(f_xy):
    with pytest.raises(TypeError, match=r"Unknown input or state: z. The function has 2 named inputs \(x, y\)\.$"):
        f_xy(1, z=2)
    with pytest.raises(TypeError, match="multiple values for input 'x'"):
        f_xy(1, x=2)


def test_named_function_in_messages(backend):
    x = T.dscalar("x")
    f = function([x], x * 2, name="double", backend=backend)
    with pytest.raises(TypeError, match="function 'double' takes at most 1"):
        f(1, 2)


def test_keyword_names_from_In(backend):
    x, y = T.dscalars("x", "y")
    g = function([x, In(y, value=1, name="why")], x * y, backend=backend)
    assert g(2, why=3) == 6
    with pytest.raises(TypeError, match=r"Unknown input or state: zz. The function has 2 named inputs \(x, why\)"):
        g(2, zz=3)


def test_wrong_ndim_names_the_input(f_xy):
    with pytest.raises(TypeError, match=r"wrong number of dimensions for input 'x.*expected 0.*got 1 \(shape \(2,\)\)"):
        f_xy(np.ones(2), 1.0)
    m = T.dmatrix("mat")
    g = function([m], m.sum())
    with pytest.raises(TypeError, match=r"input 'mat.*expected 2.*got 3"):
        g(np.ones((1, 2, 3)))
    with pytest.raises(TypeError, match=r"input 'mat.*expected 2.*got 1"):
        g([1.0, 2.0])


def test_float_into_int_input_names_the_input(backend):
    i = T.ivector("counts")
    f = function([i], i * 2, backend=backend)
    with pytest.raises(TypeError, match=r"input 'counts.*cannot cast float64 data to int32 without losing data"):
        f(np.array([1.5, 2.0]))
    with pytest.raises(TypeError, match=r"'counts.*float64.*int32"):
        f(np.array([1.0, 2.0]))  # floats are refused even when integral, as in Theano
    s = T.iscalar("k")
    g = function([s], s + 1, backend=backend)
    with pytest.raises(TypeError, match=r"'k.*1\.5.*int32"):
        g(1.5)


def test_int64_overflow_into_int32_names_the_input(backend):
    i = T.ivector("idx")
    f = function([i], i + 1, backend=backend)
    with pytest.raises(TypeError, match=r"input 'idx.*int64.*int32 without losing data"):
        f(np.array([2 ** 40], dtype="int64"))
    with pytest.raises(TypeError, match=r"'idx"):
        f([2 ** 31])
    # values that fit are accepted, and cast
    out = f(np.array([2 ** 20, -5], dtype="int64"))
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, [2 ** 20 + 1, -4])
    np.testing.assert_array_equal(f([1, 2]), [2, 3])


def test_lossy_float_downcast_and_allow_input_downcast(backend):
    v = T.fvector("v")
    f = function([v], v * 2, backend=backend)
    with pytest.raises(TypeError, match=r"'v.*float64.*float32"):
        f(np.array([0.1]))
    np.testing.assert_array_equal(f(np.array([0.5, 2.0])), np.array([1.0, 4.0], "float32"))  # exact: accepted
    with pytest.raises(TypeError, match=r"'v.*complex128"):
        f(np.array([1j]))
    g = function([v], v * 2, allow_input_downcast=True, backend=backend)
    out = g(np.array([0.1]))
    assert out.dtype == np.float32 and np.isclose(out[0], 0.2)


def test_unconvertible_values(f_xy):
    with pytest.raises(TypeError, match="x"):
        f_xy("abc", 1.0)
    with pytest.raises(TypeError, match="x"):
        f_xy(None, 1.0)
    v = T.dvector("v")
    g = function([v], v)
    with pytest.raises(TypeError, match="'v.*cannot be converted"):
        g([[1.0, 2.0], [3.0]])


# --------------------------------------------------------- missing input

def test_missing_input_at_function_time():
    x = T.dscalar("x")
    z = T.dscalar("z")  # MISSING-Z
    with pytest.raises(MissingInputError) as ei:
        function([x], x + z)
    assert isinstance(ei.value, ValueError)
    msg = str(ei.value)
    assert "'z'" in msg and "TensorType(float64, scalar)" in msg and "not provided" in msg
    assert f"{HERE}:{_line_of('# MISSING-Z')}" in msg


def test_missing_unnamed_input():
    x = T.dvector("x")
    with pytest.raises(MissingInputError, match=r"\(unnamed\) of type TensorType\(float64, vector\)"):
        function([x], x * T.dvector())


# ------------------------------------------------------- run-time errors

def test_runtime_error_names_node_shapes_dtypes_and_line(backend):
    a, b = T.dmatrices("a", "b")
    c = a + b  # ADD-LINE
    f = function([a, b], c, backend=backend)
    with pytest.raises(ValueError) as ei:
        f(np.ones((2, 3)), np.ones((4, 5)))
    msg = str(ei.value)
    assert "add" in msg and "Apply node that caused the error" in msg
    assert "(2, 3)" in msg and "(4, 5)" in msg and "dtype float64" in msg
    assert f"{HERE}:{_line_of('# ADD-LINE')}" in msg


def test_runtime_error_inside_fused_expression_keeps_the_line(backend):
    a, b = T.dmatrices("a", "b")
    out = T.exp(a * 2 + b) - 1  # FUSED-LINE
    f = function([a, b], out, backend=backend)
    with pytest.raises(ValueError) as ei:
        f(np.ones((2, 3)), np.ones((4, 3), dtype="float64"))
    msg = str(ei.value)
    assert "(2, 3)" in msg and "(4, 3)" in msg
    assert f"{HERE}:{_line_of('# FUSED-LINE')}" in msg


def test_runtime_error_mixed_dtypes_are_reported(backend):
    a, b = T.fmatrix("a"), T.imatrix("b")
    f = function([a, b], a * b, backend=backend)
    with pytest.raises(ValueError) as ei:
        f(np.ones((2, 3), "float32"), np.ones((3, 2), "int32"))
    msg = str(ei.value)
    assert "dtype float32" in msg and "dtype int32" in msg


def test_runtime_error_in_dot_names_shapes(backend):
    x, y = T.dmatrix("x"), T.dmatrix("y")
    f = function([x, y], T.dot(x, y), backend=backend)
    with pytest.raises(ValueError, match=r"(?s)\(2, 3\) and \(2, 3\).*input 0: x"):
        f(np.ones((2, 3)), np.ones((2, 3)))


# --------------------------------------------------- failures are atomic

def test_failed_call_leaves_shared_variables_unchanged(backend):
    a = shared(np.zeros(3), name="a")
    b = shared(np.ones(3), name="b")
    n = shared(0, name="n")
    x = T.dvector("x")
    f = function([x], (a * x).sum(), updates=[(a, a + 1), (n, n + 1), (b, b * x)], backend=backend)
    f(np.ones(3))
    before = (a.get_value(), b.get_value(), n.get_value())
    with pytest.raises(ValueError):
        f(np.ones(4))
    with pytest.raises(TypeError):
        f(np.ones((3, 3)))
    np.testing.assert_array_equal(a.get_value(), before[0])
    np.testing.assert_array_equal(b.get_value(), before[1])
    assert n.get_value() == before[2] == 1
    f(np.full(3, 2.0))
    assert n.get_value() == 2
    np.testing.assert_array_equal(b.get_value(), [2.0, 2.0, 2.0])


def test_failure_after_update_is_computed_changes_nothing(backend):
    s = shared(np.arange(3.0), name="s")
    x = T.dvector("x")
    # the update expression can run before the failing output node
    f = function([x], T.dot(s.dimshuffle(0, "x"), x.dimshuffle("x", 0)).sum() + (x + s).sum(),
                 updates=[(s, s * 10)], backend=backend)
    with pytest.raises(ValueError):
        f(np.ones(5))
    np.testing.assert_array_equal(s.get_value(), [0.0, 1.0, 2.0])
