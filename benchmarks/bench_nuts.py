"""The native NUTS kernel against PyMC, PyMC with nutpie, and nutpie directly.

Workloads (bench_sampling.py's models): the seed's linear model and the marginalised
coal-mining model, 2 chains x (1000 tune + 1000 draws), with cores=1 and cores=2.
Every run is a new process with an empty compile cache ("cold": ARIGNOTE_COMPILEDIR,
PyTensor's and Numba's caches all fresh), printing one JSON line; rounds interleave
the systems and medians are printed:

  wall      seconds from interpreter start to the trace in hand (cold end-to-end)
  sampling  seconds of sampling (arignote: run_chains; PyMC: its sampling_time;
            nutpie: its sample() call)
  ESS/s     ArviZ's bulk ESS (minimum over the parameters) per second of sampling
  us/leap   sampling seconds per leapfrog step, all chains and tuning included
            (with cores=2 two steps run at once: the per-step CPU cost is about twice it)

Systems: arignote (the native kernel), arignote-py (NUTS(native=False)), PyMC, PyMC+nutpie
(pm.sample(nuts_sampler="nutpie")) and nutpie (nutpie.compile_pymc_model + nutpie.sample).
The peers run in their own interpreter (--peer-python or ARIGNOTE_BENCH_PEER_PYTHON).
The machine's load is printed before and after: on shared cores the figures move with it.

    .venv/bin/python benchmarks/bench_nuts.py [--rounds 3] [--peer-python PY] [--cores 1 2] [linear marginal]
"""
from __future__ import annotations

import time

_T0 = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
WORKLOADS = ("linear", "marginal")
DRAWS = TUNE = 1000
CHAINS = 2
SYSTEMS = ("arignote", "arignote-py", "PyMC", "PyMC+nutpie", "nutpie")
PEERS = ("PyMC", "PyMC+nutpie", "nutpie")


def _build(pm, workload):
    sys.path.insert(0, HERE)
    from bench_sampling import build

    return build(pm, workload)


def _ess(az, posterior):
    return min(float(v.min()) for v in az.ess(posterior).data_vars.values())


def _steps(idata):
    steps = 0
    for group in ("sample_stats", "warmup_sample_stats"):
        if group in idata.groups() and "n_steps" in idata[group]:
            steps += int(idata[group]["n_steps"].sum())
    return steps


def run_arignote(workload, cores, native=True):
    import arignote.ppl as pm

    model = _build(pm, workload)
    with model:
        step = pm.NUTS(native=None if native else False)
        trace = pm.sample(DRAWS, tune=TUNE, chains=CHAINS, cores=cores, step=step, random_seed=1,
                          progressbar=False, compute_convergence_checks=False, discard_tuned_samples=False)
    wall = time.perf_counter() - _T0
    import arviz as az  # after the clock: sampling itself does not need ArviZ

    idata = pm.to_inference_data(trace[TUNE:])
    from arignote.plugins.samplers.native import build

    return dict(wall=wall, sampling=trace.report.t_sampling, ess=_ess(az, idata.posterior),
                leapfrogs=int(trace.get_sampler_stats("tree_size").sum()),
                kernel=step.native_plan().describe(), cffi_build=build.build_seconds())


def run_pymc(workload, cores, sampler="pymc"):
    import arviz as az
    import pymc as pm

    model = _build(pm, workload)
    with model:
        idata = pm.sample(DRAWS, tune=TUNE, chains=CHAINS, cores=cores, random_seed=1, progressbar=False,
                          compute_convergence_checks=False, discard_tuned_samples=False, nuts_sampler=sampler)
    wall = time.perf_counter() - _T0
    attrs = idata.posterior.attrs
    sampling = float(attrs.get("sampling_time") or attrs.get("sampling_time_s") or "nan")
    return dict(wall=wall, sampling=sampling, ess=_ess(az, idata.posterior), leapfrogs=_steps(idata))


def run_nutpie(workload, cores):
    import arviz as az
    import nutpie
    import pymc as pm

    model = _build(pm, workload)
    compiled = nutpie.compile_pymc_model(model)
    t = time.perf_counter()
    idata = nutpie.sample(compiled, draws=DRAWS, tune=TUNE, chains=CHAINS, cores=cores, seed=1,
                          progress_bar=False, save_warmup=True)
    sampling = time.perf_counter() - t
    wall = time.perf_counter() - _T0
    return dict(wall=wall, sampling=sampling, ess=_ess(az, idata.posterior), leapfrogs=_steps(idata))


RUNNERS = {"arignote": run_arignote, "arignote-py": lambda w, c: run_arignote(w, c, native=False),
           "PyMC": run_pymc, "PyMC+nutpie": lambda w, c: run_pymc(w, c, "nutpie"), "nutpie": run_nutpie}


def _child(python, system, workload, cores):
    env = dict(os.environ)
    tmp = tempfile.mkdtemp(prefix="bench-nuts-")
    env["ARIGNOTE_COMPILEDIR"] = os.path.join(tmp, "arignote")
    env["PYTENSOR_FLAGS"] = f"base_compiledir={os.path.join(tmp, 'pytensor')}"
    env["NUMBA_CACHE_DIR"] = os.path.join(tmp, "numba")
    r = subprocess.run([python, os.path.abspath(__file__), "run", system, workload, str(cores)], env=env,
                       capture_output=True, text=True, timeout=900)
    lines = r.stdout.strip().splitlines()
    if r.returncode or not lines:
        return {"error": (r.stderr or r.stdout).strip().splitlines()[-1:] or ["no output"]}
    return json.loads(lines[-1])


def _median(figs, key):
    vals = [f[key] for f in figs if f.get(key) is not None]
    return statistics.median(vals) if vals else None


def _row(name, figs):
    ess_s = [f["ess"] / f["sampling"] for f in figs if "ess" in f]
    us = [f["sampling"] / f["leapfrogs"] * 1e6 for f in figs if f.get("leapfrogs")]
    cols = [_median(figs, "wall"), _median(figs, "sampling"), _median(figs, "ess"),
            statistics.median(ess_s) if ess_s else None, statistics.median(us) if us else None]
    fmt = ["{:8.2f} s", "{:8.3f} s", "{:7.0f}", "{:9.0f}", "{:7.2f}"]
    cells = [f.format(v) if v is not None else "-".rjust(len(f.format(0))) for f, v in zip(fmt, cols)]
    print(f"  {name:14s} " + " ".join(cells), flush=True)
    errors = [f["error"] for f in figs if "error" in f]
    if errors:
        print(f"  {'':14s} errors: {errors[0]}")
    notes = {f.get("kernel") for f in figs if f.get("kernel")}
    builds = [f["cffi_build"] for f in figs if f.get("cffi_build")]
    if notes:
        print(f"  {'':14s} {'; '.join(sorted(notes))}" +
              (f"; one-time cffi build {statistics.median(builds):.2f} s" if builds else ""))


def _load():
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover
        return "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("workloads", nargs="*", default=list(WORKLOADS))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--cores", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--systems", nargs="+", default=list(SYSTEMS), choices=SYSTEMS)
    ap.add_argument("--peer-python", default=os.environ.get("ARIGNOTE_BENCH_PEER_PYTHON"))
    args = ap.parse_args()
    systems = [s for s in args.systems if s not in PEERS or args.peer_python]
    if not args.peer_python:
        print("peers: none (set ARIGNOTE_BENCH_PEER_PYTHON or pass --peer-python); arignote rows only")
    print(f"load average before: {_load()} on {os.cpu_count()} CPUs")
    for workload in args.workloads:
        for cores in args.cores:
            print(f"\n{workload}, cores={cores}: {CHAINS} chains x ({TUNE} tune + {DRAWS} draws), "
                  f"cold processes; medians of {args.rounds}")
            print(f"  {'system':14s} {'wall':>10s} {'sampling':>10s} {'ESS':>7s} {'ESS/s':>9s} {'us/leap':>7s}")
            figs = {s: [] for s in systems}
            for _ in range(args.rounds):
                for s in systems:
                    python = args.peer_python if s in PEERS else sys.executable
                    figs[s].append(_child(python, s, workload, cores))
            for s in systems:
                _row(s, figs[s])
    print(f"\nload average after: {_load()}")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "run":
        print(json.dumps(RUNNERS[sys.argv[2]](sys.argv[3], int(sys.argv[4]))))
    else:
        main()
