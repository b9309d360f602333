"""PyMC3's graph helpers (``pymc3.theanof``) on arignote graphs: flat gradients, jacobians
and Hessians, the free inputs of a graph, and the dtype casts ``floatX``/``intX``."""
from __future__ import annotations

import numpy as np

import arignote
import arignote.tensor as T
from arignote.graph import Constant, graph_inputs
from arignote.shared import SharedVariable

from .vartypes import continuous_types, typefilter

__all__ = ["gradient", "hessian", "hessian_diag", "jacobian", "inputvars", "cont_inputs", "floatX", "intX",
           "smartfloatX", "join_nonshared_inputs", "make_shared_replacements", "CallableTensor", "generator",
           "GeneratorOp", "tt_rng", "set_tt_rng", "take_along_axis"]


def inputvars(a):
    """The free input variables of the graphs ``a`` (not constants, not shared)."""
    outs = a if isinstance(a, (list, tuple)) else [a]
    return [v for v in graph_inputs(outs) if not isinstance(v, (Constant, SharedVariable))]


def cont_inputs(f):
    """The continuous (float) free inputs of ``f``."""
    return typefilter(inputvars(f), continuous_types)


def _vars(f, vars):
    if vars is None:
        vars = cont_inputs(f)
    return list(vars) if isinstance(vars, (list, tuple)) else [vars]


def gradient(f, vars=None):
    """d f / d vars, flattened and concatenated into one vector (default: f's continuous inputs)."""
    vars = _vars(f, vars)
    if not vars:
        return T.zeros((0,))
    return T.concatenate([T.flatten(g) for g in arignote.grad(f, vars)])


def jacobian(f, vars=None):
    """d f[i] / d vars: a matrix, one row per entry of the vector ``f``, one column per flat entry of vars."""
    vars = _vars(f, vars)
    if not vars:
        return T.zeros((0, 0))
    rows = arignote.gradient.jacobian(T.flatten(f), vars)
    return T.concatenate([T.reshape(j, (j.shape[0], -1)) for j in rows], axis=1)


def hessian(f, vars=None):
    """The negative Hessian of the scalar ``f`` over the flattened vars (PyMC3's sign: a precision)."""
    return -jacobian(gradient(f, vars), vars if vars is not None else cont_inputs(f))


def hessian_diag(f, vars=None):
    """The diagonal of ``hessian(f, vars)``, as a vector."""
    return T.diagonal(hessian(f, vars))


def floatX(X):
    """``X`` cast to ``arignote.config.floatX`` (NumPy values and graphs alike)."""
    if isinstance(X, arignote.Variable):
        return T.cast(X, arignote.config.floatX)
    return np.asarray(X, dtype=arignote.config.floatX)


def _int_dtype():
    return "int32" if arignote.config.floatX == "float32" else "int64"


def intX(X):
    """``X`` cast to the integer type matching floatX (int32 beside float32, else int64)."""
    if isinstance(X, arignote.Variable):
        return T.cast(X, _int_dtype())
    return np.asarray(X, dtype=_int_dtype())


def smartfloatX(x):
    """``floatX(x)`` for floating-point values; others unchanged."""
    dtype = getattr(x, "dtype", None)
    if dtype is None:
        dtype = np.asarray(x).dtype
    return floatX(x) if str(dtype).startswith("float") else x


def join_nonshared_inputs(xs, vars, shared, make_shared=False):
    """``xs`` rewritten on one flat vector in place of ``vars``: returns (the new graphs, that
    vector).  ``vars`` are laid out in order, each flattened, as ``ArrayOrdering`` places them;
    ``shared`` maps other variables to their substitutes (e.g. shared values for the rest of a
    point).  ``make_shared=True`` makes the vector a shared variable holding the vars' test
    values, else a symbolic vector input ``inarray``."""
    from .blocking import ArrayOrdering

    if not vars:
        raise ValueError("Empty list of variables.")
    ordering = ArrayOrdering(vars)
    dtype = np.result_type(*[v.dtype for v in vars]).name  # the joined vector's dtype
    start = [np.ravel(np.asarray(v.tag.test_value)) for v in vars
             if getattr(v.tag, "test_value", None) is not None]
    if make_shared:
        if len(start) != len(vars):
            raise ValueError("make_shared=True needs a test value on every variable")
        inarray = arignote.shared(np.concatenate(start).astype(dtype), "inarray")
    else:
        inarray = T.TensorType(dtype, (False,))("inarray")
        if len(start) == len(vars):
            inarray.tag.test_value = np.concatenate(start).astype(dtype)
    by_name = {v.name: v for v in vars}
    replace = {by_name[vm.var]: T.cast(T.reshape(inarray[vm.slc], vm.shp), vm.dtyp) for vm in ordering.vmap}
    replace.update(shared)
    return [arignote.clone(x, replace, strict=False) for x in xs], inarray


def make_shared_replacements(point, vars, model=None):
    """Shared variables standing for every free variable of ``model`` other than ``vars``, holding
    their values in ``point`` ({var: shared}).  PyMC3's older ``(vars, model)`` form takes the
    values from the model's test point."""
    from .context import modelcontext

    if not isinstance(point, dict):  # make_shared_replacements(vars, model)
        point, vars, model = None, point, vars
    model = modelcontext(model)
    point = model.test_point if point is None else point
    keep = {id(v) for v in vars}
    return {v: arignote.shared(np.asarray(point[v.name]), v.name + "_shared", broadcastable=v.broadcastable)
            for v in model.vars if id(v) not in keep}


class CallableTensor:
    """A graph of one free input used as a function: ``CallableTensor(t)(x)`` is ``t`` with ``x``
    in place of that input."""

    def __init__(self, tensor):
        self.tensor = tensor

    def __call__(self, input):
        free = inputvars(self.tensor)
        if len(free) != 1:
            raise ValueError(f"CallableTensor needs a graph of exactly one free input, got {free}")
        return arignote.clone(self.tensor, {free[0]: input}, strict=False)


class GeneratorOp(arignote.Op):
    """An op with no inputs whose value is the next item of a Python generator at each call
    (then ``default`` once the generator is exhausted; StopIteration without one)."""

    constant_foldable = False

    def __init__(self, gen, default=None):
        self.set_gen(gen)
        self.set_default(default)

    def __str__(self):
        return "GeneratorOp"

    def set_gen(self, gen):
        gen = iter(gen)
        first = np.asarray(next(gen))
        self.gen, self.type = _ChainFirst(first, gen), T.TensorType(str(first.dtype), (False,) * first.ndim)

    def set_default(self, value):
        if value is None:
            self.default = None
            return
        value = np.asarray(value, dtype=self.type.dtype)
        if value.ndim != self.type.ndim:
            raise ValueError(f"GeneratorOp: the default has {value.ndim} dimension(s), the generator's values "
                             f"{self.type.ndim}")
        self.default = value

    def make_node(self):
        return arignote.Apply(self, [], [self.type()])

    def perform(self, node, inputs, output_storage):
        try:
            value = next(self.gen)
        except StopIteration:
            if self.default is None:
                raise
            value = self.default
        output_storage[0][0] = np.asarray(value, dtype=self.type.dtype)

    def __call__(self):
        return self.make_node().outputs[0]


class _ChainFirst:
    """An iterator giving ``first`` and then the rest of ``it`` (the first item fixes the type)."""

    def __init__(self, first, it):
        self.first, self.it = first, it

    def __iter__(self):
        return self

    def __next__(self):
        if self.first is not None:
            value, self.first = self.first, None
            return value
        return next(self.it)


def generator(gen, default=None):
    """A symbolic variable taking the next value of ``gen`` at each call of a compiled function."""
    return GeneratorOp(gen, default)()


_tt_rng = None


def tt_rng(random_seed=None):
    """The process-wide random stream of the variational methods, or a new one seeded ``random_seed``."""
    global _tt_rng
    from arignote.sandbox.rng_mrg import MRG_RandomStreams

    if random_seed is not None:
        return MRG_RandomStreams(random_seed)
    if _tt_rng is None:
        _tt_rng = MRG_RandomStreams()
    return _tt_rng


def set_tt_rng(new_rng):
    """Replace the process-wide random stream (an int seeds a new one)."""
    global _tt_rng
    from arignote.sandbox.rng_mrg import MRG_RandomStreams

    _tt_rng = MRG_RandomStreams(new_rng) if isinstance(new_rng, (int, np.integer)) else new_rng


def take_along_axis(arr, indices, axis=0):
    """NumPy's ``take_along_axis`` on tensors: ``arr``'s entries at ``indices`` along ``axis``."""
    arr, indices = T.as_tensor_variable(arr), T.as_tensor_variable(indices)
    if arr.ndim != indices.ndim:
        raise ValueError("`indices` and `arr` must have the same number of dimensions")
    axis = axis + arr.ndim if axis < 0 else axis
    if not 0 <= axis < arr.ndim:
        raise ValueError(f"axis {axis} is out of bounds for an array of {arr.ndim} dimension(s)")
    from arignote.tensor.sort import take_along_axis as _take

    return _take(arr, indices, axis)
