"""Theano-style Op methods accepted as users write them from Theano's documentation.

Theano's ``infer_shape(self, node, input_shapes)`` has no ``fgraph`` argument; arignote
calls ``infer_shape(fgraph, node, input_shapes)``.  An op with a ``params_type`` gets its
``get_params(node)`` (filtered by that type) as a fifth argument of ``perform`` (Theano's
op params).  ``Op.__init_subclass__`` adapts both, so a user's Op works unchanged.
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
    """Adapt the Theano forms: ``infer_shape(self, node, shapes)``, ``perform`` with params,
    and ``itypes``/``otypes`` class attributes standing for ``make_node``."""
    if "itypes" in cls.__dict__ and "otypes" in cls.__dict__ and "make_node" not in cls.__dict__:
        cls.make_node = _typed_make_node
    fn = cls.__dict__.get("infer_shape")
    if fn is not None and callable(fn) and _n_positional(fn) == 3:

        @functools.wraps(fn)
        def infer_shape(self, fgraph, node, input_shapes):
            return fn(self, node, input_shapes)

        infer_shape.theano_signature = True
        cls.infer_shape = infer_shape
    perform = cls.__dict__.get("perform")
    if perform is not None and callable(perform) and _n_positional(perform) == 5 and hasattr(cls, "get_params"):

        @functools.wraps(perform)
        def perform_with_params(self, node, inputs, output_storage, params=_NO_PARAMS):
            if params is _NO_PARAMS:
                params = op_params(self, node)
            return perform(self, node, inputs, output_storage, params)

        cls.perform = perform_with_params


_NO_PARAMS = object()


def op_params(op, node):
    """The params of ``op`` for ``node`` (Theano's ``get_params``), checked by ``op.params_type``."""
    value = op.get_params(node)
    if value is None:
        raise ValueError(f"{op}.get_params() returned None; an op with params must return a value")
    t = getattr(op, "params_type", None)
    if t is not None:
        value = t.filter(value, strict=False)
    return value


def _typed_make_node(self, *inputs):
    """Theano's make_node of an op declaring ``itypes``/``otypes``: inputs converted and checked."""
    from .graph import Apply, Constant, Variable

    if len(inputs) != len(self.itypes):
        raise TypeError(f"{self} takes {len(self.itypes)} input(s) ({', '.join(map(str, self.itypes))}), "
                        f"got {len(inputs)}")
    ins = []
    for k, (v, t) in enumerate(zip(inputs, self.itypes)):
        if not isinstance(v, Variable):
            v = t.make_constant(v) if hasattr(t, "make_constant") else Constant(t, t.filter(v))
        if v.type != t:
            raise TypeError(f"{self}: input {k} ({v}) has type {v.type}, expected {t}")
        ins.append(v)
    return Apply(self, ins, [t() for t in self.otypes])


def named_filter(t):
    """``t.filter`` accepting the ``name=`` arignote passes for its messages, also for a
    user Type whose ``filter(value, strict=False, allow_downcast=None)`` has Theano's signature."""
    import inspect

    filt = t.filter
    try:
        params = inspect.signature(filt).parameters
    except (TypeError, ValueError):
        return filt
    if "name" in params or any(p.kind == p.VAR_KEYWORD for p in params.values()):
        return filt

    def without_name(value, strict=False, allow_downcast=None, name=None):
        try:
            return filt(value, strict=strict, allow_downcast=allow_downcast)
        except (TypeError, ValueError) as exc:
            if not name:
                raise
            raise type(exc)(f"input {name}: {exc}") from exc

    return without_name
