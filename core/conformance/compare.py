"""Comparing a backend's result with the reference: type, dtype, shape, then values
with dtype-aware tolerances (exact for integers, booleans and comparisons)."""
from __future__ import annotations

import numpy as np

#: default (rtol, atol) per floating dtype; integer and boolean results must match exactly
TOLERANCES = {"float16": (1e-2, 1e-3), "float32": (1e-5, 1e-6), "float64": (1e-10, 1e-12),
              "complex64": (1e-5, 1e-6), "complex128": (1e-10, 1e-12)}


def tolerance(dtype, rtol=None, atol=None):
    """(rtol, atol) for results of ``dtype``; explicit values win; (0, 0) means exact."""
    d_rtol, d_atol = TOLERANCES.get(np.dtype(dtype).name, (0.0, 0.0))
    return (d_rtol if rtol is None else rtol, d_atol if atol is None else atol)


def mismatch(got, want, rtol=None, atol=None, scaled=False, finite_ok=False):
    """None when ``got`` matches ``want``, else a short reason.

    ``scaled`` adds ``rtol * max|want|`` to atol (for long random graphs, where
    rounding errors are relative to the largest intermediate); ``finite_ok``
    accepts a finite value where the reference is inf/nan (a stabilizing rewrite).
    """
    want = np.asarray(want)
    if not isinstance(got, np.ndarray):
        return f"expected a numpy.ndarray, got {type(got).__name__}"
    if got.dtype != want.dtype:
        return f"dtype {got.dtype} != reference {want.dtype}"
    if got.shape != want.shape:
        return f"shape {got.shape} != reference {want.shape}"
    if want.size == 0:
        return None
    if want.dtype.kind not in "fc":
        bad = got != want
    else:
        rtol, atol = tolerance(want.dtype, rtol, atol)
        with np.errstate(all="ignore"):
            if scaled:
                finite = np.abs(want[np.isfinite(want)])
                atol = atol + rtol * (float(finite.max()) if finite.size else 0.0)
            bad = ~np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
            if finite_ok:
                bad &= ~(~np.isfinite(want) & np.isfinite(got))
    if not bad.any():
        return None
    return _positions(got, want, bad)


def _positions(got, want, bad, limit=4):
    where = np.argwhere(bad)
    n = len(where)
    shown = []
    for idx in where[:limit]:
        idx = tuple(int(i) for i in idx)
        shown.append(f"at {list(idx)}: got {_scalar(got[idx])}, want {_scalar(want[idx])}")
    more = f" (+{n - limit} more)" if n > limit else ""
    return f"values differ at {n} of {want.size} positions; " + "; ".join(shown) + more


def _scalar(x):
    return repr(x.item()) if hasattr(x, "item") else repr(x)
