"""Graph surgery for derived gradients: copy the part of a graph that depends on some variables."""
from __future__ import annotations

from ..graph import io_toposort


def _dependent_nodes(sources, outputs):
    """Nodes between ``outputs`` and their ancestors that depend on ``sources`` (topological order)."""
    dep = set(sources)
    nodes = []
    for node in io_toposort(list(sources), outputs):
        if any(i in dep for i in node.inputs):
            nodes.append(node)
            dep.update(node.outputs)
    return nodes, dep


def _clone_nodes(nodes, mapping):
    """Rebuild ``nodes`` (topologically ordered) on substituted inputs; returns the memo."""
    memo = dict(mapping)
    for node in nodes:
        new = node.clone_with_new_inputs([memo.get(i, i) for i in node.inputs], strict=False)
        memo.update(zip(node.outputs, new.outputs))
    return memo


def _substitute(outputs, mapping):
    """``outputs`` with the variables in ``mapping`` replaced; shares everything else."""
    nodes, _ = _dependent_nodes(list(mapping), outputs)
    memo = _clone_nodes(nodes, mapping)
    return [memo.get(o, o) for o in outputs]
