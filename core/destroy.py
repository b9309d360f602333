"""In-place ops in compiled functions: what a node with a ``destroy_map`` may overwrite.

Theano's rules.  A graph given to ``function()`` may hold in-place ops only with
``accept_inplace=True``.  Then a node overwrites its input only where nothing
else can see that value: the input must be read by this node alone, be no
output, and be either a function input marked ``In(x, mutable=True)`` or the
fresh result of an elementwise op (other ops may return views of their
inputs).  Elsewhere the node gets a ``DeepCopyOp`` copy to overwrite, so results never depend on the order nodes run in and the
caller's arrays, shared values and constants stay intact.
"""
from __future__ import annotations

from .deep_copy import DeepCopyOp, deep_copy_op


def destroyers(fgraph):
    """[(node, input index)] of the inputs in-place nodes overwrite."""
    return [(node, i) for node in fgraph.toposort()
            for ins in (getattr(node.op, "destroy_map", None) or {}).values() for i in ins]


def check_accept_inplace(fgraph, accept_inplace):
    """Theano's refusal of in-place ops in a user's graph unless ``accept_inplace``."""
    if accept_inplace:
        return
    found = destroyers(fgraph)
    if found:
        node, i = found[0]
        raise TypeError(f"Graph must not contain inplace operations: {node.op} overwrites its input {i} "
                        f"({node.inputs[i]}); pass accept_inplace=True to function() to allow it")


def protect_destroyed(fgraph, mutable=(), updates=None):
    """Give every in-place node a value it may overwrite (a copy where it may not); returns
    how many copies were inserted.  ``mutable``: the function inputs marked mutable;
    ``updates``: {shared input: its update value}.  A shared value may be overwritten only
    by the node computing its update, and not by an elementwise op (a draw advancing its
    generator, as the ``random_inplace`` rewrite arranges), so a call that fails later
    leaves shared arrays intact."""
    mutable = set(mutable)
    updates = updates or {}
    copies = 0
    for node, i in destroyers(fgraph):
        v = node.inputs[i]
        if updates.get(v) in node.outputs and not hasattr(node.op, "scalar_op"):
            continue
        if not _may_overwrite(fgraph, v, node, i, mutable):
            fgraph.change_input(node, i, deep_copy_op(v), reason="protect_destroyed")
            copies += 1
    return copies


def _may_overwrite(fgraph, v, node, i, mutable):
    if any(c != (node, i) for c in fgraph.clients(v)):  # another reader, or an output
        return False
    owner = v.owner
    if owner is None:
        return v in mutable and not getattr(v, "_is_shared", False)
    return _fresh(owner)


# scalar ops whose Elemwise may hand back an input's own array (an identity, a same-dtype cast, a fill)
_MAY_ALIAS = {"identity", "second", "view_op"}


def _fresh(node):
    """True when ``node``'s outputs are storage of their own: a copy, an elementwise result, or
    what an earlier in-place node made its own.  Other ops may return views of their inputs
    (reshapes, subtensors), declared or not, so their results are copied before overwriting."""
    from .tensor.elemwise import Elemwise
    from . import scalar as ps

    op = node.op
    if isinstance(op, DeepCopyOp):
        return True
    if not isinstance(op, Elemwise) or getattr(op, "view_map", None):
        return False
    sop = op.scalar_op
    return not isinstance(sop, ps.Cast) and getattr(sop, "name", None) not in _MAY_ALIAS
