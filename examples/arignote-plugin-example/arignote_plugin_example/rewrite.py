"""A rewrite rule: ``x * sigmoid(x)`` (either order) becomes ``swish(x)``.

It runs in the 'specialize' phase, after canonicalization has settled the
graph and before fusion would hide the pattern inside a fused kernel.  A rule
is ``rewrite(fgraph, mode)`` and mutates the graph with ``fgraph.replace``.
"""
from __future__ import annotations

from arignote.tensor.elemwise import Elemwise

from .ops import swish


def _scalar_name(var):
    node = var.owner
    if node is not None and isinstance(node.op, Elemwise):
        return node.op.scalar_op.name
    return None


def _swish_argument(node):
    """x when ``node`` computes x * sigmoid(x) on floats, else None."""
    if _scalar_name(node.outputs[0]) != "mul" or len(node.inputs) != 2:
        return None
    a, b = node.inputs
    for x, s in ((a, b), (b, a)):
        if _scalar_name(s) == "sigmoid" and s.owner.inputs[0] is x and x.dtype.startswith("float"):
            if x.type == node.outputs[0].type:
                return x
    return None


def swish_from_mul_sigmoid(fgraph, mode=None):
    """Replace every ``x * sigmoid(x)`` of ``fgraph`` by ``swish(x)``."""
    for node in list(fgraph.toposort()):
        x = _swish_argument(node)
        if x is not None:
            fgraph.replace(node.outputs[0], swish(x), reason="swish_from_mul_sigmoid")
    return fgraph
