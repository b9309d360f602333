"""Running population samplers (``DEMetropolis``): every chain in lockstep in
one process, each step seeing the other chains' current states.

Each chain gets a shallow copy of the step methods (their compiled
log-densities are shared; tuning state is per chain).
"""

from __future__ import annotations

import copy
import time
import traceback

import numpy as np

from .chain import ChainResult, _Runner, _stats_arrays, step_methods
from .compound import CompoundStep

__all__ = ["is_population", "run_population"]


def is_population(step) -> bool:
    return any(getattr(m, "population_step", False) for m in step_methods(step))


def _copy_step(step):
    methods = [copy.copy(m) for m in step_methods(step)]
    return CompoundStep(methods) if isinstance(step, CompoundStep) else methods[0]


def run_population(step, layout, starts, draws, tune, rngs, chain_ids, progress=None) -> list:
    """``tune + draws`` iterations of every chain; a failure ends all chains
    (their tracebacks are kept in the results)."""
    n = len(starts)
    if n < 3:
        raise ValueError(f"Population samplers (DEMetropolis) need at least 3 chains, got chains={n}")
    steps = [_copy_step(step) for _ in range(n)]
    runners = [_Runner(s, layout) for s in steps]
    states = [np.array(x, dtype=float) for x in starts]
    for k, (s, runner) in enumerate(zip(steps, runners)):
        s.set_rng(rngs[k]) if hasattr(s, "set_rng") else None
        s.reset_tuning(tune) if hasattr(s, "reset_tuning") else None
        for m, idx in zip(runner.methods, runner.idx):
            if getattr(m, "population_step", False):
                m.link_population(states, idx, k)
    total = tune + draws
    out = np.empty((n, total, layout.size))
    stats = [[[] for _ in r.methods] for r in runners]
    error, done = None, 0
    start = time.perf_counter()
    try:
        for i in range(total):
            if i == tune:
                for s in steps:
                    s.stop_tuning()
            for k, runner in enumerate(runners):
                states[k] = runner.draw(states[k], stats[k])
                out[k, i] = states[k]
            done = i + 1
            if progress is not None and done % 32 == 0:
                for c in chain_ids:
                    progress(c, done, total)
    except KeyboardInterrupt:
        pass
    except Exception:
        error = traceback.format_exc()
    elapsed = time.perf_counter() - start
    return [ChainResult(c, out[k, :done].copy(),
                        _stats_arrays(runners[k].methods, [col[:done] for col in stats[k]]),
                        tune, error, error is None and done < total, elapsed)
            for k, c in enumerate(chain_ids)]
