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
    from ..gradient import NoGradError
    from .build import scan

    if any(s != 0 for s in op.store):
        raise NoGradError(f"{op}: a loop that keeps only its last values cannot be differentiated "
                          "(take the gradient before compiling)")
    bw = _Backward(op, inputs, outputs, output_grads)
    info = bw.states()
    if not info:
        return [disconnected_type() for _ in inputs]
    res, _ = scan(bw.step, sequences=bw.sequences(), outputs_info=info, non_sequences=list(bw.nonseqs),
                  n_steps=bw.m, name=f"grad_of_{op.name or 'scan_fn'}", return_list=True)
    return bw.input_grads(res)


class _Backward:
    """The backward loop of one Scan node: what it reads, carries and returns (see the module doc)."""

    def __init__(self, op, inputs, outputs, output_grads):
        from .. import tensor as T

        self.op, self.outputs, self.output_grads = op, outputs, output_grads
        n_steps, self.seqs, self.inits, self.nonseqs = op.outer_split(list(inputs))
        nr, nn = op.n_rec, op.n_nit_sot
        self.n = _steps(op, outputs, n_steps, self.seqs)
        self.rec_f = [j for j in range(nr) if not op.is_object_state(j) and _is_float(outputs[j])]
        self.nit_f = [k for k in range(nn) if _is_float(outputs[nr + k])]
        self.seq_f = [i for i, s in enumerate(self.seqs) if _is_float(s)]
        self.ns_f = [k for k, w in enumerate(self.nonseqs) if _is_float(w)]
        self.trunc = op.truncate_gradient
        self.m = self.n if self.trunc < 0 else T.minimum(self.n, self.trunc)
        # float sequences first (their slices get gradients), then the integer ones (still read)
        order = self.seq_f + [i for i in range(len(self.seqs)) if i not in self.seq_f]
        self.xs_keys = [(i, q) for i in order for q in range(len(op.seq_taps[i]))]
        self.xs_f = [(i, q) for (i, q) in self.xs_keys if i in self.seq_f]
        self.ys_keys = [(j, q) for j in range(nr) if not op.is_object_state(j) for q in range(len(op.out_taps[j]))]
        self.v_keys = [(j, q) for j in self.rec_f for q in range(len(op.out_taps[j]))]
        self.obj_vals = {j: self.inits[j] for j in range(nr) if op.is_object_state(j)}

    def _rev(self, x):
        """Forward-aligned (n, ...) -> the last m entries, latest first."""
        return x[::-1][:self.m] if self.trunc >= 0 else x[::-1]

    def sequences(self):
        """Slices of the sequences, tap values of the states, then the output gradients."""
        from .. import tensor as T

        op, n = self.op, self.n
        out = []
        for i, q in self.xs_keys:
            lo, tap = op.seq_taps[i][0], op.seq_taps[i][q]
            out.append(self._rev(self.seqs[i][tap - lo:tap - lo + n]))
        full = {}
        for j, q in self.ys_keys:
            lead = -op.out_taps[j][0]
            if j not in full:
                full[j] = T.concatenate([self.inits[j][:lead], self.outputs[j]], axis=0)
            tap = op.out_taps[j][q]
            out.append(self._rev(full[j][lead + tap:lead + tap + n]))
        out += [self._rev(self.output_grads[j]) for j in self.rec_f]
        out += [self._rev(self.output_grads[op.n_rec + k]) for k in self.nit_f]
        return out

    def states(self):
        """One state per tap of each float state, one accumulator per float non-sequence, then the
        sequence slices' gradients (not fed back)."""
        from .. import tensor as T

        info = []
        for j, q in self.v_keys:
            tap, x0 = self.op.out_taps[j][q], self.inits[j]
            z = _zeros(x0.dtype, -tap, [x0.shape[d] for d in range(1, x0.ndim)])
            info.append(dict(initial=z[0] if tap == -1 else z, taps=[tap]))  # taps [-1]: the value itself
        info += [T.zeros_like(self.nonseqs[k]) for k in self.ns_f]
        return info + [None] * len(self.xs_f) if info or self.xs_f else []

    def step(self, *args):
        """One backward step: the step's graph on this step's values, pulled back from its cotangents."""
        from .. import tensor as T
        from ..gradient.reverse import grad

        op, it = self.op, iter(args)
        xs = {key: next(it) for key in self.xs_keys}
        ys = {key: next(it) for key in self.ys_keys}
        gy = {j: next(it) for j in self.rec_f}
        gz = {k: next(it) for k in self.nit_f}
        vs = {key: next(it) for key in self.v_keys}
        accs = [next(it) for _ in self.ns_f]
        slices_in, taps_in, ns_in = op.inner_split()
        mapping = {ph: xs[(i, q)] for i, sl in enumerate(slices_in) for q, ph in enumerate(sl)}
        for j, tp in enumerate(taps_in):
            for q, ph in enumerate(tp):
                mapping[ph] = self.obj_vals[j] if op.is_object_state(j) else ys[(j, q)]
        mapping.update(zip(ns_in, self.nonseqs))
        outs = _substitute(op.inner_outputs[:op.n_rec + op.n_nit_sot], mapping)
        terms = []
        for j in self.rec_f:
            cot = gy[j]
            for q in range(len(op.out_taps[j])):
                cot = cot + vs[(j, q)]
            terms.append(T.sum(outs[j] * cot))
        terms += [T.sum(outs[op.n_rec + k] * gz[k]) for k in self.nit_f]
        wrt = [ys[key] for key in self.v_keys] + [self.nonseqs[k] for k in self.ns_f] + [xs[key] for key in self.xs_f]
        if not terms or not wrt:
            gs = [T.zeros_like(w) for w in wrt]
        else:
            cost = terms[0] if len(terms) == 1 else T.add(*terms)
            gs = grad(cost, wrt, disconnected_inputs="ignore", return_disconnected="zero", add_names=False)
        nv, na = len(self.v_keys), len(self.ns_f)
        return list(gs[:nv]) + [a + g for a, g in zip(accs, gs[nv:nv + na])] + list(gs[nv + na:])

    def _forward_order(self, h):
        """A backward history (m, ...) -> forward steps 0..n-1, zeros where truncated."""
        from .. import tensor as T

        h = h[::-1]
        if self.trunc < 0:
            return h
        return T.concatenate([_zeros(h.dtype, self.n - self.m, [h.shape[d] for d in range(1, h.ndim)]), h], axis=0)

    def input_grads(self, res):
        """The gradients of the Scan node's inputs from the backward loop's outputs."""
        from .. import tensor as T

        op, n = self.op, self.n
        nv, na = len(self.v_keys), len(self.ns_f)
        v_res, acc_res, xs_res = res[:nv], res[nv:nv + na], res[nv + na:]
        g_in = [disconnected_type()]  # n_steps
        for i, s in enumerate(self.seqs):
            if i not in self.seq_f:
                g_in.append(disconnected_type())
                continue
            g, lo = T.zeros_like(s), op.seq_taps[i][0]
            for q, tap in enumerate(op.seq_taps[i]):
                g = T.inc_subtensor(g[tap - lo:tap - lo + n], self._forward_order(xs_res[self.xs_f.index((i, q))]))
            g_in.append(g)
        for j in range(op.n_rec):
            if j not in self.rec_f:
                g_in.append(disconnected_type())
                continue
            g, lead = T.zeros_like(self.inits[j]), -op.out_taps[j][0]
            for q, tap in enumerate(op.out_taps[j]):
                h = self._forward_order(v_res[self.v_keys.index((j, q))])[:-tap]  # steps t < -tap read before 0
                g = T.inc_subtensor(g[lead + tap:lead + tap + h.shape[0]], h)
            g_in.append(g)
        for k in range(len(self.nonseqs)):  # the accumulator's last value; its zeros after no step
            g_in.append(acc_res[self.ns_f.index(k)][-1:].sum(axis=0) if k in self.ns_f else disconnected_type())
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

