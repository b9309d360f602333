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

import copy
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
from arignote.tensor.shape_ops import Shape, Shape_i
from arignote.tensor.subtensor import Subtensor
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


class _Memo:
    """What one lowering run decides again and again, computed once: loop dtypes and renderability
    per (op name, dtypes), literal conversions, and per variable its literal value and dtype check.

    Every entry is a pure function of its key and the target, so a memo only lives as long as one
    ``lower`` call (the scalar table may change between calls)."""

    def __init__(self, target):
        self.target = target
        self.dtypes = frozenset(target.dtypes)
        self.loops: dict = {}     # (name, in dtypes) -> (loop in dtypes, loop out dtype, mixed) | message
        self.emits: dict = {}     # (name, arg dtypes, out dtype) -> None | message
        self.casts: dict = {}     # (id(literal SVal), dtype) -> (that SVal, key, cast SVal)
        self.lits: dict = {}      # variable -> None | (literal array, body key, SVal)
        self.lit_vals: dict = {}  # (dtype, literal dtype, bytes) -> that entry
        self.ok: dict = {}        # variable -> _dtype_ok(target, variable)
        self.verdicts: dict = {}  # (_op_key, operand signature, out dtypes) -> fusable?
        self.op_keys: dict = {}   # id(Composite) -> its _op_key
        self.singles: dict = {}   # node -> the _LoopBuilder holding just that node (never changed)
        self.clients = None       # variable -> client nodes (see _clients_of)

    def loop(self, name, dts):
        r = self.loops.get((name, dts))
        if r is None:
            try:
                ins, out = loop_dtypes(name, dts)
                r = (tuple(ins), out, name in _CMP and len(set(ins)) > 1)
            except NotRenderable as e:
                r = str(e)
            self.loops[(name, dts)] = r
        if type(r) is str:
            raise NotRenderable(r)
        return r

    def emit_error(self, name, arg_dtypes, out_dtype):
        key = (name, arg_dtypes, out_dtype)
        if key not in self.emits:
            kind = "mixed" if len({kind_of(d) for d in arg_dtypes}) > 1 and name in _CMP else (
                kind_of(arg_dtypes[0]) if arg_dtypes else "f")
            if not self.target.renders(name, kind):
                self.emits[key] = f"{name} on {kind} is not native on {self.target.name}"
            elif out_dtype not in self.dtypes:
                self.emits[key] = f"dtype {out_dtype} is not native on {self.target.name}"
            else:
                self.emits[key] = None
        return self.emits[key]

    def cast_literal(self, v, dtype):
        e = self.casts.get((id(v), dtype))
        if e is None or e[0] is not v:
            with np.errstate(all="ignore"):
                val = np.asarray(np.asarray(v.value).astype(dtype), dtype=dtype)[()]
            e = self.casts[(id(v), dtype)] = (v, _lit_body_key(val, dtype), SVal("lit", dtype, value=val))
        return e

    def literal_of(self, v):
        """(value, body key, SVal) when ``v`` is inlined as a literal, else None."""
        if v in self.lits:
            return self.lits[v]
        lit = literal_value(v)
        e = None
        if lit is not None and _dtype_name(lit.dtype) in self.dtypes:
            dt = v.type.dtype
            k = (dt, _dtype_name(lit.dtype), lit.tobytes())
            e = self.lit_vals.get(k)  # equal constants share one entry
            if e is None:
                val = np.asarray(lit, dtype=dt)[()]
                e = self.lit_vals[k] = (lit, _lit_body_key(val, dt), SVal("lit", dt, value=val))
        self.lits[v] = e
        return e

    def dtype_ok(self, v):
        r = self.ok.get(v)
        if r is None:
            r = self.ok[v] = _dtype_ok(self.target, v)
        return r


class Body:
    """A scalar expression DAG in topological order, built with NumPy's promotion.

    Equal values are stored once.  ``memo`` shares the dtype decisions of one lowering run."""

    def __init__(self, target, memo=None):
        self.target = target
        self.vals: list[SVal] = []
        self._index: dict = {}
        self._m = memo if memo is not None else _Memo(target)

    def copy(self):
        c = copy.copy(self)
        c.vals, c._index = list(self.vals), dict(self._index)
        return c

    def add(self, v):
        return self._intern((v.kind, v.dtype, v.index, _lit_key(v.value), v.name, v.args), v)

    def _intern(self, key, v):
        i = self._index.get(key)
        if i is None:
            i = self._index[key] = len(self.vals)
            self.vals.append(v)
        return i

    def _op(self, name, dtype, args):
        key = ("op", dtype, -1, None, name, args)
        i = self._index.get(key)
        if i is None:
            i = self._index[key] = len(self.vals)
            self.vals.append(SVal("op", dtype, name=name, args=args))
        return i

    def operand(self, k, dtype):
        key = ("in", dtype, k, None, "", ())
        i = self._index.get(key)
        if i is None:
            i = self._index[key] = len(self.vals)
            self.vals.append(SVal("in", dtype, index=k))
        return i

    def literal(self, value, dtype):
        val = np.asarray(value, dtype=dtype)[()]
        return self._intern(_lit_body_key(val, dtype), SVal("lit", dtype, value=val))

    def dtype(self, i):
        return self.vals[i].dtype

    def cast(self, i, dtype):
        v = self.vals[i]
        if v.dtype == dtype:
            return i
        self._check_dtype(dtype)
        if v.kind == "lit":
            _, key, sv = self._m.cast_literal(v, dtype)
            return self._intern(key, sv)
        return self._op("cast", dtype, (i,))

    def _check_dtype(self, dtype):
        if dtype not in self._m.dtypes:
            raise NotRenderable(f"dtype {dtype} is not native on {self.target.name}")

    def _emit(self, name, args, out_dtype, arg_dtypes):
        err = self._m.emit_error(name, tuple(arg_dtypes), out_dtype)
        if err is not None:
            raise NotRenderable(err)
        return self._op(name, out_dtype, tuple(args))

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
        vals = self.vals
        in_dts, loop_out, mixed = self._m.loop(name, tuple([vals[a].dtype for a in args]))
        if not mixed:
            args = [self.cast(a, d) for a, d in zip(args, in_dts)]
        if name == "pow":
            special = self._special(name, args, loop_out)
            if special is not None:
                return self.cast(special, out_dtype)
        r = self._emit(name, args, loop_out, [vals[a].dtype for a in args])
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
_DTYPE_NAMES: dict = {}


def _dtype_name(dt):
    """``dt.name``, remembered (NumPy computes the name in Python on every access)."""
    n = _DTYPE_NAMES.get(dt)
    if n is None:
        n = _DTYPE_NAMES[dt] = dt.name
    return n


def _lit_key(v):
    if v is None:
        return None
    a = np.asarray(v)
    return (_dtype_name(a.dtype), a.tobytes())


def _lit_body_key(val, dtype):
    return ("lit", dtype, -1, _lit_key(val), "", ())


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


@lower_node.register(Shape)
def _lower_shape(op, node, target):
    if not _dtype_ok(target, *node.inputs):
        return None
    return ShapeStep(list(node.inputs), list(node.outputs), [node], axis=None)


@lower_node.register(Shape_i)
def _lower_shape_i(op, node, target):
    if not _dtype_ok(target, *node.inputs):
        return None
    return ShapeStep(list(node.inputs), list(node.outputs), [node], axis=op.i)


@lower_node.register(Subtensor)
def _lower_subtensor(op, node, target):
    x, *idx = node.inputs
    if not _dtype_ok(target, x, *node.outputs):
        return None
    if any(not _is_tensor(v) or v.ndim != 0 or v.dtype[0] not in "iu" for v in idx):
        return None
    if any(not (e == "int" or (isinstance(e, tuple) and e[0] == "slice")) for e in op.idx_list):
        return None
    return ViewStep(list(node.inputs), list(node.outputs), [node], op=op)


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

    def __init__(self, target, ndim, memo=None):
        self.body = Body(target, memo)
        self.memo = self.body._m
        self.ndim = ndim
        self.operands: list = []
        self.op_index: dict = {}
        self.values: dict = {}
        self.literals: dict = {}

    def copy(self):
        """An independent builder in the same state (cheaper than adding the nodes again)."""
        c = copy.copy(self)
        c.body = self.body.copy()
        c.operands, c.op_index = list(self.operands), dict(self.op_index)
        c.values, c.literals = dict(self.values), dict(self.literals)
        return c

    def value_of(self, v):
        i = self.values.get(v)
        if i is not None:
            return i
        lit = self.memo.literal_of(v)
        if lit is not None:
            self.literals[v] = lit[0]
            i = self.body._intern(lit[1], lit[2])
        else:
            k = self.op_index.get(v)
            if k is None:
                if not self.memo.dtype_ok(v):
                    raise NotRenderable(f"operand dtype {v.type}")
                k = self.op_index[v] = len(self.operands)
                self.operands.append(v)
            i = self.body.operand(k, v.type.dtype)
        self.values[v] = i
        return i

    def add_node(self, node):
        sop = node.op.scalar_op
        args = [self.value_of(v) for v in node.inputs]
        if isinstance(sop, ps.Composite):
            inner = []
            apply = self.body.apply
            for op, refs, dt in sop.nodes:
                inner.append(apply(op, [args[j] if k == "i" else inner[j] for k, j in refs], dt))
            for o, j in zip(node.outputs, sop.outputs):
                self.values[o] = self.body.cast(inner[j], o.type.dtype)
        else:
            (o,) = node.outputs
            self.values[o] = self.body.apply(sop, args, o.type.dtype)


def _elemwise_ok(node, target, memo=None):
    """Can ``node`` be part of a fused loop?  Decided once per (scalar op, operand signature)."""
    if not isinstance(node.op, Elemwise):
        return False
    memo = memo if memo is not None else _Memo(target)
    if not all(memo.dtype_ok(o) for o in node.outputs):
        return False
    sig, first = [], {}
    for v in node.inputs:
        lit = memo.literal_of(v)
        if lit is not None:
            sig.append(lit[1])
        elif not memo.dtype_ok(v):
            return False  # value_of would refuse it
        else:
            sig.append((v.type.dtype, first.setdefault(v, len(first))))
    key = (_op_key(node.op.scalar_op, memo), tuple(sig), tuple([o.type.dtype for o in node.outputs]))
    ok = memo.verdicts.get(key)
    if ok is None:
        b = _LoopBuilder(target, node.outputs[0].ndim, memo)
        try:
            b.add_node(node)
            ok = len(b.operands) + len(node.outputs) <= MAX_OPERANDS
        except NotRenderable:
            ok = False
        memo.verdicts[key] = ok
        if ok:
            memo.singles[node] = b
    return ok


def _op_key(sop, memo):
    """What building ``sop`` depends on: the op itself, or for a Composite its scalar ops (by
    identity), wiring and dtypes, so that the many equal Composites of a long chain share verdicts."""
    if not isinstance(sop, ps.Composite):
        return id(sop)
    k = memo.op_keys.get(id(sop))
    if k is None:
        k = memo.op_keys[id(sop)] = (tuple([(id(op), refs, dt) for op, refs, dt in sop.nodes]), sop.outputs)
    return k


def _single(node, target, memo):
    """The builder of ``node`` alone (kept: loop steps starting at ``node`` extend a copy)."""
    b = memo.singles.get(node)
    if b is None:
        b = memo.singles[node] = _LoopBuilder(target, node.outputs[0].ndim, memo)
        b.add_node(node)
    return b


# ------------------------------------------------------------------ grouping

_ACCEPT, _REACHES, _UNKNOWN, _DROP = range(4)


class _Grouper:
    """Greedy grouping of fusable nodes of one broadcast pattern, never creating a cycle.

    Every node is a unit (a group of fused nodes counts as one); ``succ`` holds
    the edges between units.  A node may join group g only if g reaches none of
    the units producing its inputs (else g would wait on itself), and g reaches
    at most SEARCH_LIMIT units (a bound on the search: beyond it the join is
    refused).  Candidates, in order: the groups producing its inputs, groups
    reading one of its inputs of the same shape (siblings, newest first) and
    groups of all-ones shape (newest first); the first acceptable one is joined.

    Long graphs offer a node thousands of candidates that all reach its
    producers, so candidate lists are kept in segments whose members all reach
    one *witness* unit: when the witness reaches a producer, the whole segment
    is refused at once.  Groups that can never be joined again (too big, or
    reaching too many units) leave the lists.  The choices are those of
    trying every candidate in turn.
    """

    def __init__(self, fusable):
        self.succ: list = []
        self.groups: dict = {}
        self.pattern: dict = {}
        self.size: dict = {}
        self.gone: set = set()     # groups no node can join any more
        self.readers: dict = {}    # operand variable -> the group reading it (same shape), or _Cands
        self.by_pattern: dict = {}  # all-broadcastable pattern -> _Cands
        self.min_in = min((len(n.inputs) for n in fusable), default=0)

    def run(self, order, fusable):
        unit_of = {}
        for node in order:
            producers = {unit_of[v.owner] for v in node.inputs if v.owner is not None and v.owner in unit_of}
            gid = self._place(node, unit_of, producers) if node in fusable else None
            if gid is None:
                gid = self._new_unit()
            unit_of[node] = gid
            for p in producers:
                if p != gid:
                    self.succ[p].add(gid)
        return [self.groups[g] for g in sorted(self.groups)]

    def _new_unit(self):
        self.succ.append(set())
        return len(self.succ) - 1

    def _place(self, node, unit_of, producers):
        """Put fusable ``node`` in a group; its id."""
        pat = node.outputs[0].type.broadcastable
        self._pat, self._nin, self._P, self._hit = pat, len(node.inputs), producers, {}
        gid = self._join_producer(node, unit_of)
        scanned = []
        if gid is None:
            lists = [self.readers.get(v) for v in node.inputs if v.type.broadcastable == pat]
            if all(pat):
                lists.append(self.by_pattern.get(pat))
            for cands in lists:
                if type(cands) is int:  # a sole reader
                    if self._judge(cands) == _ACCEPT:
                        gid = cands
                        break
                    continue
                if cands is None or any(c is cands for c, _ in scanned):
                    continue
                g, region = self._scan(cands)
                scanned.append((cands, region))
                if g is not None:
                    gid = g
                    break
        if gid is None:
            gid = self._new_unit()
            self.groups[gid], self.pattern[gid], self.size[gid] = [], pat, 0
        for cands, region in scanned:
            cands.restore(region, gid)
        self.groups[gid].append(node)
        self.size[gid] += len(node.inputs) + len(node.outputs)
        if self.size[gid] + self.min_in + 2 > MAX_BODY // 4:
            self.gone.add(gid)
        for v in node.inputs:
            if v.type.broadcastable == pat:
                r = self.readers.get(v)
                if r is None:
                    self.readers[v] = gid
                elif type(r) is int:
                    if r != gid:
                        self.readers[v] = _Cands([r, gid])
                else:
                    r.add(gid)
        if all(pat):
            self.by_pattern.setdefault(pat, _Cands()).add(gid)
        return gid

    def _fits(self, g):
        return self.pattern[g] == self._pat and self.size[g] + self._nin + 2 <= MAX_BODY // 4

    def _join_producer(self, node, unit_of):
        """The first group producing an input of ``node`` that it may join, or None."""
        tried = set()
        for v in node.inputs:
            g = unit_of.get(v.owner) if v.owner is not None else None
            if g is None or g not in self.groups or g in tried or not self._fits(g):
                continue
            tried.add(g)
            if g in self.gone:
                continue
            h = self._probe(g) if len(self._P) > 1 else False
            if h is None or (h is False and self._too_far(g)):
                self.gone.add(g)
            elif h is False:
                return g
        return None

    def _judge(self, g):
        """The verdict on joining group ``g``, met in a candidate list."""
        if g in self.gone:
            return _DROP
        if g in self._P:
            return _REACHES  # judged (and refused) among the producers; it feeds the node's unit
        h = self._probe(g)
        if h is None:
            self.gone.add(g)
            return _DROP
        if h:
            return _REACHES
        if not self._fits(g):
            return _UNKNOWN
        if self._too_far(g):
            self.gone.add(g)
            return _DROP
        return _ACCEPT

    def _scan(self, cands):
        """Candidates of one list, newest first, until one is accepted: (group or None, refused region)."""
        region, segs = [], cands.segs
        while segs:
            wit, dq = segs.pop()
            if wit is not None:
                h = True if wit in self._P else self._probe(wit)
                if h is None:  # the witness reaches too many units, so does every member
                    self.gone.update(dq)
                    continue
                if h:
                    region.append(dq)
                    continue
            while dq:
                g = dq.pop()
                verdict = self._judge(g)
                if verdict == _ACCEPT:
                    dq.append(g)
                    segs.append([wit, dq])
                    return g, region
                if verdict == _REACHES:
                    region.append(g)
                elif verdict == _UNKNOWN:
                    region.append((g,))
        return None, region

    def _probe(self, root):
        """Does ``root`` reach a producer of the current node (other than itself)?  None when it
        reaches more than SEARCH_LIMIT units.  Answers are shared while placing one node."""
        memo, P, succ = self._hit, self._P, self.succ
        r = memo.get(root)
        if r is not None:
            return r
        keep_root = root not in P
        stack, pushed = [(root, iter(succ[root]))], 0
        while stack:
            u, it = stack[-1]
            for s in it:
                if s in P or memo.get(s) is True:
                    for x, _ in stack:
                        if x is not root or keep_root:
                            memo[x] = True
                    return True
                if s not in memo:
                    pushed += 1
                    if pushed > SEARCH_LIMIT:
                        return None
                    stack.append((s, iter(succ[s])))
                    break
            else:
                stack.pop()
                if u is not root or keep_root:
                    memo[u] = False
        return False

    def _too_far(self, g):
        """Does group ``g`` reach more than SEARCH_LIMIT units?"""
        succ, stack, seen = self.succ, [g], {g}
        while stack:
            for v in succ[stack.pop()]:
                if v not in seen:
                    if len(seen) > SEARCH_LIMIT:
                        return True
                    seen.add(v)
                    stack.append(v)
        return False


class _Cands:
    """Candidate groups, oldest first, in segments ``[witness, list of groups]``: every group of a
    segment reaches its witness unit (None: nothing known)."""

    __slots__ = ("segs", "members")

    def __init__(self, groups=()):
        self.segs: list = [[None, list(groups)]] if groups else []
        self.members: set = set(groups)

    def add(self, g):
        if g in self.members:
            return
        self.members.add(g)
        if self.segs and self.segs[-1][0] is None:
            self.segs[-1][1].append(g)
        else:
            self.segs.append([None, [g]])

    def restore(self, region, w):
        """Put back a scanned region (newest first) once unit ``w`` is placed: refused members reach a
        producer, hence ``w``; members known nothing about keep no witness."""
        run, run_w = [], None
        for piece in reversed(region):
            pw = None if type(piece) is tuple else w
            if run and pw != run_w:
                self._push(run, run_w)
                run = []
            run_w = pw
            run.append(piece[0] if pw is None else piece)
        if run:
            self._push(run, run_w)

    def _push(self, pieces, w):
        """Append one segment made of ``pieces`` (lists or groups, oldest first), witness ``w``."""
        segs = self.segs
        if segs and segs[-1][0] == w:
            pieces.insert(0, segs.pop()[1])
        lists = [p if type(p) is list else [p] for p in pieces]
        big = max(range(len(lists)), key=lambda i: len(lists[i]))
        base = lists[big]
        if big:
            base[:0] = [g for p in lists[:big] for g in p]
        for p in lists[big + 1:]:
            base.extend(p)
        segs.append([w, base])


def _group_elemwise(order, fusable):
    """Groups of fusable nodes to run as one loop each (see _Grouper)."""
    return _Grouper(fusable).run(order, fusable)


# ------------------------------------------------------------------ loops


def _clients_of(fgraph, order, memo):
    """var -> client nodes: from ``order`` when it holds every node of the graph, else from the graph."""
    if memo.clients is None and len(getattr(fgraph, "apply_nodes", ())) == len(order):
        clients = memo.clients = {}
        for n in order:
            for v in n.inputs:
                clients.setdefault(v, []).append(n)
    return memo.clients


def _outside_clients(o, fgraph, memo, inside):
    if memo.clients is not None:
        return any(c not in inside for c in memo.clients.get(o, ()))
    return any(c not in inside for c, _ in fgraph.clients(o))


def _loop_step(nodes, fgraph, target, outputs_set, memo):
    """The LoopStep of ``nodes``, or (None, k): None when it exceeds the limits, k (not None) when
    already its first k nodes exceed the operand or body limit."""
    ndim = nodes[0].outputs[0].ndim
    b = _single(nodes[0], target, memo)
    if len(nodes) > 1:
        b = b.copy()
    for k, n in enumerate(nodes):
        if k:
            b.add_node(n)
        if len(b.body.vals) > MAX_BODY or len(b.operands) > MAX_OPERANDS:
            return None, k + 1
    inside = set(nodes)
    outs = [o for n in nodes for o in n.outputs
            if o in outputs_set or _outside_clients(o, fgraph, memo, inside)]
    if len(b.operands) + len(outs) > MAX_OPERANDS or len(b.body.vals) > MAX_BODY:
        return None, None
    return LoopStep(list(b.operands), outs, list(nodes), ndim=ndim,
                    bcast=[tuple(v.type.broadcastable) for v in b.operands], body=list(b.body.vals),
                    out_vals=[b.values[o] for o in outs], literals=dict(b.literals)), None


def _split_loop(nodes, fgraph, target, outputs_set, memo=None):
    """Loop steps for a group, halving it when it exceeds the operand/body limits.

    A part whose first k nodes already exceed them fails for any length >= k: it is not built again."""
    memo = memo if memo is not None else _Memo(target)
    work, done, fails_at = [(0, len(nodes))], [], {}
    while work:
        s, e = work.pop()
        step = None
        if e - s < fails_at.get(s, e - s + 1):
            step, k = _loop_step(nodes[s:e], fgraph, target, outputs_set, memo)
            if k is not None:
                fails_at[s] = k
        if step is not None or e - s == 1:
            done.append(step if step is not None else FallbackStep(list(nodes[s].inputs), list(nodes[s].outputs),
                                                                    nodes[s:e]))
            continue
        h = (e - s) // 2
        work.extend([(s + h, e), (s, s + h)])
    return done


# ---------------------------------------------------------------- lower()


def lower(fgraph, target):
    """Lower ``fgraph`` for ``target``: a Program whose steps run in order."""
    order = fgraph.toposort()
    outputs_set = set(fgraph.outputs)
    memo = _Memo(target)
    fusable = {n for n in order if _elemwise_ok(n, target, memo)}
    _clients_of(fgraph, order, memo)
    steps = []
    grouped = set()
    for nodes in _group_elemwise(order, fusable):
        steps.extend(_split_loop(nodes, fgraph, target, outputs_set, memo))
        grouped.update(nodes)
    for node in order:
        if node in grouped:
            continue
        step = lower_node(node.op, node, target)
        if step is None:
            step = FallbackStep(list(node.inputs), list(node.outputs), [node])
        steps.append(step)
    memo.singles.clear()  # builders refer back to the memo: free them now, not at the next collection
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
