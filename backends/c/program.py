"""Encode a lowered Program for the C runtime and make its thunk.

The runtime reads an int64 array: a header, per-variable type numbers and
ranks, the input/output/constant/shared variable numbers, step offsets and
the steps themselves (layouts below match backends/c/runtime.c).  Python
objects the runtime needs (constants, shared containers, fallback callables)
travel in a tuple and are referenced by position.  Two Python hooks handle
the rare paths: ``convert`` (an input that is not an exact, aligned array of
its dtype) and ``error`` (a step failed: re-run its NumPy reference, which
raises the same error the 'py' backend would).
"""
from __future__ import annotations

import numpy as np

from arignote.reference import NodeRuntimeError
from ..lowering import (AllocStep, ArgStep, CumStep, DimShuffleStep, DotStep, FallbackStep, GatherStep, IncSubtensorStep, IntDotStep, JoinStep, LoopStep, MaskPutStep, MaskStep,
                        PutStep, ReduceStep, ReshapeStep, ScatterStep, ShapeStep, StepTable, SubtensorStep, TakeStep)
from .scan import scan_words

MAGIC = 0x4152474E4F544531
S_LOOP, S_REDUCE, S_DIMSHUFFLE, S_SUBTENSOR, S_SHAPE, S_SHAPE_I, S_DOT, S_FALLBACK = range(1, 9)
S_RESHAPE, _, _, S_ALLOC, S_ARG, S_CUM, S_JOIN, S_INCSUB, S_IDOT, S_MASK, S_MPUT, S_GATHER, S_SCATTER = range(10, 23)  # 9 is S_SCAN (scan.py)


def _typenum(v):
    t = v.type
    if hasattr(t, "numpy_dtype") and hasattr(t, "ndim"):
        return np.dtype(t.numpy_dtype).num, t.ndim
    return -1, 0


class Encoder:
    """Collects the int64 words and Python objects of one program."""

    def __init__(self, program, kernels):
        self.p = program
        self.kernels = kernels  # step index -> function address
        self.vid = program.index()
        self.objs = []

    def obj(self, o):
        self.objs.append(o)
        return len(self.objs) - 1

    def step_words(self, i, s):
        v = self.vid
        return STEP_WORDS.lookup(type(s))(self, i, s, [v[x] for x in s.inputs], [v[x] for x in s.outputs])

    def _loop(self, i, s, ins, outs):
        bc = [int(b) for pat in s.bcast for b in pat]
        return [S_LOOP, self.kernels[i], len(ins), len(outs), s.ndim, *ins, *outs, *bc]

    def _reduce(self, i, s, ins, outs):
        nd = s.inputs[0].ndim
        mask = [int(d in s.axes) for d in range(nd)]
        raises = s.kind_ in ("max", "min") and not getattr(s.nodes[0].op, "identity", False)  # empty axis
        return [S_REDUCE, self.kernels[i], ins[0], outs[0], nd, int(raises), *mask]

    def _dimshuffle(self, i, s, ins, outs):
        order = [-1 if o == "x" else int(o) for o in s.order]
        return [S_DIMSHUFFLE, ins[0], outs[0], len(order), s.inputs[0].ndim, *order]

    def _subtensor(self, i, s, ins, outs):
        return [S_SUBTENSOR, ins[0], outs[0], *self._entries(s.idx_list, ins[1:])]

    def _shape(self, i, s, ins, outs):
        if s.axis is None:
            return [S_SHAPE, ins[0], outs[0]]
        return [S_SHAPE_I, ins[0], outs[0], int(s.axis)]

    def _dot(self, i, s, ins, outs):
        flags = [int(f) for v in s.inputs for f in v.type.broadcastable[:-2]] if s.batched else []
        return [S_DOT, ins[0], ins[1], outs[0], np.dtype(s.dtype).num, int(s.batched), *flags]

    def _idot(self, i, s, ins, outs):
        (x, y), z = (np.dtype(v.type.dtype) for v in s.inputs), np.dtype(s.outputs[0].type.dtype)
        return [S_IDOT, ins[0], ins[1], outs[0], ord(x.kind), x.itemsize, ord(y.kind), y.itemsize, z.itemsize]

    def _reshape(self, i, s, ins, outs):
        static = [-1 if d is None else int(d) for d in s.outputs[0].type.shape]
        return [S_RESHAPE, ins[0], ins[1], outs[0], s.ndim, _itemsize(s.inputs[0]), *static]

    def _take(self, i, s, ins, outs):  # x[idx]: a gather on axis 0 of the whole of x
        return [S_GATHER, ins[0], outs[0], _itemsize(s.inputs[0]), 0, 1, 0, ins[1], 0]

    def _put(self, i, s, ins, outs):
        return self._scatter_words(s, ins[:2], outs, 0, [0], ins[2:], [0])

    def _mask(self, i, s, ins, outs):
        return [S_MASK, ins[0], ins[1], outs[0], _itemsize(s.inputs[0])]

    def _mput(self, i, s, ins, outs):
        dt = np.dtype(s.inputs[0].type.dtype)
        return [S_MPUT, *ins, outs[0], dt.itemsize, int(s.set_), ord(dt.kind), len(s.y_bcast), *map(int, s.y_bcast)]

    def _gather(self, i, s, ins, outs):
        arrays, scalars = _split_index(s, ins, 1)
        return [S_GATHER, ins[0], outs[0], _itemsize(s.inputs[0]), s.at, len(s.axes), *s.axes, *arrays,
                *self._entries(s.view, scalars)]

    def _scatter(self, i, s, ins, outs):
        arrays, scalars = _split_index(s, ins, 2)
        return self._scatter_words(s, ins[:2], outs, s.at, s.axes, arrays, self._entries(s.view, scalars),
                                   s.ignore_dupes)

    @staticmethod
    def _scatter_words(s, xy, outs, at, axes, arrays, entries, dupes=False):
        dt = np.dtype(s.inputs[0].type.dtype)
        return [S_SCATTER, *xy, outs[0], dt.itemsize, int(s.set_), ord(dt.kind), int(dupes), len(s.y_bcast),
                *map(int, s.y_bcast), at, len(axes), *axes, *arrays, *entries]

    def _alloc(self, i, s, ins, outs):
        return [S_ALLOC, ins[0], outs[0], _itemsize(s.inputs[0]), len(ins) - 1, len(s.v_bcast), *ins[1:],
                *map(int, s.v_bcast)]

    def _arg(self, i, s, ins, outs):
        dt = np.dtype(s.inputs[0].type.dtype)
        return [S_ARG, ins[0], outs[0], int(s.kind_ == "argmin"), -1 if s.axis is None else int(s.axis),
                ord(dt.kind), dt.itemsize]

    def _cum(self, i, s, ins, outs):
        dt = np.dtype(s.inputs[0].type.dtype)
        kind = "f" if dt.kind == "f" else "i" if dt.kind == "i" else "u"
        return [S_CUM, ins[0], outs[0], int(s.mode == "mul"), -1 if s.axis is None else int(s.axis), ord(kind),
                dt.itemsize, _itemsize(s.outputs[0])]

    def _join(self, i, s, ins, outs):
        return [S_JOIN, outs[0], int(s.axis), int(s.stacked), _itemsize(s.outputs[0]), len(ins), *ins]

    def _incsub(self, i, s, ins, outs):
        dt = np.dtype(s.inputs[0].type.dtype)
        return [S_INCSUB, ins[0], ins[1], outs[0], dt.itemsize, int(s.set_), ord(dt.kind), len(s.y_bcast),
                *map(int, s.y_bcast), *self._entries(s.idx_list, ins[2:])]

    def _fallback(self, i, s, ins, outs):
        fn = fallback_callable(s.nodes[0])
        words = [S_FALLBACK, self.obj(fn), len(ins), len(outs), *ins, *outs]
        return scan_words(self, s, words) or words  # a Scan node whose body runs in the runtime

    @staticmethod
    def _entries(idx_list, idx_vars):
        words, it = [len(idx_list)], iter(idx_vars)
        for e in idx_list:
            if e == "int":
                words += [0, next(it)]
            elif e == "newaxis":
                words += [2]
            else:
                _, hs, he, hk = e
                words += [1] + [next(it) if has else -1 for has in (hs, he, hk)]
        return words

    def encode(self):
        p, v = self.p, self.vid
        types = [_typenum(x) for x in p.variables]
        consts = []
        for var, val in p.constants.items():
            if types[v[var]][0] >= 0:
                val = _native(np.asarray(val))
            consts += [v[var], self.obj(val)]
        shared = []
        for var, cont in p.containers.items():
            shared += [v[var], self.obj(cont)]
        steps = [self.step_words(i, s) for i, s in enumerate(p.steps)]
        refs = [[len(s.inputs), *[v[x] for x in s.inputs]] for s in p.steps]
        head = [MAGIC, len(p.variables), len(p.inputs), len(p.outputs), len(consts) // 2, len(shared) // 2,
                len(steps), 0]
        tables = [t for t, _ in types] + [n for _, n in types] + [v[x] for x in p.inputs] + \
                 [v[x] for x in p.outputs] + consts + shared
        at = len(head) + len(tables) + 2 * len(steps)
        step_at, ref_at, payload = [], [], []
        for words in steps:
            step_at.append(at + len(payload))
            payload += words
        for words in refs:
            ref_at.append(at + len(payload))
            payload += words
        code = np.array(head + tables + step_at + ref_at + payload, dtype=np.int64)
        return code.tobytes(), tuple(self.objs)


def _split_index(step, ins, first):
    """A Gather/ScatterStep's index arrays and the view's scalars (the other inputs from ``first``)."""
    return [ins[j] for j in step.arrays], [v for j, v in enumerate(ins) if j >= first and j not in step.arrays]


#: the C runtime's words of each step kind (the runtime's switch in runtime.c reads them)
STEP_WORDS = StepTable("c", {
    LoopStep: Encoder._loop, ReduceStep: Encoder._reduce, DimShuffleStep: Encoder._dimshuffle,
    SubtensorStep: Encoder._subtensor, ShapeStep: Encoder._shape, DotStep: Encoder._dot, IntDotStep: Encoder._idot,
    ReshapeStep: Encoder._reshape, TakeStep: Encoder._take, PutStep: Encoder._put, MaskStep: Encoder._mask, MaskPutStep: Encoder._mput, GatherStep: Encoder._gather, ScatterStep: Encoder._scatter, AllocStep: Encoder._alloc, ArgStep: Encoder._arg,
    CumStep: Encoder._cum, JoinStep: Encoder._join, IncSubtensorStep: Encoder._incsub,
    FallbackStep: Encoder._fallback,
})


def _itemsize(v):
    return np.dtype(v.type.dtype).itemsize


def _native(a):
    if not a.dtype.isnative:
        a = a.astype(a.dtype.newbyteorder("="))
    return np.require(a, requirements=["A"])


# ------------------------------------------------------------------ hooks


def fallback_callable(node):
    """``run(*inputs)`` -> output(s) of ``node`` via its C code (an op's own ``c_code``) or its
    NumPy perform, checked and wrapped."""
    from .user_code import perform_for

    perform = perform_for(node) or node.op.perform
    outs = node.outputs
    n = len(outs)
    checks = []
    for o in outs:
        t = o.type
        checks.append((t.numpy_dtype, t.ndim) if hasattr(t, "numpy_dtype") and hasattr(t, "ndim") else None)

    def run(*args):
        storage = [[None] for _ in range(n)]
        try:
            perform(node, list(args), storage)
        except Exception as e:
            raise NodeRuntimeError.wrap(e, node, list(args)) from e
        res = []
        for cell, chk in zip(storage, checks):
            val = cell[0]
            if chk is not None:
                dt, nd = chk
                if type(val) is not np.ndarray or val.dtype != dt:
                    val = np.asarray(val, dtype=dt)
                if val.ndim != nd:
                    raise TypeError(f"{node.op} produced a {val.ndim}-d value for its {nd}-d output")
                if not (val.dtype.isnative and val.flags.aligned):
                    val = _native(val)
            res.append(val)
        return res[0] if n == 1 else tuple(res)

    run.node = node
    return run


def reference(step, inputs):
    """Run ``step`` with the NumPy reference (raises what the 'py' backend would raise)."""
    if isinstance(step, LoopStep):
        values = dict(zip(step.inputs, inputs))
        for var, lit in step.literals.items():
            values[var] = np.asarray(lit).reshape((1,) * var.ndim)
        result = None
        for node in step.nodes:
            result = _perform(node, [values[x] for x in node.inputs])
            values.update(zip(node.outputs, result))
        return result
    return _perform(step.nodes[0], list(inputs))


def _perform(node, args):
    storage = [[None] for _ in node.outputs]
    try:
        node.op.perform(node, args, storage)
    except Exception as e:
        raise NodeRuntimeError.wrap(e, node, args) from e
    return [c[0] for c in storage]


def make_hooks(program):
    """(error_hook, convert_hook) for the runtime."""
    steps = program.steps
    in_types = [v.type for v in program.inputs]

    def error_hook(si, inputs):
        reference(steps[si], list(inputs))
        raise RuntimeError(f"the C kernel of step {si} ({steps[si].kind}: "
                           f"{', '.join(str(n.op) for n in steps[si].nodes)}) failed on inputs the NumPy "
                           "reference accepts")

    def convert_hook(i, value):
        t = in_types[i]
        a = t.filter(value) if hasattr(t, "filter") else value
        a = np.asarray(a, dtype=t.numpy_dtype)
        if a.ndim != t.ndim:
            raise TypeError(f"input #{i} must be {t.ndim}-dimensional ({t}), got {a.ndim} dimension(s)")
        return _native(a)

    return error_hook, convert_hook
