"""gof.COp: an op's C code in external .c files (doc/extending/extending_theano_c.txt), built on
the c backend; the op's perform runs on other backends and where the code cannot be built."""
import os

import numpy as np
import pytest

import arignote
import arignote.tensor as T
from arignote import gof
from arignote.testing import all_backends

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
has_c = pytest.mark.skipif(not dict((n, ok) for n, ok, _ in all_backends()).get("c"),
                           reason="the c backend is not available here")


class VectorTimesVector(gof.COp):
    """The documentation's op, with a perform that differs (x * y + 100) to show which one ran."""

    __props__ = ()
    func_file = "data/vectorTimesVector.c"  # relative to this module's folder, as Theano resolves it
    func_name = "APPLY_SPECIFIC(vector_times_vector)"

    def __init__(self):
        super().__init__(self.func_file, self.func_name)

    def make_node(self, x, y):
        if x.type.ndim != 1:
            raise TypeError("x must be a 1-d vector")
        if y.type.ndim != 1:
            raise TypeError("y must be a 1-d vector")
        out = T.TensorType(dtype=arignote.scalar.upcast(x.dtype, y.dtype), broadcastable=[False])()
        return gof.Apply(self, [x, y], [out])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0] * inputs[1] + 100


class BodyOp(gof.COp):
    """A 'code' section body (INPUT_0, OUTPUT_0, FAIL) with init and support code."""

    __props__ = ()

    def __init__(self):
        super().__init__([os.path.join(DATA, "cop_body.c")])

    def make_node(self, x):
        return gof.Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = -inputs[0]


@has_c
def test_func_name_op_runs_its_c_file_on_the_c_backend():
    x, y = T.dvector("x"), T.dvector("y")
    f = arignote.function([x, y], VectorTimesVector()(x, y), backend="c")
    a, b = np.arange(6.0)[::2], np.array([2.0, 3.0, 4.0])
    np.testing.assert_array_equal(f(a, b), a * b)  # strided input: the C code's strides are right
    with pytest.raises(ValueError, match=r"Shape mismatch : input0.shape\[0\] and input1.shape\[0\] should match"):
        f(a, np.ones(2))
    np.testing.assert_array_equal(f(b, b), b * b)  # usable after an error
    fi = arignote.function([x, y], VectorTimesVector()(T.cast(x, "float32"), T.cast(y, "float32")), backend="c")
    np.testing.assert_allclose(fi(a, b), (a * b).astype("float32"))  # DTYPE_/TYPENUM_ macros per node
    assert fi(a, b).dtype == np.float32


@pytest.mark.parametrize("backend", ["py", "llvm"])
def test_perform_runs_on_other_backends(backend):
    if not dict((n, ok) for n, ok, _ in all_backends()).get(backend):
        pytest.skip(f"backend {backend} not available")
    x, y = T.dvector("x"), T.dvector("y")
    f = arignote.function([x, y], VectorTimesVector()(x, y), backend=backend)
    np.testing.assert_array_equal(f([1.0, 2.0], [3.0, 4.0]), [103.0, 108.0])


@has_c
def test_code_section_with_init_code_and_fail():
    x = T.dvector("x")
    f = arignote.function([x], BodyOp()(x), backend="c")
    np.testing.assert_array_equal(f([1.0, 2.0]), [4.0, 7.0])  # the scale set by init_code
    with pytest.raises(ValueError, match="cop_body: too long"):
        f(np.zeros(1001))


def test_sections_are_checked(tmp_path):
    bad = tmp_path / "bad.c"
    bad.write_text("#section support_code\nint a;\n#section nonsense\nint b;\n")
    with pytest.raises(ValueError, match=r"unknown section '#section nonsense'"):
        gof.COp(str(bad), "f")
    empty = tmp_path / "empty.c"
    empty.write_text("int a;\n")
    with pytest.raises(ValueError, match="C code before the first '#section' line"):
        gof.COp(str(empty), "f")
    both = tmp_path / "both.c"
    both.write_text("#section code\nint a;\n")
    with pytest.raises(ValueError, match="a 'code' section and func_name='f' both"):
        gof.COp(str(both), "f")
    with pytest.raises(ValueError, match="give func_name or a '#section code'"):
        gof.COp(_write(tmp_path, "#section support_code\nint a;\n"))
    parts = gof.cop.split_sections("#section support_code\nA\n#section support_code\nB\n")
    assert parts == {"support_code": "\nA\n\nB\n"}  # a repeated tag's blocks are joined in order


def _write(tmp_path, text):
    p = tmp_path / "only_support.c"
    p.write_text(text)
    return str(p)


@has_c
def test_struct_sections_fall_back_to_perform_with_a_warning(tmp_path):
    from arignote.backends.c.user_code import UserCCodeWarning

    src = tmp_path / "struct.c"
    src.write_text("#section support_code_struct\nint counter;\n#section code\nOUTPUT_0 = NULL; FAIL\n")

    class StructOp(BodyOp):
        def __init__(self):
            gof.COp.__init__(self, str(src))

    x = T.dvector("x")
    with pytest.warns(UserCCodeWarning, match="support_code_struct"):
        f = arignote.function([x], StructOp()(x), backend="c")
    np.testing.assert_array_equal(f([1.0]), [-1.0])
