"""Theano's one-line text of a graph (``str(fgraph)``: ``[add(z, mul(*1 -> f(x), *1))]``).

A node whose outputs are used more than once is written once, tagged ``*k -> ...``,
and referred to as ``*k`` afterwards (``*k::i`` for its output i when it has several).
"""
from __future__ import annotations

from .graph import io_toposort


def _shared_nodes(inputs, outputs):
    """Nodes used more than once (by other nodes or as several outputs)."""
    stop = set(inputs)
    uses = {}
    for node in io_toposort(inputs, outputs):
        for v in node.inputs:
            if v.owner is not None and v not in stop:
                uses[v.owner] = uses.get(v.owner, 0) + 1
    for v in outputs:
        if v.owner is not None:
            uses[v.owner] = uses.get(v.owner, 0) + 1
    return {n for n, k in uses.items() if k > 1}


def as_string(inputs, outputs, leaf_formatter=str, node_formatter=None):
    """One string per output, each the nested expression computing it."""
    stop = set(inputs)
    shared = _shared_nodes(inputs, outputs)
    labels = {}
    fmt = node_formatter or (lambda node, args: f"{node.op}({', '.join(args)})")

    def text(v):
        node = v.owner
        if node is None or v in stop:
            return leaf_formatter(v)
        suffix = f"::{node.outputs.index(v)}" if len(node.outputs) > 1 else ""
        if node in labels:
            return f"*{labels[node]}{suffix}"
        if node in shared:
            labels[node] = len(labels) + 1
            return f"*{labels[node]} -> {fmt(node, [text(i) for i in node.inputs])}"
        return fmt(node, [text(i) for i in node.inputs])

    return [text(o) for o in outputs]
