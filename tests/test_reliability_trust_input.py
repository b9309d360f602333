"""Issue 11 item 12: with trust_input=True the compiled backends still never read or write out of
bounds; a value of the wrong rank is refused (c, llvm) and the documented py behaviour holds."""
import numpy as np
import pytest

import arignote
import arignote.tensor as T
from arignote.testing import backend_params


@pytest.mark.parametrize("backend", backend_params(("c", "llvm")))
def test_a_matrix_given_to_a_trusted_vector_function_is_refused(backend):
    x = T.dvector("x")
    y = T.dvector("y")
    for ins, out, args in [([x], T.exp(x) + 1, (np.ones((2, 3)),)),
                           ([x, y], x + y, (np.ones((2, 3)), np.ones(3))),
                           ([x], T.sum(x), (np.ones((2, 3)),))]:
        f = arignote.function(ins, out, backend=backend, trust_input=True)
        with pytest.raises(TypeError, match=r"wrong number of dimensions for (input 'x'|value): expected 1.*got 2"):
            f(*args)


@pytest.mark.parametrize("backend", backend_params())
def test_trusted_values_of_other_layouts_and_dtypes_give_right_values(backend):
    x = T.dvector("x")
    f = arignote.function([x], T.exp(x) * 2, backend=backend, trust_input=True)
    base = np.arange(12.0)
    for v in (base[::3], base[::-2], base.astype("float32"), np.arange(4), base[:0]):
        np.testing.assert_allclose(f(v), np.exp(np.asarray(v, dtype="float64")) * 2, rtol=1e-6)


def test_py_passes_trusted_values_to_numpy_as_given():
    x = T.dvector("x")
    f = arignote.function([x], T.exp(x) + 1, backend="py", trust_input=True)
    m = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(f(m), np.exp(m) + 1)  # NumPy's result for the value given
    assert "trust_input=True" in arignote.function.__doc__ and "out-of-bounds" in arignote.function.__doc__
