"""Benchmarks of the C backend (medians, and ratios measured side by side in one run).

    python benchmarks/bench_c.py            # everything
    python benchmarks/bench_c.py expr call  # some sections: expr, call, logreg

* expr:   exp(-x**2)*sin(x) + log1p(abs(y))*tanh(x*y) on 1e6 and 1e7 float64, against NumPy
          (goal: at most 0.25x NumPy's time), with and without glibc's libmvec;
* call:   per-call time of the scalar add f(2.0, 3.0), default and trust_input, against NumPy's 0-d add;
* logreg: the seed's logistic-regression train function: cold compile (fresh cache, new process),
          warm compile (new process), 1000 train steps.

Peer figures (PyTensor etc.) are in the project's anchors; they are not installed here, so the
ratios below are against NumPy in this run.
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


def median_time(fn, repeat, number=1):
    ts = []
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(number):
            fn()
        ts.append((time.perf_counter() - t) / number)
    return statistics.median(ts)


def fmt(s):
    return f"{s * 1e3:8.3f} ms" if s >= 1e-4 else f"{s * 1e6:8.3f} us"


# ----------------------------------------------------------------- expr


def bench_expr():
    from arignote import function
    from arignote import tensor as T
    from arignote.config import config

    x, y = T.dvector("x"), T.dvector("y")
    expr = T.exp(-x ** 2) * T.sin(x) + T.log1p(abs(y)) * T.tanh(x * y)
    f = function([x, y], expr, backend="c")
    with config.change_flags(c_mvec="off"):
        f_scalar = function([x, y], expr, backend="c")

    def numpy_expr(a, b):
        return np.exp(-a ** 2) * np.sin(a) + np.log1p(np.abs(b)) * np.tanh(a * b)

    print("\n== exp(-x**2)*sin(x) + log1p(abs(y))*tanh(x*y), float64, one thread ==")
    rows = {}
    for n in (10 ** 6, 10 ** 7):
        rng = np.random.default_rng(0)
        a, b = rng.standard_normal(n) * 3, rng.standard_normal(n) * 3
        want = numpy_expr(a, b)
        got = f(a, b)
        err = float(np.max(np.abs(got - want) / (np.abs(want) + 1e-300)))
        rep = 15 if n == 10 ** 6 else 5
        t_np = median_time(lambda: numpy_expr(a, b), rep)
        t_c = median_time(lambda: f(a, b), rep)
        t_cs = median_time(lambda: f_scalar(a, b), rep)
        rows[n] = dict(numpy=t_np, c=t_c, c_scalar_libm=t_cs, ratio=t_c / t_np, ratio_scalar=t_cs / t_np,
                       max_rel_err=err)
        print(f"n={n:>9,}: numpy {fmt(t_np)}   c {fmt(t_c)} ({t_c / t_np:.3f}x numpy)   "
              f"c without libmvec {fmt(t_cs)} ({t_cs / t_np:.3f}x)   max rel err {err:.1e}")
    return rows


# ----------------------------------------------------------------- call


def bench_call():
    from arignote import function
    from arignote import tensor as T

    a, b = T.dscalar("a"), T.dscalar("b")
    f = function([a, b], a + b, backend="c")
    ft = function([a, b], a + b, backend="c", trust_input=True)
    fp = function([a, b], a + b, backend="py")
    x, y = np.array(2.0), np.array(3.0)
    thunk = f._thunk
    n = 20000
    res = dict(
        numpy_0d_add=median_time(lambda: np.add(x, y), 15, n),
        c_default_floats=median_time(lambda: f(2.0, 3.0), 15, n),
        c_default_arrays=median_time(lambda: f(x, y), 15, n),
        c_trust_input=median_time(lambda: ft(x, y), 15, n),
        c_thunk_only=median_time(lambda: thunk([x, y]), 15, n),
        py_default_floats=median_time(lambda: fp(2.0, 3.0), 15, n),
    )
    print("\n== scalar add f(2.0, 3.0): time per call ==")
    for k, v in res.items():
        print(f"{k:20s} {fmt(v)}")
    return res


# --------------------------------------------------------------- logreg

LOGREG = r"""
import json, sys, time
t0 = time.perf_counter()
import numpy as np
import arignote
from arignote import tensor as T, function, shared
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
t = time.perf_counter()
train = function(inputs=[x, y], outputs=[prediction, xent],
                 updates=((w, w - step * gw), (b, b - step * gb), (step, step * 0.99)), backend=backend)
t_compile = time.perf_counter() - t
runs = []
for rep in range(7):
    w.set_value(1.0); b.set_value(0.0); step.set_value(10.0)
    t = time.perf_counter()
    for i in range(1000):
        pred, err = train(dose, deaths)
    runs.append(time.perf_counter() - t)
print(json.dumps({"import": t_import, "compile": t_compile, "steps_1000": sorted(runs)[len(runs) // 2],
                  "w": float(w.get_value()), "b": float(b.get_value())}))
"""

NUMPY_LOGREG = r"""
import json, time
import numpy as np
dose = np.array([-0.86, -0.3, -0.05, 0.73]); deaths = np.array([0., 1, 3, 5])
def run():
    w, b, step = 1.0, 0.0, 10.0
    for i in range(1000):
        z = dose * w + b
        p = 1 / (1 + np.exp(-z))
        pred = p > 0.5
        xent = -deaths * np.log(p) - (5 - deaths) * np.log(1 - p)
        g = (-deaths * (1 - p) + (5 - deaths) * p) / len(dose)
        w, b, step = w - step * float(np.dot(g, dose)), b - step * float(g.sum()), step * 0.99
    return w, b
runs = []
for rep in range(7):
    t = time.perf_counter(); w, b = run(); runs.append(time.perf_counter() - t)
print(json.dumps({"steps_1000": sorted(runs)[3], "w": w, "b": b}))
"""


def _py(script, args=(), env=None):
    r = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, env=env,
                       timeout=600)
    if r.returncode:
        raise RuntimeError(r.stderr)
    return json.loads(r.stdout.strip().splitlines()[-1])


def bench_logreg():
    print("\n== the seed's logistic regression (train function) ==")
    with tempfile.TemporaryDirectory(prefix="arignote-bench-") as d:
        env = dict(os.environ, ARIGNOTE_COMPILEDIR=d)
        cold = _py(LOGREG, ["c"], env)
        warm = [_py(LOGREG, ["c"], env) for _ in range(3)]
    warm_compile = statistics.median(w["compile"] for w in warm)
    steps = statistics.median(w["steps_1000"] for w in warm)
    py = _py(LOGREG, ["py"])
    npy = _py(NUMPY_LOGREG)
    res = dict(import_s=cold["import"], cold_compile_s=cold["compile"], warm_compile_s=warm_compile,
               steps_1000_c_s=steps, steps_1000_py_s=py["steps_1000"], steps_1000_numpy_by_hand_s=npy["steps_1000"],
               final_w=warm[0]["w"], final_b=warm[0]["b"])
    print(f"import arignote      {res['import_s']:.3f} s")
    print(f"cold compile (c)     {res['cold_compile_s']:.3f} s   (fresh cache, new process)")
    print(f"warm compile (c)     {res['warm_compile_s']:.3f} s   (new process)")
    print(f"1000 steps: c {fmt(steps)}   py {fmt(py['steps_1000'])}   numpy by hand {fmt(npy['steps_1000'])}   "
          f"(c/numpy {steps / npy['steps_1000']:.2f}x)")
    print(f"final w = {res['final_w']:.4f}, b = {res['final_b']:.4f}")
    return res


SECTIONS = {"expr": bench_expr, "call": bench_call, "logreg": bench_logreg}


def main(argv):
    names = argv or list(SECTIONS)
    out = {}
    for n in names:
        out[n] = SECTIONS[n]()
    return out


if __name__ == "__main__":
    main(sys.argv[1:])
