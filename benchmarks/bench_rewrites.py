"""Rewrite time on two graphs, against PyTensor's compile of the same graphs when available.

1. "sum5000": a sum of 1000 different elementwise terms, exp(x * c_k) * y, about 5000 nodes;
2. "logreg": the seed's logistic-regression train function (prediction, xent and three updates).

For each: the median time of ``Mode().optimize`` on a fresh FunctionGraph (the rewrite pipeline
alone, per phase too), and of a whole ``function()`` compile on the NumPy backend.  PyTensor
runs the same graphs in a subprocess (``--pytensor-python PATH``, or in this interpreter when it
imports), with an empty compile directory: FAST_RUN with its C linker (first compile, then again),
its default linker (Numba from PyTensor 3) and its Python linker (rewrites plus a cheap link:
the figure comparable to ours).

    python benchmarks/bench_rewrites.py [--repeat 5] [--pytensor-python /path/to/python]
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time

GRAPHS = textwrap.dedent('''
    def sum5000(T, shared):
        x, y = T.dvector("x"), T.dvector("y")
        total = None
        for k in range(1000):
            term = T.exp(x * (0.001 * (k + 1))) * y
            total = term if total is None else total + term
        return [x, y], [total], None

    def logreg(T, shared):
        x, y = T.vector("x"), T.vector("y")
        w, b = shared(1., name="w"), shared(0., name="b")
        p_1 = 1 / (1 + T.exp(-(x * w + b)))
        prediction = p_1 > 0.5
        xent = -y * T.log(p_1) - (5 - y) * T.log(1 - p_1)
        cost = xent.mean()
        gw, gb = T.grad(cost, [w, b])
        step = shared(10., name="step")
        return [x, y], [prediction, xent], ((w, w - step * gw), (b, b - step * gb), (step, step * 0.99))
''')
exec(GRAPHS)  # defines sum5000 and logreg


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


def _median(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


COLD_SCRIPT = GRAPHS + textwrap.dedent('''
    import sys, time
    t0 = time.perf_counter()
    import arignote
    from arignote import tensor as T
    t1 = time.perf_counter()
    ins, outs, updates = logreg(T, arignote.shared)
    arignote.function(ins, outs, updates=updates, backend=sys.argv[1])
    t2 = time.perf_counter()
    print(f"COLD {t1 - t0} {t2 - t1}")
''')


def bench_cold(backend="py"):
    """A new process: import arignote, then build and compile the seed's train function."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "cold.py")
        with open(path, "w") as fh:
            fh.write(COLD_SCRIPT)
        res = subprocess.run([sys.executable, path, backend], capture_output=True, text=True, timeout=600)
    for line in res.stdout.splitlines():
        if line.startswith("COLD"):
            imp, comp = map(float, line.split()[1:])
            return {"import_s": imp, "build_and_compile_s": comp}
    return {"error": (res.stderr or res.stdout)[-1000:]}


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
            "function_compile_py_s": _median(fn_compile, repeat),  # the py backend skips fusion
        }
    return out


PYTENSOR_SCRIPT = GRAPHS + textwrap.dedent('''
    import json, os, statistics, sys, tempfile, time
    repeat = int(sys.argv[1])
    os.environ["PYTENSOR_FLAGS"] = "compiledir=" + tempfile.mkdtemp(prefix="pt-cold-")
    t0 = time.perf_counter()
    import pytensor
    import pytensor.tensor as T
    from pytensor.compile.mode import Mode
    out = {"import_s": time.perf_counter() - t0, "version": pytensor.__version__,
           "default_linker": type(pytensor.compile.mode.get_default_mode().linker).__name__}

    def med(fn, n):
        ts = []
        for _ in range(n):
            t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
        return statistics.median(ts)

    for name, build in (("sum5000", sum5000), ("logreg", logreg)):
        ins, outs, updates = build(T, pytensor.shared)
        n = repeat if name == "logreg" else 1
        res = {}
        for label, mode in (("c", Mode(linker="cvm", optimizer="fast_run")), ("default", None),
                            ("py", Mode(linker="py", optimizer="fast_run"))):
            kw = {} if mode is None else {"mode": mode}
            t = time.perf_counter()
            f = pytensor.function(ins, outs, updates=updates, **kw)
            res[f"compile_{label}_first_s"] = time.perf_counter() - t
            res[f"compile_{label}_again_s"] = med(lambda: pytensor.function(ins, outs, updates=updates, **kw), n)
        res["nodes_after"] = len(f.maker.fgraph.apply_nodes)
        out[name] = res
    print("JSON" + json.dumps(out))
''')


def bench_pytensor(python, repeat):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "pt_bench.py")
        with open(path, "w") as fh:
            fh.write(PYTENSOR_SCRIPT)
        try:
            res = subprocess.run([python, path, str(repeat)], capture_output=True, text=True, timeout=1800)
        except (OSError, subprocess.TimeoutExpired) as e:
            return {"error": f"{type(e).__name__}: {e}"}
    for line in res.stdout.splitlines():
        if line.startswith("JSON"):
            return json.loads(line[4:])
    return {"error": (res.stderr or res.stdout)[-2000:]}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--pytensor-python", default=None,
                    help="a Python interpreter with pytensor installed (default: this one, if it imports pytensor)")
    args = ap.parse_args(argv)
    results = {"arignote": bench_arignote(args.repeat)}
    results["arignote"]["logreg_cold_process_py"] = bench_cold("py")
    py = args.pytensor_python
    if py is None:
        try:
            import pytensor  # noqa: F401
            py = sys.executable
        except ImportError:
            py = None
    if py:
        results["pytensor"] = bench_pytensor(py, args.repeat)
        pt, ar = results["pytensor"], results["arignote"]
        if "error" not in pt:
            results["ratios"] = {
                g: {"rewrite_vs_pytensor_py_linker_compile": round(ar[g]["rewrite_s"] / pt[g]["compile_py_again_s"], 4),
                    "compile_vs_pytensor_c_first": round(ar[g]["function_compile_py_s"] / pt[g]["compile_c_first_s"], 4)}
                for g in ("sum5000", "logreg")}
    else:
        results["pytensor"] = "not importable (pass --pytensor-python)"
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
