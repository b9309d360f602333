"""arignote.tensor.inplace (Theano's in-place elementwise functions), function()'s destroy
handling (accept_inplace, In(mutable=True), copies where a value may not be overwritten) and
DeepCopyOp on outputs that would share memory with an input, a shared value or a constant."""
import numpy as np
import pytest
import scipy.special

import arignote
import arignote.tensor as T
from arignote import In, Out, function, pp, shared
from arignote.compile.ops import DeepCopyOp
from arignote.tensor import inplace as I

CASES = [  # (in-place function, out-of-place NumPy twin, number of inputs)
    (I.add_inplace, np.add, 2), (I.sub_inplace, np.subtract, 2), (I.mul_inplace, np.multiply, 2),
    (I.true_div_inplace, np.divide, 2), (I.maximum_inplace, np.maximum, 2), (I.pow_inplace, np.power, 2),
    (I.exp_inplace, np.exp, 1), (I.log_inplace, np.log, 1), (I.sqrt_inplace, np.sqrt, 1),
    (I.neg_inplace, np.negative, 1), (I.sqr_inplace, np.square, 1), (I.tanh_inplace, np.tanh, 1),
    (I.sigmoid_inplace, scipy.special.expit, 1), (I.inv_inplace, np.reciprocal, 1),
]


def _ops(f):
    return [type(n.op).__name__ for n in f.maker.fgraph.toposort()]


@pytest.mark.parametrize("fn,ref,nin", CASES, ids=[c[0].name for c in CASES])
def test_values_match_numpy_and_inputs_stay_intact(backend, fn, ref, nin):
    xs = [T.dvector(n) for n in "ab"[:nin]]
    f = function(list(xs), fn(*xs), accept_inplace=True, backend=backend)
    vals = [np.array([0.5, 1.5, 2.0]), np.array([2.0, 0.25, 3.0])][:nin]
    kept = [v.copy() for v in vals]
    np.testing.assert_allclose(f(*vals), ref(*vals), rtol=1e-12)
    for v, k in zip(vals, kept):
        np.testing.assert_array_equal(v, k)  # not marked mutable: the caller's arrays are untouched
    assert _ops(f).count("DeepCopyOp") == 1


def test_mutable_input_is_overwritten_on_the_reference_backend():
    x, y = T.dvectors("x", "y")
    f = function([In(x, mutable=True), y], I.mul_inplace(x, y), accept_inplace=True, backend="py")
    a, b = np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0])
    r = f(a, b)
    np.testing.assert_array_equal(r, [4.0, 10.0, 18.0])
    np.testing.assert_array_equal(a, [4.0, 10.0, 18.0])  # Theano's in-place semantics: a holds the result
    assert _ops(f) == ["InplaceElemwise", "DeepCopyOp"]  # x is overwritten, and the output copied
    r[0] = -1.0  # so the output does not alias the caller's array (Theano's insert_deepcopy)
    assert a[0] == 4.0


def test_mutable_input_on_every_backend_gives_the_right_values(backend):
    x, y = T.dvectors("x", "y")
    f = function([In(x, mutable=True), y], I.add_inplace(x, y) * 2, accept_inplace=True, backend=backend)
    a, b = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    np.testing.assert_array_equal(f(a, b), [8.0, 12.0])
    assert a.tolist() in ([1.0, 2.0], [4.0, 6.0])  # overwritten (py) or computed out of place (compiled)


def test_graph_with_inplace_ops_needs_accept_inplace():
    x, y = T.dvectors("x", "y")
    with pytest.raises(TypeError, match=r"Graph must not contain inplace operations: add_inplace overwrites "
                                        r"its input 0 \(x\); pass accept_inplace=True"):
        function([x, y], I.add_inplace(x, y))


def test_a_value_read_later_is_copied_before_it_is_overwritten(backend):
    """exp(x) is overwritten by the in-place add but also read by the product: the add gets a copy."""
    x = T.dvector("x")
    e = T.exp(x)
    z = I.add_inplace(e, 1.0)
    f = function([x], [z, e * 2, e], accept_inplace=True, backend=backend)
    v = np.array([0.0, 1.0])
    z_, p_, e_ = f(v)
    np.testing.assert_allclose(z_, np.exp(v) + 1)
    np.testing.assert_allclose(p_, 2 * np.exp(v))
    np.testing.assert_allclose(e_, np.exp(v))
    if backend == "py":  # no fusion there: the copy is a node of the graph
        add = [n for n in f.maker.fgraph.toposort() if isinstance(n.op, I.InplaceElemwise)][0]
        assert isinstance(add.inputs[0].owner.op, DeepCopyOp)


def test_chains_of_inplace_ops_need_no_copy():
    x = T.dvector("x")
    out = I.add_inplace(I.mul_inplace(T.exp(x), 2.0), 1.0)
    f = function([x], out, accept_inplace=True, backend="py")
    assert _ops(f) == ["Elemwise", "InplaceElemwise", "InplaceElemwise"]
    v = np.array([0.0, 1.0])
    np.testing.assert_allclose(f(v), 2 * np.exp(v) + 1)
    np.testing.assert_array_equal(v, [0.0, 1.0])


def test_shared_values_constants_and_views_are_never_overwritten(backend):
    s = shared(np.array([1.0, 2.0]), name="s")
    c = T.constant(np.array([5.0, 6.0]))
    m = T.dmatrix("m")
    f = function([m], [I.add_inplace(s, 1.0), I.mul_inplace(c, 2.0), I.neg_inplace(m.T)],
                 accept_inplace=True, backend=backend)
    mv = np.arange(4.0).reshape(2, 2)
    for _ in range(2):  # a second call sees the same, untouched values
        a, b, t = f(mv)
        np.testing.assert_array_equal(a, [2.0, 3.0])
        np.testing.assert_array_equal(b, [10.0, 12.0])
        np.testing.assert_array_equal(t, -mv.T)
    np.testing.assert_array_equal(s.get_value(), [1.0, 2.0])
    np.testing.assert_array_equal(c.data, [5.0, 6.0])
    np.testing.assert_array_equal(mv, np.arange(4.0).reshape(2, 2))


def test_results_of_ops_that_may_return_views_are_copied():
    """A reshape or subtensor of an input may be a view of the caller's array: never overwritten."""
    m = T.dmatrix("m")
    f = function([m], [I.exp_inplace(m.reshape((4,))), I.neg_inplace(m[0])], accept_inplace=True, backend="py")
    v = np.arange(4.0).reshape(2, 2)
    a, b = f(v)
    np.testing.assert_allclose(a, np.exp(np.arange(4.0)))
    np.testing.assert_array_equal(b, [-0.0, -1.0])
    np.testing.assert_array_equal(v, np.arange(4.0).reshape(2, 2))
    assert _ops(f).count("DeepCopyOp") == 2


def test_an_updated_shared_value_is_copied_before_an_elementwise_overwrite():
    """s <- add_inplace(s, 1) works; the in-place add writes into a copy, so the shared array
    is only replaced once the call has succeeded (a failing call leaves it intact)."""
    s = shared(np.array([1.0, 2.0]), name="s")
    n = T.lscalar("n")
    f = function([n], T.arange(n), updates=[(s, I.add_inplace(s, 1.0))], accept_inplace=True, backend="py")
    add = [nd for nd in f.maker.fgraph.toposort() if isinstance(nd.op, I.InplaceElemwise)][0]
    assert isinstance(add.inputs[0].owner.op, DeepCopyOp)
    kept = s.get_value(borrow=True)
    f(2)
    np.testing.assert_array_equal(s.get_value(), [2.0, 3.0])
    np.testing.assert_array_equal(kept, [1.0, 2.0])  # the old array was never written


def test_make_node_refuses_what_cannot_be_done_in_place():
    i, d = T.ivector("i"), T.dvector("d")
    with pytest.raises(TypeError, match=r"add_inplace: cannot overwrite input 0 \(i, int32\) with a float64"):
        I.add_inplace(i, d)
    row, m = T.drow("row"), T.dmatrix("m")
    with pytest.raises(ValueError, match=r"cannot work in place on input 0 \(row, .*broadcastable dimensions"):
        I.add_inplace(row, m)
    assert I.add_inplace(m, row).type == m.type


def test_gradient_and_printing():
    x, y = T.dvectors("x", "y")
    z = I.mul_inplace(x, y)
    assert str(z.owner.op) == "mul_inplace" and z.owner.op.destroy_map == {0: [0]}
    assert pp(z) == "(x *= y)" and pp(I.exp_inplace(x)) == "exp=(x)"
    gx = T.grad(z.sum(), x)
    f = function([x, y], gx, accept_inplace=True)  # the gradient reads z: the graph holds the in-place op
    np.testing.assert_array_equal(f([1.0, 2.0], [3.0, 4.0]), [3.0, 4.0])
    assert I.mul_inplace == I.mul_inplace and I.mul_inplace != T.mul(x, y).owner.op
    assert T.inplace is I and T.nnet.sigmoid_inplace is I.sigmoid_inplace
    assert I.fill_inplace is I.second_inplace


def test_transpose_inplace_is_a_view():
    m = T.dmatrix("m")
    f = function([m], I.transpose_inplace(m))
    v = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(f(v), v.T)


def test_debugmode_accepts_declared_destruction():
    from arignote.compile.debugmode import DebugMode

    x, y = T.dvectors("x", "y")
    f = function([In(x, mutable=True), y], I.add_inplace(x, y), accept_inplace=True,
                 mode=DebugMode(check_c_code=False))
    np.testing.assert_array_equal(f(np.ones(2), np.ones(2)), [2.0, 2.0])


# ------------------------------------------------------------------ DeepCopyOp


def test_outputs_sharing_memory_get_a_deepcopy_node(backend):
    x = T.dvector("x")
    s = shared(np.array([1.0, 2.0]), name="s")
    f = function([x], [x, x * 2, x * 2, s, T.constant(np.array([2, 2]))], backend=backend)
    printed = arignote.printing.debugprint(f, file="str")
    assert printed.count("DeepCopyOp") == 4, printed  # x, the repeated product, s and the constant
    v = np.array([3.0, 4.0])
    outs = f(v)
    assert outs[0] is not v and outs[1] is not outs[2] and not np.shares_memory(outs[3], s.get_value(borrow=True))
    outs[3][0] = 99.0
    assert s.get_value()[0] == 1.0
    g = function([x], Out(x, borrow=True), backend=backend)
    assert "DeepCopyOp" not in arignote.printing.debugprint(g, file="str")


@pytest.mark.parametrize("dtype", ["float64", "float32", "int8", "bool"])
def test_deepcopyop_runs_natively_on_compiled_backends(backend, dtype):
    """The copy of an output is a native step on c and llvm (no Python fallback), keeping NaN, -0.0."""
    x = T.tensor(dtype, shape=(None, None), name="x")
    f = function([x], [x, x.T], backend=backend)
    if backend in ("c", "llvm"):
        assert arignote.debug.fallbacks(f) == []
    data = [[-0.0, np.nan, 3.0], [1.0, np.inf, -5.0]] if dtype.startswith("float") else [[0, 1, 3], [1, 0, 1]]
    v = np.asfortranarray(np.array(data).astype(dtype))[:, ::-1]
    r, rt = f(v)
    np.testing.assert_array_equal(r, v)
    np.testing.assert_array_equal(rt, v.T)
    assert not np.shares_memory(r, v) and not np.shares_memory(rt, v)
    if dtype.startswith("float"):
        assert np.signbit(r[0, 2]) and np.isnan(r[0, 1])


def test_deepcopyop_of_a_constant_prints_as_theano():
    f = function([], T.constant(np.array([2, 2])))
    assert arignote.printing.debugprint(f, file="str").splitlines() == [
        "DeepCopyOp [id A] ''   0", " |TensorConstant{(2,) of 2} [id B]"]
    assert arignote.compile.function_module.DeepCopyOp is DeepCopyOp
    assert arignote.compile.ops.deep_copy_op(T.dvector()).owner.op == DeepCopyOp()


def test_fgraph_change_input():
    from arignote.fg import FunctionGraph

    x = T.dvector("x")
    y = T.exp(x)
    fg = FunctionGraph([x], [y, y + 1], clone=False)
    node = fg.outputs[1].owner
    c = arignote.compile.ops.deep_copy_op(y)
    fg.change_input(node, 0, c)
    assert node.inputs[0] is c and fg.clients(y) == [(c.owner, 0), ("output", 0)]
    fg.change_input("output", 0, arignote.compile.ops.deep_copy_op(y))
    assert isinstance(fg.outputs[0].owner.op, DeepCopyOp) and len(fg.toposort()) == 5
    with pytest.raises(TypeError, match="cannot stand for"):
        fg.change_input(node, 0, T.dmatrix())
