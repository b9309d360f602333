"""A structural key of what the LLVM backend generates for a lowered program.

Generating IR text costs more than loading cached object code, so the cache
is keyed by this description instead of by the IR: everything the code
generator reads (step kinds, scalar bodies, dtypes, broadcast patterns,
static shapes, axes, view ops, which values are inputs, constants (their
shape and strides; values live in the runtime table), exports, the segment
plan) plus the target and a hash of the generator's own sources.  Variables
appear by their position in ``program.variables``.
"""
from __future__ import annotations

import dataclasses
import hashlib
import os

import numpy as np

from arignote.backends import lowering as lw

from . import scalar_ir

_SOURCES = ("irtypes.py", "vmath.py", "scalar_ir.py", "complex_ir.py", "scalar_column.py", "helpers.py", "loops.py", "entry.py", "steps.py", "indexing.py", "runtime.py", "native.py",
            "backend.py", "capi.py", "signature.py", "jit.py")
_code_hash = None


def code_hash():
    """SHA-256 of the generator's sources (and the shared lowering/table): changing them invalidates keys."""
    global _code_hash
    if _code_hash is None:
        here = os.path.dirname(os.path.abspath(__file__))
        shared = os.path.dirname(here)
        h = hashlib.sha256()
        lowering_dir = os.path.join(shared, "lowering")
        lowering = sorted(os.path.join(lowering_dir, f) for f in os.listdir(lowering_dir) if f.endswith(".py"))
        for path in [os.path.join(here, f) for f in _SOURCES] + lowering + [os.path.join(shared, "scalar_table.py")]:
            with open(path, "rb") as f:
                h.update(f.read())
        _code_hash = h.hexdigest()
    return _code_hash


def _var(v, index):
    t = v.type
    return (index[v], getattr(t, "dtype", type(t).__name__), tuple(getattr(t, "shape", ()) or ()))


def _lit(value):
    a = np.asarray(value)
    return (a.dtype.name, a.tobytes().hex())


def _step(s, index):
    ins = tuple(_var(v, index) for v in s.inputs)
    outs = tuple(_var(v, index) for v in s.outputs)
    return (type(s).__name__, ins, outs) + _STEP_FIELDS.lookup(type(s))(s)


def _loop_fields(s):
    body = tuple((b.kind, b.dtype, b.index, _lit(b.value) if b.kind == "lit" else None, b.name, b.args)
                 for b in s.body)
    return (s.ndim, tuple(map(tuple, s.bcast)), body, tuple(s.out_vals))


#: what of each step kind goes into the key, beyond its variables
_STEP_FIELDS = lw.StepTable("llvm keys", {
    lw.LoopStep: _loop_fields,
    lw.ReduceStep: lambda s: (s.kind_, tuple(s.axes), s.in_dtype, s.out_dtype),
    lw.DimShuffleStep: lambda s: (tuple(s.order),),
    lw.SubtensorStep: lambda s: (tuple(s.idx_list),),
    lw.ShapeStep: lambda s: (s.axis,),
    lw.DotStep: lambda s: (s.dtype, s.batched) + ((tuple(v.type.broadcastable for v in s.inputs),) if s.batched else ()),
    lw.Step: lambda s: _own_fields(s),
})


def _own_fields(s):
    """The fields a step kind adds to Step's (argmax or argmin, cumsum or cumprod, axis, set or
    inc, broadcast patterns...): every one of them changes the code generated."""
    base = {f.name for f in dataclasses.fields(lw.Step)}
    return tuple((f.name, repr(getattr(s, f.name))) for f in dataclasses.fields(s) if f.name not in base)


def segment_key(program, segments, target_key):
    """Hex key of the module generated for ``segments`` (Segment records) of ``program``."""
    index = program.index()
    parts = [code_hash(), scalar_ir.fingerprint(), repr(target_key), len(program.inputs), tuple(_var(v, index) for v in program.outputs)]
    for seg in segments:
        reads = []
        for v in seg.reads:
            if v in program.constants:
                c = program.constants[v]
                reads.append(("const", index[v], c.dtype.name, c.shape, c.strides))
            else:
                reads.append(("in",) + _var(v, index))
        parts.append((seg.direct, tuple(reads), tuple(index[v] for v in seg.exports),
                      tuple(_step(s, index) for s in seg.steps)))
    return hashlib.sha256(repr(parts).encode()).hexdigest()
