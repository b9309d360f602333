"""Theano-style Op methods accepted as users write them from Theano's documentation.

Theano's ``infer_shape(self, node, input_shapes)`` has no ``fgraph`` argument; arignote
calls ``infer_shape(fgraph, node, input_shapes)``.  ``Op.__init_subclass__`` wraps the
Theano form so a user's Op works unchanged.
"""
from __future__ import annotations

import functools
import inspect


def _n_positional(fn):
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return None
    if any(p.kind == p.VAR_POSITIONAL for p in params):
        return None
    return sum(1 for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))


def adapt_op_class(cls):
    """Wrap a Theano-signature ``infer_shape`` defined on ``cls``."""
    fn = cls.__dict__.get("infer_shape")
    if fn is not None and callable(fn) and _n_positional(fn) == 3:

        @functools.wraps(fn)
        def infer_shape(self, fgraph, node, input_shapes):
            return fn(self, node, input_shapes)

        infer_shape.theano_signature = True
        cls.infer_shape = infer_shape
