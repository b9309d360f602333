"""The 'llvm' backend: lower a FunctionGraph, render its native steps as LLVM IR, JIT them, run them.

Consecutive native steps of the shared lowering form a *segment* compiled
into one builtin; steps without an LLVM rendering (NumPy fallbacks) run
their ``perform`` between segments.  When the whole graph is one segment,
the function's thunk *is* the builtin: one C call per function call.
"""
from __future__ import annotations

import itertools
import time
import warnings

import numpy as np

from llvmlite import ir

from arignote.backends import lowering as lw
from arignote.config import config
from arignote.reference import NodeRuntimeError, make_thunk

from . import capi, jit, runtime
from .entry import fill_table
from .steps import NATIVE_STEPS, Segment, build_segment
from .scalar_ir import renderable
from .signature import segment_key

_counter = itertools.count()


def lowering_target(target=None, fgraph=None):
    """What the lowering may hand to this backend (float16 only where its conversions resolve;
    BLAS steps when SciPy's BLAS is there, looked up only for graphs with a Dot/Matmul)."""
    target = target or jit.get_target()
    dtypes = lw.ALL_DTYPES if target.info["float16"] else tuple(d for d in lw.ALL_DTYPES if d != "float16")
    blas = fgraph is None or lw.needs_blas(fgraph)
    return lw.Target("llvm", scalar_ok=renderable, dtypes=dtypes, blas=blas and capi.blas_functions() is not None)


class LLVMCompileError(RuntimeError):
    """Generated IR failed verification or compilation (names the graph's nodes)."""


def _is_native(step):
    """Steps rendered natively (complex reductions run their perform)."""
    if isinstance(step, lw.ReduceStep) and "complex" in step.out_dtype + step.in_dtype:
        return False
    return NATIVE_STEPS.renders(type(step))


SEGMENT_OPERANDS = 256  # operands (step inputs + outputs) of one native function at most


def plan(program):
    """Split the program's steps into native segments and Python steps (in order).

    A run of native steps is cut into functions of at most SEGMENT_OPERANDS
    operands: LLVM's code generation grows faster than linearly with a
    function's size, so bounded functions keep compile time linear in the
    graph (a graph with 20,000 outputs is many functions, not one).
    """
    items, cur, weight = [], [], 0
    for s in program.steps:
        if _is_native(s):
            w = len(s.inputs) + len(s.outputs)
            if cur and weight + w > SEGMENT_OPERANDS:
                items.append(cur)
                cur, weight = [], 0
            cur.append(s)
            weight += w
        else:
            if cur:
                items.append(cur)
                cur, weight = [], 0
            items.append(s)
    if cur:
        items.append(cur)
    return items


def _segments(program, items):
    """Segment records with their reads/exports, given later consumers and the graph outputs."""
    outputs = set(program.outputs)
    produced_by = {}
    for k, it in enumerate(items):
        for s in (it if isinstance(it, list) else [it]):
            for o in s.outputs:
                produced_by[o] = k
    later_reads = [set() for _ in items]
    for k, it in enumerate(items):
        for s in (it if isinstance(it, list) else [it]):
            for v in s.inputs:
                p = produced_by.get(v)
                if p is not None and p < k:
                    later_reads[p].add(v)
    simple = all(_tensor(v) for v in program.outputs) and not program.containers
    direct = simple and (not items or (len(items) == 1 and isinstance(items[0], list)))
    out = []
    for k, it in enumerate(items):
        if not isinstance(it, list):
            out.append(it)
            continue
        produced = {o for s in it for o in s.outputs}
        reads = []
        for s in it:
            for v in s.inputs:
                if v not in produced and v not in reads:
                    reads.append(v)
        if direct:
            for v in program.outputs:
                if v not in produced and v not in reads:
                    reads.append(v)
            exports = []
        else:
            exports = [o for s in it for o in s.outputs if o in outputs or o in later_reads[k]]
        out.append(Segment(it, reads, exports, direct))
    if not items and direct:
        out.append(Segment([], [v for v in dict.fromkeys(program.outputs)], [], True))
    return out


def _tensor(v):
    from arignote.types import TensorType

    return isinstance(v.type, TensorType)


def _describe_nodes(steps):
    """The nodes of ``steps`` as text: each node with its inputs (fused ones with their scalar ops)."""
    names = []
    for s in steps:
        for n in s.nodes:
            sop = getattr(n.op, "scalar_op", None)
            label = f"{n} = {sop.name}" if sop is not None and type(sop).__name__ == "Composite" else str(n)
            names.append(label)
    return "; ".join(names[:8]) + (" ..." if len(names) > 8 else "")


class LLVMBackend:
    """Backend object registered under the name 'llvm'."""

    name = "llvm"

    def compile_scan(self, op, mode):
        """A native runner for a Scan op's loop (see scan.py), or None."""
        from .scan import compile_scan

        return compile_scan(self, op, mode)

    def compile(self, fgraph, **opts):
        t0 = time.perf_counter()
        target = jit.get_target()
        program = lw.lower(fgraph, lowering_target(target, fgraph))
        segs = _segments(program, plan(program))
        natives = [s for s in segs if isinstance(s, Segment)]
        t1 = time.perf_counter()
        compiled, meta = None, {}
        if natives:
            description = "graph:" + segment_key(program, natives, target.key())
            try:
                compiled, meta = jit.compile_cached(description, lambda: _generate(program, natives, target), target,
                                                    name=f"graph{next(_counter)}")
            except ValueError as e:
                raise LLVMCompileError(f"{e}\nwhile compiling the nodes: {_describe_nodes(_steps(natives))}") from None
        thunk = _link(fgraph, program, segs, compiled, meta, target)
        # what this compile cost, kept with its graph (f.maker.fgraph), not on the shared backend object
        fgraph.compile_timings = {"lower": t1 - t0, **(compiled.timings if compiled else {}),
                                  "total": time.perf_counter() - t0}
        if config.debug:
            _report_fallbacks(program)
        return thunk

    def fallback_nodes(self, fgraph):
        """The nodes of ``fgraph`` that would run their NumPy ``perform`` (not LLVM code)."""
        program = lw.lower(fgraph, lowering_target(jit.get_target(), fgraph))
        return [n for s in program.steps if not _is_native(s) for n in s.nodes
                if not lw.steps.native_scan(n, self, getattr(n.tag, "scan_runner", None) is not None)]

    def native_entry(self, fgraph):
        """A GIL-free C entry of the whole graph (see native.py)."""
        from .native import native_entry

        return native_entry(fgraph)


def _steps(segs):
    return [s for seg in segs for s in seg.steps]


def _generate(program, segs, target):
    """(IR text, header) of the module holding one entry per native segment."""
    index = program.index()
    module = ir.Module(name="arignote_graph")
    layouts, kernels = [], {}
    for k, seg in enumerate(segs):
        name = f"seg{k}"
        try:
            eb = build_segment(module, target, name, program, seg, index, kernels)
        except (NotImplementedError, ValueError, TypeError) as e:
            raise LLVMCompileError(f"the LLVM backend cannot render {_describe_nodes(seg.steps)}: "
                                   f"{type(e).__name__}: {e}") from e
        layouts.append({"name": name, "table": eb.rt.name, "slots": eb.rt.layout(), "caches": eb.caches})
    return str(module), {"segments": layouts}


def _link(fgraph, program, segs, compiled, meta, target):
    """Fill each entry's runtime table and wrap the entries (and Python steps) into the thunk."""
    index = program.index()
    natives = {}
    layouts = meta.get("segments", [])
    for seg, lay in zip([s for s in segs if isinstance(s, Segment)], layouts):
        slow = _slow_direct(fgraph) if seg.direct else _slow_segment(seg, program, index)
        cells = capi.keep_cells(len(lay["caches"]))
        values, keep = _resolve(lay["slots"], program, target, slow, cells)
        fill_table(compiled, lay["table"], values)
        natives[id(seg)] = capi.make_builtin(compiled.address(lay["name"]), lay["name"], compiled.engine,
                                             keep=(keep, compiled), cells=cells, kinds=lay["caches"])
    if len(segs) == 1 and isinstance(segs[0], Segment) and segs[0].direct:
        return natives[id(segs[0])]
    return _storage_thunk(program, segs, natives, index)


def _resolve(slots, program, target, slow, cells):
    """Addresses for the runtime-table ``slots`` (and the objects they point into, kept alive)."""
    shared = None
    values, keep = [], [slow]
    for key in slots:
        if isinstance(key, list):
            kind, arg = key
            if kind == "descr":
                values.append(capi.descr_address(arg))
            elif kind == "const":
                value = program.constants[program.variables[arg]]
                keep.append(value)
                values.append(id(value))
            else:  # pragma: no cover - the generator makes no other kinds
                raise KeyError(key)
        elif key in ("walk", "fill", "alloc", "keep_objects", "release"):
            shared = shared or runtime.functions(target)
            values.append(shared[key.replace("_objects", "")])
        elif key in capi.BLAS_NAMES:
            blas = capi.blas_functions()
            keep.append(blas["_keep"])
            values.append(blas[key])
        else:
            values.append({"ndarray": capi.array_type_address, "list": lambda: id(list),
                           "new": lambda: capi.api_function(capi.API_NEW_FROM_DESCR),
                           "setbase": lambda: capi.api_function(capi.API_SET_BASE_OBJECT),
                           "none": lambda: id(None), "slow": lambda: id(slow),
                           "keep": lambda: capi.address_of(cells)}[key]())
    return values, keep


def _slow_direct(fgraph):
    """The reference run of the whole graph: used when a native check fails.

    The native entry checks every input's dtype, rank and strides before reading it; a value
    that fails those checks (possible with ``trust_input=True``) lands here and is checked
    and converted by its type, as the c backend does, instead of reaching NumPy as it is.
    """
    thunk = make_thunk(fgraph)
    checks = [(v.type.filter, v.name or f"#{k}") for k, v in enumerate(fgraph.inputs)]

    def checked(values):
        return thunk([f(v, name=n) for (f, n), v in zip(checks, values)])

    return checked


def _slow_segment(seg, program, index):
    """Run a segment's nodes with ``perform`` on the storage list (the native entry's slow path)."""
    order = {n: i for i, n in enumerate(program.fgraph.toposort())}
    nodes = sorted({n for s in seg.steps for n in s.nodes}, key=order.__getitem__)
    consts = {v: program.constants.get(v, getattr(v, "data", None)) for n in nodes for v in n.inputs
              if v not in index}
    # constants the lowering inlined into loops (seen through DimShuffles, which then never ran)
    consts.update((v, np.asarray(lit).reshape((1,) * v.ndim)) for s in seg.steps for v, lit in
                  getattr(s, "literals", {}).items())
    return _perform_nodes(nodes, index, consts)


def _perform_nodes(nodes, index, consts):
    """A runner of ``nodes``' perform on the storage list: inputs come from earlier nodes of the
    run, then ``consts``, then the storage slots of ``index``; outputs with a slot are stored."""
    prog = [(n, [index.get(v) for v in n.inputs], [index.get(v) for v in n.outputs]) for n in nodes]

    def run(storage):
        local = {}
        for node, ins, outs in prog:
            vals = [local[v] if v in local else consts[v] if v in consts else storage[i]
                    for v, i in zip(node.inputs, ins)]
            cells = [[None] for _ in node.outputs]
            try:
                node.op.perform(node, vals, cells)
            except Exception as e:
                raise NodeRuntimeError.wrap(e, node, vals) from e
            for o, j, c in zip(node.outputs, outs, cells):
                local[o] = c[0]
                if j is not None:
                    storage[j] = c[0]

    return run


def _storage_thunk(program, segs, natives, index):
    n_vars = len(program.variables)
    template = [None] * n_vars
    for v, val in program.constants.items():
        template[index[v]] = val
    n_in = len(program.inputs)
    containers = [(index[v], c) for v, c in program.containers.items()]
    runners = []
    for s in segs:
        if isinstance(s, Segment):
            runners.append(natives[id(s)])
        else:
            runners.append(_python_step(s, index))
    out_idx = [index[v] for v in program.outputs]

    def thunk(values):
        st = template.copy()
        st[:n_in] = values
        for i, c in containers:
            st[i] = c[0]
        for r in runners:
            r(st)
        return [st[i] for i in out_idx]

    return thunk


def _python_step(step, index):
    """Run a FallbackStep (or any step the backend does not render) with its nodes' perform."""
    consts = {v: getattr(v, "data", None) for n in step.nodes for v in n.inputs if index.get(v) is None}
    return _perform_nodes(step.nodes, index, consts)


def _report_fallbacks(program):
    fb = [s for s in program.steps if not _is_native(s)]
    if fb:
        names = ", ".join(str(n.op) for s in fb for n in s.nodes)
        warnings.warn(f"llvm backend: {len(fb)} step(s) run their NumPy perform: {names}", stacklevel=4)
