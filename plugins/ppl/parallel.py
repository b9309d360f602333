"""Running chains: one after the other in this process, in threads (chains of
the native NUTS kernel, which runs without the GIL), in forked worker
processes (the compiled functions are inherited, never recompiled), or on
any ``concurrent.futures.Executor`` (e.g. Dask's), which pickles the job.

Each chain draws from its own ``SeedSequence``, so the draws depend on the
seed only, not on how many processes ran them.  Ctrl-C stops every chain at
its next check and keeps the draws so far; a chain that raises is returned
with its traceback while the others go on.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import queue as queue_module
import signal
import sys
import threading
import traceback

import numpy as np

from arignote.plugins.samplers.chain import ChainResult, native_plan, run_chain
from arignote.plugins.samplers.population import is_population, run_population

__all__ = ["ChainJob", "run_chains", "chain_seeds", "seed_child"]


def seed_child(seq, k):
    """The ``k``-th child of a SeedSequence, whatever was spawned from it before."""
    return np.random.SeedSequence(seq.entropy, spawn_key=tuple(seq.spawn_key) + (k,))


def chain_seeds(random_seed, chains):
    """One SeedSequence per chain from an int, a list of ints (one per chain) or None."""
    if isinstance(random_seed, (list, tuple, np.ndarray)):
        if len(random_seed) != chains:
            raise ValueError(f"random_seed: {len(random_seed)} seeds given for {chains} chains")
        return [np.random.SeedSequence(int(s)) for s in random_seed]
    if random_seed is not None and not isinstance(random_seed, (int, np.integer)):
        raise TypeError(f"random_seed must be an int, a list of ints or None, got {random_seed!r}")
    if random_seed is not None and random_seed < 0:
        random_seed = None  # PyMC3's -1: no seed
    return np.random.SeedSequence(random_seed).spawn(chains)


class ChainJob:
    """Everything a chain needs; picklable for executors."""

    def __init__(self, step, layout, starts, draws, tune, seeds, chain_ids):
        self.step, self.layout, self.starts = step, layout, starts
        self.draws, self.tune, self.seeds, self.chain_ids = draws, tune, seeds, chain_ids

    def run(self, i, stop=None, progress=None) -> ChainResult:
        rng = np.random.default_rng(self.seeds[i])
        return run_chain(self.step, self.layout, self.starts[i], self.draws, self.tune, rng,
                         chain=self.chain_ids[i], stop=stop, progress=progress)


# -- progress bars ----------------------------------------------------------


class _Bars:
    """A tqdm bar per chain, only on a terminal."""

    def __init__(self, chain_ids, total, enabled):
        self.bars = {}
        if not enabled or not sys.stderr.isatty():
            return
        try:
            from tqdm.auto import tqdm
        except ImportError:  # pragma: no cover - tqdm is a dependency of the sampling extra
            return
        for pos, c in enumerate(chain_ids):
            self.bars[c] = tqdm(total=total, position=pos, desc=f"chain {c}", leave=True,
                                dynamic_ncols=True, file=sys.stderr)

    @property
    def enabled(self) -> bool:
        return bool(self.bars)

    def update(self, chain, n, total):
        bar = self.bars.get(chain)
        if bar is not None and n > bar.n:
            bar.update(n - bar.n)

    def close(self):
        for bar in self.bars.values():
            bar.close()


# -- in this process ----------------------------------------------------------


def _run_sequential(job, bars):
    results = []
    progress = bars.update if bars.enabled else None
    for i in range(len(job.starts)):
        try:
            res = job.run(i, progress=progress)
        except KeyboardInterrupt:
            break
        results.append(res)
        if res.interrupted:
            break
    return results, len(results) < len(job.starts) or any(r.interrupted for r in results)


# -- forked worker processes ------------------------------------------------

_WORKER = {}


def _init_worker(job, stop, queue):
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    _WORKER.update(job=job, stop=stop, queue=queue)


def _queue_progress(chain, n, total):
    _WORKER["queue"].put((chain, n, total))


def _work(i):
    progress = _queue_progress if _WORKER["queue"] is not None else None
    return _WORKER["job"].run(i, stop=_WORKER["stop"], progress=progress)


def _drain(queue, bars):
    if queue is None:
        return
    while True:
        try:
            bars.update(*queue.get_nowait())
        except Exception:
            return


def _failed(job, i, exc):
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return ChainResult(job.chain_ids[i], np.zeros((0, job.layout.size)), [], job.tune, error=text)


def _collect(job, futures, stop=None, queue=None, bars=None):
    """Wait for the futures; on Ctrl-C ask the chains to stop and keep what they return."""
    pending = set(futures)
    interrupted = False
    while pending:
        try:
            _done, pending = cf.wait(pending, timeout=0.1)
            if bars is not None:
                _drain(queue, bars)
        except KeyboardInterrupt:
            interrupted = True
            if stop is None:
                for f in pending:
                    f.cancel()
                pending = {f for f in pending if not f.cancelled()}
                if not pending:
                    break
            else:
                stop.set()
    results = []
    for f, i in futures.items():
        if f.cancelled():
            continue
        try:
            results.append(f.result())
        except BaseException as exc:  # noqa: BLE001 - a broken worker is a failed chain
            results.append(_failed(job, i, exc))
    return results, interrupted or any(r.interrupted for r in results)


def _run_forked(job, cores, bars):
    ctx = multiprocessing.get_context("fork")
    stop = ctx.Event()
    queue = ctx.Queue() if bars.enabled else None
    pool = cf.ProcessPoolExecutor(max_workers=cores, mp_context=ctx, initializer=_init_worker,
                                  initargs=(job, stop, queue))
    try:
        futures = {pool.submit(_work, i): i for i in range(len(job.starts))}
        return _collect(job, futures, stop, queue, bars)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _run_threads(job, cores, bars):
    """Chains of the native kernel in threads of this process (its C calls release the GIL)."""
    stop = threading.Event()
    queue = queue_module.SimpleQueue() if bars.enabled else None
    progress = (lambda chain, n, total: queue.put((chain, n, total))) if queue is not None else None
    pool = cf.ThreadPoolExecutor(max_workers=cores, thread_name_prefix="arignote-chain")
    try:
        futures = {pool.submit(job.run, i, stop, progress): i for i in range(len(job.starts))}
        return _collect(job, futures, stop, queue, bars)
    finally:
        stop.set()  # an exception above must not leave chains running
        pool.shutdown(wait=True, cancel_futures=True)


def _run_shipped(job, i):
    """Run chain ``i`` of a pickled job (on an executor's worker)."""
    return job.run(i)


def _run_on_executor(job, executor):
    futures = {executor.submit(_run_shipped, job, i): i for i in range(len(job.starts))}
    return _collect(job, futures)


def _run_population(job, bars):
    rngs = [np.random.default_rng(s) for s in job.seeds]
    results = run_population(job.step, job.layout, job.starts, job.draws, job.tune, rngs, job.chain_ids,
                             bars.update if bars.enabled else None)
    return results, any(r.interrupted for r in results)


def run_chains(job, cores=1, executor=None, progressbar=True):
    """Run every chain of ``job``; returns ``(results, interrupted)``."""
    n = len(job.starts)
    bars = _Bars(job.chain_ids, job.draws + job.tune, progressbar and executor is None)
    try:
        if is_population(job.step):  # DEMetropolis: every chain in lockstep, here
            return _run_population(job, bars)
        if executor is not None:
            return _run_on_executor(job, executor)
        if cores <= 1 or n == 1:
            return _run_sequential(job, bars)
        plan = native_plan(job.step, job.layout)
        if plan is not None and plan.ok:
            return _run_threads(job, min(cores, n), bars)
        if "fork" not in multiprocessing.get_all_start_methods():
            return _run_sequential(job, bars)
        return _run_forked(job, min(cores, n), bars)
    finally:
        bars.close()
