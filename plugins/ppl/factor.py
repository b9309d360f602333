"""PyMC3's ``Factor``: compiled log-probability functions of one term of a model.

Model, FreeRV, ObservedRV and TransformedRV share these: ``var.logp(point)`` is the
term's log-probability at a point dict, ``var.dlogp()`` its compiled gradient, and so on.
A variable's functions need only the free variables its term depends on.
"""
from __future__ import annotations

from .theanof import gradient, hessian


class Factor:
    """Compiled functions of ``self.logpt`` / ``self.logp_nojact`` (and ``logp_elemwiset``)."""

    def _factor_fn(self, key, build):
        cache = self.__dict__.setdefault("_factor_fns", {})
        if key not in cache:
            cache[key] = self.model._term_fn(build())
        return cache[key]

    def _factor_vars(self, vars):
        return None if vars is None else self.model._grad_vars(vars)

    def _grad_fn(self, kind, attr, vars):
        key = (kind, attr, None if vars is None else tuple(id(v) for v in self._factor_vars(vars)))
        op = gradient if kind == "d" else hessian
        return self._factor_fn(key, lambda: op(getattr(self, attr), self._factor_vars(vars)))

    @property
    def logp(self):
        """Compiled log-probability of a point dict."""
        return self._factor_fn("logp", lambda: self.logpt)

    @property
    def logp_elemwise(self):
        """Compiled elementwise log-probability of a point dict."""
        return self._factor_fn("logp_elemwise", lambda: self.logp_elemwiset)

    @property
    def logp_nojac(self):
        """Compiled log-probability without the Jacobian terms of the transforms."""
        return self._factor_fn("logp_nojac", lambda: self.logp_nojact)

    def dlogp(self, vars=None):
        """Compiled flat gradient of ``logpt`` (default: over its continuous inputs)."""
        return self._grad_fn("d", "logpt", vars)

    def d2logp(self, vars=None):
        """Compiled negative Hessian of ``logpt``."""
        return self._grad_fn("d2", "logpt", vars)

    def dlogp_nojac(self, vars=None):
        return self._grad_fn("d", "logp_nojact", vars)

    def d2logp_nojac(self, vars=None):
        return self._grad_fn("d2", "logp_nojact", vars)

    # PyMC3's ``fast*`` functions skip its point checks; arignote's are the same functions.
    fastlogp = logp
    fastlogp_nojac = logp_nojac

    def fastdlogp(self, vars=None):
        return self.dlogp(vars)

    def fastd2logp(self, vars=None):
        return self.d2logp(vars)

    def fastdlogp_nojac(self, vars=None):
        return self.dlogp_nojac(vars)

    def fastd2logp_nojac(self, vars=None):
        return self.d2logp_nojac(vars)
