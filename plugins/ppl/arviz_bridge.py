"""ArviZ as PyMC3 users call it: ``az.from_pymc3``, and ``az.summary(trace)``,
``az.plot_trace(trace)``, ``az.concat(trace, ...)`` on an arignote ``MultiTrace``.

Modern ArviZ has no PyMC3 converter and refuses foreign objects. ArviZ offers no
registry for converters, so :func:`install` wraps its two entry points
(``convert_to_inference_data`` / ``convert_to_dataset``, in every ArviZ module that
imported them) and ``concat``: a ``MultiTrace`` is converted first by
:func:`from_pymc3`, every other object reaches ArviZ's own function unchanged.
``install`` runs when ArviZ is imported after ``arignote.ppl`` (an import hook) or
at once if ArviZ is already loaded; ArviZ itself is never imported eagerly.
"""
from __future__ import annotations

import functools
import importlib.abc
import importlib.util
import sys
import warnings

import numpy as np

from .trace import MultiTrace

__all__ = ["from_pymc3", "install"]

_WRAPPED = "__arignote_wrapped__"


def _split_prior(prior, model):
    """PyMC3's split: observed variables go to ``prior_predictive``, the rest to ``prior``."""
    observed = {v.name for v in getattr(model, "observed_RVs", [])} if model is not None else set()
    latent = {k: v for k, v in prior.items() if k not in observed}
    predictive = {k: v for k, v in prior.items() if k in observed}
    return latent or None, predictive or None


def _model_dims(model, dims):
    merged = dict(getattr(model, "RV_dims", {}) or {})
    merged.update(dims or {})
    return {k: [v] if isinstance(v, str) else list(v) for k, v in merged.items()} or None


def _model_coords(model, coords):
    merged = dict(getattr(model, "coords", {}) or {})
    merged.update(coords or {})
    return merged or None


def from_pymc3(trace=None, *, prior=None, posterior_predictive=None, log_likelihood=True, coords=None,
               dims=None, model=None, **kwargs):
    """ArviZ 0.x's ``from_pymc3`` for arignote traces: an InferenceData with posterior,
    sample_stats, observed_data, and prior / prior_predictive / posterior_predictive
    groups from the dicts ``sample_prior_predictive`` and ``sample_posterior_predictive``
    return, and the pointwise ``log_likelihood`` of the observed variables at every draw
    (for ``loo``/``waic``/``compare``; ``log_likelihood=False`` skips it, a list names the
    variables). Coords and dims default to the model's (``Model(coords=)``, ``dims=``)."""
    from .stats import _trace_model, to_inference_data


    if trace is not None and not isinstance(trace, MultiTrace):
        raise TypeError(f"from_pymc3 expects an arignote MultiTrace as trace, got {type(trace).__name__}")
    if model is None:
        model = _trace_model(trace) if trace is not None else _current_model()
    latent, prior_pred = _split_prior(prior, model) if prior is not None else (None, None)
    coords, dims = _model_coords(model, coords), _model_dims(model, dims)
    idata = to_inference_data(trace, prior=latent, posterior_predictive=posterior_predictive,
                              model=model, coords=coords, dims=dims, **kwargs)
    az = sys.modules["arviz"]
    extra = {}
    if prior_pred is not None:
        extra["prior_predictive"] = {k: np.asarray(v)[None] for k, v in prior_pred.items()}
    if trace is not None and log_likelihood:
        try:
            loglik = _log_likelihood(trace, model, None if log_likelihood is True else list(log_likelihood))
        except Exception as e:  # noqa: BLE001 - the other groups are still useful
            warnings.warn(f"from_pymc3: the log_likelihood group is left out ({type(e).__name__}: {e})",
                          UserWarning, stacklevel=2)
            loglik = {}
        if loglik:
            extra["log_likelihood"] = loglik
    constant = _constant_data(model)
    if constant:
        extra["constant_data"] = constant
    if extra:
        idata.extend(az.from_dict(**extra, coords=coords, dims=dims))
    return idata


def _log_likelihood(trace, model, names):
    """Elementwise log-density of each observed variable at every draw: (chain, draw, *shape)."""
    observed = [v for v in getattr(model, "observed_RVs", []) if names is None or v.name in names]
    observed = [v for v in observed if getattr(v, "logp_elemwiset", None) is not None]
    if not observed or not all(v.name in trace.varnames for v in model.free_RVs):
        return {}
    fn = model.fn([v.logp_elemwiset for v in observed])
    per_chain = []
    for chain in trace.chains:
        draws = [trace.point(i, chain=chain) for i in range(len(trace._straces[chain]))]
        per_chain.append([fn(pt) for pt in draws])
    return {v.name: np.asarray([[d[j] for d in chain] for chain in per_chain]) for j, v in enumerate(observed)}


def _constant_data(model):
    """The model's ``Data`` containers (shared variables), as PyMC3's ``constant_data`` group."""
    if model is None:
        return {}
    return {name: np.asarray(v.get_value()) for name, v in model.named_vars.items()
            if hasattr(v, "get_value") and not hasattr(v, "distribution")}


def _current_model():
    from .context import modelcontext

    try:
        return modelcontext(None)
    except TypeError:
        return None


def _converting(func):
    """``func`` with an arignote MultiTrace as first argument converted first."""
    @functools.wraps(func)
    def wrapper(obj=None, *args, **kwargs):
        if isinstance(obj, MultiTrace):
            obj = from_pymc3(obj)
        return func(obj, *args, **kwargs)

    setattr(wrapper, _WRAPPED, func)
    return wrapper


def _concat(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if len(args) == 1 and isinstance(args[0], (list, tuple)):
            args = (list(args[0]),)
            args[0][:] = [from_pymc3(a) if isinstance(a, MultiTrace) else a for a in args[0]]
        else:
            args = tuple(from_pymc3(a) if isinstance(a, MultiTrace) else a for a in args)
        return func(*args, **kwargs)

    setattr(wrapper, _WRAPPED, func)
    return wrapper


def install():
    """Teach a loaded ArviZ to read arignote traces (idempotent)."""
    az = sys.modules.get("arviz")
    if az is None:
        return
    from arviz.data import converters, inference_data

    originals = {"convert_to_inference_data": converters.convert_to_inference_data,
                 "convert_to_dataset": converters.convert_to_dataset,
                 "concat": inference_data.concat}
    for name, orig in originals.items():
        if hasattr(orig, _WRAPPED):
            continue
        wrapped = (_concat if name == "concat" else _converting)(orig)
        for modname, mod in list(sys.modules.items()):
            if (modname == "arviz" or modname.startswith("arviz.")) and getattr(mod, name, None) is orig:
                setattr(mod, name, wrapped)
    if not hasattr(az, "from_pymc3"):
        az.from_pymc3 = from_pymc3
        az.data.from_pymc3 = from_pymc3


class _ArvizHook(importlib.abc.MetaPathFinder):
    """Runs :func:`install` right after ``import arviz`` finishes."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "arviz":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def exec_and_install(module):
            exec_module(module)
            sys.modules[fullname] = module
            install()

        spec.loader.exec_module = exec_and_install
        return spec


def register():
    """Install now if ArviZ is loaded, else when it is imported."""
    if "arviz" in sys.modules:
        install()
    elif not any(isinstance(f, _ArvizHook) for f in sys.meta_path):
        sys.meta_path.insert(0, _ArvizHook())
