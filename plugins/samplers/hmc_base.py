"""What NUTS and HMC share: the momentum draw, step-size and mass-matrix
adaptation during tuning, and the cached log-density at the current point."""

from __future__ import annotations

import math
import time

import numpy as np

from .base import ArrayStep, Competence, SamplingError
from .integration import initial_leaf
from .mass_matrix import DiagMassAdapt
from .step_size import DualAverage, find_reasonable_step_size

__all__ = ["BaseHMC"]


def hessian_diag_precision(fn, point, bound=1e-8):
    """PyMC3's ``guess_scaling``: the diagonal of minus the log-density's
    Hessian at ``point`` (central differences of the gradient), bounded."""
    x = np.asarray(fn.dict_to_array(point), dtype=float)
    h = np.empty(x.size)
    for i in range(x.size):
        d = 1e-5 * max(1.0, abs(x[i]))
        up, down = x.copy(), x.copy()
        up[i] += d
        down[i] -= d
        h[i] = (fn(up)[1][i] - fn(down)[1][i]) / (2 * d)
    h = np.where(np.isfinite(h), np.abs(h), 1.0)
    return np.clip(h, bound**2, 1.0 / bound**2)


def _initial_inv_mass(scaling, is_cov, size, fn=None):
    if scaling is None:
        return None
    if isinstance(scaling, dict):  # a point: precision from the Hessian there (PyMC3)
        scaling, is_cov = hessian_diag_precision(fn, scaling), False
    s = np.asarray(scaling, dtype=float)
    if s.ndim == 2:
        s = np.diag(s)
    s = np.broadcast_to(s.ravel(), (size,)).copy()
    if np.any(s <= 0) or not np.all(np.isfinite(s)):
        raise ValueError("scaling must be positive and finite")
    return s if is_cov else 1.0 / s


class BaseHMC(ArrayStep):
    """Hamiltonian step methods on the model's continuous variables."""

    default_blocked = True
    needs_grad = True

    def __init__(self, vars=None, scaling=None, step_scale=0.25, is_cov=False, model=None,
                 blocked=True, potential=None, dtype=None, Emax=1000, target_accept=0.8,
                 gamma=0.05, k=0.75, t0=10, adapt_step_size=True, step_rand=None,
                 mass_matrix="stan", adapt_mass_matrix=None, logp_dlogp_func=None, **kwargs):
        """``scaling`` (a variance with ``is_cov=True``, else a precision; or a point, whose
        Hessian gives the precision) fixes the mass matrix, as in PyMC3, unless
        ``adapt_mass_matrix=True``: then it is the matrix the warm-up adapts from (how
        ``init='advi+adapt_diag'`` starts from the ADVI variances).  ``adapt_mass_matrix=False``
        keeps the identity (or ``scaling``) throughout."""
        self._bind(vars, model, logp_dlogp_func, kwargs)
        n = self.size
        if potential is not None:
            raise TypeError("potential= is not supported; use scaling= (a variance or precision vector)")
        initial = _initial_inv_mass(scaling, is_cov, n, self._fn)
        self._initial_inv_mass = initial
        self._mass = DiagMassAdapt(n, 1000, mass_matrix, initial)
        self._adapt_mass = initial is None if adapt_mass_matrix is None else bool(adapt_mass_matrix)
        self._set_inv_mass(self._mass.inv_mass)
        self.step_size = float(step_scale) / n ** 0.25
        self.target_accept = float(target_accept)
        self.Emax = float(Emax)
        self.adapt_step_size = bool(adapt_step_size)
        self.step_rand = step_rand
        self._dual = DualAverage(self.step_size, target_accept, gamma, k, t0)
        self.tune = bool(self.adapt_step_size or self._adapt_mass)
        self._iter = 0
        self._fresh = True
        self._q = None

    def _default_vars(self, model):
        return model.cont_vars

    @staticmethod
    def competence(var, has_grad):
        if var.dtype.startswith("float") and has_grad:
            return Competence.IDEAL
        return Competence.INCOMPATIBLE

    def _set_inv_mass(self, inv_mass) -> None:
        self.inv_mass = inv_mass
        self._p_scale = 1.0 / np.sqrt(inv_mass)

    def reset_tuning(self, n_tune: int = 1000) -> None:
        """Forget all adaptation and plan it for ``n_tune`` warm-up draws, so
        that every chain starts from the same state."""
        self._mass.inv_mass = (np.ones(self.size) if self._initial_inv_mass is None
                               else self._initial_inv_mass.copy())
        self._set_inv_mass(self._mass.inv_mass)
        self._mass.plan(n_tune)
        self._dual.restart(self.step_size)
        self.tune = n_tune > 0
        self._iter = 0
        self._fresh = True
        self._q = None

    def _initial_state(self, q):
        """(logp, grad) at a chain's starting point; SamplingError where logp is not finite."""
        logp, grad = self._fn(q)
        if not math.isfinite(logp):
            names = [v.name for v in self.vars]
            raise SamplingError(f"log-density is {logp} at the starting point of {type(self).__name__} "
                                f"over {names}: {self._fn.array_to_dict(q)}")
        return logp, grad

    def _evaluate(self, q):
        logp, grad = self._initial_state(q)
        self._q, self._logp, self._grad = q, logp, grad

    def _first_step_size(self) -> None:
        if self._mass.estimator == "grad" and self._adapt_mass and self._initial_inv_mass is None:
            self._mass.init_from_gradient(self._grad)
            self._set_inv_mass(self._mass.inv_mass)
        if self.adapt_step_size:
            eps = find_reasonable_step_size(self._fn, self._q, self._logp, self._grad,
                                            self.inv_mass, self._dual.current(True), self.rng)
            self._dual.restart(eps)
        self._fresh = False

    #: PyMC3's timing stats, last in every HMC step's stats (seconds; float64)
    TIMING_STATS = ("process_time_diff", "perf_counter_diff", "perf_counter_start")

    def astep(self, q):
        """One transition from ``q``; the stats end with the draw's CPU time (this thread's:
        chains may run in threads of one process), its wall time, and its perf_counter start."""
        wall0, cpu0 = time.perf_counter(), time.thread_time()
        q_new, stats = self._astep(q)
        return q_new, stats + (time.thread_time() - cpu0, time.perf_counter() - wall0, wall0)

    def _astep(self, q):
        if q is not self._q:
            self._evaluate(q)
        if self._fresh and self.tune:
            self._first_step_size()
        tune = self.tune
        eps = self._dual.current(tune) if self.adapt_step_size else self.step_size
        if self.step_rand is not None:
            eps = self.step_rand(eps)
        p = self.rng.standard_normal(self.size) * self._p_scale
        root = initial_leaf(self._q, p, self._logp, self._grad, self.inv_mass)
        leaf, accept, stats = self._transition(root, eps)
        if tune:
            self._adapt(leaf, accept)
        self._q, self._logp, self._grad = leaf.q, leaf.logp, leaf.grad
        return leaf.q, self._stats(stats, eps, tune, leaf)

    def _adapt(self, leaf, accept) -> None:
        """Dual averaging runs through the whole warm-up without restarting at
        mass-matrix updates (as PyMC does): restarting before Stan's 50-draw
        terminal window left the averaged step size too small (acceptance
        ~0.93 for a 0.8 target, half the ESS per gradient on the seed's models)."""
        if self.adapt_step_size:
            self._dual.update(accept)
        if self._adapt_mass and self._mass.update(self._iter, leaf.q, leaf.grad):
            self._set_inv_mass(self._mass.inv_mass)
        self._iter += 1
