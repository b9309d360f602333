"""``lower()``: a rewritten FunctionGraph -> a Program: group and lower the nodes, order the steps
topologically, drop unread views, number the variables."""
from __future__ import annotations

import heapq

import numpy as np

from arignote.graph import Constant
from arignote.tensor.elemwise import Elemwise

from . import limits
from .body import _elemwise_ok, _Memo
from .grouping import _clients_of, _group_elemwise, _split_loop
from .rules import lower_node
from .steps import FallbackStep, Program, ShapeStep, ViewStep, _is_tensor


# ---------------------------------------------------------------- lower()


def lower(fgraph, target):
    """Lower ``fgraph`` for ``target``: a Program whose steps run in order."""
    order = fgraph.toposort()
    outputs_set = set(fgraph.outputs)
    memo = _Memo(target)
    memo.inline_literals = sum(isinstance(n.op, Elemwise) for n in order) < limits.SHARE_KERNELS_AT
    fusable = {n for n in order if _elemwise_ok(n, target, memo)}
    _clients_of(fgraph, order, memo)
    steps = []
    grouped = set()
    for nodes in _group_elemwise(order, fusable):
        steps.extend(_split_loop(nodes, fgraph, target, outputs_set, memo))
        grouped.update(nodes)
    for node in order:
        if node in grouped:
            continue
        step = lower_node(node.op, node, target)
        if step is None:
            step = FallbackStep(list(node.inputs), list(node.outputs), [node])
        if isinstance(step, list):  # a rule may lower one node to several steps
            steps.extend(step)
        else:
            steps.append(step)
    memo.singles.clear()  # builders refer back to the memo: free them now, not at the next collection
    steps = _schedule(steps, order)
    steps = _drop_dead(steps, fgraph)
    return _program(fgraph, steps)


def _schedule(steps, order):
    """Topological order of steps (ties broken by the graph's node order)."""
    pos = {n: i for i, n in enumerate(order)}
    producer = {}
    for s in steps:
        for o in s.outputs:
            producer[o] = s
    key = {id(s): min(pos[n] for n in s.nodes) for s in steps}
    waiting, users = {}, {}
    for s in steps:
        deps = {id(producer[v]) for v in _reads(s) if v in producer and producer[v] is not s}
        waiting[id(s)] = len(deps)
        for d in deps:
            users.setdefault(d, []).append(s)
    idx = {id(s): i for i, s in enumerate(steps)}
    ready = [(key[id(s)], idx[id(s)], s) for s in steps if waiting[id(s)] == 0]
    heapq.heapify(ready)
    out = []
    while ready:
        _, i, s = heapq.heappop(ready)
        out.append(s)
        for u in users.get(id(s), ()):
            waiting[id(u)] -= 1
            if waiting[id(u)] == 0:
                heapq.heappush(ready, (key[id(u)], idx[id(u)], u))
    if len(out) != len(steps):  # pragma: no cover - the grouping never makes cycles
        raise RuntimeError("lowering produced a cyclic schedule")
    return out


def _reads(step):
    return list(step.inputs)


_PURE = (ViewStep, ShapeStep)


def _drop_dead(steps, fgraph):
    """Remove view/shape steps whose outputs nobody reads (e.g. DimShuffles of inlined constants)."""
    needed = set(fgraph.outputs)
    kept = []
    for s in reversed(steps):
        if isinstance(s, _PURE) and not any(o in needed for o in s.outputs):
            continue
        kept.append(s)
        needed.update(_reads(s))
    kept.reverse()
    return kept


def _program(fgraph, steps):
    variables, seen = [], set()

    def add(v):
        if v not in seen:
            seen.add(v)
            variables.append(v)

    for v in fgraph.inputs:
        add(v)
    for s in steps:
        for v in _reads(s):
            add(v)
        for v in s.outputs:
            add(v)
    for v in fgraph.outputs:
        add(v)
    produced = {o for s in steps for o in s.outputs}
    inputs = set(fgraph.inputs)
    constants, containers = {}, {}
    for v in variables:
        if v in produced or v in inputs:
            continue
        if isinstance(v, Constant):
            constants[v] = _constant_data(v)
        elif getattr(v, "_is_shared", False):
            containers[v] = v.container
        else:  # pragma: no cover - FunctionGraph checks for missing inputs
            raise ValueError(f"variable {v} is neither computed, an input nor a constant")
    return Program(fgraph, steps, variables, list(fgraph.inputs), list(fgraph.outputs), constants, containers)


def _constant_data(v):
    if _is_tensor(v):
        return np.asarray(v.data, dtype=v.type.dtype)
    return v.data
