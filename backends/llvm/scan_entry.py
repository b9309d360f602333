"""Scan loops in LLVM with any lowered body: the whole loop is one native entry.

``loop(list of outer inputs)`` reads n_steps, the sequences, the initial
states and the non-sequences, works out the number of steps, allocates the
ring buffers (all steps, or the last few where the memory rule set
``store``), copies the initial taps in, and then, per step, points the inner
inputs at the current sequence rows and ring slots, runs the inner
program's steps (steps.py, the same renderers as a graph's entry), copies
the step's outputs into their slots and tests the until() condition.  It
returns the histories (views of the rings, or the kept last entries).

An inner node without an LLVM rendering calls its Python ``perform`` for that
node only (its inputs passed as arrays over the loop's memory).  Anything
unusual (no step, lengths that do not fit, a step changing a state's shape,
a failing check) takes the slow path: the reference loop, which gives
Theano's results and errors.  Ctrl-C is checked every 8192 steps.
"""
from __future__ import annotations

import numpy as np
from llvmlite import ir

from arignote.backends import lowering as lw
from arignote.types import TensorType

from . import backend as lb
from . import capi
from .entry import NVal, PyObj, fill_table
from .indexing import copy_kernel
from .irtypes import I1, I8, I8P, I32, I64, I64P, const
from .loops import counted_loop
from .steps import NATIVE_STEPS, SegmentBuilder, Segment, alloc_kind

SIGNAL_EVERY = 8192  # steps between two checks for Ctrl-C
_ALLOCATING = (lw.LoopStep, lw.ReduceStep, lw.DotStep)  # steps whose outputs are always new memory


def supported(op, program):
    """Whether every value the loop moves is a tensor the entry can hold (no object states)."""
    if program.containers or any(t is None for t in op.out_taps):
        return False
    fg = program.fgraph
    if not all(isinstance(v.type, TensorType) for v in list(fg.inputs) + list(fg.outputs)):
        return False
    return all(isinstance(v.type, TensorType) for s in program.steps for v in s.outputs)


class ScanBuilder(SegmentBuilder):
    """The entry of one Scan op: the loop around its inner program's steps."""

    repeats_sites = True  # the body's steps run once per iteration

    def __init__(self, module, target, name, op, program):
        index = program.index()
        super().__init__(module, target, name, program, Segment(program.steps, [], [], True), index, "slow")
        self.op = op
        self.loop_mem: list = []  # allocas of scratch blocks reused by every step, freed at the end
        self.held: list = []  # allocas of Python objects a step holds until its next run
        self.calls: list = []  # Python callables of the inner nodes without a rendering
        self.python_nodes: list = []  # those nodes
        self.place: dict = {}  # body output -> the ring slot it is computed into
        self.placed: set = set()  # those that were

    # ------------------------------------------------------------ memory
    def _allocate_mem(self, nbytes):
        """Scratch memory of ``nbytes`` for one site of the body: grown when too small, kept across steps."""
        b = self.b
        slot, cap = self._alloca(I8P, ir.Constant(I8P, None)), self._alloca(I64, const(I64, 0))
        self.loop_mem.append(slot)
        small = b.or_(b.icmp_signed("<", b.load(cap), nbytes), b.icmp_unsigned("==", b.load(slot), ir.Constant(I8P, None)))
        with b.if_then(small, likely=False):
            b.call(self.pyfn("free", ir.VoidType(), [I8P]), [b.load(slot)])
            b.store(ir.Constant(I8P, None), slot)
            new = b.call(self.pyfn("malloc", I8P, [I64]), [nbytes])
            self.go_slow_if(b.icmp_unsigned("==", new, ir.Constant(I8P, None)))
            b.store(new, slot)
            b.store(nbytes, cap)
        return b.load(slot)

    def _hold(self):
        slot = self._alloca(PyObj, ir.Constant(PyObj, None))
        self.held.append(slot)
        return slot

    def _release(self, slot):
        b = self.b
        o = b.load(slot)
        with b.if_then(b.icmp_unsigned("!=", o, ir.Constant(PyObj, None))):
            self.decref(o)
            b.store(ir.Constant(PyObj, None), slot)

    def _cleanup(self):
        super()._cleanup()
        b = self.b
        for slot in self.loop_mem:
            b.call(self.pyfn("free", ir.VoidType(), [I8P]), [b.load(slot)])
            b.store(ir.Constant(I8P, None), slot)
        for slot in self.held:
            self._release(slot)

    # ------------------------------------------------- Python nodes
    def run_fallback(self, step, kinds):
        """Call the step's nodes' perform through Python, on arrays over this step's values."""
        b = self.b
        ins = [v for v in step.inputs if v in self.vals]
        self.calls.append(_node_runner(step, ins, self.program))
        self.python_nodes.extend(step.nodes)
        res_slot, args_slot = self._hold(), self._hold()
        self._release(res_slot)  # the previous step's results
        lst = b.call(self.pyfn("PyList_New", PyObj, [I64]), [const(I64, len(ins))])
        self.go_slow_if(b.icmp_unsigned("==", lst, ir.Constant(PyObj, None)))
        b.store(lst, args_slot)
        setitem = self.pyfn("PyList_SetItem", I32, [PyObj, I64, PyObj])
        for i, v in enumerate(ins):
            arr = self._array_over(self.vals[v])
            self.go_slow_if(b.icmp_unsigned("==", arr, ir.Constant(PyObj, None)))
            b.call(setitem, [lst, const(I64, i), arr])  # the list takes the reference
        call = self.pyfn("PyObject_CallFunctionObjArgs", PyObj, [PyObj], var_arg=True)
        res = b.call(call, [self.rt.load(b, ("call", len(self.calls) - 1)), lst, ir.Constant(PyObj, None)])
        self._release(args_slot)
        self.go_slow_if(b.icmp_unsigned("==", res, ir.Constant(PyObj, None)))  # its error is raised
        b.store(res, res_slot)
        get = self.pyfn("PyList_GetItem", PyObj, [PyObj, I64])
        for i, o in enumerate(step.outputs):
            self.vals[o] = self.check_array(o, b.call(get, [res, const(I64, i)]))

    def _array_over(self, v):
        """A new NumPy array over ``v``'s memory (no owner: it lives while this step runs)."""
        b = self.b
        nd = len(v.shape)
        dims, strd = self._alloca(I64, count=max(nd, 1)), self._alloca(I64, count=max(nd, 1))
        for d in range(nd):
            b.store(v.shape[d], b.gep(dims, [const(I64, d)]))
            b.store(v.strides[d], b.gep(strd, [const(I64, d)]))
        descr = self.descr(v.dtype)
        self.incref(descr)
        new_t = ir.FunctionType(PyObj, [I8P, I8P, I32, I64P, I64P, I8P, I32, PyObj])
        newfn = b.bitcast(self.rt.load(b, "new"), new_t.as_pointer())
        return b.call(newfn, [self.rt.load(b, "ndarray"), descr, const(I32, nd), dims, strd, v.data,
                              const(I32, capi.NPY_ARRAY_WRITEABLE), ir.Constant(PyObj, None)])

    def allocate(self, var, shape, kind, fortran=None):
        """A body output that a ring takes is computed straight into this step's slot."""
        slot = self.place.get(var)
        if slot is None:
            return super().allocate(var, shape, kind, fortran)
        _check_shape(self, shape, slot.shape)  # a changed shape: the reference names it
        self.placed.add(var)
        return slot

    def kernel_call(self, kfn, shape, operands, strides_of):
        """One axis: the row function itself (the N-d walk costs more than a short row)."""
        if len(shape) != 1:
            return super().kernel_call(kfn, shape, operands, strides_of)
        b = self.b
        data, strd = self._alloca(I8P, count=len(operands)), self._alloca(I64, count=len(operands))
        for k, v in enumerate(operands):
            b.store(v.data, b.gep(data, [const(I64, k)]))
            b.store(strides_of(k)[0], b.gep(strd, [const(I64, k)]))
        with b.if_then(b.icmp_signed(">", shape[0], const(I64, 0))):
            b.call(kfn, [shape[0], data, strd, self.err])

    # ------------------------------------------------------------ helpers
    def load_i64(self, val):
        return self.b.load(self.b.bitcast(val.data, I64P))

    def copy_into(self, dst, src):
        """Copy ``src`` into the C-contiguous ``dst`` of the same shape."""
        b = self.b
        nd = len(src.shape)
        if nd == 0:
            size = const(I64, np.dtype(src.dtype).itemsize)
            memcpy = self.module.declare_intrinsic("llvm.memcpy", [I8P, I8P, I64])
            b.call(memcpy, [dst.data, src.data, size, const(I1, 0)])
            return
        self.kernel_call(copy_kernel(self, src.dtype, nd), src.shape, [src, dst],
                         lambda k: src.strides if k == 0 else dst.strides)


def _outer(t, lead):
    return TensorType(t.dtype, shape=(None,) * lead + tuple(t.shape))()


class _Ring:
    """A ring buffer in the entry: its buffer NVal, slots, slot bytes, the state's shape and strides."""

    def __init__(self, eb, var, state_shape, lead, keep, total, allocate=True):
        self.var, self.lead, self.keep = var, lead, keep
        self.geometry(eb, state_shape, total)
        if allocate:
            self.buf = eb.allocate(var, [self.slots] + self.shape, "obj")
            eb.vals[var] = self.buf

    def geometry(self, eb, state_shape, total):
        """Slots, slot bytes, the state's shape and C strides, computed where the builder stands."""
        b = eb.b
        self.shape = list(state_shape)
        self.strides, acc = [None] * len(state_shape), const(I64, np.dtype(self.var.type.dtype).itemsize)
        for d in reversed(range(len(state_shape))):
            self.strides[d] = acc
            acc = b.mul(acc, state_shape[d])
        self.slotbytes = acc
        if self.keep == 0:
            self.slots = total
        else:
            want = const(I64, max(self.keep, self.lead + 1))
            self.slots = b.select(b.icmp_signed("<", total, want), total, want)

    def bind(self, eb, data, obj):
        """Use the buffer at ``data`` (object ``obj``) allocated elsewhere."""
        self.buf = NVal(self.var.type.dtype, data, [self.slots] + self.shape, [self.slotbytes] + self.strides, obj=obj)
        eb.vals[self.var] = self.buf

    def slot(self, eb, m):
        """The NVal of position ``m`` (wrapping at the slots)."""
        return self.at(eb, eb.b.srem(m, self.slots))

    def at(self, eb, i):
        """The NVal of slot ``i``."""
        p = eb.b.gep(self.buf.data, [eb.b.mul(i, self.slotbytes)])
        return NVal(self.var.type.dtype, p, self.shape, self.strides)

    def cursor(self, eb, start, pre, cursors):
        """The slot of position ``start + t`` in step t: a counter (``start`` < slots, set in block
        ``pre``) that the loop moves on after each step, wrapping at the slots (no division per step)."""
        c = eb._alloca(I64)
        with eb.b.goto_block(pre):
            eb.b.store(const(I64, start), c)
        cursors.append((c, self.slots))

    def result(self, eb, count, var):
        """The NVal of the history returned for ``count`` positions (never an initial tap)."""
        b = eb.b
        lead = const(I64, self.lead)
        if self.keep == 0:
            data = b.gep(self.buf.data, [b.mul(lead, self.slotbytes)])
            return NVal(var.type.dtype, data, [b.sub(count, lead)] + self.shape, [self.slotbytes] + self.strides,
                        base=self.var)
        first = b.sub(count, const(I64, self.keep))
        first = b.select(b.icmp_signed("<", first, lead), lead, first)
        out = eb.allocate(var, [b.sub(count, first)] + self.shape, "obj")
        memcpy = eb.module.declare_intrinsic("llvm.memcpy", [I8P, I8P, I64])
        fn = eb.fn

        def one(m):
            dst = b.gep(out.data, [b.mul(b.sub(m, first), self.slotbytes)])
            b.call(memcpy, [dst, self.slot(eb, m).data, self.slotbytes, const(I1, 0)])

        counted_loop(b, fn, first, count, const(I64, 1), one, "keep")
        return out


def build(module, target, name, op, program):
    """Emit the loop entry of ``op`` (whose inner graph lowered to ``program``); returns its builder."""
    eb = ScanBuilder(module, target, name, op, program)
    b = eb.b
    zero, one = const(I64, 0), const(I64, 1)
    is_list = b.icmp_unsigned("==", eb.field(eb.arg, capi.OB_TYPE, I8P), eb.rt.load(b, "list"))
    eb.go_slow_if(b.not_(is_list))
    n_in = 1 + op.n_seqs + op.n_rec + op.n_nonseq
    size = b.call(eb.pyfn("PyList_Size", I64, [PyObj]), [eb.arg])
    eb.go_slow_if(b.icmp_signed("!=", size, const(I64, n_in)))
    fg = program.fgraph
    slices, taps_in, ns_in = op.inner_split(list(fg.inputs))
    # the outer inputs
    n_var = TensorType("int64", shape=())()
    nreq = eb.load_i64(eb.read_input(n_var, 0))
    seqs = [eb.read_input(_outer(sl[0].type, 1), 1 + i) for i, sl in enumerate(slices)]
    inits = [eb.read_input(_outer(tp[0].type, 1), 1 + op.n_seqs + j) for j, tp in enumerate(taps_in)]
    for k, v in enumerate(ns_in):
        eb.vals[v] = eb.read_input(_outer(v.type, 0), 1 + op.n_seqs + op.n_rec + k)
    for v, value in program.constants.items():
        if isinstance(v.type, TensorType) and isinstance(value, np.ndarray):
            eb.vals[v] = eb.read_constant(v, value)
    # the number of steps (the reference raises the errors of anything that does not fit)
    eb.go_slow_if(b.icmp_signed("<", nreq, const(I64, -1)))
    n = nreq
    for s, taps in zip(seqs, op.seq_taps):
        avail = b.sub(s.shape[0], const(I64, taps[-1] - taps[0]))
        short = b.and_(b.icmp_signed(">=", nreq, zero), b.icmp_signed("<", avail, nreq))
        eb.go_slow_if(b.or_(b.icmp_signed("<", avail, zero), short))
        n = b.select(b.or_(b.icmp_signed("<", n, zero), b.icmp_signed("<", avail, n)), avail, n)
    eb.go_slow_if(b.icmp_signed("<=", n, zero))
    # the rings of the recurrent outputs, with their initial taps
    rings = []
    for j, (taps, x0) in enumerate(zip(op.out_taps, inits)):
        lead = -taps[0]
        eb.go_slow_if(b.icmp_signed("<", x0.shape[0], const(I64, lead)))
        ring = _Ring(eb, _outer(taps_in[j][0].type, 1), x0.shape[1:], lead, op.store[j], b.add(n, const(I64, lead)))
        for m in range(lead):
            src = NVal(x0.dtype, b.gep(x0.data, [b.mul(const(I64, m), x0.strides[0])]), x0.shape[1:], x0.strides[1:])
            eb.copy_into(ring.slot(eb, const(I64, m)), src)
        rings.append(ring)
    # nit_sot rings take their shape from the first step
    nr, nn = op.n_rec, op.n_nit_sot
    nit_outs = fg.outputs[nr:nr + nn]
    nit_state = []
    for o in nit_outs:
        nd = o.type.ndim
        nit_state.append((eb._alloca(I8P, ir.Constant(I8P, None)), eb._alloca(PyObj, ir.Constant(PyObj, None)),
                          eb._alloca(I64, count=max(nd, 1))))
    kinds = {o: alloc_kind(o, set()) for s in program.steps for o in s.outputs}
    t_slot, done_slot = eb._alloca(I64, zero), eb._alloca(I64)
    b.store(n, done_slot)
    fn = eb.fn
    pre = b.block  # where the loop's cursors start
    write = []  # per recurrent output: the slot this step writes
    head, body, exit_ = (fn.append_basic_block(f"scan.{x}") for x in ("head", "body", "exit"))
    b.branch(head)
    b.position_at_end(head)
    t = b.load(t_slot)
    b.cbranch(b.icmp_signed("<", t, n), body, exit_)
    b.position_at_end(body)
    with b.if_then(b.icmp_signed("==", b.and_(t, const(I64, SIGNAL_EVERY - 1)), const(I64, SIGNAL_EVERY - 1)),
                   likely=False):  # Ctrl-C stops a long loop
        rc = b.call(eb.pyfn("PyErr_CheckSignals", I32, []), [])
        eb.go_slow_if(b.icmp_signed("<", rc, const(I32, 0)))
    # bind the inner inputs to this step's rows and slots
    for i, (s, taps) in enumerate(zip(seqs, op.seq_taps)):
        for q, tap in enumerate(taps):
            row = b.add(t, const(I64, tap - taps[0]))
            eb.vals[slices[i][q]] = NVal(s.dtype, b.gep(s.data, [b.mul(row, s.strides[0])]), s.shape[1:],
                                         s.strides[1:])
    cursors = []
    for j, taps in enumerate(op.out_taps):
        for q, tap in enumerate(taps):
            rings[j].cursor(eb, rings[j].lead + tap, pre, cursors)
        rings[j].cursor(eb, rings[j].lead, pre, cursors)
    k = 0
    for j, taps in enumerate(op.out_taps):
        for q in range(len(taps)):
            eb.vals[taps_in[j][q]] = rings[j].at(eb, b.load(cursors[k][0]))
            k += 1
        dst = rings[j].at(eb, b.load(cursors[k][0]))
        k += 1
        o = fg.outputs[j]
        if o not in eb.place and any(o in s.outputs for s in program.steps if isinstance(s, _ALLOCATING)):
            eb.place[o] = dst
        write.append(dst)
    for s in program.steps:
        if lb._is_native(s):
            NATIVE_STEPS.lookup(type(s))(eb, s, kinds)
        else:
            eb.run_fallback(s, kinds)
    # the step's outputs into their slots (a changed shape: the reference names it)
    for j, ring in enumerate(rings):
        o = eb.vals[fg.outputs[j]]
        _check_shape(eb, o.shape, ring.shape)
        if not (fg.outputs[j] in eb.placed and eb.place[fg.outputs[j]] is write[j]):
            eb.copy_into(write[j], o)
    nit_rings = []
    for k, (o_var, (data_p, obj_p, dims_p)) in enumerate(zip(nit_outs, nit_state)):
        o = eb.vals[o_var]
        nd = len(o.shape)
        with b.if_then(b.icmp_signed("==", t, zero)):
            for d in range(nd):
                b.store(o.shape[d], b.gep(dims_p, [const(I64, d)]))
        shape = [b.load(b.gep(dims_p, [const(I64, d)])) for d in range(nd)]
        _check_shape(eb, o.shape, shape)
        ring = _Ring(eb, _outer(o_var.type, 1), shape, 0, op.store[nr + k], n, allocate=False)
        with b.if_then(b.icmp_signed("==", t, zero)):
            buf = eb.allocate(ring.var, [ring.slots] + shape, "obj")
            b.store(buf.data, data_p)
            b.store(buf.obj, obj_p)
        ring.bind(eb, b.load(data_p), b.load(obj_p))
        eb.copy_into(ring.slot(eb, t), o)
        nit_rings.append((ring, data_p, obj_p, dims_p))
    nxt = fn.append_basic_block("scan.next")
    if op.as_while:
        stop = fn.append_basic_block("scan.stop")
        cond = b.load(eb.vals[fg.outputs[-1]].data)
        b.cbranch(b.icmp_unsigned("!=", cond, const(I8, 0)), stop, nxt)
        b.position_at_end(stop)
        b.store(b.add(t, one), done_slot)
        b.branch(exit_)
    else:
        b.branch(nxt)
    b.position_at_end(nxt)
    b.store(b.add(t, one), t_slot)
    for c, slots in cursors:
        i = b.add(b.load(c), one)
        b.store(b.select(b.icmp_signed("==", i, slots), zero, i), c)
    b.branch(head)
    # the histories
    b.position_at_end(exit_)
    done = b.load(done_slot)
    results = []
    for j, ring in enumerate(rings):
        var = _outer(taps_in[j][0].type, 1)
        eb.vals[var] = ring.result(eb, b.add(done, const(I64, ring.lead)), var)
        results.append(var)
    for ring, data_p, obj_p, dims_p in nit_rings:  # values of the loop body do not reach here: reload
        ring.geometry(eb, [b.load(b.gep(dims_p, [const(I64, d)])) for d in range(len(ring.shape))], n)
        ring.bind(eb, b.load(data_p), b.load(obj_p))
        var = _outer(ring.var.type, 0)
        eb.vals[var] = ring.result(eb, done, var)
        results.append(var)
    eb.finish_direct(results)
    eb.finish()
    return eb


def _check_shape(eb, got, want):
    b = eb.b
    bad = const(I1, 0)
    for g, w in zip(got, want):
        bad = b.or_(bad, b.icmp_signed("!=", g, w))
    if got:
        eb.go_slow_if(bad)


def _node_runner(step, ins, program):
    """``run([arrays of ins]) -> [arrays of step.outputs]``: the step's nodes' perform, in order (the
    sources of every node input resolved here once, to list positions or constant values)."""
    from arignote.reference import NodeRuntimeError

    slot = {v: i for i, v in enumerate(ins)}
    plan = []
    for node in step.nodes:
        srcs = [(True, slot[v]) if v in slot else (False, program.constants.get(v, getattr(v, "data", None)))
                for v in node.inputs]
        outs = []
        for o in node.outputs:
            slot[o] = len(slot)
            outs.append(slot[o])
        plan.append((node, node.op.perform, srcs, outs))
    results = [slot[o] for o in step.outputs]
    size = len(slot)

    def run(args):
        st = list(args) + [None] * (size - len(args))
        for node, perform, srcs, outs in plan:
            vals = [st[k] if is_slot else k for is_slot, k in srcs]
            cells = [[None] for _ in outs]
            try:
                perform(node, vals, cells)
            except Exception as e:
                raise NodeRuntimeError.wrap(e, node, vals) from e
            for j, c in zip(outs, cells):
                st[j] = c[0]
        return [np.asarray(st[j]) for j in results]

    return run


def compile_loop(op, program, reference):
    """(A builtin ``loop(list of outer inputs) -> list of outer outputs`` running ``op`` natively,
    the inner nodes it runs with their Python perform)."""
    from . import jit

    target = jit.get_target()
    module = ir.Module(name="arignote_scan")
    eb = build(module, target, "scan_loop", op, program)
    compiled = jit.compile_ir(str(module), target, name="scan_loop")

    def slow(lst):
        from arignote.scan.loop import run_loop

        return run_loop(op, reference(), list(lst))

    cells = capi.keep_cells(len(eb.caches))
    values, keep = [], [slow, eb.calls, program]
    for key in eb.rt.layout():
        if isinstance(key, list) and key[0] == "call":
            values.append(id(eb.calls[key[1]]))
        else:
            v, k = lb._resolve([key], program, target, slow, cells)
            values += v
            keep += k
    fill_table(compiled, eb.rt.name, values)
    native = capi.make_builtin(compiled.address("scan_loop"), "scan_loop", compiled.engine, keep=(keep, compiled),
                               cells=cells, kinds=eb.caches)
    return native, eb.python_nodes
