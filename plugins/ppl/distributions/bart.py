"""``BART``: Bayesian additive regression trees (PyMC3 3.11's ``pm.BART``).

The variable is the sum-of-trees mean ``mu(X)`` at the rows of ``X`` (shape ``(n,)``); it
has no density of its own (its prior is the tree prior) and is sampled by ``PGBART``,
which ``pm.sample`` assigns to it, while the likelihood built on it (``pm.Normal('y', mu,
sigma, observed=Y)``) weighs the trees.
"""
from __future__ import annotations

import numbers

import numpy as np

from .base import NoDistribution

__all__ = ["BART"]


def _as_array(data, what):
    if hasattr(data, "to_numpy"):  # pandas Series / DataFrame
        data = data.to_numpy()
    try:
        return np.asarray(data, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"BART: {what} must be numeric, got {type(data).__name__}") from None


def _check_xy(X, Y):
    if X.ndim != 2:
        raise ValueError(f"BART: the design matrix X must have two dimensions, got shape {X.shape}")
    if Y.ndim != 1:
        raise ValueError(f"BART: the response Y must have one dimension, got shape {Y.shape}")
    if X.shape[0] != Y.shape[0]:
        raise ValueError(f"BART: X has {X.shape[0]} rows but Y has {Y.shape[0]} elements; "
                         "they must have the same number of observations")
    if X.shape[0] == 0:
        raise ValueError("BART: X and Y have no observations")
    if not np.all(np.isfinite(Y)):
        raise ValueError("BART: Y has missing (NaN) or infinite values")
    if np.any(np.isinf(X)):
        raise ValueError("BART: X has infinite values (missing ones may be NaN)")


def _check_split_prior(split_prior, p):
    if split_prior is None:
        return np.ones(p)
    prior = np.asarray(split_prior, dtype=float)
    if prior.shape != (p,):
        raise ValueError(f"BART: split_prior must have one entry per column of X ({p}), "
                         f"got shape {prior.shape}")
    if np.any(prior < 0) or not np.all(np.isfinite(prior)) or prior.sum() <= 0:
        raise ValueError(f"BART: split_prior must be non-negative and not all zero, got {prior}")
    return prior


class BART(NoDistribution):
    """``BART(name, X, Y, m=200, alpha=0.25, split_prior=None)``.

    ``X`` (n, p) design matrix (NaN marks a missing entry), ``Y`` (n,) response, ``m`` the
    number of trees, ``alpha`` in (0, 1) the tree-depth prior (a node at depth d splits with
    probability ``alpha**d``), ``split_prior`` the relative prior weight of each column as
    a splitting variable (uniform by default).  After sampling, ``all_trees`` holds one list
    of ``m`` trees per completed sweep (of the last chain sampled in this process), and
    ``predict(X_new)`` gives ``mu`` at new rows for each of those sweeps."""

    has_gradient = False  # its value comes from trees: gradient-based steps must not move it

    def __init__(self, X, Y, m=200, alpha=0.25, split_prior=None, *args, **kwargs):
        X = _as_array(X, "X")
        Y = _as_array(Y, "Y")
        _check_xy(X, Y)
        if isinstance(m, bool) or not isinstance(m, numbers.Integral):
            raise ValueError(f"BART: the number of trees m must be an int, got {m!r}")
        if m < 1:
            raise ValueError(f"BART: the number of trees m must be greater than zero, got {m}")
        if not isinstance(alpha, numbers.Real) or not 0 < alpha < 1:
            raise ValueError(f"BART: alpha (the tree-structure prior) must be in the interval (0, 1), "
                             f"got {alpha!r}")
        kwargs.setdefault("testval", np.full(X.shape[0], Y.mean()))
        kwargs.pop("shape", None)
        kwargs.pop("dtype", None)
        super().__init__(*args, shape=(X.shape[0],), dtype="float64", **kwargs)
        self.X, self.Y = X, Y
        self.m, self.alpha = int(m), float(alpha)
        self.split_prior = _check_split_prior(split_prior, X.shape[1])
        self.missing_data = bool(np.isnan(X).any())
        self.num_observations, self.num_variates = X.shape
        self.all_trees = []

    def random(self, point=None, size=None):
        """Draws of ``mu`` from the sum-of-trees prior at the rows of X: shape ``size + (n,)``
        (each tree grown from the depth prior, leaves from the leaf prior; NumPy's global
        generator seeds them, so ``np.random.seed`` makes them reproducible)."""
        from arignote.plugins.samplers.bart_tree import leaf_prior, prior_sum_of_trees

        size = () if size is None else tuple(np.atleast_1d(size).astype(int))
        rng = np.random.default_rng(np.random.randint(0, 2 ** 31 - 1))
        columns = np.ascontiguousarray(self.X.T)
        cdf = np.cumsum(self.split_prior / self.split_prior.sum())
        mean, var = leaf_prior(self.Y, self.m)
        draws = [prior_sum_of_trees(columns, self.m, self.alpha, cdf, mean, np.sqrt(var), rng)
                 for _ in range(int(np.prod(size)))]
        return np.asarray(draws).reshape(size + (self.num_observations,))

    def predict(self, X_new) -> np.ndarray:
        """``mu`` at the rows of ``X_new`` for each stored sweep: shape (sweeps, rows)."""
        if not self.all_trees:
            raise ValueError("BART.predict: no trees yet; sample the model with PGBART first")
        X_new = _as_array(X_new, "X_new")
        if X_new.ndim != 2 or X_new.shape[1] != self.num_variates:
            raise ValueError(f"BART.predict: X_new must have shape (rows, {self.num_variates}), "
                             f"got {X_new.shape}")
        return np.array([np.sum([t.predict(X_new) for t in trees], axis=0) for trees in self.all_trees])

    def _repr_latex_(self, name=None, dist=None):
        return f"$\\text{{BART}}(m={self.m}, \\alpha={self.alpha})$"
