"""Scan's infer_shape: output lengths from n_steps and the sequences, inner shapes propagated
through the inner graph from the outer inputs' shapes."""
from __future__ import annotations

from ..graph import Constant, ShapeError, ancestors, io_toposort
from ..types import TensorType


def n_steps_expr(op, n_steps, seq_shapes):
    """The symbolic number of steps (before any ``until``)."""
    from ..tensor import math as tm

    lens = [sh[0] - (taps[-1] - taps[0]) for sh, taps in zip(seq_shapes, op.seq_taps)]
    if isinstance(n_steps, Constant) and int(n_steps.data) < 0:
        if not lens:
            raise ShapeError("scan without sequences needs n_steps")
        n = lens[0]
        for ln in lens[1:]:
            n = tm.minimum(n, ln)
        return n
    return n_steps


def inner_output_shapes(op, input_shapes):
    """Shapes of the inner outputs in terms of outer variables (None where they depend on values)."""
    _, seq_sh, init_sh, ns_sh = op.outer_split([None] + list(input_shapes[1:]))
    slices, taps, inner_ns = op.inner_split()
    known = {}
    for sl, sh in zip(slices, seq_sh):
        for v in sl:
            known[v] = tuple(sh[1:])
    for j, (tp, sh) in enumerate(zip(taps, init_sh)):
        for v in tp:
            known[v] = None if op.is_object_state(j) else tuple(sh[1:])
    for v, sh in zip(inner_ns, ns_sh):
        known[v] = sh
    for node in io_toposort(op.inner_inputs, op.inner_outputs):
        ins = []
        for v in node.inputs:
            if v not in known:
                known[v] = _static(v)
            ins.append(known[v])
        try:
            outs = node.op.infer_shape(None, node, ins)
        except Exception:  # an op that cannot say (or needs the fgraph): unknown
            outs = [None] * len(node.outputs)
        for o, sh in zip(node.outputs, outs):
            known[o] = None if sh is None else tuple(sh)
    inner = set(op.inner_inputs) | set(v for n in io_toposort(op.inner_inputs, op.inner_outputs) for v in n.outputs)
    res = []
    for o in op.inner_outputs:
        sh = known.get(o, _static(o))
        if sh is not None and any(v in inner for v in ancestors(list(sh))):
            sh = None  # the shape is a function of step values: not known outside the loop
        res.append(sh)
    return res


def _static(v):
    if isinstance(v, Constant) and isinstance(v.type, TensorType):
        from ..tensor.variable import as_tensor_variable

        return tuple(as_tensor_variable(s) for s in v.data.shape)
    if isinstance(v.type, TensorType) and all(s is not None for s in v.type.shape):
        from ..tensor.variable import as_tensor_variable

        return tuple(as_tensor_variable(s) for s in v.type.shape)
    return None


def scan_shapes(op, node, input_shapes):
    from ..tensor import math as tm
    from ..tensor.variable import as_tensor_variable

    if op.as_while:
        raise ShapeError("the length of a scan with until() is only known by running it")
    _, seq_sh, init_sh, _ = op.outer_split([None] + list(input_shapes[1:]))
    n = n_steps_expr(op, node.inputs[0], seq_sh)
    inner = inner_output_shapes(op, input_shapes)
    out = []
    for j, taps in enumerate(op.out_taps):
        if taps is None:
            out.append(None)
            continue
        length = n if op.store[j] == 0 else tm.minimum(as_tensor_variable(op.store[j]), n)
        out.append((length,) + tuple(init_sh[j][1:]))
    for k in range(op.n_nit_sot):
        sh = inner[op.n_rec + k]
        if sh is None:
            raise ShapeError(f"{op}: the shape of output {op.out_names[op.n_rec + k]} depends on the loop's values")
        length = n if op.store[op.n_rec + k] == 0 else tm.minimum(as_tensor_variable(op.store[op.n_rec + k]), n)
        out.append((length,) + tuple(sh))
    return out
