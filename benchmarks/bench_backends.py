"""arignote's compiled backends (c, llvm) against py, NumPy and the peers, PyTensor C and PyTensor NUMBA,
measured side by side in one run (interleaved rounds, medians, ratios).

    ARIGNOTE_BENCH_PEER_PYTHON=/tmp/ptvenv/bin/python .venv/bin/python benchmarks/bench_backends.py
    .venv/bin/python benchmarks/bench_backends.py expr call --peer-python /tmp/ptvenv/bin/python

Sections (default: all; about 2-3 minutes on a busy 2-core machine):

* expr:   exp(-x**2)*sin(x) + log1p(abs(y))*tanh(x*y) on 1e6 and 1e7 float64, one thread.
          Goals: c <= 0.25x NumPy (issue 5); llvm within 10% of c (issue 6).
* call:   per-call time of the scalar add f(2.0, 3.0): default, 0-d arrays, trust_input, thunk alone.
          Goals: c no slower than PyTensor C, default and trust_input (anchors 3.5 us / 0.9 us);
          llvm no slower than c.
* logreg: the seed's logistic-regression train function, each run in a new process: cold compile
          (empty compile caches; median of 2 runs), warm compile (the caches of a cold run; median
          of 3 runs), 1000 train steps; the final w, b of every system (the seed's start gives
          w = 7.7952, b = 0.8536).
          Goals: cold compile c <= 1/4 of PyTensor C's, llvm <= 1/10 of PyTensor C's and below
          PyTensor NUMBA's; warm compile and 1000 steps no slower than PyTensor C's.

Compile time is the ``function(...)`` call alone; import and the first call are reported beside it
(PyTensor's NUMBA mode JIT-compiles at the first call).  Without a peer interpreter the script says
so in one line and prints the arignote and NumPy rows only.  Absolute times on a shared machine are
noisy; the ratios of one run are what to read.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import random
import shutil
import statistics
import sys
import tempfile
import time

import harness
import peers
import workloads
from harness import fmt, goal, ratio, ratio_table, select
from logreg_run import measure

REFS = ("numpy", "PyTensor C", "PyTensor NUMBA")
PEERS = peers.SYSTEMS


def describe_llvm_target():
    from arignote.backends.llvm import jit

    t = jit.get_target()
    return (f"llvm target: cpu {t.cpu}, {t.info['vector_bits']}-bit vectors, libmvec "
            f"{t.info['libmvec'] or 'missing'} (ISA {''.join(t.info['isas']) or 'none'}), opt {t.opt}")


def check_notes(checks):
    return {s: f"max rel err {c['max_rel_err']:.1e}" + ("" if c["nonfinite_as_numpy"] else ", nan/inf NOT as NumPy")
            for s, c in checks.items()}


# ----------------------------------------------------------------- expr
def bench_expr(backends, peer):
    print("\n== expr: exp(-x**2)*sin(x) + log1p(abs(y))*tanh(x*y), float64, one thread ==")
    if "llvm" in backends:
        print(describe_llvm_target())
    variants = [f"{b} w/o libmvec" for b in ("c", "llvm") if b in backends]  # diagnostics, at 1e6 only
    out = {}
    for n, rounds, systems in ((10 ** 6, 11, ["numpy", *backends, *variants]), (10 ** 7, 5, ["numpy", *backends])):
        times, info = peers.side_by_side("expr", systems, peer, rounds, n=n)
        t = select(times, f"n={n:,}")
        print(f"n = {n:,} ({rounds} interleaved rounds)")
        ratio_table(t, REFS, check_notes(info["checks"]))
        out[n] = t
    for n, t in out.items():
        goal(f"c/numpy at n={n:,}", ratio(t, "c", "numpy"), 0.25)
        goal(f"llvm/c at n={n:,}", ratio(t, "llvm", "c"), 1.10)
    return out


# ----------------------------------------------------------------- call
CALL_VARIANTS = ("f(2.0, 3.0)", "f(x, y), 0-d arrays", "trust_input", "thunk only")


def bench_call(backends, peer, calls=10000, rounds=15):
    print(f"\n== call: scalar add, time per call ({rounds} interleaved rounds of {calls:,} calls; "
          "NumPy: np.add of two 0-d arrays) ==")
    times, _ = peers.side_by_side("add", ["numpy", *backends], peer, rounds, calls)
    out = {}
    for v in CALL_VARIANTS:
        print(v)
        out[v] = select(times, v)
        ratio_table(out[v], REFS)
    d, tr = out["f(2.0, 3.0)"], out["trust_input"]
    goal("c/PyTensor C, f(2.0, 3.0)", ratio(d, "c", "PyTensor C"), 1.0)
    goal("c/PyTensor C, trust_input", ratio(tr, "c", "PyTensor C"), 1.0)
    goal("llvm/c, f(2.0, 3.0)", ratio(d, "llvm", "c"), 1.0)
    goal("llvm/c, trust_input", ratio(tr, "llvm", "c"), 1.0)
    return out


# ----------------------------------------------------------------- logreg
def logreg_processes(systems, peer_python, cold_rounds=2, warm_rounds=3):
    """Per system: ``cold_rounds`` runs each on new empty compile caches, then ``warm_rounds`` runs on
    the caches the last one left; the systems take turns in a shuffled order each round.  Returns
    the medians of the cold runs and of the warm runs, per system."""
    python = {s: peer_python if s in PEERS else sys.executable for s in systems}
    tmp = tempfile.mkdtemp(prefix="arignote-bench-logreg-")
    rnd = random.Random(0)
    cold, warm, env = {s: [] for s in systems}, {s: [] for s in systems}, {}
    try:
        for k in range(cold_rounds):
            for s in rnd.sample(systems, len(systems)):
                cache = os.path.join(tmp, f"{k}-{systems.index(s)}")
                env[s] = workloads.fresh_cache_env(s, cache, os.environ)
                cold[s].append(measure(python[s], s, env[s], repeats=1))
        for _ in range(warm_rounds):
            for s in rnd.sample(systems, len(systems)):
                warm[s].append(measure(python[s], s, env[s]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {s: medians(runs) for s, runs in cold.items()}, {s: medians(runs) for s, runs in warm.items()}


def medians(runs):
    """The median of each timing over runs of logreg_run.py; the other entries of the first run."""
    timings = ("import", "build", "compile", "first_call", "steps_1000", "compile_no_cache_in_process")
    return {k: statistics.median(r[k] for r in runs) if k in timings else v for k, v in runs[0].items()}


def bench_logreg(backends, peer):
    print("\n== logreg: the seed's logistic-regression train function, each run a new process ==")
    compiled = [b for b in backends if b != "py"]
    systems = compiled + (list(PEERS) if peer else [])
    cold, warm = logreg_processes(systems, peer.python if peer else None)
    once = {"numpy": measure(sys.executable, "numpy", os.environ)}
    if "py" in backends:
        once["py"] = measure(sys.executable, "py", os.environ, repeats=3)
    runs = {**once, **warm}
    steps = {s: runs[s]["steps_1000"] for s in ("numpy", *backends, *PEERS) if s in runs}
    logreg_tables(cold, warm, steps, runs)
    logreg_goals(cold, warm, steps, compiled)
    return {"cold": cold, "warm": warm, "once": once}


def logreg_tables(cold, warm, steps, runs):
    def first_call(r):
        return f"first call {fmt(r['first_call']).strip()}"

    print("compile, cold (new empty caches each run; the function() call)")
    ratio_table({s: r["compile"] for s, r in cold.items()}, PEERS,
                {s: f"import {r['import']:.2f} s, {first_call(r)}" for s, r in cold.items()})
    print("compile, warm (a new process on the caches of the cold run)")
    ratio_table({s: r["compile"] for s, r in warm.items()}, PEERS, {s: first_call(r) for s, r in warm.items()})
    print("1000 train steps (median of the runs in each process, then over the warm processes)")
    ratio_table(steps, REFS, {s: f"w = {runs[s]['w']:.4f}, b = {runs[s]['b']:.4f}" for s in steps})
    if "llvm" in cold:
        phases = {k: round(v, 4) if isinstance(v, float) else v for k, v in cold["llvm"]["phases"].items()}
        print(f"llvm cold compile phases, one run (s): {phases}")
        print(f"llvm compile with its caches off, in a warm process: {cold['llvm']['compile_no_cache_in_process']:.3f} s")


def logreg_goals(cold, warm, steps, compiled):
    cold_t = {s: r["compile"] for s, r in cold.items()}
    ready = {s: r["compile"] + r["first_call"] for s, r in cold.items()}
    warm_t = {s: r["compile"] for s, r in warm.items()}
    goal("c/PyTensor C, cold compile", ratio(cold_t, "c", "PyTensor C"), 0.25)
    goal("llvm/PyTensor C, cold compile", ratio(cold_t, "llvm", "PyTensor C"), 0.10)
    goal("llvm/PyTensor NUMBA, cold compile", ratio(cold_t, "llvm", "PyTensor NUMBA"), 1.0)
    goal("llvm/PyTensor NUMBA, cold compile + first call", ratio(ready, "llvm", "PyTensor NUMBA"), 1.0)
    for b in compiled:
        goal(f"{b}/PyTensor C, warm compile", ratio(warm_t, b, "PyTensor C"), 1.0)
    for b in compiled:
        goal(f"{b}/PyTensor C, 1000 steps", ratio(steps, b, "PyTensor C"), 1.0)


def add_backend_arguments(parser):
    """--backends and --peer-python, for the scripts that measure every available backend."""
    parser.add_argument("--backends", default=None, help="comma-separated backends (default: all available)")
    peers.add_argument(parser)


def choose_backends(spec=None, only=None):
    """The arignote backends to measure: those named in ``spec`` (comma-separated), else the available
    ones (among ``only`` when given).  Prints one line: NumPy's version, them, the unavailable ones."""
    import numpy as np
    from arignote.testing import all_backends, available_backends

    wanted = only or [n for n, _ok, _why in all_backends()]
    backends = spec.split(",") if spec else [b for b in wanted if b in available_backends()]
    missing = [f"{n} ({why})" for n, ok, why in all_backends() if not ok and n in wanted]
    print(f"numpy {np.__version__}; arignote backends: {', '.join(backends)}"
          + (f"; unavailable: {', '.join(missing)}" if missing else ""))
    return backends


SECTIONS = {"expr": bench_expr, "call": bench_call, "logreg": bench_logreg}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("sections", nargs="*", help="expr, call, logreg (default: all)")
    peers.add_argument(p)
    args = p.parse_args(argv)
    if set(args.sections) - set(SECTIONS):
        p.error(f"unknown sections {sorted(set(args.sections) - set(SECTIONS))}; choose from {list(SECTIONS)}")
    backends = choose_backends(only=("c", "llvm", "py"))
    for package in ("arignote", "arignote.backends", "arignote.rewrites", "arignote.plugins", "arignote_plugin_example"):
        harness.byte_compile(package)
    out = {}
    with peers.start(args.peer_python) or contextlib.nullcontext() as peer:
        for s in args.sections or SECTIONS:
            t = time.perf_counter()
            out[s] = SECTIONS[s](backends, peer)
            print(f"({s}: {time.perf_counter() - t:.0f} s)")
    return out


if __name__ == "__main__":
    main()
