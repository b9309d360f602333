"""ADVI (``pm.fit``): arignote.ppl against PyMC 5 on the same models, in one run.

Workloads: ``rugby`` and ``lkj`` (the models of bench_notebooks.py) and ``normal`` (a 10-d
standard normal).  Each run is a new process on one core with an empty compile cache (cold)
or a filled one (warm): ``pm.fit(10000, method='advi', random_seed=1)`` with the default
optimiser; it prints one JSON line: wall time from interpreter start, the ``fit`` call alone
and microseconds per step.  Medians over interleaved rounds, with ratios arignote / PyMC.

    .venv/bin/python benchmarks/bench_advi.py [--rounds 3] [--peer-python PY] [rugby lkj normal]
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
from bench_notebooks import BUILD as NOTEBOOK_MODELS  # noqa: E402
from harness import run_json  # noqa: E402

STEPS = 10000


def _normal(pm, np):
    with pm.Model() as model:
        pm.Normal("x", mu=np.arange(10.0), sigma=1.0, shape=10)
    return model, {}


BUILD = {"rugby": NOTEBOOK_MODELS["rugby"], "lkj": NOTEBOOK_MODELS["lkj"], "normal": _normal}


def run(system, workload):
    import numpy as np

    if system == "arignote":
        import arignote.ppl as pm
    else:
        import pymc as pm
    model, _ = BUILD[workload](pm, np)
    with model:
        t = time.perf_counter()
        approx = pm.fit(STEPS, method="advi", random_seed=1, progressbar=False)
        fit = time.perf_counter() - t
    return {"wall": time.perf_counter() - _T0, "fit": fit, "last_loss": float(np.mean(approx.hist[-500:]))}


def _child(python, system, workload, cache):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               ARIGNOTE_COMPILEDIR=os.path.join(cache, "arignote"),
               PYTENSOR_FLAGS=f"base_compiledir={os.path.join(cache, 'pytensor')}",
               NUMBA_CACHE_DIR=os.path.join(cache, "numba"))
    try:
        return run_json([python, os.path.abspath(__file__), "run", system, workload], env=env, timeout=900)
    except RuntimeError as e:
        return {"error": str(e).strip().splitlines()[-1]}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("workloads", nargs="*", default=list(BUILD))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--peer-python", default=os.environ.get("ARIGNOTE_BENCH_PEER_PYTHON"))
    args = ap.parse_args()
    warm = tempfile.mkdtemp(prefix="bench-advi-warm-")
    systems = {"arignote cold": (sys.executable, "arignote", None), "arignote warm": (sys.executable, "arignote", warm)}
    if args.peer_python:
        systems["PyMC cold"] = (args.peer_python, "pymc", None)
        systems["PyMC warm"] = (args.peer_python, "pymc", warm)
    print(f"pm.fit({STEPS}, method='advi'), one core, new process per run; medians of {args.rounds} rounds")
    for workload in args.workloads:
        for python, system, cache in systems.values():
            if cache:
                _child(python, system, workload, cache)
        figs = {name: [] for name in systems}
        for _ in range(args.rounds):
            for name, (python, system, cache) in systems.items():
                figs[name].append(_child(python, system, workload, cache or tempfile.mkdtemp(prefix="bench-advi-")))
        print(f"\n{workload}\n  {'system':14s} {'wall':>9s} {'fit()':>9s} {'us/step':>8s} {'fit / PyMC':>11s} {'-ELBO':>9s}")
        for name, f in figs.items():
            med = {k: statistics.median([x[k] for x in f if k in x]) if any(k in x for x in f) else None
                   for k in ("wall", "fit", "last_loss")}
            ref = figs.get("PyMC " + name.split()[-1])
            rf = statistics.median([x["fit"] for x in ref if "fit" in x]) if ref and any("fit" in x for x in ref) else None
            if med["fit"] is None:
                print(f"  {name:14s} error: {f[0].get('error')}")
                continue
            ratio = f"{med['fit'] / rf:10.2f}x" if rf else f"{'-':>11s}"
            print(f"  {name:14s} {med['wall']:8.2f}s {med['fit']:8.2f}s {1e6 * med['fit'] / STEPS:8.1f} {ratio} "
                  f"{med['last_loss']:9.3f}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "run":
        print(json.dumps(run(sys.argv[2], sys.argv[3])))
    else:
        main()
