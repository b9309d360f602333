"""Elementwise fusion: trees and DAGs of Elemwise nodes become one Elemwise of a
``Composite`` scalar op (one loop for compiled backends), with as many outputs
as the group has values used outside it.

Groups grow from a root (visited outputs-first) up through producers whose
output has the root's broadcast pattern, while the kernel's distinct inputs
stay within ``config.fusion_max_inputs`` and its scalar operations within
``config.fusion_max_nodes`` (generated code stays small enough to compile fast).  A producer also used outside the
group joins only when no path leads from it, outside the group, back into the
group (which would make the fused node depend on itself).  An add or mul of more
operands than a kernel may take is first split into a tree of smaller ones.
"""
from __future__ import annotations

from arignote import fusion as limits
from arignote import scalar as ps
from arignote.config import config
from arignote.tensor.elemwise import Elemwise
from arignote.types import TensorType

from .driver import apply_replacements
from .registry import global_rule
from .utils import compatible

def _fusable(node):
    return isinstance(node.op, Elemwise) and all(isinstance(v.type, TensorType) for v in node.inputs) \
        and all(isinstance(v.type, TensorType) for v in node.outputs)


_START = object()  # the virtual unit from which a search starts (its successors: the start nodes)


class _AfterFusion:
    """Successors of a node in the graph as it will be after fusion: the nodes reading its
    outputs, and, for a node of an already formed group, every node of that group."""

    def __init__(self, fgraph, starts, group_of):
        self.fgraph, self.starts, self.group_of = fgraph, starts, group_of
        self.entered = set()  # ids of the groups whose nodes a walk already continued from

    def __getitem__(self, n):
        if n is _START:
            return self.starts
        clients = [c for o in n.outputs for c, _ in self.fgraph.clients(o) if c != "output"]
        group = self.group_of.get(n)
        if group is None or id(group) in self.entered:
            return clients
        self.entered.add(id(group))
        return [*group, *clients]


def _reaches_group(fgraph, starts, members, group_of):
    """True (or unknown, past ``limits.REWRITE_SEARCH_LIMIT`` nodes) when a path from ``starts``
    outside ``members`` reaches a member, in the graph as it will be after fusion
    (``limits.reaches``, the search the lowering's grouping uses too)."""
    found = limits.reaches(_START, members, _AfterFusion(fgraph, starts, group_of), limits.REWRITE_SEARCH_LIMIT)
    return found is not False


def _grow(fgraph, root, group_of, max_inputs, max_nodes):
    """The members (a set of nodes) of the group rooted at ``root``."""
    members = {root}
    size = _size(root)
    pattern = limits.pattern(root)
    ext = set(root.inputs)
    frontier = [root]
    while frontier:
        n = frontier.pop()
        for inp in n.inputs:
            p = inp.owner
            if p is None or p in members or p in group_of or not _fusable(p):
                continue
            if limits.pattern(p) != pattern:
                continue
            new_ext = (ext - set(p.outputs)) | {i for i in p.inputs if i.owner not in members}
            if len(new_ext) > max_inputs or size + _size(p) > max_nodes:
                continue
            outside = [c for o in p.outputs for c, _ in fgraph.clients(o)
                       if c != "output" and c not in members]
            if outside and _reaches_group(fgraph, outside, members, group_of):
                continue
            members.add(p)
            size += _size(p)
            ext = new_ext
            frontier.append(p)
    return members


def _composite(members, order_pos, fgraph):
    """(external inputs, Composite, exposed outputs) for a group."""
    nodes_sorted = sorted(members, key=order_pos.__getitem__)
    ext, ext_index, ref_of, snodes = [], {}, {}, []

    def ref(v):
        if v in ref_of:
            return ref_of[v]
        if v not in ext_index:
            ext_index[v] = len(ext)
            ext.append(v)
        return ("i", ext_index[v])

    for n in nodes_sorted:
        sop = n.op.scalar_op
        in_refs = [ref(v) for v in n.inputs]
        if isinstance(sop, ps.Composite):
            base = len(snodes)
            for op, refs, dt in sop.nodes:
                snodes.append((op, tuple(in_refs[j] if k == "i" else ("n", base + j) for k, j in refs), dt))
            for o, j in zip(n.outputs, sop.outputs):
                ref_of[o] = ("n", base + j)
        else:
            snodes.append((sop, tuple(in_refs), n.outputs[0].dtype))
            ref_of[n.outputs[0]] = ("n", len(snodes) - 1)
    exposed = [o for n in nodes_sorted for o in n.outputs
               if any(c == "output" or c not in members for c, _ in fgraph.clients(o))]
    comp = ps.Composite([v.dtype for v in ext], snodes, [ref_of[o][1] for o in exposed])
    return ext, comp, exposed


def _size(node):
    sop = node.op.scalar_op
    return len(sop.nodes) if isinstance(sop, ps.Composite) else 1


def _split_wide(fgraph, max_inputs):
    """Turn each add/mul of more than ``max_inputs`` same-dtype operands into a tree of
    chunks of ``max_inputs // 2`` operands, so that each chunk can fuse with its operands'
    producers instead of the wide node blocking every kernel around it."""
    chunk = max(2, max_inputs // 2)
    for node in fgraph.toposort():
        if not isinstance(node.op, Elemwise) or node.op.scalar_op.name not in ("add", "mul") \
                or len(node.inputs) <= max_inputs:
            continue
        out = node.outputs[0]
        if any(v.dtype != out.dtype for v in node.inputs):
            continue
        level = list(node.inputs)
        while len(level) > max_inputs:
            level = [node.op.make_node(*level[k:k + chunk]).outputs[0] if len(level[k:k + chunk]) > 1
                     else level[k] for k in range(0, len(level), chunk)]
        new = node.op.make_node(*level).outputs[0]
        if compatible(out.type, new.type):
            apply_replacements(fgraph, [(out, new)], "fusion")


@global_rule("fusion", tags=("fusion",))
def fusion(fgraph, mode):
    """Fuse groups of Elemwise nodes into single Elemwise nodes of Composite scalar ops."""
    max_inputs = int(config.fusion_max_inputs)
    max_nodes = int(config.fusion_max_nodes)
    _split_wide(fgraph, max_inputs)
    order = fgraph.toposort()
    pos = {n: i for i, n in enumerate(order)}
    group_of, groups = {}, []
    for root in reversed(order):
        if root in group_of or not _fusable(root):
            continue
        members = _grow(fgraph, root, group_of, max_inputs, max_nodes)
        for n in members:
            group_of[n] = members
        if len(members) > 1:
            groups.append(members)
    fused = 0
    for members in sorted(groups, key=lambda m: min(pos[n] for n in m)):
        ext, comp, exposed = _composite(members, pos, fgraph)
        new_node = Elemwise(comp).make_node(*ext)
        pairs = list(zip(exposed, new_node.outputs))
        if not all(compatible(o.type, n.type) for o, n in pairs):
            continue
        if apply_replacements(fgraph, pairs, "fusion"):
            fused += 1
    return fused
