"""BART: arignote.ppl's ``BART`` + ``PGBART`` against PyMC 5 with pymc-bart on the same data, one run.

Workloads (``mu = BART('mu', X, Y, m=M); y ~ Normal(mu, sigma)``, sigma ~ HalfNormal(1) by NUTS):
  step      1 informative column (a step at 0.5) + 2 noise columns, 200 rows, noise 0.2
  smooth    sin(2 pi x) + 2 noise columns, 200 rows, noise 0.2

Each system runs in a new process on one core (BLAS on one thread), 1 chain, 500 tune + 500
draws, ``m=50``, ``cores=1``, and prints one JSON line: wall time from interpreter start, the
``sample`` call alone, ms per draw, the RMSE of the posterior mean of ``mu`` to the truth (and of
the constant fit, for scale), the posterior mean of ``sigma`` and the share of splits on the
informative column.  Ratios are arignote / PyMC (below 1: arignote is faster).  pymc-bart must be
importable by the peer interpreter (e.g. ``pip install --target DIR pymc-bart`` and
``PYTHONPATH=DIR``).

    .venv/bin/python benchmarks/bench_bart.py [--peer-python PY] [step smooth]
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

WORKLOADS = ("step", "smooth")
DRAWS, TUNE, M = 500, 500, 50
TRUTH = {"step": lambda np, x: np.where(x > 0.5, 1.0, -1.0), "smooth": lambda np, x: np.sin(2 * np.pi * x)}


def _data(np, workload):
    rng = np.random.default_rng(11)
    X = rng.uniform(0.0, 1.0, (200, 3))
    truth = TRUTH[workload](np, X[:, 0])
    return X, truth + rng.normal(0.0, 0.2, 200), truth


def run(system, workload):
    import numpy as np

    if system == "arignote":
        import arignote.ppl as pm
        BART = pm.BART
    else:
        import pymc as pm
        import pymc_bart

        BART = pymc_bart.BART
    X, Y, truth = _data(np, workload)
    with pm.Model():
        mu = BART("mu", X, Y, m=M)
        sigma = pm.HalfNormal("sigma", 1.0)
        pm.Normal("y", mu, sigma, observed=Y)
        t = time.perf_counter()
        result = pm.sample(DRAWS, tune=TUNE, chains=1, cores=1, random_seed=1, progressbar=False,
                           compute_convergence_checks=False)
        sample = time.perf_counter() - t
    if system == "arignote":
        mu_draws, sigma_draws = result["mu"], result["sigma"]
        inclusion = result.get_sampler_stats("variable_inclusion").sum(0)
    else:
        mu_draws = result.posterior["mu"].values.reshape(-1, len(Y))
        sigma_draws = result.posterior["sigma"].values
        inclusion = np.asarray(result.sample_stats["variable_inclusion"].values).reshape(-1, X.shape[1])
        inclusion = inclusion.sum(0)
    rmse = float(np.sqrt(np.mean((mu_draws.mean(0) - truth) ** 2)))
    const = float(np.sqrt(np.mean((Y.mean() - truth) ** 2)))
    return {"wall": time.perf_counter() - _T0, "sample": sample, "ms_per_draw": 1e3 * sample / (DRAWS + TUNE),
            "rmse": rmse, "rmse_const": const, "sigma": float(np.mean(sigma_draws)),
            "share0": float(inclusion[0] / max(inclusion.sum(), 1))}


def _child(python, system, workload):
    return run_cold_json(python, __file__, ["run", system, workload], "bench-bart-", timeout=1800)


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
    print(f"BART m={M}: 1 chain x ({TUNE} tune + {DRAWS} draws), cores=1, one core, new process, "
          "empty caches, one run")
    for workload in args.workloads:
        figs = {name: _child(python, "pymc" if name == "PyMC" else "arignote", workload)
                for name, python in systems.items()}
        ref = figs.get("PyMC", {})
        print(f"\n{workload}")
        print(f"  {'system':9s} {'wall':>8s} {'sample':>8s} {'ms/draw':>8s} {'sample/PyMC':>12s} "
              f"{'rmse':>6s} {'const':>6s} {'sigma':>6s} {'x0 share':>8s}")
        for name, f in figs.items():
            if "error" in f:
                print(f"  {name:9s} error: {f['error']}")
                continue
            rs = f"{f['sample'] / ref['sample']:11.2f}x" if "sample" in ref else f"{'-':>12s}"
            print(f"  {name:9s} {f['wall']:7.2f}s {f['sample']:7.2f}s {f['ms_per_draw']:8.2f} {rs} "
                  f"{f['rmse']:6.3f} {f['rmse_const']:6.3f} {f['sigma']:6.3f} {f['share0']:8.2f}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "run":
        print(json.dumps(run(sys.argv[2], sys.argv[3])))
    else:
        main()
