"""Running a NUTS chain in the native kernel (nuts.c) around a model's native entry.

:func:`native_plan` decides once per step whether the native kernel can run it (a compiled
``logp_dlogp`` with a native entry, no Python ``step_rand``); :func:`run_native_chain` runs
one chain, tuning included, in chunks of :data:`CHUNK` iterations, each one C call without
the GIL, so other chains run in other threads meanwhile and Ctrl-C and progress bars are
served between chunks.  The chain's whole state lives in its own C struct: the step object
is only read, so several threads may run chains of one step at once.
"""
from __future__ import annotations

import time

import numpy as np

from arignote.native_entry import NativeEntryUnavailable

from ..mass_matrix import adaptation_windows

__all__ = ["NativePlan", "native_plan", "run_native_chain", "NativeStepper", "CHUNK"]

CHUNK = 200  # iterations per C call (a few ms on the seed's models)
_PYTHON_HOOKS = ("astep", "_astep", "_transition", "reset_tuning", "_adapt", "_stats", "_first_step_size")


class NativePlan:
    """Whether the native kernel runs a step, and why not."""

    def __init__(self, entry=None, reason=""):
        self.entry, self.reason = entry, reason

    @property
    def ok(self) -> bool:
        return self.entry is not None

    def describe(self) -> str:
        if self.ok:
            return "native NUTS kernel (C, cffi) calling the model's compiled logp+gradient"
        return f"Python NUTS: {self.reason}"


def native_plan(step) -> NativePlan:
    """The :class:`NativePlan` of NUTS step ``step``."""
    if not step.native_requested:
        return NativePlan(reason="native=False")
    if step.step_rand is not None:
        return NativePlan(reason="step_rand is a Python function")
    from ..nuts import NUTS

    changed = [m for m in _PYTHON_HOOKS if getattr(type(step), m) is not getattr(NUTS, m)]
    if changed:
        return NativePlan(reason=f"{type(step).__name__} overrides {', '.join(changed)}")
    make = getattr(step._fn, "native_entry", None)
    if make is None:
        return NativePlan(reason="the log-density is not a compiled arignote function")
    try:
        entry = make()
    except NativeEntryUnavailable as e:
        return NativePlan(reason=str(e))
    if entry.n_explicit != 1 or entry.outputs != [("float64", 0), ("float64", 1)]:
        return NativePlan(reason="the log-density function is not f(x) -> (logp, grad)")
    try:
        from . import build

        build.load()
    except Exception as e:  # noqa: BLE001 - no compiler, no cffi: the Python NUTS samples
        return NativePlan(reason=f"the native kernel could not be built ({type(e).__name__}: {e})")
    return NativePlan(entry)


class _Chain:
    """One chain's C structs and the NumPy arrays they point into (kept alive here)."""

    def __init__(self, step, plan, x0, tune, rng):
        from . import build

        mod = build.load()
        self.ffi, self.lib = ffi, lib = mod.ffi, mod.lib
        n = step.size
        self.n = n
        self.keep = []
        s = self.settings = ffi.new("ar_settings *")
        s.n, s.n_tune = n, tune
        s.max_treedepth, s.early_max_treedepth = step.max_treedepth, step.early_max_treedepth
        s.step_size, s.target_accept = step.step_size, step.target_accept
        dual = step._dual
        s.gamma, s.k, s.t0, s.max_energy = dual.gamma, dual.k, dual.t0, step.Emax
        s.adapt_step_size, s.adapt_mass = int(step.adapt_step_size), int(step._adapt_mass)
        s.grad_estimator = int(step._mass.estimator == "grad")
        s.grad_init = int(s.grad_estimator and step._adapt_mass and step._initial_inv_mass is None)
        start, ends = adaptation_windows(int(tune))
        s.window_start, s.n_window_ends = start, len(ends)
        s.window_ends = self._ptr(np.array(ends or [0], dtype=np.int64), "int64_t *")
        c = self.chain = ffi.new("ar_chain *")
        words = rng.integers(0, 2**32, size=4, dtype=np.uint64)
        c.rng_key = [int(words[0]), int(words[1])]
        c.rng_stream = [int(words[2]), int(words[3])]
        self.q = np.array(x0, dtype=np.float64)
        logp, grad = step._initial_state(self.q)
        self.grad = np.array(grad, dtype=np.float64)
        c.logp = float(logp)
        inv_mass = np.ones(n) if step._initial_inv_mass is None else step._initial_inv_mass.copy()
        for name, arr in (("q", self.q), ("grad", self.grad), ("inv_mass", inv_mass)):
            setattr(c, name, self._ptr(arr))
        for name in ("p_scale", "failed_x", "w_mean_q", "w_m2_q", "w_mean_g", "w_m2_g"):
            setattr(c, name, self._ptr(np.zeros(n)))
        c.fresh = 1
        self.ws = np.zeros(lib.ar_nuts_workspace(n, step.max_treedepth))
        lib.ar_nuts_start(s, c)
        self.model = self._model(plan.entry)

    def _ptr(self, arr, kind="double *"):
        self.keep.append(arr)
        return self.ffi.cast(kind, arr.ctypes.data)

    def _model(self, entry):
        ffi = self.ffi
        m = ffi.new("ar_model *")
        self.scratch = entry.new_scratch()
        m.fn = ffi.cast("ar_entry", entry.address)
        m.scratch = ffi.cast("void *", self.scratch.address)
        m.n = self.n
        self.keep.append(entry)
        self._model_struct = m
        self.read_shared(entry)
        return m

    def read_shared(self, entry):
        """Point the model's inputs at the shared variables' current values (the other
        blocks' variables of a compound step, Data)."""
        ffi, m = self.ffi, self._model_struct
        shared = entry.shared_values()
        data = ffi.new("void *[]", [ffi.NULL] + [ffi.cast("void *", a.ctypes.data) for a in shared])
        shapes = ffi.new("int64_t[]", [self.n] + [int(d) for a in shared for d in a.shape] + [0])
        self._inputs = (shared, data, shapes)  # the previous ones are no longer pointed at
        m.in_data, m.in_shapes = data, shapes

    def move_to(self, step, q):
        """Continue the chain from ``q`` under the shared values set now: its log-density
        and gradient there are evaluated afresh (the other blocks may have moved)."""
        self.q[:] = q
        logp, grad = step._initial_state(self.q)
        self.grad[:] = grad
        self.chain.logp = float(logp)

    def run(self, draws, stats):
        """Fill ``draws`` (k x n) and ``stats`` (k x len(NUTS.stat_names)); returns the rows done."""
        ffi = self.ffi
        return self.lib.ar_nuts_run(self.settings, self.chain, self.model, ffi.cast("double *", self.ws.ctypes.data),
                                    draws.shape[0], ffi.cast("double *", draws.ctypes.data),
                                    ffi.cast("double *", stats.ctypes.data))

    def failure(self, step):
        """Raise the error of the point where the model's native entry failed."""
        c = self.chain
        if c.failed == 2:
            raise MemoryError("the native NUTS kernel could not allocate its tree")
        x = np.frombuffer(self.ffi.buffer(c.failed_x, 8 * self.n), dtype=np.float64).copy()
        step._fn(x)  # raises the model's own error
        raise RuntimeError(f"the model's native entry failed at {x} where the compiled function does not")


class NativeStepper:
    """One NUTS iteration at a time in the native kernel, for a NUTS step inside a compound
    step: the chain's state (step size, mass-matrix windows, random stream) stays in C
    between draws; before each one the other blocks' current values are read and the
    log-density and gradient are evaluated at the block's point under them."""

    def __init__(self, step, plan, q, tune, rng):
        self.plan = plan
        self.chain = _Chain(step, plan, q, tune, rng)
        n = self.chain.n
        self._row, self._stats = np.empty((1, n)), np.empty((1, len(step.stat_names)))
        self._types = [int if name in _INTEGER_STATS else t for name, t in zip(step.stat_names, step.stat_types)]
        self._fresh = True

    def stop_tuning(self):
        """Tuning ends at the iteration reached (as the Python NUTS's ``stop_tuning``)."""
        s, c = self.chain.settings, self.chain.chain
        s.n_tune = min(s.n_tune, c.iter)

    def step(self, step, q):
        """(q_new, stats tuple) of one iteration from ``q``."""
        ch = self.chain
        ch.read_shared(self.plan.entry)
        if not self._fresh:  # the first point was evaluated when the chain was made
            ch.move_to(step, q)
        self._fresh = False
        if ch.run(self._row, self._stats) < 1:
            ch.failure(step)
        return self._row[0].copy(), tuple(t(v) for t, v in zip(self._types, self._stats[0]))


def run_native_chain(step, plan, x0, draws, tune, rng, chain=0, stop=None, progress=None):
    """(samples, stats dict, n_done, interrupted, elapsed): ``tune + draws`` iterations from ``x0``.

    Exceptions (a failing model, Ctrl-C) propagate; the caller keeps what was done so far,
    which is passed to it through ``partial`` on the exception."""
    total = tune + draws
    ch = _Chain(step, plan, x0, tune, rng)
    out = np.empty((total, ch.n))
    stats = np.empty((total, len(step.stat_names)))
    n = 0
    start = time.perf_counter()
    interrupted = False
    try:
        while n < total:
            if progress is not None:
                progress(chain, n, total)
            if stop is not None and stop.is_set():
                interrupted = True
                break
            k = min(CHUNK, total - n)
            done = ch.run(out[n:n + k], stats[n:n + k])
            n += done
            if done < k:
                ch.failure(step)
    except BaseException as e:
        e.partial = (out[:n].copy(), _stats_dict(step, stats[:n]), n, time.perf_counter() - start)
        raise
    if progress is not None:
        progress(chain, n, total)
    return out[:n].copy(), _stats_dict(step, stats[:n]), n, interrupted, time.perf_counter() - start


#: the dtypes the Python NUTS's stats arrays come out with (counts are integers there)
_INTEGER_STATS = ("depth", "tree_size")


def _stats_dict(step, stats):
    return {name: stats[:, j].astype(np.int64 if name in _INTEGER_STATS else np.dtype(t))
            for j, (name, t) in enumerate(zip(step.stat_names, step.stat_types))}
