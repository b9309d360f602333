"""``sample()``: PyMC3's entry point for MCMC.

Steps are assigned automatically where not given, chains start from the
(jittered) test point, run in parallel processes or on an executor, and come
back as a :class:`~arignote.ppl.trace.MultiTrace` (or ArviZ InferenceData),
with warnings for divergences, low effective sample sizes and high R-hat.
"""

from __future__ import annotations

import logging
import math
import os
import sys
import time
import warnings

import numpy as np

from arignote.plugins.samplers import SamplingError
from arignote.plugins.samplers.base import model_point_logp
from arignote.plugins.samplers.chain import Layout, native_plan
from arignote.plugins.samplers.population import is_population

from .context import modelcontext
from .parallel import ChainJob, chain_seeds, run_chains, seed_child
from .sampling_assign import assign_step_methods, describe_step
from .trace import MultiTrace, NDArray, SamplerWarning

__all__ = ["sample", "init_nuts", "SamplingError"]

_log = logging.getLogger("arignote.ppl")


class _StderrHandler(logging.Handler):
    """Writes to whatever ``sys.stderr`` is at the time (so captures see it)."""

    def emit(self, record):
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:  # noqa: BLE001 - logging must never break sampling
            self.handleError(record)


if not _log.handlers:  # PyMC3 prints its progress messages on stderr
    _handler = _StderrHandler()
    _handler.setFormatter(logging.Formatter("%(message)s"))
    _log.addHandler(_handler)
    _log.setLevel(logging.INFO)
    _log.propagate = False

_INITS = ("auto", "adapt_diag", "jitter+adapt_diag", "adapt_diag_grad", "jitter+adapt_diag_grad",
          "advi", "advi+adapt_diag", "advi_map")
_NUTS_KEYS = ("target_accept", "max_treedepth", "early_max_treedepth", "step_scale", "Emax",
              "gamma", "k", "t0", "adapt_step_size", "mass_matrix", "scaling", "is_cov")


def _check_count(name, value, minimum=0):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _split_kwargs(kwargs):
    """PyMC3's extra keywords: aliases (njobs, nchains) and step-method options."""
    aliases, step_kwargs = {}, {}
    for key in ("njobs", "nchains"):
        if key in kwargs:
            aliases[key] = kwargs.pop(key)
    for key in ("nuts_kwargs", "step_kwargs"):
        if key in kwargs:
            value = kwargs.pop(key)
            step_kwargs.update({"nuts": value} if key == "nuts_kwargs" else value)
    for key in _NUTS_KEYS:
        if key in kwargs:
            step_kwargs.setdefault("nuts", {})[key] = kwargs.pop(key)
    from arignote import plugin_manager

    for name in list(plugin_manager.samplers()):
        if name.lower() in kwargs:
            step_kwargs[name.lower()] = dict(kwargs.pop(name.lower()))
    if kwargs:
        raise TypeError(f"sample() got unexpected keyword argument(s) {sorted(kwargs)}")
    return aliases, step_kwargs


# -- starting points ----------------------------------------------------------


def _update_start(start, model):
    """A start dict over the free variables; untransformed values are transformed."""
    point = {k: np.array(v) for k, v in model.test_point.items()}
    if start is None:
        return point
    if not isinstance(start, dict):
        raise TypeError(f"start must be a dict (or a list of dicts, one per chain), got {type(start).__name__}")
    for name, value in start.items():
        if name in point:
            point[name] = np.asarray(value, dtype=point[name].dtype).reshape(point[name].shape)
            continue
        var = model.named_vars.get(name)
        transformed = getattr(var, "transformed", None)
        if transformed is None:
            raise ValueError(f"start gives a value for {name!r}, which is not a free variable of "
                             f"the model (free: {sorted(point)})")
        if transformed.name in start:
            continue
        value = var.transformation.forward_val(np.asarray(value, dtype=float), point)
        point[transformed.name] = np.asarray(value, dtype=point[transformed.name].dtype).reshape(
            point[transformed.name].shape)
    return point


def check_start(model, point):
    """SamplingError naming the variables whose log-density is not finite at ``point``."""
    logps = model.point_logps(point)
    bad = [name for name, lp in logps.items() if not np.isfinite(lp)]
    if bad:
        shown = {k: np.asarray(v).tolist() for k, v in point.items()}
        raise SamplingError(
            "Initial evaluation of model at starting point failed!\n"
            f"Starting values:\n{shown}\n\nInitial evaluation results:\n{logps}\n"
            f"The log-density of {', '.join(repr(b) for b in bad)} is not finite at the starting point.")


def _jittered(model, point, rng, retries, flat_logp=None):
    """The start plus uniform(-1, 1) noise on continuous variables, retried
    while the log-density (``flat_logp`` of the layout's vector if given) is not finite."""
    cont = [v.name for v in model.cont_vars]
    layout = Layout.from_point(point, [v.name for v in model.free_RVs])
    for _ in range(max(1, retries)):
        new = dict(point)
        for name in cont:
            new[name] = point[name] + rng.uniform(-1.0, 1.0, size=np.shape(point[name]))
        logp = (flat_logp(layout.to_array(new))[0] if flat_logp is not None
                else model_point_logp(model)(new))
        if np.isfinite(logp):
            return new
    return point


def init_nuts(init="auto", chains=1, model=None, random_seed=None, start=None, seeds=None,
              jitter_max_retries=10, n_init=200000, progressbar=False, **nuts_kwargs):
    """Starting points and a NUTS step (PyMC3's ``init_nuts``): ``'jitter+adapt_diag'``
    (``'auto'``) or ``'adapt_diag'``; the ``_grad`` variants use nutpie's
    gradient-based mass-matrix estimate; ``'advi'``, ``'advi+adapt_diag'`` and
    ``'advi_map'`` start from an ADVI fit of at most ``n_init`` steps."""
    model = modelcontext(model)
    if init not in _INITS:
        raise ValueError(f"init must be one of {_INITS}, got {init!r}")
    seeds = seeds or chain_seeds(random_seed, chains)
    if init.startswith("advi"):
        return _advi_init_nuts(init, chains, model, seeds, start, n_init, progressbar, nuts_kwargs)
    if init.endswith("_grad"):
        nuts_kwargs.setdefault("mass_matrix", "grad")
    from arignote.plugins.samplers import NUTS

    step = NUTS(model=model, **nuts_kwargs)
    flat = step._fn if len(step.vars) == len(model.free_RVs) else None
    starts = _starts(model, start, chains, seeds, init.startswith("jitter") or init == "auto",
                     jitter_max_retries, flat)
    return starts, step


def _advi_init_nuts(init, chains, model, seeds, start, n_init, progressbar, nuts_kwargs):
    from arignote.plugins.samplers import NUTS

    from .variational.nuts_init import advi_init

    seed = int(seeds[0].generate_state(1)[0])  # the fit's seed, from the first chain's
    starts, variance = advi_init(init, chains, model, start=start, random_seed=seed, n_init=n_init,
                                 progressbar=progressbar)
    # PyMC3: QuadPotentialDiag(variance) for 'advi'/'advi_map', QuadPotentialDiagAdapt from it otherwise
    nuts_kwargs = dict(nuts_kwargs, scaling=variance, is_cov=True, adapt_mass_matrix=init == "advi+adapt_diag")
    return starts, NUTS(model=model, **nuts_kwargs)


def _starts(model, start, chains, seeds, jitter, retries, flat_logp=None):
    if isinstance(start, (list, tuple)):
        if len(start) != chains:
            raise ValueError(f"start: {len(start)} points given for {chains} chains")
        return [_update_start(s, model) for s in start]
    base = _update_start(start, model)
    if not jitter:
        return [base] * chains
    return [_jittered(model, base, np.random.default_rng(seed_child(s, 0)), retries, flat_logp)
            for s in seeds]


# -- the trace -------------------------------------------------------------------


def _chain_trace(model, layout, result, discard, det_fn, det_names):
    keep = slice(result.n_tune, None) if discard else slice(None)
    flat = result.samples[keep]
    samples = {}
    for name, shape, dtype in zip(layout.names, layout.shapes, layout.dtypes):
        samples[name] = flat[:, layout.slices[name]].reshape((len(flat),) + shape).astype(dtype)
    if det_names and len(flat):
        rows = [det_fn({n: samples[n][i] for n in layout.names}) for i in range(len(flat))]
        for j, name in enumerate(det_names):
            samples[name] = np.asarray([np.asarray(r[j]) for r in rows])
    elif det_names:
        for v, name in zip(model.deterministics, det_names):
            samples[name] = np.zeros((0,) + np.shape(v.tag.test_value)
                                     if hasattr(v.tag, "test_value") else (0,))
    stats = [{k: v[keep] for k, v in s.items()} for s in result.stats]
    varnames = [v.name for v in model.unobserved_RVs]
    return NDArray(result.chain, varnames, samples, stats, model)


def _declared_dtypes(results, step):
    """Each sampler statistic in the dtype its step method declares in ``stats_dtypes``
    (PyMC3 stores them so: ``tree_size`` is float64 although it counts leapfrog steps)."""
    declared = getattr(step, "stats_dtypes", None) or []
    for r in results:
        if len(declared) != len(r.stats):
            return
        r.stats = [{k: np.asarray(v, dtype=np.dtype(d[k])) if k in d else v for k, v in s.items()}
                   for s, d in zip(r.stats, declared)]


def _build_trace(model, layout, results, discard, step=None):
    _declared_dtypes(results, step)
    det_names = [v.name for v in model.deterministics]
    det_fn = model.fastfn(list(model.deterministics)) if det_names else None
    kept = [r for r in results if not r.error and r.n_done > (r.n_tune if discard else 0)]
    if kept:
        n = min(r.n_done for r in kept)
        for r in kept:  # a rectangular trace: Ctrl-C may stop chains at different draws
            if r.n_done > n:
                r.samples = r.samples[:n]
                r.stats = [{k: v[:n] for k, v in s.items()} for s in r.stats]
    return MultiTrace([_chain_trace(model, layout, r, discard, det_fn, det_names) for r in kept])


# -- reporting -----------------------------------------------------------------


def _report_failures(trace, results):
    failed = {r.chain: r.error for r in results if r.error}
    for chain, text in failed.items():
        msg = f"Chain {chain} failed; its draws are dropped, the other chains' are kept:\n{text}"
        _log.error(msg)
        warnings.warn(msg, RuntimeWarning, stacklevel=3)
    trace.report.failed_chains = failed
    if failed and len(failed) == len(results):
        first = next(iter(failed.values()))
        raise SamplingError(f"All {len(results)} chains failed. First traceback:\n{first}")


def _divergence_warnings(trace, tune_kept):
    out = []
    if "diverging" not in trace.stat_names:
        return out
    for c in trace.chains:
        div = np.asarray(trace.get_sampler_stats("diverging", chains=c))
        if "tune" in trace.stat_names and tune_kept:
            tune = np.asarray(trace.get_sampler_stats("tune", chains=c))
            div = div[~tune] if tune.shape == div.shape else div
        n = int(np.sum(div))
        if n:
            out.append(SamplerWarning("divergence", f"There were {n} divergences after tuning. "
                                      "Increase `target_accept` or reparameterize.", "error", c))
    return out


def _convergence_warnings(trace, model):
    """PyMC3's convergence checks: rank-normalised R-hat and bulk ESS, computed as ArviZ does
    (``convergence``) without importing it."""
    if trace.nchains < 2 or len(trace) < 100:
        return []
    from .convergence import max_rhat_min_ess
    from .stats import _posterior

    max_rhat, min_ess = max_rhat_min_ess(_posterior(trace))
    out = []
    if max_rhat > 1.05:
        out.append(SamplerWarning("convergence", "The rhat statistic is larger than 1.05 for some "
                                  "parameters. This indicates slight problems during sampling.", "error"))
    elif max_rhat > 1.01:
        out.append(SamplerWarning("convergence", "The rhat statistic is larger than 1.01 for some "
                                  "parameters.", "info"))
    n = len(trace) * trace.nchains
    if min_ess < 0.1 * n:
        out.append(SamplerWarning("convergence", "The number of effective samples is smaller than "
                                  "10% for some parameters.", "warn"))
    elif min_ess < 0.25 * n:
        out.append(SamplerWarning("convergence", "The number of effective samples is smaller than "
                                  "25% for some parameters.", "info"))
    trace.report.ess, trace.report.rhat = min_ess, max_rhat
    return out


def _warn_all(trace, model, tune_kept, checks):
    items = _divergence_warnings(trace, tune_kept)
    if checks:
        items += _convergence_warnings(trace, model)
    for w in items:
        trace.report._add_warnings([w], w.chain)
        (_log.error if w.level == "error" else _log.warning if w.level == "warn" else _log.info)(
            (f"Chain {w.chain}: " if w.chain is not None else "") + w.message)


# -- sample() --------------------------------------------------------------------


def sample(draws=1000, step=None, init="auto", n_init=200000, start=None, trace=None,
           chain_idx=0, chains=None, cores=None, tune=1000, progressbar=True, model=None,
           random_seed=None, discard_tuned_samples=True, compute_convergence_checks=True,
           callback=None, jitter_max_retries=10, *, return_inferencedata=None, idata_kwargs=None,
           mp_ctx=None, pickle_backend="pickle", executor=None, **kwargs):
    """Draw samples from the posterior with MCMC (PyMC3's signature).

    ``njobs`` is the old name of ``cores`` and ``nchains`` of ``chains``;
    step-method options go as ``target_accept=0.9`` or ``nuts={...}``.
    ``executor`` takes any ``concurrent.futures.Executor`` (e.g.
    ``distributed.Client(...).get_executor()``) to run the chains on.
    """
    model = modelcontext(model)
    aliases, step_kwargs = _split_kwargs(kwargs)
    if "njobs" in aliases:
        warnings.warn("The njobs argument has been deprecated. Use cores instead.", DeprecationWarning,
                      stacklevel=2)
        cores = aliases["njobs"] if cores is None else cores
    if "nchains" in aliases:
        warnings.warn("The nchains argument has been deprecated. Use chains instead.",
                      DeprecationWarning, stacklevel=2)
        chains = aliases["nchains"] if chains is None else chains
    draws = _check_count("draws", draws)
    tune = _check_count("tune", 0 if tune is None else tune)
    if trace is not None:
        raise NotImplementedError("trace= backends are not supported; the in-memory MultiTrace is used")
    if callback is not None:
        raise NotImplementedError("callback= is not supported: chains run in other processes")
    if not model.free_RVs:
        raise ValueError("Cannot sample from the model, since the model does not contain any "
                         "free variables (every random variable is observed).")
    cores = _check_count("cores", min(4, _cpu_count()) if cores is None else cores, 1)
    chains = _check_count("chains", max(2, cores) if chains is None else chains, 1)
    chain_ids = list(range(chain_idx, chain_idx + chains))
    seeds = chain_seeds(random_seed, chains)
    if init is not None and init not in _INITS:
        raise ValueError(f"init must be one of {_INITS} or None, got {init!r}")

    # init=None (PyMC3): no NUTS initialisation, the step methods start at the test point
    if step is None and init is not None and all(np.dtype(v.dtype).kind == "f"
                                                 and getattr(getattr(v, "distribution", None), "has_gradient", True)
                                                 for v in model.free_RVs):
        _log.info("Auto-assigning NUTS sampler...")
        _log.info(f"Initializing NUTS using {'jitter+adapt_diag' if init == 'auto' else init}...")
        starts, step = init_nuts(init, chains, model, start=start, seeds=seeds,
                                 jitter_max_retries=jitter_max_retries, n_init=n_init,
                                 progressbar=progressbar, **step_kwargs.get("nuts", {}))
    else:
        step, _auto = assign_step_methods(model, step, step_kwargs)
        starts = _starts(model, start, chains, seeds, False, jitter_max_retries)
    for point in ({id(p): p for p in starts}).values():
        check_start(model, point)

    layout = Layout.from_point(model.test_point, [v.name for v in model.free_RVs])
    job = ChainJob(step, layout, [layout.to_array(p) for p in starts], draws, tune,
                   [seed_child(s, 1) for s in seeds], chain_ids)
    parallel = executor is not None or (cores > 1 and chains > 1)
    plan = native_plan(step, layout)
    if is_population(step):
        _log.info(f"Population sampling ({chains} chains)")
    elif executor is not None:
        _log.info(f"Sampling {chains} chains on {type(executor).__name__}")
    elif parallel and plan is not None and plan.ok:
        _log.info(f"Multithreaded sampling ({chains} chains in {min(cores, chains)} threads)")
    elif parallel:
        _log.info(f"Multiprocess sampling ({chains} chains in {min(cores, chains)} jobs)")
    else:
        _log.info(f"Sequential sampling ({chains} chains in 1 job)")
    _log.info(describe_step(step))
    if plan is not None:
        _log.info(plan.describe())
    else:  # a compound step: which NUTS runs each NUTS block (one iteration per draw)
        for m in getattr(step, "methods", ()):
            if hasattr(m, "native_plan"):
                _log.info(f"{type(m).__name__} {[v.name for v in m.vars]}: {m.native_plan().describe()}")

    t0 = time.perf_counter()
    results, interrupted = run_chains(job, cores if parallel else 1, executor, progressbar)
    t_sampling = time.perf_counter() - t0
    result_trace = _build_trace(model, layout, results, discard_tuned_samples, step)
    _report_failures(result_trace, results)
    report = result_trace.report
    report.n_tune, report.n_draws, report.t_sampling = tune, draws, t_sampling
    report.interrupted = interrupted
    report.t_chains = {r.chain: r.elapsed for r in results}
    if interrupted:
        msg = (f"Sampling was interrupted: the trace holds the {len(result_trace)} draws per chain "
               "made so far.")
        _log.warning(msg)
        warnings.warn(msg, UserWarning, stacklevel=2)
    _log.info(f"Sampling {chains} chain{'s' if chains > 1 else ''} for {tune:_} tune and {draws:_} "
              f"draw iterations ({tune:_} + {draws:_} draws total) took {t_sampling:.0f} seconds.")
    if len(result_trace):
        _warn_all(result_trace, model, not discard_tuned_samples,
                  compute_convergence_checks and not interrupted)
    if return_inferencedata:
        from .arviz_bridge import from_pymc3

        return from_pymc3(result_trace, model=model, **(idata_kwargs or {}))
    return result_trace
