"""Comparing a backend's result with the reference: type, dtype, shape, then values.

Integers, booleans and comparisons must match exactly.  Floats (and each part
of a complex) are compared by relative error, or by units in the last place
(ulps) where the reference is tiny but nonzero (subnormals, 1e-300), so that a
result is checked whatever its magnitude: ``log1p(1e-300) = 0`` fails.  An
absolute floor applies only where the reference is a true zero, and there the
sign of a zero result must match (``-0.0`` is not ``0.0``: ``1 / -0.0`` is
``-inf``).  NaN positions and signed infinities must match.
"""
from __future__ import annotations

import numpy as np

#: per floating dtype: relative tolerance, absolute floor at true zeros, ulps for tiny references
TOLERANCES = {"float16": (1e-2, 1e-3), "float32": (1e-5, 1e-6), "float64": (1e-10, 1e-12),
              "complex64": (1e-5, 1e-6), "complex128": (1e-10, 1e-12)}
ULPS = 4


def tolerance(dtype, rtol=None, atol=None):
    """(rtol, atol) for results of ``dtype``; explicit values win; (0, 0) means exact."""
    d_rtol, d_atol = TOLERANCES.get(np.dtype(dtype).name, (0.0, 0.0))
    return (d_rtol if rtol is None else rtol, d_atol if atol is None else atol)


def mismatch(got, want, rtol=None, atol=None, ulps=None, scaled=False, finite_ok=False):
    """None when ``got`` matches ``want``, else a short reason.

    ``rtol``: relative tolerance; ``ulps``: distance in ulps of the reference
    accepted anywhere (default :data:`ULPS`; a per-op bound for vector-math
    functions); ``atol``: None for the dtype's floor at true zeros only, a
    number for a floor everywhere (a case that declares one).  ``scaled`` adds
    ``rtol * max|want|`` to that floor (long random graphs, where rounding
    errors are relative to the largest intermediate); ``finite_ok`` accepts a
    finite value where the reference is inf/nan (a stabilizing rewrite).
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
        r, floor = tolerance(want.dtype, rtol, atol)
        everywhere = atol is not None
        if scaled:
            with np.errstate(all="ignore"):
                finite = np.abs(want[np.isfinite(want)])
            floor += r * (float(finite.max()) if finite.size else 0.0)
            everywhere = True
        u = ULPS if ulps is None else ulps
        parts = [(got, want)] if want.dtype.kind == "f" else [(got.real, want.real), (got.imag, want.imag)]
        bad = np.zeros(want.shape, bool)
        for g, w in parts:
            bad |= float_mismatches(g, w, r, floor, u, everywhere)
        if finite_ok:
            bad &= ~(~np.isfinite(want) & np.isfinite(got))
    if not bad.any():
        return None
    return _positions(got, want, bad)


def float_mismatches(got, want, rtol, floor, ulps, floor_everywhere=False):
    """Boolean mask of the positions where real float ``got`` differs from ``want``."""
    with np.errstate(all="ignore"):
        nan_w = np.isnan(want)
        bad = nan_w != np.isnan(got)
        inf_w = np.isinf(want)
        bad |= inf_w & (got != want)
        fin = ~nan_w & ~inf_w
        zero = want == 0
        wide = np.float64 if want.dtype.itemsize < 8 else want.dtype
        diff = np.abs(got.astype(wide) - want.astype(wide))
        tol = np.maximum(rtol * np.abs(want.astype(wide)), ulps * _ulp(want).astype(wide))
        if floor_everywhere:
            tol = np.maximum(tol, floor)
        tol = np.where(zero, max(floor, 0.0), tol)
        bad |= fin & ~(diff <= tol)
        bad |= zero & (got == 0) & (np.signbit(got) != np.signbit(want))
    return bad


def ulp_distance(got, want):
    """|got - want| in ulps of ``want`` (for messages)."""
    with np.errstate(all="ignore"):
        wide = np.float64 if want.dtype.itemsize < 8 else want.dtype
        return np.abs(got.astype(wide) - want.astype(wide)) / _ulp(want).astype(wide)


def _ulp(want):
    """The spacing of floats at |want| (below the largest finite value, where above is inf)."""
    a = np.abs(want)
    up = np.spacing(a)
    return np.where(np.isinf(up) & np.isfinite(a), a - np.nextafter(a, np.zeros_like(a)), up)


def _positions(got, want, bad, limit=4):
    where = np.argwhere(bad)
    n = len(where)
    shown = []
    for idx in where[:limit]:
        idx = tuple(int(i) for i in idx)
        note = ""
        g, w = got[idx], want[idx]
        if want.dtype.kind == "f" and np.isfinite(w) and np.isfinite(g) and w != 0:
            note = f" ({float(ulp_distance(np.asarray(g), np.asarray(w))):.3g} ulps)"
        elif want.dtype.kind == "f" and g == 0 and w == 0:
            note = " (sign of zero)"
        shown.append(f"at {list(idx)}: got {_scalar(g)}, want {_scalar(w)}{note}")
    more = f" (+{n - limit} more)" if n > limit else ""
    return f"values differ at {n} of {want.size} positions; " + "; ".join(shown) + more


def _scalar(x):
    return repr(x.item()) if hasattr(x, "item") else repr(x)
