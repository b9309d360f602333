"""``PGBART``: particle Gibbs over the trees of a BART variable (PyMC3 3.11's sampler,
after Lakshminarayanan, Roy and Teh 2015).

Each step replaces ``chunk`` of the ``m`` trees in turn.  For tree ``j`` the other trees'
sum ``noi`` is held fixed and ``num_particles`` candidate trees compete: the current tree
(the reference particle), the current tree with fresh leaf values, and new trees grown
from a stump one node per stage from the depth prior (a node at depth d splits with
probability ``alpha**d``, on a column drawn by ``split_prior`` at a value drawn uniformly
from the node's distinct values).  Leaf values are proposed from the conjugate normal
update of Chipman, George and McCulloch (2010) given the residual ``Y - noi`` of the
leaf's rows, with leaf prior ``N(mean(Y)/m, (range(Y)/(4 sqrt(m)))^2)`` and the current
residual variance as the noise variance.  A particle's importance weight is the model's
likelihood of ``noi + tree`` times leaf prior over leaf proposal (for a normal likelihood
this is the tree's marginal likelihood, so deeper trees must earn their place).  After
each stage the growing particles are resampled by the change in weight; at the end one
particle is kept with probability proportional to its weight.
"""

from __future__ import annotations

import logging
import math

import numpy as np

from .base import ArrayStep, Competence
from .bart_tree import Tree, leaf_prior, node_depth, pick_column, split_probabilities, split_values

__all__ = ["PGBART"]

_log = logging.getLogger("arignote.ppl")


def _is_bart(var) -> bool:
    dist = getattr(var, "distribution", None)
    return type(dist).__name__ == "BART" and hasattr(dist, "split_prior")


class _Particle:
    """A candidate tree, its log-likelihood and weight, and its leaves still to try."""

    __slots__ = ("tree", "loglik", "logw", "expansion", "used", "corr")

    def __init__(self, tree, loglik=-math.inf, expansion=(), used=(), corr=None):
        self.tree = tree
        self.loglik = loglik
        self.logw = 0.0
        self.expansion = list(expansion)
        self.used = list(used)
        self.corr = dict(corr or {})  # leaf -> log prior(value) - log proposal(value)

    def copy(self) -> "_Particle":
        p = _Particle(self.tree.copy(), self.loglik, self.expansion, self.used, self.corr)
        p.logw = self.logw
        return p

    @property
    def target(self) -> float:
        """The log importance weight of the whole tree: likelihood times the leaf prior over
        the leaf proposal (the tree-structure proposal is the prior itself)."""
        return self.loglik + sum(self.corr.values())


def _normalized(logw) -> np.ndarray:
    w = np.exp(np.asarray(logw) - np.max(logw))
    return w / w.sum()


class PGBART(ArrayStep):
    """``PGBART(vars=None, num_particles=10, max_stages=100, chunk='auto', model=None)``.

    ``chunk`` trees are replaced per step ('auto': a tenth of ``m``, at least one).
    Records ``variable_inclusion`` per draw: how often each column of X is used as a
    splitting variable by the trees replaced in that step (an int array per draw)."""

    name = "pgbart"
    default_blocked = False
    generates_stats = True
    stat_names = ("variable_inclusion",)
    stat_types = (np.int64,)

    def __new__(cls, *args, **kwargs):
        if not args and kwargs.get("vars") is None:  # default: the model's BART variables only
            from .base import _modelcontext

            bart_vars = [v for v in _modelcontext(kwargs.get("model")).free_RVs if _is_bart(v)]
            kwargs["vars"] = bart_vars or None
        return super().__new__(cls, *args, **kwargs)

    def __init__(self, vars=None, num_particles=10, max_stages=100, chunk="auto", model=None, **kwargs):
        _log.warning("The BART model is experimental. Use with caution.")  # as PyMC3 3.11 says
        self._bind(vars, model, None, kwargs)
        if len(self.vars) != 1 or not _is_bart(self.vars[0]):
            raise ValueError(f"PGBART samples one BART variable, got {[v.name for v in self.vars]}")
        if isinstance(num_particles, bool) or not isinstance(num_particles, (int, np.integer)) \
                or num_particles < 3:
            raise ValueError(f"PGBART: num_particles must be an int of at least 3, got {num_particles!r}")
        if isinstance(max_stages, bool) or not isinstance(max_stages, (int, np.integer)) or max_stages < 1:
            raise ValueError(f"PGBART: max_stages must be a positive int, got {max_stages!r}")
        self.bart = bart = self.vars[0].distribution
        if chunk == "auto":
            chunk = max(1, int(bart.m * 0.1))
        if isinstance(chunk, bool) or not isinstance(chunk, (int, np.integer)) or chunk < 1:
            raise ValueError(f"PGBART: chunk must be 'auto' or a positive int, got {chunk!r}")
        self.num_particles, self.max_stages, self.chunk = int(num_particles), int(max_stages), int(chunk)
        self._split_p = split_probabilities(bart.alpha)
        self._columns = np.ascontiguousarray(bart.X.T)  # one contiguous row per column of X
        self._var_cdf = np.cumsum(bart.split_prior / bart.split_prior.sum())
        self._leaf_mean0, self._leaf_var0 = leaf_prior(bart.Y, bart.m)
        self._noise_floor = 1e-8 * (bart.Y.var() or 1.0)
        bart.all_trees = []
        self.reset_tuning()

    def _default_vars(self, model):
        return [v for v in model.free_RVs if _is_bart(v)]

    @staticmethod
    def competence(var, has_grad):
        return Competence.IDEAL if _is_bart(var) else Competence.INCOMPATIBLE

    def reset_tuning(self, n_tune: int = 1000) -> None:
        """Start from ``m`` stumps whose sum is ``mean(Y)`` (each chain starts afresh)."""
        bart = self.bart
        n = bart.num_observations
        self.tune = True
        self.particles = [_Particle(Tree.stump(self._leaf_mean0, n)) for _ in range(bart.m)]
        self.sum_trees = np.full(n, self._leaf_mean0 * bart.m)
        self.idx = 0
        self.iter = 0

    # -- pieces of one tree update ------------------------------------------------
    def _loglik(self, output) -> float:
        value = self._fn(self._noi + output)[0]
        return value if value == value else -math.inf

    def _leaf_proposal(self, rows):
        """Mean and precision of a leaf's conjugate normal update given its rows' residuals."""
        prec = rows.size / self._noise_var + 1.0 / self._leaf_var0
        mean = (self._resid[rows].sum() / self._noise_var + self._leaf_mean0 / self._leaf_var0) / prec
        return mean, prec

    def _leaf_corr(self, value, mean, prec) -> float:
        prior = -0.5 * (value - self._leaf_mean0) ** 2 / self._leaf_var0 - 0.5 * math.log(self._leaf_var0)
        return prior - (-0.5 * (value - mean) ** 2 * prec + 0.5 * math.log(prec))

    def _draw_leaf(self, p, node, rows) -> float:
        """A leaf value from the proposal, its weight correction recorded in ``p``."""
        mean, prec = self._leaf_proposal(rows)
        value = mean + self.rng.standard_normal() / math.sqrt(prec)
        p.corr[node] = self._leaf_corr(value, mean, prec)
        return value

    def _grow(self, p, node) -> bool:
        """Try to split leaf ``node`` of particle ``p``; True when it split."""
        depth = node_depth(node)
        if depth >= len(self._split_p) or self.rng.random() >= self._split_p[depth]:
            return False
        rows = p.tree.rows[node]
        var = pick_column(self._var_cdf, self.rng.random())
        column = self._columns[var][rows]
        values = split_values(column)
        if not values.size:  # the node's rows share one value: nothing to split on
            return False
        value = values[self.rng.integers(values.size)]
        goes_left = column <= value
        left, right = rows[goes_left], rows[~goes_left]
        del p.corr[node]
        p.tree.split(node, var, value, left, right, self._draw_leaf(p, 2 * node + 1, left),
                     self._draw_leaf(p, 2 * node + 2, right))
        p.expansion.extend((2 * node + 1, 2 * node + 2))
        p.used.append(var)
        return True

    def _initial_particles(self, old):
        n = self.bart.num_observations
        old.loglik = self._loglik(old.tree.output)
        for node, rows in old.tree.rows.items():  # the reference tree's leaves under today's proposal
            old.corr[node] = self._leaf_corr(old.tree.leaves[node], *self._leaf_proposal(rows))
        fresh = old.copy()
        for node, rows in list(fresh.tree.rows.items()):
            fresh.tree.set_leaf(node, self._draw_leaf(fresh, node, rows))
        fresh.loglik = self._loglik(fresh.tree.output)
        growing = []
        everything = np.arange(n)
        for _ in range(self.num_particles - 2):
            p = _Particle(Tree.stump(0.0, n), expansion=[0])
            p.tree.set_leaf(0, self._draw_leaf(p, 0, everything))
            p.loglik = self._loglik(p.tree.output)
            growing.append(p)
        return [old, fresh], growing

    def _resample(self, growing):
        cdf = np.cumsum(_normalized([p.logw for p in growing]))
        picks = np.minimum(np.searchsorted(cdf, self.rng.random(len(growing)) * cdf[-1], side="right"),
                           len(growing) - 1)
        taken = set()
        out = []
        for i in picks:
            p = growing[i]
            out.append(p.copy() if i in taken else p)
            taken.add(i)
        for p in out:
            p.logw = 0.0
        return out

    def _update_tree(self, j) -> _Particle:
        old = self.particles[j]
        self._noi = self.sum_trees - old.tree.output
        self._resid = self.bart.Y - self._noi
        self._noise_var = max(float(np.var(self.bart.Y - self.sum_trees)), self._noise_floor)
        fixed, growing = self._initial_particles(old)
        for _stage in range(self.max_stages):
            grew = False
            for p in growing:
                if not p.expansion:
                    continue
                before = p.target
                if self._grow(p, p.expansion.pop(0)):
                    p.loglik = self._loglik(p.tree.output)
                    p.logw += p.target - before
                    grew = True
            if not any(p.expansion for p in growing):
                break
            if grew:
                growing = self._resample(growing)
        candidates = fixed + growing
        chosen = candidates[self.rng.choice(len(candidates), p=_normalized([p.target for p in candidates]))]
        chosen.expansion = []
        self.sum_trees = self._noi + chosen.tree.output
        return chosen

    # -- the step ------------------------------------------------------------------
    def astep(self, q0):
        bart = self.bart
        inclusion = np.zeros(bart.num_variates, dtype=np.int64)
        for _ in range(self.chunk):
            if self.idx == bart.m:
                self.idx = 0
            chosen = self._update_tree(self.idx)
            self.particles[self.idx] = chosen
            inclusion += np.bincount(chosen.used, minlength=bart.num_variates)
            self.idx += 1
            if not self.tune:
                self.iter += 1
                if self.iter % bart.m == 0:
                    bart.all_trees.append([p.tree for p in self.particles])
        return self.sum_trees.copy(), (inclusion,)
