"""Helpers of ``pm.gp.util`` (PyMC3 3.11): jitter, inducing points, the plotting of GP draws,
and the factorisations the GP classes share."""
from __future__ import annotations

import numpy as np

import arignote.tensor as T
from arignote.tensor import slinalg

__all__ = ["stabilize", "kmeans_inducing_points", "plot_gp_dist", "infer_shape", "conditioned_vars",
           "cholesky", "solve_lower", "solve_upper"]

cholesky = slinalg.Cholesky(lower=True, on_error="nan")
solve_lower = slinalg.solve_lower_triangular
solve_upper = slinalg.solve_upper_triangular


def infer_shape(X, n_points=None):
    """The number of rows of X, or ``n_points`` where X is symbolic."""
    if n_points is not None:
        return n_points
    try:
        return int(np.shape(X)[0])
    except (TypeError, IndexError, ValueError):
        pass
    n = getattr(getattr(X, "type", None), "shape", (None,))
    if n and n[0] is not None:
        return int(n[0])
    raise TypeError("Cannot infer 'shape', provide as an argument")


def stabilize(K, jitter=1e-6):
    """``K`` plus ``jitter`` on the diagonal, so that its Cholesky factorisation succeeds."""
    return K + jitter * T.identity_like(K)


def kmeans_inducing_points(n_inducing, X):
    """``n_inducing`` inducing points placed by k-means on the rows of X (scaled per column)."""
    from scipy.cluster.vq import kmeans

    if hasattr(X, "type") and hasattr(X, "owner"):
        raise TypeError("To use K-means initialization, please provide X as a type that can be cast to "
                        f"np.ndarray, instead of {type(X)}")
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"kmeans_inducing_points: X must be a 2-d array of rows, got shape {X.shape}")
    scaling = np.std(X, 0)
    scaling[scaling <= 1e-6] = 1.0
    centers, _ = kmeans(X / scaling, n_inducing)
    return centers * scaling


def conditioned_vars(varnames):
    """Class decorator: the attributes ``varnames`` are set by ``prior``/``marginal_likelihood``;
    reading one before raises AttributeError saying so."""

    def make_property(name):
        key = "_" + name

        def getter(self):
            value = getattr(self, key, None)
            if value is None:
                raise AttributeError(f"{name!r} not set, provide it with the prior or marginal_likelihood "
                                     "method, or pass it in 'given'")
            return value

        def setter(self, value):
            setattr(self, key, value)

        return property(getter, setter)

    def wrap(cls):
        for name in varnames:
            setattr(cls, name, make_property(name))
        return cls

    return wrap


def plot_gp_dist(ax, samples, x, plot_samples=True, palette="Reds", fill_alpha=0.8, samples_alpha=0.1,
                 fill_kwargs=None, samples_kwargs=None):
    """Percentile bands (51st to 99th, and their mirrors) of GP draws ``samples`` (draws x points)
    over ``x`` on the matplotlib axes ``ax``, with a few draws on top; returns ``ax``."""
    import matplotlib.pyplot as plt

    fill_kwargs = dict(fill_kwargs or {})
    samples_kwargs = dict(samples_kwargs or {})
    samples = np.asarray(samples)
    x = np.asarray(x).ravel()
    if samples.ndim != 2 or samples.shape[1] != len(x):
        raise ValueError(f"plot_gp_dist: samples must be (draws, {len(x)}), got shape {samples.shape}")
    cmap = plt.get_cmap(palette)
    percs = np.linspace(51, 99, 40)
    colors = (percs - np.min(percs)) / (np.max(percs) - np.min(percs))
    for i, p in enumerate(percs[::-1]):
        upper = np.percentile(samples, p, axis=0)
        lower = np.percentile(samples, 100 - p, axis=0)
        ax.fill_between(x, upper, lower, color=cmap(colors[::-1][i]), alpha=fill_alpha, **fill_kwargs)
    if plot_samples:
        idx = np.random.randint(0, samples.shape[0], 30)
        ax.plot(x, samples[idx, :].T, color=cmap(0.9), lw=1, alpha=samples_alpha, **samples_kwargs)
    return ax


