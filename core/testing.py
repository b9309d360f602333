"""The table-driven op test runner: cases as data, one runner, every backend.

An ``OpCase`` names a graph-building function, NumPy input arrays and a
NumPy reference.  ``run_case(case, backend)`` compiles the graph on the
backend, compares values, dtypes and shapes with the reference (dtype-aware
tolerances; exact for integers and booleans), checks that inputs were not
mutated, and optionally checks gradients against central finite differences.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

_TOL = {"float16": (1e-2, 1e-3), "float32": (1e-5, 1e-6), "float64": (1e-10, 1e-12),
        "complex64": (1e-5, 1e-6), "complex128": (1e-10, 1e-12)}


@dataclass
class OpCase:
    """One test case: ``build(*symbolic_inputs)`` -> expression(s); ``ref(*arrays)`` -> expected."""

    id: str
    build: Callable
    inputs: Sequence[Any]
    ref: Callable
    grad: bool = True
    rtol: float | None = None
    atol: float | None = None
    grad_rtol: float = 1e-5
    wrt: Sequence[int] | None = None
    mode: Any = None
    input_types: Sequence[Any] | None = None
    tags: tuple = field(default_factory=tuple)

    def __str__(self):
        return self.id


def available_backends():
    """Names of the registered backends that can run here (never 'auto')."""
    from . import plugin_manager

    return [name for name, ok, _reason, _prio in plugin_manager.backend_status() if ok]


def all_backends():
    """(name, available, reason) for every registered backend, for skip messages."""
    from . import plugin_manager

    return [(n, ok, reason) for n, ok, reason, _p in plugin_manager.backend_status()]


def symbolic_inputs(case):
    from .types import TensorType

    out = []
    for k, a in enumerate(case.inputs):
        if case.input_types is not None and case.input_types[k] is not None:
            t = case.input_types[k]
        else:
            a = np.asarray(a)
            t = TensorType(a.dtype, shape=(None,) * a.ndim)
        out.append(t(f"in{k}"))
    return out


def tolerances(dtype, case):
    rtol, atol = _TOL.get(np.dtype(dtype).name, (0, 0))
    return (case.rtol if case.rtol is not None else rtol, case.atol if case.atol is not None else atol)


def assert_matches(got, want, case, what="output"):
    """Compare one result with the reference: type, dtype, shape, then values."""
    want = np.asarray(want)
    if not isinstance(got, np.ndarray):
        raise AssertionError(f"[{case.id}] {what}: expected a numpy.ndarray, got {type(got).__name__}")
    if got.dtype != want.dtype:
        raise AssertionError(f"[{case.id}] {what}: dtype {got.dtype} != reference {want.dtype}")
    if got.shape != want.shape:
        raise AssertionError(f"[{case.id}] {what}: shape {got.shape} != reference {want.shape}")
    if want.dtype.kind in "biuUS":
        if not np.array_equal(got, want):
            raise AssertionError(f"[{case.id}] {what}: values differ\n got {got}\nwant {want}")
        return
    rtol, atol = tolerances(want.dtype, case)
    if not np.allclose(got, want, rtol=rtol, atol=atol, equal_nan=True):
        with np.errstate(all="ignore"):
            err = np.nanmax(np.abs(got.astype(complex) - want.astype(complex))) if got.size else 0
        raise AssertionError(
            f"[{case.id}] {what}: values differ (max abs err {err}, rtol {rtol}, atol {atol})\n got {got}\nwant {want}"
        )


def run_case(case, backend="py", check_grad=True):
    """Compile ``case`` on ``backend`` and check it against the reference (raises AssertionError)."""
    from .function import function

    xs = symbolic_inputs(case)
    out = case.build(*xs)
    single = not isinstance(out, (list, tuple))
    outs = [out] if single else list(out)
    f = function(xs, outs, backend=backend, mode=case.mode, on_unused_input="ignore")
    arrays = [np.array(a, copy=True) for a in case.inputs]
    before = [a.copy() for a in arrays]
    got = f(*arrays)
    for k, (a, b) in enumerate(zip(arrays, before)):
        if not np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"):
            raise AssertionError(f"[{case.id}] backend {backend} mutated input {k}")
    with np.errstate(all="ignore"):
        want = case.ref(*[a.copy() for a in before])
    wants = [want] if single else list(want)
    if len(wants) != len(got):
        raise AssertionError(f"[{case.id}] {len(got)} outputs, reference has {len(wants)}")
    for k, (g, w) in enumerate(zip(got, wants)):
        assert_matches(g, w, case, what=f"output {k} on {backend}")
    if case.grad and check_grad:
        check_gradient(case, backend)
    return got


def check_gradient(case, backend="py", eps=None, rng=None):
    """Compare the symbolic gradient of sum(out * r) with central finite differences."""
    from .function import function
    from .gradient import grad
    from .tensor import math as tm

    rng = rng or np.random.default_rng(1234)
    xs = symbolic_inputs(case)
    out = case.build(*xs)
    outs = [out] if not isinstance(out, (list, tuple)) else list(out)
    wrt_idx = [k for k in (case.wrt if case.wrt is not None else range(len(xs)))
               if np.asarray(case.inputs[k]).dtype.kind == "f"]
    if not wrt_idx:
        return
    arrays = [np.asarray(a) for a in case.inputs]
    outs = [o for o in outs if o.dtype.startswith("float")]
    if not outs:
        return
    projs = [rng.standard_normal() for _ in outs]
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
                f"(max abs err {np.max(np.abs(g - num))})\n sym {g}\n num {num}"
            )
