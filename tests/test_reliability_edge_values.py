"""Issue 11 item 11: the edge values of tests/cases/edge_value_cases.py agree on every backend,
signed zeros included (the case runner's comparison treats -0. and 0. as equal)."""
import numpy as np
import pytest

import arignote
import arignote.tensor as T
from arignote.testing import run_case
from cases.edge_value_cases import CASES, ZEROS_A, ZEROS_B



@pytest.mark.parametrize("case", CASES, ids=str)
def test_edge_values(case, backend):
    run_case(case, backend=backend)


def test_maximum_and_minimum_keep_numpys_signed_zeros(backend):
    x, y = T.dvector("x"), T.dvector("y")
    f = arignote.function([x, y], [T.maximum(x, y), T.minimum(x, y), T.clip(x, y, 1.0)], backend=backend)
    mx, mn, cl = f(ZEROS_A, ZEROS_B)
    for got, want in ((mx, np.maximum(ZEROS_A, ZEROS_B)), (mn, np.minimum(ZEROS_A, ZEROS_B)),
                      (cl, np.minimum(np.maximum(ZEROS_A, ZEROS_B), 1.0))):
        np.testing.assert_array_equal(got, want)
        np.testing.assert_array_equal(np.signbit(got), np.signbit(want))


def test_a_cast_gives_one_value_wherever_it_sits_in_the_array(backend):
    # NumPy's own cast answers differently in an array's last elements: arignote does not
    x = T.dvector("x")
    f = arignote.function([x], T.cast(x, "uint32"), backend=backend)
    for v in (1e10, np.nan, -(2.0 ** 31) - 1.0):
        got = f(np.full(19, v))
        assert len(set(got.tolist())) == 1, got
