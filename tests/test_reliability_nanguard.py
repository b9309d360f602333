"""Issue 11 item 5: mode='nanguard' sees a nan/inf made inside what would be a fused kernel and
hidden by a switch, on every backend (float64 nan, float32 inf)."""
import numpy as np
import pytest

import arignote
import arignote.tensor as T
from arignote.debugmode import NanGuardError, NanGuardMode
from arignote.testing import backend_params


@pytest.mark.parametrize("backend", backend_params())
@pytest.mark.parametrize("dtype, bad, found", [("float64", 0.5, "nan"), ("float32", 1.0, "inf")])
def test_nanguard_sees_a_value_hidden_by_a_switch(backend, dtype, bad, found):
    x = T.vector("x", dtype=dtype)
    lg = T.log(x - 1)
    out = T.switch(T.isnan(lg) | T.isinf(lg), 0, lg) * 2
    f = arignote.function([x], out, mode="nanguard", backend=backend)
    with pytest.raises(NanGuardError, match=rf"node Elemwise{{log,no_inplace}}.*produced 1 {found}.*'{backend}'"):
        f(np.array([bad, 3.0], dtype=dtype))
    np.testing.assert_allclose(f(np.array([2.0, 3.0], dtype=dtype)), 2 * np.log([1.0, 2.0]), rtol=1e-6)
    # without the guard the same graph is fused and gives the switch's value
    g = arignote.function([x], out, backend=backend)
    np.testing.assert_allclose(g(np.array([bad, 3.0], dtype=dtype)), [0.0, 2 * np.log(2.0)], rtol=1e-6)


def test_nanguard_mode_object_skips_fusion_too():
    x = T.dvector("x")
    lg = T.log(x - 1)
    f = arignote.function([x], T.switch(T.isnan(lg), 0, lg), mode=NanGuardMode(), backend="c")
    with pytest.raises(NanGuardError, match="nan"):
        f(np.array([0.5]))
    ops = {type(getattr(n.op, "scalar_op", None)).__name__ for n in f.maker.fgraph.apply_nodes}
    assert "Composite" not in ops
