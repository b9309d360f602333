"""Compiled log-density + gradient of the seed's models: arignote.ppl against PyMC.

Workloads:
  linear    the seed's y ~ x linear model (glm_linear: Intercept Flat, x Normal(0, tau=1e-6),
            sd HalfCauchy(10), 100 observed points)
  marginal  the seed's marginalised coal-mining model (Potential over a 111 x 111 Poisson table)

Each measurement is a new process with empty compile caches ("cold"): it imports, builds the
model, compiles ``model.logp_dlogp_function()`` (timed with the first call, where PyMC's NUMBA
mode compiles), then times ``f(x)`` (logp and
gradient at one point; medians of interleaved batches).  Each row also times the inner callable
alternately with the full call (arignote: the compiled function's thunk; PyMC: its PyTensor
function with trust_input), so the Python share of a call is printed.  Processes of all systems take
turns in shuffled rounds; medians over rounds and ratios to PyMC are printed.

PyMC (C and NUMBA modes) runs in its own interpreter, named by --peer-python or
ARIGNOTE_BENCH_PEER_PYTHON (a venv with ``pip install pymc``); without one, arignote's rows only.

    .venv/bin/python benchmarks/bench_ppl_logp.py [--rounds 3] [--peer-python PY] [linear marginal]
"""
from __future__ import annotations

import time

_T0 = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
WORKLOADS = ("linear", "marginal")
DISASTERS = [4, 5, 4, 0, 1, 4, 3, 4, 0, 6, 3, 3, 4, 0, 2, 6, 3, 3, 5, 4, 5, 3, 1, 4, 4, 1, 5, 5, 3, 4,
             2, 5, 2, 2, 3, 4, 2, 1, 3, 2, 2, 1, 1, 1, 1, 3, 0, 0, 1, 0, 1, 1, 0, 0, 3, 1, 0, 3, 2, 2,
             0, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 2, 1, 0, 0, 0, 1, 1, 0, 2, 3, 3, 1, 1, 2, 1, 1, 1, 1, 2,
             4, 2, 0, 0, 1, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1]
OURS = ("arignote llvm", "arignote c")
PEERS = ("PyMC C", "PyMC NUMBA")
# the point of evaluation (transformed space, in the models' variable order), the same for every system
POINTS = {"linear": [1.0, 2.0, -0.7], "marginal": [0.9, -0.1]}
# anchors of the issue (PyMC on the project's machines): compile s, evaluation us
ANCHORS = {"linear": (6.8, 5.3, 3.2), "marginal": (13.6, 56.0, 11.0)}


# ------------------------------------------------------------------ children
def linear_data():
    import numpy as np

    rng = np.random.default_rng(20)
    x = np.linspace(0, 1, 100)
    return x, 1 + 2 * x + rng.normal(scale=0.5, size=100)


def build(pm, workload, logp_of):
    """The workload's model, written once for both libraries (``logp_of(dist, value)`` differs)."""
    import numpy as np

    with pm.Model() as model:
        if workload == "linear":
            x, y = linear_data()
            a = pm.Flat("Intercept")
            b = pm.Normal("x", 0.0, tau=1.0e-6)
            sd = pm.HalfCauchy("sd", beta=10)
            pm.Normal("y", mu=a + b * x, sigma=sd, observed=y)
        else:
            data = np.array(DISASTERS)
            years = len(data)
            early = pm.Exponential("early_mean", lam=1.0)
            late = pm.Exponential("late_mean", lam=1.0)
            idx = np.arange(years)
            s, t = np.array([(t, s) for t in idx for s in idx]).T
            lp = logp_of(pm.Poisson.dist(pm.math.switch(t < s, early, late)), data[t])
            x = -np.log(years) + lp.reshape((years, years)).sum(1)
            pm.Potential("disasters", pm.math.log(pm.math.sum(pm.math.exp(x))))
    return model


def timed_calls(fns, x, rounds=31, budget=0.05):
    """Median seconds per call of each fn(x), batches of the fns alternating (so their ratio holds
    under a changing load); batches are sized to ~budget seconds."""
    for fn in fns:
        fn(x)
    n, t = 1, 0.0
    while t < budget / 4:
        n *= 2
        t0 = time.perf_counter()
        for _ in range(n):
            fns[0](x)
        t = time.perf_counter() - t0
    n = max(1, int(n * budget / max(t, 1e-9)))
    times = [[] for _ in fns]
    for _ in range(rounds):
        for fn, ts in zip(fns, times):
            t0 = time.perf_counter()
            for _ in range(n):
                fn(x)
            ts.append((time.perf_counter() - t0) / n)
    return [statistics.median(ts) for ts in times]


def child_arignote(system, workload):
    import numpy as np

    t_imp = time.perf_counter()
    import arignote.ppl as pm

    imported = time.perf_counter() - t_imp
    t0 = time.perf_counter()
    model = build(pm, workload, lambda d, v: d.logp(v))
    built = time.perf_counter() - t0
    t0 = time.perf_counter()
    f = model.logp_dlogp_function(backend=system.split()[-1])
    compiled = time.perf_counter() - t0
    x = np.array(POINTS[workload], dtype=np.float64)
    t0 = time.perf_counter()
    lp, g = f(x)
    first = time.perf_counter() - t0
    fn = f._fn
    thunk = fn._thunk
    call, raw = timed_calls([f, lambda v: thunk([v])], x)
    return dict(imported=imported, built=built, compiled=compiled, first=first, eval=call, thunk=raw,
                logp=float(lp), grad=[float(v) for v in g])


def child_pymc(system, workload):
    import numpy as np

    t_imp = time.perf_counter()
    import pymc as pm

    imported = time.perf_counter() - t_imp
    mode = "NUMBA" if system.endswith("NUMBA") else "FAST_RUN"
    t0 = time.perf_counter()
    model = build(pm, workload, lambda d, v: pm.logp(d, v))
    built = time.perf_counter() - t0
    t0 = time.perf_counter()
    f = model.logp_dlogp_function(ravel_inputs=True, mode=mode)
    f.set_extra_values({})
    compiled = time.perf_counter() - t0
    x = np.array(POINTS[workload], dtype=np.float64)
    t0 = time.perf_counter()
    lp, g = f(x)
    first = time.perf_counter() - t0
    raw_fn = f._pytensor_function
    raw_fn.trust_input = True
    call, raw = timed_calls([f, raw_fn], x)
    return dict(imported=imported, built=built, compiled=compiled, first=first, eval=call, thunk=raw,
                logp=float(lp), grad=[float(v) for v in g])


def child(system, workload):
    res = (child_arignote if system in OURS else child_pymc)(system, workload)
    res["wall"] = time.perf_counter() - _T0
    print(json.dumps(res))


# ------------------------------------------------------------------- parent
def run_child(python, system, workload):
    with tempfile.TemporaryDirectory(prefix="bench-ppl-") as d:
        env = dict(os.environ)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["ARIGNOTE_COMPILEDIR"] = os.path.join(d, "arignote")
        env["PYTENSOR_FLAGS"] = f"base_compiledir={os.path.join(d, 'pytensor')}"
        env["NUMBA_CACHE_DIR"] = os.path.join(d, "numba")
        r = subprocess.run([python, os.path.abspath(__file__), "--child", system, workload],
                           capture_output=True, text=True, env=env, timeout=900)
    lines = r.stdout.strip().splitlines()
    if r.returncode or not lines:
        raise RuntimeError(f"{system} {workload} failed:\n{r.stderr[-2000:]}")
    return json.loads(lines[-1])


def fmt(sec):
    return f"{sec:8.3f} s " if sec >= 1 else (f"{sec * 1e3:8.2f} ms" if sec >= 1e-4 else f"{sec * 1e6:8.2f} us")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("workloads", nargs="*", default=list(WORKLOADS))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--peer-python", default=os.environ.get("ARIGNOTE_BENCH_PEER_PYTHON"))
    ap.add_argument("--child", nargs=2, metavar=("SYSTEM", "WORKLOAD"))
    args = ap.parse_args()
    if args.child:
        return child(*args.child)
    systems = {s: sys.executable for s in OURS}
    if args.peer_python:
        systems.update({s: args.peer_python for s in PEERS})
        print(f"peers: PyMC in {args.peer_python}")
    else:
        print("peers: none (set ARIGNOTE_BENCH_PEER_PYTHON or pass --peer-python); arignote rows only, "
              "compare with the anchors printed below")
    rnd = random.Random(0)
    for w in args.workloads or WORKLOADS:
        results = {s: [] for s in systems}
        for _ in range(args.rounds):
            order = list(systems)
            rnd.shuffle(order)
            for s in order:
                try:
                    results[s].append(run_child(systems[s], s, w))
                except RuntimeError as e:
                    print(f"  {s}: {str(e).splitlines()[0]}")
        report(w, {s: r for s, r in results.items() if r})


def report(workload, results):
    for rs in results.values():
        for r in rs:  # NUMBA compiles at the first call: count it with the compile
            r["cold"] = r["compiled"] + r["first"]
    med = {s: {k: statistics.median(r[k] for r in rs) for k in ("cold", "eval", "thunk", "imported")}
           for s, rs in results.items()}
    ref_c = med.get("PyMC C")
    ref_n = med.get("PyMC NUMBA")
    print(f"\n{workload}: cold compile of logp_dlogp_function and one logp+dlogp evaluation (medians of "
          f"{min(len(r) for r in results.values())} processes)")
    print(f"  {'system':15s} {'compile+1st':>11s} {'/PyMC C':>9s} {'eval f(x)':>11s} {'/NUMBA':>8s} {'/PyMC C':>8s}"
          f" {'thunk':>11s} {'python %':>9s}")
    for s, m in med.items():
        rc = f"{m['cold'] / ref_c['cold']:8.3f}x" if ref_c else f"{'-':>9s}"
        rn = f"{m['eval'] / ref_n['eval']:7.2f}x" if ref_n else f"{'-':>8s}"
        re = f"{m['eval'] / ref_c['eval']:7.2f}x" if ref_c else f"{'-':>8s}"
        py = 100 * max(0.0, 1 - m["thunk"] / m["eval"])
        print(f"  {s:15s} {fmt(m['cold']):>11s} {rc} {fmt(m['eval']):>11s} {rn} {re} {fmt(m['thunk']):>11s}"
              f" {py:8.1f}%")
    a = ANCHORS[workload]
    print(f"  anchors (PyMC on the project's machines): C compile {a[0]} s, eval C {a[1]} us, NUMBA {a[2]} us")
    ours = med.get("arignote llvm")
    if ours:
        cc = ours["cold"] / ref_c["cold"] if ref_c else ours["cold"] / a[0]
        ev = ours["eval"] / ref_n["eval"] if ref_n else ours["eval"] / (a[2] * 1e-6)
        src = "measured" if ref_c else "anchor"
        print(f"  goal cold compile (llvm) <= 0.1 x PyMC C ({src}): {cc:.3f} {'met' if cc <= 0.1 else 'MISSED'}")
        print(f"  goal evaluation (llvm) <= PyMC NUMBA ({src}): {ev:.2f} {'met' if ev <= 1 else 'MISSED'}")
    vals = {s: rs[0]["logp"] for s, rs in results.items()}
    if len({round(v, 6) for v in vals.values()}) > 1:
        print(f"  note: the systems' logp values differ at the same point: {vals}")


if __name__ == "__main__":
    main()
