"""Benchmarks of the LLVM backend against the C backend and NumPy, measured side by side in one run.

    python benchmarks/bench_llvm.py                 # everything
    python benchmarks/bench_llvm.py expr call       # some sections: expr, call, compile, logreg

* expr:    exp(-x**2)*sin(x) + log1p(abs(y))*tanh(x*y) on 1e6 and 1e7 float64 (goal: within 10% of c),
           llvm with and without libmvec, c, NumPy; timings interleaved (one round = one call of each);
* call:    per-call time of the scalar add f(2.0, 3.0), default and trust_input, llvm vs c vs py;
* compile: the seed's logistic-regression train function: cold compile (fresh cache, new process;
           goal < 0.45 s), warm compile (new process, disk cache), compile with caching off (in process),
           llvm vs c, and 1000 train steps;
* logreg:  alias of compile.

Figures are medians; the machine may be shared, so only the ratios of one run mean much.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np


def fmt(s):
    return f"{s * 1e3:8.3f} ms" if s >= 1e-4 else f"{s * 1e6:8.3f} us"


def interleaved(fns, rounds, number=1):
    """Median per-call time of each fn, calling them in turn each round, in a shuffled order
    (fair under shared load, and no fn always runs after the same other one)."""
    import random

    rnd = random.Random(0)
    times = {k: [] for k in fns}
    for f in fns.values():
        f()
    for _ in range(rounds):
        order = list(fns.items())
        rnd.shuffle(order)
        for k, f in order:
            t = time.perf_counter()
            for _ in range(number):
                f()
            times[k].append((time.perf_counter() - t) / number)
    return {k: statistics.median(v) for k, v in times.items()}


def describe_target():
    from arignote.backends.llvm import jit

    t = jit.get_target()
    return (f"llvm target: cpu {t.cpu}, {t.info['vector_bits']}-bit vectors, libmvec "
            f"{t.info['libmvec'] or 'missing'} (ISA {''.join(t.info['isas']) or 'none'}), opt {t.opt}")


# ----------------------------------------------------------------- expr
def bench_expr():
    from arignote import function
    from arignote import tensor as T
    from arignote.config import config

    x, y = T.dvector("x"), T.dvector("y")
    expr = T.exp(-x ** 2) * T.sin(x) + T.log1p(abs(y)) * T.tanh(x * y)
    f_llvm = function([x, y], expr, backend="llvm")
    with config.change_flags(llvm_vector_math=False):
        f_llvm_scalar = function([x, y], expr, backend="llvm")
    f_c = function([x, y], expr, backend="c")

    def numpy_expr(a, b):
        return np.exp(-a ** 2) * np.sin(a) + np.log1p(np.abs(b)) * np.tanh(a * b)

    print("\n== exp(-x**2)*sin(x) + log1p(abs(y))*tanh(x*y), float64, one thread ==")
    print(describe_target())
    rows = {}
    for n in (10 ** 6, 10 ** 7):
        rng = np.random.default_rng(0)
        a, b = rng.standard_normal(n) * 3, rng.standard_normal(n) * 3
        a[:4] = [np.nan, np.inf, -np.inf, -0.0]
        want = numpy_expr(a, b)
        got = f_llvm(a, b)
        assert np.array_equal(np.isnan(got), np.isnan(want)), "nan pattern differs from NumPy"
        fin = np.isfinite(want)
        err = float(np.max(np.abs(got[fin] - want[fin]) / (np.abs(want[fin]) + 1e-300)))
        del got, want, fin  # a result still held cannot be reused as the next call's output buffer
        t = interleaved({"numpy": lambda: numpy_expr(a, b), "llvm": lambda: f_llvm(a, b),
                         "llvm_no_libmvec": lambda: f_llvm_scalar(a, b), "c": lambda: f_c(a, b)},
                        21 if n == 10 ** 6 else 7)
        rows[n] = dict(t, llvm_over_c=t["llvm"] / t["c"], llvm_over_numpy=t["llvm"] / t["numpy"], max_rel_err=err)
        print(f"n={n:>10,}: numpy {fmt(t['numpy'])}  c {fmt(t['c'])}  llvm {fmt(t['llvm'])}  "
              f"llvm w/o libmvec {fmt(t['llvm_no_libmvec'])}")
        print(f"              llvm/c {t['llvm'] / t['c']:.3f}   llvm/numpy {t['llvm'] / t['numpy']:.3f}   "
              f"c/numpy {t['c'] / t['numpy']:.3f}   max rel err vs numpy {err:.1e}")
    return rows


# ----------------------------------------------------------------- call
def bench_call():
    from arignote import function
    from arignote import tensor as T

    a, b = T.dscalar("a"), T.dscalar("b")
    x, y = np.array(2.0), np.array(3.0)
    fns = {"numpy 0-d add": lambda: np.add(x, y)}
    for be in ("llvm", "c", "py"):
        f = function([a, b], a + b, backend=be)
        ft = function([a, b], a + b, backend=be, trust_input=True)
        assert f(2.0, 3.0) == 5.0 and ft(x, y) == 5.0
        fns[f"{be} f(2.0, 3.0)"] = lambda f=f: f(2.0, 3.0)
        fns[f"{be} f(x, y) 0-d arrays"] = lambda f=f: f(x, y)
        fns[f"{be} trust_input"] = lambda ft=ft: ft(x, y)
        fns[f"{be} thunk only"] = lambda th=f._thunk: th([x, y])
    t = interleaved(fns, 15, 20000)
    print("\n== scalar add: time per call ==")
    for k, v in t.items():
        print(f"{k:28s} {fmt(v)}")
    print(f"llvm/c: default {t['llvm f(2.0, 3.0)'] / t['c f(2.0, 3.0)']:.2f}   "
          f"trust_input {t['llvm trust_input'] / t['c trust_input']:.2f}   "
          f"thunk {t['llvm thunk only'] / t['c thunk only']:.2f}")
    return t


# --------------------------------------------------------------- compile
LOGREG = r"""
import json, sys, time
t0 = time.perf_counter()
import numpy as np
import arignote
from arignote import tensor as T, function, shared
from arignote.config import config
t_import = time.perf_counter() - t0
backend = sys.argv[1]
dose = np.array([-0.86, -0.3, -0.05, 0.73]); deaths = np.array([0, 1, 3, 5])
x = T.vector("x"); y = T.vector("y")
w = shared(1., name="w"); b = shared(0., name="b")
p_1 = 1 / (1 + T.exp(-(x * w + b)))
prediction = p_1 > 0.5
xent = -y * T.log(p_1) - (5 - y) * T.log(1 - p_1)
cost = xent.mean()
gw, gb = T.grad(cost, [w, b])
step = shared(10., name="step")
def build():
    return function(inputs=[x, y], outputs=[prediction, xent],
                    updates=((w, w - step * gw), (b, b - step * gb), (step, step * 0.99)), backend=backend)
t = time.perf_counter()
train = build()
t_compile = time.perf_counter() - t
extra = {}
if backend == "llvm":
    from arignote import plugin_manager
    extra["phases"] = dict(plugin_manager.get_backend("llvm").last_timings)
    with config.change_flags(llvm_disk_cache=False):
        from arignote.backends.llvm import cache
        cache._memory.clear()
        t = time.perf_counter(); build(); extra["compile_no_cache_in_process"] = time.perf_counter() - t
runs = []
for rep in range(7):
    w.set_value(1.0); b.set_value(0.0); step.set_value(10.0)
    t = time.perf_counter()
    for i in range(1000):
        pred, err = train(dose, deaths)
    runs.append(time.perf_counter() - t)
print(json.dumps(dict(extra, **{"import": t_import, "compile": t_compile, "steps_1000": sorted(runs)[3],
                  "w": float(w.get_value()), "b": float(b.get_value())})))
"""


def _py(script, args=(), env=None):
    r = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, env=env,
                       timeout=900)
    if r.returncode:
        raise RuntimeError(r.stderr)
    return json.loads(r.stdout.strip().splitlines()[-1])


def bench_compile():
    print("\n== the seed's logistic-regression train function ==")
    res = {}
    for be in ("llvm", "c"):
        with tempfile.TemporaryDirectory(prefix="arignote-bench-") as d:
            env = dict(os.environ, ARIGNOTE_COMPILEDIR=d)
            cold = _py(LOGREG, [be], env)
            warm = [_py(LOGREG, [be], env) for _ in range(3)]
        res[be] = dict(cold_phases=cold.get("phases"), cold_compile=cold["compile"], warm_compile=statistics.median(w["compile"] for w in warm),
                       steps_1000=statistics.median(w["steps_1000"] for w in warm), import_s=cold["import"],
                       w=warm[0]["w"], b=warm[0]["b"])
        if be == "llvm":
            res[be]["compile_no_cache_in_process"] = statistics.median(
                w["compile_no_cache_in_process"] for w in warm)
    for be, r in res.items():
        print(f"{be:5s} cold compile {r['cold_compile']:.3f} s (fresh cache, new process)   warm {r['warm_compile']:.3f} s"
              f"   1000 steps {fmt(r['steps_1000'])}   import {r['import_s']:.3f} s   w={r['w']:.4f} b={r['b']:.4f}")
    r = res["llvm"]
    print("llvm cold compile, backend phases (s):",
          {k: round(v, 4) if isinstance(v, float) else v for k, v in r["cold_phases"].items()})
    print(f"llvm compile with the cache off, in a warm process: {r['compile_no_cache_in_process']:.3f} s")
    print(f"llvm/c: cold compile {r['cold_compile'] / res['c']['cold_compile']:.2f}   warm compile "
          f"{r['warm_compile'] / res['c']['warm_compile']:.2f}   1000 steps {r['steps_1000'] / res['c']['steps_1000']:.2f}")
    return res


SECTIONS = {"expr": bench_expr, "call": bench_call, "compile": bench_compile, "logreg": bench_compile}


def main(argv):
    names = argv or ["expr", "call", "compile"]
    return {n: SECTIONS[n]() for n in names}


if __name__ == "__main__":
    main(sys.argv[1:])
