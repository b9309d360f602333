"""Traces to ArviZ InferenceData, and the diagnostics under PyMC3's names
(``effective_n``, ``gelman_rubin``, ``rhat``, ``ess``, ``summary``, ...),
computed by ArviZ."""

from __future__ import annotations

import warnings

import numpy as np

from .trace import MultiTrace

__all__ = ["df_summary", "to_inference_data", "effective_n", "gelman_rubin", "rhat", "ess",
           "summary", "hdi", "hpd", "mcse", "as_inference_data", "loo", "waic", "compare", "bfmi", "r2_score"]

# PyMC3's names of NUTS statistics -> ArviZ's conventions
_STAT_NAMES = {"mean_tree_accept": "acceptance_rate", "depth": "tree_depth",
               "tree_size": "n_steps", "model_logp": "lp"}


def _az():
    import arviz as az

    return az


def _is_transformed(name) -> bool:
    return name.endswith("__")


def _stack(trace, name, getter):
    per_chain = [np.asarray(getter(name, chains=c)) for c in trace.chains]
    return np.stack(per_chain) if per_chain else np.zeros((0, 0))


def _posterior(trace, include_transformed=False, var_names=None):
    names = var_names or [n for n in trace.varnames if include_transformed or not _is_transformed(n)]
    missing = [n for n in names if n not in trace.varnames]
    if missing:
        raise KeyError(f"variables {missing} are not in the trace (it holds {trace.varnames})")
    return {n: _stack(trace, n, trace.get_values) for n in names}


def _sample_stats(trace):
    out = {}
    for name in sorted(trace.stat_names):
        out[_STAT_NAMES.get(name, name)] = _stack(trace, name, trace.get_sampler_stats)
    return out


def _observed(model):
    data = {}
    for v in getattr(model, "observed_RVs", []) if model is not None else []:
        obs = getattr(v, "observations", None)
        if obs is not None:
            try:
                data[v.name] = np.asarray(obs.get_value() if hasattr(obs, "get_value") else obs)
            except Exception:  # noqa: BLE001 - symbolic observations are left out
                continue
    return data


def _predictive(values, nchains, ndraws):
    out = {}
    for name, arr in values.items():
        arr = np.asarray(arr)
        if arr.shape[:1] == (nchains * ndraws,) and nchains:
            out[name] = arr.reshape((nchains, ndraws) + arr.shape[1:])
        else:
            out[name] = arr[None, ...]
    return out


def to_inference_data(trace=None, *, prior=None, posterior_predictive=None, model=None,
                      coords=None, dims=None, include_transformed=False, **kwargs):
    """An ArviZ InferenceData of ``trace`` (posterior, sample_stats, observed_data,
    and ``prior`` / ``posterior_predictive`` dicts when given)."""
    az = _az()
    if kwargs:
        raise TypeError(f"to_inference_data() got unexpected keyword argument(s) {sorted(kwargs)}")
    groups = {}
    if trace is not None:
        if not isinstance(trace, MultiTrace):
            raise TypeError(f"to_inference_data expects a MultiTrace, got {type(trace).__name__}")
        model = model if model is not None else _trace_model(trace)
        groups["posterior"] = _posterior(trace, include_transformed)
        stats = _sample_stats(trace)
        if stats:
            groups["sample_stats"] = stats
        if posterior_predictive is not None:
            groups["posterior_predictive"] = _predictive(posterior_predictive, trace.nchains, len(trace))
    elif posterior_predictive is not None:
        groups["posterior_predictive"] = {k: np.asarray(v)[None] for k, v in posterior_predictive.items()}
    if prior is not None:
        groups["prior"] = {k: np.asarray(v)[None] for k, v in prior.items()}
    observed = _observed(model)
    if observed:
        groups["observed_data"] = observed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return az.from_dict(**groups, coords=coords, dims=dims)


def _trace_model(trace):
    for s in trace._straces.values():
        return s.model
    return None


def _to_idata_posterior(trace, model=None):
    return _az().from_dict(posterior=_posterior(trace))


def as_inference_data(data, include_transformed=False):
    """InferenceData from a MultiTrace, an InferenceData or anything ArviZ converts."""
    az = _az()
    if isinstance(data, MultiTrace):
        return to_inference_data(data, include_transformed=include_transformed)
    return az.convert_to_inference_data(data)


def _names(varnames, var_names):
    names = var_names if var_names is not None else varnames
    if isinstance(names, str):
        names = [names]
    return names


def _as_dict(dataset):
    return {name: (float(v.values) if v.ndim == 0 else np.asarray(v.values))
            for name, v in dataset.data_vars.items()}


def effective_n(trace, varnames=None, include_transformed=False, var_names=None):
    """Bulk effective sample size per variable (ArviZ's ``ess``), as a dict name -> ESS."""
    idata = as_inference_data(trace, include_transformed)
    return _as_dict(_az().ess(idata, var_names=_names(varnames, var_names)))


def gelman_rubin(trace, varnames=None, include_transformed=False, var_names=None):
    """Rank-normalised split R-hat per variable (ArviZ's ``rhat``), as a dict name -> R-hat."""
    idata = as_inference_data(trace, include_transformed)
    return _as_dict(_az().rhat(idata, var_names=_names(varnames, var_names)))


def rhat(data, var_names=None, method="rank"):
    """ArviZ's ``rhat`` (an xarray Dataset), accepting a MultiTrace."""
    return _az().rhat(as_inference_data(data), var_names=var_names, method=method)


def ess(data, var_names=None, method="bulk", relative=False, prob=None):
    """ArviZ's ``ess`` (an xarray Dataset), accepting a MultiTrace."""
    return _az().ess(as_inference_data(data), var_names=var_names, method=method,
                     relative=relative, prob=prob)


def mcse(data, var_names=None, method="mean", prob=None):
    return _az().mcse(as_inference_data(data), var_names=var_names, method=method, prob=prob)


def hdi(data, hdi_prob=None, var_names=None, **kwargs):
    """Highest-density intervals (ArviZ's ``hdi``); a plain array in, an array out."""
    if isinstance(data, np.ndarray):
        return _az().hdi(data, hdi_prob=hdi_prob, **kwargs)
    return _az().hdi(as_inference_data(data), hdi_prob=hdi_prob, var_names=var_names, **kwargs)


def hpd(data, alpha=0.05, **kwargs):
    """PyMC3's old name: the ``1 - alpha`` highest-density interval."""
    return hdi(data, hdi_prob=1.0 - alpha, **kwargs)


def summary(data, var_names=None, varnames=None, include_transformed=False, **kwargs):
    """ArviZ's ``summary`` (a pandas DataFrame: mean, sd, hdi, mcse, ess, r_hat)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return _az().summary(as_inference_data(data, include_transformed),
                             var_names=_names(varnames, var_names), **kwargs)


df_summary = summary  # PyMC3 3.0's name


def loo(data, *args, **kwargs):
    """ArviZ's PSIS-LOO of a trace (its pointwise log-likelihood comes from ``from_pymc3``)."""
    return _az().loo(_idata(data), *args, **kwargs)


def waic(data, *args, **kwargs):
    """ArviZ's WAIC of a trace."""
    return _az().waic(_idata(data), *args, **kwargs)


def compare(compare_dict, *args, **kwargs):
    """ArviZ's model comparison of ``{name: trace}`` (traces or InferenceData)."""
    return _az().compare({k: _idata(v) for k, v in dict(compare_dict).items()}, *args, **kwargs)


def _idata(data):
    from .arviz_bridge import from_pymc3

    return from_pymc3(data) if isinstance(data, MultiTrace) else data


def bfmi(data):
    """Bayesian fraction of missing information per chain, from the NUTS energies (ArviZ's ``bfmi``)."""
    return _az().bfmi(_idata(data))


def r2_score(y_true, y_pred):
    """Bayesian R-squared of predictions ``y_pred`` (draws x observations) against ``y_true`` (ArviZ's)."""
    return _az().r2_score(y_true, y_pred)
