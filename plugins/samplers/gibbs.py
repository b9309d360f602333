"""Gibbs-style steps for binary and categorical variables, one element at a
time (PyMC3's BinaryGibbsMetropolis and CategoricalGibbsMetropolis)."""

from __future__ import annotations

import math

import numpy as np

from .base import ArrayStep, Competence

__all__ = ["BinaryGibbsMetropolis", "CategoricalGibbsMetropolis"]


def _dist_name(var) -> str:
    dist = getattr(var, "distribution", None)
    dist = getattr(dist, "parent_dist", dist)
    return type(dist).__name__


def _n_categories(var):
    dist = getattr(var, "distribution", None)
    k = getattr(dist, "k", None)
    try:
        return int(np.asarray(k).item()) if k is not None else None
    except (TypeError, ValueError):
        return None


class _ElementwiseGibbs(ArrayStep):
    """Visits the elements of the step's vector in a fixed or random order."""

    default_blocked = True
    generates_stats = False
    stat_names = ()
    stat_types = ()

    def _set_order(self, order) -> None:
        if order == "random":
            self.shuffle = True
            self.order = np.arange(self.size)
        else:
            order = np.asarray(order, dtype=int)
            if sorted(order.tolist()) != list(range(self.size)):
                raise ValueError(f"order must be 'random' or a permutation of range({self.size}), got {order!r}")
            self.shuffle = False
            self.order = order

    def _visit(self):
        return self.rng.permutation(self.size) if self.shuffle else self.order

    def _logp(self, q):
        value = self._fn(q)[0]
        return value if value == value else -math.inf


class BinaryGibbsMetropolis(_ElementwiseGibbs):
    """``BinaryGibbsMetropolis(vars, order='random', transit_p=0.8, model=None)``:
    each element is flipped with probability ``transit_p`` and the flip
    accepted by Metropolis."""

    name = "binary_gibbs_metropolis"

    def __init__(self, vars=None, order="random", transit_p=0.8, model=None,
                 logp_dlogp_func=None, **kwargs):
        self._bind(vars, model, logp_dlogp_func, kwargs)
        if not 0.0 < transit_p <= 1.0:
            raise ValueError(f"transit_p must lie in (0, 1], got {transit_p!r}")
        self.transit_p = float(transit_p)
        self._set_order(order)

    @staticmethod
    def competence(var, has_grad):
        name = _dist_name(var)
        if name == "Bernoulli" or (name == "Categorical" and _n_categories(var) == 2):
            return Competence.IDEAL
        return Competence.INCOMPATIBLE

    def astep(self, q0):
        q = np.array(q0, dtype=float)
        rng = self.rng
        logp = self._logp(q)
        for i in self._visit():
            if rng.random() >= self.transit_p:
                continue
            old = q[i]
            q[i] = 1.0 - old
            new = self._logp(q)
            if math.log(rng.random()) < new - logp:
                logp = new
            else:
                q[i] = old
        return q, ()


class CategoricalGibbsMetropolis(_ElementwiseGibbs):
    """``CategoricalGibbsMetropolis(vars, proposal='uniform', order='random',
    model=None)``: ``'uniform'`` proposes another category uniformly and
    accepts by Metropolis; ``'proportional'`` draws the element from its
    full conditional (a Gibbs update)."""

    name = "categorical_gibbs_metropolis"

    def __init__(self, vars=None, proposal="uniform", order="random", model=None,
                 logp_dlogp_func=None, k=None, **kwargs):
        self._bind(vars, model, logp_dlogp_func, kwargs)
        if proposal not in ("uniform", "proportional"):
            raise ValueError(f"proposal must be 'uniform' or 'proportional', got {proposal!r}")
        self.proposal = proposal
        ks = [k] if k is not None else [_n_categories(v) for v in self.vars]
        if any(x is None for x in ks):
            raise ValueError("CategoricalGibbsMetropolis needs Categorical variables with a known "
                             f"number of categories; got {[v.name for v in self.vars]}")
        sizes = [np.size(v) for v in self._fn.array_to_dict(np.asarray(self._fn.initial_point, float)).values()]
        self.k = np.repeat(ks, sizes) if k is None else np.full(self.size, int(k))
        self._set_order(order)

    @staticmethod
    def competence(var, has_grad):
        name = _dist_name(var)
        if name == "Categorical":
            return Competence.IDEAL if (_n_categories(var) or 0) > 2 else Competence.COMPATIBLE
        if name == "Bernoulli":
            return Competence.COMPATIBLE
        return Competence.INCOMPATIBLE

    def astep(self, q0):
        q = np.array(q0, dtype=float)
        rng = self.rng
        logp = self._logp(q)
        for i in self._visit():
            k = int(self.k[i])
            old = q[i]
            if self.proposal == "uniform":
                new_val = (old + rng.integers(1, k)) % k
                q[i] = new_val
                new = self._logp(q)
                if math.log(rng.random()) < new - logp:
                    logp = new
                else:
                    q[i] = old
                continue
            logps = np.empty(k)
            for c in range(k):
                q[i] = c
                logps[c] = self._logp(q)
            w = np.exp(logps - logps.max())
            c = rng.choice(k, p=w / w.sum())
            q[i] = c
            logp = logps[c]
        return q, ()
