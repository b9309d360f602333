"""An op's own C code (Theano's c_code) on the c backend: used when it compiles, the NumPy
perform (with a warning) when it does not, a clear error when there is neither."""
import numpy as np
import pytest

import arignote
import arignote.tensor as T
from arignote import gof
from arignote.testing import all_backends

pytestmark = pytest.mark.skipif(not dict((n, ok) for n, ok, _ in all_backends()).get("c"),
                                reason="the c backend is not available here")


class ScaleBy10(gof.Op):
    """C code computing 10 * x * y; the perform computes x * y, so results show which ran."""

    __props__ = ()

    def make_node(self, x, y):
        x, y = T.as_tensor_variable(x), T.as_tensor_variable(y)
        return gof.Apply(self, [x, y], [x.type()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0] * inputs[1]

    def c_code(self, node, name, inp, out, sub):
        x, y = inp
        (z,) = out
        fail = sub["fail"]
        return """
        if (PyArray_NDIM(%(x)s) != 1) { PyErr_SetString(PyExc_ValueError, "x is not a vector"); %(fail)s; }
        Py_XDECREF(%(z)s);
        %(z)s = (PyArrayObject*)PyArray_SimpleNew(1, PyArray_DIMS(%(x)s), NPY_DOUBLE);
        if (!%(z)s) { %(fail)s; }
        double yv = *(double*)PyArray_DATA(%(y)s);
        if (yv < 0) { PyErr_SetString(PyExc_ValueError, "negative scale"); %(fail)s; }
        for (npy_intp i = 0; i < PyArray_DIMS(%(x)s)[0]; i++)
            ((double*)PyArray_DATA(%(z)s))[i] = 10 * yv * *(double*)PyArray_GETPTR1(%(x)s, i);
        """ % locals()


def test_c_code_runs_on_the_c_backend_and_perform_elsewhere():
    x, y = T.dvector("x"), T.dscalar("y")
    out = ScaleBy10()(x, y) + 1
    np.testing.assert_allclose(arignote.function([x, y], out, backend="c")([1.0, 2.0], 3.0), [31.0, 61.0])
    np.testing.assert_allclose(arignote.function([x, y], out, backend="py")([1.0, 2.0], 3.0), [4.0, 7.0])


def test_c_code_errors_are_python_exceptions_and_strides_work():
    x, y = T.dvector("x"), T.dscalar("y")
    f = arignote.function([x, y], ScaleBy10()(x, y), backend="c")
    strided = np.arange(6.0)[::2]
    np.testing.assert_allclose(f(strided, 1.0), 10 * strided)
    with pytest.raises(ValueError, match="negative scale"):
        f(strided, -1.0)
    np.testing.assert_allclose(f(strided, 2.0), 20 * strided)  # still usable after a failure


class Broken(ScaleBy10):
    def c_code(self, node, name, inp, out, sub):
        return "this is not C;"


def test_code_that_does_not_compile_falls_back_with_a_warning():
    from arignote.backends.c.user_code import UserCCodeWarning

    x, y = T.dvector("x"), T.dscalar("y")
    with pytest.warns(UserCCodeWarning, match=r"the C code of Broken does not compile; its NumPy perform runs"):
        f = arignote.function([x, y], Broken()(x, y), backend="c")
    np.testing.assert_allclose(f([1.0, 2.0], 3.0), [3.0, 6.0])


class BrokenNoPerform(gof.Op):
    __props__ = ()

    def make_node(self, x):
        return gof.Apply(self, [x], [x.type()])

    def c_code(self, node, name, inp, out, sub):
        return "not C either;"


def test_no_c_and_no_perform_is_a_clear_error():
    from arignote.backends.c.build import CompileError

    x = T.dvector("x")
    with pytest.raises(CompileError, match="does not compile and the op has no NumPy perform"):
        arignote.function([x], BrokenNoPerform()(x), backend="c")


class Double(gof.Type):
    """doc/extending/ctype.txt's double: a Python float, a C double."""

    def filter(self, x, strict=False, allow_downcast=None):
        return float(x)

    def __eq__(self, other):
        return type(other) is type(self)

    def __hash__(self):
        return hash(type(self))

    def __str__(self):
        return "double"

    def c_declare(self, name, sub, check_input=True):
        return "double %(name)s;" % dict(name=name)

    def c_init(self, name, sub):
        return "%(name)s = 0.0;" % dict(name=name)

    def c_extract(self, name, sub, check_input=True):
        return """
        if (!PyFloat_Check(py_%(name)s)) { PyErr_SetString(PyExc_TypeError, "expected a float"); %(fail)s }
        %(name)s = PyFloat_AsDouble(py_%(name)s);
        """ % dict(name=name, fail=sub["fail"])

    def c_sync(self, name, sub):
        return """
        Py_XDECREF(py_%(name)s);
        py_%(name)s = PyFloat_FromDouble(%(name)s);
        if (!py_%(name)s) { Py_XINCREF(Py_None); py_%(name)s = Py_None; }
        """ % dict(name=name)

    def c_cleanup(self, name, sub):
        return ""


double = Double()


class Mul(gof.Op):
    __props__ = ()

    def make_node(self, x, y):
        return gof.Apply(self, [x, y], [double()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0] * inputs[1]

    def c_code(self, node, name, inp, out, sub):
        x, y = inp
        (z,) = out
        return "%(z)s = %(x)s * %(y)s + 0.5;" % locals()  # + 0.5 tells the C code ran


def test_user_type_with_c_declare_extract_sync():
    a, b = double("a"), double("b")
    assert arignote.function([a, b], Mul()(a, b), backend="c")(5, 6) == 30.5
    assert arignote.function([a, b], Mul()(a, b), backend="py")(5, 6) == 30.0


class MulOp(gof.Op):
    """doc/extending/using_params.txt: a Generic params value passed to perform and C code."""

    params_type = gof.Generic()
    __props__ = ("mul",)

    def __init__(self, mul):
        self.mul = float(mul)

    def get_params(self, node):
        return self.mul

    def make_node(self, inp):
        from arignote.scalar import as_scalar

        inp = as_scalar(inp)
        return gof.Apply(self, [inp], [inp.type()])

    def perform(self, node, inputs, output_storage, params):
        output_storage[0][0] = inputs[0] * params

    def c_code(self, node, name, inputs, outputs, sub):
        return "%(z)s = %(x)s * PyFloat_AsDouble(%(p)s) + 0.25;" % dict(z=outputs[0], x=inputs[0], p=sub["params"])


def test_op_params_reach_perform_and_c_code():
    from arignote.scalar import float64

    x = float64("x")
    assert arignote.function([x], MulOp(3)(x), backend="py")(2.0) == 6.0
    assert float(arignote.function([x], MulOp(3)(x), backend="c")(2.0)) == 6.25
    assert float(arignote.function([x], MulOp(4)(x), backend="c")(2.0)) == 8.25
