"""Helpers for the rewrite tests: compile with and without rewrites, count ops."""
from __future__ import annotations

import collections

import numpy as np

from arignote import function
from arignote.mode import Mode
from arignote.tensor.elemwise import Elemwise

NO_FUSION = Mode(excluding=("fusion",))


def op_name(node):
    op = node.op
    if isinstance(op, Elemwise):
        return op.scalar_op.name if not hasattr(op.scalar_op, "outputs") else "Composite"
    return type(op).__name__


def op_counts(f):
    """Counter of op names (scalar op names for Elemwise) in a compiled function's graph."""
    return collections.Counter(op_name(n) for n in f.maker.fgraph.toposort()
                               if type(n.op).__name__ != "DeepCopyOp")  # function()'s copy-out, not a rewrite


def compile_both(inputs, outputs, mode=NO_FUSION):
    """(rewritten function, unrewritten function)."""
    kw = dict(on_unused_input="ignore", backend="py")
    return function(inputs, outputs, mode=mode, **kw), function(inputs, outputs, mode="NO_REWRITES", **kw)


def assert_same_values(f, g, *args, rtol=1e-12, atol=1e-14):
    a, b = f(*args), g(*args)
    if not isinstance(a, list):
        a, b = [a], [b]
    for x, y in zip(a, b):
        x, y = np.asarray(x), np.asarray(y)
        assert x.dtype == y.dtype, (x.dtype, y.dtype)
        assert x.shape == y.shape, (x.shape, y.shape)
        np.testing.assert_allclose(x, y, rtol=rtol, atol=atol)
    return a


def rewritten_callable(inputs, outputs, mode="FAST_RUN"):
    """A callable running ``outputs`` after every rewrite phase of ``mode`` (fusion included,
    which function() leaves out on the reference backend), on the reference linker."""
    import types

    from arignote.fg import FunctionGraph
    from arignote.reference import make_thunk
    from arignote.mode import get_mode

    single = not isinstance(outputs, (list, tuple))
    fg = FunctionGraph(list(inputs), [outputs] if single else list(outputs), clone=True)
    get_mode(mode).optimize(fg)
    thunk = make_thunk(fg)

    def call(*args):
        outs = [np.array(o, copy=True) for o in thunk([np.asarray(a) for a in args])]
        return outs[0] if single else outs

    call.maker = types.SimpleNamespace(fgraph=fg)
    return call


def compile_fused(inputs, outputs, mode="FAST_RUN"):
    """(fully rewritten callable, unrewritten function)."""
    return rewritten_callable(inputs, outputs, mode), function(inputs, outputs, mode="NO_REWRITES",
                                                                on_unused_input="ignore", backend="py")
