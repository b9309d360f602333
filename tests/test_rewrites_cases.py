"""Every op case table, compiled with and without rewrites: the results must agree
(values within dtype tolerance, dtypes and shapes exactly)."""
from __future__ import annotations

import importlib
import pkgutil

import numpy as np
import pytest

import arignote
from arignote.testing import symbolic_inputs, tolerances

import cases as _cases_pkg


def _all_cases():
    out = []
    for info in sorted(pkgutil.iter_modules(_cases_pkg.__path__), key=lambda m: m.name):
        if not info.name.endswith("_cases"):
            continue
        mod = importlib.import_module(f"cases.{info.name}")
        out.extend((info.name, c) for c in getattr(mod, "CASES", []))
    return out


CASES = _all_cases()


@pytest.mark.parametrize("table,case", CASES, ids=[f"{t}:{c.id}" for t, c in CASES])
def test_rewritten_matches_unrewritten(table, case):
    xs = symbolic_inputs(case)
    out = case.build(*xs)
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    kw = dict(on_unused_input="ignore", backend="py")
    f = arignote.function(xs, outs, mode="FAST_RUN", **kw)
    g = arignote.function(xs, outs, mode="NO_REWRITES", **kw)
    args = [np.array(a, copy=True) for a in case.inputs]
    with np.errstate(all="ignore"):
        want = g(*[a.copy() for a in args])
        got = f(*[a.copy() for a in args])
    for k, (a, b) in enumerate(zip(got, want)):
        assert a.dtype == b.dtype and a.shape == b.shape, (k, a.dtype, b.dtype, a.shape, b.shape)
        if b.dtype.kind not in "fc":
            np.testing.assert_array_equal(a, b)
            continue
        rtol, atol = tolerances(b.dtype, case)
        finite = np.isfinite(b)
        scale = np.max(np.abs(b[finite]), initial=1.0)
        ok = np.isclose(a, b, rtol=max(rtol, 1e-9 if b.dtype == np.float64 else rtol),
                        atol=max(atol, rtol * scale), equal_nan=True)
        ok |= ~finite & np.isfinite(a)  # a stabilizing rewrite
        assert ok.all(), f"output {k}: rewritten {a} != unrewritten {b}"
