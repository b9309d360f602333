"""Shape ops: table-driven cases on every backend, infer_shape, static shapes and error messages."""
from __future__ import annotations

import numpy as np
import pytest

import arignote
from arignote import tensor as T
from arignote.conformance.shape_table import CASES
from arignote.tensor import basic, extra_ops, shape_ops
from arignote.testing import run_case, symbolic_inputs
from arignote.types import TensorType


@pytest.mark.parametrize("case", CASES, ids=str)
def test_case(case, backend):
    run_case(case, backend=backend)


def test_case_ids_unique():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


# ------------------------------------------------------------- infer_shape

_SHAPE_OPS = (shape_ops.Shape, shape_ops.Shape_i, shape_ops.MakeVector, shape_ops.Reshape, basic.Alloc, basic.ARange, basic.Join, basic.Split,
              extra_ops.Repeat, extra_ops.RepeatGrad, extra_ops.Roll, basic.Eye, extra_ops.AllocDiag, extra_ops.ExtractDiag)


def _builds_nodes(case):
    xs = symbolic_inputs(case)
    out = case.build(*xs)
    return bool(arignote.graph.io_toposort(xs, out if isinstance(out, (list, tuple)) else [out]))


def _outputs(case):
    xs = symbolic_inputs(case)
    out = case.build(*xs)
    return xs, out if isinstance(out, (list, tuple)) else [out]


def _has_shape_entries(case):
    """Some node of the case's graph has an output of rank >= 1 (an infer_shape entry to check)."""
    xs, outs = _outputs(case)
    return any(o.ndim for n in arignote.graph.io_toposort(xs, outs) for o in n.outputs)


def _has_static_dims(case):
    xs, outs = _outputs(case)
    return any(s is not None for o in outs for s in o.type.shape)


# no-op cases (e.g. transposing a vector) return their input: no node to ask; 0-d results: no entry
@pytest.mark.parametrize("case", [c for c in CASES if _builds_nodes(c) and _has_shape_entries(c)], ids=str)
def test_infer_shape(case):
    """Every node's infer_shape (shape ops and the rest of each case's graph) evaluates to the
    shape its perform produces."""
    xs = symbolic_inputs(case)
    out = case.build(*xs)
    outs = out if isinstance(out, (list, tuple)) else [out]
    nodes = [n for n in arignote.graph.io_toposort(xs, outs)
             if isinstance(n.op, _SHAPE_OPS) or type(n.op).infer_shape is not arignote.Op.infer_shape]
    assert nodes, f"[{case.id}] builds no node with an infer_shape"
    exprs, actual = [], []
    for node in nodes:
        in_shapes = [shape_ops.shape_tuple(i) for i in node.inputs]
        shapes = node.op.infer_shape(None, node, in_shapes)
        assert len(shapes) == len(node.outputs)
        for o, s in zip(node.outputs, shapes):
            assert len(s) == o.ndim, f"{node.op}: infer_shape gave {len(s)} entries for a {o.ndim}-d output"
            for e in s:
                assert e.ndim == 0 and e.dtype == "int64", f"{node.op}: shape entry {e} of type {e.type}"
            exprs.extend(s)
            actual.append((o, len(s)))
    assert exprs, f"[{case.id}] no infer_shape entry to check"
    f = arignote.function(xs, list(exprs) + [o for o, _ in actual], on_unused_input="ignore")
    vals = f(*[np.asarray(a) for a in case.inputs])
    inferred, results = vals[: len(exprs)], vals[len(exprs):]
    k = 0
    for (o, n), r in zip(actual, results):
        got = tuple(int(v) for v in inferred[k:k + n])
        k += n
        assert got == r.shape, f"[{case.id}] {o.owner.op}: infer_shape {got} != actual {r.shape}"


# only cases whose outputs have some fixed size (the others have nothing to check)
@pytest.mark.parametrize("case", [c for c in CASES if _has_static_dims(c)], ids=str)
def test_static_shape_is_honoured(case):
    """The static shape of every output type agrees with the computed value."""
    xs = symbolic_inputs(case)
    out = case.build(*xs)
    outs = out if isinstance(out, (list, tuple)) else [out]
    f = arignote.function(xs, outs, on_unused_input="ignore")
    checked = 0
    for o, v in zip(outs, f(*[np.asarray(a) for a in case.inputs])):
        assert len(o.type.shape) == v.ndim, f"[{case.id}] type of rank {len(o.type.shape)}, value {v.shape}"
        for s, a in zip(o.type.shape, v.shape):
            assert s is None or s == a, f"[{case.id}] static shape {o.type.shape} vs value shape {v.shape}"
            checked += s is not None
    assert checked


# ----------------------------------------------------------- static shapes


def test_shape_is_int64_vector_of_static_length():
    x = T.dtensor3("x")
    s = x.shape
    assert s.dtype == "int64" and s.type.shape == (3,)
    assert shape_ops.shape_i(x, 1).type.shape == () and shape_ops.shape_i(x, 1).dtype == "int64"


def test_shape_i_of_static_axis_is_constant():
    x = TensorType("float64", shape=(None, 5))("x")
    assert isinstance(shape_ops.shape_i(x, 1), arignote.Constant)
    assert int(shape_ops.shape_i(x, -1).data) == 5


def test_reshape_static_shapes():
    x = T.dmatrix("x")
    assert shape_ops.reshape(x, (2, 3, 1)).type.shape == (2, 3, 1)
    assert shape_ops.reshape(x, (2, -1)).type.shape == (2, None)
    assert shape_ops.reshape(x, (x.shape[0], 1)).type.broadcastable == (False, True)
    y = TensorType("float64", shape=(4, 6))("y")
    assert shape_ops.reshape(y, (-1, 3)).type.shape == (8, 3)
    assert y.flatten().type.shape == (24,)
    assert T.dtensor3("z").flatten(2).type.shape[0] is None


def test_alloc_static_shapes():
    assert basic.zeros((2, 3)).type.shape == (2, 3)
    v = TensorType("float64", shape=(None, 4))("v")
    n = T.lscalar("n")
    assert basic.alloc(v, 7, n, 2 + 2).type.shape == (7, None, 4)
    assert basic.alloc(T.dvector("w"), n, 1).type.shape == (None, 1)


def test_join_and_arange_static_shapes():
    a = TensorType("float64", shape=(2, 3))("a")
    b = TensorType("float64", shape=(4, None))("b")
    assert basic.concatenate([a, b]).type.shape == (6, 3)
    assert basic.arange(2, 11, 3).type.shape == (3,)
    assert basic.arange(T.lscalar()).type.shape == (None,)
    assert basic.stack([T.dscalar(), T.dscalar()]).type.shape == (2,)


def test_variable_methods_use_shape_module():
    x = T.dmatrix("x")
    for expr in (x.reshape((6,)), x.reshape(2, 3), x.flatten(), x.T, x.transpose(1, 0), x.repeat(2, axis=0)):
        assert expr.owner is not None
    f = arignote.function([x], [x.reshape((6,)), x.T, x.repeat(2, axis=1)])
    a = np.arange(6.0).reshape(2, 3)
    r, t, rep = f(a)
    np.testing.assert_array_equal(r, a.reshape(6))
    np.testing.assert_array_equal(t, a.T)
    np.testing.assert_array_equal(rep, np.repeat(a, 2, axis=1))


def test_dtypes():
    from arignote.config import config

    assert basic.arange(3).dtype == "int64"
    assert basic.arange(0.5).dtype == config.floatX
    assert basic.arange(T.iscalar()).dtype == "int32"
    assert basic.arange(T.iscalar(), 2.5).dtype == config.floatX
    assert basic.arange(T.fscalar()).dtype == "float32"
    assert basic.zeros(3).dtype == config.floatX
    assert basic.ones(3, dtype="int8").dtype == "int8"
    assert basic.eye(2).dtype == config.floatX
    with config.change_flags(floatX="float32"):
        assert basic.zeros(3).dtype == "float32"
        assert basic.arange(1.5).dtype == "float32"


def test_ops_merge_by_props():
    assert shape_ops.Reshape(2) == shape_ops.Reshape(2) and hash(shape_ops.Reshape(2)) == hash(shape_ops.Reshape(2))
    assert basic.Join() == basic.Join()  # Theano's Join: the axis is its first input
    x = T.dmatrix("x")
    a, b = basic.join(0, x, x).owner, basic.join(1, x, x).owner
    assert [int(n.inputs[0].data) for n in (a, b)] == [0, 1]
    with pytest.raises(TypeError, match="join: the axis must be a constant integer"):
        basic.Join()(T.lscalar("ax"), x, x)
    assert basic.Split(2, 0) == basic.Split(2, 0)


def test_reshape_is_view_and_inputs_not_mutated():
    assert shape_ops.Reshape.view_map == {0: [0]}
    x = T.dvector("x")
    f = arignote.function([x], shape_ops.reshape(x, (2, 2)) * 1.0)
    a = np.arange(4.0)
    f(a)
    np.testing.assert_array_equal(a, np.arange(4.0))


def test_second_order_gradient_through_repeat_and_join():
    x = T.dvector("x")
    y = basic.concatenate([extra_ops.repeat(x, [1, 2, 0]), x ** 2])
    c = T.sum(y ** 2)
    g = arignote.grad(c, x)
    h = arignote.grad(T.sum(g), x)
    a = np.array([1.0, 2.0, 3.0])
    gv, hv = arignote.function([x], [g, h])(a)
    # c = x0^2 + 2 x1^2 + sum(x^4)
    np.testing.assert_allclose(gv, np.array([2, 4, 0]) * a + 4 * a ** 3)
    np.testing.assert_allclose(hv, np.array([2, 4, 0]) + 12 * a ** 2)


def test_make_vector_gradient():
    a, b = T.dscalar("a"), T.dscalar("b")
    v = basic.stack([a, b * 2])
    g = arignote.grad(T.sum(v * np.array([3.0, 5.0])), [a, b])
    assert [float(x) for x in arignote.function([a, b], g)(1.0, 1.0)] == [3.0, 10.0]


def test_split_gradient_with_unused_output():
    x = T.dvector("x")
    p0, p1 = basic.split(x, [2, 3])
    g = arignote.grad(T.sum(p1 * 2), x)
    np.testing.assert_array_equal(arignote.function([x], g)(np.ones(5)), [0, 0, 2, 2, 2])


def test_deep_chain_of_reshapes():
    x = T.dvector("x")
    y = x
    for k in range(2000):
        y = shape_ops.reshape(y, (2, -1)) if k % 2 == 0 else shape_ops.flatten(y)
    f = arignote.function([x], y)
    np.testing.assert_array_equal(f(np.arange(4.0)), np.arange(4.0))


# ---------------------------------------------------------- error messages


def test_reshape_runtime_size_mismatch_names_both_shapes():
    x = T.dmatrix("x")
    f = arignote.function([x], shape_ops.reshape(x, (4, 2)))
    with pytest.raises(ValueError, match=r"cannot reshape array of shape \(2, 3\).*into shape \(4, 2\)"):
        f(np.zeros((2, 3)))


def test_reshape_runtime_minus1_mismatch():
    x = T.dmatrix("x")
    f = arignote.function([x], shape_ops.reshape(x, (4, -1)))
    with pytest.raises(ValueError, match=r"cannot reshape array of shape \(2, 3\)"):
        f(np.zeros((2, 3)))


def test_reshape_static_size_mismatch():
    y = TensorType("float64", shape=(2, 3))("y")
    with pytest.raises(ValueError, match=r"cannot reshape y of shape \(2, 3\).*into shape \(4, 2\)"):
        shape_ops.reshape(y, (4, 2))


def test_reshape_two_minus_ones():
    with pytest.raises(ValueError, match="only specify one unknown dimension"):
        shape_ops.reshape(T.dmatrix(), (-1, -1))


def test_reshape_bad_entries():
    with pytest.raises(ValueError, match="invalid entry -3"):
        shape_ops.reshape(T.dmatrix(), (-3, 2))
    with pytest.raises(TypeError, match="expected an integer"):
        shape_ops.reshape(T.dmatrix(), (2.5, 2))
    with pytest.raises(TypeError, match="dtype float64"):
        shape_ops.reshape(T.dmatrix(), (T.dscalar("s"), 2))


def test_reshape_symbolic_vector_needs_ndim():
    with pytest.raises(ValueError, match="pass ndim="):
        shape_ops.reshape(T.dmatrix(), T.lvector("s"))
    with pytest.raises(TypeError, match="integer vector"):
        shape_ops.reshape(T.dmatrix(), T.dvector("s"), ndim=2)


def test_reshape_symbolic_vector_wrong_length_at_runtime():
    x, s = T.dmatrix("x"), T.lvector("s")
    f = arignote.function([x, s], shape_ops.reshape(x, s, ndim=2))
    with pytest.raises(ValueError, match="has 3 entries, expected 2"):
        f(np.zeros((2, 3)), np.array([1, 2, 3]))


def test_flatten_bad_ndim():
    with pytest.raises(ValueError, match="ndim must be between 1 and 2"):
        shape_ops.flatten(T.dmatrix(), 3)
    with pytest.raises(ValueError, match="ndim must be between"):
        shape_ops.flatten(T.dmatrix(), 0)


def test_join_ndim_mismatch_names_types():
    with pytest.raises(ValueError, match=r"same number of dimensions, got ndims \[2, 1\]"):
        basic.concatenate([T.dmatrix(), T.dvector()])


def test_join_axis_out_of_range():
    with pytest.raises(ValueError, match="axis 2 is out of bounds for a 2-d input"):
        basic.concatenate([T.dmatrix(), T.dmatrix()], axis=2)
    with pytest.raises(ValueError, match="axis -3 is out of bounds"):
        basic.join(-3, T.dmatrix(), T.dmatrix())


def test_join_scalars_refused():
    with pytest.raises(ValueError, match="cannot join 0-d"):
        basic.concatenate([T.dscalar(), T.dscalar()])


def test_join_static_mismatch():
    a = TensorType("float64", shape=(2, 3))("a")
    b = TensorType("float64", shape=(2, 4))("b")
    with pytest.raises(ValueError, match="differ on axis 1"):
        basic.concatenate([a, b])


def test_join_runtime_mismatch():
    x, y = T.dmatrix("x"), T.dmatrix("y")
    f = arignote.function([x, y], basic.concatenate([x, y]))
    with pytest.raises(ValueError, match=r"differ outside the join axis 0"):
        f(np.zeros((2, 3)), np.zeros((2, 4)))


def test_concatenate_needs_list():
    with pytest.raises(TypeError, match="list or tuple"):
        basic.concatenate(T.dmatrix())


def test_split_sizes_must_add_up():
    x = T.dvector("x")
    f = arignote.function([x], basic.split(x, [2, 2]))
    with pytest.raises(ValueError, match="do not add up to the length 5"):
        f(np.zeros(5))


def test_stack_ndim_mismatch():
    with pytest.raises(ValueError, match="same number of dimensions"):
        basic.stack([T.dmatrix(), T.dvector()])


def test_squeeze_non_broadcastable_axis():
    with pytest.raises(ValueError, match="cannot remove axis 0 .*not known to have length 1"):
        shape_ops.squeeze(T.dmatrix("x"), 0)


def test_transpose_bad_axes():
    with pytest.raises(ValueError, match="not a permutation"):
        shape_ops.transpose(T.dmatrix(), (0, 0))
    with pytest.raises(ValueError, match="do not match the 2 dimensions"):
        shape_ops.transpose(T.dmatrix(), (0, 1, 2))


def test_alloc_errors():
    with pytest.raises(ValueError, match="more dimensions"):
        basic.alloc(T.dmatrix(), 3)
    with pytest.raises(ValueError, match="negative dimension"):
        basic.alloc(1.0, -1, 2)
    with pytest.raises(TypeError, match="shape entry 0"):
        basic.alloc(1.0, 2.0)
    v = T.dvector("v")
    f = arignote.function([v], basic.alloc(v, 2, 3))
    with pytest.raises(ValueError, match="not broadcastable"):
        f(np.zeros(1))
    with pytest.raises(ValueError, match=r"cannot broadcast a value of shape \(4,\) to the shape \(2, 3\)"):
        f(np.zeros(4))


def test_arange_errors():
    with pytest.raises(ValueError, match="step must not be zero"):
        basic.arange(0, 5, 0)
    n = T.lscalar("n")
    f = arignote.function([n], basic.arange(0, 5, n))
    with pytest.raises(ValueError, match="step must not be zero"):
        f(0)
    with pytest.raises(TypeError, match="must be a scalar"):
        basic.arange(T.lvector())


def test_repeat_errors():
    with pytest.raises(ValueError, match="negative repeats"):
        extra_ops.repeat(T.dvector(), -1)
    with pytest.raises(TypeError, match="integer scalar or vector"):
        extra_ops.repeat(T.dvector(), T.dvector())
    x, r = T.dvector("x"), T.lvector("r")
    f = arignote.function([x, r], extra_ops.repeat(x, r, axis=0))
    with pytest.raises(ValueError, match="2 repeats given for axis 0 of length 3"):
        f(np.zeros(3), np.array([1, 2]))


def test_tile_negative():
    with pytest.raises(ValueError, match="negative repetition"):
        extra_ops.tile(T.dvector(), (-1,))


def test_shape_of_non_tensor():
    with pytest.raises(TypeError, match="expected a tensor"):
        shape_ops.shape(arignote.graph.Variable(arignote.types.generic))


def test_diag_of_3d():
    with pytest.raises(ValueError, match="vector or a matrix"):
        extra_ops.diag(T.dtensor3())


def test_exported_from_tensor():
    for name in ("reshape", "flatten", "alloc", "zeros", "ones", "arange", "concatenate", "join", "stack",
                 "squeeze", "expand_dims", "transpose", "repeat", "tile", "eye", "shape_padleft"):
        home = [m for m in (shape_ops, basic, extra_ops) if name in m.__all__]
        assert len(home) == 1 and getattr(T, name) is getattr(home[0], name), name


def test_shape_is_the_function_and_the_modules_are_not_shadowed():
    import arignote.tensor.shape_ops as by_import

    assert by_import is shape_ops and T.shape is shape_ops.shape
    assert not set(shape_ops.__all__) & set(basic.__all__) and not set(basic.__all__) & set(extra_ops.__all__)
