"""Debugging aids and user ops as Theano documents them: printing.Print, MonitorMode,
DebugMode(check_c_code=False), specify_shape, as_op, Theano-signature infer_shape,
symbolic scalars, module paths."""
import numpy as np
import pytest

import arignote
import arignote.tensor as T
from arignote import function, printing


def test_print_op_prints_at_run_time_and_passes_gradients(backend, capsys):
    x = T.dvector("x")
    f = function([x], printing.Print("hello world")(x) * 2, backend=backend)
    with np.printoptions(legacy="1.13"):
        out = f([1, 2, 3])
    assert capsys.readouterr().out == "hello world __str__ = [ 1.  2.  3.]\n"
    np.testing.assert_array_equal(out, [2.0, 4.0, 6.0])
    g = function([x], arignote.grad(T.sum(printing.Print("p", attrs=("shape",))(x) ** 2), x), backend=backend)
    np.testing.assert_allclose(g([1.0, 2.0]), [2.0, 4.0])
    assert "p shape = (2,)" in capsys.readouterr().out


def test_monitor_mode_sees_every_node():
    from arignote.compile import MonitorMode

    seen = []

    def pre(i, node, fn):
        seen.append(("pre", i, str(node.op), [c[0].tolist() for c in fn.inputs]))

    def post(i, node, fn):
        seen.append(("post", i, [c[0].tolist() for c in fn.outputs]))

    x = T.dscalar("x")
    f = function([x], [5 * x], mode=MonitorMode(pre_func=pre, post_func=post))
    assert f(3)[0] == 15.0
    assert seen == [("pre", 0, "Elemwise{mul,no_inplace}", [3.0, 5.0]), ("post", 0, [15.0])] or \
        seen == [("pre", 0, "Elemwise{mul,no_inplace}", [5.0, 3.0]), ("post", 0, [15.0])]


def test_debugmode_accepts_theano_switches():
    from arignote.compile.debugmode import DebugMode

    x = T.dvector("x")
    f = function([x], 10 * x, mode=DebugMode(check_c_code=False))
    np.testing.assert_array_equal(f([1.0, 2.0]), [10.0, 20.0])
    assert f.maker.mode.backend == "py"


def test_specify_shape(backend):
    x = T.matrix("x")
    xs = T.specify_shape(x, (2, 2))
    assert xs.type.shape == (2, 2)
    f = function([x], (xs ** 2).shape, backend=backend)
    assert [str(n.op) for n in f.maker.fgraph.toposort()] == ["DeepCopyOp"]  # the shape is a constant now (copied out, as Theano does)
    np.testing.assert_array_equal(f(np.ones((2, 2))), [2, 2])
    g = function([x], xs * 2, backend=backend)
    with pytest.raises(AssertionError, match=r"has shape \(3, 2\), but \(2, 2\) was specified"):
        g(np.ones((3, 2)))
    with pytest.raises(ValueError, match="has 2 dimension\\(s\\) but the shape has 3 entries"):
        T.specify_shape(x, (2, 2, 2))
    n = T.lscalar("n")
    h = function([x, n], arignote.grad(T.sum(T.specify_shape(x, (n, 2)) ** 2), x))
    np.testing.assert_allclose(h(np.ones((3, 2)), 3), 2 * np.ones((3, 2)))


def test_as_op_and_its_type_checks():
    from arignote.compile.ops import as_op

    @as_op(itypes=[T.dmatrix], otypes=[T.dvector])
    def row_norms(m):
        return np.sqrt((m ** 2).sum(axis=1))

    x = T.dmatrix("x")
    f = function([x], row_norms(x) + 1)
    np.testing.assert_allclose(f([[3.0, 4.0], [0.0, 0.0]]), [6.0, 1.0])
    with pytest.raises(TypeError, match=r"input 0 \(v\) has type TensorType\(float64, vector\), expected"):
        row_norms(T.dvector("v"))


class Rows(arignote.gof.Op):
    """A user op with Theano's infer_shape(self, node, input_shapes) signature."""

    __props__ = ()

    def make_node(self, x):
        x = T.as_tensor_variable(x)
        return arignote.gof.Apply(self, [x], [T.dvector()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0].sum(axis=1)

    def infer_shape(self, node, i0_shapes):
        return [(i0_shapes[0][0],)]

    def grad(self, inputs, output_grads):
        return [output_grads[0].dimshuffle(0, "x") * T.ones_like(inputs[0])]


def test_theano_infer_shape_signature_on_user_ops():
    x = T.dmatrix("x")
    f = function([x], Rows()(x).shape)
    assert not any(isinstance(n.op, Rows) for n in f.maker.fgraph.toposort())  # shape without running it
    np.testing.assert_array_equal(f(np.ones((4, 3))), [4])
    g = function([x], arignote.grad(T.sum(Rows()(x) ** 2), x))
    np.testing.assert_allclose(g(np.ones((2, 3))), 6 * np.ones((2, 3)))


def test_symbolic_scalars():
    from arignote.scalar import add, float64, int8, mul, true_div

    x, y = float64("x"), float64("y")
    z = add(mul(x, 2), true_div(y, x))
    assert str(z.type) == "float64" and repr(z.type) == "Scalar(float64)"
    assert z.owner.inputs[0].owner.inputs[1].type == int8
    out = function([x, y], z)(2.0, 6.0)
    assert out == 7.0 and isinstance(out, np.float64)
    assert function([x, y], x * y - 1)(2.0, 3.0) == 5.0
    with pytest.raises(TypeError, match="not a scalar; scalar ops take scalar variables"):
        add(T.dvector(), x)


def test_module_paths_and_hasattr():
    assert hasattr(arignote, "scan") is _scan_module_exists()  # no ModuleNotFoundError before scan exists
    assert not hasattr(arignote, "no_such_thing")
    from arignote.compile.function import function as cf
    from arignote.compile.io import In, Out  # noqa: F401
    from arignote.compile.nanguardmode import NanGuardMode  # noqa: F401
    from arignote.gof import Apply, Constant, FunctionGraph, Op, Type, Variable  # noqa: F401
    from arignote.tensor.opt import register_canonicalize, register_specialize, register_stabilize  # noqa: F401

    assert cf is arignote.function
    assert arignote.Type is Type and arignote.Op is Op and arignote.Apply is Apply
    assert repr(type(T.dvector())) == "<class 'arignote.tensor.var.TensorVariable'>"
    assert repr(type((T.dvector() + 1).owner)) == "<class 'arignote.gof.graph.Apply'>"
    assert callable(T.var) and T.var.__name__ == "var"  # the variance, not the module


def _scan_module_exists():
    import importlib.util

    return importlib.util.find_spec("arignote.scan") is not None


def test_compute_test_value_reports_errors_while_building():
    old = arignote.config.compute_test_value
    try:
        arignote.config.compute_test_value = "raise"
        x = T.matrix("x")
        x.tag.test_value = np.ones((5, 10))
        w = arignote.shared(np.ones((10, 3)), "w")
        h = T.dot(x, w)
        assert h.tag.test_value.shape == (5, 3)
        y = T.matrix("y")
        y.tag.test_value = np.ones((4, 4))
        with pytest.raises(ValueError, match=r"not aligned") as err:
            T.dot(x, y)
        assert "while computing the test value of dot(x, y)" in "".join(getattr(err.value, "__notes__", []))
        with pytest.raises(ValueError, match=r"input 0 \(z\) of .* has no test value"):
            T.dvector("z") * 2
        arignote.config.compute_test_value = "warn"
        with pytest.warns(UserWarning, match="has no test value"):
            T.dvector("z") * 2
        arignote.config.compute_test_value = "ignore"
        assert not hasattr((T.dvector("z") * 2).tag, "test_value")
    finally:
        arignote.config.compute_test_value = old
    with pytest.raises(ValueError):
        arignote.config.compute_test_value = "sometimes"


class DoubleOp2(arignote.Op):
    """doc/extending/extending_theano.txt: itypes/otypes instead of make_node."""

    __props__ = ()
    itypes = [T.dmatrix]
    otypes = [T.dmatrix]

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0] * 2

    def infer_shape(self, node, i0_shapes):
        return i0_shapes

    def grad(self, inputs, output_grads):
        return [output_grads[0] * 2]

    def R_op(self, inputs, eval_points):
        if eval_points[0] is None:
            return eval_points
        return self.grad(inputs, eval_points)


def test_itypes_otypes_op_with_grad_and_rop():
    x = T.dmatrix("x")
    out = DoubleOp2()(x)
    np.testing.assert_array_equal(function([x], out)(np.ones((2, 3))), 2 * np.ones((2, 3)))
    np.testing.assert_array_equal(function([x], out.shape)(np.ones((2, 3))), [2, 3])
    np.testing.assert_array_equal(function([x], arignote.grad(out.sum(), x))(np.ones((2, 2))), 2 * np.ones((2, 2)))
    v = T.dmatrix("v")
    rop = function([x, v], arignote.gradient.Rop(out, x, v), on_unused_input="ignore")  # linear: x drops out
    np.testing.assert_array_equal(rop(np.ones((1, 2)), [[3.0, 4.0]]), [[6.0, 8.0]])
    with pytest.raises(TypeError, match=r"input 0 \(.*\) has type TensorType\(float64, vector\), expected"):
        DoubleOp2()(T.dvector())


def test_get_scalar_constant_value():
    from arignote.tensor.opt import NotScalarConstantError, get_scalar_constant_value

    assert get_scalar_constant_value(T.zeros([5])) == 0.0
    assert get_scalar_constant_value(T.constant(3.0) * 2) == 6.0
    assert get_scalar_constant_value(T.as_tensor_variable(np.array([2, 2]))) == 2
    with pytest.raises(NotScalarConstantError, match="is not a constant"):
        get_scalar_constant_value(T.dvector("v"))
    with pytest.raises(NotScalarConstantError, match="does not hold a single value"):
        get_scalar_constant_value(T.as_tensor_variable(np.array([1, 2])))


def test_print_test_value_and_filtered_test_values():
    """doc/tutorial/debug_faq.txt: repr shows the test value when config.print_test_value is on;
    a test value goes through the type's filter (42 on a float scalar is array(42.0))."""
    x = T.scalar("x")
    x.tag.test_value = 42
    assert isinstance(x.tag.test_value, np.ndarray) and x.tag.test_value.dtype == x.dtype
    old = arignote.config.print_test_value
    try:
        arignote.config.print_test_value = True
        assert repr(x) == "x\n" + repr(np.array(42.0, dtype=x.dtype))
        assert repr(T.vector("v")) == "v"  # no test value: the name only
        assert str(x) == "x"
    finally:
        arignote.config.print_test_value = old
    assert repr(x) == "x"
    m = T.dmatrix("m")
    m.tag.test_value = "not a matrix"  # refused by the filter: kept, for compute_test_value to report
    assert m.tag.test_value == "not a matrix"
