"""The No-U-Turn Sampler (Hoffman & Gelman 2014) with multinomial
trajectory sampling, as in Stan and PyMC3."""

from __future__ import annotations

from .base import _rebuild
from .hmc_base import BaseHMC
from .trajectory import nuts_trajectory

__all__ = ["NUTS"]


class NUTS(BaseHMC):
    """``NUTS(vars=None, max_treedepth=10, early_max_treedepth=8, **kwargs)``;
    keyword arguments as for HMC (``target_accept=0.8``, ``step_scale``,
    ``scaling``, ``is_cov``, ``Emax``, ``adapt_step_size``, ...), plus
    ``mass_matrix='stan'`` or ``'grad'`` (nutpie's gradient-based estimate).

    ``native=None`` (the default) runs whole chains in the native kernel
    (:mod:`.native`) wherever the model's log-density has a native entry, and
    the Python NUTS elsewhere; ``native=False`` forces the Python NUTS,
    ``native=True`` raises NativeEntryUnavailable where the native kernel
    cannot run.  ``native_plan().describe()`` says which runs and why."""

    name = "nuts"
    generates_stats = True
    stat_names = ("depth", "step_size", "tune", "mean_tree_accept", "step_size_bar",
                  "tree_size", "diverging", "energy_error", "energy", "max_energy_error",
                  "model_logp") + BaseHMC.TIMING_STATS
    stat_types = (int, float, bool, float, float, float, bool, float, float, float, float, float, float, float)

    def __init__(self, vars=None, max_treedepth=10, early_max_treedepth=8, native=None, **kwargs):
        if native not in (None, True, False):
            raise TypeError(f"native must be None, True or False, got {native!r}")
        if native is not False:  # the kernel's one-time build overlaps the model's compilation
            from .native.build import prefetch

            prefetch()
        self.native = native
        super().__init__(vars, **kwargs)
        self._plan = None
        self.max_treedepth = int(max_treedepth)
        self.early_max_treedepth = int(early_max_treedepth)
        if self.max_treedepth < 1:
            raise ValueError(f"max_treedepth must be at least 1, got {max_treedepth!r}")

    def _make_function(self, model, vars):
        # the native kernel needs only the model's native entry: compile just that (see
        # LogpDlogpFunction's native_first); the Python NUTS wants the ordinary function
        return model.logp_dlogp_function(vars, native_first=self.native_requested)

    @property
    def native_requested(self) -> bool:
        return self.native is not False

    def native_plan(self):
        """Whether chains of this step run in the native kernel (a NativePlan, computed once)."""
        if self._plan is None:
            from .native.kernel import native_plan

            plan = native_plan(self)
            if not plan.ok and hasattr(self._fn, "use_compiled"):
                self._fn.use_compiled()  # the Python NUTS calls the ordinary compiled function
            if self.native is True and not plan.ok:
                from arignote.native_entry import NativeEntryUnavailable

                raise NativeEntryUnavailable(f"NUTS(native=True): {plan.reason}")
            self._plan = plan
        return self._plan

    def __reduce__(self):  # the plan holds native code: a copy (another process) makes its own
        return (_rebuild, (type(self),), dict(self.__dict__, _plan=None, _stepper=None))

    # -- one iteration at a time (inside a compound step): the native kernel where it can run
    def reset_tuning(self, n_tune: int = 1000) -> None:
        super().reset_tuning(n_tune)
        self._n_tune = int(n_tune)
        self._stepper = None  # a new chain: the native one starts afresh from its first point

    def stop_tuning(self) -> None:
        super().stop_tuning()
        if getattr(self, "_stepper", None) is not None:
            self._stepper.stop_tuning()

    def _astep(self, q):
        """The native kernel's next iteration where the plan allows (the other blocks' values,
        shared inputs of the log-density, are read before each), else the Python NUTS's."""
        if not self.native_requested or not self.native_plan().ok:
            return super()._astep(q)
        stepper = getattr(self, "_stepper", None)
        if stepper is None:
            from .native.kernel import NativeStepper

            stepper = self._stepper = NativeStepper(self, self.native_plan(), q, getattr(self, "_n_tune", 1000),
                                                    self.rng)
            if not self.tune:
                stepper.stop_tuning()
        return stepper.step(self, q)

    def _transition(self, root, eps):
        depth = self.early_max_treedepth if self.tune and self._iter < 200 else self.max_treedepth
        tree = nuts_trajectory(self._fn, root, eps, self.inv_mass, self.rng,
                               min(depth, self.max_treedepth), self.Emax)
        return tree.proposal, tree.mean_accept, tree

    def _stats(self, tree, eps, tune, leaf):
        return (tree.depth, eps, tune, tree.mean_accept, self._dual.averaged, tree.n_steps,
                tree.diverging, tree.energy_error, tree.energy, tree.max_error, leaf.logp)
