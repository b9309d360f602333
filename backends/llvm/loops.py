"""Loop kernels in IR: fused elementwise loops and reductions over strided N-d arrays.

Every kernel has the C signature ``void k(i64* shape, i8** data, i64* strides, i32* err)``:
``strides`` holds ``ndim`` byte strides per operand (inputs, then outputs),
0 on broadcast axes.  The kernel merges axes that are contiguous for every
operand, walks the outer axes with an odometer and runs the innermost axis
either W lanes at a time (every operand unit-stride or invariant) or one
element at a time with any strides (negative, zero, transposed).  ``err``
receives a nonzero code when an op fails the way NumPy raises.
"""
from __future__ import annotations

from dataclasses import dataclass

from llvmlite import ir

from .irtypes import I1, I8, I8P, I32, I64, I64P, VOID, const, literal, mem_type, reg_type, vec
from .scalar_ir import Emitter

KERNEL_ARGS = (I64P, I8P.as_pointer(), I64P, I32.as_pointer())
MAX_LANES = 16


@dataclass
class KernelContext:
    """What kernels may use on this target."""

    mathlib: object
    vector_bits: int = 256
    attributes: tuple = ()  # extra (string) function attributes


def new_kernel(module, name, ctx):
    fn = ir.Function(module, ir.FunctionType(VOID, KERNEL_ARGS), name)
    fn.attributes.add("nounwind")
    for a in ctx.attributes:
        set.add(fn.attributes, a)
    fn.linkage = "internal"
    return fn


def lanes_for(dtypes, ctx):
    """Vector lanes for a body computing in ``dtypes`` (float16 computes in float32)."""
    widest = max([4 if d == "float16" else (1 if d == "bool" else _size(d)) for d in dtypes] or [8])
    return max(2, min(MAX_LANES, ctx.vector_bits // (8 * widest)))


def _size(dtype):
    import numpy as np

    return np.dtype(dtype).itemsize


# ------------------------------------------------------------- IR utilities
class _Vars:
    """Allocas in the entry block (promoted to registers by SROA)."""

    def __init__(self, fn, builder):
        self.entry = fn.entry_basic_block
        self.b = builder

    def new(self, ty, init=None, count=None):
        b = self.b
        with b.goto_block(self.entry):
            b.position_at_start(self.entry)
            p = b.alloca(ty, size=None if count is None else ir.Constant(I64, count))
        if init is not None:
            b.store(init, p)
        return p


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
    mt = vec(mem_type(dtype), lanes)
    v = b.load(b.bitcast(ptr, mt.as_pointer()), align=_size(dtype))
    if dtype == "bool":
        return b.icmp_unsigned("!=", v, const(v.type, 0))
    return v


def store_elem(b, value, ptr, dtype, lanes=None):
    mt = vec(mem_type(dtype), lanes)
    if dtype == "bool":
        value = b.zext(value, mt)
    b.store(value, b.bitcast(ptr, mt.as_pointer()), align=_size(dtype))


def splat(b, v, lanes):
    if lanes is None:
        return v
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


# ---------------------------------------------------------- the N-d walk
class _Walk:
    """Shape/stride loading, axis merging and the odometer shared by all kernels."""

    def __init__(self, fn, builder, ndim, nops):
        self.fn, self.b, self.ndim, self.nops = fn, builder, ndim, nops
        self.vars = _Vars(fn, builder)
        shape_p, data_p, strides_p, self.err = fn.args
        b = builder
        self.shape = [b.load(b.gep(shape_p, [const(I64, d)])) for d in range(ndim)]
        self.data = [b.load(b.gep(data_p, [const(I64, k)])) for k in range(nops)]
        self.strides = [[b.load(b.gep(strides_p, [const(I64, k * ndim + d)])) for d in range(ndim)]
                        for k in range(nops)]

    def merged(self):
        """(number of axes, shape alloca, per-operand stride allocas) after merging contiguous axes."""
        b, nd = self.b, max(self.ndim, 1)
        cshape = self.vars.new(I64, count=nd)
        cstr = [self.vars.new(I64, count=nd) for _ in range(self.nops)]
        j = self.vars.new(I64, const(I64, 0))
        one = const(I64, 1)
        if self.ndim == 0:
            b.store(one, cshape)
            for s in cstr:
                b.store(const(I64, 0), s)
            return one, cshape, cstr
        b.store(self.shape[0], cshape)
        for k in range(self.nops):
            b.store(self.strides[k][0], cstr[k])
        for d in range(1, self.ndim):
            n = self.shape[d]
            with b.if_then(b.icmp_signed("!=", n, one)):
                jv = b.load(j)
                cur_n = b.load(b.gep(cshape, [jv]))
                can = b.icmp_signed("==", cur_n, one)
                contiguous = const(I1, 1)
                for k in range(self.nops):
                    outer = b.load(b.gep(cstr[k], [jv]))
                    contiguous = b.and_(contiguous, b.icmp_signed("==", outer, b.mul(self.strides[k][d], n)))
                merge = b.or_(can, contiguous)
                new_n = b.select(can, n, b.mul(cur_n, n))
                slot = b.select(merge, jv, b.add(jv, one))
                b.store(slot, j)
                b.store(b.select(merge, new_n, n), b.gep(cshape, [slot]))
                for k in range(self.nops):
                    b.store(self.strides[k][d], b.gep(cstr[k], [slot]))
        return b.add(b.load(j), one), cshape, cstr

    def run(self, inner):
        """Call ``inner(n, ptrs, strides)`` for every innermost row (ptrs: operand byte pointers)."""
        b, fn = self.b, self.fn
        nax, cshape, cstr = self.merged()
        total_zero = const(I1, 0)
        for n in self.shape:
            total_zero = b.or_(total_zero, b.icmp_signed("==", n, const(I64, 0)))
        with b.if_then(total_zero):
            b.ret_void()
        last = b.sub(nax, const(I64, 1))
        n_inner = b.load(b.gep(cshape, [last]))
        inner_strides = [b.load(b.gep(s, [last])) for s in cstr]
        ptrs = [self.vars.new(I8P, p) for p in self.data]
        idx = self.vars.new(I64, count=max(self.ndim, 1))
        counted_loop(b, fn, const(I64, 0), last, const(I64, 1),
                     lambda d: b.store(const(I64, 0), b.gep(idx, [d])), "zero")
        row = fn.append_basic_block("row")
        b.branch(row)
        b.position_at_end(row)
        inner(n_inner, [b.load(p) for p in ptrs], inner_strides)
        # odometer over the outer axes
        dvar = self.vars.new(I64, b.sub(last, const(I64, 1)))
        head = fn.append_basic_block("odo.head")
        step = fn.append_basic_block("odo.step")
        done = fn.append_basic_block("odo.done")
        b.branch(head)
        b.position_at_end(head)
        d = b.load(dvar)
        b.cbranch(b.icmp_signed(">=", d, const(I64, 0)), step, done)
        b.position_at_end(step)
        i = b.add(b.load(b.gep(idx, [d])), const(I64, 1))
        b.store(i, b.gep(idx, [d]))
        for p, s in zip(ptrs, cstr):
            b.store(b.gep(b.load(p), [b.load(b.gep(s, [d]))]), p)
        n_d = b.load(b.gep(cshape, [d]))
        carry = fn.append_basic_block("odo.carry")
        b.cbranch(b.icmp_signed("<", i, n_d), row, carry)
        b.position_at_end(carry)
        for p, s in zip(ptrs, cstr):
            back = b.mul(b.load(b.gep(s, [d])), n_d)
            b.store(b.gep(b.load(p), [b.sub(const(I64, 0), back)]), p)
        b.store(const(I64, 0), b.gep(idx, [d]))
        b.store(b.sub(d, const(I64, 1)), dvar)
        b.branch(head)
        b.position_at_end(done)
        b.ret_void()


# --------------------------------------------------------- elementwise loop
def build_loop(module, name, step, ctx):
    """The kernel of a lowering ``LoopStep``: operands are its inputs, then its outputs."""
    fn = new_kernel(module, name, ctx)
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    in_dt = [v.type.dtype for v in step.inputs]
    out_dt = [v.type.dtype for v in step.outputs]
    dts = in_dt + out_dt
    nin = len(in_dt)
    walk = _Walk(fn, b, step.ndim, len(dts))
    lanes = lanes_for([v.dtype for v in step.body] + dts, ctx)
    invariant = [step.ndim == 0 or step.bcast[k][-1] for k in range(nin)]

    def inner(n, ptrs, strides):
        _elementwise_row(fn, b, walk, step, ctx, lanes, invariant, dts, nin, n, ptrs, strides)

    walk.run(inner)
    return fn


def _elementwise_row(fn, b, walk, step, ctx, lanes, invariant, dts, nin, n, ptrs, strides):
    nops = len(dts)
    # vector path: varying operands unit-stride, invariant ones really invariant
    ok = const(I1, 1)
    for k in range(nops):
        want = 0 if k < nin and invariant[k] else _size(dts[k])
        ok = b.and_(ok, b.icmp_signed("==", strides[k], const(I64, want)))
    nvec = b.select(ok, b.and_(n, const(I64, -lanes)), const(I64, 0))
    has_vec = b.icmp_signed(">", nvec, const(I64, 0))
    with b.if_then(has_vec):
        em = Emitter(b, ctx.mathlib, lanes, walk.err)
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
    em1 = Emitter(b, ctx.mathlib, None, walk.err)

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
    import numpy as np

    if kind == "sum":
        return 0
    if kind == "prod":
        return 1
    if kind == "all":
        return True
    if kind == "any":
        return False
    dt = np.dtype(dtype)
    if dt.kind == "f":
        return -np.inf if kind == "max" else np.inf
    if dt.kind == "b":
        return kind == "min"
    info = np.iinfo(dt)
    return info.min if kind == "max" else info.max


def acc_dtype(kind, out_dtype):
    """Accumulator dtype: float16 sums/products accumulate in float32 (as NumPy's pairwise sum)."""
    return "float32" if out_dtype == "float16" and kind in ("sum", "prod") else out_dtype


def build_reduce(module, name, kind, in_dtype, out_dtype, ndim, ctx):
    """A kernel combining operand 0 (input) into operand 1 (output, stride 0 on reduced axes).

    The output must hold the identity already (see ``build_fill``).
    """
    fn = new_kernel(module, name, ctx)
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    walk = _Walk(fn, b, ndim, 2)
    adt = acc_dtype(kind, out_dtype)
    lanes = lanes_for([in_dtype, adt], ctx)
    opname = REDUCE_OPS[kind]

    def combine(em, acc, x):
        return em.op(opname, [acc, x], [adt, adt], adt)

    def inner(n, ptrs, strides):
        _reduce_row(fn, b, walk, ctx, lanes, kind, combine, in_dtype, out_dtype, adt, n, ptrs, strides)

    walk.run(inner)
    return fn


def _reduce_row(fn, b, walk, ctx, lanes, kind, combine, in_dt, out_dt, adt, n, ptrs, strides):
    isz, osz = _size(in_dt), _size(out_dt)
    into_one = b.icmp_signed("==", strides[1], const(I64, 0))
    unit_in = b.icmp_signed("==", strides[0], const(I64, isz))
    em1 = Emitter(b, ctx.mathlib, None, walk.err)
    with b.if_else(into_one) as (to_scalar, to_array):
        with to_scalar:  # the innermost axis is reduced: accumulate in registers
            acc = walk.vars.new(reg_type(adt), literal(reduce_identity(kind, adt), adt))
            nvec = b.select(unit_in, b.and_(n, const(I64, -lanes)), const(I64, 0))
            with b.if_then(b.icmp_signed(">", nvec, const(I64, 0))):
                em = Emitter(b, ctx.mathlib, lanes, walk.err)
                vacc = walk.vars.new(vec(reg_type(adt), lanes), literal(reduce_identity(kind, adt), adt, lanes))

                def vbody(i):
                    x = load_elem(b, b.gep(ptrs[0], [b.mul(i, const(I64, isz))]), in_dt, lanes)
                    b.store(combine(em, b.load(vacc), em.cast(x, in_dt, adt)), vacc)

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
                em = Emitter(b, ctx.mathlib, lanes, walk.err)

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


def build_fill(module, name, dtype, value, ctx):
    """``void fill(i64 n, i8* data)``: n contiguous elements set to ``value``."""
    fn = ir.Function(module, ir.FunctionType(VOID, [I64, I8P]), name)
    fn.linkage = "internal"
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    n, data = fn.args
    v = literal(value, dtype)
    sz = _size(dtype)
    counted_loop(b, fn, const(I64, 0), n, const(I64, 1),
                 lambda i: store_elem(b, v, b.gep(data, [b.mul(i, const(I64, sz))]), dtype), "fill")
    b.ret_void()
    return fn


__all__ = ["KernelContext", "build_loop", "build_reduce", "build_fill", "reduce_identity", "counted_loop",
           "load_elem", "store_elem", "I8"]
