"""Gradients through scan: backpropagation through time as a second scan, and Rop as a
forward-mode scan carrying tangents beside the values.

Backward loop (over the steps in reverse): at step t it knows the cotangent
of the step's outputs, that is the gradient of the output history at t plus
what later steps sent back through their taps, and pushes it through the
step's graph to the step's inputs:

* to the sequence slices: a history, scattered back onto the sequences;
* to the taps of the recurrent outputs: kept as loop states of the backward
  scan (a tap -k of the forward loop is a tap -k of the backward one), and
  what falls before step 0 goes to the initial values;
* to the non-sequences: summed over the steps in an accumulator.
"""
from __future__ import annotations

import numpy as np

from ..gradient import disconnected_type
from ..gradient.surgery import _substitute
from ..types import TensorType


def _is_float(v):
    return isinstance(v.type, TensorType) and v.type.dtype.startswith(("float", "complex"))


def connection_pattern(op, node):
    n_out = len(node.outputs)
    rows = [[False] * n_out]  # n_steps
    for v in node.inputs[1:]:
        rows.append([_is_float(v) and _is_float(o) for o in node.outputs])
    return rows


def _zeros(dtype, lead, shape):
    from .. import tensor as T

    return T.alloc(np.asarray(0, dtype=dtype), lead, *shape)


def _steps(op, outputs, n_steps, seqs):
    """The number of steps the forward loop made, symbolically."""
    for j in range(op.n_rec + op.n_nit_sot):
        if j >= op.n_rec or not op.is_object_state(j):
            return outputs[j].shape[0]
    from .shapes import n_steps_expr

    return n_steps_expr(op, n_steps, [s.shape for s in seqs])


def scan_grad(op, inputs, outputs, output_grads):
    from .. import tensor as T
    from ..gradient import NoGradError
    from ..gradient.reverse import grad
    from .build import scan

    if any(s != 0 for s in op.store):
        raise NoGradError(f"{op}: a loop that keeps only its last values cannot be differentiated "
                          "(take the gradient before compiling)")
    n_steps, seqs, inits, nonseqs = op.outer_split(list(inputs))
    nr, nn = op.n_rec, op.n_nit_sot
    n = _steps(op, outputs, n_steps, seqs)
    slices_in, taps_in, ns_in = op.inner_split()
    rec_f = [j for j in range(nr) if not op.is_object_state(j) and _is_float(outputs[j])]
    nit_f = [k for k in range(nn) if _is_float(outputs[nr + k])]
    seq_f = [i for i, s in enumerate(seqs) if _is_float(s)]
    ns_f = [k for k, w in enumerate(nonseqs) if _is_float(w)]
    trunc = op.truncate_gradient
    m = n if trunc < 0 else T.minimum(n, trunc)

    def rev(x):  # forward-aligned (n, ...) -> the last m entries, latest first
        return x[::-1][:m] if trunc >= 0 else x[::-1]

    # backward sequences: slices of the sequences, tap values of the states, output gradients
    bw_seqs, xs_keys, ys_keys = [], [], []
    for i in seq_f:
        lo = op.seq_taps[i][0]
        for q, tap in enumerate(op.seq_taps[i]):
            bw_seqs.append(rev(seqs[i][tap - lo:tap - lo + n]))
            xs_keys.append((i, q))
    for i, s in enumerate(seqs):  # integer sequences are still needed to recompute the step
        if i not in seq_f:
            lo = op.seq_taps[i][0]
            for q, tap in enumerate(op.seq_taps[i]):
                bw_seqs.append(rev(s[tap - lo:tap - lo + n]))
                xs_keys.append((i, q))
    full = {}
    for j in range(nr):
        if op.is_object_state(j):
            continue
        lead = -op.out_taps[j][0]
        full[j] = T.concatenate([inits[j][:lead], outputs[j]], axis=0)
        for q, tap in enumerate(op.out_taps[j]):
            bw_seqs.append(rev(full[j][lead + tap:lead + tap + n]))
            ys_keys.append((j, q))
    for j in rec_f:
        bw_seqs.append(rev(output_grads[j]))
    for k in nit_f:
        bw_seqs.append(rev(output_grads[nr + k]))
    # backward states: one per tap of each float state, then one accumulator per float non-sequence
    v_keys = [(j, q) for j in rec_f for q in range(len(op.out_taps[j]))]
    bw_info = []
    for j, q in v_keys:
        tap = op.out_taps[j][q]
        x0 = inits[j]
        z = _zeros(x0.dtype, -tap, [x0.shape[d] for d in range(1, x0.ndim)])
        bw_info.append(dict(initial=z[0] if tap == -1 else z, taps=[tap]))  # taps [-1]: the value itself
    for k in ns_f:
        bw_info.append(T.zeros_like(nonseqs[k]))
    xs_f = [(i, q) for (i, q) in xs_keys if i in seq_f]
    bw_info.extend([None] * len(xs_f))
    n_seq_args = len(bw_seqs)
    obj_states = [j for j in range(nr) if op.is_object_state(j)]
    obj_vals = [inits[j] for j in obj_states]  # object states (random generators): their initial values

    def step(*args):
        xs = dict(zip(xs_keys, args[:len(xs_keys)]))
        pos = len(xs_keys)
        ys = dict(zip(ys_keys, args[pos:pos + len(ys_keys)]))
        pos += len(ys_keys)
        gy = dict(zip(rec_f, args[pos:pos + len(rec_f)]))
        pos += len(rec_f)
        gz = dict(zip(nit_f, args[pos:pos + len(nit_f)]))
        pos = n_seq_args
        vs = dict(zip(v_keys, args[pos:pos + len(v_keys)]))
        pos += len(v_keys)
        accs = list(args[pos:pos + len(ns_f)])
        mapping = {}
        for i, sl in enumerate(slices_in):
            for q, ph in enumerate(sl):
                mapping[ph] = xs[(i, q)]
        for j, tp in enumerate(taps_in):
            for q, ph in enumerate(tp):
                if op.is_object_state(j):
                    mapping[ph] = obj_vals[obj_states.index(j)]
                else:
                    mapping[ph] = ys[(j, q)]
        mapping.update(zip(ns_in, nonseqs))
        outs = _substitute(op.inner_outputs[:nr + nn], mapping)
        terms = []
        for j in rec_f:
            cot = gy[j]
            for q in range(len(op.out_taps[j])):
                cot = cot + vs[(j, q)]
            terms.append(T.sum(outs[j] * cot))
        for k in nit_f:
            terms.append(T.sum(outs[nr + k] * gz[k]))
        wrt = [ys[key] for key in v_keys] + [nonseqs[k] for k in ns_f] + [xs[key] for key in xs_f]
        if not terms or not wrt:
            gs = [T.zeros_like(w) for w in wrt]
        else:
            cost = terms[0] if len(terms) == 1 else T.add(*terms)
            gs = grad(cost, wrt, disconnected_inputs="ignore", return_disconnected="zero", add_names=False)
        nv = len(v_keys)
        new_v = gs[:nv]
        new_acc = [a + g for a, g in zip(accs, gs[nv:nv + len(ns_f)])]
        return new_v + new_acc + list(gs[nv + len(ns_f):])

    if not bw_info:
        return [disconnected_type() for _ in inputs]
    res, _ = scan(step, sequences=bw_seqs, outputs_info=bw_info, non_sequences=list(nonseqs), n_steps=m,
                  name=f"grad_of_{op.name or 'scan_fn'}", return_list=True)
    nv = len(v_keys)
    v_res, acc_res, xs_res = res[:nv], res[nv:nv + len(ns_f)], res[nv + len(ns_f):]

    def forward_order(h):  # backward history (m, ...) -> forward steps 0..n-1, zeros where truncated
        h = h[::-1]
        if trunc < 0:
            return h
        return T.concatenate([_zeros(h.dtype, n - m, [h.shape[d] for d in range(1, h.ndim)]), h], axis=0)

    g_in = [disconnected_type()]  # n_steps
    for i, s in enumerate(seqs):
        if i not in seq_f:
            g_in.append(disconnected_type())
            continue
        g = T.zeros_like(s)
        lo = op.seq_taps[i][0]
        for q, tap in enumerate(op.seq_taps[i]):
            h = forward_order(xs_res[xs_f.index((i, q))])
            g = T.inc_subtensor(g[tap - lo:tap - lo + n], h)
        g_in.append(g)
    for j in range(nr):
        if j not in rec_f:
            g_in.append(disconnected_type())
            continue
        g = T.zeros_like(inits[j])
        lead = -op.out_taps[j][0]
        for q, tap in enumerate(op.out_taps[j]):
            h = forward_order(v_res[v_keys.index((j, q))])[:-tap]  # steps t < -tap read before step 0
            g = T.inc_subtensor(g[lead + tap:lead + tap + h.shape[0]], h)
        g_in.append(g)
    for k, w in enumerate(nonseqs):
        g_in.append(acc_res[ns_f.index(k)][-1] if k in ns_f else disconnected_type())
    return g_in


def scan_rop(op, inputs, eval_points):
    """Forward mode: the same loop, carrying the tangents of its states beside them."""
    from .. import tensor as T
    from ..gradient.forward import Rop
    from .build import scan, until

    n_steps, seqs, inits, nonseqs = op.outer_split(list(inputs))
    _, eseqs, einits, enonseqs = op.outer_split(list(eval_points))
    nr, nn = op.n_rec, op.n_nit_sot
    slices_in, taps_in, ns_in = op.inner_split()
    tan = lambda v, e: (e if e is not None else T.zeros_like(v)) if _is_float(v) else None  # noqa: E731
    t_seqs = [tan(s, e) for s, e in zip(seqs, eseqs)]
    t_inits = [tan(x, e) if not op.is_object_state(j) else None for j, (x, e) in enumerate(zip(inits, einits))]
    t_ns = [tan(w, e) for w, e in zip(nonseqs, enonseqs)]
    seq_args = [dict(input=s, taps=list(op.seq_taps[i])) for i, s in enumerate(seqs)]
    seq_args += [dict(input=t, taps=list(op.seq_taps[i])) for i, t in enumerate(t_seqs) if t is not None]
    first = lambda j, x: x[0] if op.out_taps[j] == (-1,) else x  # noqa: E731  (sit_sot: the value itself)
    info = [dict(initial=first(j, x), taps=list(op.out_taps[j])) for j, x in enumerate(inits)]
    if any(op.is_object_state(j) for j in range(nr)):
        from ..gradient import RopNotImplementedError

        raise RopNotImplementedError(f"{op}: Rop through a loop with random or object states is not implemented")
    rec_t = [j for j in range(nr) if t_inits[j] is not None]
    info += [dict(initial=first(j, t_inits[j]), taps=list(op.out_taps[j])) for j in rec_t]
    info += [None] * nn
    tnit = [k for k in range(nn) if _is_float(op.inner_outputs[nr + k])]
    info += [None] * len(tnit)
    ns_args = list(nonseqs) + [t for t in t_ns if t is not None]

    def step(*args):
        it = iter(args)
        sl = [[next(it) for _ in taps] for taps in op.seq_taps]
        tsl = [[next(it) for _ in op.seq_taps[i]] if t is not None else None for i, t in enumerate(t_seqs)]
        tp = [[next(it) for _ in op.out_taps[j]] for j in range(nr)]
        ttp = {j: [next(it) for _ in op.out_taps[j]] for j in rec_t}
        ws = [next(it) for _ in nonseqs]
        tws = [next(it) if t is not None else None for t in t_ns]
        mapping = {}
        wrt, evs = [], []
        for i, phs in enumerate(slices_in):
            for q, ph in enumerate(phs):
                mapping[ph] = sl[i][q]
                if tsl[i] is not None:
                    wrt.append(sl[i][q])
                    evs.append(tsl[i][q])
        for j, phs in enumerate(taps_in):
            for q, ph in enumerate(phs):
                mapping[ph] = tp[j][q]
                if j in ttp:
                    wrt.append(tp[j][q])
                    evs.append(ttp[j][q])
        for ph, w, tw in zip(ns_in, ws, tws):
            mapping[ph] = w
            if tw is not None:
                wrt.append(w)
                evs.append(tw)
        outs = _substitute(op.inner_outputs, mapping)
        vals = outs[:nr + nn]
        targets = [vals[j] for j in rec_t] + [vals[nr + k] for k in tnit]
        tangents = Rop(targets, wrt, evs, disconnected_outputs="ignore") if targets and wrt else \
            [T.zeros_like(t) for t in targets]
        res = list(vals[:nr]) + list(tangents[:len(rec_t)]) + list(vals[nr:]) + list(tangents[len(rec_t):])
        if op.as_while:
            return res, until(outs[-1])
        return res

    n = n_steps if not (hasattr(n_steps, "data") and int(n_steps.data) < 0) else None
    res, _ = scan(step, sequences=seq_args, outputs_info=info, non_sequences=ns_args, n_steps=n,
                  name=f"rop_of_{op.name or 'scan_fn'}", return_list=True)
    # res order (user order): values of rec, tangents of rec_t, nit values, nit tangents
    t_rec = dict(zip(rec_t, res[nr:nr + len(rec_t)]))
    t_nit = dict(zip(tnit, res[nr + len(rec_t) + nn:]))
    out = [t_rec.get(j) for j in range(nr)] + [t_nit.get(k) for k in range(nn)]
    return out

