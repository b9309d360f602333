"""PyMC3 notebooks' sampling cells: arignote.ppl against PyMC 5 on the same models, in one run.

Workloads (the models of tests/ppl/notebooks/, written once for any PyMC-like module ``pm``):
  lkj        LKJCholeskyCov + MvNormal(chol=) on 300 2-d points (LKJ notebook)
  rugby      hierarchical Poisson, 6 teams, 90 games (rugby notebook)
  compound   Metropolis on a Bernoulli + NUTS on a Beta (sampling_compound_step notebook)
  stats      NUTS on a 10-d standard normal (sampler statistics notebook)

Each run is a new process on one core, 2 chains x (500 tune + 500 draws); it prints one JSON
line: wall time from interpreter start (import, model, compile, sampling), and the time of the
``pm.sample`` call alone.  Rounds interleave the systems; medians and the ratios arignote / PyMC
are printed (below 1: arignote is faster).  "warm" reruns arignote with the compile cache of a
previous run; PyMC's rows are cold (fresh PyTensor cache) and warm alike.

BLAS runs on one thread in both (OPENBLAS_NUM_THREADS etc. = --blas-threads, default 1): on a
loaded machine a threaded OpenBLAS makes SciPy's small triangular solves ~30x slower per call, which
PyMC's MvNormal(chol=) pays on every gradient (the LKJ cell took 280 s instead of ~10 s).

PyMC runs in its own interpreter, named by --peer-python or ARIGNOTE_BENCH_PEER_PYTHON (a venv
with ``pip install pymc``); without it only arignote's rows are printed.

    .venv/bin/python benchmarks/bench_notebooks.py [--rounds 3] [--peer-python PY] [lkj rugby compound stats]
"""
from __future__ import annotations

import time

_T0 = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import run_json  # noqa: E402

WORKLOADS = ("lkj", "rugby", "compound", "stats")
DRAWS = TUNE = 500
CHAINS = 2


# -- the models ------------------------------------------------------------------------------------


def _lkj(pm, np):
    sig = np.array([0.7, 1.5])
    cov = np.diag(sig) @ np.array([[1.0, -0.4], [-0.4, 1.0]]) @ np.diag(sig)
    x = np.random.default_rng(8924).multivariate_normal([1.0, -2.0], cov, size=300)
    with pm.Model() as model:
        chol, _, _ = pm.LKJCholeskyCov("chol", n=2, eta=2.0, sd_dist=pm.Exponential.dist(1.0), compute_corr=True)
        mu = pm.Normal("mu", 0.0, 1.5, shape=2)
        pm.MvNormal("obs", mu, chol=chol, observed=x)
    return model, {}


def _rugby(pm, np):
    rng = np.random.default_rng(2014)
    att = np.array([0.15, 0.05, 0.2, -0.1, -0.35, 0.05])
    dfn = np.array([-0.1, 0.0, -0.2, 0.1, 0.3, -0.1])
    att, dfn = att - att.mean(), dfn - dfn.mean()
    pairs = [(h, a) for h in range(6) for a in range(6) if h != a] * 3
    ht, at = np.array(pairs).T
    hg = rng.poisson(np.exp(2.9 + 0.15 + att[ht] + dfn[at]))
    ag = rng.poisson(np.exp(2.9 + att[at] + dfn[ht]))
    with pm.Model() as model:
        home = pm.Flat("home")
        sd_att = pm.HalfStudentT("sd_att", nu=3, sigma=2.5)
        sd_def = pm.HalfStudentT("sd_def", nu=3, sigma=2.5)
        intercept = pm.Flat("intercept")
        atts_star = pm.Normal("atts_star", mu=0, sigma=sd_att, shape=6)
        defs_star = pm.Normal("defs_star", mu=0, sigma=sd_def, shape=6)
        atts = pm.Deterministic("atts", atts_star - pm.math.sum(atts_star) / 6)
        defs = pm.Deterministic("defs", defs_star - pm.math.sum(defs_star) / 6)
        pm.Poisson("home_points", mu=pm.math.exp(intercept + home + atts[ht] + defs[at]), observed=hg)
        pm.Poisson("away_points", mu=pm.math.exp(intercept + atts[at] + defs[ht]), observed=ag)
    return model, {"target_accept": 0.9}


def _compound(pm, np):
    with pm.Model() as model:
        p = pm.Beta("p", 1.0, 1.0)
        ni = pm.Bernoulli("ni", 0.5)
        pm.Binomial("k", p=p, n=pm.math.switch(pm.math.eq(ni, 0), 10, 15), observed=4)
    return model, {"step": lambda: [pm.Metropolis([ni]), pm.NUTS([p])]}


def _stats(pm, np):
    with pm.Model() as model:
        pm.Normal("mu1", mu=0, sigma=1, shape=10)
    return model, {}


BUILD = {"lkj": _lkj, "rugby": _rugby, "compound": _compound, "stats": _stats}


def run(system, workload):
    """One sampling cell in this process; the JSON figures."""
    import numpy as np

    if system == "arignote":
        import arignote.ppl as pm
    else:
        import pymc as pm
    model, kw = BUILD[workload](pm, np)
    with model:
        if "step" in kw:
            kw["step"] = kw["step"]()
        t = time.perf_counter()
        pm.sample(DRAWS, tune=TUNE, chains=CHAINS, cores=1, random_seed=1, progressbar=False,
                  compute_convergence_checks=False, **kw)
        sample = time.perf_counter() - t
    return {"wall": time.perf_counter() - _T0, "sample": sample}


# -- the driver ------------------------------------------------------------------------------------


def _child(python, system, workload, cache, blas_threads=1):
    env = dict(os.environ)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(blas_threads)
    env["ARIGNOTE_COMPILEDIR"] = os.path.join(cache, "arignote")
    env["PYTENSOR_FLAGS"] = f"base_compiledir={os.path.join(cache, 'pytensor')}"
    env["NUMBA_CACHE_DIR"] = os.path.join(cache, "numba")
    try:
        return run_json([python, os.path.abspath(__file__), "run", system, workload], env=env, timeout=900)
    except RuntimeError as e:
        return {"error": str(e).strip().splitlines()[-1]}


def _median(figs, key):
    vals = [f[key] for f in figs if key in f]
    return statistics.median(vals) if vals else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("workloads", nargs="*", default=list(WORKLOADS), help=f"of {WORKLOADS}")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--peer-python", default=os.environ.get("ARIGNOTE_BENCH_PEER_PYTHON"))
    ap.add_argument("--blas-threads", type=int, default=1)
    args = ap.parse_args()
    systems = {"arignote cold": (sys.executable, "arignote", None)}
    warm = tempfile.mkdtemp(prefix="bench-notebooks-warm-")
    systems["arignote warm"] = (sys.executable, "arignote", warm)
    if args.peer_python:
        systems["PyMC cold"] = (args.peer_python, "pymc", None)
        systems["PyMC warm"] = (args.peer_python, "pymc", warm)
    else:
        print("peers: none (set ARIGNOTE_BENCH_PEER_PYTHON or pass --peer-python); arignote rows only")
    print(f"{CHAINS} chains x ({TUNE} tune + {DRAWS} draws), one core, BLAS threads {args.blas_threads}, "
          f"new process per run; medians of {args.rounds} interleaved rounds")
    for workload in args.workloads:
        for python, system, cache in systems.values():
            if cache:
                _child(python, system, workload, cache, args.blas_threads)  # fill the warm caches
        figs = {name: [] for name in systems}
        for _ in range(args.rounds):
            for name, (python, system, cache) in systems.items():
                fresh = cache or tempfile.mkdtemp(prefix="bench-notebooks-")
                figs[name].append(_child(python, system, workload, fresh, args.blas_threads))
        print(f"\n{workload}")
        print(f"  {'system':14s} {'wall':>9s} {'sample()':>9s} {'wall / PyMC':>12s} {'sample / PyMC':>14s}")
        for name, f in figs.items():
            wall, samp = _median(f, "wall"), _median(f, "sample")
            ref = figs.get("PyMC " + name.split()[-1])
            rw, rs = (_median(ref, "wall"), _median(ref, "sample")) if ref else (None, None)
            cells = [f"{wall:8.2f}s" if wall else f"{'-':>9s}", f"{samp:8.2f}s" if samp else f"{'-':>9s}",
                     f"{wall / rw:11.2f}x" if wall and rw else f"{'-':>12s}",
                     f"{samp / rs:13.2f}x" if samp and rs else f"{'-':>14s}"]
            print(f"  {name:14s} " + " ".join(cells))
            errors = [x["error"] for x in f if "error" in x]
            if errors:
                print(f"  {'':14s} error: {errors[0]}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "run":
        print(json.dumps(run(sys.argv[2], sys.argv[3])))
    else:
        main()
