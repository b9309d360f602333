"""``Model``: the container of random variables and their joint log-density.

Variables register themselves with the innermost model of the ``with`` block
when they are created.  A transformed variable (``sigma`` under a log
transform) is sampled as ``sigma_log__`` (in ``free_RVs``) and ``sigma``
itself is a deterministic of it, as in PyMC3.
"""
from __future__ import annotations

import warnings

import numpy as np

import arignote
import arignote.tensor as T
from arignote.shared import SharedVariable

from . import context
from .context import modelcontext
from .data import as_observed
from .graph_eval import evaluate
from .model_fn import LogpDlogpFunction, PointFunc, ValueGradFunction  # noqa: F401  (pm.model.ValueGradFunction)
from .exceptions import ImputationWarning
from .minibatch import check_total_size, get_scaling
from .factor import Factor
from .variables import FreeRV, MultiObservedRV, ObservedRV, PointGraph, TransformedRV, retype

_CONTINUOUS = ("float16", "float32", "float64")


class Model(Factor):
    """A probabilistic model: ``with Model() as m: x = Normal('x', 0, 1)``.

    ``name`` prefixes the names of the variables it holds (``name_x``); a model
    created inside another one registers its variables with its parents too.
    """

    def __init__(self, name="", model=None, theano_config=None, coords=None, check_bounds=True):
        self.parent = model if model is not None else context.current(error_if_none=False)
        self.coords = {}
        self.RV_dims = {}  # variable name -> its named dimensions (for InferenceData)
        self.add_coords(coords or {})
        self.name = self.parent.name_for(name) if (self.parent is not None and name) else name
        self.theano_config = dict(theano_config or {})
        self.check_bounds = check_bounds
        self.named_vars = {}
        self.free_RVs = []
        self.observed_RVs = []
        self.deterministics = []
        self.potentials = []
        self.missing_values = []
        self._fn_cache = {}

    # ------------------------------------------------------------- context
    def __enter__(self):
        context.stack().append(self)
        return self

    def __exit__(self, *exc):
        context.stack().pop()

    @classmethod
    def get_context(cls, error_if_none=True):
        """The model of the innermost ``with`` block (TypeError when there is none)."""
        return context.current(error_if_none)

    @property
    def model(self):
        return self

    @property
    def isroot(self):
        return self.parent is None

    @property
    def root(self):
        m = self
        while m.parent is not None:
            m = m.parent
        return m

    def name_for(self, name):
        """The full name of a variable called ``name`` in this model."""
        if self.name and not name.startswith(self.name + "_"):
            return f"{self.name}_{name}"
        return name

    def name_of(self, name):
        """``name`` without this model's prefix."""
        p = self.name + "_"
        return name[len(p):] if self.name and name.startswith(p) else name

    def add_coord(self, name, values=None, length=None):
        """Name a dimension (``dims=`` of a variable) with its coordinate values."""
        if values is None:
            values = range(int(length))
        self.coords[name] = list(values)

    def add_coords(self, coords):
        for k, v in coords.items():
            self.add_coord(k, v)

    def shape_from_dims(self, dims):
        dims = (dims,) if isinstance(dims, str) else tuple(dims)
        missing = [d for d in dims if d not in self.coords]
        if missing:
            raise ValueError(f"dims {missing} have no coords in the model; pass coords= to Model()")
        return tuple(len(self.coords[d]) for d in dims)

    # ------------------------------------------------------- registration
    def _chain(self):
        m = self
        while m is not None:
            yield m
            m = m.parent

    def add_random_variable(self, var, kind=None):
        """Register ``var`` (named) in this model and its parents, in list ``kind`` if given."""
        if var.name is None:
            raise ValueError("a model variable needs a name")
        for m in self._chain():
            if var.name in m.named_vars:
                raise ValueError(f"Variable name {var.name} already exists.")
        for m in self._chain():
            m.named_vars[var.name] = var
            if kind is not None:
                getattr(m, kind).append(var)
            m._fn_cache.clear()
        if not hasattr(var, "model"):
            var.model = self
        return var

    def _check_name(self, name):
        for m in self._chain():
            if name in m.named_vars:
                raise ValueError(f"Variable name {name} already exists.")

    def Var(self, name, dist, data=None, total_size=None, dims=None):
        """Create and register a random variable called ``name`` with distribution ``dist``."""
        name = self.name_for(name)
        self._check_name(name)
        self._record_dims(name, dims)
        check_total_size(total_size)
        if data is None:
            if getattr(dist, "transform", None) is None:
                return self._free(name, dist, total_size)
            return self._transformed(name, dist, total_size)
        return self._observed(name, dist, data, total_size)

    def _record_dims(self, name, dims):
        if dims is not None:
            self.RV_dims[name] = (dims,) if isinstance(dims, str) else tuple(dims)

    def _free(self, name, dist, total_size=None):
        var = FreeRV(T.TensorType(dist.dtype, shape=dist.shape), None, None, name)
        var.distribution = dist
        var.model = self
        var.tag.test_value = dist.default()
        var.logp_elemwiset = dist.logp(var)
        var.logp_nojac_elemwiset = dist.logp_nojac(var)
        _set_logp_terms(var, var, total_size)
        return self.add_random_variable(var, "free_RVs")

    def _transformed(self, name, dist, total_size=None):
        tr = dist.transform
        tdist = tr.apply(dist)
        inner = self._free(f"{name}_{tr.name}__", tdist, total_size)
        var = retype(T.identity(tr.backward(inner)), TransformedRV)
        var.name = name
        var.distribution = dist
        var.transformation = tr
        var.transformed = inner
        var.model = self
        var.tag.test_value = np.asarray(dist.default(), dtype=dist.dtype)
        for attr in ("total_size", "scaling", "logpt", "logp_nojact", "logp_elemwiset", "logp_nojac_elemwiset"):
            setattr(var, attr, getattr(inner, attr))  # the term of its free variable, Jacobian included
        return self.add_random_variable(var, "deterministics")

    def _observed(self, name, dist, data, total_size=None):
        value, arr, mask = as_observed(data, dist, name)
        missing = None
        if mask is not None:  # missing entries become a free variable, imputed by the samplers
            missing, value = self._missing(name, dist, value, arr, mask)
        if not dist.shape_given and None not in value.type.shape:
            dist.shape = tuple(int(s) for s in value.type.shape)  # draws for predictive checks look like the data
            dist.shape_from_data = True
        var = retype(T.identity(value), ObservedRV)
        var.name = name
        var.distribution = dist
        var.observations = arr if arr is not None else value
        var.data = value
        var.model = self
        var.logp_elemwiset = dist.logp(value)
        var.logp_nojac_elemwiset = var.logp_elemwiset
        _set_logp_terms(var, value, total_size)
        var.missing_values = [missing] if missing is not None else []
        return self.add_random_variable(var, "observed_RVs")

    def _missing(self, name, dist, value, arr, mask):
        """A free variable ``name_missing`` for the masked entries and the data with it filled in."""
        from .distributions.base import NoDistribution

        warnings.warn(f"Data in {name} contains missing values and will be automatically imputed from "
                      "the sampling distribution.", ImputationWarning, stacklevel=4)
        idx = np.flatnonzero(mask)
        fake = NoDistribution.dist(shape=(len(idx),), dtype=dist.dtype, testval=_missing_start(dist, arr.shape, idx))
        fake.parent_dist = dist
        missing = self._free(f"{name}_missing", fake)
        self.missing_values.append(missing)
        filled = T.set_subtensor(T.flatten(value)[idx], missing)
        return missing, (T.reshape(filled, arr.shape) if arr.ndim != 1 else filled)

    def _multi_observed(self, name, dist, data, total_size=None):
        """A DensityDist observed through several named arrays (``observed={'a': ..., 'b': ...}``)."""
        name = self.name_for(name)
        self._check_name(name)
        check_total_size(total_size)
        values = {k: (v if isinstance(v, arignote.Variable) else T.as_tensor_variable(np.asarray(v)))
                  for k, v in data.items()}
        lp = dist.logp(**values)
        var = retype(T.identity(T.as_tensor_variable(lp)), MultiObservedRV)
        var.name = name
        var.distribution = dist
        var.data = values
        var.observations = data
        var.model = self
        var.logp_elemwiset = var.logp_nojac_elemwiset = T.as_tensor_variable(lp)
        _set_logp_terms(var, var.logp_elemwiset, total_size)  # scaled along the density's own axes
        return self.add_random_variable(var, "observed_RVs")

    def __getstate__(self):
        d = self.__dict__.copy()
        d["_fn_cache"] = {}
        return d

    # ------------------------------------------------------------ contents
    @property
    def vars(self):
        return self.free_RVs

    @property
    def basic_RVs(self):
        return self.free_RVs + self.observed_RVs

    @property
    def unobserved_RVs(self):
        return self.free_RVs + self.deterministics

    @property
    def cont_vars(self):
        return [v for v in self.free_RVs if v.dtype in _CONTINUOUS]

    @property
    def disc_vars(self):
        return [v for v in self.free_RVs if v.dtype not in _CONTINUOUS]

    @property
    def test_point(self):
        """Starting values: transformed name -> NumPy array, in ``free_RVs`` order."""
        return {v.name: np.array(v.tag.test_value) for v in self.free_RVs}

    @property
    def initial_point(self):
        """``test_point``; also callable, as PyMC >= 4's ``model.initial_point()``."""
        return _CallablePoint(self.test_point)

    @property
    def prefix(self):
        """The prefix of this model's variable names (``'name_'``, or ``''`` without a name)."""
        return f"{self.name}_" if self.name else ""

    @property
    def size(self):
        """Number of scalar entries of the free variables (same as ``ndim``)."""
        return self.ndim

    @property
    def bijection(self):
        """A ``DictToArrayBijection`` between points and flat arrays over ``vars``."""
        from .blocking import ArrayOrdering, DictToArrayBijection

        return DictToArrayBijection(ArrayOrdering(self.vars), self.test_point)

    def dict_to_array(self, point):
        """A point dict as one flat array over ``vars`` (in ``vars`` order)."""
        return self.bijection.map(point)

    def flatten(self, vars=None, order=None, inputvar=None):
        """One flat vector standing for ``vars``: ``FlatView(input, replacements, view)``.

        ``replacements`` maps each variable to its reshaped slice of ``input`` (use it as
        ``givens=`` of ``arignote.function``); ``view`` maps names to ``VarMap(var, slc, shp, dtyp)``.
        """
        from .flat_view import flatten

        return flatten(self.vars if vars is None else list(vars), order, inputvar)

    def update_start_vals(self, a, b):
        """Fill ``a`` with the entries of ``b`` it lacks; a value of a transformed variable given
        on its own scale also fills in the value of its free (transformed) variable."""
        for name, value in b.items():
            a.setdefault(name, value)
        for name in list(a):
            var = self.named_vars.get(name)
            inner = getattr(var, "transformed", None)
            if inner is not None and inner.name not in a:
                a[inner.name] = np.asarray(var.transformation.forward_val(np.asarray(a[name]), point=a))
        return a

    def profile(self, outs, n=1000, point=None, profile=True, *args, **kwargs):
        """Time ``n`` calls of the compiled ``outs`` at ``point`` (default the test point)."""
        from .profiling import ModelProfile

        return ModelProfile.run(self.fn(outs), self.test_point if point is None else point, n)

    @property
    def ndim(self):
        return int(sum(np.prod(v.type.shape, dtype=int) for v in self.free_RVs))

    @property
    def shared_data(self):
        return {n: v for n, v in self.named_vars.items() if isinstance(v, SharedVariable)}

    def __getitem__(self, key):
        try:
            return self.named_vars[key]
        except KeyError:
            return self.named_vars[self.name_for(key)]

    def __contains__(self, key):
        return key in self.named_vars or self.name_for(key) in self.named_vars

    def __iter__(self):
        return iter(self.named_vars)

    # ---------------------------------------------------------- log-density
    def _total(self, factors, name):
        terms = [f if getattr(f, "ndim", 0) == 0 else T.sum(f) for f in map(T.as_tensor_variable, factors)]
        lp = T.add(*terms) if len(terms) > 1 else (terms[0] if terms else T.constant(0.0))
        lp = T.cast(lp, "float64") if lp.dtype != "float64" else lp
        lp.name = name + (f"_{self.name}" if self.name else "")
        return lp

    @property
    def logpt(self):
        """Symbolic joint log-density: every variable's term, the Jacobians and the potentials."""
        return self._total([v.logpt for v in self.basic_RVs] + self.potentials, "__logp")

    @property
    def logp_nojact(self):
        """``logpt`` without the Jacobian terms of the transforms."""
        return self._total([v.logp_nojact for v in self.basic_RVs] + self.potentials, "__logp_nojac")

    @property
    def varlogpt(self):
        """Symbolic log-density of the free variables (the priors)."""
        return self._total([v.logpt for v in self.free_RVs], "__varlogp")

    @property
    def datalogpt(self):
        """Symbolic log-likelihood of the observed variables plus the potentials."""
        return self._total([v.logpt for v in self.observed_RVs] + self.potentials, "__datalogp")

    @property
    def observedlogpt(self):
        return self._total([v.logpt for v in self.observed_RVs], "__observedlogp")

    @property
    def potentialslogpt(self):
        return self._total(self.potentials, "__potentialslogp")

    def dlogpt(self, vars=None):
        """Symbolic gradient of ``logpt`` with respect to ``vars`` (default continuous), flattened."""
        return _flat_grad(self.logpt, self._grad_vars(vars))

    def _grad_vars(self, vars):
        if vars is None:
            return list(self.cont_vars)
        vars = list(vars) if isinstance(vars, (list, tuple)) else [vars]
        vars = [self[v] if isinstance(v, str) else v for v in vars]
        return [getattr(v, "transformed", v) for v in vars]  # a transformed variable moves in its own space

    @property
    def logp(self):
        """Compiled log-density of a point dict; ``model.logp()`` without a point gives the graph."""
        return _LogpAccessor(self)

    def dlogp(self, vars=None, jacobian=True):
        """Gradient of the log-density, flat over ``vars`` (default: the continuous variables).

        The result is the graph (PyMC >= 4) and is also callable on a point dict (PyMC3's
        compiled ``model.dlogp()(point)``).
        """
        g = self.dlogpt(vars) if jacobian else _flat_grad(self.logp_nojact, self._grad_vars(vars))
        g = retype(g, PointGraph)
        g.model = self
        return g

    def d2logp(self, vars=None):
        """Compiled negative Hessian of ``logpt`` over the flattened ``vars`` (PyMC3's sign: a precision)."""
        from .theanof import hessian

        return self.fn(hessian(self.logpt, self._grad_vars(vars)))

    @property
    def logp_nojac(self):
        """Compiled ``logp_nojact`` of a point dict."""
        return self.fn(self.logp_nojact)

    def d2logp_nojac(self, vars=None):
        from .theanof import hessian

        return self.fn(hessian(self.logp_nojact, self._grad_vars(vars)))

    def fastd2logp(self, vars=None):
        return self.d2logp(vars)

    def fastd2logp_nojac(self, vars=None):
        return self.d2logp_nojac(vars)

    def _term_fn(self, out):
        """A compiled function of a point dict needing only the free variables ``out`` uses."""
        from .theanof import inputvars

        used = {id(v) for v in inputvars(out)}
        return PointFunc([v for v in self.free_RVs if id(v) in used], out)

    def compile_logp(self, vars=None, jacobian=True, sum=True):
        """Compiled log-density of a point dict (a sum, or per-variable terms when ``sum=False``)."""
        return self.fn(self._logp_graph(vars, jacobian, sum))

    def compile_dlogp(self, vars=None):
        return self.dlogp(vars)

    def _logp_graph(self, vars=None, jacobian=True, sum=True):
        rvs = self.basic_RVs if vars is None else self._grad_vars(vars)
        attr = "logpt" if jacobian else "logp_nojact"
        terms = [getattr(v, attr) for v in rvs]
        if vars is None:
            terms += self.potentials
        if not sum:
            return terms
        return self._total(terms, "__logp" if jacobian else "__logp_nojac")

    @property
    def fastlogp(self):
        return self.fastfn(self.logpt)

    @property
    def fastlogp_nojac(self):
        return self.fastfn(self.logp_nojact)

    def fastdlogp(self, vars=None):
        return self.fastfn(self.dlogpt(vars))

    def fastdlogp_nojac(self, vars=None):
        return self.fastfn(_flat_grad(self.logp_nojact, self._grad_vars(vars)))

    def fn(self, outs, mode=None, backend=None):
        """A compiled function of a point dict (extra keys ignored) giving ``outs``."""
        return self._point_func(outs, backend)

    fastfn = fn
    makefn = fn

    def _point_func(self, outs, backend=None):
        key = (tuple(id(o) for o in outs) if isinstance(outs, (list, tuple)) else id(outs), backend)
        hit = self._fn_cache.get(key)
        if hit is None or hit.outs is not outs:
            hit = self._fn_cache[key] = PointFunc(self.free_RVs, outs, backend=backend)
        return hit

    def logp_dlogp_function(self, vars=None, grad_vars=None, backend=None, **kwargs):
        """The sampler's hot path: ``f(x) -> (logp, grad)`` over one flat float64 vector.

        ``vars`` (PyMC3 3.x calls it ``grad_vars``) defaults to the continuous free variables;
        the other free variables are held at values set with ``f.set_extra_values(point)``.
        """
        vars = self._grad_vars(vars if vars is not None else grad_vars)
        return LogpDlogpFunction(self, vars, backend=backend, **kwargs)

    def point_logps(self, point=None, round_vals=2):
        """Log-density of each variable at ``point`` (default the test point), rounded."""
        point = self.test_point if point is None else point
        given = {v: np.asarray(point[v.name]) for v in self.free_RVs if v.name in point}
        vals = evaluate([v.logpt for v in self.basic_RVs], given)
        return {v.name: np.round(float(x), round_vals) for v, x in zip(self.basic_RVs, vals)}

    def check_test_point(self, test_point=None, round_vals=2):
        """``point_logps`` as a pandas Series (PyMC3's check of the starting point)."""
        import pandas as pd

        return pd.Series(self.point_logps(test_point, round_vals), name="Log-probability of test_point")

    def __str__(self):
        """PyMC3 3.11's listing: unobserved then observed variables, one a line, aligned on ``~``."""
        rows = [(v.name, type(v.distribution).__name__ if hasattr(v, "distribution") else "Deterministic")
                for v in self.unobserved_RVs + self.observed_RVs]
        if not rows:
            return "<empty Model>"
        width = max(len(n) for n, _ in rows)
        return "\n".join(f"{n:>{width}} ~ {d}" for n, d in rows)

    __repr__ = __str__

    def _repr_latex_(self):
        rows = [(v.name, type(v.distribution).__name__ if hasattr(v, "distribution") else "Deterministic")
                for v in self.unobserved_RVs + self.observed_RVs]
        body = "\\\\".join(rf"\text{{{n}}} &\sim & \text{{{d}}}" for n, d in rows)
        return f"$$\n\\begin{{array}}{{rcl}}\n{body}\n\\end{{array}}\n$$"


def _set_logp_terms(var, value, total_size):
    """``logpt``/``logp_nojact`` of ``var``: its summed terms (kept unscaled too), times the
    minibatch scaling of ``total_size`` (1.0 without one)."""
    var.total_size = total_size
    var.logp_sum_unscaledt = T.sum(var.logp_elemwiset)
    var.logp_nojac_unscaledt = T.sum(var.logp_nojac_elemwiset)
    if total_size is None:
        var.scaling = 1.0
        var.logpt, var.logp_nojact = var.logp_sum_unscaledt, var.logp_nojac_unscaledt
    else:
        var.scaling = get_scaling(total_size, value)
        var.logpt = var.logp_sum_unscaledt * var.scaling
        var.logp_nojact = var.logp_nojac_unscaledt * var.scaling


def _missing_start(dist, shape, idx):
    """Starting values of missing entries: the distribution's first finite default statistic there."""
    from .distributions.base import _at_test_values

    for stat in dist.defaults:
        try:
            v = getattr(dist, stat)
            v = np.asarray(_at_test_values(v) if isinstance(v, arignote.Variable) else v, dtype=float)
            v = np.broadcast_to(v, shape).ravel()[idx]
        except Exception:
            continue
        if np.all(np.isfinite(v)):
            return (np.floor(v) if np.dtype(dist.dtype).kind in "iu" else v).astype(dist.dtype)
    return np.zeros(len(idx), dtype=dist.dtype)


class _CallablePoint(dict):
    def __call__(self, *args, **kwargs):
        return dict(self)


class _LogpAccessor:
    """``model.logp``: call it with a point dict for a float, or without for the graph (PyMC >= 4)."""

    def __init__(self, model):
        self._model = model

    def __call__(self, point=None, vars=None, jacobian=True, sum=True):
        m = self._model
        if isinstance(point, dict):
            return m.compile_logp(vars, jacobian, sum)(point)
        if point is not None and vars is None:
            vars = point
        return m._logp_graph(vars, jacobian, sum)


def _flat_grad(cost, vars):
    gs = T.grad(cost, vars) if vars else []
    return T.concatenate([T.flatten(g) for g in gs]) if gs else T.zeros((0,))


def Potential(name, var, model=None):
    """Add ``var`` (summed) to the model's log-density under ``name``; returns ``var``."""
    model = modelcontext(model)
    var = T.as_tensor_variable(var)
    var.name = model.name_for(name)
    model._check_name(var.name)
    var.model = model
    return model.add_random_variable(var, "potentials")


def Deterministic(name, var, model=None, dims=None):
    """Record ``var`` under ``name`` so that traces keep its values; returns ``var``."""
    model = modelcontext(model)
    var = T.as_tensor_variable(var)
    var.name = model.name_for(name)
    model._check_name(var.name)
    model._record_dims(var.name, dims)
    var.model = model
    return model.add_random_variable(var, "deterministics")


def set_data(new_data, model=None):
    """Swap the values of ``Data`` containers by name without recompiling: ``set_data({'x': x2})``."""
    model = modelcontext(model)
    for name, value in new_data.items():
        var = model[name]
        if not isinstance(var, SharedVariable):
            raise TypeError(f"set_data: {name!r} is not a Data container of the model")
        var.set_value(np.asarray(value, dtype=var.dtype))


def Point(*args, **kwargs):
    """A dict of NumPy arrays (PyMC3's ``Point``), filtered to the model's variables when one is active."""
    model = modelcontext(kwargs.pop("model", None)) if context.current(False) is not None else None
    d = dict(*args, **kwargs)
    if model is None:
        return {k: np.asarray(v) for k, v in d.items()}
    return {str(k): np.asarray(v) for k, v in d.items() if str(k) in model.named_vars}


def fn(outs, mode=None, model=None, *args, **kwargs):
    """A compiled function of a point dict giving ``outs``, for the model in context (PyMC3's ``pm.fn``)."""
    return modelcontext(model).fn(outs, mode, *args, **kwargs)


fastfn = fn


def compilef(outs, mode=None, model=None):
    """PyMC3's ``compilef``: ``fn`` under its older name."""
    return modelcontext(model).fn(outs, mode)
