"""Draw in place from a shared generator whose only job in the function is to be advanced.

A RandomVariable copies its generator before drawing (so the value it was
given stays intact).  When the generator is a shared variable that the
function updates with exactly this node's advanced generator, and nothing
else in the graph reads it, the copy is wasted: the node may advance the
shared generator itself (see ``arignote.tensor.random.op``).

Where a graph is compiled for something else than ``function()`` (the inner
graph of a loop), its compiler may say which inputs it never reads again once
a call returns, and what replaces them: ``fgraph.consumed_inputs = {input:
output}`` (a loop's generator state, provided the loop hands its first step a
copy of the caller's generator).  Draws from those advance them in place too.
"""
from __future__ import annotations

from arignote.tensor.random.op import RandomVariable

from .registry import FAST_COMPILE, global_rule


def _update_of(fgraph):
    """{input: the graph output that becomes its next value} (function updates, consumed inputs)."""
    pairs = dict(getattr(fgraph, "consumed_inputs", None) or {})
    targets = list(getattr(fgraph, "update_targets", None) or ())
    if targets:
        pairs.update(zip(targets, fgraph.outputs[len(fgraph.outputs) - len(targets):]))
    return pairs


@global_rule("cleanup", tags=(FAST_COMPILE, "inplace", "random_inplace"), position=100)
def random_inplace(fgraph, mode):
    """RandomVariable -> its inplace version where the generator is updated with its result only."""
    updates = _update_of(fgraph)
    if not updates:
        return 0
    changed = 0
    for node in fgraph.toposort():
        op = node.op
        if not isinstance(op, RandomVariable) or op.inplace:
            continue
        rng = node.inputs[0]
        if updates.get(rng) is not node.outputs[0] or len(fgraph.clients(rng)) != 1:
            continue
        new = op.clone_inplace().make_node(*node.inputs)
        fgraph.replace_all(list(zip(node.outputs, new.outputs)), reason="random_inplace")
        changed += 1
    return changed
