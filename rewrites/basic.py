"""Graph-wide basics: merge (common-subexpression elimination), constant folding
(bounded in size), dead-code elimination and the removal of gradient-only views."""
from __future__ import annotations

import numpy as np

from arignote.config import config
from arignote.gradient import ViewOp
from arignote.graph import Apply, Constant, Variable
from arignote.types import TensorType

from .driver import run_local
from .registry import FAST_COMPILE, global_rule, local_rule
from .utils import const_like


@global_rule("merge", "cleanup", tags=(FAST_COMPILE, "merge"))
def merge(fgraph, mode):
    """Merge nodes that apply one op to the same inputs (constants compared by value)."""
    return run_local(fgraph, [], mode, label="merge", merge="fresh")


def _static_nbytes(var):
    shape = getattr(var.type, "shape", None)
    if shape is None or any(s is None for s in shape):
        return None
    return int(np.prod(shape, dtype="int64")) * np.dtype(var.type.dtype).itemsize


def _fold_budget(node):
    """Bytes a folded result may take: any size up to ``constant_folding_max_size`` elements (of the
    output's dtype), and beyond that no more than the constant inputs it replaces hold together, so
    that folding never costs more memory than the graph already spends on its constants (an alloc or
    outer product of small constants stays unfolded; gammaln(table + 1) folds at any size)."""
    given = sum(np.asarray(i.data).nbytes for i in node.inputs)
    return lambda dtype: max(config.constant_folding_max_size * np.dtype(dtype).itemsize, given)


@local_rule(None, "canonicalize", "stabilize", "specialize", tags=(FAST_COMPILE, "constant_folding"))
def constant_folding(fgraph, node):
    """Compute a node whose inputs are all constants, unless its result would take more memory than
    both the size limit and the constants it replaces."""
    if not node.inputs or not all(isinstance(i, Constant) for i in node.inputs):
        return None
    op = node.op
    if not getattr(op, "constant_foldable", True) or getattr(op, "destroy_map", None):
        return None
    if not all(isinstance(o.type, TensorType) for o in node.outputs):
        return None
    budget = _fold_budget(node)
    for o in node.outputs:
        n = _static_nbytes(o)
        if n is not None and n > budget(o.type.dtype):
            return None
    storage = [[None] for _ in node.outputs]
    with np.errstate(all="ignore"):
        op.perform(node, [i.data for i in node.inputs], storage)
    out = []
    for o, (value,) in zip(node.outputs, storage):
        value = np.asarray(value)
        if value.nbytes > budget(value.dtype):
            return None
        c = const_like(value, o)
        if c is None:
            return None
        out.append(c)
    return out


@local_rule((ViewOp,), "canonicalize", tags=("remove_view_op",))
def local_remove_view_op(fgraph, node):
    """zero_grad / disconnected_grad / grad_clip / grad_scale are identities once the gradient is built."""
    return [node.inputs[0]]


@local_rule(("identity",), "canonicalize", tags=("useless",))
def local_remove_identity(fgraph, node):
    """identity(x) (a copy) -> x; function() copies outputs that alias inputs."""
    x = node.inputs[0]
    return [x] if x.type == node.outputs[0].type else None


@global_rule("cleanup", tags=(FAST_COMPILE, "dead_code"))
def dead_code(fgraph, mode):
    """Remove nodes and variables that no output depends on."""
    g = fgraph.g
    live = set(fgraph.toposort())
    keep = set(fgraph.inputs) | set(fgraph.outputs)
    removed = 0
    for n in list(g.nodes):
        if isinstance(n, Apply) and n not in live:
            for o in n.outputs:
                if o in g and o not in keep:
                    g.remove_node(o)
            g.remove_node(n)
            for f in fgraph.features:
                if hasattr(f, "on_prune"):
                    f.on_prune(fgraph, n, "dead_code")
            removed += 1
    for n in list(g.nodes):
        if isinstance(n, Variable) and n not in keep and g.degree(n) == 0:
            g.remove_node(n)
    if removed:
        fgraph._order = None
    return removed
