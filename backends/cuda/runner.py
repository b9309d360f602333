"""Running a lowered Program with CUDA kernels on one array library (NumPy for the emulation,
CuPy on a device).

The step kinds run through one ``StepTable`` (``STEPS``): loops and reductions launch their
kernel, views and shapes are array-library calls (no copy), Dot is the library's ``dot`` (cuBLAS
under CuPy), and every other node runs its NumPy ``perform`` (``device.host`` moves the values
to the host and back).  ``device`` provides ``xp`` (the array module), ``ptr``, ``to_device``,
``host`` and ``launch(kernel, kind, size, args)``.
"""
from __future__ import annotations

import numpy as np

from arignote.reference import NodeRuntimeError

from ..c.program import reference
from ..c.render import uses_err
from ..lowering import (AllocStep, ArgStep, CumStep, DimShuffleStep, DotStep, FallbackStep, IntDotStep, LoopStep, PutStep,
                        ReduceStep, ReshapeStep, ShapeStep, Step, StepTable, SubtensorStep, TakeStep)


class PowerError(ValueError):
    pass


def _meta(xp, parts):
    return xp.asarray(np.array([int(p) for p in parts], dtype=np.int64))


def _refuse(dev, step, vals, what):
    """Raise the reference's error for ``step`` on ``vals`` (which the kernel cannot run)."""
    reference(step, [dev.host(v) for v in vals])
    raise ValueError(f"{step.kind} of {', '.join(str(n.op) for n in step.nodes)}: {what}")


def _loop_shape(dev, step, vals):
    """The loop's shape; the reference's error when the inputs do not broadcast, or would broadcast
    an axis their type does not mark broadcastable."""
    try:
        shape = np.broadcast_shapes(*[a.shape for a in vals])
    except ValueError:
        _refuse(dev, step, vals, "the input shapes do not broadcast")
    for a, bc in zip(vals, step.bcast):
        lead = len(shape) - a.ndim
        if any(n != shape[lead + d] and not bc[d] for d, n in enumerate(a.shape)):
            _refuse(dev, step, vals, "an axis not marked broadcastable would be broadcast")
    return shape


def _loop(dev, step, kern, vals):
    xp = dev.xp
    shape = _loop_shape(dev, step, vals)
    vals = [a.reshape((1,) * (len(shape) - a.ndim) + a.shape) if a.ndim < len(shape) else a for a in vals]
    outs = [xp.empty(shape, dtype=o.type.dtype) for o in step.outputs]
    n = int(np.prod(shape, dtype=np.int64))
    if n == 0:
        return outs
    ops = list(vals) + outs
    contig = all(a.shape == shape and a.flags.c_contiguous for a in ops)
    strides = [0 if a.shape[d] == 1 else a.strides[d] for a in ops for d in range(len(shape))]
    err = xp.zeros(1, dtype=np.int32)
    dev.launch(kern, "loop", n, [("i64", n), ("i32", len(shape)), ("arr", _meta(xp, list(shape) + strides)),
                                 ("i32", int(contig)), ("arr", err)] + [("arr", a) for a in ops])
    if uses_err(step.body) and int(err[0]):  # read back (a device sync) only when the body can fail
        raise PowerError("Integers to negative integer powers are not allowed.")
    return outs


def _reduce(dev, step, kern, vals):
    xp, x = dev.xp, vals[0]
    axes = sorted(a % max(x.ndim, 1) for a in step.axes) if x.ndim else []
    kept = [d for d in range(x.ndim) if d not in axes]
    out_shape = tuple(x.shape[d] for d in kept)
    nout = int(np.prod(out_shape, dtype=np.int64))
    ninner = int(np.prod([x.shape[d] for d in axes], dtype=np.int64))
    if nout and not ninner and step.kind_ in ("max", "min") and not getattr(step.nodes[0].op, "identity", False):
        _refuse(dev, step, vals, "an empty axis has no maximum/minimum")
    z = xp.empty(out_shape, dtype=step.out_dtype)
    if nout:
        meta = (list(out_shape) + [x.shape[d] for d in axes] + [x.strides[d] for d in kept]
                + [x.strides[d] for d in axes] + list(z.strides))
        dev.launch(kern, "reduce", nout, [("i64", nout), ("i64", ninner), ("i32", len(kept)), ("i32", len(axes)),
                                          ("arr", _meta(xp, meta)), ("arr", x), ("arr", z)])
    return [z]


def _dimshuffle(dev, step, kern, vals):
    x, order = vals[0], step.order
    kept = [d for d in order if d != "x"]
    dropped = [d for d in range(x.ndim) if d not in kept]
    y = x.reshape([n for d, n in enumerate(x.shape) if d not in dropped]) if dropped else x
    rank = {d: i for i, d in enumerate(d for d in range(x.ndim) if d not in dropped)}
    y = y.transpose([rank[d] for d in kept])
    return [y.reshape([1 if d == "x" else x.shape[d] for d in order])]


def _subtensor(dev, step, kern, vals):
    x, scalars = vals[0], iter(int(v) for v in vals[1:])
    idx = []
    for entry in step.idx_list:
        if entry == "int":
            idx.append(next(scalars))
        else:
            _s, has_start, has_stop, has_step = entry
            idx.append(slice(*(next(scalars) if has else None for has in (has_start, has_stop, has_step))))
    return [x[(*idx, Ellipsis)]]  # Ellipsis: a 0-d view, not a scalar, when every axis is indexed


def _shape(dev, step, kern, vals):
    shape = vals[0].shape
    out = shape if step.axis is None else shape[step.axis]
    return [np.asarray(out, dtype=step.outputs[0].type.dtype)]


def _dot(dev, step, kern, vals):
    """numpy.dot (IntDotStep, DotStep) or, for a batched DotStep, matmul with the batch axes the
    types mark broadcastable; the reference's error on shapes that do not fit."""
    x, y = vals
    if x.ndim and y.ndim and x.shape[-1] != y.shape[-2 if y.ndim >= 2 else 0]:
        _refuse(dev, step, vals, f"shapes {tuple(x.shape)} and {tuple(y.shape)} not aligned")
    dtype = step.outputs[0].type.dtype
    if not getattr(step, "batched", False):
        return [dev.xp.asarray(dev.xp.dot(x, y)).astype(dtype, copy=False)]
    nb = max(x.ndim, y.ndim) - 2

    def batch(a, v):  # (length, marked broadcastable) per batch axis, missing ones marked
        return [(1, True)] * (nb - (a.ndim - 2)) + list(zip(a.shape[:-2], v.type.broadcastable[:-2]))

    if any(a != c and not fa and not fc for (a, fa), (c, fc) in zip(batch(x, step.inputs[0]), batch(y, step.inputs[1]))):
        _refuse(dev, step, vals, f"batch axes of {tuple(x.shape)} and {tuple(y.shape)} do not broadcast")
    return [dev.xp.asarray(dev.xp.matmul(x, y)).astype(dtype, copy=False)]


def _fallback(dev, step, kern, vals):
    node = step.nodes[0]
    cells = [[None] for _ in node.outputs]
    node.op.perform(node, [dev.host(v) for v in vals], cells)
    return [c[0] for c in cells]


STEPS = StepTable("cuda", {LoopStep: _loop, ReduceStep: _reduce, DimShuffleStep: _dimshuffle,
                           SubtensorStep: _subtensor, ShapeStep: _shape, DotStep: _dot, IntDotStep: _dot,
                           FallbackStep: _fallback,
                           # one node each, inputs and outputs those of the node: its perform, on the host,
                           # until CUDA renderings of these kinds exist (Step: any kind added later too)
                           ReshapeStep: _fallback, TakeStep: _fallback, PutStep: _fallback,
                           AllocStep: _fallback, ArgStep: _fallback, CumStep: _fallback, Step: _fallback})


def make_thunk(prog, dev, kernels):
    """``thunk(input values) -> output values`` for ``prog``; ``kernels``: step index -> kernel."""
    plan = [(STEPS.lookup(type(s)), s, kernels.get(i)) for i, s in enumerate(prog.steps)]
    consts = {v: dev.to_device(d) if isinstance(d, np.ndarray) else d for v, d in prog.constants.items()}

    in_checks = [(k, v.type) for k, v in enumerate(prog.inputs) if hasattr(v.type, "check_shape")]

    def thunk(values):
        values = list(values)
        for k, t in in_checks:  # values given with trust_input: kernels read the type's dtype and rank
            a = values[k]
            if getattr(a, "dtype", None) != t.numpy_dtype or a.ndim != t.ndim:
                a = a if hasattr(a, "shape") else np.asarray(a)
                t.check_shape(a.shape, f"input #{k}")
                values[k] = a.astype(t.numpy_dtype)
        cells = dict(consts)
        cells.update(zip(prog.inputs, values))
        for v, cont in prog.containers.items():
            cells[v] = cont[0]
        for run, step, kern in plan:
            vals = [cells[v] for v in step.inputs]
            try:
                with np.errstate(all="ignore"):
                    outs = run(dev, step, kern, [dev.to_device(v) if run is not _fallback else v for v in vals])
            except Exception as e:
                if getattr(e, "node", None) is not None:  # the reference's error: names its node already
                    raise
                raise NodeRuntimeError.wrap(e, step.nodes[-1], [dev.host(v) for v in vals]) from e
            for o, val in zip(step.outputs, outs):
                cells[o] = dev.to_device(val) if run is _fallback else val
        return [cells[v] for v in prog.outputs]

    thunk.program = prog
    return thunk


def on_host(thunk, dev):
    """``thunk`` returning its outputs as NumPy arrays (for callers that are not a Function with
    the backend's device storage: scan's inner graphs, debug modes)."""
    host = dev.host

    def run(values):
        return [host(v) for v in thunk(values)]

    run.program = thunk.program
    return run
