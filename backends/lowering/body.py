"""Scalar loop bodies: the expression DAG of one fused loop (``SVal``/``Body``), built from Elemwise
nodes with the casts NumPy's ufunc loops would do, and the memo one lowering run shares."""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import numpy as np

from arignote import fusion as limits
from arignote import scalar as ps
from arignote.graph import Constant
from arignote.tensor.elemwise import DimShuffle, Elemwise

from ..scalar_table import NotRenderable, kind_of, loop_dtypes
from .steps import _dtype_ok, _is_tensor


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
        self.inline_literals = True  # False: constants are operands, so loops differing only in them match

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
        if not self.inline_literals and isinstance(v, Constant):
            return None  # an operand (a constant seen through a DimShuffle stays inline: no view step)
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
            ok = len(b.operands) + len(node.outputs) <= limits.MAX_OPERANDS
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
