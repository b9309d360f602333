"""``sample_smc``: PyMC3 3.11's Sequential Monte Carlo entry point."""
from __future__ import annotations

import concurrent.futures as cf
import logging
import multiprocessing
import time
import warnings

import numpy as np

from arignote.plugins.samplers.base import DISCRETE_KINDS
from arignote.plugins.samplers.chain import ChainResult

from ..context import modelcontext
from ..parallel import chain_seeds
from ..prior import draw_free_point
from ..trace import MultiTrace
from .densities import ModelDensities, particle_layout, simulators
from .kernel import SMCRun

__all__ = ["sample_smc"]

_log = logging.getLogger("arignote.ppl")
_KERNELS = ("metropolis", "abc")


def sample_smc(draws=2000, kernel="metropolis", n_steps=25, start=None, tune_steps=True, p_acc_rate=0.99,
               threshold=0.5, save_sim_data=False, save_log_pseudolikelihood=True, model=None,
               random_seed=-1, parallel=None, chains=None, cores=None):
    """Sequential Monte Carlo sampling (PyMC3 3.11's signature).

    Each of ``chains`` independent runs moves ``draws`` particles from the
    prior to the posterior; the last stage's particles are the chain's draws.
    ``trace.report.log_marginal_likelihood`` holds one estimate per chain.
    ``kernel='ABC'`` samples a model whose observed variable is a
    ``pm.Simulator``; ``save_sim_data=True`` then returns ``(trace, sim_data)``
    and ``trace.report.log_pseudolikelihood`` holds the elementwise
    pseudo-log-likelihood of each draw (``save_log_pseudolikelihood``).
    Chains run in forked processes when ``cores > 1``.
    """
    model = modelcontext(model)
    kernel = _check_kernel(kernel)
    draws = _positive_int("draws", draws, 2)
    n_steps = _positive_int("n_steps", n_steps, 1)
    if not 0.0 < float(threshold) < 1.0:
        raise ValueError(f"threshold must be between 0 and 1, got {threshold!r}")
    if not 0.0 < float(p_acc_rate) < 1.0:
        raise ValueError(f"p_acc_rate must be between 0 and 1, got {p_acc_rate!r}")
    if save_sim_data and kernel != "abc":
        raise ValueError("save_sim_data=True needs kernel='ABC' (there is no simulator to save)")
    if not model.free_RVs:
        raise ValueError("sample_smc: the model has no free random variables")
    if parallel is not None:
        warnings.warn("The argument parallel is deprecated, use the argument cores instead.",
                      DeprecationWarning, stacklevel=2)
        if parallel is False:
            cores = 1
    from ..sampling import _cpu_count

    cores = min(4, _cpu_count()) if cores is None else _positive_int("cores", cores, 1)
    chains = max(2, cores) if chains is None else _positive_int("chains", chains, 1)
    if random_seed == -1:
        random_seed = None
    seeds = chain_seeds(random_seed, chains)

    layout = particle_layout(model)
    densities = ModelDensities(model, layout, kernel,
                               keep_extras=kernel == "abc" and (save_sim_data or save_log_pseudolikelihood))
    job = _Job(model, layout, densities, draws, kernel, start, dict(
        n_steps=n_steps, tune_steps=tune_steps, p_acc_rate=float(p_acc_rate), threshold=float(threshold)),
        seeds)
    _log.info(f"Initializing SMC sampler...\nSampling {chains} chain{'s' if chains > 1 else ''} "
              f"in {min(cores, chains)} job{'s' if min(cores, chains) > 1 else ''}")
    t0 = time.perf_counter()
    runs = _run(job, chains, cores)
    t_sampling = time.perf_counter() - t0

    trace = _trace(model, layout, runs)
    report = trace.report
    report.log_marginal_likelihood = np.array([r["log_marginal_likelihood"] for r in runs])
    report.betas = [r["betas"] for r in runs]
    report.accept_rates = [r["accept_rates"] for r in runs]
    report.n_steps = [r["steps"] for r in runs]
    report._n_draws = report.n_draws = draws
    report._n_tune = report.n_tune = 0
    report._t_sampling = report.t_sampling = t_sampling
    if kernel == "abc" and save_log_pseudolikelihood:
        report.log_pseudolikelihood = [r["extras"]["log_pseudolikelihood"] for r in runs]
    _log.info(f"Sampling {chains} chain{'s' if chains > 1 else ''} took {t_sampling:.0f} seconds")
    if save_sim_data:
        name = simulators(model)[0].name
        return trace, {name: np.array([r["extras"]["sim_data"] for r in runs])}
    return trace


def _check_kernel(kernel):
    if not isinstance(kernel, str) or kernel.lower() not in _KERNELS:
        raise ValueError(f"kernel must be 'metropolis' or 'ABC', got {kernel!r}")
    return kernel.lower()


def _positive_int(name, value, least):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
        raise ValueError(f"{name} must be an integer >= {least}, got {value!r}")
    return int(value)


class _Job:
    """Everything one chain needs (inherited by forked workers)."""

    def __init__(self, model, layout, densities, draws, kernel, start, options, seeds):
        self.model, self.layout, self.densities = model, layout, densities
        self.draws, self.kernel, self.start, self.options = draws, kernel, start, options
        self.seeds, self.keep_extras = seeds, densities.keep_extras
        self.discrete = np.zeros(layout.size, dtype=bool)
        for name, dtype in zip(layout.names, layout.dtypes):
            self.discrete[layout.slices[name]] = dtype.kind in DISCRETE_KINDS

    def run(self, chain):
        seed = self.seeds[chain]
        np.random.seed(int(seed.generate_state(1)[0]))  # prior draws and simulators use NumPy's global state
        rng = np.random.default_rng(seed)
        particles = self._initial(chain)
        log = (lambda msg: _log.info(msg)) if chain == 0 else None
        run = SMCRun(self.densities, particles, self.discrete, rng, log=log, **self.options).run()
        extras = run.extras if self.keep_extras else {}
        return {"particles": run.particles, "log_marginal_likelihood": run.log_marginal_likelihood,
                "betas": run.betas, "accept_rates": run.accept_rates, "steps": run.steps, "extras": extras}

    def _initial(self, chain):
        layout, model = self.layout, self.model
        start = self.start
        if isinstance(start, (list, tuple)):
            if len(start) != len(self.seeds):
                raise ValueError(f"start: {len(start)} points given for {len(self.seeds)} chains")
            start = start[chain]
        out = np.empty((self.draws, layout.size))
        for i in range(self.draws):
            point = draw_free_point(model)
            if start is not None:
                point.update({k: np.broadcast_to(_start_value(start, k, i, self.draws), layout.shapes[j])
                              for j, k in enumerate(layout.names) if k in start})
            out[i] = layout.to_array(point)
        return out


def _start_value(start, name, i, draws):
    value = np.asarray(start[name])
    return value[i] if value.ndim and len(value) == draws else value


_JOB = {}


def _work(chain):
    return _JOB["job"].run(chain)


def _run(job, chains, cores):
    if cores > 1 and chains > 1 and "fork" in multiprocessing.get_all_start_methods():
        _JOB["job"] = job
        try:
            ctx = multiprocessing.get_context("fork")
            with cf.ProcessPoolExecutor(min(cores, chains), mp_context=ctx) as pool:
                return list(pool.map(_work, range(chains)))
        finally:
            _JOB.clear()
    return [job.run(c) for c in range(chains)]


def _trace(model, layout, runs):
    from ..sampling import _chain_trace

    det_names = [v.name for v in model.deterministics]
    det_fn = model.fastfn(list(model.deterministics)) if det_names else None
    straces = [_chain_trace(model, layout, ChainResult(c, r["particles"], [], 0), True, det_fn, det_names)
               for c, r in enumerate(runs)]
    return MultiTrace(straces)
