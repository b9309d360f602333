"""A GIL-free C entry of a whole compiled graph, for native callers (the native NUTS kernel).

The entry has the fixed signature of :data:`arignote.compile.native.SIGNATURE`::

    int32_t entry(void *scratch, void *const *in_data, const int64_t *in_shapes,
                  void *const *out_data, const int64_t *out_shapes)

``in_data`` holds one C-contiguous buffer per input (the graph's inputs, then its shared
variables), ``in_shapes`` their dimensions one after the other; results are copied into
the caller's C-contiguous ``out_data`` buffers after their shapes are checked against
``out_shapes``.  It touches no Python object (constants are only read), allocates only
the first time a scratch block is too small (``scratch`` keeps blocks between calls;
one per thread), and returns 0, or 1 when a check failed (wrong shapes, an op NumPy
would refuse): the caller then re-runs the function in Python to get the error.
"""
from __future__ import annotations

import numpy as np
from llvmlite import ir

from arignote.backends import lowering as lw
from arignote.errors import NativeEntryUnavailable

from . import capi, jit
from .backend import _describe_nodes, _is_native, _resolve, lowering_target
from .entry import NVal, fill_table
from .irtypes import I1, I8P, I32, I64, I64P, const
from .loops import counted_loop, load_elem, store_elem
from .signature import segment_key
from .steps import NATIVE_STEPS, Segment, SegmentBuilder, alloc_kind

I8PP = I8P.as_pointer()


class NativeEntryBuilder(SegmentBuilder):
    """Renders a program's steps into the fixed raw signature (no Python objects)."""

    signature = ir.FunctionType(I32, [I8P, I8PP, I64P, I8PP, I64P])

    def _setup_rt(self):  # only constants, descriptors and C helpers are looked up
        pass

    def keep_base(self):
        return self.fn.args[0]

    def read_raw(self, var, k, shape_at):
        """Input ``k`` (C-contiguous) with its dims at ``in_shapes[shape_at:]``."""
        b = self.b
        data = b.load(b.gep(self.fn.args[1], [const(I64, k)]))
        dims = self.fn.args[2]
        shape = [b.load(b.gep(dims, [const(I64, shape_at + d)])) for d in range(var.type.ndim)]
        bad = const(I1, 0)
        for d, s in enumerate(var.type.shape):
            if s is not None:
                bad = b.or_(bad, b.icmp_signed("!=", shape[d], const(I64, s)))
        self.go_slow_if(bad)
        return self.nval(var.type.dtype, data, shape)

    def nval(self, dtype, data, shape):
        acc, strides = const(I64, np.dtype(dtype).itemsize), []
        for n in reversed(shape):
            strides.insert(0, acc)
            acc = self.b.mul(acc, n)
        return NVal(dtype, data, list(shape), strides)

    def write_outputs(self, outputs):
        """Check each output's shape against ``out_shapes`` and copy it into ``out_data``."""
        b = self.b
        at = 0
        for k, var in enumerate(outputs):
            src = self.vals[var]
            want = [b.load(b.gep(self.fn.args[4], [const(I64, at + d)])) for d in range(len(src.shape))]
            at += len(src.shape)
            bad = const(I1, 0)
            for have, w in zip(src.shape, want):
                bad = b.or_(bad, b.icmp_signed("!=", have, w))
            self.go_slow_if(bad)
            dst = self.nval(src.dtype, b.load(b.gep(self.fn.args[3], [const(I64, k)])), want)
            self._copy(src, dst, 0, src.data, dst.data)

    def _copy(self, src, dst, d, sp, dp):
        b = self.b
        if d == len(src.shape):
            store_elem(b, load_elem(b, sp, src.dtype), dp, src.dtype)
            return

        def body(i):
            self._copy(src, dst, d + 1, b.gep(sp, [b.mul(i, src.strides[d])]),
                       b.gep(dp, [b.mul(i, dst.strides[d])]))

        counted_loop(b, self.fn, const(I64, 0), src.shape[d], const(I64, 1), body, f"copy{d}")

    def finish_raw(self, outputs):
        self.write_outputs(outputs)
        self._cleanup()
        self.b.ret(const(I32, 0))
        self.close_entry_block()
        self.b.position_at_end(self.slow)
        self._cleanup()
        self.b.ret(const(I32, 1))
        self.rt.finish()


def _generate(program, seg, inputs):
    index = program.index()
    module = ir.Module(name="arignote_native")
    eb = NativeEntryBuilder(module, jit.get_target(), "native_entry", program, seg, index, None)
    shape_at = 0
    for k, v in enumerate(inputs):
        eb.vals[v] = eb.read_raw(v, k, shape_at)
        shape_at += v.type.ndim
    for v in seg.reads:
        if v not in eb.vals:
            eb.vals[v] = eb.read_constant(v, program.constants[v])
    kinds = {o: alloc_kind(o, set()) for s in seg.steps for o in s.outputs}  # no object: Python sees none
    for s in seg.steps:
        NATIVE_STEPS.lookup(type(s))(eb, s, kinds)
    eb.finish_raw(program.outputs)
    return str(module), {"table": eb.rt.name, "slots": eb.rt.layout(), "caches": eb.caches}


class LLVMNativeEntry:
    """The raw entry of one compiled graph (see the module docstring); keeps its code alive."""

    def __init__(self, compiled, meta, program, inputs, keep):
        self._compiled, self._keep = compiled, keep
        self.address = compiled.address("native_entry")
        self.inputs = [(v.name, v.type.dtype, v.type.ndim) for v in inputs]
        self.shared = [program.containers[v] for v in inputs[len(program.inputs):]]  # after the graph's inputs
        self.outputs = [(v.type.dtype, v.type.ndim) for v in program.outputs]
        self.scratch_cells = len(meta["caches"])
        self._kinds = tuple(meta["caches"])

    def new_scratch(self):
        """Per-thread scratch cells (``int(ctypes.addressof(s))`` is the entry's first argument);
        the blocks they hold are freed with the returned object."""
        return capi.ScratchCells(self.scratch_cells, self._kinds)


def native_entry(fgraph):
    """The :class:`LLVMNativeEntry` of ``fgraph``; NativeEntryUnavailable when a node has no
    LLVM rendering (a NumPy fallback) or an input/output is not a tensor."""
    target = jit.get_target()
    program = lw.lower(fgraph, lowering_target(target, fgraph))
    fallback = [s for s in program.steps if not _is_native(s)]
    if fallback:
        raise NativeEntryUnavailable(
            f"llvm: {len(fallback)} step(s) run their NumPy perform, so the graph has no native entry: "
            f"{_describe_nodes(fallback)}")
    inputs = list(program.inputs) + list(program.containers)
    for v in inputs + list(program.outputs):
        if not hasattr(v.type, "ndim") or not hasattr(v.type, "numpy_dtype"):
            raise NativeEntryUnavailable(f"llvm: {v} is not a tensor ({v.type}); no native entry")
    seg = Segment(list(program.steps), [v for v in _reads(program)], [], True)
    description = "native:" + segment_key(program, [seg], target.key()) + repr(
        [program.index()[v] for v in inputs])
    try:
        compiled, meta = jit.compile_cached(description, lambda: _generate(program, seg, inputs), target,
                                            name="native_entry")
    except (NotImplementedError, ValueError, TypeError) as e:
        raise NativeEntryUnavailable(f"llvm: cannot render a native entry: {type(e).__name__}: {e}") from e
    values, keep = _resolve(meta["slots"], program, target, None, None)
    fill_table(compiled, meta["table"], values)
    return LLVMNativeEntry(compiled, meta, program, inputs, keep)


def _reads(program):
    produced, reads = set(), []
    for s in program.steps:
        for v in s.inputs:
            if v not in produced and v not in reads:
                reads.append(v)
        produced.update(s.outputs)
    for v in program.outputs:
        if v not in produced and v not in reads:
            reads.append(v)
    return reads
