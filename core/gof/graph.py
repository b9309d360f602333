"""Theano's ``theano.gof.graph``: the graph classes and walks over them."""
from __future__ import annotations

from ..graph import Apply, Constant, Variable, ancestors, clone_graph, graph_inputs, io_toposort
from ..graph_text import as_string


def inputs(variable_list, blockers=None):
    """The free variables and constants the given variables are computed from."""
    return graph_inputs(variable_list, blockers)


def clone(i, o, copy_inputs=True):
    """Copies of the graph between inputs ``i`` and outputs ``o``: ``(new inputs, new outputs)``."""
    new_i, new_o, _ = clone_graph(i, o, copy_inputs=copy_inputs)
    return new_i, new_o


def ops(i, o):
    """The Apply nodes between ``i`` and ``o``."""
    return set(io_toposort(i, o))


def variables(i, o):
    """The variables between ``i`` and ``o`` (inputs and outputs included)."""
    out = set(i) | set(o)
    for node in io_toposort(i, o):
        out.update(node.inputs)
        out.update(node.outputs)
    return out


def orphans(i, o):
    """The variables above ``o`` that are neither in ``i`` nor computed from them."""
    return [v for v in graph_inputs(o, blockers=i) if v not in set(i)]


def is_same_graph(var1, var2, givens=None):
    """Whether two variables compute the same expression (same ops on the same leaves)."""
    givens = dict(givens or {})

    def key(v, memo):
        if v in givens:
            v = givens[v]
        if id(v) in memo:
            return memo[id(v)]
        if v.owner is None:
            k = ("const", v.signature()) if isinstance(v, Constant) else ("leaf", id(v))
        else:
            k = (v.owner.op, v.index, tuple(key(i, memo) for i in v.owner.inputs))
        memo[id(v)] = k
        return k

    return key(var1, {}) == key(var2, {})


__all__ = ["Apply", "Constant", "Variable", "ancestors", "as_string", "clone", "inputs", "io_toposort", "ops",
           "orphans", "variables", "is_same_graph"]

for _cls in (Apply, Variable, Constant):
    _cls.__module__ = __name__  # Theano's path, shown by type(node); pickles find them here too
del _cls
