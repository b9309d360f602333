"""Stein variational gradient descent (PyMC3's ``SVGD`` and ``ASVGD``) with the RBF kernel.

Particles ``x_i`` move along ``phi(x_i) = 1/n sum_j [k(x_j, x_i) grad log p(x_j) / T +
grad_{x_j} k(x_j, x_i)]`` (Liu & Wang, 2016), the optimiser being given ``-phi`` as the
gradient.  The kernel is PyMC3's RBF with the median heuristic for its bandwidth.  The
gradients of the model's log-density at all particles come from one ``scan`` over the rows.
``ASVGD`` pushes the same direction through the draws of a parametric approximation
(full-rank Gaussian by default) into its parameters (Wang, Feng & Liu, 2016).
"""
from __future__ import annotations

import warnings

import arignote
import arignote.tensor as T
from arignote.gradient import disconnected_grad
from arignote.graph import ancestors

from ..minibatch import Minibatch
from .approximations import FullRank
from .empirical import Empirical
from .inference import Inference, model_logp_at


class RBF:
    """``X -> (K, dK)``: the RBF kernel matrix of the rows of ``X`` and the sums of its
    gradients, ``dK[i] = sum_j grad_{x_j} k(x_j, x_i)``; the bandwidth is
    ``h = median(squared distances) / (2 log(n + 1))``."""

    def __call__(self, X):
        XY = T.dot(X, X.T)
        x2 = T.sum(X ** 2, axis=1).dimshuffle(0, "x")
        H = x2 + x2.T - 2.0 * XY
        V = T.sort(T.flatten(H))
        length = V.shape[0]
        half = length // 2
        m = T.switch(T.eq(length % 2, 0), T.mean(V[half - 1: half + 1]), V[half])
        n = T.cast(H.shape[0], "float64")
        h = T.maximum(0.5 * m / T.log(n + 1.0), 1e-300)  # all particles equal: no repulsion, no NaN
        Kxy = T.exp(-H / h / 2.0)
        dxkxy = (-T.dot(Kxy, X) + X * T.sum(Kxy, axis=-1, keepdims=True)) / h
        return Kxy, dxkxy


rbf = RBF()


def batched_dlogp(approx, X):
    """The gradient of the model's log-density at every row of ``X`` (one scan over the rows).

    Minibatches are drawn once, outside the loop, so that every row sees the same batch."""
    batches = [v for v in ancestors([approx.model.logpt]) if isinstance(v, Minibatch)]

    def body(z, *drawn):
        return T.grad(model_logp_at(approx, z, dict(zip(batches, drawn))), z)

    grads, _ = arignote.scan(body, sequences=[X], non_sequences=batches)
    return grads


def stein_direction(approx, X, kernel=rbf, temperature=1.0):
    """``phi`` at every row of ``X``: the direction that decreases the KL divergence fastest."""
    Kxy, dxkxy = kernel(X)
    n = T.cast(X.shape[0], "float64")
    return (T.dot(Kxy, batched_dlogp(approx, X)) / temperature + dxkxy) / n


class ImplicitGradient(Inference):
    """Kernel-based (Stein) gradients for ``approx``: Empirical particles move themselves, a
    parametric approximation moves its parameters along its draws (``ASVGD``)."""

    returns_loss = False

    def __init__(self, approx, kernel=rbf, temperature=1, random_seed=None):
        super().__init__(random_seed=random_seed, approx=approx)
        self.kernel = kernel
        self.temperature = float(temperature)

    def _objective(self, eps, n_mc, params):
        if isinstance(self.approx, Empirical):
            if len(params) != 1:
                raise NotImplementedError("SVGD: more_obj_params are not provided")
            return None, [-stein_direction(self.approx, self.approx.histogram, self.kernel, self.temperature)]
        Z = self.approx.symbolic_sample(eps)
        phi = disconnected_grad(stein_direction(self.approx, Z, self.kernel, self.temperature))
        return None, T.grad(-T.sum(Z * phi), params, disconnected_inputs="ignore")


class SVGD(ImplicitGradient):
    """Stein Variational Gradient Descent: ``n_particles`` particles (an ``Empirical``) started
    at ``start`` plus normal noise of sd ``jitter``; higher ``temperature`` widens the estimate."""

    def __init__(self, n_particles=100, jitter=1, model=None, start=None, random_seed=None,
                 kernel=rbf, temperature=1, local_rv=None):
        if local_rv is not None:
            raise NotImplementedError("SVGD does not support local groups")
        empirical = Empirical(size=n_particles, jitter=jitter, start=start, model=model, random_seed=random_seed)
        super().__init__(empirical, kernel, temperature, random_seed)


class ASVGD(ImplicitGradient):
    """Amortized SVGD: ``obj_n_mc`` (default 500) draws of ``approx`` (default ``FullRank``) move
    along the Stein direction and the approximation's parameters follow them.  Experimental in
    PyMC3 too: with temperature 1 the posterior variance is often underestimated."""

    default_obj_n_mc = 500

    def __init__(self, approx=None, kernel=rbf, temperature=1, model=None, random_seed=None, start=None,
                 local_rv=None):
        warnings.warn("You are using experimental inference Operator. It requires careful choice of temperature, "
                      "default is 1. Default temperature works well for low dimensional problems and for "
                      "significant `n_obj_mc`. Temperature > 1 gives more exploration power to algorithm, < 1 "
                      "leads to undesirable results. Please take it in account when looking at inference result. "
                      "Posterior variance is often **underestimated** when using temperature = 1.", stacklevel=2)
        if local_rv is not None:
            raise NotImplementedError("ASVGD: local_rv (AEVB) is not provided")
        if approx is None:
            approx = FullRank(model=model, start=start, random_seed=random_seed)
        super().__init__(approx, kernel, temperature, random_seed)
