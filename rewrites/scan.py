"""Rewrites of scan loops.

* ``scan_save_mem``: an output read only as ``out[-k]`` or ``out[-k:]``
  keeps only its last k entries: A**k over a million
  steps holds two vectors, not a million.
* ``scan_drop_unused``: outputs that nothing reads and no other output needs
  are not computed.
* ``scan_hoist_invariants``: inner computation that depends only on the
  non-sequences runs once, before the loop.
* ``scan_merge``: two loops over the same sequences and number of steps
  become one.
* ``scan_to_elemwise``: a loop whose body is elementwise over its sequences
  (and not fed back) becomes that elementwise op on the whole sequences.
"""
from __future__ import annotations

from arignote.graph import Constant, ancestors, io_toposort
from arignote.gradient.surgery import _substitute
from arignote.scan.op import Scan
from arignote.tensor.elemwise import Elemwise
from arignote.tensor.subtensor import Subtensor
from arignote.types import TensorType

from .registry import local_rule


def _const_int(v):
    if isinstance(v, Constant):
        try:
            return int(v.data)
        except (TypeError, ValueError):
            return None
    return None


def _last_k_use(client):
    """How many last entries ``client`` (node, position) reads of a loop output, or None if it
    reads more than the last few (or in a way this rule does not follow)."""
    node, pos = client
    if node == "output" or pos != 0 or not isinstance(node.op, Subtensor):
        return None
    first = node.op.idx_list[0]
    if first == "int":
        i = _const_int(node.inputs[1])
        return -i if i is not None and i < 0 else None
    if first == ("slice", True, False, False) and len(node.op.idx_list) == 1:
        i = _const_int(node.inputs[1])  # out[-k:] (a kept history never holds initial taps)
        return -i if i is not None and i < 0 else None
    return None


@local_rule((Scan,), "specialize", tags=("scan", "scan_save_mem"))
def scan_save_mem(fgraph, node):
    """Keep only the last entries of outputs that are read only as ``out[-k]``."""
    op = node.op
    store = list(op.store)
    plan = {}
    for k, o in enumerate(node.outputs):
        if store[k] != 0 or (k < op.n_rec and op.is_object_state(k)):
            continue
        clients = fgraph.clients(o)
        if not clients:
            store[k] = 1
            continue
        needs = [_last_k_use(c) for c in clients]
        if any(n is None for n in needs):
            continue
        store[k] = max(needs)
        plan[k] = clients
    if tuple(store) == op.store:
        return None
    new_outs = op.clone_with(store=tuple(store)).make_node(*node.inputs).outputs
    out = {}
    for k, o in enumerate(node.outputs):
        if k in plan:
            for cnode, _ in plan[k]:
                nn = cnode.op.make_node(new_outs[k], *cnode.inputs[1:])
                out[cnode.outputs[0]] = nn.outputs[0]
        elif fgraph.clients(o) and store[k] == op.store[k]:
            out[o] = new_outs[k]
    return out


@local_rule((Scan,), "canonicalize", tags=("scan", "scan_drop_unused"))
def scan_drop_unused(fgraph, node):
    """Drop nit_sot outputs nobody reads (recurrent ones keep one entry through scan_save_mem)."""
    op = node.op
    nr, nn = op.n_rec, op.n_nit_sot
    unused = [k for k in range(nn) if not fgraph.clients(node.outputs[nr + k])]
    if not unused or len(unused) == nn and nr == 0:
        return None
    keep = [k for k in range(nn) if k not in unused]
    inner = op.inner_outputs
    new_inner = inner[:nr] + [inner[nr + k] for k in keep] + inner[nr + nn:]
    new_op = op.clone_with(inner_outputs=new_inner, n_nit_sot=len(keep),
                           store=op.store[:nr] + tuple(op.store[nr + k] for k in keep),
                           out_names=op.out_names[:nr] + tuple(op.out_names[nr + k] for k in keep))
    new_outs = new_op.make_node(*node.inputs).outputs
    out = {node.outputs[j]: new_outs[j] for j in range(nr) if fgraph.clients(node.outputs[j])}
    for i, k in enumerate(keep):
        out[node.outputs[nr + k]] = new_outs[nr + i]
    return out or None


def _deterministic(node):
    return not any(not isinstance(v.type, TensorType) for v in node.inputs + node.outputs)


@local_rule((Scan,), "canonicalize", tags=("scan", "scan_hoist_invariants"))
def scan_hoist_invariants(fgraph, node):
    """Compute the part of the body that depends only on non-sequences once, before the loop."""
    op = node.op
    _, _, inner_ns = op.inner_split()
    _, _, _, outer_ns = op.outer_split(node.inputs)
    inv = set(inner_ns)
    order = io_toposort(op.inner_inputs, op.inner_outputs)
    for n in order:
        if _deterministic(n) and not isinstance(n.op, Scan) and n.inputs and \
                all(i in inv or isinstance(i, Constant) for i in n.inputs):
            inv.update(n.outputs)
    # invariant variables read by the loop-dependent part (or returned): those are hoisted
    hoist = []
    for n in order:
        if n.outputs[0] in inv:
            continue
        for i in n.inputs:
            if i in inv and i.owner is not None and i not in hoist:
                hoist.append(i)
    for o in op.inner_outputs:
        if o in inv and o.owner is not None and o not in hoist:
            hoist.append(o)
    hoist = [h for h in hoist if isinstance(h.type, TensorType)]
    if not hoist:
        return None
    outer_vals = _substitute(hoist, dict(zip(inner_ns, outer_ns)))
    new_ph = [h.type.make_variable(name=h.name) for h in hoist]
    new_inner_outs = _substitute(op.inner_outputs, dict(zip(hoist, new_ph)))
    used = set(ancestors(new_inner_outs))
    keep_ns = [k for k, p in enumerate(inner_ns) if p in used]
    n_fixed = len(op.inner_inputs) - len(inner_ns)
    new_inner_ins = op.inner_inputs[:n_fixed] + [inner_ns[k] for k in keep_ns] + new_ph
    new_op = op.clone_with(inner_inputs=new_inner_ins, inner_outputs=new_inner_outs)
    outer_fixed = node.inputs[:1 + op.n_seqs + op.n_rec]
    new_node = new_op.make_node(*outer_fixed, *[outer_ns[k] for k in keep_ns], *outer_vals)
    return list(new_node.outputs)


@local_rule((Scan,), "canonicalize", tags=("scan", "scan_to_elemwise"))
def scan_to_elemwise(fgraph, node):
    """A loop of elementwise ops over its sequences, nothing fed back -> the elementwise ops on the
    sequences themselves."""
    op = node.op
    if op.n_rec or op.as_while or not op.n_nit_sot or any(t != (0,) for t in op.seq_taps) or not op.n_seqs:
        return None
    if any(s != 0 for s in op.store):
        return None
    n_steps, seqs, _, outer_ns = op.outer_split(node.inputs)
    slices, _, inner_ns = op.inner_split()
    d = slices[0][0].ndim
    if any(sl[0].ndim != d for sl in slices) or any(v.ndim > d for v in inner_ns if isinstance(v.type, TensorType)):
        return None
    order = io_toposort(op.inner_inputs, op.inner_outputs)
    if not order or any(not isinstance(n.op, Elemwise) for n in order):
        return None
    slice_vars = [sl[0] for sl in slices]
    for o in op.inner_outputs:
        if o.ndim != d or not any(v in slice_vars for v in ancestors([o])):
            return None
    from arignote import tensor as T

    n = _const_int(n_steps)
    if n is not None and n < 0:
        n = seqs[0].shape[0]
        for s in seqs[1:]:
            n = T.minimum(n, s.shape[0])
    else:
        return None  # an explicit n_steps also checks the sequences' lengths: leave that to the loop
    memo = {sl: s[:n] for sl, s in zip(slice_vars, seqs)}
    for p, v in zip(inner_ns, outer_ns):
        memo[p] = v.dimshuffle(*(["x"] * (d + 1 - v.ndim)), *range(v.ndim))
    for nd in order:
        ins = []
        for i in nd.inputs:
            if i in memo:
                ins.append(memo[i])
            elif isinstance(i, Constant):
                ins.append(i.dimshuffle(*(["x"] * (d + 1 - i.ndim)), *range(i.ndim)))
            else:
                return None
        memo.update(zip(nd.outputs, nd.op.make_node(*ins).outputs))
    outs = [memo[o] for o in op.inner_outputs]
    for o, new in zip(node.outputs, outs):
        if not (o.type == new.type or o.type.is_super(new.type)) or o.dtype != new.dtype:
            return None
    return outs


@local_rule((Scan,), "canonicalize", tags=("scan", "scan_merge"))
def scan_merge(fgraph, node):
    """Merge another loop over the same sequences (same taps) and n_steps into this one."""
    op = node.op
    if op.as_while or not op.n_seqs:
        return None
    n_steps, seqs, inits, outer_ns = op.outer_split(node.inputs)
    for other in fgraph.toposort():
        if other is node or not isinstance(other.op, Scan) or other.op.as_while:
            continue
        o_op = other.op
        on, oseqs, oinits, ons = o_op.outer_split(other.inputs)
        if on is not n_steps and not (_const_int(on) is not None and _const_int(on) == _const_int(n_steps)):
            continue
        if oseqs != seqs or o_op.seq_taps != op.seq_taps or o_op.store != tuple(0 for _ in o_op.store) \
                or op.store != tuple(0 for _ in op.store) or o_op.mode != op.mode:
            continue
        if any(v in ancestors(other.inputs) for v in node.outputs) or \
                any(v in ancestors(node.inputs) for v in other.outputs):
            continue
        return _merged(op, node, o_op, other, n_steps, seqs, inits, outer_ns, oinits, ons)
    return None


def _merged(op, node, o_op, other, n_steps, seqs, inits, outer_ns, oinits, ons):
    sl_a, tp_a, ns_a = op.inner_split()
    sl_b, tp_b, ns_b = o_op.inner_split()
    mapping = {b: a for sa, sb in zip(sl_a, sl_b) for a, b in zip(sa, sb)}
    outs_b = _substitute(o_op.inner_outputs, mapping)
    nr_a, nr_b, nn_a, nn_b = op.n_rec, o_op.n_rec, op.n_nit_sot, o_op.n_nit_sot
    inner_ins = [v for s in sl_a for v in s] + [v for t in tp_a for v in t] + [v for t in tp_b for v in t] + \
        list(ns_a) + list(ns_b)
    inner_outs = op.inner_outputs[:nr_a] + outs_b[:nr_b] + op.inner_outputs[nr_a:nr_a + nn_a] + \
        outs_b[nr_b:nr_b + nn_b]
    new_op = Scan(inner_ins, inner_outs, op.seq_taps, op.out_taps + o_op.out_taps, nn_a + nn_b,
                  truncate_gradient=op.truncate_gradient, go_backwards=op.go_backwards, name=op.name, mode=op.mode,
                  seq_names=op.seq_names,
                  out_names=op.out_names[:nr_a] + o_op.out_names[:nr_b] + op.out_names[nr_a:] + o_op.out_names[nr_b:])
    new = new_op.make_node(n_steps, *seqs, *inits, *oinits, *outer_ns, *ons).outputs
    a_out = new[:nr_a] + new[nr_a + nr_b:nr_a + nr_b + nn_a]
    b_out = new[nr_a:nr_a + nr_b] + new[nr_a + nr_b + nn_a:]
    pairs = dict(zip(node.outputs, a_out))
    pairs.update(zip(other.outputs, b_out))
    return pairs
