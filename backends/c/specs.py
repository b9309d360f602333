"""Kernel specs: what a loop or reduction kernel computes, independent of the graph it came from.

Two steps with equal specs share one compiled kernel (the cache is keyed by
the rendered spec).  An op *family* is every dtype variant of a one-op kernel
(each dtype NumPy has a loop for, with the same operands constant along the
inner axis); when a process keeps asking for variants of one op,
the whole family is compiled at once, so tables of op tests do not compile
one library per case.
"""
from __future__ import annotations

from dataclasses import dataclass

from arignote import scalar as ps

from ..lowering import Body, LoopStep, ReduceStep, Step, StepTable, Target
from ..scalar_table import NotRenderable


@dataclass(frozen=True)
class LoopSpec:
    """A fused loop: operand dtypes and inner-axis invariance, a scalar body, outputs."""

    in_dtypes: tuple
    out_dtypes: tuple
    invariant: tuple
    body: tuple
    out_vals: tuple


@dataclass(frozen=True)
class ReduceSpec:
    kind: str
    in_dtype: str
    out_dtype: str


def spec_of(step):
    """The kernel spec of ``step``, or None for the steps the runtime runs without a kernel."""
    return KERNEL_SPECS.lookup(type(step))(step)


#: the step kinds that get a generated C kernel; the others are run by runtime.c itself
KERNEL_SPECS = StepTable("c kernels", {
    LoopStep: lambda step: LoopSpec(tuple(v.type.dtype for v in step.inputs),
                                    tuple(v.type.dtype for v in step.outputs),
                                    tuple(step.invariant(k) for k in range(len(step.inputs))),
                                    tuple(step.body), tuple(step.out_vals)),
    ReduceStep: lambda step: ReduceSpec(step.kind_, step.in_dtype, step.out_dtype),
    Step: lambda step: None,
})


def family_of(spec):
    """The family key of a kernel of one op on operands of one dtype ((op, arity, invariance),
    or ('reduce', kind)), else None."""
    if isinstance(spec, ReduceSpec):
        return ("reduce", spec.kind)
    ops = [v for v in spec.body if v.kind == "op" and v.name != "cast"]
    if (len(ops) != 1 or len(spec.out_dtypes) != 1 or len(set(spec.in_dtypes)) != 1
            or any(v.kind == "lit" for v in spec.body)):
        return None
    return (ops[0].name, len(spec.in_dtypes), spec.invariant)


def family(key, target: Target):
    """Every spec of a family that ``target`` renders: the op on each dtype, built exactly as the
    lowering builds one Elemwise node (so the specs, hence the cache keys, are the same)."""
    if key[0] == "reduce":
        return _reduce_family(key[1], target)
    name, nin, inv = key
    try:
        sop = ps.get_scalar_op(name)
    except KeyError:
        return []
    out = []
    for d in target.dtypes:
        body = Body(target)
        args = [body.operand(k, d) for k in range(nin)]
        try:
            out_dt = sop.output_dtype(*[d] * nin)
            r = body.apply(sop, args, out_dt)
        except (NotRenderable, TypeError, ValueError, KeyError):
            continue
        out.append(LoopSpec((d,) * nin, (out_dt,), inv, tuple(body.vals), (r,)))
    return out


def _reduce_family(kind, target):
    from arignote.tensor.reduction import Reduce

    out = []
    for d in target.dtypes:
        if kind in ("max", "min") and d.startswith("complex"):
            continue
        od = Reduce(kind, (0,)).out_dtype(d)
        if od in target.dtypes:
            out.append(ReduceSpec(kind, d, od))
    return out

