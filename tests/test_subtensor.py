"""Indexing: table-driven cases on every backend, plus errors, graph structure and shapes."""
from __future__ import annotations

import os
import sys

import numpy as np
import pytest

import arignote
from arignote import tensor as T
from arignote.testing import run_case
from arignote.tensor.indexing import inc_subtensor, set_subtensor, take
from arignote.tensor.subtensor import (
    AdvancedIncSubtensor,
    AdvancedSubtensor,
    IncSubtensor,
    Subtensor,
)
from arignote.types import TensorType

sys.path.insert(0, os.path.dirname(__file__))
from arignote.conformance.index_table import CASES  # noqa: E402



@pytest.mark.parametrize("case", CASES, ids=str)
def test_case(case, backend):
    run_case(case, backend=backend)


def test_case_ids_unique():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


# ------------------------------------------------------------------ graph structure


def _fn(inputs, outputs):
    return arignote.function(inputs, outputs)


def test_one_op_serves_every_value():
    x = T.dmatrix("x")
    i = T.lscalar("i")
    a, b = x[1:3], x[i:5]
    assert a.owner.op == b.owner.op
    assert hash(a.owner.op) == hash(b.owner.op)
    assert x[2].owner.op == x[i].owner.op
    assert x[::-1].owner.op != x[1:].owner.op


def test_basic_is_view_advanced_is_not():
    x = T.dvector("x")
    assert isinstance(x[1:].owner.op, Subtensor)
    assert x[1:].owner.op.view_map == {0: [0]}
    assert isinstance(x[[1, 2]].owner.op, AdvancedSubtensor)
    assert not getattr(x[[1]].owner.op, "view_map", {})


def test_trailing_full_slices_merge():
    x = T.dmatrix("x")
    assert x[1:, :].owner.op == x[1:].owner.op
    assert x[1, ...].owner.op == x[1].owner.op


def test_static_shapes():
    x = T.tensor("float64", shape=(5, None, 3))
    assert x[1:].type.shape == (4, None, 3)
    assert x[::-2].type.shape == (3, None, 3)
    assert x[:, 2].type.shape == (5, 3)
    assert x[:, :, 7:].type.shape == (5, None, 0)
    assert x[None, 0, ..., None].type.shape == (1, None, 3, 1)
    assert x[[0, 0, 1, 1]].type.shape == (4, None, 3)
    assert x[:, [[0, 1]], 0].type.shape == (5, 1, 2)
    assert x[[0, 1], :, [1, 2]].type.shape == (2, None)
    assert x[np.array([True, False, True, True, False])].type.shape == (3, None, 3)
    i = T.lscalar()
    assert x[i:].type.shape == (None, None, 3)


def test_output_ndim_follows_numpy():
    rng = np.random.default_rng(0)
    arr = rng.standard_normal((3, 4, 5))
    x = T.dtensor3("x")
    idxs = [
        (slice(None), [0, 1], [1, 2]),
        ([0, 1], slice(None), [1, 2]),
        (None, [0, 1], None, 0),
        (0, slice(None), [[0, 1]]),
        (Ellipsis, None, [1]),
        (np.ones((3, 4), dtype=bool), None),
        ([1], Ellipsis, [2]),
        (True, 0),
    ]
    for idx in idxs:
        f = _fn([x], x[idx])
        assert f(arr).shape == arr[idx].shape, idx
        assert x[idx].ndim == arr[idx].ndim, idx


# ------------------------------------------------------------------------ shapes


def _check_infer_shape(out, inputs, values):
    """The op's infer_shape, evaluated on symbolic input shapes, equals the real output shape."""
    node = out.owner
    shape_vars, shape_vals = [], []
    in_shapes = []
    val_of = dict(zip(inputs, values))
    for v in node.inputs:
        shp = []
        if v in val_of:
            real = np.shape(val_of[v])
        elif hasattr(v, "data"):
            real = np.shape(v.data)
        else:
            real = np.shape(arignote.function(inputs, v, on_unused_input="ignore")(*values))
        for s in real:
            sv = T.lscalar()
            shape_vars.append(sv)
            shape_vals.append(np.int64(s))
            shp.append(sv)
        in_shapes.append(tuple(shp))
    (symb,) = node.op.infer_shape(None, node, in_shapes)
    want = arignote.function(inputs, out, on_unused_input="ignore")(*values).shape
    assert len(symb) == len(want)
    if not symb:
        return
    f = arignote.function(list(inputs) + shape_vars, list(symb), on_unused_input="ignore")
    got = tuple(int(g) for g in f(*values, *shape_vals))
    assert got == want


@pytest.mark.parametrize(
    "build",
    [
        lambda x, i: x[1:, ::-1],
        lambda x, i: x[i],
        lambda x, i: x[i:-1:2],
        lambda x, i: x[-1:-10:-3, i],
        lambda x, i: x[[0, 0, 2]],
        lambda x, i: x[:, [[1], [2]]],
        lambda x, i: x[x > 0],
        lambda x, i: x[x[:, 0] > 0, 1:],
        lambda x, i: x[[1, 2], i],
        lambda x, i: x[None, [2, 1], None],
        lambda x, i: set_subtensor(x[1:], 0.0),
        lambda x, i: inc_subtensor(x[[0, 0]], 1.0),
    ],
)
def test_infer_shape(build):
    x = T.dmatrix("x")
    i = T.lscalar("i")
    arr = np.random.default_rng(1).standard_normal((5, 4))
    out = build(x, i)
    if isinstance(out.owner.op, (Subtensor, AdvancedSubtensor, IncSubtensor, AdvancedIncSubtensor)):
        _check_infer_shape(out, [x, i], [arr, np.int64(2)])


# ------------------------------------------------------------------------ errors


def test_too_many_indices():
    x = T.dmatrix("x")
    with pytest.raises(IndexError, match=r"too many indices.*x.*TensorType\(float64, matrix\).*2-dimensional.*3"):
        x[1, 2, 3]
    with pytest.raises(IndexError, match="too many indices"):
        x[[0], 1, 2]
    with pytest.raises(IndexError, match="too many indices"):
        x[np.ones((2, 2, 2), dtype=bool)]


def test_float_index():
    x = T.dvector("x")
    with pytest.raises(TypeError, match=r"1\.5.*float.*x"):
        x[1.5]
    with pytest.raises(TypeError, match="float64"):
        x[T.dscalar("f")]
    with pytest.raises(TypeError, match="float"):
        x[np.array([0.0, 1.0])]
    with pytest.raises(TypeError, match="slice stop"):
        x[: 2.0]
    with pytest.raises(TypeError, match="float64"):
        x[T.dvector("fv")]


def test_bad_index_types():
    x = T.dvector("x")
    with pytest.raises(TypeError, match="str"):
        x["a"]
    with pytest.raises(IndexError, match="single ellipsis"):
        x[..., ...]
    with pytest.raises(ValueError, match="step cannot be zero"):
        x[::0]


def test_static_out_of_range():
    x = T.tensor("float64", shape=(3, None))
    with pytest.raises(IndexError, match=r"index 3 is out of bounds for axis 0 with size 3"):
        x[3]
    with pytest.raises(IndexError, match=r"index -4"):
        x[-4, 1]


def test_runtime_out_of_range_names_index_axis_size():
    x = T.dmatrix("x")
    i = T.lscalar("i")
    f = _fn([x, i], x[1, i])
    assert float(f(np.zeros((2, 3)), 2)) == 0.0
    with pytest.raises(IndexError, match=r"index 5 is out of bounds for axis 1 with size 3"):
        f(np.zeros((2, 3)), 5)
    g = _fn([x], x[[0, 7]])
    with pytest.raises(IndexError, match=r"7.*axis 0.*size 2"):
        g(np.zeros((2, 3)))


def test_runtime_zero_step():
    x = T.dvector("x")
    k = T.lscalar("k")
    f = _fn([x, k], x[::k])
    with pytest.raises(ValueError, match="step cannot be zero"):
        f(np.zeros(3), 0)


def test_mask_shape_mismatch():
    x = T.tensor("float64", shape=(3, None))
    with pytest.raises(IndexError, match="boolean index"):
        x[np.array([True, False])]
    y = T.dmatrix("y")
    m = T.bvector("m") > 0
    f = _fn([y, m.owner.inputs[0]], y[m])
    with pytest.raises(IndexError):
        f(np.zeros((3, 2)), np.array([1, 0], dtype="int8"))


def test_set_subtensor_needs_indexed_variable():
    x = T.dmatrix("x")
    with pytest.raises(TypeError, match=r"indexed expression.*x\[1:3\]"):
        set_subtensor(x, 1.0)
    with pytest.raises(TypeError, match="indexed expression"):
        inc_subtensor(x + 1, 1.0)
    with pytest.raises(TypeError, match="indexed expression"):
        inc_subtensor(np.zeros(3), 1.0)


def test_set_value_errors():
    x = T.tensor("float64", shape=(4, 5))
    with pytest.raises(ValueError, match="more dimensions"):
        set_subtensor(x[0], T.dmatrix())
    with pytest.raises(ValueError, match="cannot be broadcast"):
        set_subtensor(x[1:], np.zeros((3, 4)))
    xi = T.ivector("xi")
    with pytest.raises(TypeError, match="losing data"):
        set_subtensor(xi[0], 1.5)
    y = T.dvector("y")
    xm = T.dmatrix("xm")
    f = _fn([xm, y], inc_subtensor(xm[1:], y))
    with pytest.raises(ValueError, match="broadcast"):
        f(np.zeros((3, 4)), np.zeros(1))


def test_take_errors():
    x = T.dmatrix("x")
    with pytest.raises(ValueError, match="out of bounds"):
        take(x, [0], axis=2)
    with pytest.raises(TypeError, match="integers"):
        take(x, [0.5], axis=0)


# ------------------------------------------------------------- semantics details


def test_inc_accumulates_like_add_at_and_set_keeps_last():
    x = T.dvector("x")
    i = T.lvector("i")
    y = T.dvector("y")
    f = _fn([x, i, y], [inc_subtensor(x[i], y), set_subtensor(x[i], y)])
    xv = np.zeros(4)
    iv = np.array([0, 2, 2, 2, -1, 3])
    yv = np.arange(1.0, 7.0)
    inc, st = f(xv, iv, yv)
    want = xv.copy()
    np.add.at(want, iv, yv)
    np.testing.assert_array_equal(inc, want)
    want2 = xv.copy()
    want2[iv] = yv
    np.testing.assert_array_equal(st, want2)
    assert st[3] == 6.0  # index 3 is written twice (-1 and 3): the last write wins


def test_grad_repeated_indices_accumulate():
    x = T.dvector("x")
    cost = T.sum(x[[1, 1, 1, 0]] * np.array([1.0, 2.0, 3.0, 4.0]))
    g = arignote.grad(cost, x)
    np.testing.assert_array_equal(_fn([x], g)(np.zeros(3)), [4.0, 6.0, 0.0])


def test_grad_of_index_is_disconnected():
    x = T.dvector("x")
    i = T.lscalar("i")
    gx = arignote.grad(T.sum(x[i:]), x)
    np.testing.assert_array_equal(_fn([x, i], gx)(np.zeros(4), 1), [0, 1, 1, 1])


def test_inputs_not_mutated():
    x = T.dvector("x")
    f = _fn([x], [set_subtensor(x[1:], 0.0), inc_subtensor(x[[0, 0]], 1.0)])
    xv = np.arange(3.0)
    f(xv)
    np.testing.assert_array_equal(xv, [0.0, 1.0, 2.0])


def test_getitem_method_and_exports():
    assert T.set_subtensor is set_subtensor
    assert T.inc_subtensor is inc_subtensor
    assert T.take is take
    x = T.tensor("float64", shape=(None, None))
    assert x[0].type == TensorType("float64", shape=(None,))


def test_output_is_ndarray_of_dtype():
    x = T.ivector("x")
    f = _fn([x], [x[0], x[[1]], set_subtensor(x[0], 3)])
    for r in f(np.arange(3, dtype="int32")):
        assert type(r) is np.ndarray and r.dtype == np.int32


# ------------------------------------------------------- random indices vs NumPy

hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies

_SHAPE = (3, 4, 2)


@st.composite
def _numpy_index(draw):
    entries = []
    dims_left = len(_SHAPE)
    used_ellipsis = False
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["int", "slice", "none", "ellipsis", "array", "mask"]))
        axis = len(_SHAPE) - dims_left
        if kind == "none":
            entries.append(None)
        elif kind == "ellipsis":
            if used_ellipsis:
                continue
            used_ellipsis = True
            entries.append(Ellipsis)
        elif dims_left == 0:
            continue
        elif kind == "int":
            n = _SHAPE[axis]
            entries.append(draw(st.integers(-n, n - 1)))
            dims_left -= 1
        elif kind == "slice":
            bound = st.one_of(st.none(), st.integers(-6, 6))
            step = draw(st.one_of(st.none(), st.integers(-3, 3).filter(lambda k: k != 0)))
            entries.append(slice(draw(bound), draw(bound), step))
            dims_left -= 1
        elif kind == "array":
            n = _SHAPE[axis]
            shp = tuple(draw(st.lists(st.integers(1, 3), min_size=0, max_size=2)))
            vals = draw(st.lists(st.integers(-n, n - 1), min_size=int(np.prod(shp)), max_size=int(np.prod(shp))))
            entries.append(np.array(vals, dtype="int64").reshape(shp) if shp else np.array(vals or [0]))
            dims_left -= 1
        else:
            k = draw(st.integers(1, min(2, dims_left)))
            shp = _SHAPE[axis:axis + k]
            bits = draw(st.lists(st.booleans(), min_size=int(np.prod(shp)), max_size=int(np.prod(shp))))
            entries.append(np.array(bits, dtype=bool).reshape(shp))
            dims_left -= k
    return tuple(entries)


@hypothesis.settings(max_examples=150, deadline=None)
@hypothesis.given(_numpy_index())
def test_random_index_matches_numpy(idx):
    arr = np.arange(np.prod(_SHAPE), dtype="float64").reshape(_SHAPE)
    try:
        want = arr[idx]
    except IndexError:
        # broadcast mismatch between index arrays: we must refuse too (statically or at run time)
        x = T.dtensor3("x")
        with pytest.raises((IndexError, ValueError)):
            arignote.function([x], x[idx])(arr)
        return
    for static in (False, True):
        x = T.tensor("float64", shape=_SHAPE if static else (None,) * 3, name="x")
        out = x[idx]
        got = arignote.function([x], out)(arr)
        assert got.shape == want.shape and got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
        assert all(s is None or s == w for s, w in zip(out.type.shape, want.shape)), (out.type, want.shape)
        # set/inc through the same index, against NumPy
        y = T.dvector("y") if want.ndim else T.dscalar("y")
        yv = np.arange(want.shape[-1] if want.ndim else 1, dtype="float64") + 100.0
        yv = yv if want.ndim else yv[0]
        if want.size:
            f = arignote.function([x, y], [set_subtensor(out, y), inc_subtensor(out, y)])
            s_got, i_got = f(arr, yv)
            s_want = arr.copy()
            s_want[idx] = yv
            i_want = arr.copy()
            np.add.at(i_want, idx, yv)
            np.testing.assert_array_equal(s_got, s_want)
            np.testing.assert_array_equal(i_got, i_want)
        # gradient: the weights scattered back with accumulation
        r = np.random.default_rng(0).standard_normal(want.shape)
        g = arignote.grad(T.sum(out * r), x)
        g_want = np.zeros_like(arr)
        np.add.at(g_want, idx, r)
        np.testing.assert_allclose(arignote.function([x], g)(arr), g_want, rtol=1e-12)
    if isinstance(out.owner.op, (Subtensor, AdvancedSubtensor)):
        x = T.dtensor3("x")
        _check_infer_shape(x[idx], [x], [arr])
