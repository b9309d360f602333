"""Evaluate a small graph in NumPy without compiling it.

Test values, parameter values for random draws and prior predictive draws are
needed once or a few times per variable: running each node's ``perform`` (the
NumPy reference every Op defines) is much cheaper than compiling a function.
"""
from __future__ import annotations

import numpy as np

from arignote.graph import Constant, io_toposort
from arignote.shared import SharedVariable


def _leaf_value(var, given):
    if var in given:
        return given[var]
    if isinstance(var, Constant):
        return var.data
    if isinstance(var, SharedVariable):
        return var.get_value(borrow=True)
    raise MissingValueError(var)


class MissingValueError(KeyError):
    """A free variable of the graph has no value."""

    def __init__(self, var):
        super().__init__(var)
        self.var = var

    def __str__(self):
        return f"no value for the free variable {self.var} (type {self.var.type})"


def evaluate(outputs, given=None):
    """NumPy values of ``outputs`` with ``given`` (variable -> value) for free variables.

    A variable found in ``given`` is used as is, even when it has an owner
    (so a deterministic can be fixed by its value).
    """
    given = dict(given or {})
    single = not isinstance(outputs, (list, tuple))
    outs = [outputs] if single else list(outputs)
    memo = dict(given)
    with np.errstate(all="ignore"):  # -inf/nan are legitimate values of log-densities here
        _run(io_toposort(list(given), outs), memo)
    res = [np.asarray(memo[o]) if o in memo else np.asarray(_leaf_value(o, memo)) for o in outs]
    return res[0] if single else res


def _run(nodes, memo):
    for node in nodes:
        if node.outputs[0] in memo:
            continue
        ins = [memo[i] if i in memo else _leaf_value(i, memo) for i in node.inputs]
        storage = [[None] for _ in node.outputs]
        node.op.perform(node, ins, storage)
        for o, s in zip(node.outputs, storage):
            memo[o] = s[0]
