"""Graph building: interned types, cached op hashes and output types, weak Python-scalar
constants and user locations -- the fast paths give the same answers as the slow ones."""
from __future__ import annotations

import pickle

import numpy as np
import pytest

from arignote import graph
from arignote import tensor as T
from arignote.config import config
from arignote.tensor.elemwise import DimShuffle, Elemwise
from arignote.types import TensorType


# ------------------------------------------------------------------- types

def test_equal_tensor_types_are_one_object():
    t = TensorType("float64", shape=(None, 3))
    assert TensorType(np.dtype("float64"), shape=[None, 3]) is t
    assert TensorType("float64", shape=(None, 3.0)) is t
    assert TensorType("float64", broadcastable=(False, True)) is TensorType("float64", shape=(None, 1))
    assert TensorType("float64", shape=(None, 4)) is not t and TensorType("float64", shape=(None, 4)) != t
    assert hash(TensorType("float32", shape=(2,))) == hash(TensorType("float32", shape=(2,)))
    assert pickle.loads(pickle.dumps(t)) is t
    assert T.dvector("a").type is T.dvector("b").type
    with pytest.raises(ValueError, match="negative static shape"):
        TensorType("float64", shape=(-1,))
    with pytest.raises(TypeError, match="unsupported dtype"):
        TensorType("float128" if hasattr(np, "float128") else "object", shape=())


def test_interned_types_follow_floatx():
    with config.change_flags(floatX="float32"):
        assert TensorType(None, shape=()).dtype == "float32" and TensorType("floatX", shape=()).dtype == "float32"
    assert TensorType(None, shape=()).dtype == config.floatX


# --------------------------------------------------------------------- ops

def test_op_hash_and_equality_survive_pickling():
    add = T.add
    other = Elemwise(add.scalar_op)
    assert other == add and hash(other) == hash(add) and other != T.mul
    add2 = pickle.loads(pickle.dumps(add))
    assert add2 == add and hash(add2) == hash(add)
    ds = DimShuffle((False, True), [0])
    ds2 = pickle.loads(pickle.dumps(ds))
    assert ds2 == ds and hash(ds2) == hash(ds) and ds2.new_order == (0,)
    assert ds != DimShuffle((False, True), ["x", 0, 1]) and ds != DimShuffle((False, False), [0, 1])


def test_output_types_are_remembered_but_errors_are_raised_every_time():
    a, b = T.dmatrix("a"), T.dvector("b")
    assert (a + b).type is (a + b).type is TensorType("float64", shape=(None, None))
    assert (b + a).owner.inputs[0].owner.op == DimShuffle((False,), ["x", 0])  # padded on the left
    r = T.tensor("float64", shape=(2, 3))
    c = T.tensor("float64", shape=(4, 3))
    for _ in range(2):
        with pytest.raises(ValueError, match="cannot be broadcast together"):
            r + c
        with pytest.raises(TypeError, match="integer or boolean inputs"):
            T.and_(a, a)


# -------------------------------------------------------- weak Python scalars

@pytest.mark.parametrize("make, value, want", [
    (T.fvector, 2.5, "float32"), (T.bvector, 1, "int8"), (T.bvector, True, "int8"),
    (T.ivector, 1.5, "float64"), (T.fvector, 1j, "complex64"), (T.lvector, 2.0, "float64"),
])
def test_python_scalars_promote_weakly_as_in_numpy(make, value, want):
    x = make("x")
    arr = np.ones(2, dtype=x.dtype)
    assert (arr * value).dtype == want  # NumPy 2 agrees
    for _ in range(2):  # the second time answers from the cache
        assert (x * value).dtype == want


def test_weak_constants_keep_value_sign_and_bounds():
    x = T.dvector("x")
    pos, neg = (x + 0.0).owner.inputs[1], (x + -0.0).owner.inputs[1]
    zero, negzero = pos.owner.inputs[0].data, neg.owner.inputs[0].data
    assert not np.signbit(zero) and np.signbit(negzero)
    assert (x * 3).owner.inputs[1].owner.inputs[0].data == 3.0
    assert (T.bvector() + True).owner.inputs[1].owner.inputs[0].data.dtype == np.int8
    with pytest.raises(OverflowError, match="out of bounds for int8"):
        T.bvector("b") + 1000
    c = (x + 2.0).owner.inputs[1].owner.inputs[0]
    with pytest.raises(ValueError):
        c.data[()] = 5.0  # constants are read-only (equal ones may share one array)


# --------------------------------------------------------- user locations

def test_trace_is_the_users_line():
    x = T.dvector("x")  # X-LINE
    y = T.exp(x) * 2  # Y-LINE
    src = open(__file__).read().splitlines()
    assert x.tag.trace == (__file__, _line(src, "# X-LINE"))
    assert y.owner.tag.trace == (__file__, _line(src, "# Y-LINE"))
    tr = y.owner.tag.trace
    assert f"{tr[0]}:{tr[1]}" == f"{__file__}:{_line(src, '# Y-LINE')}" and tuple(tr) == (tr[0], tr[1])
    assert pickle.loads(pickle.dumps(tr)) == tr and type(pickle.loads(pickle.dumps(tr))) is tuple


def test_trace_in_a_long_script_names_the_right_line():
    body = "\n".join(f"a{i} = {i}" for i in range(3000))
    src = f"from arignote import tensor as T\n{body}\nx = T.dscalar('x')\ny = T.sin(x) + 1\n"
    ns = {}
    exec(compile(src, "long_script.py", "exec"), ns)
    assert ns["x"].tag.trace == ("long_script.py", 3002)
    assert ns["y"].owner.tag.trace == ("long_script.py", 3003)
    assert ns["y"].owner.inputs[0].owner.tag.trace == ("long_script.py", 3003)


def test_nodes_made_by_rewrites_have_no_location_until_given_one():
    x = T.dvector("x")
    node = graph.Apply(T.exp, [x], [x.type()])
    assert getattr(node.tag, "trace", None) is None
    node.tag.trace = ("f.py", 3)
    assert node.tag.trace == ("f.py", 3)


def _line(lines, marker):
    return next(i for i, ln in enumerate(lines, 1) if marker in ln and "_line(" not in ln)
