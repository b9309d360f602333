"""The table-driven test harness: an ``OpCase`` names a graph-building function,
NumPy input arrays and a reference (a NumPy function, or None for the reference
backend: each op's ``perform`` without rewrites).  ``run_case(case, backend)``
compiles the graph on the backend, compares values, dtypes and shapes with the
reference (see :mod:`.compare`), checks that inputs were not mutated, and
optionally checks gradients against central finite differences.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from .compare import mismatch
from .values import as_view, describe, same_values

REFERENCE = "py"
REFERENCE_MODE = "NO_REWRITES"


@dataclass
class OpCase:
    """One test case: ``build(*symbolic_inputs)`` -> expression(s); ``ref(*arrays)`` -> expected
    (None: the reference backend).  ``rtol``/``atol``/``ulps`` override the dtype's tolerances
    (see :func:`~arignote.conformance.compare.mismatch`).  ``views`` gives, per input, None or a view kind
    ('reverse', 'step', 'fortran') in which the array is passed; ``op``/``dtype`` label reports."""

    id: str
    build: Callable
    inputs: Sequence[Any]
    ref: Callable | None = None
    grad: bool = True
    rtol: float | None = None
    atol: float | None = None
    ulps: float | None = None
    grad_rtol: float = 1e-5
    wrt: Sequence[int] | None = None
    mode: Any = None
    input_types: Sequence[Any] | None = None
    tags: tuple = field(default_factory=tuple)
    op: str | None = None
    dtype: str | None = None
    views: Sequence[str | None] | None = None

    def __str__(self):
        return self.id


def available_backends():
    """Names of the registered backends that can run here (never 'auto')."""
    from .. import plugin_manager

    return [name for name, ok, _reason, _prio in plugin_manager.backend_status() if ok]


def all_backends():
    """(name, available, reason) for every registered backend, for skip messages."""
    from .. import plugin_manager

    return [(n, ok, reason) for n, ok, reason, _p in plugin_manager.backend_status()]


def builtin_backends():
    """(name, available, reason) of arignote's own backends: the ones its test suite runs
    every case on (a third-party plugin's backend is checked by that plugin's tests)."""
    from .. import plugin_manager

    records = plugin_manager.backends()
    return [(n, ok, why) for n, ok, why in all_backends()
            if plugin_manager._is_builtin_module(getattr(records[n].factory, "__module__", None) or "")]


#: backends the generic tests (``backend_params()`` without names) run on only when named in the
#: environment variable ARIGNOTE_TEST_OPT_IN (comma-separated): the CPU emulation of the CUDA
#: kernels passes them all, but adds minutes to a suite that must stay within CI's time; its own
#: tests and the conformance suite name it and always run.
OPT_IN = ("cuda-emulated",)


def opted_out():
    """The opt-in backends not asked for in ARIGNOTE_TEST_OPT_IN."""
    import os

    asked = {n.strip() for n in os.environ.get("ARIGNOTE_TEST_OPT_IN", "").split(",")}
    return set(OPT_IN) - asked


def backend_params(names=None):
    """pytest parameters for arignote's own backends (``names``: only those): an unavailable
    one is skipped with its reason, never left out; without ``names`` an opt-in backend
    (:data:`OPT_IN`) is skipped unless asked for."""
    import pytest

    skip_opt_in = opted_out() if names is None else set()
    params = []
    for n, ok, why in builtin_backends():
        if names is not None and n not in names:
            continue
        if not ok:
            params.append(pytest.param(n, id=n, marks=pytest.mark.skip(
                reason=f"backend {n!r} is not available: {why}")))
        elif n in skip_opt_in:
            params.append(pytest.param(n, id=n, marks=pytest.mark.skip(
                reason=f"backend {n!r} runs the generic tests when asked: ARIGNOTE_TEST_OPT_IN={n}")))
        else:
            params.append(pytest.param(n, id=n))
    return params


def symbolic_inputs(case):
    from ..types import TensorType

    out = []
    for k, a in enumerate(case.inputs):
        if case.input_types is not None and case.input_types[k] is not None:
            t = case.input_types[k]
        else:
            a = np.asarray(a)
            t = TensorType(a.dtype, shape=(None,) * a.ndim)
        out.append(t(f"in{k}"))
    return out


def case_arrays(case):
    """Fresh input arrays for one call, in the layouts ``case.views`` asks for."""
    views = case.views or [None] * len(case.inputs)
    return [as_view(np.asarray(a), v) for a, v in zip(case.inputs, views)]


def describe_inputs(case):
    """The case's inputs, one line each (dtype, shape, layout, values)."""
    views = case.views or [None] * len(case.inputs)
    lines = []
    for k, (a, v) in enumerate(zip(case.inputs, views)):
        lines.append("  " + describe(np.asarray(a), f"input {k}") + (f" (passed as a {v!r} view)" if v else ""))
    return "\n".join(lines)


def assert_matches(got, want, case, what="output"):
    """Compare one result with the reference: type, dtype, shape, then values."""
    problem = mismatch(got, want, case.rtol, case.atol, case.ulps)
    if problem:
        raise AssertionError(f"[{case.id}] {what}: {problem}\n got {got!r}\nwant {np.asarray(want)!r}")


def reference_outputs(case, xs=None, outs=None):
    """The expected outputs of ``case``: its NumPy ``ref``, else the reference backend."""
    if case.ref is not None:
        with np.errstate(all="ignore"):
            want = case.ref(*[np.array(a, copy=True) for a in case.inputs])
        return [want] if not isinstance(want, (list, tuple)) else list(want)
    from ..function import function

    if xs is None:
        xs = symbolic_inputs(case)
        outs = _as_list(case.build(*xs))
    f = function(xs, outs, backend=REFERENCE, mode=REFERENCE_MODE, on_unused_input="ignore")
    with np.errstate(all="ignore"):
        return [np.array(v, copy=True) for v in f(*[np.array(a, copy=True) for a in case.inputs])]


def _as_list(out):
    return list(out) if isinstance(out, (list, tuple)) else [out]


def run_case(case, backend="py", check_grad=True):
    """Compile ``case`` on ``backend`` and check it against the reference (raises AssertionError
    naming the case, the backend and the inputs)."""
    from ..function import function

    pre = _PRECOMPUTED.pop((id(case), backend), None)
    if pre is not None:  # computed together with other cases by precompute()
        xs, outs, arrays, before, got = pre
    else:
        xs = symbolic_inputs(case)
        out = case.build(*xs)
        outs = _as_list(out)
        f = function(xs, outs, backend=backend, mode=case.mode, on_unused_input="ignore")
        arrays = case_arrays(case)
        before = [a.copy() for a in arrays]
        with np.errstate(all="ignore"):
            got = f(*arrays)
    for k, (a, b) in enumerate(zip(arrays, before)):
        if not same_values(a, b):
            raise AssertionError(f"[{case.id}] backend {backend} mutated input {k}\n{describe_inputs(case)}")
    wants = reference_outputs(case, xs, outs)
    if len(wants) != len(got):
        raise AssertionError(f"[{case.id}] {len(got)} outputs, reference has {len(wants)}")
    for k, (g, w) in enumerate(zip(got, wants)):
        try:
            assert_matches(g, w, case, what=f"output {k} on {backend}")
        except AssertionError as e:
            raise AssertionError(f"{e}\n{describe_inputs(case)}") from None
    if case.grad and check_grad and backend in GRADIENT_BACKENDS:
        check_gradient(case, backend)
    return got


# Gradients are graphs like any other: checking them by finite differences on the
# reference suffices; compiled backends are checked on the forward graphs.
GRADIENT_BACKENDS = ("py",)
_PRECOMPUTED: dict = {}


def precompute(cases, backend, chunk=200):
    """Compile many cases as few functions (``chunk`` cases each) and keep their results.

    Compiled backends pay per compile; a later ``run_case`` of one of these
    cases checks the stored result instead of compiling again.  A chunk that
    fails to build or run is left to ``run_case`` to redo case by case, so a
    failure is still reported against its own case.
    """
    from ..function import function

    for start in range(0, len(cases), chunk):
        group, prepared = cases[start:start + chunk], []
        for case in group:
            if case.mode is not None:
                continue
            try:
                xs = symbolic_inputs(case)
                prepared.append((case, xs, _as_list(case.build(*xs))))
            except Exception:
                continue  # run_case reports the build error for this case
        if not prepared:
            continue
        all_xs = [x for _, xs, _ in prepared for x in xs]
        all_outs = [o for _, _, outs in prepared for o in outs]
        try:
            f = function(all_xs, all_outs, backend=backend, on_unused_input="ignore")
            arrays = [case_arrays(case) for case, _, _ in prepared]
            before = [[a.copy() for a in arrs] for arrs in arrays]
            with np.errstate(all="ignore"):
                got = f(*[a for arrs in arrays for a in arrs])
        except Exception:
            continue
        k = 0
        for (case, xs, outs), arrs, bef in zip(prepared, arrays, before):
            _PRECOMPUTED[(id(case), backend)] = (xs, outs, arrs, bef, got[k:k + len(outs)])
            k += len(outs)


def check_gradient(case, backend="py", eps=None, rng=None):
    """Compare the symbolic gradient of sum(out * r) with central finite differences."""
    from ..function import function
    from ..gradient import grad
    from ..tensor import math as tm

    rng = rng or np.random.default_rng(1234)
    xs = symbolic_inputs(case)
    outs = _as_list(case.build(*xs))
    wrt_idx = [k for k in (case.wrt if case.wrt is not None else range(len(xs)))
               if np.asarray(case.inputs[k]).dtype.kind == "f"]
    if not wrt_idx:
        return
    arrays = [np.asarray(a) for a in case.inputs]
    outs = [o for o in outs if o.dtype.startswith("float")]
    if not outs:
        return
    cost_fn = function(xs, outs, backend=backend, on_unused_input="ignore")
    shapes = [np.shape(v) for v in cost_fn(*arrays)]
    rs = [rng.standard_normal(s) for s in shapes]
    cost = None
    for o, r in zip(outs, rs):
        term = tm.sum(o * r)
        cost = term if cost is None else cost + term
    gs = grad(cost, [xs[k] for k in wrt_idx], disconnected_inputs="ignore")
    gf = function(xs, gs, backend=backend, on_unused_input="ignore")
    sym = gf(*arrays)
    cf = function(xs, cost, backend=backend, on_unused_input="ignore")
    low = min((np.dtype(o.dtype) for o in outs), key=lambda d: d.itemsize)
    for k, g in zip(wrt_idx, sym):
        a = arrays[k]
        dt = min(a.dtype, low, key=lambda d: d.itemsize)
        h = eps or (1e-6 if dt == np.float64 else 1e-2 if dt == np.float16 else 1e-3)
        num = np.zeros(a.shape, dtype=np.float64)
        for idx in np.ndindex(a.shape):
            plus = [x.copy() for x in arrays]
            minus = [x.copy() for x in arrays]
            plus[k][idx] += h
            minus[k][idx] -= h
            num[idx] = (float(cf(*plus)) - float(cf(*minus))) / (2 * h)
        tol = case.grad_rtol if dt == np.float64 else 1e-2
        if g.shape != a.shape:
            raise AssertionError(f"[{case.id}] gradient of input {k} has shape {g.shape}, input {a.shape}")
        if not np.allclose(g, num, rtol=tol, atol=tol):
            raise AssertionError(
                f"[{case.id}] gradient of input {k} on {backend} differs from finite differences "
                f"(max abs err {np.max(np.abs(g - num))})\n sym {g}\n num {num}\n{describe_inputs(case)}"
            )
