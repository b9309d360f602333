"""Theano's ``theano.tensor.opt``: registering local optimizers in the rewrite phases.

``register_canonicalize(lopt)``, ``register_stabilize``, ``register_specialize`` (as functions
or decorators, optionally with extra tags or a name) make function() run the local
optimizer to a fixpoint within that phase, after arignote's own rules of the phase.
"""
from __future__ import annotations

from ..gof.opt import LocalOptimizer, local_optimizer  # noqa: F401
from ..gof.optdb import register_rewrite


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
