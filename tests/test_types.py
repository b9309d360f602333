"""Types and constructors: every prefixed constructor, plurals, floatX generics, T.tensor, printing."""
from __future__ import annotations

import numpy as np
import pytest

import arignote
from arignote import config, function
from arignote import tensor as T
from arignote.types import TensorType

PREFIXES = {"b": "int8", "w": "int16", "i": "int32", "l": "int64",
            "f": "float32", "d": "float64", "c": "complex64", "z": "complex128"}
KINDS = {"scalar": (), "vector": (False,), "matrix": (False, False), "row": (True, False),
         "col": (False, True), "tensor3": (False,) * 3, "tensor4": (False,) * 4}
KIND_STR = {"scalar": "scalar", "vector": "vector", "matrix": "matrix", "row": "row", "col": "col",
            "tensor3": "3D", "tensor4": "4D"}


@pytest.mark.parametrize("prefix", list(PREFIXES))
@pytest.mark.parametrize("kind", list(KINDS))
def test_prefixed_constructor(prefix, kind):
    t = getattr(T, prefix + kind)
    dtype, bc = PREFIXES[prefix], KINDS[kind]
    assert isinstance(t, TensorType)
    assert t.dtype == dtype and t.broadcastable == bc and t.ndim == len(bc)
    assert str(t) == repr(t) == f"TensorType({dtype}, {KIND_STR[kind]})"
    v = t("v")
    assert type(v).__name__ == "TensorVariable"
    assert v.type == t and v.type is t
    assert (v.dtype, v.ndim, v.name, v.broadcastable) == (dtype, len(bc), "v", bc)
    u = t()
    assert u.name is None and u.type == t
    assert repr(u) == f"<TensorType({dtype}, {KIND_STR[kind]})>"
    assert repr(v) == str(v) == "v"


@pytest.mark.parametrize("prefix", list(PREFIXES))
def test_plurals(prefix):
    dtype = PREFIXES[prefix]
    xs = getattr(T, prefix + "scalars")("x", "y")
    assert [x.name for x in xs] == ["x", "y"]
    assert all(x.type == getattr(T, prefix + "scalar") for x in xs)
    ms = getattr(T, prefix + "matrices")("a", "b", "c")
    assert [m.name for m in ms] == ["a", "b", "c"] and all(m.dtype == dtype and m.ndim == 2 for m in ms)
    for kind in ("vectors", "rows", "cols", "tensor3s", "tensor4s"):
        v = getattr(T, prefix + kind)("q")  # one name: one variable, as Theano
        assert v.dtype == dtype and v.name == "q"
    assert getattr(T, prefix + "rows")("r").broadcastable == (True, False)
    assert [v.name for v in getattr(T, prefix + "vectors")("uvw")] == ["u", "v", "w"]  # one letter each


def test_seed_plural_forms():
    x, y = T.dscalars("x", "y")
    assert (x.name, y.name) == ("x", "y") and x.type == T.dscalar
    a, b = T.dmatrices("a", "b")
    assert a.type == T.dmatrix and b.name == "b"
    n3 = T.ivectors(3)
    assert len(n3) == 3 and all(v.type == T.ivector and v.name is None for v in n3)
    assert [v.name for v in T.fscalars("p, q")] == ["p", "q"]
    assert T.dscalars("x", "y")[0] is not T.dscalars("x", "y")[0]


@pytest.mark.parametrize("kind", ["scalar", "vector", "matrix", "row", "col", "tensor3", "tensor4"])
def test_generic_constructors_use_floatX(kind):
    assert config.floatX == "float64"
    v = getattr(T, kind)("v")
    assert v.dtype == "float64" and v.broadcastable == KINDS[kind] and v.name == "v"
    with config.change_flags(floatX="float32"):
        w = getattr(T, kind)()
        assert config.floatX == "float32"
    assert w.dtype == "float32" and w.broadcastable == KINDS[kind]
    assert config.floatX == "float64"  # restored
    assert getattr(T, kind)(dtype="int16").dtype == "int16"


def test_generic_plurals_use_floatX():
    with config.change_flags(floatX="float32"):
        a, b = T.matrices("a", "b")
        s = T.scalars("s")
        vs = T.vectors(2)
    assert (a.dtype, b.dtype, s.dtype) == ("float32",) * 3
    assert a.name == "a" and len(vs) == 2 and vs[0].dtype == "float32"


def test_floatx_python_float_constant():
    with config.change_flags(floatX="float32"):
        assert (T.fvector() * 2.5).dtype == "float32"
        f = function([], T.constant(1.5))
        assert f().dtype == np.float32


def test_tensor_general_constructor():
    v = T.tensor("float32", shape=(None, 3))
    assert v.type.shape == (None, 3) and v.broadcastable == (False, False) and v.ndim == 2
    assert v.dtype == "float32" and v.name is None
    assert str(v.type) == "TensorType(float32, shape=(?, 3))"
    w = T.tensor("int64", shape=(1, None), name="w")
    assert w.broadcastable == (True, False) and w.name == "w" and w.type == T.lrow
    assert T.tensor(dtype="float64", shape=()).type == T.dscalar
    assert T.tensor("float64", shape=(None, None, None)).type == T.dtensor3
    theano_order = T.tensor("float64", (False, True))
    assert theano_order.type == T.dcol
    assert T.tensor(shape=(2,)).dtype == config.floatX
    with config.change_flags(floatX="float32"):
        assert T.tensor(shape=(None,)).dtype == "float32"
    assert str(T.tensor("float64", shape=(5,)).type) == "TensorType(float64, shape=(5,))"


def test_tensor_needs_a_shape():
    with pytest.raises(TypeError, match="shape"):
        T.tensor("float64")


def test_static_shape_is_checked_at_call():
    v = T.tensor("float64", shape=(None, 3), name="v")
    f = function([v], v * 2)
    np.testing.assert_array_equal(f(np.ones((2, 3))), 2 * np.ones((2, 3)))
    with pytest.raises(TypeError, match=r"'?v'?.*\(2, 4\).*size 3 on axis 1"):
        f(np.ones((2, 4)))


def test_tensor_type_equality_and_hash():
    assert TensorType("float64", (False,)) == T.dvector
    assert hash(TensorType("float64", (False,))) == hash(T.dvector)
    assert TensorType("float64", shape=(None,)) == T.dvector
    assert TensorType("float32", (False,)) != T.dvector
    assert T.drow != T.dmatrix and T.dcol != T.drow
    assert TensorType("float64", shape=(1, None)) == T.drow
    assert len({T.dvector, TensorType("float64", (False,)), T.fvector}) == 2


@pytest.mark.parametrize("dtype", ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                                   "float16", "float32", "float64", "complex64", "complex128"])
def test_every_dtype_round_trips(dtype):
    t = TensorType(dtype, shape=(None,))
    x = t("x")
    f = function([x], x)
    a = np.arange(3).astype(dtype)
    out = f(a)
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out, a)


def test_dtype_spellings():
    assert TensorType(np.float32, (False,)).dtype == "float32"
    assert TensorType(np.dtype("int16"), ()).dtype == "int16"
    assert TensorType("floatX", ()).dtype == config.floatX


@pytest.mark.parametrize("dtype", ["float128", "object", "U3", "datetime64"])
def test_unsupported_dtype(dtype):
    with pytest.raises(TypeError, match="unsupported dtype"):
        TensorType(dtype, (False,))


def test_shape_broadcastable_conflict():
    with pytest.raises(TypeError, match="disagrees"):
        TensorType("float64", broadcastable=(True,), shape=(3,))
    with pytest.raises(ValueError, match="negative"):
        TensorType("float64", shape=(-1,))


def test_variable_attributes():
    x = T.fmatrix("x")
    assert (x.dtype, x.ndim, x.name, x.broadcastable, x.owner) == ("float32", 2, "x", (False, False), None)
    y = x + 1
    assert y.owner is not None and y.name is None and y.type == T.fmatrix
    y.name = "y"
    assert str(y) == "y"
    r = T.frow("r")
    assert (r + x).broadcastable == (False, False)
    assert (r + r).broadcastable == (True, False)
    assert (r.dimshuffle(1, 0)).broadcastable == (False, True)


def test_variable_is_not_bool_iterable_or_sized():
    x = T.dvector("x")
    with pytest.raises(TypeError, match="truth value"):
        bool(x)
    with pytest.raises(TypeError, match="iterated"):
        iter(x)
    with pytest.raises(TypeError, match="len"):
        len(x)


def test_eq_is_identity_like_theano():
    x = T.dscalar("x")
    assert (x == x) is True
    assert (x == T.dscalar("x")) is False
    assert x in {x: 1}
    np.testing.assert_array_equal(T.eq(x, 2).eval({x: 2.0}), True)


def test_constant_types():
    c = T.constant(np.arange(3, dtype="int16"))
    assert c.dtype == "int16" and c.type.shape == (3,) and c.broadcastable == (False,)
    assert T.constant(2.0).dtype == "float64" and T.constant(2).dtype == "int64" and T.constant(True).dtype == "bool"
    assert T.constant(1, dtype="float32").dtype == "float32"
    assert T.constant([[1.0]]).broadcastable == (True, True)
    assert str(T.constant(3.5)) == "TensorConstant{3.5}"  # Theano's spelling
    with pytest.raises(TypeError, match="string"):
        T.constant("abc")
    assert not c.data.flags.writeable  # constants are frozen
    assert T.as_tensor_variable(c) is c
    assert T.as_tensor_variable([1, 2]).dtype == "int64"


def test_arignote_top_level_api():
    assert arignote.tensor is T
    for name in ("function", "shared", "In", "grad", "pp", "config", "printing"):
        assert hasattr(arignote, name), name
    assert T.dscalar is arignote.tensor.dscalar
