"""Step-method base classes and the flat-vector log-density adaptors.

A step method works on one flat float64 vector holding its variables
(``astep(q) -> (q_new, stats_tuple)``); ``step(point)`` is PyMC3's
dict-in/dict-out form built on it.  Steps are created inside a model context
exactly as in PyMC3 (``NUTS()``, ``Metropolis(vars=[x])``), or, without a
model, from any object following the ``logp_dlogp_function`` protocol
(``logp_dlogp_func=``), which is how the samplers are tested on NumPy
targets.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

__all__ = ["Competence", "SamplingError", "BlockedStep", "ArrayStep", "PointLogp", "resolve_vars",
           "DISCRETE_KINDS"]

DISCRETE_KINDS = "iub"


class SamplingError(RuntimeError):
    """Sampling cannot go on (e.g. a non-finite log-density at the start)."""


class Competence(IntEnum):
    """How well a step method suits a variable (PyMC3's scale)."""

    INCOMPATIBLE = 0
    COMPATIBLE = 1
    PREFERRED = 2
    IDEAL = 3


def _modelcontext(model):
    from arignote.ppl import modelcontext  # late: arignote.ppl imports the samplers

    return modelcontext(model)


def _describe(var) -> str:
    return repr(getattr(var, "name", var))


def resolve_vars(model, vars) -> list:
    """The model's free variables named by ``vars`` (variables or names).

    An untransformed variable (``sigma``) stands for its free, transformed
    counterpart (``sigma_log__``), as in PyMC3."""
    if vars is None:
        return list(model.free_RVs)
    if not isinstance(vars, (list, tuple)):
        vars = [vars]
    free = {v.name: v for v in model.free_RVs}
    out = []
    for var in vars:
        name = var if isinstance(var, str) else getattr(var, "name", None)
        found = free.get(name)
        if found is not None and (isinstance(var, str) or found is var
                                  or getattr(var, "model", model) is model):
            out.append(found)
            continue
        prefixed = [v for n, v in free.items() if name and n.startswith(name + "_") and n.endswith("__")]
        if len(prefixed) == 1:
            out.append(prefixed[0])
            continue
        raise ValueError(
            f"variable {_describe(var)} given to the step method is not a free random "
            f"variable of the model (its free variables are {sorted(free)})")
    if len({v.name for v in out}) != len(out):
        raise ValueError(f"a variable is given twice: {[v.name for v in out]}")
    return out


def _rebuild(cls):
    return object.__new__(cls)


class BlockedStep:
    """A step method over a block of variables (PyMC3's ``BlockedStep``).

    ``default_blocked = False`` classes given several variables become a
    CompoundStep of one step per variable, as in PyMC3."""

    generates_stats = False
    stats_dtypes: list = []
    default_blocked = True
    name = "step"

    def __new__(cls, *args, **kwargs):
        if kwargs.get("logp_dlogp_func") is not None:
            return super().__new__(cls)
        blocked = kwargs.get("blocked")
        if blocked is None:
            blocked = cls.default_blocked
        model = _modelcontext(kwargs.get("model"))
        vars = kwargs["vars"] if "vars" in kwargs else (args[0] if args else None)
        vars = resolve_vars(model, vars)
        if not vars:
            raise ValueError("No free random variables to sample.")
        if not blocked and len(vars) > 1:
            from .compound import CompoundStep

            kwargs = {k: v for k, v in kwargs.items() if k != "vars"}
            steps = []
            for var in vars:
                step = super().__new__(cls)
                step.__init__([var], *args[1:], **kwargs)
                steps.append(step)
            return CompoundStep(steps)
        return super().__new__(cls)

    def __reduce__(self):
        return (_rebuild, (type(self),), self.__dict__)

    @staticmethod
    def competence(var, has_grad):
        return Competence.INCOMPATIBLE

    @classmethod
    def _competence(cls, vars, have_grad):
        return [cls.competence(v, g) for v, g in zip(vars, have_grad)]

    def stop_tuning(self) -> None:
        if hasattr(self, "tune"):
            self.tune = False


class ArrayStep(BlockedStep):
    """A step over a flat float64 vector of its variables."""

    stat_names: tuple = ()
    needs_grad = False

    def _bind(self, vars, model, logp_dlogp_func, kwargs) -> None:
        unknown = set(kwargs) - {"blocked", "dtype", "mode", "compiler_kwargs", "proposal_dist_kwargs"}
        if unknown:
            raise TypeError(f"{type(self).__name__}() got unexpected keyword argument(s) {sorted(unknown)}")
        if logp_dlogp_func is not None:
            fn = logp_dlogp_func
            self.model = None
        else:
            model = _modelcontext(model)
            vars = resolve_vars(model, vars if vars is not None else self._default_vars(model))
            if not vars:
                raise ValueError("No free random variables to sample.")
            fn = self._make_function(model, vars)
            self.model = model
        self._fn = fn
        self.vars = list(fn.vars)
        self.size = int(fn.size)
        self.rng = np.random.default_rng()
        self._has_extras = bool(getattr(fn, "extra_vars", ()))

    def _default_vars(self, model):
        return model.vars

    def _make_function(self, model, vars):
        if self.needs_grad:
            return model.logp_dlogp_function(vars)
        return PointLogp(model, vars)

    @property
    def stats_dtypes(self):
        return [dict(zip(self.stat_names, self.stat_types))]

    def set_rng(self, rng) -> None:
        self.rng = rng

    def reset_tuning(self, n_tune: int = 1000) -> None:
        """Start tuning afresh for ``n_tune`` warm-up draws."""
        self.tune = True

    def step(self, point):
        """PyMC3's form: a point dict in, the new point (and stats) out."""
        fn = self._fn
        if self._has_extras:
            fn.set_extra_values(point)
        q_new, stats = self.astep(np.asarray(fn.dict_to_array(point), dtype=float))
        new = dict(point)
        new.update(fn.array_to_dict(q_new))
        if self.generates_stats:
            return new, [dict(zip(self.stat_names, stats))]
        return new

    def set_point(self, point) -> np.ndarray:
        """Make the step see ``point`` (other variables included); return its own slice."""
        if self._has_extras:
            self._fn.set_extra_values(point)
        return np.asarray(self._fn.dict_to_array(point), dtype=float)


def model_point_logp(model):
    """The model's compiled log-density of a point, compiled once per model
    (``model.fastlogp`` builds ``logpt`` anew, so it would compile per step)."""
    cached = model.__dict__.get("_arignote_point_logp")
    if cached is None or cached[0] != len(model.free_RVs) + len(model.observed_RVs) + len(model.potentials):
        cached = (len(model.free_RVs) + len(model.observed_RVs) + len(model.potentials), model.fastlogp)
        model.__dict__["_arignote_point_logp"] = cached
    return cached[1]


class PointLogp:
    """``logp_dlogp_function``-like object over ``vars`` for steps without
    gradients (discrete variables included): the model's compiled log-density
    of a point, the other free variables held at ``set_extra_values``."""

    def __init__(self, model, vars):
        self.vars = list(vars)
        point = {k: np.asarray(v) for k, v in model.test_point.items()}
        self._layout = []
        start = 0
        for v in self.vars:
            value = point[v.name]
            n = int(value.size)
            self._layout.append((v.name, slice(start, start + n), value.shape, value.dtype))
            start += n
        self.size = start
        names = {v.name for v in self.vars}
        self.extra_vars = [v for v in model.free_RVs if v.name not in names]
        self._point = point
        self._logp = model_point_logp(model)
        self.initial_point = self.dict_to_array(point)

    def __call__(self, x):
        point = self._point
        for name, sl, shape, dtype in self._layout:
            point[name] = x[sl].reshape(shape).astype(dtype)
        return float(self._logp(point)), None

    def set_extra_values(self, point) -> None:
        for v in self.extra_vars:
            self._point[v.name] = np.asarray(point[v.name])

    def array_to_dict(self, x):
        return {name: x[sl].reshape(shape).astype(dtype) for name, sl, shape, dtype in self._layout}

    def dict_to_array(self, point):
        return np.concatenate([np.asarray(point[name], dtype=float).ravel()
                               for name, _sl, _s, _d in self._layout]) if self._layout else np.zeros(0)
