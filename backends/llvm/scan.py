"""Scan loops in LLVM: the whole loop is one JIT-compiled function.

When the inner graph of a loop lowers to a single fused elementwise step
(``x * A``, ``a * x + b``, a polynomial's terms, ...), the loop over the steps
is generated as IR around that step's row function: each iteration points
the operands at the current sequence rows, the ring-buffer slots of the
states and the non-sequences, and calls the row.  Python sets up the
buffers and calls the loop once; no Python runs per iteration.  Anything
else (more steps in the body, until(), 2-d and higher states, a failing step)
runs the reference loop over the inner function the backend compiled.
"""
from __future__ import annotations

import ctypes

import numpy as np
from llvmlite import ir

from arignote.backends import lowering as lw
from arignote.fg import FunctionGraph
from arignote.scan.loop import _Ring, n_steps_of, run_loop

from . import jit
from .irtypes import I32, I64, I64P, I8P, const
from .loops import build_loop

_WRAP = 1 << 62  # the "modulus" of operands that never wrap around


def compile_scan(backend, op, mode):
    """A runner ``run(outer input values) -> outer output values`` for ``op`` on this backend,
    native when its body is one elementwise step; None when the backend should use its default."""
    if op.as_while or any(t is None for t in op.out_taps):
        return None
    fg = FunctionGraph(op.inner_inputs, op.inner_outputs, clone=True)
    if mode is not None:
        mode.optimize(fg, skip_phases=getattr(backend, "skip_phases", ()))
    from .backend import lowering_target

    target = jit.get_target()
    try:
        program = lw.lower(fg, lowering_target(target, fg))
    except Exception:  # a body the lowering refuses: the reference loop
        return None
    plan = _plan(op, fg, program)
    if plan is None:
        return None
    step, operands = plan
    fn = _build(step, len(operands), target)
    reference = backend.compile(fg)
    return _Runner(op, step, operands, fn, reference, program)


def _plan(op, fg, program):
    """(the LoopStep, operand sources) when the body is one elementwise step of rank <= 1."""
    if len(program.steps) != 1 or not isinstance(program.steps[0], lw.LoopStep):
        return None
    step = program.steps[0]
    if step.ndim > 1 or list(step.outputs) != list(fg.outputs) or len(set(fg.outputs)) != len(fg.outputs):
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
    """``i32 loop(i64 n, i8** base, i64* step, i64* off, i64* mod, i64 len, i64* strides)``."""
    module = ir.Module(name="arignote_scan")
    row = build_loop(module, "scan_row", step, target.kernel_ctx)
    fnty = ir.FunctionType(I32, (I64, I8P.as_pointer(), I64P, I64P, I64P, I64, I64P))
    fn = ir.Function(module, fnty, "scan_loop")
    n, base_p, step_p, off_p, mod_p, length, strides = fn.args
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    ptrs = b.alloca(I8P, size=const(I64, nops))
    err = b.alloca(I32)
    b.store(const(I32, 0), err)
    t = b.alloca(I64)
    b.store(const(I64, 0), t)
    bases = [b.load(b.gep(base_p, [const(I64, k)])) for k in range(nops)]
    steps = [b.load(b.gep(step_p, [const(I64, k)])) for k in range(nops)]
    mods = [b.load(b.gep(mod_p, [const(I64, k)])) for k in range(nops)]
    idx = []
    for k in range(nops):
        slot = b.alloca(I64)
        b.store(b.load(b.gep(off_p, [const(I64, k)])), slot)
        idx.append(slot)
    head, body, done, fail = (fn.append_basic_block(x) for x in ("head", "body", "done", "fail"))
    b.branch(head)
    b.position_at_end(head)
    b.cbranch(b.icmp_signed("<", b.load(t), n), body, done)
    b.position_at_end(body)
    for k in range(nops):
        b.store(b.gep(bases[k], [b.mul(b.load(idx[k]), steps[k])]), b.gep(ptrs, [const(I64, k)]))
    b.call(row, [length, ptrs, strides, err])
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
    proto = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_int64, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p,
                             ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p)
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
        rc = self.fn(n, *[a.ctypes.data for a in arrays[:4]], arrays[4], arrays[5].ctypes.data)
        if rc != 0:  # a step failed: the reference raises the error NumPy would
            return run_loop(op, self.reference, inputs)
        out = []
        for j, r in enumerate(rings):
            out.append(r.result(r.lead + n, None, None) if op.store[j] else r.buf[r.lead:r.lead + n])
        return out

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
        strides = np.zeros(nops, dtype=np.int64)
        length = shape[0] if nd == 1 else 1
        for kk, (kind, src) in enumerate(self.operands):
            if kind == "out":
                r = all_rings[src]
                base[kk], stp[kk] = r.buf.ctypes.data, r.buf.strides[0]
                off[kk], mod[kk] = r.lead % r.slots, r.slots
                inner_stride = r.buf.strides[1] if nd == 1 else 0
            elif kind == "const":
                arr = src
                base[kk] = arr.ctypes.data
                inner_stride = arr.strides[0] if nd == 1 and arr.ndim == 1 else 0
            else:
                w = where[src]
                if w[0] == "seq":
                    s = seqs[w[1]]
                    base[kk], stp[kk], off[kk] = s.ctypes.data, s.strides[0], w[2]
                    inner_stride = s.strides[1] if nd == 1 else 0
                elif w[0] == "tap":
                    r = rings[w[1]]
                    base[kk], stp[kk] = r.buf.ctypes.data, r.buf.strides[0]
                    off[kk], mod[kk] = w[2] % r.slots, r.slots
                    inner_stride = r.buf.strides[1] if nd == 1 else 0
                else:
                    arr = w[1]
                    base[kk] = arr.ctypes.data
                    inner_stride = arr.strides[0] if nd == 1 else 0
            broadcast = kk < len(step.inputs) and nd == 1 and step.bcast[kk][0]
            strides[kk] = 0 if broadcast else inner_stride
        return all_rings, (base, stp, off, mod, length, strides)
