"""PyMC3's plot names, drawn by ArviZ from a MultiTrace or InferenceData."""

from __future__ import annotations

from .stats import as_inference_data

__all__ = ["traceplot", "plot_trace", "plot_posterior", "forestplot", "plot_forest",
           "autocorrplot", "plot_autocorr", "energyplot", "plot_energy", "densityplot",
           "plot_density", "pairplot", "plot_pair", "compareplot", "plot_compare", "kdeplot", "plot_kde"]


def _plot(name, data, var_names, varnames, kwargs):
    import arviz as az

    names = var_names if var_names is not None else varnames
    return getattr(az, name)(as_inference_data(data), var_names=names, **kwargs)


def traceplot(trace, var_names=None, varnames=None, **kwargs):
    """Densities and traces of each variable (ArviZ's ``plot_trace``)."""
    return _plot("plot_trace", trace, var_names, varnames, kwargs)


def plot_posterior(trace, var_names=None, varnames=None, **kwargs):
    """Posterior densities with mean and HDI (ArviZ's ``plot_posterior``)."""
    return _plot("plot_posterior", trace, var_names, varnames, kwargs)


def forestplot(trace, var_names=None, varnames=None, **kwargs):
    """Intervals of each variable, chains side by side (ArviZ's ``plot_forest``)."""
    return _plot("plot_forest", trace, var_names, varnames, kwargs)


def autocorrplot(trace, var_names=None, varnames=None, **kwargs):
    """Autocorrelation of each variable (ArviZ's ``plot_autocorr``)."""
    return _plot("plot_autocorr", trace, var_names, varnames, kwargs)


def densityplot(trace, var_names=None, varnames=None, **kwargs):
    return _plot("plot_density", trace, var_names, varnames, kwargs)


def pairplot(trace, var_names=None, varnames=None, **kwargs):
    return _plot("plot_pair", trace, var_names, varnames, kwargs)


def energyplot(trace, **kwargs):
    """Marginal energy and energy transitions of HMC/NUTS (ArviZ's ``plot_energy``)."""
    import arviz as az

    return az.plot_energy(as_inference_data(trace), **kwargs)


plot_trace = traceplot
plot_forest = forestplot
plot_autocorr = autocorrplot
plot_energy = energyplot
plot_density = densityplot
plot_pair = pairplot


def compareplot(comp_df, **kwargs):
    """The table of ``pm.compare`` drawn as intervals (ArviZ's ``plot_compare``)."""
    import arviz as az

    return az.plot_compare(comp_df, **kwargs)


def kdeplot(values, **kwargs):
    """A kernel density estimate of NumPy ``values`` (ArviZ's ``plot_kde``)."""
    import arviz as az

    return az.plot_kde(values, **kwargs)


plot_compare = compareplot
plot_kde = kdeplot
