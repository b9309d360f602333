"""``Distribution``: PyMC3's base class of every distribution.

``Normal('x', 0, 1)`` inside a model creates and registers a random variable;
``Normal.dist(0, 1)`` makes a free-standing distribution whose ``.logp(value)``
returns a graph.  Subclasses store their parameters with ``self.param(...)``
(which checks constant values at build time) and define ``logp``, optionally
``logcdf`` and ``_random`` (NumPy draws; the random-streams generators of
arignote are not used yet: draws come from NumPy's global generator, so
``np.random.seed`` makes them reproducible).
"""
from __future__ import annotations

import numpy as np

import arignote
import arignote.tensor as T
from arignote.graph import Constant, ancestors
from arignote.shared import SharedVariable

from .. import context
from ..graph_eval import MissingValueError, evaluate


class _Unpickling:
    pass


def _floatx(x):
    if isinstance(x, (int, float, list, tuple, np.ndarray, np.number)):
        arr = np.asarray(x)
        if arr.dtype.kind in "iub" or arr.dtype.kind == "f":
            return arr.astype(arignote.config.floatX)
    return x


class Distribution:
    """Base of all distributions (see module docstring)."""

    ndim_supp = 0  # dimensions of one draw (1 for vector distributions)
    param_core_ndims = {}  # parameter -> trailing axes that index categories/components, not values

    def __new__(cls, name, *args, **kwargs):
        if name is _Unpickling:
            return object.__new__(cls)
        model = context.current(error_if_none=False)
        if model is None:
            raise TypeError(context.NO_MODEL)
        if not isinstance(name, str):
            raise TypeError(f"Name needs to be a string but got: {name}")
        data = kwargs.pop("observed", None)
        total_size = kwargs.pop("total_size", None)
        dims = kwargs.pop("dims", None)
        if dims is not None and kwargs.get("shape") is None and data is None:
            kwargs["shape"] = model.shape_from_dims(dims)
        if isinstance(data, dict) and not hasattr(data, "to_numpy"):
            raise TypeError(f"observed of {name!r} is a dict; only DensityDist takes several observed arrays")
        dist = cls.dist(*args, **kwargs)
        return model.Var(name, dist, data, total_size, dims=dims)

    def __getnewargs__(self):
        return (_Unpickling,)

    @classmethod
    def dist(cls, *args, **kwargs):
        """A distribution outside any model (its ``logp`` gives graphs)."""
        d = object.__new__(cls)
        d.__init__(*args, **kwargs)
        return d

    def __init__(self, shape=None, dtype=None, testval=None, defaults=(), transform=None,
                 broadcastable=None, dims=None, initval=None, size=None):
        if shape is None and size is not None:
            shape = size
        self.shape_given = shape is not None and shape != ()
        if shape is None:
            shape = self._default_shape()
        shape = tuple(int(s) for s in np.atleast_1d(shape)) if np.ndim(shape) else ((int(shape),) if not isinstance(shape, tuple) else ())
        if any(s < 0 for s in shape):
            raise ValueError(f"{type(self).__name__}: shape {shape} has a negative size")
        self.shape = shape
        self.dtype = dtype or arignote.config.floatX
        self.type = T.TensorType(self.dtype, shape=shape)
        self.testval = testval if testval is not None else initval
        self.defaults = defaults
        self.transform = transform
        if not hasattr(self, "_params"):
            self._params = {}

    def _default_shape(self):
        return ()

    # ---------------------------------------------------------- parameters
    def param(self, name, value, *checks, dtype=None):
        """Store parameter ``name`` as a tensor, checking constant values.

        Each check is ``(predicate on a NumPy array, message)``: a constant
        value failing it raises ValueError naming the distribution and parameter.
        """
        if not hasattr(self, "_params"):
            self._params = {}
        if isinstance(value, str):
            raise TypeError(f"{type(self).__name__}: parameter {name!r} must be numeric, got the string {value!r}")
        if dtype is None:
            value = _floatx(value)
        t = T.as_tensor_variable(value) if dtype is None else T.cast(T.as_tensor_variable(value), dtype)
        const = _constant_value(t)
        if const is not None:
            if not np.issubdtype(const.dtype, np.number) and const.dtype != bool:
                raise TypeError(f"{type(self).__name__}: parameter {name!r} must be numeric, got {const.dtype}")
            for pred, msg in checks:
                with np.errstate(invalid="ignore"):
                    ok = np.all(pred(const))
                if not ok:
                    raise ValueError(f"{type(self).__name__}: parameter {name!r} {msg}, got {_show(const)}")
        self._params[name] = t
        setattr(self, name, t)
        return t

    def param_items(self):
        return list(getattr(self, "_params", {}).items())

    # ---------------------------------------------------------- test value
    def default(self):
        """The starting value: ``testval`` or the first finite of the ``defaults`` statistics."""
        val = self.testval
        if val is None:
            for stat in self.defaults:
                try:
                    v = getattr(self, stat)
                    v = np.asarray(_at_test_values(v) if isinstance(v, arignote.Variable) else v)
                except Exception:
                    continue
                if np.all(np.isfinite(v)):
                    val = v
                    break
            else:
                raise AttributeError(
                    f"{type(self).__name__}: cannot pick a starting value from {self.defaults}; pass testval=")
        elif isinstance(val, arignote.Variable):
            val = _at_test_values(val)
        val = np.asarray(val)
        if self.dtype.startswith(("int", "uint")) and val.dtype.kind == "f":
            val = np.floor(val)
        try:
            val = np.broadcast_to(val, self.shape).astype(self.dtype)
        except ValueError:
            raise ValueError(f"{type(self).__name__}: starting value of shape {val.shape} does not fit "
                             f"shape={self.shape}") from None
        return np.array(val)

    def get_test_val(self, val, defaults):
        return self.default()

    # ------------------------------------------------------------ densities
    def logp(self, value):
        raise NotImplementedError(f"{type(self).__name__} has no logp")

    def logp_nojac(self, value):
        return self.logp(value)

    def logcdf(self, value):
        raise NotImplementedError(f"{type(self).__name__} has no closed-form logcdf")

    def logp_sum(self, value):
        return T.sum(self.logp(value))

    # ---------------------------------------------------------------- draws
    def random(self, point=None, size=None):
        """NumPy draws of shape ``size + shape`` with parameter values taken from ``point``."""
        values = draw_values([p for _, p in self.param_items()], point=point)
        params = dict(zip([n for n, _ in self.param_items()], values))
        base = _broadcast_shape(self._draw_shape(values), *[np.shape(v) for v in values], supp=self.ndim_supp)
        size = () if size is None else tuple(np.atleast_1d(size).astype(int))
        return self._random(params, size + base)

    def _draw_shape(self, values):
        """The shape draws take: the distribution's, unless it was only copied from observed
        data and the parameters now have another length (``set_data`` for out-of-sample
        predictions, as PyMC3 3.x drew at the parameters' shape)."""
        if getattr(self, "shape_from_data", False) and self.ndim_supp == 0:
            params = _broadcast_shape((), *[np.shape(v) for v in values], supp=0)
            if len(params) == len(self.shape) and params != tuple(self.shape):
                return params
        return self.shape

    def _random(self, params, shape):
        raise NotImplementedError(f"{type(self).__name__} has no random draws")

    def _repr_latex_(self, name=None, dist=None):
        args = ", ".join(self._params)
        return f"$\\text{{{type(self).__name__}}}({args})$"

    def __repr__(self):
        return f"<{type(self).__name__}>"


class Continuous(Distribution):
    def __init__(self, shape=None, dtype=None, defaults=("median", "mean", "mode"), *args, **kwargs):
        if dtype is None:
            dtype = arignote.config.floatX
        super().__init__(shape, dtype, defaults=defaults, *args, **kwargs)


class Discrete(Distribution):
    def __init__(self, shape=None, dtype=None, defaults=("mode",), *args, **kwargs):
        if dtype is None:
            dtype = "int64"
        super().__init__(shape, dtype, defaults=defaults, *args, **kwargs)


class NoDistribution(Distribution):
    def logp(self, value):
        return T.zeros_like(value, dtype="float64")


def _show(arr):
    return arr.item() if arr.size == 1 else arr


def _constant_value(t):
    if isinstance(t, Constant):
        return np.asarray(t.data)
    if t.owner is not None and all(isinstance(a, Constant) for a in ancestors([t]) if a.owner is None):
        try:
            return np.asarray(evaluate(t))
        except Exception:
            return None
    return None


def _broadcast_shape(shape, *shapes, supp=0):
    try:
        return tuple(np.broadcast_shapes(tuple(shape), *[s[: len(s) - supp] if supp else s for s in shapes]))
    except ValueError:
        return tuple(shape)


def _at_test_values(expr):
    """Value of ``expr`` with each model variable at its test value."""
    given = {}
    for a in ancestors([expr]):
        tv = getattr(a.tag, "test_value", None) if a.owner is None and not isinstance(a, (Constant, SharedVariable)) else None
        if tv is not None:
            given[a] = tv
    return evaluate(expr, given)


def draw_values(params, point=None, size=None):
    """NumPy values of ``params`` (graphs); model variables take their values from ``point``.

    A model variable missing from ``point`` is drawn from its distribution first.
    """
    point = point or {}
    given = {}
    named = []
    for a in ancestors(list(params), blockers=None):
        if getattr(a, "name", None) in point and hasattr(a, "model"):
            given[a] = np.asarray(point[a.name])
        elif hasattr(a, "distribution") and a.owner is None:
            named.append(a)
    # cut the graph at the values given by name (a deterministic or transformed variable in point)
    for _ in range(100):
        try:
            return [np.asarray(v) for v in evaluate(list(params), given)]
        except MissingValueError as e:
            var = e.var
            dist = getattr(var, "distribution", None)
            if dist is None:
                raise
            given[var] = np.asarray(dist.random(point={**point, **{k.name: v for k, v in given.items() if k.name}}))
    raise RuntimeError("draw_values: too many nested draws")


def TensorType(dtype, shape, broadcastable=None):
    """The tensor type of a value of ``dtype`` and static ``shape`` (PyMC3's helper)."""
    return T.TensorType(dtype, shape=tuple(int(s) for s in np.atleast_1d(shape)) if np.ndim(shape) or shape != () else ())
