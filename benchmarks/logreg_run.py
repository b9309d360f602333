"""The seed's logistic-regression train function in a new process: import, build, compile, train.

    python benchmarks/logreg_run.py SYSTEM [--repeats 7]     # prints one JSON line

SYSTEM is an arignote backend (c, llvm, py), a PyTensor mode ('PyTensor C', 'PyTensor NUMBA';
run it with the peer interpreter) or 'numpy' (the loop written by hand).  It prints the seconds of
``import`` (the library), ``build`` (graph and T.grad), ``compile`` (the ``function(...)`` call
alone), ``first_call`` (PyTensor's NUMBA mode JIT-compiles there), ``steps_1000`` (median over
--repeats runs of 1000 ``train(dose, deaths)`` calls from the seed's start) and the final w, b.
The compile caches are whatever the environment points at: ``measure`` gives a cold run an empty one.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def measure(python, system, env, repeats=7):
    """Run this script for ``system`` in a new ``python`` process with ``env``; its JSON as a dict."""
    from harness import run_json

    return run_json([python, os.path.join(HERE, "logreg_run.py"), system, "--repeats", str(repeats)], env)


def train_steps(train, shared, repeats):
    """Median seconds of 1000 train steps from the seed's start, over ``repeats`` runs."""
    from workloads import LOGREG_DEATHS, LOGREG_DOSE, LOGREG_START

    runs = []
    for _ in range(repeats):
        for var, value in zip(shared, LOGREG_START):
            var.set_value(value)
        t = time.perf_counter()
        for _ in range(1000):
            train(LOGREG_DOSE, LOGREG_DEATHS)
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def llvm_extras(build, train):
    """The llvm backend's compile phases of ``train``'s compile, and a compile with its caches off."""
    from arignote.backends.llvm import cache
    from arignote.config import config

    out = {"phases": dict(train.maker.fgraph.compile_timings)}
    with config.change_flags(llvm_disk_cache=False):
        cache._memory.clear()
        t = time.perf_counter()
        build()
        out["compile_no_cache_in_process"] = time.perf_counter() - t
    return out


def run_numpy(repeats):
    from workloads import logreg_numpy

    runs = []
    for _ in range(repeats):
        t = time.perf_counter()
        w, b = logreg_numpy()
        runs.append(time.perf_counter() - t)
    return {"steps_1000": statistics.median(runs), "w": w, "b": b}


def run(system, repeats):
    t0 = time.perf_counter()
    import workloads

    lib = workloads.library(system)
    t_import = time.perf_counter() - t0
    t0 = time.perf_counter()
    inputs, outputs, updates = workloads.logreg(lib.T, lib.shared)
    t_build = time.perf_counter() - t0

    def build():
        return lib.function(system, inputs, outputs, updates=updates)

    t0 = time.perf_counter()
    train = build()
    t_compile = time.perf_counter() - t0
    t0 = time.perf_counter()
    train(workloads.LOGREG_DOSE, workloads.LOGREG_DEATHS)
    t_first = time.perf_counter() - t0
    extras = llvm_extras(build, train) if system == "llvm" else {}
    shared = [var for var, _ in updates]
    out = {"import": t_import, "build": t_build, "compile": t_compile, "first_call": t_first, **extras}
    if repeats:
        out["steps_1000"] = train_steps(train, shared, repeats)
        out["w"], out["b"] = float(shared[0].get_value()), float(shared[1].get_value())
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("system")
    p.add_argument("--repeats", type=int, default=7, help="runs of 1000 steps (0: compile only)")
    args = p.parse_args(argv)
    out = run_numpy(args.repeats) if args.system == "numpy" else run(args.system, args.repeats)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
