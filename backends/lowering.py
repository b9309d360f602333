"""The shared lowering: a rewritten FunctionGraph -> backend-neutral kernel descriptions.

A ``Program`` is a list of steps over numbered variables:

* ``LoopStep``    a fused elementwise loop: a scalar expression DAG (``Body``)
                  over operands with static broadcast patterns; adjacent
                  Elemwise nodes (and Composite ones from the fusion rewrite)
                  of one broadcast pattern are grouped into one loop;
* ``ReduceStep``  sum/prod/max/min/all/any over any set of axes;
* ``ViewStep``    DimShuffle, basic Subtensor: new shape/strides, no copy;
* ``ShapeStep``   Shape and Shape_i;
* ``DotStep``     Dot/Matmul on 1-d/2-d float arrays, for a BLAS call;
* ``FallbackStep`` any other node: its NumPy ``perform``.

Every compiled backend renders these (C, LLVM, CUDA), so semantics such as
NumPy's dtype promotion are decided here, once: the scalar DAG already
contains the casts NumPy's ufunc loops would do.  ``register_lowering`` lets
an op pack map its own Op class to a step.
"""
from __future__ import annotations

import functools
import heapq
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from arignote import scalar as ps
from arignote.graph import Constant
from arignote.tensor.elemwise import DimShuffle, Elemwise
from arignote.tensor.linalg import Dot, Matmul
from arignote.tensor.reduction import Reduce
from arignote.types import TensorType

from .scalar_table import TABLE, NotRenderable, kind_of, loop_dtypes

MAX_NDIM = 32          # arrays of more dimensions run their perform
MAX_OPERANDS = 64      # inputs + outputs of one fused loop
MAX_BODY = 400         # scalar values in one fused loop body
SEARCH_LIMIT = 4000    # units visited when checking that a fusion keeps the graph acyclic


@dataclass
class Target:
    """What a backend can render: checked while lowering."""

    name: str
    scalar_ok: Any = None  # callable(op_name, kind) -> bool; None: everything in the table
    dtypes: tuple = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                     "float16", "float32", "float64", "complex64", "complex128")
    blas: bool = False

    def renders(self, op_name, kind):
        """Does this backend's column of the scalar table render ``op_name`` for ``kind``?"""
        row = TABLE.get(op_name)
        if row is None or row.template(self.name, kind) is None:
            return False
        return self.scalar_ok is None or self.scalar_ok(op_name, kind)


# ------------------------------------------------------------- scalar DAG


@dataclass(frozen=True)
class SVal:
    """One value of a loop body: an operand ('in', k), a literal ('lit', value) or an op ('op', name, args)."""

    kind: str
    dtype: str
    index: int = -1          # operand number for 'in'
    value: Any = None        # NumPy scalar for 'lit'
    name: str = ""           # scalar op name for 'op' ("cast" for conversions)
    args: tuple = ()         # body indices of the arguments for 'op'


class Body:
    """A scalar expression DAG in topological order, built with NumPy's promotion."""

    def __init__(self, target):
        self.target = target
        self.vals: list[SVal] = []
        self._memo: dict = {}

    def add(self, v):
        key = (v.kind, v.dtype, v.index, _lit_key(v.value), v.name, v.args)
        i = self._memo.get(key)
        if i is None:
            i = self._memo[key] = len(self.vals)
            self.vals.append(v)
        return i

    def operand(self, k, dtype):
        return self.add(SVal("in", dtype, index=k))

    def literal(self, value, dtype):
        return self.add(SVal("lit", dtype, value=np.asarray(value, dtype=dtype)[()]))

    def dtype(self, i):
        return self.vals[i].dtype

    def cast(self, i, dtype):
        v = self.vals[i]
        if v.dtype == dtype:
            return i
        self._check_dtype(dtype)
        if v.kind == "lit":
            with np.errstate(all="ignore"):
                return self.literal(np.asarray(v.value).astype(dtype), dtype)
        return self.add(SVal("op", dtype, name="cast", args=(i,)))

    def _check_dtype(self, dtype):
        if dtype not in self.target.dtypes:
            raise NotRenderable(f"dtype {dtype} is not native on {self.target.name}")

    def _emit(self, name, args, out_dtype, arg_dtypes):
        kind = "mixed" if len({kind_of(d) for d in arg_dtypes}) > 1 and name in _CMP else (
            kind_of(arg_dtypes[0]) if arg_dtypes else "f")
        if not self.target.renders(name, kind):
            raise NotRenderable(f"{name} on {kind} is not native on {self.target.name}")
        self._check_dtype(out_dtype)
        return self.add(SVal("op", out_dtype, name=name, args=tuple(args)))

    def apply(self, sop, args, out_dtype):
        """Apply scalar op ``sop`` to body values ``args``; the result has ``out_dtype``."""
        if isinstance(sop, ps.Composite):
            raise NotRenderable("nested Composite")
        if isinstance(sop, ps.Cast):
            return self.cast(args[0], sop.dtype)
        name = sop.name
        if name in ("add", "mul") and len(args) != 2:
            if len(args) == 1:
                return self.cast(args[0], out_dtype)
            acc = args[0]
            for a in args[1:]:
                dt = ps.upcast(self.dtype(acc), self.dtype(a))
                acc = self._apply_simple(sop, [acc, a], dt)
            return self.cast(acc, out_dtype)
        if sop.nin != -1 and len(args) != sop.nin:
            raise NotRenderable(f"{name} takes {sop.nin} inputs, got {len(args)}")
        return self._apply_simple(sop, args, out_dtype)

    def _apply_simple(self, sop, args, out_dtype):
        name = sop.name
        if sop.float_inputs:
            args = [self.cast(a, out_dtype) for a in args]
        in_dts, loop_out = loop_dtypes(name, [self.dtype(a) for a in args])
        mixed = name in _CMP and len(set(in_dts)) > 1
        if not mixed:
            args = [self.cast(a, d) for a, d in zip(args, in_dts)]
        special = self._special(name, args, loop_out)
        if special is not None:
            return self.cast(special, out_dtype)
        r = self._emit(name, args, loop_out, [self.dtype(a) for a in args])
        return self.cast(r, out_dtype)

    def _special(self, name, args, loop_out):
        """Exact simplifications: x**2 -> x*x, x**1 -> x (NumPy gives identical values)."""
        if name == "pow" and kind_of(loop_out) in "fiu":
            e = self.vals[args[1]]
            if e.kind == "lit" and not np.iscomplexobj(e.value):
                if e.value == 2:
                    return self._emit("sqr", [args[0]], loop_out, [self.dtype(args[0])])
                if e.value == 1:
                    return args[0]
        return None


_CMP = ("lt", "gt", "le", "ge", "eq", "neq")


def _lit_key(v):
    if v is None:
        return None
    a = np.asarray(v)
    return (a.dtype.name, a.tobytes())


# ------------------------------------------------------------------- steps


@dataclass
class Step:
    """A unit of work: reads ``inputs``, writes ``outputs`` (Variables)."""

    inputs: list
    outputs: list
    nodes: list

    @property
    def kind(self):
        return type(self).__name__


@dataclass
class LoopStep(Step):
    """A fused elementwise loop over ``ndim`` axes.

    ``inputs`` are the array operands (``bcast[k]`` their static broadcast
    pattern); ``body`` the scalar DAG; ``out_vals[j]`` the body value stored
    in output j; ``literals`` maps inlined constant variables to values.
    """

    ndim: int = 0
    bcast: list = field(default_factory=list)
    body: list = field(default_factory=list)
    out_vals: list = field(default_factory=list)
    literals: dict = field(default_factory=dict)

    def invariant(self, k):
        """Is operand k constant along the innermost loop axis (statically)?"""
        return self.ndim == 0 or self.bcast[k][-1]


@dataclass
class ReduceStep(Step):
    kind_: str = "sum"
    axes: tuple = ()
    in_dtype: str = ""
    out_dtype: str = ""


@dataclass
class ViewStep(Step):
    """DimShuffle (``order``) or basic Subtensor (``idx_list``)."""

    op: Any = None


@dataclass
class ShapeStep(Step):
    axis: int | None = None  # None: the whole shape vector


@dataclass
class DotStep(Step):
    dtype: str = "float64"


@dataclass
class FallbackStep(Step):
    """A node run by its NumPy perform."""


# ------------------------------------------------------------------ program


@dataclass
class Program:
    """Variables, inputs/outputs, constants and the ordered steps of a lowered graph."""

    fgraph: Any
    steps: list
    variables: list
    inputs: list
    outputs: list
    constants: dict
    containers: dict

    def index(self):
        return {v: i for i, v in enumerate(self.variables)}

    def fallbacks(self):
        return [s for s in self.steps if isinstance(s, FallbackStep)]

    def describe(self):
        lines = []
        for i, s in enumerate(self.steps):
            ops = ", ".join(str(n.op) for n in s.nodes)
            lines.append(f"{i:3d} {s.kind:13s} {ops}")
        return "\n".join(lines)


# ------------------------------------------------------------- per-op rules


@functools.singledispatch
def lower_node(op, node, target):
    """The step for one node (not Elemwise), or None for a NumPy fallback."""
    return None


def register_lowering(op_type):
    """Decorator: ``@register_lowering(MyOp) def f(op, node, target) -> Step | None``."""
    return lower_node.register(op_type)


def _is_tensor(v):
    return isinstance(v.type, TensorType)


def _dtype_ok(target, *vs):
    return all(_is_tensor(v) and v.type.dtype in target.dtypes and v.type.ndim <= MAX_NDIM for v in vs)


@lower_node.register(DimShuffle)
def _lower_dimshuffle(op, node, target):
    if not _dtype_ok(target, *node.inputs, *node.outputs):
        return None
    return ViewStep(list(node.inputs), list(node.outputs), [node], op=op)


@lower_node.register(Reduce)
def _lower_reduce(op, node, target):
    x, (z,) = node.inputs[0], node.outputs
    if not _dtype_ok(target, x, z):
        return None
    return ReduceStep([x], [z], [node], kind_=op.kind, axes=tuple(op.axis), in_dtype=x.dtype, out_dtype=z.dtype)


def _lower_dot(op, node, target):
    x, y = node.inputs
    (z,) = node.outputs
    if not target.blas or not _dtype_ok(target, x, y, z):
        return None
    if not (x.dtype == y.dtype == z.dtype and z.dtype in ("float32", "float64")):
        return None
    if not (1 <= x.ndim <= 2 and 1 <= y.ndim <= 2):
        return None
    return DotStep([x, y], [z], [node], dtype=z.dtype)


lower_node.register(Dot)(_lower_dot)
lower_node.register(Matmul)(_lower_dot)


def _register_shape_ops():
    import importlib

    # ``arignote.tensor.shape`` is shadowed by the function of that name: import the modules
    sh = importlib.import_module("arignote.tensor.shape")
    st = importlib.import_module("arignote.tensor.subtensor")

    @lower_node.register(sh.Shape)
    def _shape(op, node, target):
        if not _dtype_ok(target, *node.inputs):
            return None
        return ShapeStep(list(node.inputs), list(node.outputs), [node], axis=None)

    @lower_node.register(sh.Shape_i)
    def _shape_i(op, node, target):
        if not _dtype_ok(target, *node.inputs):
            return None
        return ShapeStep(list(node.inputs), list(node.outputs), [node], axis=op.i)

    @lower_node.register(st.Subtensor)
    def _subtensor(op, node, target):
        x, *idx = node.inputs
        if not _dtype_ok(target, x, *node.outputs):
            return None
        if any(not _is_tensor(v) or v.ndim != 0 or v.dtype[0] not in "iu" for v in idx):
            return None
        if any(not (e == "int" or (isinstance(e, tuple) and e[0] == "slice")) for e in op.idx_list):
            return None
        return ViewStep(list(node.inputs), list(node.outputs), [node], op=op)


_register_shape_ops()


# ------------------------------------------------------------- elementwise


def literal_value(v):
    """The single value of a size-1 constant (seen through DimShuffles), else None."""
    if not _is_tensor(v) or not all(v.type.broadcastable):
        return None
    while v.owner is not None and isinstance(v.owner.op, DimShuffle):
        v = v.owner.inputs[0]
    if isinstance(v, Constant) and _is_tensor(v):
        a = np.asarray(v.data)
        if a.size == 1:
            return a.reshape(()).astype(v.type.dtype)
    return None


class _LoopBuilder:
    """Builds the body of one fused loop from Elemwise nodes."""

    def __init__(self, target, ndim):
        self.body = Body(target)
        self.ndim = ndim
        self.operands: list = []
        self.op_index: dict = {}
        self.values: dict = {}
        self.literals: dict = {}

    def value_of(self, v):
        if v in self.values:
            return self.values[v]
        lit = literal_value(v)
        if lit is not None and lit.dtype.name in self.body.target.dtypes:
            self.literals[v] = lit
            i = self.body.literal(lit, v.type.dtype)
        else:
            if v not in self.op_index:
                if not _dtype_ok(self.body.target, v):
                    raise NotRenderable(f"operand dtype {v.type}")
                self.op_index[v] = len(self.operands)
                self.operands.append(v)
            i = self.body.operand(self.op_index[v], v.type.dtype)
        self.values[v] = i
        return i

    def add_node(self, node):
        sop = node.op.scalar_op
        args = [self.value_of(v) for v in node.inputs]
        if isinstance(sop, ps.Composite):
            inner = []
            for op, refs, dt in sop.nodes:
                ins = [args[j] if k == "i" else inner[j] for k, j in refs]
                inner.append(self.body.apply(op, ins, dt))
            for o, j in zip(node.outputs, sop.outputs):
                self.values[o] = self.body.cast(inner[j], o.type.dtype)
        else:
            (o,) = node.outputs
            self.values[o] = self.body.apply(sop, args, o.type.dtype)


def _elemwise_ok(node, target):
    if not isinstance(node.op, Elemwise) or not _dtype_ok(target, *node.outputs):
        return False
    b = _LoopBuilder(target, node.outputs[0].ndim)
    try:
        b.add_node(node)
    except NotRenderable:
        return False
    return len(b.operands) + len(node.outputs) <= MAX_OPERANDS


def _group_elemwise(order, fusable):
    """Greedy grouping of fusable nodes of one broadcast pattern, never creating a cycle.

    Every node is a unit (a group of fused nodes counts as one); ``succ`` holds
    the edges between units.  A node may join group g only if no path leads
    from g to a unit producing one of its other inputs (else g would wait on
    itself).  Candidates: the groups producing its inputs, groups reading one
    of its inputs of the same shape (siblings), and groups of all-ones shape.
    """
    unit_of, groups, pattern, size, succ = {}, {}, {}, {}, []
    readers = {}  # operand variable -> groups reading it (siblings share its shape)
    by_pattern = {}  # all-broadcastable pattern -> groups (their shape is all ones)

    def reaches(g, targets):
        stack, seen = [g], {g}
        while stack:
            u = stack.pop()
            for v in succ[u]:
                if v in targets:
                    return True
                if v not in seen:
                    if len(seen) > SEARCH_LIMIT:
                        return True  # give up: refuse the join
                    seen.add(v)
                    stack.append(v)
        return False

    for node in order:
        producers = {unit_of[v.owner] for v in node.inputs if v.owner is not None and v.owner in unit_of}
        gid = None
        if node in fusable:
            pat = node.outputs[0].type.broadcastable
            cands = [unit_of[v.owner] for v in node.inputs if v.owner is not None and unit_of.get(v.owner) in groups]
            cands += [g for v in node.inputs if v.type.broadcastable == pat for g in reversed(readers.get(v, ()))]
            if all(pat):
                cands += list(reversed(by_pattern.get(pat, ())))
            tried = set()
            for g in cands:
                if g in tried or pattern[g] != pat or size[g] + len(node.inputs) + 2 > MAX_BODY // 4:
                    continue
                tried.add(g)
                if not reaches(g, producers - {g}):
                    gid = g
                    break
            if gid is None:
                gid = len(succ)
                succ.append(set())
                groups[gid], pattern[gid], size[gid] = [], pat, 0
            groups[gid].append(node)
            size[gid] += len(node.inputs) + len(node.outputs)
            for v in node.inputs:
                if v.type.broadcastable == pat and gid not in readers.setdefault(v, []):
                    readers[v].append(gid)
            if all(pat) and gid not in by_pattern.setdefault(pat, []):
                by_pattern[pat].append(gid)
        else:
            gid = len(succ)
            succ.append(set())
        unit_of[node] = gid
        for p in producers:
            if p != gid:
                succ[p].add(gid)
    return [groups[g] for g in sorted(groups)]


def _loop_step(nodes, fgraph, target, outputs_set):
    ndim = nodes[0].outputs[0].ndim
    b = _LoopBuilder(target, ndim)
    inside = set(nodes)
    for n in nodes:
        b.add_node(n)
    outs = []
    for n in nodes:
        for o in n.outputs:
            if o in outputs_set or any(c not in inside for c, _ in fgraph.clients(o)):
                outs.append(o)
    if len(b.operands) + len(outs) > MAX_OPERANDS or len(b.body.vals) > MAX_BODY:
        return None
    return LoopStep(list(b.operands), outs, list(nodes), ndim=ndim,
                    bcast=[tuple(v.type.broadcastable) for v in b.operands], body=list(b.body.vals),
                    out_vals=[b.values[o] for o in outs], literals=dict(b.literals))


def _split_loop(nodes, fgraph, target, outputs_set):
    """Loop steps for a group, halving it when it exceeds the operand/body limits."""
    work, done = [nodes], []
    while work:
        g = work.pop()
        step = _loop_step(g, fgraph, target, outputs_set)
        if step is not None or len(g) == 1:
            done.append(step if step is not None else FallbackStep(list(g[0].inputs), list(g[0].outputs), g))
            continue
        h = len(g) // 2
        work.extend([g[h:], g[:h]])
    return done


# ---------------------------------------------------------------- lower()


def lower(fgraph, target):
    """Lower ``fgraph`` for ``target``: a Program whose steps run in order."""
    order = fgraph.toposort()
    outputs_set = set(fgraph.outputs)
    fusable = {n for n in order if _elemwise_ok(n, target)}
    steps = []
    grouped = set()
    for nodes in _group_elemwise(order, fusable):
        steps.extend(_split_loop(nodes, fgraph, target, outputs_set))
        grouped.update(nodes)
    for node in order:
        if node in grouped:
            continue
        step = lower_node(node.op, node, target)
        if step is None:
            step = FallbackStep(list(node.inputs), list(node.outputs), [node])
        steps.append(step)
    steps = _schedule(steps, order)
    steps = _drop_dead(steps, fgraph)
    return _program(fgraph, steps)


def _schedule(steps, order):
    """Topological order of steps (ties broken by the graph's node order)."""
    pos = {n: i for i, n in enumerate(order)}
    producer = {}
    for s in steps:
        for o in s.outputs:
            producer[o] = s
    key = {id(s): min(pos[n] for n in s.nodes) for s in steps}
    waiting, users = {}, {}
    for s in steps:
        deps = {id(producer[v]) for v in _reads(s) if v in producer and producer[v] is not s}
        waiting[id(s)] = len(deps)
        for d in deps:
            users.setdefault(d, []).append(s)
    idx = {id(s): i for i, s in enumerate(steps)}
    ready = [(key[id(s)], idx[id(s)], s) for s in steps if waiting[id(s)] == 0]
    heapq.heapify(ready)
    out = []
    while ready:
        _, i, s = heapq.heappop(ready)
        out.append(s)
        for u in users.get(id(s), ()):
            waiting[id(u)] -= 1
            if waiting[id(u)] == 0:
                heapq.heappush(ready, (key[id(u)], idx[id(u)], u))
    if len(out) != len(steps):  # pragma: no cover - the grouping never makes cycles
        raise RuntimeError("lowering produced a cyclic schedule")
    return out


def _reads(step):
    return list(step.inputs)


_PURE = (ViewStep, ShapeStep)


def _drop_dead(steps, fgraph):
    """Remove view/shape steps whose outputs nobody reads (e.g. DimShuffles of inlined constants)."""
    needed = set(fgraph.outputs)
    kept = []
    for s in reversed(steps):
        if isinstance(s, _PURE) and not any(o in needed for o in s.outputs):
            continue
        kept.append(s)
        needed.update(_reads(s))
    kept.reverse()
    return kept


def _program(fgraph, steps):
    variables, seen = [], set()

    def add(v):
        if v not in seen:
            seen.add(v)
            variables.append(v)

    for v in fgraph.inputs:
        add(v)
    for s in steps:
        for v in _reads(s):
            add(v)
        for v in s.outputs:
            add(v)
    for v in fgraph.outputs:
        add(v)
    produced = {o for s in steps for o in s.outputs}
    inputs = set(fgraph.inputs)
    constants, containers = {}, {}
    for v in variables:
        if v in produced or v in inputs:
            continue
        if isinstance(v, Constant):
            constants[v] = _constant_data(v)
        elif getattr(v, "_is_shared", False):
            containers[v] = v.container
        else:  # pragma: no cover - FunctionGraph checks for missing inputs
            raise ValueError(f"variable {v} is neither computed, an input nor a constant")
    return Program(fgraph, steps, variables, list(fgraph.inputs), list(fgraph.outputs), constants, containers)


def _constant_data(v):
    if _is_tensor(v):
        return np.asarray(v.data, dtype=v.type.dtype)
    return v.data
