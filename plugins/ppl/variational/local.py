"""Local variables of Autoencoding Variational Bayes (``fit(local_rv={var: (mu, rho)})``, PyMC3's
AEVB, Kingma & Welling 2014): a free variable whose mean-field normal has parameters given as
expressions (typically an encoder of the minibatch, with weights passed as ``more_obj_params``).

Its draws ``mu + eps * log1p(exp(rho))`` come from a random stream inside the graph (new
``eps`` in every call), and its entropy is scaled like its log-density (``total_size``), so a
minibatch estimates the full-data ELBO.
"""
from __future__ import annotations

import numpy as np

import arignote
import arignote.tensor as T
from arignote.tensor.shared_randomstreams import RandomStreams

_HALF_LOG_2PI_E = 0.5 * (1.0 + np.log(2.0 * np.pi))


class LocalGroup:
    """One local variable ``var`` with mean ``mu`` and ``sd = log1p(exp(rho))`` (expressions)."""

    def __init__(self, var, mu, rho, seed):
        self.var = var
        shape = tuple(var.type.shape)
        self.mu = T.reshape(T.cast(T.as_tensor_variable(mu), "float64"), shape)
        self.sd = T.reshape(T.log1p(T.exp(T.cast(T.as_tensor_variable(rho), "float64"))), shape)
        self._streams = RandomStreams(seed)
        self._draw_fn = None

    def symbolic_draw(self):
        """A new reparameterised draw (its own random stream: draws of one step are independent)."""
        z = self.mu + self._streams.normal(size=self.mu.shape) * self.sd
        return T.cast(z, self.var.dtype) if self.var.dtype != "float64" else z

    @property
    def symbolic_entropy(self):
        size = T.cast(T.prod(T.shape(self.mu)), "float64")
        return (T.log(self.sd).sum() + size * _HALF_LOG_2PI_E) * getattr(self.var, "scaling", 1.0)

    def draw(self, rng):
        """A NumPy draw (the expressions evaluated once: one minibatch per draw)."""
        if self._draw_fn is None:
            self._draw_fn = arignote.function([], [self.mu, self.sd])
        mu, sd = self._draw_fn()
        return (mu + rng.standard_normal(mu.shape) * sd).astype(self.var.dtype)


def local_groups(model, local_rv, random_seed):
    """LocalGroups of ``local_rv`` ({variable or name: (mu, rho) or {'mu': .., 'rho': ..}})."""
    if not local_rv:
        return []
    if not isinstance(local_rv, dict):
        raise TypeError(f"local_rv must be a dict {{variable: (mu, rho)}}, got {type(local_rv).__name__}")
    seeds = np.random.RandomState(random_seed).randint(2 ** 30, size=len(local_rv))
    out = []
    for seed, (var, params) in zip(seeds, local_rv.items()):
        var = model[var] if isinstance(var, str) else var
        var = getattr(var, "transformed", var)
        if var not in model.free_RVs:
            raise ValueError(f"local_rv: {var} is not a free variable of the model")
        if isinstance(params, dict):
            if set(params) != {"mu", "rho"}:
                raise ValueError(f"local_rv[{var.name}]: give the parameters 'mu' and 'rho', got {sorted(params)}")
            params = (params["mu"], params["rho"])
        if len(params) != 2:
            raise ValueError(f"local_rv[{var.name}]: expected (mu, rho), got {len(params)} values")
        out.append(LocalGroup(var, params[0], params[1], int(seed)))
    return out
