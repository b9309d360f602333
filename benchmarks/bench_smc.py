"""Sequential Monte Carlo: arignote.ppl's ``sample_smc`` against PyMC 5's on the same models, one run.

Workloads (written once for any PyMC-like module ``pm``):
  normal    Normal mean and HalfNormal scale, 200 observations (2 parameters)
  linreg    linear regression, 3 coefficients + HalfNormal noise, 300 observations (4 parameters)

Each system runs in a new process on one core (BLAS on one thread), 2 chains x 2000 particles,
``cores=1``, and prints one JSON line: wall time from interpreter start (import, model, compile,
sampling), the time of the ``sample_smc`` call alone, the posterior mean of the first parameter
and the log marginal likelihood (mean over chains), so that the runs can be checked to agree.
Ratios are arignote / PyMC (below 1: arignote is faster).  Both caches start empty.

    .venv/bin/python benchmarks/bench_smc.py [--peer-python PY] [normal linreg]
"""
from __future__ import annotations

import time

_T0 = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import run_cold_json  # noqa: E402

WORKLOADS = ("normal", "linreg")
DRAWS, CHAINS = 2000, 2


def _normal(pm, np):
    y = np.random.default_rng(5).normal(1.5, 2.0, 200)
    with pm.Model() as model:
        mu = pm.Normal("mu", 0.0, 10.0)
        sigma = pm.HalfNormal("sigma", 5.0)
        pm.Normal("y", mu, sigma, observed=y)
    return model, "mu"


def _linreg(pm, np):
    rng = np.random.default_rng(6)
    X = rng.normal(size=(300, 2))
    y = 0.5 + X @ np.array([1.0, -2.0]) + rng.normal(0.0, 0.7, 300)
    with pm.Model() as model:
        a = pm.Normal("a", 0.0, 5.0)
        b = pm.Normal("b", 0.0, 5.0, shape=2)
        sigma = pm.HalfNormal("sigma", 2.0)
        pm.Normal("y", a + pm.math.dot(X, b), sigma, observed=y)
    return model, "a"


BUILD = {"normal": _normal, "linreg": _linreg}


def _lml(np, result):
    report = getattr(result, "report", None)
    if report is not None:  # a MultiTrace (PyMC3's API)
        return float(np.mean(report.log_marginal_likelihood))
    lml = result.sample_stats["log_marginal_likelihood"].values  # PyMC 5: per chain, per stage
    return float(np.mean([np.asarray(c, dtype=float).ravel()[-1] if np.ndim(c) else float(c)
                          for c in lml.reshape(lml.shape[0], -1)[:, -1]]))


def run(system, workload):
    import numpy as np

    if system == "arignote":
        import arignote.ppl as pm
    else:
        import pymc as pm
    model, first = BUILD[workload](pm, np)
    with model:
        kw = {} if system == "arignote" else {"progressbar": False, "compute_convergence_checks": False}
        t = time.perf_counter()
        result = pm.sample_smc(DRAWS, chains=CHAINS, cores=1, random_seed=1, **kw)
        sample = time.perf_counter() - t
    mean = float(np.mean(result[first] if system == "arignote" else result.posterior[first].values))
    return {"wall": time.perf_counter() - _T0, "sample": sample, "mean": mean, "lml": _lml(np, result)}


def _child(python, system, workload):
    return run_cold_json(python, __file__, ["run", system, workload], "bench-smc-", timeout=1200)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("workloads", nargs="*", default=list(WORKLOADS), help=f"of {WORKLOADS}")
    ap.add_argument("--peer-python", default=os.environ.get("ARIGNOTE_BENCH_PEER_PYTHON"))
    args = ap.parse_args()
    systems = {"arignote": sys.executable}
    if args.peer_python:
        systems["PyMC"] = args.peer_python
    else:
        print("peers: none (set ARIGNOTE_BENCH_PEER_PYTHON or pass --peer-python); arignote rows only")
    print(f"sample_smc: {CHAINS} chains x {DRAWS} particles, cores=1, one core, new process, empty caches, one run")
    for workload in args.workloads:
        figs = {name: _child(python, name.lower() if name == "PyMC" else "arignote", workload)
                for name, python in systems.items()}
        ref = figs.get("PyMC", {})
        print(f"\n{workload}")
        print(f"  {'system':9s} {'wall':>8s} {'sample':>8s} {'wall/PyMC':>10s} {'sample/PyMC':>12s} "
              f"{'mean':>8s} {'log ML':>9s}")
        for name, f in figs.items():
            if "error" in f:
                print(f"  {name:9s} error: {f['error']}")
                continue
            rw = f"{f['wall'] / ref['wall']:9.2f}x" if "wall" in ref else f"{'-':>10s}"
            rs = f"{f['sample'] / ref['sample']:11.2f}x" if "sample" in ref else f"{'-':>12s}"
            print(f"  {name:9s} {f['wall']:7.2f}s {f['sample']:7.2f}s {rw} {rs} {f['mean']:8.3f} {f['lml']:9.2f}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "run":
        print(json.dumps(run(sys.argv[2], sys.argv[3])))
    else:
        main()
