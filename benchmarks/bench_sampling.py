"""MCMC end to end: arignote's sample() against PyMC and nutpie on the seed's models.

Workloads (2 chains x (1000 tune + 1000 draws), chains one after the other on one core):
  linear    the seed's y ~ x linear model, 100 points (Intercept, x, sd)
  coal      the seed's original coal-mining model (switchpoint by Metropolis + NUTS)
  marginal  the seed's marginalised coal-mining model (NUTS only; 111 x 111 Potential)
PyMC3 notebooks' sampling cells (not run by default; name them):
  schools       eight schools, non-centred (divergences notebook)
  temperatures  data_container's city temperatures (coords, dims, pm.Data), 20 x 3 data

Every run is a new process ("cold": fresh compile caches; "warm": the cache of a previous run),
printing one JSON line: wall time from interpreter start, sampling time, the smallest bulk ESS
over the variables (ArviZ), ESS per second of sampling, and the microseconds per leapfrog step
(all NUTS leapfrog steps, tuning included, over the sampling time).  Rounds interleave the
systems; medians are printed with the ratios to PyMC.

Peers (PyMC, nutpie) run in their own interpreter, named by --peer-python or
ARIGNOTE_BENCH_PEER_PYTHON; without it only arignote's rows are printed.

    .venv/bin/python benchmarks/bench_sampling.py [--rounds 2] [--peer-python PY] [linear coal marginal]
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
WORKLOADS = ("linear", "coal", "marginal")
DRAWS = TUNE = 1000
CHAINS = 2
DISASTERS = [4, 5, 4, 0, 1, 4, 3, 4, 0, 6, 3, 3, 4, 0, 2, 6, 3, 3, 5, 4, 5, 3, 1, 4, 4, 1, 5, 5, 3, 4,
             2, 5, 2, 2, 3, 4, 2, 1, 3, 2, 2, 1, 1, 1, 1, 3, 0, 0, 1, 0, 1, 1, 0, 0, 3, 1, 0, 3, 2, 2,
             0, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 2, 1, 0, 0, 0, 1, 1, 0, 2, 3, 3, 1, 1, 2, 1, 1, 1, 1, 2,
             4, 2, 0, 0, 1, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1]


# -- the models, written once for any PyMC-like module ``pm`` -------------------------------------


def build(pm, workload):
    import numpy as np

    if workload in NOTEBOOK_WORKLOADS:
        return build_notebook(pm, workload)
    model = pm.Model()
    with model:
        if workload == "linear":
            rng = np.random.default_rng(123)
            x = np.linspace(0, 1, 100)
            y = 1.0 + 2.0 * x + rng.normal(scale=0.5, size=100)
            a = pm.Normal("Intercept", 0, sigma=20)
            b = pm.Normal("x", 0, sigma=20)
            s = pm.HalfCauchy("sd", beta=10)
            pm.Normal("y", a + b * x, sigma=s, observed=y)
            return model
        data = np.array(DISASTERS)
        years = len(data)
        early = pm.Exponential("early_mean", lam=1.0)
        late = pm.Exponential("late_mean", lam=1.0)
        if workload == "coal":
            sp = pm.DiscreteUniform("switchpoint", lower=0, upper=years)
            rate = pm.math.switch(sp >= np.arange(years), early, late)
            pm.Poisson("disasters", rate, observed=data)
            return model
        idx = np.arange(years)
        s, t = np.array([(t, s) for t in idx for s in idx]).T
        dist = pm.Poisson.dist(pm.math.switch(t < s, early, late))
        lp = pm.logp(dist, data[t]) if pm.__name__ == "pymc" else dist.logp(data[t])
        ll = pm.math.logsumexp(-np.log(years) + lp.reshape((years, years)).sum(1))
        pm.Potential("disasters", ll)
        return model


NOTEBOOK_WORKLOADS = ("schools", "temperatures")


def build_notebook(pm, workload):
    import numpy as np

    if workload == "schools":
        y = np.array([28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0])
        sigma = np.array([15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0])
        with pm.Model() as model:
            mu = pm.Normal("mu", mu=0, sigma=5)
            tau = pm.HalfCauchy("tau", beta=5)
            theta_t = pm.Normal("theta_t", mu=0, sigma=1, shape=8)
            pm.Normal("obs", mu=mu + tau * theta_t, sigma=sigma, observed=y)
        return model
    rng = np.random.default_rng(0)
    values = 15 + np.array([0.0, 3.0, 1.5]) + rng.normal(0, 0.5, (20, 3))
    with pm.Model(coords={"date": np.arange(20), "city": ["Berlin", "San Marino", "Paris"]}) as model:
        europe_mean = pm.Normal("europe_mean_temp", mu=15.0, sigma=3.0)
        city_offset = pm.Normal("city_offset", mu=0.0, sigma=3.0, dims="city")
        city_temperature = pm.Deterministic("city_temperature", europe_mean + city_offset, dims="city")
        data = pm.Data("data", values, dims=("date", "city"))
        pm.Normal("likelihood", mu=city_temperature, sigma=0.5, observed=data)
    return model


def run_arignote(workload):
    import arignote.ppl as pm

    model = build(pm, workload)
    with model:
        trace = pm.sample(DRAWS, tune=TUNE, chains=CHAINS, cores=1, random_seed=1, progressbar=False,
                          compute_convergence_checks=False, discard_tuned_samples=False)
    wall = time.perf_counter() - _T0
    import arviz as az  # after the clock: sampling itself does not need ArviZ

    kept = trace[TUNE:]
    idata = pm.to_inference_data(kept)
    ess = min(float(v.min()) for v in az.ess(idata).data_vars.values())
    steps = int(trace.get_sampler_stats("tree_size").sum()) if "tree_size" in trace.stat_names else 0
    return dict(wall=wall, sampling=trace.report.t_sampling, ess=ess, leapfrogs=steps)


def run_pymc(workload):
    import arviz as az
    import pymc as pm

    model = build(pm, workload)
    with model:
        idata = pm.sample(DRAWS, tune=TUNE, chains=CHAINS, cores=1, random_seed=1, progressbar=False,
                          compute_convergence_checks=False, discard_tuned_samples=False)
    wall = time.perf_counter() - _T0
    ess = min(float(v.min()) for v in az.ess(idata.posterior).data_vars.values())
    steps = 0
    for group in ("sample_stats", "warmup_sample_stats"):
        if group in idata.groups() and "n_steps" in idata[group]:
            steps += int(idata[group]["n_steps"].sum())
    return dict(wall=wall, sampling=float(idata.posterior.attrs["sampling_time"]), ess=ess,
                leapfrogs=steps)


def run_nutpie(workload):
    import arviz as az
    import nutpie
    import pymc as pm

    if workload == "coal":
        return {"error": ["nutpie samples continuous variables only"]}
    model = build(pm, workload)
    compiled = nutpie.compile_pymc_model(model)
    t = time.perf_counter()
    idata = nutpie.sample(compiled, draws=DRAWS, tune=TUNE, chains=CHAINS, cores=1, seed=1,
                          progress_bar=False, save_warmup=True)
    sampling = time.perf_counter() - t
    wall = time.perf_counter() - _T0
    ess = min(float(v.min()) for v in az.ess(idata.posterior).data_vars.values())
    steps = 0
    for group in ("sample_stats", "warmup_sample_stats"):
        if group in idata.groups() and "n_steps" in idata[group]:
            steps += int(idata[group]["n_steps"].sum())
    return dict(wall=wall, sampling=sampling, ess=ess, leapfrogs=steps)


RUNNERS = {"arignote": run_arignote, "PyMC": run_pymc, "nutpie": run_nutpie}


# -- the driver ------------------------------------------------------------------------------------


def _child(python, system, workload, cold, cache):
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    tmp = tempfile.mkdtemp(prefix="bench-sampling-") if cold else cache
    env["ARIGNOTE_COMPILEDIR"] = os.path.join(tmp, "arignote")
    env["PYTENSOR_FLAGS"] = f"base_compiledir={os.path.join(tmp, 'pytensor')}"
    env["NUMBA_CACHE_DIR"] = os.path.join(tmp, "numba")
    r = subprocess.run([python, os.path.abspath(__file__), "run", system, workload], env=env,
                       capture_output=True, text=True, timeout=900)
    lines = r.stdout.strip().splitlines()
    if r.returncode or not lines:
        return {"error": (r.stderr or r.stdout).strip().splitlines()[-1:] or ["no output"]}
    return json.loads(lines[-1])


def _row(name, figs, ref):
    def med(key):
        vals = [f[key] for f in figs if f and key in f]
        return statistics.median(vals) if vals else None

    ess_s = [f["ess"] / f["sampling"] for f in figs if f and "ess" in f]
    us = [f["sampling"] / f["leapfrogs"] * 1e6 for f in figs if f and f.get("leapfrogs")]
    out = dict(wall=med("wall"), sampling=med("sampling"), ess=med("ess"),
               ess_s=statistics.median(ess_s) if ess_s else None,
               us=statistics.median(us) if us else None)
    cells = [f"{out['wall']:8.2f} s" if out["wall"] else f"{'-':>10s}",
             f"{out['sampling']:8.3f} s" if out["sampling"] else f"{'-':>10s}",
             f"{out['ess']:7.0f}" if out["ess"] else f"{'-':>7s}",
             f"{out['ess_s']:9.0f}" if out["ess_s"] else f"{'-':>9s}",
             f"{out['us']:7.1f}" if out["us"] else f"{'-':>7s}"]
    rel = ""
    if ref and out["ess_s"] and ref.get("ess_s"):
        rel = f"  ESS/s x{out['ess_s'] / ref['ess_s']:.2f}, cold wall x{out['wall'] / ref['wall']:.2f} of PyMC"
    print(f"  {name:18s} " + " ".join(cells) + rel)
    errors = [f["error"] for f in figs if f and "error" in f]
    if errors:
        print(f"  {'':18s} errors: {errors[0]}")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("workloads", nargs="*", default=list(WORKLOADS),
                    help=f"of {WORKLOADS + NOTEBOOK_WORKLOADS}")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--peer-python", default=os.environ.get("ARIGNOTE_BENCH_PEER_PYTHON"))
    args = ap.parse_args()
    pythons = {"arignote": sys.executable}
    if args.peer_python:
        pythons.update(PyMC=args.peer_python, nutpie=args.peer_python)
    else:
        print("peers: none (set ARIGNOTE_BENCH_PEER_PYTHON or pass --peer-python); arignote rows only")
    warm = tempfile.mkdtemp(prefix="bench-sampling-warm-")
    for workload in args.workloads:
        print(f"\n{workload}: {CHAINS} chains x ({TUNE} tune + {DRAWS} draws), one core; medians of {args.rounds}")
        print(f"  {'system':18s} {'wall':>10s} {'sampling':>10s} {'ESS':>7s} {'ESS/s':>9s} {'us/leap':>7s}")
        figs = {}
        for _ in range(args.rounds):
            for system, python in pythons.items():
                figs.setdefault(f"{system} cold", []).append(_child(python, system, workload, True, warm))
        _child(sys.executable, "arignote", workload, False, warm)  # fill the warm cache
        figs["arignote warm"] = [_child(sys.executable, "arignote", workload, False, warm)
                                 for _ in range(args.rounds)]
        ref = None
        if "PyMC cold" in figs:
            ref = _row("PyMC cold", figs.pop("PyMC cold"), None)
        for name, f in figs.items():
            _row(name, f, ref)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "run":
        res = RUNNERS[sys.argv[2]](sys.argv[3])
        print(json.dumps(res))
    else:
        main()
