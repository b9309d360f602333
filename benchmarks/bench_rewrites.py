"""Rewrite time on two graphs, against PyTensor's compile of the same graphs (the peer).

    ARIGNOTE_BENCH_PEER_PYTHON=/tmp/ptvenv/bin/python .venv/bin/python benchmarks/bench_rewrites.py
    .venv/bin/python benchmarks/bench_rewrites.py [--repeat 5] [--peer-python /tmp/ptvenv/bin/python]

1. "sum5000": a sum of 1000 different elementwise terms, exp(x * c_k) * y, about 5000 nodes;
2. "logreg": the seed's logistic-regression train function (prediction, xent and three updates).

For each: the median time of ``Mode().optimize`` on a fresh FunctionGraph (the rewrite pipeline
alone, per phase too), and of a whole ``function()`` compile on the NumPy backend; and the seed's
train function built and compiled in a new process.  PyTensor compiles the same graphs in a worker
in the peer interpreter (peers.py) with an empty compile directory: FAST_RUN with its C linker
(first compile, then again), its default linker (Numba from PyTensor 3) and its Python linker
(rewrites plus a cheap link: the figure comparable to our rewrite time).  Prints one JSON document;
its "ratios" put ours over PyTensor's.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time

import logreg_run
import peers
from harness import median_time
from workloads import logreg, sum5000


def _timed_rewrite(fresh, mode, repeat):
    """Median time of ``mode.optimize`` on fresh copies of a graph (the copying not timed)."""
    times = []
    for _ in range(repeat):
        fg = fresh()
        gc.collect()
        gc.disable()
        t0 = time.perf_counter()
        mode.optimize(fg)
        times.append(time.perf_counter() - t0)
        gc.enable()
    return statistics.median(times)


def bench_cold(backend="py"):
    """A new process: import arignote, then build and compile the seed's train function."""
    try:
        r = logreg_run.measure(sys.executable, backend, os.environ, repeats=0)
    except RuntimeError as e:
        return {"error": str(e)[-1000:]}
    return {"import_s": r["import"], "build_and_compile_s": r["build"] + r["compile"]}


def bench_arignote(repeat):
    import arignote
    from arignote import tensor as T
    from arignote.mode import Mode

    t0 = time.perf_counter()
    s = T.dscalar()
    arignote.function([s], s + 1)  # the first compile loads the plugins
    out = {"plugin_load_s": time.perf_counter() - t0}
    for name, build in (("sum5000", sum5000), ("logreg", logreg)):
        ins, outs, updates = build(T, arignote.shared)
        fn_compile = lambda: arignote.function(ins, outs, updates=updates, backend="py")  # noqa: E731
        f = fn_compile()
        base = f.maker.fgraph  # noqa: F841
        raw = arignote.function(ins, outs, updates=updates, backend="py", mode="NO_REWRITES").maker.fgraph
        n_nodes = len(raw.apply_nodes)

        def fresh():
            fg, _ = raw.clone()
            return fg

        mode = Mode()
        records = mode.selected()
        per_phase = {r.name: [] for r in records}
        totals, cpu = [], []
        for _ in range(repeat):
            fg = fresh()
            gc.collect()
            gc.disable()  # as function() does while it compiles
            t_all, c_all = time.perf_counter(), time.process_time()
            for r in records:
                t = time.perf_counter()
                r.rewrite(fg, mode)
                per_phase[r.name].append(time.perf_counter() - t)
            totals.append(time.perf_counter() - t_all)
            cpu.append(time.process_time() - c_all)
            gc.enable()
        out[name] = {
            "nodes_before": n_nodes,
            "nodes_after": len(fg.apply_nodes),
            "rewrite_s": statistics.median(totals),
            "rewrite_cpu_s": statistics.median(cpu),  # this process's CPU time: steadier on a busy machine
            "per_phase_s": {k: round(statistics.median(v), 4) for k, v in per_phase.items()},
            "fast_compile_rewrite_s": _timed_rewrite(fresh, Mode(optimizer="fast_compile"), repeat),
            "function_compile_py_s": median_time(fn_compile, repeat),  # the py backend skips fusion
        }
    return out


def bench_pytensor(python, repeat):
    """PyTensor's compile times of the same graphs, in a worker with an empty compile directory."""
    try:
        with peers.Peer(python, fresh_cache=True) as peer:
            return {"version": peer.versions["pytensor"], **peer.run("compile_times", repeat=repeat)[1]}
    except (OSError, RuntimeError) as e:
        return {"error": f"{type(e).__name__}: {str(e)[-2000:]}"}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    peers.add_argument(ap)
    args = ap.parse_args(argv)
    python = peers.find(args.peer_python)
    if python is None:
        print(f"peers: none (set {peers.ENV_VAR} or pass --peer-python); arignote figures only", file=sys.stderr)
    results = {"arignote": bench_arignote(args.repeat)}
    results["arignote"]["logreg_cold_process_py"] = bench_cold("py")
    if python:
        results["pytensor"] = bench_pytensor(python, args.repeat)
        pt, ar = results["pytensor"], results["arignote"]
        if "error" not in pt:
            results["ratios"] = {
                g: {"rewrite_vs_pytensor_py_linker_compile": round(ar[g]["rewrite_s"] / pt[g]["compile_py_again_s"], 4),
                    "compile_vs_pytensor_c_first": round(ar[g]["function_compile_py_s"] / pt[g]["compile_c_first_s"], 4)}
                for g in ("sum5000", "logreg")}
    else:
        results["pytensor"] = f"no peer interpreter (set {peers.ENV_VAR} or pass --peer-python)"
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
