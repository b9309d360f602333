"""Fusion's shared rules: its limits, the candidate rule and the one cycle search.

Elementwise work is fused at two levels, and this module owns what both follow:

* the ``fusion`` rewrite (arignote.rewrites.fusion) turns a group of Elemwise nodes into one
  Elemwise of a ``Composite`` scalar op, the graph users see and print; it is bounded by the
  flags ``fusion_max_inputs`` and ``fusion_max_nodes`` and by ``REWRITE_SEARCH_LIMIT`` (nodes
  visited when checking that a group keeps the graph acyclic);
* the compiled backends' lowering (arignote.backends.lowering.grouping) runs neighbouring
  Elemwise nodes of one broadcast pattern, Composite ones and siblings reading the same operands
  included, as one loop; it is bounded by ``MAX_OPERANDS``, ``MAX_BODY`` and ``SEARCH_LIMIT``
  (units visited by its acyclicity check).

Both read these names when they run (``fusion.MAX_BODY``), so tuning one changes one place.
Both take a candidate only if its outputs have the group's broadcast pattern (``pattern``), and
both refuse a join that would make the fused node depend on itself with ``reaches``, the one
bounded search for a path back into a group.  What stays apart is how each grows its groups:
the rewrite grows one group at a time backwards from a root through its producers (the graph
users print), while the lowering places every node in turn into the first acceptable group
among its producers', its siblings' and same-shaped all-ones ones (horizontal fusion, kept fast
on graphs of many thousands of nodes by its candidate segments).
"""
from __future__ import annotations

from .config import config

MAX_OPERANDS = 64            # inputs + outputs of one loop of the lowering
MAX_BODY = 400               # scalar values in one loop body of the lowering
SEARCH_LIMIT = 4000          # units the lowering's grouping visits to keep the step graph acyclic
REWRITE_SEARCH_LIMIT = 2000  # nodes the fusion rewrite visits to keep the graph acyclic


def _positive(v):
    if v <= 0:
        raise ValueError(f"must be positive, got {v!r}")


for _name, _default, _doc in (
        ("fusion_max_inputs", 32, "most inputs (arrays) one fused elementwise kernel may take"),
        ("fusion_max_nodes", 256, "most scalar operations in one fused elementwise kernel (bounds generated code size)")):
    if _name not in config:
        config.register_flag(_name, _default, _positive, _doc)


def pattern(node):
    """The broadcast pattern of ``node``'s outputs: a node joins only a group of its own pattern."""
    return node.outputs[0].type.broadcastable


_OPEN = object()  # a unit whose search is under way (a walk may come back to it through a group)


def reaches(root, targets, succ, limit, memo=None):
    """Does a path from ``root`` (through ``succ[unit]``, an iterable of the units that read it)
    reach a unit of ``targets``?  True or False; None when it would visit more than ``limit``
    units (the caller refuses the join then).  ``root`` itself is not tested.  ``memo`` (unit ->
    bool) shares answers between searches towards the same targets: units found to reach one
    are marked True, units whose whole walk does not, False."""
    memo = {} if memo is None else memo
    r = memo.get(root)
    if r is not None and r is not _OPEN:
        return r
    keep_root = root not in targets
    if keep_root:
        memo[root] = _OPEN
    stack, pushed = [(root, iter(succ[root]))], 0
    while stack:
        u, it = stack[-1]
        for s in it:
            if s in targets or memo.get(s) is True:
                for x, _ in stack:
                    if x is not root or keep_root:
                        memo[x] = True
                return True
            if s not in memo:
                pushed += 1
                if pushed > limit:
                    for x, _ in stack:
                        if memo.get(x) is _OPEN:
                            del memo[x]
                    return None
                memo[s] = _OPEN
                stack.append((s, iter(succ[s])))
                break
        else:
            stack.pop()
            if u is not root or keep_root:
                memo[u] = False
    return False
