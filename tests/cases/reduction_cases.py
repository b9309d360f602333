"""Reduction cases for arignote.testing.run_case: sum prod max min argmax argmin mean var std all any
logsumexp cumsum cumprod over axis None / int / negative / tuple, keepdims, dtypes and empty arrays."""
from __future__ import annotations

import numpy as np
from scipy import special as sp

from arignote import tensor as T
from arignote.conformance.specs import edge_rows
from arignote.conformance.values import edge_values
from arignote.testing import OpCase

CASES: list[OpCase] = []

_rng = np.random.default_rng(11)


def case(id, build, inputs, ref, **kw):
    kw.setdefault("grad", False)
    CASES.append(OpCase(id, build, inputs, ref, **kw))


def arr(dtype, shape):
    dt = np.dtype(dtype)
    if dt.kind == "b":
        return _rng.integers(0, 2, shape).astype(bool)
    if dt.kind in "iu":
        return _rng.integers(0 if dt.kind == "u" else -4, 5, shape).astype(dt)
    a = _rng.uniform(-2, 2, shape)
    if dt.kind == "c":
        a = a + 1j * _rng.uniform(-2, 2, shape)
    return a.astype(dt)


# axis argument, and the tag used in case ids
AXES = [(None, "all"), (0, "0"), (1, "1"), (-1, "neg1"), (-3, "neg3"), ((0, 2), "t02"), ((-1, 0), "t-10"),
        ((0, 1, 2), "t012"), ((), "empty-tuple")]
T3 = (2, 3, 4)

# NumPy's accumulator dtypes for sum/prod of small integers (64-bit platform)
_SUM_DT = {"bool": "int64", "int8": "int64", "int16": "int64", "int32": "int64", "uint8": "uint64",
           "uint16": "uint64", "uint32": "uint64"}


def _np_axis(axis):
    return axis


def _reduction_cases():
    for name, fn, ref, dtypes in (
        ("sum", T.sum, lambda x, a, k: np.sum(x, axis=a, keepdims=k, dtype=_SUM_DT.get(x.dtype.name)),
         ("bool", "int8", "uint8", "int32", "int64", "uint32", "uint64", "float16", "float32", "float64",
          "complex64")),
        ("prod", T.prod, lambda x, a, k: np.prod(x, axis=a, keepdims=k, dtype=_SUM_DT.get(x.dtype.name)),
         ("bool", "int8", "uint16", "int64", "float32", "float64", "complex128")),
        ("max", T.max, lambda x, a, k: np.max(x, axis=a, keepdims=k),
         ("bool", "int8", "uint8", "int64", "uint64", "float16", "float32", "float64")),
        ("min", T.min, lambda x, a, k: np.min(x, axis=a, keepdims=k),
         ("bool", "int16", "uint32", "int64", "float32", "float64")),
        ("all", T.all, lambda x, a, k: np.all(x, axis=a, keepdims=k), ("bool", "int8", "float64", "complex64")),
        ("any", T.any, lambda x, a, k: np.any(x, axis=a, keepdims=k), ("bool", "int32", "float32")),
        ("mean", T.mean, lambda x, a, k: np.mean(x, axis=a, keepdims=k),
         ("int8", "int64", "uint8", "float32", "float64", "complex128")),
    ):
        for dt in dtypes:
            for axis, tag in AXES:
                for keep in (False, True):
                    if keep and axis not in (None, 1, (0, 2), -1):
                        continue
                    x = arr(dt, T3)
                    if name in ("prod",) and dt in ("float32", "float64"):
                        x = (x * 0.3 + 1).astype(dt)  # keep products well conditioned
                    kw = {}
                    if dt == "float16" or (name == "mean" and dt == "float32"):
                        kw = dict(rtol=1e-2 if dt == "float16" else 1e-5, atol=1e-2 if dt == "float16" else 1e-6)
                    case(f"{name}-{dt}-axis{tag}{'-keep' if keep else ''}",
                         lambda v, fn=fn, axis=axis, keep=keep: fn(v, axis=axis, keepdims=keep), [x],
                         lambda v, ref=ref, axis=axis, keep=keep: ref(v, axis, keep),
                         grad=(dt == "float64" and name in ("sum", "prod", "mean") and tag in ("all", "1", "t02")),
                         **kw)
        # 0-d, vector and matrix inputs
        dt = "float64"
        for shape, axis in (((), None), ((), 0), ((), -1), ((5,), None), ((5,), 0), ((3, 4), (0, 1)),
                            ((3, 4), -2), ((1, 4), 0)):
            # NumPy's sum/max/... accept axis 0 and -1 on 0-d arrays (its mean does not; arignote does)
            case(f"{name}-{dt}-shape{shape}-axis{axis}", lambda v, fn=fn, axis=axis: fn(v, axis=axis),
                 [arr(dt, shape)], lambda v, ref=ref, axis=axis: ref(v, None if v.ndim == 0 else axis, False))


def _var_std_cases():
    for name, fn, npf in (("var", T.var, np.var), ("std", T.std, np.std)):
        for dt in ("float64", "float32", "int32", "int8"):
            for axis, tag in AXES[:7]:
                for keep in (False, True):
                    if keep and tag not in ("all", "1", "t02"):
                        continue
                    kw = dict(rtol=1e-4, atol=1e-5) if dt == "float32" else {}
                    case(f"{name}-{dt}-axis{tag}{'-keep' if keep else ''}",
                         lambda v, fn=fn, axis=axis, keep=keep: fn(v, axis=axis, keepdims=keep), [arr(dt, T3)],
                         lambda v, npf=npf, axis=axis, keep=keep: npf(v, axis=axis, keepdims=keep), **kw,
                         grad=dt == "float64" and tag in ("all", "1"))
        for ddof in (1, 2):
            case(f"{name}-ddof{ddof}", lambda v, fn=fn, ddof=ddof: fn(v, axis=1, ddof=ddof), [arr("float64", (3, 5))],
                 lambda v, npf=npf, ddof=ddof: npf(v, axis=1, ddof=ddof))
        case(f"{name}-complex", lambda v, fn=fn: fn(v, axis=0), [arr("complex128", (4, 3))],
             lambda v, npf=npf: npf(v, axis=0))
        case(f"{name}-method", lambda v, name=name: getattr(v, name)(axis=-1), [arr("float64", (3, 5))],
             lambda v, npf=npf: npf(v, axis=-1))
    case("var-corrected", lambda v: T.var(v, corrected=True), [arr("float64", (6,))], lambda v: np.var(v, ddof=1))


def _arg_cases():
    for name, fn, npf in (("argmax", T.argmax, np.argmax), ("argmin", T.argmin, np.argmin)):
        for dt in ("float64", "float32", "int8", "uint16", "bool", "int64"):
            for axis, tag in ((None, "all"), (0, "0"), (1, "1"), (-1, "neg1"), (-3, "neg3")):
                for keep in (False, True):
                    case(f"{name}-{dt}-axis{tag}{'-keep' if keep else ''}",
                         lambda v, fn=fn, axis=axis, keep=keep: fn(v, axis=axis, keepdims=keep), [arr(dt, T3)],
                         lambda v, npf=npf, axis=axis, keep=keep: npf(v, axis=axis, keepdims=keep).astype("int64"))
        # several axes: NumPy has no tuple axis, so move them last and flatten
        for axes in ((0, 2), (1, 2), (-1, -3)):
            def ref(v, npf=npf, axes=axes, keep=False):
                ax = sorted(a % v.ndim for a in axes)  # flattened in axis order
                kept = [i for i in range(v.ndim) if i not in ax]
                t = np.transpose(v, kept + ax).reshape([v.shape[i] for i in kept] + [-1])
                r = npf(t, axis=-1).astype("int64")
                if keep:
                    for a in sorted(ax):
                        r = np.expand_dims(r, a)
                return r

            case(f"{name}-tuple{axes}", lambda v, fn=fn, axes=axes: fn(v, axis=axes), [arr("float64", T3)], ref)
            case(f"{name}-tuple{axes}-keep", lambda v, fn=fn, axes=axes: fn(v, axis=axes, keepdims=True),
                 [arr("float64", T3)], lambda v, ref=ref: ref(v, keep=True))
        case(f"{name}-ties-first", fn, [np.array([1.0, 3.0, 3.0, -1.0, -1.0])],
             lambda v, npf=npf: np.asarray(npf(v), "int64"))
        case(f"{name}-nan", fn, [np.array([1.0, np.nan, 3.0])], lambda v, npf=npf: np.asarray(npf(v), "int64"))
        case(f"{name}-method", lambda v, name=name: getattr(v, name)(axis=0), [arr("float64", (3, 4))],
             lambda v, npf=npf: npf(v, axis=0).astype("int64"))


def _log_sum_exp_empty(v, axis, keep):
    assert v.size == 0
    with np.errstate(divide="ignore"):
        return np.log(np.sum(np.exp(v), axis=axis, keepdims=keep))


def _logsumexp_cases():
    for axis, tag in AXES[:7]:
        for keep in (False, True):
            case(f"logsumexp-axis{tag}{'-keep' if keep else ''}",
                 lambda v, axis=axis, keep=keep: T.logsumexp(v, axis=axis, keepdims=keep), [arr("float64", T3)],
                 lambda v, axis=axis, keep=keep: sp.logsumexp(v, axis=axis, keepdims=keep),
                 grad=tag in ("all", "1"))
    case("logsumexp-large", lambda v: T.logsumexp(v, axis=1), [np.array([[1000.0, 1000.0], [-1000.0, -1001.0]])],
         lambda v: sp.logsumexp(v, axis=1))
    case("logsumexp-neg-inf", lambda v: T.logsumexp(v, axis=1),
         [np.array([[-np.inf, 0.0], [-np.inf, -np.inf], [np.inf, 1.0]])], lambda v: sp.logsumexp(v, axis=1))
    case("logsumexp-float32", lambda v: T.logsumexp(v, axis=0), [arr("float32", (3, 4))],
         lambda v: sp.logsumexp(v, axis=0).astype("float32"))
    # an empty axis gives -inf (SciPy), not the max-shift's "zero-size array" error.  The reference is
    # log(sum(exp(v))), exact on empty input: SciPy 1.17's logsumexp raises IndexError for axis=None or
    # (0, 1) on a (0, 3) array
    e = np.zeros((0, 3))
    for axis, tag in ((0, "0"), (None, "all"), ((0, 1), "tuple")):
        for keep in (False, True):
            case(f"logsumexp-empty-axis{tag}{'-keep' if keep else ''}",
                 lambda v, axis=axis, keep=keep: T.logsumexp(v, axis=axis, keepdims=keep), [e],
                 lambda v, axis=axis, keep=keep: _log_sum_exp_empty(v, axis, keep))
    case("logsumexp-empty-axis1", lambda v: T.logsumexp(v, axis=1), [e], lambda v: sp.logsumexp(v, axis=1))
    case("logsumexp-empty-float32", lambda v: T.logsumexp(v, axis=0), [np.zeros((0, 2), "float32")],
         lambda v: np.full(2, -np.inf, "float32"))
    # integers upgrade to float first (Theano's rule) so x - max(x) cannot wrap around
    case("logsumexp-int8-extremes", lambda v: T.logsumexp(v, axis=0), [np.array([-128, 127], "int8")],
         lambda v: sp.logsumexp(v.astype("float32"), axis=0).astype("float32"))
    case("logsumexp-int64", lambda v: T.logsumexp(v, axis=1), [arr("int64", (3, 4))],
         lambda v: sp.logsumexp(v, axis=1))
    case("logsumexp-bool", lambda v: T.logsumexp(v), [arr("bool", (3, 4))],
         lambda v: sp.logsumexp(v.astype("float32")).astype("float32"))


def _cumulative_cases():
    for name, fn, npf in (("cumsum", T.cumsum, np.cumsum), ("cumprod", T.cumprod, np.cumprod)):
        for dt in ("float64", "float32", "int8", "int64", "uint8", "bool"):
            for axis in (None, 0, 1, -1):
                def ref(v, npf=npf, axis=axis):
                    return npf(v, axis=axis, dtype=_SUM_DT.get(v.dtype.name))

                case(f"{name}-{dt}-axis{axis}", lambda v, fn=fn, axis=axis: fn(v, axis=axis), [arr(dt, (3, 4))], ref,
                     grad=dt == "float64")
        case(f"{name}-vector", fn, [arr("float64", (6,))], npf, grad=True)
        case(f"{name}-empty", lambda v, fn=fn: fn(v, axis=0), [arr("float64", (0, 3))],
             lambda v, npf=npf: npf(v, axis=0))


def _empty_cases():
    e = np.zeros((0, 3))
    case("sum-empty-all", T.sum, [e], lambda v: np.sum(v))
    case("sum-empty-axis0", lambda v: T.sum(v, axis=0), [e], lambda v: np.sum(v, axis=0))
    case("sum-empty-axis1", lambda v: T.sum(v, axis=1), [e], lambda v: np.sum(v, axis=1))
    case("sum-empty-int8", T.sum, [np.zeros((0,), "int8")], lambda v: np.sum(v, dtype="int64"))
    case("prod-empty-all", T.prod, [e], lambda v: np.prod(v))
    case("prod-empty-axis0", lambda v: T.prod(v, axis=0), [e], lambda v: np.prod(v, axis=0))
    case("max-empty-axis1", lambda v: T.max(v, axis=1), [e], lambda v: np.max(v, axis=1))
    case("min-empty-axis1-keep", lambda v: T.min(v, axis=1, keepdims=True), [e],
         lambda v: np.min(v, axis=1, keepdims=True))
    case("all-empty", T.all, [e], lambda v: np.all(v))
    case("any-empty", T.any, [e], lambda v: np.any(v))
    case("all-empty-axis0", lambda v: T.all(v, axis=0), [e], lambda v: np.all(v, axis=0))
    case("mean-empty-axis1", lambda v: T.mean(v, axis=1), [e], lambda v: np.zeros((0,)))
    case("mean-empty-axis0-nan", lambda v: T.mean(v, axis=0), [e], lambda v: np.full(3, np.nan))
    case("mean-empty-all-nan", T.mean, [e], lambda v: np.array(np.nan))
    case("mean-empty-int8-nan", lambda v: T.mean(v, axis=0), [np.zeros((0, 2), "int8")],
         lambda v: np.full(2, np.nan))
    # NumPy's initial=: an empty axis gives it, a non-empty one is compared with it
    for dt in ("float64", "float32", "int8", "uint8", "bool"):
        init_hi, init_lo = (np.asarray(2, dt), np.asarray(0, dt)) if dt != "bool" else (True, False)
        x0 = np.zeros((0, 3), dt)
        x1 = arr(dt, (3, 4))
        for kind, init in (("max", init_lo), ("min", init_hi)):
            npf = getattr(np, kind)
            fn = getattr(T, kind)
            case(f"{kind}-initial-empty-{dt}", lambda v, fn=fn, init=init: fn(v, axis=0, initial=init), [x0],
                 lambda v, npf=npf, init=init: npf(v, axis=0, initial=init))
            case(f"{kind}-initial-{dt}", lambda v, fn=fn, init=init: fn(v, axis=1, initial=init), [x1],
                 lambda v, npf=npf, init=init: npf(v, axis=1, initial=init))
    case("max-initial-neg-inf-empty-all", lambda v: T.max(v, initial=-np.inf), [e],
         lambda v: np.max(v, initial=-np.inf))
    case("min-initial-empty-keep", lambda v: T.min(v, axis=0, keepdims=True, initial=5.0), [e],
         lambda v: np.min(v, axis=0, keepdims=True, initial=5.0))
    case("sum-empty-keep", lambda v: T.sum(v, keepdims=True), [e], lambda v: np.sum(v, keepdims=True))


def _dtype_arg_cases():
    case("sum-dtype-float32", lambda v: T.sum(v, dtype="float32"), [arr("int16", (3, 4))],
         lambda v: np.sum(v, dtype="float32"))
    case("sum-dtype-int8-wraps", lambda v: T.sum(v, dtype="int8"), [np.full(300, 1, "int8")],
         lambda v: np.sum(v, dtype="int8"))
    case("prod-dtype-float64", lambda v: T.prod(v, axis=1, dtype="float64"), [arr("int8", (3, 4))],
         lambda v: np.prod(v, axis=1, dtype="float64"))
    case("mean-dtype-float32", lambda v: T.mean(v, dtype="float32"), [arr("int32", (3, 4))],
         lambda v: np.mean(v, dtype="float32"), rtol=1e-5)
    case("sum-method-chain", lambda v: (v * 2).sum(axis=0).sum(), [arr("float64", (3, 4))], lambda v: (v * 2).sum())
    case("max-nan-propagates", lambda v: T.max(v, axis=0), [np.array([[1.0, np.nan], [2.0, 0.0]])],
         lambda v: np.max(v, axis=0))
    case("sum-inf", T.sum, [np.array([np.inf, 1.0, -2.0])], lambda v: np.sum(v))
    case("max-and-argmax", lambda v: list(T.max_and_argmax(v, axis=1)), [arr("float64", (3, 4))],
         lambda v: [np.max(v, axis=1), np.argmax(v, axis=1).astype("int64")])


_reduction_cases()
_var_std_cases()
_arg_cases()
_logsumexp_cases()
_cumulative_cases()
_empty_cases()
_dtype_arg_cases()


def _edge_cases():
    """Signed zeros, nan first/middle/last, opposite infinities, subnormals and overflow, per row
    (axis 1) and all edge values at once (axis None)."""
    table = {"sum": (T.sum, np.sum), "prod": (T.prod, np.prod), "max": (T.max, np.max), "min": (T.min, np.min),
             "mean": (T.mean, np.mean), "var": (T.var, np.var), "std": (T.std, np.std),
             "all": (T.all, np.all), "any": (T.any, np.any), "logsumexp": (T.logsumexp, sp.logsumexp),
             "argmax": (T.argmax, lambda v, axis: np.asarray(np.argmax(v, axis=axis), "int64")),
             "argmin": (T.argmin, lambda v, axis: np.asarray(np.argmin(v, axis=axis), "int64")),
             "cumsum": (T.cumsum, np.cumsum), "cumprod": (T.cumprod, np.cumprod)}
    for name, (fn, npf) in table.items():
        for dt in ("float64", "float32"):
            ref = (lambda v, npf=npf, dt=dt: np.asarray(npf(v, axis=1)))
            case(f"{name}-{dt}-edge-rows", lambda v, fn=fn: fn(v, axis=1), [edge_rows(dt)], ref)
            if name not in ("cumsum", "cumprod"):
                case(f"{name}-{dt}-edge-all", lambda v, fn=fn: fn(v, axis=None), [edge_values(dt)],
                     lambda v, npf=npf: np.asarray(npf(v, axis=None)))
_edge_cases()
