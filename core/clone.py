"""Theano's ``theano.clone``: a copy of a graph with some variables replaced.

The copy never touches the original graph, so one expression can be reused on other inputs
(``clone(cost, replace={x: x_corrupted})``) or at another point (PyMC3 substitutes a flat
parameter vector for a model's variables this way).
"""
from __future__ import annotations

import copy

from .graph import Constant, Variable, graph_inputs, io_toposort
from .shared import SharedVariable, shared


def clone(output, replace=None, strict=True, share_inputs=True):
    """A copy of ``output`` (a variable, or a list/tuple of them, returned in the same form)
    with each key of ``replace`` (a dict or pairs) swapped for its value.

    ``strict=True`` requires a replacement to keep the types of the nodes it feeds (else
    TypeError); ``strict=False`` lets them change (a vector for a scalar remakes the nodes).
    ``share_inputs=False`` also copies the graph's free inputs; a shared variable's copy is a
    new shared variable holding the same value (not a copy of it), as Theano's is.  A
    replacement that is not a variable becomes a shared variable holding it, as in Theano."""
    outs = list(output) if isinstance(output, (list, tuple)) else [output]
    for o in outs:
        if not isinstance(o, Variable):
            raise TypeError(f"clone: outputs must be symbolic variables, got {o!r}")
    memo = {}
    for old, new in _pairs(replace):
        if not isinstance(old, Variable):
            raise TypeError(f"clone: a key of replace must be a symbolic variable, got {old!r}")
        if old in memo:
            raise ValueError(f"clone: {old} is replaced twice")
        memo[old] = new if isinstance(new, Variable) else shared(new)
    free = graph_inputs(outs, blockers=memo)
    for v in free:
        if v not in memo:
            memo[v] = v if share_inputs or isinstance(v, Constant) else _copy_input(v)
    for node in io_toposort(free, outs):
        new = node.clone_with_new_inputs([memo.get(i, i) for i in node.inputs], strict=strict)
        if strict:
            for old_out, new_out in zip(node.outputs, new.outputs):
                if old_out.type != new_out.type:
                    raise TypeError(f"clone: replacing inputs of {node.op} changed its output type "
                                    f"{old_out.type} -> {new_out.type} (pass strict=False to allow it)")
        memo.update(zip(node.outputs, new.outputs))
    cloned = [memo.get(o, o) for o in outs]
    if isinstance(output, (list, tuple)):
        return type(output)(cloned)
    return cloned[0]


def _pairs(replace):
    if replace is None:
        return []
    items = replace.items() if isinstance(replace, dict) else replace
    return [tuple(p) for p in items]


def _copy_input(v):
    """A free input's copy: a fresh variable of its type and name; for a shared variable, a new
    one over the same storage."""
    if isinstance(v, SharedVariable):
        twin = object.__new__(type(v))
        twin.__dict__.update(v.__dict__)
        twin.tag = copy.copy(v.tag)
        return twin
    return v.clone()
