"""The per-particle log-densities SMC needs, each from one compiled function
of a flat particle vector: prior (free variables, Jacobians included) and
likelihood (observed variables and potentials), or for ABC the prior and a
pseudo-likelihood from a ``Simulator``."""
from __future__ import annotations

import numpy as np

import arignote
import arignote.tensor as T
from arignote.plugins.samplers.chain import Layout

from ..distributions.simulator import Simulator


def particle_layout(model) -> Layout:
    return Layout.from_point(model.test_point, [v.name for v in model.free_RVs])


def _compile(model, layout, outs):
    x = T.dvector("__particle")
    givens = []
    for v, name, shape, dtype in zip(model.free_RVs, layout.names, layout.shapes, layout.dtypes):
        sl = layout.slices[name]
        piece = x[sl.start] if shape == () else T.reshape(x[sl], shape)
        givens.append((v, T.cast(piece, str(dtype)) if dtype != np.float64 else piece))
    return arignote.function([x], outs, givens=givens, on_unused_input="ignore", trust_input=True)


def simulators(model) -> list:
    return [v for v in model.observed_RVs if isinstance(v.distribution, Simulator)]


class ModelDensities:
    """``densities(X) -> (prior, loglik, extras)`` for particles ``X`` (N, d):
    prior and (pseudo-)log-likelihood per particle; ``extras`` holds per-particle
    arrays to keep with the particles (ABC: simulated data, elementwise
    pseudo-log-likelihood), or is empty."""

    def __init__(self, model, layout, kernel, keep_extras=False):
        self.keep_extras = keep_extras
        sims = simulators(model)
        self.abc = kernel == "abc"
        if self.abc:
            if len(sims) != 1 or len(model.observed_RVs) != 1:
                raise ValueError("sample_smc(kernel='ABC') needs exactly one observed variable, a "
                                 f"pm.Simulator (the model has {[v.name for v in model.observed_RVs]})")
            sim = sims[0]
            self.simulator = sim.distribution
            self.obs_stat = np.asarray(self.simulator.sum_stat(np.asarray(sim.observations)))
            self.distance = self.simulator.bind(np.asarray(sim.observations))
            prior = model._total([v.logpt for v in model.free_RVs] + model.potentials, "__abc_prior")
            self._f = _compile(model, layout, [prior] + list(self.simulator.params))
        else:
            if sims:
                raise ValueError(f"{sims[0].name} is a Simulator: sample it with "
                                 "sample_smc(kernel='ABC')")
            self._f = _compile(model, layout, [model.varlogpt, model.datalogpt])

    def __call__(self, X):
        X = np.ascontiguousarray(X, dtype=np.float64)
        f = self._f
        n = len(X)
        prior = np.empty(n)
        loglik = np.empty(n)
        if not self.abc:
            for i in range(n):
                p, ll = f(X[i])
                prior[i] = p
                loglik[i] = ll
            return prior, loglik, {}
        sims, elems = [], []
        for i in range(n):
            out = f(X[i])
            prior[i] = out[0]
            sim = self.simulator.simulate(out[1:])
            elem = np.asarray(self.distance(self.simulator.epsilon, self.obs_stat, self.simulator.sum_stat(sim)))
            loglik[i] = elem.sum()
            if self.keep_extras:
                sims.append(sim)
                elems.append(elem)
        if not self.keep_extras:
            return prior, loglik, {}
        return prior, loglik, {"sim_data": _stack(sims), "log_pseudolikelihood": _stack(elems)}


def _stack(arrays):
    try:
        return np.stack(arrays)
    except ValueError:  # ragged simulations: kept as objects
        out = np.empty(len(arrays), dtype=object)
        out[:] = arrays
        return out
