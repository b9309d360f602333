"""The reference loop of Scan: one call of the compiled inner graph per step.

Recurrent outputs live in buffers holding their initial taps then their
history; an output that keeps only its last k entries (``store``) lives in a
ring of max(k, taps + 1) slots, so a million steps of a vector need two
vectors of memory, not a million.
"""
from __future__ import annotations

import copy

import numpy as np

_GENERATORS = (np.random.RandomState, np.random.Generator)


class _Ring:
    """Values of one output at positions 0, 1, 2, ... (initial taps first), all or the last few."""

    def __init__(self, init, total, keep, lead):
        self.lead = lead              # initial entries before step 0
        self.keep = keep              # 0: every entry; else how many of the last ones to return
        self.slots = total if keep == 0 else min(total, max(keep, lead + 1))
        self.buf = None
        self.shape = None
        if init is not None:
            self.shape = init.shape[1:]
            self._alloc(init.dtype)
            for m in range(lead):
                self.buf[m % self.slots] = init[m]

    def _alloc(self, dtype):
        self.buf = np.empty((max(self.slots, 1),) + tuple(self.shape), dtype=dtype)

    def get(self, m):
        return self.buf[m % self.slots, ...]

    def put(self, m, value, dtype, what, step):
        if self.buf is None:
            self.shape = np.shape(value)
            self._alloc(dtype)
        elif np.shape(value) != self.shape:
            raise ValueError(f"scan: {what} has shape {np.shape(value)} at step {step}, but "
                             f"{'its initial state' if step == 0 or self.lead else 'earlier steps'} had shape "
                             f"{self.shape}; every step must give the same shape")
        self.buf[m % self.slots] = value

    def result(self, count, dtype=None, shape_hint=()):
        """The history: entries lead..count-1, or the last ``keep`` of them (never an initial tap:
        ``out[-1]`` after no step is out of range, as it is on the whole history)."""
        if self.buf is None:  # no step ran: an empty history of the type's shape
            return np.empty((0,) + tuple(0 if s is None else s for s in shape_hint), dtype=dtype)
        if self.keep == 0:
            return self.buf[self.lead:count]
        first = max(self.lead, count - self.keep)
        return self.buf[[m % self.slots for m in range(first, count)]]


def n_steps_of(op, n_req, seqs):
    """The number of steps: ``n_req`` (-1: unbounded) limited by the sequences, with errors."""
    n = None if n_req < 0 else int(n_req)
    if n_req < -1:
        raise ValueError(f"scan: n_steps is negative ({n_req}); give a number of steps >= 0")
    for i, (s, taps) in enumerate(zip(seqs, op.seq_taps)):
        span = taps[-1] - taps[0]
        avail = s.shape[0] - span
        if avail < 0:
            raise ValueError(f"scan: {op.seq_names[i]} has {s.shape[0]} entries, fewer than its taps {list(taps)} "
                             f"need for one step ({span + 1})")
        if n is None:
            n = avail
        elif n_req >= 0 and avail < n_req:
            raise ValueError(f"scan: {op.seq_names[i]} has {s.shape[0]} entries, which covers {avail} steps with "
                             f"taps {list(taps)}, but n_steps is {n_req}")
        else:
            n = min(n, avail)
    if n is None:
        raise ValueError("scan: the number of steps is unknown: give n_steps or a sequence")
    return n


def run_loop(op, thunk, inputs):
    """Run ``op``'s loop on the outer input values; returns the outer output values."""
    n_req = int(inputs[0])
    _, seqs, inits, nonseqs = op.outer_split(list(inputs))
    n = n_steps_of(op, n_req, seqs)
    nr, nn = op.n_rec, op.n_nit_sot
    rec_types = [o.type for o in op.inner_outputs[:nr]]
    nit_types = [o.type for o in op.inner_outputs[nr:nr + nn]]
    rings, objects = [], {}
    for j, (taps, x0) in enumerate(zip(op.out_taps, inits)):
        if taps is None:
            # a generator state is advanced in place by the steps (see ScanOp._consumed_states): copy the caller's
            objects[j] = copy.deepcopy(x0) if isinstance(x0, _GENERATORS) else x0
            rings.append(None)
            continue
        lead = -taps[0]
        if x0.shape[0] < lead:
            raise ValueError(f"scan: the initial value of {op.out_names[j]} has {x0.shape[0]} entries along its "
                             f"first axis, but its taps {list(taps)} need {lead}")
        rings.append(_Ring(x0, lead + n, op.store[j], lead))
    nit = [_Ring(None, n, op.store[nr + k], 0) for k in range(nn)]
    # per step: sequence index offsets, then ring positions of the taps
    seq_plan = [(s, [tap - taps[0] for tap in taps]) for s, taps in zip(seqs, op.seq_taps)]
    tap_plan = [(j, rings[j], [rings[j].lead + tap for tap in taps]) if taps is not None else (j, None, None)
                for j, taps in enumerate(op.out_taps)]
    rec_dtypes = [getattr(t, "dtype", None) for t in rec_types]  # a generator state has none
    nit_dtypes = [t.dtype for t in nit_types]
    done = n
    for t in range(n):
        args = []
        for s, offs in seq_plan:
            args.extend(s[t + o, ...] for o in offs)
        for j, ring, pos in tap_plan:
            if ring is None:
                args.append(objects[j])
            else:
                args.extend(ring.get(t + p) for p in pos)
        args.extend(nonseqs)
        outs = thunk(args)
        for j in range(nr):
            ring = rings[j]
            if ring is None:
                objects[j] = outs[j]
            else:
                ring.put(ring.lead + t, outs[j], rec_dtypes[j], op.out_names[j], t)
        for k in range(nn):
            nit[k].put(t, outs[nr + k], nit_dtypes[k], op.out_names[nr + k], t)
        if op.as_while and bool(outs[-1]):
            done = t + 1
            break
    result = []
    for j, ring in enumerate(rings):
        result.append(objects[j] if ring is None else ring.result(ring.lead + done, rec_dtypes[j], rec_types[j].shape))
    for k, ring in enumerate(nit):
        result.append(ring.result(done, nit_dtypes[k], nit_types[k].shape))
    return result
