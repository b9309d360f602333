"""Scan loops in LLVM: the whole loop is one JIT-compiled function.

When the inner graph of a loop lowers to a single fused elementwise step
(``x * A``, ``a * x + b``, a polynomial's terms, ...), the loop over the steps
is generated as IR around that step's row function: each iteration points
the operands at the current sequence rows, the ring-buffer slots of the
states and the non-sequences, and calls the row.  Python sets up the
buffers and calls the loop once; no Python runs per iteration, and Ctrl-C
is checked every 8192 steps.  A failing step reruns the reference loop, which
raises NumPy's error.  Every other body (several steps, dots, reductions,
until(), nodes without a rendering) runs in one native entry (scan_entry.py).
"""
from __future__ import annotations

import ctypes

import numpy as np
from llvmlite import ir

from arignote.backends import lowering as lw
from arignote.fg import FunctionGraph
from arignote.scan.loop import _Ring, n_steps_of, run_loop
from arignote.scan.op import prepare_inner

from . import jit, scan_entry
from .irtypes import I32, I64, I64P, I8P, const, declare
from .loops import build_loop, counted_loop

_WRAP = 1 << 62  # the "modulus" of operands that never wrap around
_INTERRUPTED = -1  # the loop's return code when a signal handler raised (its error is set)


def compile_scan(backend, op, mode):
    """A runner ``run(outer input values) -> outer output values`` for ``op`` on this backend,
    native when its body is one elementwise step; None when the backend should use its default."""
    if any(t is None for t in op.out_taps):
        return None
    fg = FunctionGraph(op.inner_inputs, op.inner_outputs, clone=True)
    if mode is not None:
        mode.optimize(fg, skip_phases=getattr(backend, "skip_phases", ()))
    prepare_inner(fg, backend, mode)
    from .backend import lowering_target

    target = jit.get_target()
    try:
        program = lw.lower(fg, lowering_target(target, fg))
    except Exception:  # a body the lowering refuses: the reference loop
        return None
    reference = backend.compile(fg)
    plan = None if op.as_while else _plan(op, fg, program)
    if plan is None:
        if not scan_entry.supported(op, program):
            return None
        return _Loop(*scan_entry.compile_loop(backend, op, fg, program, reference))
    step, operands = plan
    fn = _build(step, len(operands), target)
    return _Runner(op, step, operands, fn, reference, program)


class _Loop:
    """Runs a whole loop in its native entry (scan_entry.py); ``python_nodes``: the inner nodes
    it calls back into Python for, one call per step each."""

    def __init__(self, native, python_nodes):
        self.native, self.python_nodes = native, python_nodes

    def __call__(self, inputs):
        inputs = list(inputs)
        inputs[0] = np.asarray(inputs[0], dtype=np.int64)
        return self.native(inputs)


def _plan(op, fg, program):
    """(the LoopStep, operand sources) when the body is one fused elementwise step."""
    if len(program.steps) != 1 or not isinstance(program.steps[0], lw.LoopStep):
        return None
    step = program.steps[0]
    if list(step.outputs) != list(fg.outputs) or len(set(fg.outputs)) != len(fg.outputs):
        return None
    pos = {v: i for i, v in enumerate(fg.inputs)}
    operands = []
    for v in step.inputs:
        if v in pos:
            operands.append(("in", pos[v]))
        elif v in program.constants:
            operands.append(("const", np.ascontiguousarray(program.constants[v])))
        else:
            return None
    operands += [("out", j) for j in range(len(fg.outputs))]
    return step, operands


def _build(step, nops, target):
    """``i32 loop(i64 n, i8** base, i64* step, i64* off, i64* mod, i64* shape, i64* strides)``: n steps;
    operand k of step t starts at base[k] + idx * step[k] (idx from off[k], wrapping at mod[k]);
    ``strides`` holds [axis][operand] byte strides of the step's ``shape`` (nd >= 1; one row of
    zeros for nd = 0), the last axis being the row function's."""
    nd = step.ndim
    module = ir.Module(name="arignote_scan")
    row = build_loop(module, "scan_row", step, target.kernel_ctx)
    fnty = ir.FunctionType(I32, (I64, I8P.as_pointer(), I64P, I64P, I64P, I64P, I64P))
    fn = ir.Function(module, fnty, "scan_loop")
    n, base_p, step_p, off_p, mod_p, shape_p, strides_p = fn.args
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    ptrs = b.alloca(I8P, size=const(I64, nops))
    err = b.alloca(I32)
    b.store(const(I32, 0), err)
    t = b.alloca(I64)
    b.store(const(I64, 0), t)

    def load(p, i):
        return b.load(b.gep(p, [const(I64, i)]))

    bases = [load(base_p, k) for k in range(nops)]
    steps = [load(step_p, k) for k in range(nops)]
    mods = [load(mod_p, k) for k in range(nops)]
    shape = [load(shape_p, d) for d in range(max(nd, 1))]
    outer = [[load(strides_p, d * nops + k) for k in range(nops)] for d in range(nd - 1)]
    inner = b.gep(strides_p, [const(I64, max(nd - 1, 0) * nops)])
    idx = []
    for k in range(nops):
        slot = b.alloca(I64)
        b.store(load(off_p, k), slot)
        idx.append(slot)

    def level(d, cur):  # the outer axes as nested loops, the last one through the row function
        if d >= nd - 1:
            for k in range(nops):
                b.store(cur[k], b.gep(ptrs, [const(I64, k)]))
            b.call(row, [shape[-1] if nd else const(I64, 1), ptrs, inner, err])
            return
        counted_loop(b, fn, const(I64, 0), shape[d], const(I64, 1),
                     lambda i: level(d + 1, [b.gep(cur[k], [b.mul(i, outer[d][k])]) for k in range(nops)]),
                     f"axis{d}")

    head, body, done, fail = (fn.append_basic_block(x) for x in ("head", "body", "done", "fail"))
    b.branch(head)
    b.position_at_end(head)
    b.cbranch(b.icmp_signed("<", b.load(t), n), body, done)
    b.position_at_end(body)
    every = const(I64, scan_entry.SIGNAL_EVERY - 1)
    with b.if_then(b.icmp_signed("==", b.and_(b.load(t), every), every), likely=False):  # Ctrl-C stops a long loop
        rc = b.call(declare(module, "PyErr_CheckSignals", I32, []), [])
        with b.if_then(b.icmp_signed("<", rc, const(I32, 0)), likely=False):
            b.ret(const(I32, _INTERRUPTED))
    level(0, [b.gep(bases[k], [b.mul(b.load(idx[k]), steps[k])]) for k in range(nops)])
    nxt = fn.append_basic_block("next")
    b.cbranch(b.icmp_signed("!=", b.load(err), const(I32, 0)), fail, nxt)
    b.position_at_end(nxt)
    for k in range(nops):
        i = b.add(b.load(idx[k]), const(I64, 1))
        b.store(b.select(b.icmp_signed("==", i, mods[k]), const(I64, 0), i), idx[k])
    b.store(b.add(b.load(t), const(I64, 1)), t)
    b.branch(head)
    b.position_at_end(done)
    b.ret(const(I32, 0))
    b.position_at_end(fail)
    b.ret(b.load(err))
    compiled = jit.compile_ir(str(module), target, name="scan_loop")
    # with the GIL held (PYFUNCTYPE): the loop checks for signals, and ctypes raises the error they set
    proto = ctypes.PYFUNCTYPE(ctypes.c_int32, ctypes.c_int64, *([ctypes.c_void_p] * 6))
    native = proto(compiled.address("scan_loop"))
    native.compiled = compiled  # keeps the engine alive
    return native


class _Runner:
    """Sets up the buffers of one call, runs the native loop, and falls back to the reference."""

    def __init__(self, op, step, operands, fn, reference, program):
        self.op, self.step, self.operands, self.fn, self.reference = op, step, operands, fn, reference
        self.program = program  # keeps the lowered constants alive

    def __call__(self, inputs):
        op = self.op
        _, seqs, inits, nonseqs = op.outer_split(list(inputs))
        n = n_steps_of(op, int(inputs[0]), seqs)
        setup = self._setup(n, seqs, inits, nonseqs) if n > 0 else None
        if setup is None:
            return run_loop(op, self.reference, inputs)
        rings, arrays = setup
        rc = self.fn(n, *[a.ctypes.data for a in arrays])
        if rc != 0:  # a step failed: the reference raises the error NumPy would
            return run_loop(op, self.reference, inputs)
        return [r.result(r.lead + n) for r in rings]

    def _setup(self, n, seqs, inits, nonseqs):
        op, step = self.op, self.step
        slices, taps_in, _ = op.inner_split()
        where = {}  # inner input index -> (kind, data)
        k = 0
        for i, taps in enumerate(op.seq_taps):
            for tap in taps:
                where[k] = ("seq", i, tap - taps[0])
                k += 1
        rings = []
        for j, taps in enumerate(op.out_taps):
            x0 = inits[j]
            lead = -taps[0]
            if x0.shape[0] < lead:
                return None
            rings.append(_Ring(x0, lead + n, op.store[j], lead))
            for tap in taps:
                where[k] = ("tap", j, lead + tap)
                k += 1
        for w in nonseqs:
            where[k] = ("ns", w)
            k += 1
        # the per-step shape of every operand, then the broadcast shape of the step
        shapes = []
        for kind, src in self.operands:
            if kind == "const":
                shapes.append(src.shape)
            elif kind == "in":
                w = where[src]
                shapes.append(seqs[w[1]].shape[1:] if w[0] == "seq" else rings[w[1]].shape if w[0] == "tap"
                              else np.shape(w[1]))
        try:
            shape = np.broadcast_shapes(*shapes) if shapes else ()
        except ValueError:
            return None
        nd = step.ndim
        for kk, s in enumerate(shapes):
            if len(s) != nd or any(not step.bcast[kk][d] and s[d] != shape[d] for d in range(nd)):
                return None
        for j, r in enumerate(rings):
            if tuple(r.shape) != tuple(shape):
                return None  # the step would change the state's shape: the reference names it
        nit = []
        for q in range(op.n_nit_sot):
            r = _Ring(None, n, op.store[op.n_rec + q], 0)
            r.shape = tuple(shape)
            r._alloc(op.inner_outputs[op.n_rec + q].type.dtype)
            nit.append(r)
        all_rings = rings + nit
        nops = len(self.operands)
        base = np.zeros(nops, dtype=np.uintp)
        stp = np.zeros(nops, dtype=np.int64)
        off = np.zeros(nops, dtype=np.int64)
        mod = np.full(nops, _WRAP, dtype=np.int64)
        strides = np.zeros((max(nd, 1), nops), dtype=np.int64)
        for kk, (kind, src) in enumerate(self.operands):
            if kind == "out":
                r = all_rings[src]
                base[kk], stp[kk], off[kk], mod[kk] = r.buf.ctypes.data, r.buf.strides[0], r.lead % r.slots, r.slots
                st = r.buf.strides[1:]
            elif kind == "const":
                base[kk], st = src.ctypes.data, src.strides
            else:
                w = where[src]
                if w[0] == "seq":
                    s = seqs[w[1]]
                    base[kk], stp[kk], off[kk], st = s.ctypes.data, s.strides[0], w[2], s.strides[1:]
                elif w[0] == "tap":
                    r = rings[w[1]]
                    base[kk], stp[kk] = r.buf.ctypes.data, r.buf.strides[0]
                    off[kk], mod[kk], st = w[2] % r.slots, r.slots, r.buf.strides[1:]
                else:
                    base[kk], st = w[1].ctypes.data, w[1].strides
            for d in range(nd):
                broadcast = kk < len(step.inputs) and step.bcast[kk][d]
                strides[d, kk] = 0 if broadcast else st[d]
        dims = np.array(shape if nd else (1,), dtype=np.int64)
        return all_rings, (base, stp, off, mod, dims, strides)
