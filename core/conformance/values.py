"""Sample values for conformance cases: random arrays, edge values, strided views,
and array literals that can be pasted back into Python."""
from __future__ import annotations

import re
import sys

import numpy as np

VIEW_KINDS = ("reverse", "step", "fortran")


def edge_values(dtype, extremes=False):
    """The awkward values of ``dtype``.

    Floats: ±0, ±1, 0.5, -2.5, ±the smallest subnormal, 3 subnormals, the
    smallest normal, ±tiny-but-normal (1e-300 in float64), ±1e-10, ±log(max)
    (exp/sinh/cosh next to overflow), ±max/4, ±max, ±inf and nan.  Integers:
    small signed/unsigned values (and the dtype's min/max with ``extremes``);
    both bools; complex: pairs of the float parts."""
    dt = np.dtype(dtype)
    if dt.kind == "b":
        return np.array([False, True])
    if dt.kind in "iu":
        vals = [0, 1, 2, 3, 7, 100] if dt.kind == "u" else [0, 1, -1, 2, -3, 7, -8, 100, -100]
        if extremes:
            info = np.iinfo(dt)
            vals += [int(info.min), int(info.max)] + ([] if dt.kind == "u" else [int(info.min) + 1])
        return np.array(vals, dtype=dt)
    if dt.kind == "f":
        fi = np.finfo(dt)
        sub = float(fi.smallest_subnormal)
        top = float(fi.max)
        small = {8: 1e-300, 4: 1e-30, 2: 1e-4}.get(dt.itemsize, float(fi.tiny) * 16)
        tenth = max(1e-10, float(fi.tiny) * 64)
        near = float(np.log(np.asarray(top, dt))) - 0.5
        vals = [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, sub, -sub, float(fi.tiny), 3.0 * sub, small, -small,
                tenth, -tenth, near, -near, top / 4, -top / 4, top, -top, np.inf, -np.inf, np.nan]
        return np.array(vals, dtype=dt)
    if dt.kind == "c":
        parts = edge_values(np.finfo(dt).dtype)
        out = np.empty((len(parts), len(parts[::3])), dtype=dt)
        out.real, out.imag = parts[:, None], parts[None, ::3]
        return out.ravel()
    raise TypeError(f"no edge values for dtype {dt}")


def small_values(dtype):
    """±10**-k from 0.1 down to the dtype's smallest normal, and a few subnormals: where
    log1p, expm1, sinh, tanh, arcsin or arctanh lose everything if computed naively."""
    dt = np.dtype(dtype)
    fi = np.finfo(dt)
    lowest = int(np.floor(np.log10(float(fi.tiny))))
    mags = 10.0 ** np.linspace(-1, lowest + 1, 24)
    mags = np.concatenate([mags, [1e-5, 3e-8, 1e-10 if dt.itemsize > 2 else 1e-6, float(fi.smallest_subnormal) * 5]])
    return np.concatenate([mags, -mags]).astype(dt)


def random_array(rng, dtype, shape, domain=(-3.0, 3.0), nonzero=False):
    """Random values of ``dtype`` in ``domain`` (integers: the integer range inside it)."""
    dt = np.dtype(dtype)
    lo, hi = domain
    if dt.kind == "b":
        return rng.integers(0, 2, size=shape).astype(bool)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        ilo = int(max(np.ceil(lo), -6, info.min))
        ihi = int(min(np.floor(hi), 6, info.max))
        if ihi < ilo:
            ihi = ilo
        a = rng.integers(ilo, ihi + 1, size=shape).astype(dt)
        if nonzero:
            a[a == 0] = 1 if ihi >= 1 else -1
        return a
    if dt.kind == "c":
        real = rng.uniform(lo, hi, size=shape) + 1j * rng.uniform(lo, hi, size=shape)
        return real.astype(dt)
    a = rng.uniform(lo, hi, size=shape).astype(dt)
    if nonzero:
        a[a == 0] = 1
    return a


def as_view(a, kind):
    """A non-contiguous view whose values equal ``a``: 'reverse' (negative strides),
    'step' (every other element of a larger buffer), 'fortran' (column-major)."""
    a = np.asarray(a)
    if kind is None or a.ndim == 0:
        return np.array(a, copy=True)
    if kind == "reverse":
        flip = (slice(None, None, -1),) * a.ndim
        return np.array(a[flip], copy=True)[flip]
    if kind == "step":
        big = np.zeros(a.shape[:-1] + (2 * a.shape[-1] + 1,), dtype=a.dtype)
        big[..., 1::2] = a
        return big[..., 1::2]
    if kind == "fortran":
        return np.asfortranarray(a) if a.ndim >= 2 else as_view(a, "step")
    raise ValueError(f"unknown view kind {kind!r}; use one of {', '.join(VIEW_KINDS)}")


def same_values(a, b):
    """Exact equality that counts nan as equal to nan (the mutation check)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype.kind in "fc":
        return bool(np.array_equal(a, b, equal_nan=True))
    return bool(np.array_equal(a, b))


_SPECIAL = re.compile(r"(?<![\w.])(nan|inf)\b")


def literal(a):
    """Python source that rebuilds ``a`` exactly (``np.array(..., dtype=...)``)."""
    a = np.asarray(a)
    if a.size == 0:
        return f"np.empty({a.shape!r}, dtype={a.dtype.name!r})"
    opts = dict(separator=", ", threshold=sys.maxsize, max_line_width=100)
    if a.dtype.kind in "fc":
        opts.update(floatmode="unique")
    body = np.array2string(a, **opts)
    body = _SPECIAL.sub(lambda m: "np." + m.group(1), body)
    body = body.replace("\n", "\n" + " " * 9)
    return f"np.array({body}, dtype={a.dtype.name!r})"


def describe(a, name="value"):
    """One line about an array: dtype, shape, layout and its values (shortened)."""
    a = np.asarray(a) if not isinstance(a, np.ndarray) else a
    layout = "" if a.flags.c_contiguous else f", strides {a.strides}"
    with np.printoptions(threshold=60, floatmode="unique", linewidth=100):
        text = np.array2string(a, separator=", ").replace("\n", "\n    ")
    return f"{name}: {a.dtype} shape {a.shape}{layout} = {text}"


def summary(a):
    """Statistics of an array for error messages (shape, dtype, min/max/mean, nan/inf counts)."""
    if not isinstance(a, np.ndarray):
        return f"{type(a).__name__} {a!r}"[:200]
    parts = [f"{a.dtype} shape {a.shape}"]
    if a.size and a.dtype.kind in "biuf":
        with np.errstate(all="ignore"):
            if a.dtype.kind == "f":
                finite = a[np.isfinite(a)]
                parts.append(f"nan {int(np.isnan(a).sum())}, inf {int(np.isinf(a).sum())}")
            else:
                finite = a
            if finite.size:
                parts.append(f"min {finite.min().item()!r}, max {finite.max().item()!r}, "
                             f"mean {finite.astype(float).mean().item()!r}")
    return ", ".join(parts)
