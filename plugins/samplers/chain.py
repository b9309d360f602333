"""Running one chain: the draw loop over a flat float64 state.

The state of all free variables is one flat vector described by a
:class:`Layout`; each step method reads and writes its own indices.  With a
single step over every variable the loop hands the step's output straight
back to it (no dicts, no copies besides the stored draw).
"""

from __future__ import annotations

import time
import traceback

import numpy as np

from .base import ArrayStep
from .compound import CompoundStep

__all__ = ["Layout", "ChainResult", "run_chain", "step_methods", "native_plan"]

_CHECK_EVERY = 32


class Layout:
    """Names, shapes and dtypes of the free variables in one flat vector."""

    def __init__(self, names, shapes, dtypes):
        self.names = list(names)
        self.shapes = [tuple(s) for s in shapes]
        self.dtypes = [np.dtype(d) for d in dtypes]
        self.slices = {}
        start = 0
        for name, shape in zip(self.names, self.shapes):
            n = int(np.prod(shape, dtype=int))
            self.slices[name] = slice(start, start + n)
            start += n
        self.size = start

    @classmethod
    def from_point(cls, point, names=None):
        names = list(point) if names is None else list(names)
        values = [np.asarray(point[n]) for n in names]
        return cls(names, [v.shape for v in values], [v.dtype for v in values])

    def to_point(self, x) -> dict:
        return {n: x[self.slices[n]].reshape(s).astype(d, copy=False)
                for n, s, d in zip(self.names, self.shapes, self.dtypes)}

    def to_array(self, point) -> np.ndarray:
        out = np.empty(self.size)
        for n in self.names:
            out[self.slices[n]] = np.asarray(point[n], dtype=float).ravel()
        return out

    def indices(self, vars) -> np.ndarray:
        missing = [v.name for v in vars if v.name not in self.slices]
        if missing:
            raise ValueError(f"step method variables {missing} are not free variables of the model "
                             f"(free: {self.names})")
        parts = [np.arange(self.slices[v.name].start, self.slices[v.name].stop) for v in vars]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=int)


class ChainResult:
    """Draws (tuning ones first), per-method stats, and how the chain ended."""

    def __init__(self, chain, samples, stats, n_tune, error=None, interrupted=False, elapsed=0.0):
        self.chain = chain
        self.samples = samples
        self.stats = stats
        self.n_tune = n_tune
        self.error = error
        self.interrupted = interrupted
        self.elapsed = elapsed

    @property
    def n_done(self) -> int:
        return self.samples.shape[0]


def step_methods(step) -> list:
    return list(step.methods) if isinstance(step, CompoundStep) else [step]


def _stat_names(method):
    names = getattr(method, "stat_names", None)
    if names is None:
        dtypes = getattr(method, "stats_dtypes", [])
        names = tuple(dtypes[0]) if dtypes else ()
    return tuple(names)


class _Runner:
    """One draw of every step method over the full flat state."""

    def __init__(self, step, layout):
        self.methods = step_methods(step)
        self.layout = layout
        self.idx = [layout.indices(m.vars) if isinstance(m, ArrayStep) else None
                    for m in self.methods]
        only = self.methods[0]
        self.fast = (len(self.methods) == 1 and isinstance(only, ArrayStep)
                     and not only._has_extras
                     and np.array_equal(self.idx[0], np.arange(layout.size)))

    def draw(self, x, stats):
        for k, (m, idx) in enumerate(zip(self.methods, self.idx)):
            if idx is None:
                point = m.step(self.layout.to_point(x))
                if getattr(m, "generates_stats", False):
                    point, st = point
                    stats[k].append(tuple(st[0].values()) if st else ())
                x = self.layout.to_array(point)
                continue
            q = m.set_point(self.layout.to_point(x)) if m._has_extras else x[idx]
            q_new, st = m.astep(q)
            x = x.copy()
            x[idx] = q_new
            stats[k].append(st)
        return x


def _stats_arrays(methods, stats):
    out = []
    for m, rows in zip(methods, stats):
        names = _stat_names(m)
        if not names or not rows or not rows[0]:
            out.append({})
            continue
        cols = list(zip(*rows))
        types = dict(zip(names, getattr(m, "stat_types", ())))
        out.append({n: _column(c, types.get(n)) for n, c in zip(names, cols)})
    return out


def _column(values, declared):
    """One statistic over the draws; a statistic declared ``object`` keeps one
    object (e.g. an array) per draw, as PyMC3 stores it."""
    if declared is not object:
        return np.asarray(values)
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        out[i] = v
    return out


def native_plan(step, layout):
    """The step's NativePlan when one NUTS step samples every variable, else None."""
    runner = _Runner(step, layout)
    plan = getattr(runner.methods[0], "native_plan", None)
    return plan() if runner.fast and plan is not None else None


def run_chain(step, layout, x0, draws, tune, rng, chain=0, stop=None, progress=None) -> ChainResult:
    """Run ``tune + draws`` iterations from ``x0``; never raises for a
    failure inside the loop (the traceback is kept in the result)."""
    plan = native_plan(step, layout)
    if plan is not None and plan.ok:
        return _run_native(step, plan, x0, draws, tune, rng, chain, stop, progress)
    runner = _Runner(step, layout)
    methods = runner.methods
    for m in methods:
        if hasattr(m, "set_rng"):
            m.set_rng(rng)
        if hasattr(m, "reset_tuning"):
            m.reset_tuning(tune)
    total = tune + draws
    out = np.empty((total, layout.size))
    stats = [[] for _ in methods]
    x = np.array(x0, dtype=float)
    error, interrupted, n = None, False, 0
    start = time.perf_counter()
    try:
        if tune == 0:
            step.stop_tuning()
        if runner.fast:
            astep, append = methods[0].astep, stats[0].append
            while n < total:
                if n == tune:
                    step.stop_tuning()
                if n % _CHECK_EVERY == 0 and _should_stop(stop, progress, chain, n, total):
                    break
                x, st = astep(x)
                out[n] = x
                append(st)
                n += 1
        else:
            while n < total:
                if n == tune:
                    step.stop_tuning()
                if n % _CHECK_EVERY == 0 and _should_stop(stop, progress, chain, n, total):
                    break
                x = runner.draw(x, stats)
                out[n] = x
                n += 1
        interrupted = n < total
    except KeyboardInterrupt:
        interrupted = True
    except Exception:  # the chain's failure is reported, the others go on
        error = traceback.format_exc()
    elapsed = time.perf_counter() - start
    if progress is not None:
        progress(chain, n, total)
    stats = [s[:n] for s in stats]
    return ChainResult(chain, out[:n].copy(), _stats_arrays(methods, stats), tune, error,
                       interrupted, elapsed)


def _should_stop(stop, progress, chain, n, total) -> bool:
    if progress is not None:
        progress(chain, n, total)
    return stop is not None and stop.is_set()


def _run_native(step, plan, x0, draws, tune, rng, chain, stop, progress) -> ChainResult:
    """A chain in the native kernel; the step object is only read (threads may share it)."""
    from .native.kernel import run_native_chain

    error, interrupted = None, False
    try:
        samples, stats, _n, interrupted, elapsed = run_native_chain(step, plan, x0, draws, tune, rng,
                                                                    chain, stop, progress)
    except BaseException as e:  # noqa: BLE001 - Ctrl-C keeps the draws; a failure is reported
        if not isinstance(e, (Exception, KeyboardInterrupt)):
            raise
        samples, stats, _n, elapsed = getattr(e, "partial", (np.zeros((0, len(x0))), {}, 0, 0.0))
        if isinstance(e, KeyboardInterrupt):
            interrupted = True
        else:
            error = traceback.format_exc()
    return ChainResult(chain, samples, [stats], tune, error, interrupted, elapsed)
