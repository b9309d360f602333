"""Row functions in IR: the innermost loop of fused elementwise loops and of reductions.

A row function ``void row(i64 n, i8** ptrs, i64* strides, i32* err)`` handles
``n`` elements along one axis: operand k starts at ``ptrs[k]`` and moves by
``strides[k]`` bytes (inputs first, then outputs).  It runs W lanes at a time
when every operand is unit-stride (or invariant, stride 0), else one element
at a time with any strides (negative, zero, transposed).  The N-d walk that
merges contiguous axes and calls the row for every innermost row lives in
runtime.py, compiled once per process.  ``err`` receives a nonzero code when
an op fails the way NumPy raises.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from llvmlite import ir

from arignote.tensor.reduction import minmax_identity

from .irtypes import COMPONENT, I1, I8P, I32, I64, I64P, VOID, CVal, const, is_complex, literal, mem_type, reg_type, vec
from .scalar_ir import Emitter

ROW_ARGS = (I64, I8P.as_pointer(), I64P, I32.as_pointer())
MAX_LANES = 16
BLOCK = 64  # vector steps per block of a float sum (see _reduce_row)


@dataclass
class KernelContext:
    """What kernels may use on this target."""

    mathlib: object
    vector_bits: int = 256
    attributes: tuple = ()  # extra (string) function attributes


def lanes_for(dtypes, ctx):
    """Vector lanes for a body computing in ``dtypes`` (float16 computes in float32; a complex
    value is two vectors of its parts)."""
    widest = max([4 if d == "float16" else (1 if d == "bool" else _size(COMPONENT.get(d, d))) for d in dtypes] or [8])
    return max(2, min(MAX_LANES, ctx.vector_bits // (8 * widest)))


def _size(dtype):
    return np.dtype(dtype).itemsize


# ------------------------------------------------------------- IR utilities
def counted_loop(builder, fn, start, stop, step, body, name="loop"):
    """``for (i = start; i < stop; i += step) body(i)`` with an i64 counter."""
    b = builder
    pre = b.block
    head = fn.append_basic_block(f"{name}.head")
    loop = fn.append_basic_block(f"{name}.body")
    done = fn.append_basic_block(f"{name}.done")
    b.branch(head)
    b.position_at_end(head)
    i = b.phi(I64, name=f"{name}.i")
    i.add_incoming(start, pre)
    b.cbranch(b.icmp_signed("<", i, stop), loop, done)
    b.position_at_end(loop)
    body(i)
    nxt = b.add(i, step)
    i.add_incoming(nxt, b.block)
    b.branch(head)
    b.position_at_end(done)
    return i


def load_elem(b, ptr, dtype, lanes=None):
    """Load one element (or ``lanes`` consecutive ones) of ``dtype`` at byte pointer ``ptr``."""
    if is_complex(dtype):
        comp = COMPONENT[dtype]
        if lanes is None:
            half = _size(comp)
            return CVal(load_elem(b, ptr, comp), load_elem(b, b.gep(ptr, [const(I64, half)]), comp))
        both = load_elem(b, ptr, comp, 2 * lanes)  # re0 im0 re1 im1 ...
        return CVal(_pick(b, both, 0, lanes), _pick(b, both, 1, lanes))
    mt = vec(mem_type(dtype), lanes)
    v = b.load(b.bitcast(ptr, mt.as_pointer()), align=_size(dtype))
    if dtype == "bool":
        return b.icmp_unsigned("!=", v, const(v.type, 0))
    return v


def _pick(b, v, first, lanes):
    mask = ir.Constant(ir.VectorType(I32, lanes), [first + 2 * k for k in range(lanes)])
    return b.shuffle_vector(v, ir.Constant(v.type, ir.Undefined), mask)


def store_elem(b, value, ptr, dtype, lanes=None):
    if is_complex(dtype):
        comp = COMPONENT[dtype]
        if lanes is None:
            store_elem(b, value.re, ptr, comp)
            store_elem(b, value.im, b.gep(ptr, [const(I64, _size(comp))]), comp)
            return
        mask = ir.Constant(ir.VectorType(I32, 2 * lanes), [k // 2 + (lanes if k % 2 else 0) for k in range(2 * lanes)])
        store_elem(b, b.shuffle_vector(value.re, value.im, mask), ptr, comp, 2 * lanes)
        return
    mt = vec(mem_type(dtype), lanes)
    if dtype == "bool":
        value = b.zext(value, mt)
    b.store(value, b.bitcast(ptr, mt.as_pointer()), align=_size(dtype))


def splat(b, v, lanes):
    if lanes is None:
        return v
    if isinstance(v, CVal):
        return CVal(splat(b, v.re, lanes), splat(b, v.im, lanes))
    ty = ir.VectorType(v.type, lanes)
    ins = b.insert_element(ir.Constant(ty, ir.Undefined), v, ir.Constant(I32, 0))
    return b.shuffle_vector(ins, ir.Constant(ty, ir.Undefined), ir.Constant(ir.VectorType(I32, lanes), [0] * lanes))


def eval_body(em, body, operand):
    """Values of the scalar DAG ``body`` (lowering SVals); ``operand(k)`` gives operand k."""
    vals = []
    for v in body:
        if v.kind == "in":
            vals.append(operand(v.index))
        elif v.kind == "lit":
            vals.append(literal(v.value, v.dtype, em.lanes))
        elif v.name == "cast":
            (a,) = v.args
            vals.append(em.cast(vals[a], body[a].dtype, v.dtype))
        else:
            vals.append(em.op(v.name, [vals[a] for a in v.args], [body[a].dtype for a in v.args], v.dtype))
    return vals


# --------------------------------------------------------- elementwise loop
def new_row(module, name, ctx):
    """A row function ``void row(i64 n, i8** ptrs, i64* strides, i32* err)`` (see runtime.walk)."""
    fn = ir.Function(module, ir.FunctionType(VOID, ROW_ARGS), name)
    fn.attributes.add("nounwind")
    for a in ctx.attributes:
        set.add(fn.attributes, a)
    # vector spills around libmvec calls: a realigned stack keeps them within one cache line
    set.add(fn.attributes, f"alignstack({ctx.vector_bits // 8})")
    fn.linkage = "internal"
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    n, ptrs_p, strides_p, err = fn.args
    return fn, b, n, ptrs_p, strides_p, err


def _load_args(b, ptrs_p, strides_p, nops):
    ptrs = [b.load(b.gep(ptrs_p, [const(I64, k)])) for k in range(nops)]
    strides = [b.load(b.gep(strides_p, [const(I64, k)])) for k in range(nops)]
    return ptrs, strides


def build_loop(module, name, step, ctx):
    """The row function of a lowering ``LoopStep``: operands are its inputs, then its outputs."""
    fn, b, n, ptrs_p, strides_p, err = new_row(module, name, ctx)
    in_dt = [v.type.dtype for v in step.inputs]
    dts = in_dt + [v.type.dtype for v in step.outputs]
    nin = len(in_dt)
    ptrs, strides = _load_args(b, ptrs_p, strides_p, len(dts))
    lanes = lanes_for([v.dtype for v in step.body] + dts, ctx)
    invariant = [step.ndim == 0 or step.bcast[k][-1] for k in range(nin)]
    _elementwise_row(fn, b, err, step, ctx, lanes, invariant, dts, nin, n, ptrs, strides)
    b.ret_void()
    return fn


def _elementwise_row(fn, b, err, step, ctx, lanes, invariant, dts, nin, n, ptrs, strides):
    nops = len(dts)
    # vector path: varying operands unit-stride, invariant ones really invariant
    ok = const(I1, 1)
    for k in range(nops):
        want = 0 if k < nin and invariant[k] else _size(dts[k])
        ok = b.and_(ok, b.icmp_signed("==", strides[k], const(I64, want)))
    nvec = b.select(ok, b.and_(n, const(I64, -lanes)), const(I64, 0))
    has_vec = b.icmp_signed(">", nvec, const(I64, 0))
    with b.if_then(has_vec):
        em = Emitter(b, ctx.mathlib, lanes, err)
        hoisted = {k: splat(b, load_elem(b, ptrs[k], dts[k]), lanes) for k in range(nin) if invariant[k]}

        def vbody(i):
            offs = {}

            def operand(k):
                if k in hoisted:
                    return hoisted[k]
                if k not in offs:
                    offs[k] = load_elem(b, b.gep(ptrs[k], [b.mul(i, const(I64, _size(dts[k])))]), dts[k], lanes)
                return offs[k]

            vals = eval_body(em, step.body, operand)
            for j, vi in enumerate(step.out_vals):
                k = nin + j
                store_elem(b, vals[vi], b.gep(ptrs[k], [b.mul(i, const(I64, _size(dts[k])))]), dts[k], lanes)

        counted_loop(b, fn, const(I64, 0), nvec, const(I64, lanes), vbody, "vec")
    em1 = Emitter(b, ctx.mathlib, None, err)

    def sbody(i):
        def operand(k):
            return load_elem(b, b.gep(ptrs[k], [b.mul(i, strides[k])]), dts[k])

        vals = eval_body(em1, step.body, operand)
        for j, vi in enumerate(step.out_vals):
            k = nin + j
            store_elem(b, vals[vi], b.gep(ptrs[k], [b.mul(i, strides[k])]), dts[k])

    counted_loop(b, fn, nvec, n, const(I64, 1), sbody, "scalar")


# ---------------------------------------------------------------- reductions
REDUCE_OPS = {"sum": "add", "prod": "mul", "max": "maximum", "min": "minimum",
              "all": "logical_and", "any": "logical_or"}


def reduce_identity(kind, dtype):
    """The starting value of a reduction (NumPy's empty-reduction result for sum/prod/all/any)."""
    start = {"sum": 0, "prod": 1, "all": True, "any": False}
    return start[kind] if kind in start else minmax_identity(kind, dtype)


def acc_dtype(kind, out_dtype):
    """Accumulator dtype: float16 sums/products accumulate in float32 (as NumPy's pairwise sum)."""
    return "float32" if out_dtype == "float16" and kind in ("sum", "prod") else out_dtype


def build_reduce(module, name, kind, in_dtype, out_dtype, ctx):
    """The row function combining operand 0 (input) into operand 1 (output, stride 0 on reduced axes).

    The output must hold the identity already (runtime ``fill``).
    """
    fn, b, n, ptrs_p, strides_p, err = new_row(module, name, ctx)
    ptrs, strides = _load_args(b, ptrs_p, strides_p, 2)
    adt = acc_dtype(kind, out_dtype)
    lanes = lanes_for([in_dtype, adt], ctx)
    opname = REDUCE_OPS[kind]
    acc = b.alloca(reg_type(adt))
    vacc = b.alloca(vec(reg_type(adt), lanes))
    bacc = b.alloca(vec(reg_type(adt), lanes))

    def combine(em, a, x):
        return em.op(opname, [a, x], [adt, adt], adt)

    _reduce_row(fn, b, err, ctx, lanes, kind, combine, in_dtype, out_dtype, adt, n, ptrs, strides, acc, vacc, bacc)
    b.ret_void()
    return fn


def _reduce_row(fn, b, err, ctx, lanes, kind, combine, in_dt, out_dt, adt, n, ptrs, strides, acc, vacc, bacc):
    isz, osz = _size(in_dt), _size(out_dt)
    into_one = b.icmp_signed("==", strides[1], const(I64, 0))
    unit_in = b.icmp_signed("==", strides[0], const(I64, isz))
    em1 = Emitter(b, ctx.mathlib, None, err)
    with b.if_else(into_one) as (to_scalar, to_array):
        with to_scalar:  # the innermost axis is reduced: accumulate in registers
            b.store(literal(reduce_identity(kind, adt), adt), acc)
            nvec = b.select(unit_in, b.and_(n, const(I64, -lanes)), const(I64, 0))
            with b.if_then(b.icmp_signed(">", nvec, const(I64, 0))):
                em = Emitter(b, ctx.mathlib, lanes, err)
                b.store(literal(reduce_identity(kind, adt), adt, lanes), vacc)

                blocked = kind in ("sum", "prod") and adt.startswith("float")
                into = bacc if blocked else vacc

                def vbody(i):
                    x = load_elem(b, b.gep(ptrs[0], [b.mul(i, const(I64, isz))]), in_dt, lanes)
                    b.store(combine(em, b.load(into), em.cast(x, in_dt, adt)), into)

                if blocked:  # float sums in blocks: per-lane error grows with n / BLOCK, not n (cf. pairwise)
                    def block(start):
                        b.store(literal(reduce_identity(kind, adt), adt, lanes), bacc)
                        end = b.add(start, const(I64, lanes * BLOCK))
                        end = b.select(b.icmp_signed("<", end, nvec), end, nvec)
                        counted_loop(b, fn, start, end, const(I64, lanes), vbody, "rblk")
                        b.store(combine(em, b.load(vacc), b.load(bacc)), vacc)

                    counted_loop(b, fn, const(I64, 0), nvec, const(I64, lanes * BLOCK), block, "rvec")
                else:
                    counted_loop(b, fn, const(I64, 0), nvec, const(I64, lanes), vbody, "rvec")
                v = b.load(vacc)
                r = b.extract_element(v, const(I32, 0))
                for k in range(1, lanes):
                    r = combine(em1, r, b.extract_element(v, const(I32, k)))
                b.store(r, acc)

            def sbody(i):
                x = load_elem(b, b.gep(ptrs[0], [b.mul(i, strides[0])]), in_dt)
                b.store(combine(em1, b.load(acc), em1.cast(x, in_dt, adt)), acc)

            counted_loop(b, fn, nvec, n, const(I64, 1), sbody, "rscalar")
            cur = em1.cast(load_elem(b, ptrs[1], out_dt), out_dt, adt)
            store_elem(b, em1.cast(combine(em1, cur, b.load(acc)), adt, out_dt), ptrs[1], out_dt)
        with to_array:  # out[i] = op(out[i], x[i]) along the innermost axis
            unit_out = b.icmp_signed("==", strides[1], const(I64, osz))
            ok = b.and_(unit_in, unit_out)
            nvec = b.select(ok, b.and_(n, const(I64, -lanes)), const(I64, 0))
            with b.if_then(b.icmp_signed(">", nvec, const(I64, 0))):
                em = Emitter(b, ctx.mathlib, lanes, err)

                def vbody(i):
                    x = load_elem(b, b.gep(ptrs[0], [b.mul(i, const(I64, isz))]), in_dt, lanes)
                    po = b.gep(ptrs[1], [b.mul(i, const(I64, osz))])
                    cur = em.cast(load_elem(b, po, out_dt, lanes), out_dt, adt)
                    store_elem(b, em.cast(combine(em, cur, em.cast(x, in_dt, adt)), adt, out_dt), po, out_dt, lanes)

                counted_loop(b, fn, const(I64, 0), nvec, const(I64, lanes), vbody, "avec")

            def sbody(i):
                x = load_elem(b, b.gep(ptrs[0], [b.mul(i, strides[0])]), in_dt)
                po = b.gep(ptrs[1], [b.mul(i, strides[1])])
                cur = em1.cast(load_elem(b, po, out_dt), out_dt, adt)
                store_elem(b, em1.cast(combine(em1, cur, em1.cast(x, in_dt, adt)), adt, out_dt), po, out_dt)

            counted_loop(b, fn, nvec, n, const(I64, 1), sbody, "ascalar")


def identity_bytes(kind, dtype):
    """The reduction identity of ``kind`` as the bytes of one ``dtype`` element."""
    return np.asarray(reduce_identity(kind, dtype)).astype(dtype).tobytes()

