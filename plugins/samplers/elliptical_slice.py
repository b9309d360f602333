"""Elliptical slice sampling (Murray, Adams & MacKay 2010) for variables
with a zero-mean multivariate normal prior given by its covariance or
Cholesky factor, as PyMC3 3.11's ``EllipticalSlice``.

As in PyMC3, the model's own log-density is the likelihood term: the
variables themselves should be ``Flat`` (their Gaussian prior is the one
passed here), else the prior would count twice.
"""

from __future__ import annotations

import math

import numpy as np

from .base import ArrayStep

__all__ = ["EllipticalSlice", "get_chol"]


def get_chol(cov, chol):
    """The Cholesky factor from exactly one of ``cov`` and ``chol`` (arrays or graphs)."""
    if (cov is None) == (chol is None):
        raise ValueError("Must pass exactly one of cov or chol")
    if cov is not None:
        import arignote.tensor.slinalg as slinalg
        import arignote.tensor as T

        return slinalg.cholesky(T.as_tensor_variable(cov))
    return chol


def _constant(graph):
    """``graph``'s value if it depends on no free variable, else None."""
    if isinstance(graph, np.ndarray) or not hasattr(graph, "owner"):
        return np.asarray(graph, dtype=float)
    from arignote.ppl.graph_eval import evaluate

    try:
        return np.asarray(evaluate(graph), dtype=float)
    except Exception:  # depends on model variables: evaluated at each step
        return None


class EllipticalSlice(ArrayStep):
    """``EllipticalSlice(vars=None, prior_cov=None, prior_chol=None, model=None)``.

    Never assigned automatically; ``prior_cov``/``prior_chol`` may be arrays
    or graphs of other variables (evaluated at the current point each step)."""

    name = "elliptical_slice"
    default_blocked = True
    generates_stats = False

    def __init__(self, vars=None, prior_cov=None, prior_chol=None, model=None, logp_dlogp_func=None,
                 **kwargs):
        chol = get_chol(prior_cov, prior_chol)
        self._bind(vars, model, logp_dlogp_func, kwargs)
        value = _constant(chol)
        self._chol = value
        self._chol_fn = None
        if value is None:
            if self.model is None:
                raise ValueError("EllipticalSlice: a prior covariance that depends on model variables "
                                 "needs a model (not logp_dlogp_func=)")
            self._chol_fn = self.model.fn(chol)
        else:
            self._check_chol(value)

    def _default_vars(self, model):
        return model.cont_vars

    def _check_chol(self, chol):
        if chol.shape != (self.size, self.size):
            raise ValueError(f"EllipticalSlice: the prior's Cholesky factor has shape {chol.shape}; "
                             f"the variables {[v.name for v in self.vars]} have {self.size} entries")

    def _current_chol(self):
        if self._chol_fn is None:
            return self._chol
        chol = np.asarray(self._chol_fn(self._fn._point), dtype=float)
        self._check_chol(chol)
        return chol

    def _logp(self, q):
        value = self._fn(q)[0]
        return value if value == value else -math.inf

    def astep(self, q0):
        rng = self.rng
        level = self._logp(q0) - rng.standard_exponential()
        chol = self._current_chol()
        nu = chol @ rng.standard_normal(self.size)
        theta = rng.uniform(0.0, 2.0 * math.pi)
        lo, hi = theta - 2.0 * math.pi, theta
        while True:
            q = q0 * math.cos(theta) + nu * math.sin(theta)
            if self._logp(q) > level:
                return q, ()
            if theta < 0:
                lo = theta
            else:
                hi = theta
            theta = rng.uniform(lo, hi)
