"""Theano's ``theano.tensor.opt``: registering local optimizers in the rewrite phases.

``register_canonicalize(lopt)``, ``register_stabilize``, ``register_specialize`` (as functions
or decorators, optionally with extra tags or a name) make function() run the local
optimizer to a fixpoint within that phase, after arignote's own rules of the phase.
"""
from __future__ import annotations

import numpy as np

from ..gof.opt import LocalOptimizer, local_optimizer  # noqa: F401
from ..gof.optdb import register_rewrite
from ..graph import Constant


class NotScalarConstantError(Exception):
    """The variable is not known to hold one constant value."""


def get_scalar_constant_value(v, elemwise=True, max_recur=10):
    """The one value ``v`` is known to hold everywhere (a NumPy scalar), or NotScalarConstantError.

    Looks through constants whose entries are all equal, broadcasts (DimShuffle), ``fill``/
    ``second`` and ``Alloc`` of a constant, and (``elemwise=True``) elementwise ops of constants.
    """
    if isinstance(v, (int, float, complex, np.number, np.ndarray)):
        v = np.asarray(v)
        return _unique(v, v)
    if isinstance(v, Constant):
        return _unique(np.asarray(v.data), v)
    node = getattr(v, "owner", None)
    if node is None or max_recur <= 0:
        raise NotScalarConstantError(f"{v} is not a constant")
    from .elemwise import DimShuffle, Elemwise

    name = type(node.op).__name__
    if isinstance(node.op, DimShuffle) or name in ("Alloc", "Rebroadcast", "SpecifyShape"):
        return get_scalar_constant_value(node.inputs[0], elemwise, max_recur - 1)
    if isinstance(node.op, Elemwise):
        if node.op.scalar_op.name == "second":
            return get_scalar_constant_value(node.inputs[1], elemwise, max_recur - 1)
        if elemwise:
            vals = [np.asarray(get_scalar_constant_value(i, elemwise, max_recur - 1)) for i in node.inputs]
            storage = [[None] for _ in node.outputs]
            node.op.perform(node, vals, storage)
            return _unique(np.asarray(storage[v.index][0]), v)
    raise NotScalarConstantError(f"{v} is computed by {node.op}, not known to be constant")


def _unique(arr, v):
    flat = arr.ravel()
    if flat.size == 0 or not (flat == flat[0]).all():
        raise NotScalarConstantError(f"{v} does not hold a single value")
    return flat[0].copy() if arr.ndim else arr[()]


def _registrar(phase, position):
    def register(lopt=None, *tags, **kwargs):
        if isinstance(lopt, str):  # @register_canonicalize('fast_compile', ...): tags first
            all_tags = (lopt,) + tags

            def decorate(inner):
                return register(inner, *all_tags, **kwargs)

            return decorate
        if not isinstance(lopt, LocalOptimizer):
            raise TypeError(f"register_{phase} takes a local optimizer (from @local_optimizer), got {lopt!r}")
        name = kwargs.pop("name", None) or getattr(lopt, "__name__", None) or type(lopt).__name__
        register_rewrite(name, lopt, phase, position, ("fast_run", phase) + tuple(tags))
        return lopt

    register.__name__ = f"register_{phase}"
    register.__doc__ = f"Run a local optimizer in the {phase} phase of function()'s rewrites."
    return register


register_canonicalize = _registrar("canonicalize", 0.5)
register_stabilize = _registrar("stabilize", 0.5)
register_specialize = _registrar("specialize", 0.5)
register_uncanonicalize = _registrar("specialize", 0.75)
