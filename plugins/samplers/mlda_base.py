"""The coarsest level of MLDA: Metropolis or DEMetropolisZ chains that the
level above restarts from its current state for every subchain, and that
record their model's quantity of interest ``Q`` (variance reduction).

All levels share one flat vector layout (the MLDA step's variables, in its
order), so a state passes between levels without conversion.
"""

from __future__ import annotations

import numpy as np

from .demetropolis import DEMetropolisZ
from .metropolis import Metropolis

__all__ = ["MetropolisMLDA", "DEMetropolisZMLDA", "RandomScan", "read_shared"]


def read_shared(model, name):
    """The current value of the model's shared variable ``name`` as a float array."""
    return np.array(model[name].get_value(), dtype=float)


class _TracksQ:
    """The model's ``Q`` at the chain's current state, kept in ``Q_last``
    when ``mlda_track_Q`` (``Q`` is set by the model's own Op while its
    log-density is evaluated, so it is read right after an evaluation)."""

    def _setup_q(self, model, track_q):
        self._q_model = model if track_q else None
        self.Q_last = np.nan

    def _note_q(self, accepted) -> None:
        if self._q_model is not None and accepted:
            self.Q_last = read_shared(self._q_model, "Q")

    def restart(self, q0):
        """Start a subchain at ``q0`` (a copy: the model may have changed since)."""
        q = np.array(q0, dtype=float)
        if self._q_model is not None:
            self._prime(q)
            self.Q_last = read_shared(self._q_model, "Q")
        return q

    def base_stats(self):
        raise NotImplementedError


class MetropolisMLDA(_TracksQ, Metropolis):
    """Metropolis as MLDA's base sampler; its tuning follows ``sample``'s
    ``tune`` (PyMC3's rule for MLDA), whatever ``tune=`` says."""

    name = "metropolis_mlda"

    def __init__(self, *args, mlda_track_Q=False, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_q(self.model, mlda_track_Q)

    def reset_tuning(self, n_tune: int = 1000) -> None:
        super().reset_tuning(n_tune)
        self.tune = n_tune > 0

    def _prime(self, q):
        self._q, self._logp = q, self._fn(q)[0]

    def astep(self, q0):
        q, stats = super().astep(q0)
        self._note_q(stats[1])
        return q, stats

    def base_stats(self):
        return (np.array(self.scaling),)


class DEMetropolisZMLDA(_TracksQ, DEMetropolisZ):
    """DEMetropolisZ as MLDA's base sampler."""

    name = "DEMetropolisZ_mlda"

    def __init__(self, *args, mlda_track_Q=False, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_q(self.model, mlda_track_Q)

    def _prime(self, q):
        self._q, self._lp = q, self._logp(q)

    def astep(self, q0):
        q, stats = super().astep(q0)
        self._note_q(stats[1])
        return q, stats

    def base_stats(self):
        return (np.array(self.scaling), float(self.lamb))


class RandomScan:
    """One Metropolis step per variable (``base_blocked=False``), in a fresh
    random order each sweep: a fixed order (PyMC3's CompoundStep) is not
    reversible, which delayed acceptance needs of its proposals."""

    def __init__(self, methods, layout_fn, held_point):
        self.methods = list(methods)
        self._fn = self._layout_fn = layout_fn
        self._held = dict(held_point)
        slices = {name: sl for name, sl, _s, _d in layout_fn._layout}
        self._idx = [np.arange(slices[m.vars[0].name].start, slices[m.vars[0].name].stop)
                     for m in self.methods]
        self.rng = np.random.default_rng()
        self.Q_last = np.nan

    @property
    def vars(self):
        return [v for m in self.methods for v in m.vars]

    def set_rng(self, rng) -> None:
        self.rng = rng
        for m in self.methods:
            m.set_rng(rng)

    def reset_tuning(self, n_tune: int = 1000) -> None:
        for m in self.methods:
            m.reset_tuning(n_tune)

    def stop_tuning(self) -> None:
        for m in self.methods:
            m.stop_tuning()

    def restart(self, q0):
        return np.array(q0, dtype=float)

    def astep(self, q0):
        q = q0
        for k in self.rng.permutation(len(self.methods)):
            m, idx = self.methods[k], self._idx[k]
            if m._has_extras:
                m._fn.set_extra_values({**self._held, **self._layout_fn.array_to_dict(q)})
            sub, _stats = m.astep(q[idx])
            q = q.copy()
            q[idx] = sub
        return q, ()

    def base_stats(self):
        return (np.array([m.scaling for m in self.methods]),)
