"""Reshape, advanced indexing (x[idx], x[i, :, j], bool masks) and advanced set/inc_subtensor,
Alloc, Join, basic inc_subtensor, Argmax/Argmin, CumOp and integer dot rendered inside a segment's
entry.

Reshape: the new shape is read and checked (one -1, sizes, static shape); a C-contiguous input
gives a view, any other a C-ordered copy.  Advanced indexing (Take/Put/Gather/ScatterStep) is one
walk: the view of x that the slices and integers give, then loops over the axes left before the
broadcast index dimensions, the broadcast positions in C order (each index read once, a negative
one wrapped, one out of bounds taking the slow path, where the node's perform raises NumPy's
IndexError) and the block of the remaining axes, one memcpy where its rows are contiguous.  The
positions run in C order, so repeated indices accumulate as ``numpy.add.at`` (and the last write
wins when setting).
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from llvmlite import ir

from arignote.backends.lowering import SVal

from .entry import NVal, PyObj
from .irtypes import I1, I32, I64, I64P, const, is_complex, mem_type
from .loops import build_loop, counted_loop, lanes_for, load_elem, new_row, splat, store_elem
from .scalar_ir import Emitter



def copy_kernel(eb, dtype, ndim, add=False):
    """The row kernel copying ``dtype`` elements over ``ndim`` axes (one per module, dtype and rank);
    with ``add``, operands (dst, src, dst) and dst += src instead."""
    name = f"{eb.name}.{'add' if add else 'copy'}.{dtype}.{ndim}"
    fn = eb.module.globals.get(name)
    if fn is None:
        var = SimpleNamespace(type=SimpleNamespace(dtype=dtype))
        if add:
            body = [SVal("in", dtype, index=0), SVal("in", dtype, index=1), SVal("op", dtype, name="add", args=(0, 1))]
            step = SimpleNamespace(inputs=[var, var], outputs=[var], body=body, out_vals=[2], ndim=ndim,
                                   bcast=[(False,) * ndim] * 2)
        else:
            step = SimpleNamespace(inputs=[var], outputs=[var], body=[SVal("in", dtype, index=0)], out_vals=[0],
                                   ndim=ndim, bcast=[(False,) * ndim])
        fn = build_loop(eb.module, name, step, eb.ctx)
    return fn


def _c_strides(b, shape, itemsize):
    strides, acc = [None] * len(shape), const(I64, itemsize)
    for d in reversed(range(len(shape))):
        strides[d] = acc
        acc = b.mul(acc, b.select(b.icmp_signed("==", shape[d], const(I64, 0)), const(I64, 1), shape[d]))
    return strides


def _read_int(eb, ptr, dtype):
    em = Emitter(eb.b, eb.ctx.mathlib)
    return em.cast(load_elem(eb.b, ptr, dtype), dtype, "int64")


# ------------------------------------------------------------------ reshape
def run_reshape(eb, step, kinds):
    b = eb.b
    x, shp = eb.vals[step.inputs[0]], eb.vals[step.inputs[1]]
    (o,) = step.outputs
    shape = _new_shape(eb, step, x, shp)
    isz = np.dtype(x.dtype).itemsize
    strides = _c_strides(b, shape, isz)
    base = x.base if x.base is not None else step.inputs[0]
    exported = kinds[o] == "obj"
    can_view = not exported or eb.vals[base].obj is not None  # Python sees a view only of an object
    data = eb._alloca(x.data.type)
    obj = eb._alloca(PyObj, ir.Constant(PyObj, None)) if exported else None

    def copy():
        out = eb.allocate(o, shape, kinds[o])
        src_c = _c_strides(b, x.shape, isz)
        eb.kernel_call(copy_kernel(eb, x.dtype, len(x.shape)), x.shape, [x, out],
                       lambda k: x.strides if k == 0 else src_c)
        b.store(out.data, data)
        if exported:
            b.store(out.obj, obj)

    if not can_view:
        copy()
        new_strides = strides
    else:
        ok, vstrides = _view_strides(eb, x, shape, isz)
        st = [eb._alloca(I64) for _ in shape]
        for p, s in zip(st, strides):
            b.store(s, p)
        with b.if_else(ok) as (view_bb, copy_bb):
            with view_bb:  # where NumPy's reshape is a view, so is this one
                for p, s in zip(st, vstrides):
                    b.store(s, p)
                b.store(x.data, data)
                if exported:
                    b.store(eb.make_view_object(NVal(x.dtype, x.data, shape, vstrides), eb.vals[base]), obj)
            with copy_bb:
                copy()
        new_strides = [b.load(p) for p in st]
    eb.vals[o] = NVal(x.dtype, b.load(data), shape, new_strides, obj=b.load(obj) if exported else None,
                      base=None if exported else base)


def _while(b, fn, cond, body, name):
    """``while (cond()) body()``; ``cond`` and ``body`` emit at the builder's position."""
    head, loop, done = (fn.append_basic_block(f"{name}.{k}") for k in ("head", "body", "done"))
    b.branch(head)
    b.position_at_end(head)
    b.cbranch(cond(), loop, done)
    b.position_at_end(loop)
    body()
    b.branch(head)
    b.position_at_end(done)


def _reshape_view_fn(eb):
    """``i1 view(i64 xnd, i64* xdims, i64* xstr, i64 nnd, i64* ndims, i64* nst, i64 es)``: NumPy's
    no-copy reshape rule (the C runtime's ar_reshape_view).  Axes of length 1 are dropped; runs of
    old axes that are contiguous among themselves map onto runs of new axes of the same total
    length; ``nst`` gets the new strides and the answer is 1, or 0 when NumPy would copy."""
    name = f"{eb.name}.reshapeview"
    fn = eb.module.globals.get(name)
    if fn is not None:
        return fn
    fn = ir.Function(eb.module, ir.FunctionType(I1, [I64, I64P, I64P, I64, I64P, I64P, I64]), name)
    fn.attributes.add("nounwind")
    fn.linkage = "internal"
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    xnd, xdims, xstr, nnd, ndims, nst, es = fn.args
    zero, one = const(I64, 0), const(I64, 1)
    cap = b.select(b.icmp_signed(">", xnd, one), xnd, one)
    od, os_ = b.alloca(I64, size=cap), b.alloca(I64, size=cap)
    ond, oi, oj, ni, nj, np_, op = (b.alloca(I64) for _ in range(7))
    for v, init in ((ond, zero), (oi, zero), (oj, one), (ni, zero), (nj, one)):
        b.store(init, v)

    def at(p, i):
        return b.gep(p, [i])

    def keep(d):
        n = b.load(at(xdims, d))
        with b.if_then(b.icmp_signed("!=", n, one)):
            k = b.load(ond)
            b.store(n, at(od, k))
            b.store(b.load(at(xstr, d)), at(os_, k))
            b.store(b.add(k, one), ond)

    counted_loop(b, fn, zero, xnd, one, keep, "compact")
    n_old = b.load(ond)

    def fail():
        b.ret(const(I1, 0))

    def run():
        b.store(b.load(at(ndims, b.load(ni))), np_)
        b.store(b.load(at(od, b.load(oi))), op)

        def take_axis(prod, j, dims, limit):  # prod *= dims[j++], failing past limit
            k = b.load(j)
            with b.if_then(b.icmp_signed(">=", k, limit)):
                fail()
            b.store(b.mul(b.load(prod), b.load(at(dims, k))), prod)
            b.store(b.add(k, one), j)

        def grow():
            with b.if_else(b.icmp_signed("<", b.load(np_), b.load(op))) as (new_side, old_side):
                with new_side:
                    take_axis(np_, nj, ndims, nnd)
                with old_side:
                    take_axis(op, oj, od, n_old)

        _while(b, fn, lambda: b.icmp_signed("!=", b.load(np_), b.load(op)), grow, "grow")
        o_end = b.sub(b.load(oj), one)

        def contiguous(k):
            k1 = b.add(k, one)
            with b.if_then(b.icmp_signed("!=", b.load(at(os_, k)), b.mul(b.load(at(od, k1)), b.load(at(os_, k1))))):
                fail()

        counted_loop(b, fn, b.load(oi), o_end, one, contiguous, "contig")
        n_end = b.sub(b.load(nj), one)
        b.store(b.load(at(os_, o_end)), at(nst, n_end))
        lo = b.load(ni)

        def back(t):  # nk = n_end - t, from n_end down to ni + 1
            nk = b.sub(n_end, t)
            b.store(b.mul(b.load(at(nst, nk)), b.load(at(ndims, nk))), at(nst, b.sub(nk, one)))

        counted_loop(b, fn, zero, b.sub(n_end, lo), one, back, "back")
        b.store(b.load(nj), ni)
        b.store(b.add(b.load(nj), one), nj)
        b.store(b.load(oj), oi)
        b.store(b.add(b.load(oj), one), oj)

    _while(b, fn, lambda: b.and_(b.icmp_signed("<", b.load(ni), nnd), b.icmp_signed("<", b.load(oi), n_old)), run, "run")
    k = b.load(ni)
    last = b.select(b.icmp_signed(">=", k, one), b.load(at(nst, b.sub(k, one))), es)
    counted_loop(b, fn, k, nnd, one, lambda t: b.store(last, at(nst, t)), "rest")
    b.ret(const(I1, 1))
    return fn


def _view_strides(eb, x, shape, isz):
    """(i1 NumPy reshapes x to ``shape`` without a copy, the new strides)."""
    b = eb.b
    xnd, nnd = len(x.shape), len(shape)
    xd, xs = eb._alloca(I64, count=max(xnd, 1)), eb._alloca(I64, count=max(xnd, 1))
    nd_, ns = eb._alloca(I64, count=max(nnd, 1)), eb._alloca(I64, count=max(nnd, 1))
    for d in range(xnd):
        b.store(x.shape[d], b.gep(xd, [const(I64, d)]))
        b.store(x.strides[d], b.gep(xs, [const(I64, d)]))
    for d in range(nnd):
        b.store(shape[d], b.gep(nd_, [const(I64, d)]))
    size = const(I64, 1)
    for s in x.shape:
        size = b.mul(size, s)
    ok = b.call(_reshape_view_fn(eb), [const(I64, xnd), xd, xs, const(I64, nnd), nd_, ns, const(I64, isz)])
    ok = b.or_(ok, b.icmp_signed("==", size, const(I64, 0)))
    return ok, [b.load(b.gep(ns, [const(I64, d)])) for d in range(nnd)]


def _new_shape(eb, step, x, shp):
    """The shape vector's entries with the one -1 resolved; the slow path (the node's perform, which
    raises NumPy's error) for a wrong length, entries below -1, two -1s, a size or static mismatch."""
    b = eb.b
    zero, one, m1 = const(I64, 0), const(I64, 1), const(I64, -1)
    size = one
    for s in x.shape:
        size = b.mul(size, s)
    eb.go_slow_if(b.icmp_signed("!=", shp.shape[0], const(I64, step.ndim)))
    entries = [_read_int(eb, b.gep(shp.data, [b.mul(const(I64, d), shp.strides[0])]), step.inputs[1].type.dtype)
               for d in range(step.ndim)]
    known, nfree = one, zero
    for v in entries:
        is_free = b.icmp_signed("==", v, m1)
        eb.go_slow_if(b.icmp_signed("<", v, m1))
        nfree = b.add(nfree, b.zext(is_free, I64))
        known = b.mul(known, b.select(is_free, one, v))
    eb.go_slow_if(b.icmp_signed(">", nfree, one))
    safe_known = b.select(b.icmp_signed("==", known, zero), one, known)
    bad_free = b.or_(b.icmp_signed("==", known, zero), b.icmp_signed("!=", b.srem(size, safe_known), zero))
    eb.go_slow_if(b.select(b.icmp_signed("==", nfree, one), bad_free, b.icmp_signed("!=", known, size)))
    free = b.sdiv(size, safe_known)
    shape = [b.select(b.icmp_signed("==", v, m1), free, v) for v in entries]
    for d, s in enumerate(step.outputs[0].type.shape):
        if s is not None:
            eb.go_slow_if(b.icmp_signed("!=", shape[d], const(I64, s)))
    return shape


def _is_c_contiguous(b, x, isz):
    ok, acc = const(I1, 1), const(I64, isz)
    for d in reversed(range(len(x.shape))):
        n = x.shape[d]
        ok = b.and_(ok, b.or_(b.icmp_signed("<=", n, const(I64, 1)), b.icmp_signed("==", x.strides[d], acc)))
        acc = b.mul(acc, n)
    return ok


def _params(eb, n0, s0):
    p = eb._alloca(I64, count=2)
    eb.b.store(n0, p)
    eb.b.store(s0, eb.b.gep(p, [const(I64, 1)]))
    return NVal("int64", eb.b.bitcast(p, ir.PointerType(ir.IntType(8))), [], [])


def _value_strides(eb, step, y, region):
    """y's strides broadcast to ``region`` (0 on the axes its type marks broadcastable, and on the
    leading ones it lacks); any other length that differs takes the slow path (NumPy's error)."""
    b, zero, ystr = eb.b, const(I64, 0), []
    for d in range(len(region)):
        yd = d - (len(region) - len(y.shape))
        if yd < 0 or step.y_bcast[yd]:
            ystr.append(zero)
        else:
            eb.go_slow_if(b.icmp_signed("!=", y.shape[yd], region[d]))
            ystr.append(y.strides[yd])
    return ystr


def _fresh_copy(eb, x, o, kinds):
    """A new C-contiguous array for ``o`` holding x's values (what inc/set writes into)."""
    out = eb.allocate(o, list(x.shape), kinds[o])
    eb.vals[o] = out
    if x.shape:
        eb.kernel_call(copy_kernel(eb, x.dtype, len(x.shape)), x.shape, [x, out],
                       lambda j: x.strides if j == 0 else out.strides)
    return out


def _add(b, a, v, dt):
    if is_complex(dt):
        from .irtypes import CVal

        return CVal(b.fadd(a.re, v.re), b.fadd(a.im, v.im))
    if dt == "bool":
        return b.or_(a, v)
    if dt.startswith("float"):
        return b.fadd(a, v)
    return b.add(a, v)


# ------------------------------------------------------------------ alloc
def run_alloc(eb, step, kinds):
    """A new array (shape from the scalar inputs) filled with the value broadcast to it."""
    b = eb.b
    v = eb.vals[step.inputs[0]]
    (o,) = step.outputs
    zero = const(I64, 0)
    shape = [_read_int(eb, eb.vals[s].data, s.type.dtype) for s in step.inputs[1:]]
    for n in shape:
        eb.go_slow_if(b.icmp_signed("<", n, zero))
    nd, vnd = len(shape), len(v.shape)
    vstr = []
    for d in range(nd):
        j = d - (nd - vnd)
        if j < 0 or step.v_bcast[j]:
            vstr.append(zero)
        else:
            eb.go_slow_if(b.icmp_signed("!=", v.shape[j], shape[d]))
            vstr.append(v.strides[j])
    out = eb.allocate(o, shape, kinds[o])
    eb.vals[o] = out
    eb.kernel_call(copy_kernel(eb, v.dtype, nd), shape, [v, out], lambda k: vstr if k == 0 else out.strides)


# ------------------------------------------------------------ join and inc_subtensor
def run_join(eb, step, kinds):
    """Join/MakeVector: the inputs copied one after another along the axis of a new array; other
    axes that differ take the slow path (the node's perform raises NumPy's error)."""
    b = eb.b
    xs = [eb.vals[v] for v in step.inputs]
    (o,) = step.outputs
    axis, zero, one = step.axis, const(I64, 0), const(I64, 1)

    def full(x):  # shape and strides with the stacked axis in place
        if not step.stacked:
            return list(x.shape), list(x.strides)
        return x.shape[:axis] + [one] + x.shape[axis:], x.strides[:axis] + [zero] + x.strides[axis:]

    shapes = [full(x) for x in xs]
    shape = list(shapes[0][0])
    for sh, _ in shapes[1:]:
        for d, n in enumerate(sh):
            if d == axis:
                shape[d] = b.add(shape[d], n)
            else:
                eb.go_slow_if(b.icmp_signed("!=", n, shape[d]))
    out = eb.allocate(o, shape, kinds[o])
    eb.vals[o] = out
    kern = copy_kernel(eb, out.dtype, len(shape))
    offset = zero
    for x, (sh, st) in zip(xs, shapes):
        dst = NVal(out.dtype, b.gep(out.data, [b.mul(offset, out.strides[axis])]), sh, out.strides)
        eb.kernel_call(kern, sh, [x, dst], lambda k, st=st: st if k == 0 else out.strides)
        offset = b.add(offset, sh[axis])


def run_incsub(eb, step, kinds):
    """Basic inc/set_subtensor: a C-contiguous copy of x, then its region set to / incremented by y
    broadcast to it.  Bounds and broadcasting are checked on x before anything is written."""
    x, y = eb.vals[step.inputs[0]], eb.vals[step.inputs[1]]
    (o,) = step.outputs
    view = SimpleNamespace(idx_list=step.idx_list, inputs=[step.inputs[0], *step.inputs[2:]])
    region = eb._subtensor(view, x)  # checks the indices (slow path when out of bounds)
    nd = len(region.shape)
    ystr = _value_strides(eb, step, y, region.shape)
    out = _fresh_copy(eb, x, o, kinds)
    dst = eb._subtensor(view, NVal(out.dtype, out.data, out.shape, out.strides))
    if step.set_:
        eb.kernel_call(copy_kernel(eb, x.dtype, nd), dst.shape, [y, dst], lambda k: ystr if k == 0 else dst.strides)
    else:
        eb.kernel_call(copy_kernel(eb, x.dtype, nd, add=True), dst.shape, [dst, y, dst],
                       lambda k: ystr if k == 1 else dst.strides)


# ------------------------------------------------------------ argmax/argmin
def run_arg(eb, step, kinds):
    """int64 position of the extreme along one axis (or of the flattened array, copied to C order
    first unless it already is): NumPy's first extreme, the first NaN when there is one."""
    b = eb.b
    x = eb.vals[step.inputs[0]]
    (o,) = step.outputs
    zero, one = const(I64, 0), const(I64, 1)
    isz = np.dtype(x.dtype).itemsize
    if step.axis is None:
        size = one
        for s in x.shape:
            size = b.mul(size, s)
        eb.go_slow_if(b.icmp_signed("==", size, zero))
        data = eb._alloca(x.data.type)
        b.store(x.data, data)
        if x.shape:
            with b.if_then(b.not_(_is_c_contiguous(b, x, isz))):
                mem = eb._allocate_mem(b.mul(size, const(I64, isz)))
                eb.kernel_call(copy_kernel(eb, x.dtype, len(x.shape)), x.shape, [x, NVal(x.dtype, mem, [], [])],
                               lambda k: x.strides if k == 0 else _c_strides(b, x.shape, isz))
                b.store(mem, data)
        src, n, s, oshape, xstr = NVal(x.dtype, b.load(data), [], []), size, const(I64, isz), [], []
    else:
        a = step.axis
        n, s = x.shape[a], x.strides[a]
        oshape = [x.shape[d] for d in range(len(x.shape)) if d != a]
        xstr = [x.strides[d] for d in range(len(x.shape)) if d != a]
        nout = one
        for d in oshape:
            nout = b.mul(nout, d)
        eb.go_slow_if(b.and_(b.icmp_signed("==", n, zero), b.icmp_signed(">", nout, zero)))
        src = x
    out = eb.allocate(o, oshape, kinds[o])
    eb.vals[o] = out
    row = _arg_row(eb, x.dtype, step.kind_ == "argmin")
    eb.kernel_call(row, oshape, [src, out, _params(eb, n, s)], lambda k: (xstr, out.strides, [zero] * len(oshape))[k])


def _better(b, dtype, is_min, v, cur):
    """v strictly beats cur (ordered for floats: a NaN never beats)."""
    op = "<" if is_min else ">"
    if dtype.startswith("float"):
        return b.fcmp_ordered(op, v, cur)
    if dtype[0] == "i":
        return b.icmp_signed(op, v, cur)
    return b.icmp_unsigned(op, v, cur)


def _arg_row(eb, dtype, is_min):
    fn, b, n, ptrs_p, strides_p, err = new_row(eb.module, eb.kernel_name("arg"), eb.ctx)
    ptrs = [b.load(b.gep(ptrs_p, [const(I64, k)])) for k in range(3)]
    strides = [b.load(b.gep(strides_p, [const(I64, k)])) for k in range(3)]
    params = b.bitcast(ptrs[2], I64P)
    length, step = b.load(params), b.load(b.gep(params, [const(I64, 1)]))
    is_float = dtype.startswith("float")
    best = b.alloca(mem_type(dtype) if dtype != "bool" else I1)
    at, done = b.alloca(I64), b.alloca(I1)
    unit = _arg_unit(eb, dtype, is_min) if dtype != "bool" else None
    isz = np.dtype(dtype).itemsize

    def nan(v):
        return b.fcmp_unordered("uno", v, v) if is_float else const(I1, 0)

    def strided(p):
        first = load_elem(b, p, dtype)
        b.store(first, best)
        b.store(const(I64, 0), at)
        b.store(nan(first), done)

        def scan(i):
            with b.if_then(b.not_(b.load(done))):
                v = load_elem(b, b.gep(p, [b.mul(i, step)]), dtype)
                isn = nan(v)
                with b.if_then(b.or_(_better(b, dtype, is_min, v, b.load(best)), isn)):
                    b.store(v, best)
                    b.store(i, at)
                    b.store(isn, done)

        counted_loop(b, fn, const(I64, 1), length, const(I64, 1), scan, "arg")

    def element(j):
        p = b.gep(ptrs[0], [b.mul(j, strides[0])])
        if unit is None:
            strided(p)
        else:
            with b.if_else(b.icmp_signed("==", step, const(I64, isz))) as (then, otherwise):
                with then:
                    b.store(b.call(unit, [p, length]), at)
                with otherwise:
                    strided(p)
        b.store(b.load(at), b.bitcast(b.gep(ptrs[1], [b.mul(j, strides[1])]), I64P))

    counted_loop(b, fn, const(I64, 0), n, const(I64, 1), element, "out")
    b.ret_void()
    return fn


_ARG_BLOCK = 1024


def _arg_unit(eb, dtype, is_min):
    """``i64 scan(i8* p, i64 n)``, n >= 1 unit-stride elements: NumPy's argmax/argmin in blocks.
    Each block's extreme and NaN flag come from vector lanes (no index bookkeeping per element);
    the answer is the first NaN of the first block holding one, else the first position of the
    extreme in the first block that reached it."""
    name = f"{eb.name}.argunit.{dtype}.{'min' if is_min else 'max'}"
    fn = eb.module.globals.get(name)
    if fn is not None:
        return fn
    fn = ir.Function(eb.module, ir.FunctionType(I64, [ir.IntType(8).as_pointer(), I64]), name)
    fn.attributes.add("nounwind")
    fn.linkage = "internal"
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    p, n = fn.args
    is_float = dtype.startswith("float")
    isz = np.dtype(dtype).itemsize
    lanes = 2 * lanes_for([dtype], eb.ctx)  # two registers' worth: two independent max chains
    ty = mem_type(dtype)
    vty = ir.VectorType(ty, lanes)
    best, frm = b.alloca(ty), b.alloca(I64)
    vm, vnan, bm, anyn = b.alloca(vty), b.alloca(ir.VectorType(I1, lanes)), b.alloca(ty), b.alloca(I1)
    b.store(load_elem(b, p, dtype), best)
    b.store(const(I64, 0), frm)

    def elem(q, i, w=None):
        return load_elem(b, b.gep(q, [b.mul(i, const(I64, isz))]), dtype, w)

    def uno(v):
        return b.fcmp_unordered("uno", v, v)

    def block(start):
        q = b.gep(p, [b.mul(start, const(I64, isz))])
        rest = b.sub(n, start)
        e = b.select(b.icmp_signed("<", rest, const(I64, _ARG_BLOCK)), rest, const(I64, _ARG_BLOCK))
        nv = b.and_(e, const(I64, -lanes))
        b.store(splat(b, elem(q, const(I64, 0)), lanes), vm)
        b.store(ir.Constant(ir.VectorType(I1, lanes), [0] * lanes), vnan)

        def vbody(i):
            v, cur = elem(q, i, lanes), b.load(vm)
            b.store(b.select(_better(b, dtype, is_min, v, cur), v, cur), vm)
            if is_float:
                b.store(b.or_(b.load(vnan), uno(v)), vnan)

        counted_loop(b, fn, const(I64, 0), nv, const(I64, lanes), vbody, "vec")
        m, fl = b.load(vm), b.load(vnan)
        acc, flag = b.extract_element(m, const(I32, 0)), b.extract_element(fl, const(I32, 0))
        for k in range(1, lanes):
            lane = b.extract_element(m, const(I32, k))
            acc = b.select(_better(b, dtype, is_min, lane, acc), lane, acc)
            flag = b.or_(flag, b.extract_element(fl, const(I32, k)))
        b.store(acc, bm)
        b.store(flag, anyn)

        def tail(i):
            v, cur = elem(q, i), b.load(bm)
            b.store(b.select(_better(b, dtype, is_min, v, cur), v, cur), bm)
            if is_float:
                b.store(b.or_(b.load(anyn), uno(v)), anyn)

        counted_loop(b, fn, nv, e, const(I64, 1), tail, "tail")
        if is_float:
            with b.if_then(b.load(anyn)):
                def first_nan(i):
                    with b.if_then(uno(elem(q, i))):
                        b.ret(b.add(start, i))

                counted_loop(b, fn, const(I64, 0), e, const(I64, 1), first_nan, "nan")
        with b.if_then(_better(b, dtype, is_min, b.load(bm), b.load(best))):
            b.store(b.load(bm), best)
            b.store(start, frm)

    counted_loop(b, fn, const(I64, 0), n, const(I64, _ARG_BLOCK), block, "block")
    target = b.load(best)

    def find(i):
        v = elem(p, i)
        same = b.fcmp_ordered("==", v, target) if is_float else b.icmp_signed("==", v, target)
        with b.if_then(same):
            b.ret(i)

    counted_loop(b, fn, b.load(frm), n, const(I64, 1), find, "find")
    b.ret(b.load(frm))
    return fn


# ------------------------------------------------------------ cumsum/cumprod
def run_cum(eb, step, kinds):
    """Cumulative sum/product along one axis (a row function per output row), or of the flattened
    array (copied to C order first unless it already is): floats in their type, integers as 64-bit."""
    b = eb.b
    x = eb.vals[step.inputs[0]]
    (o,) = step.outputs
    zero, one = const(I64, 0), const(I64, 1)
    isz = np.dtype(x.dtype).itemsize
    size = one
    for s in x.shape:
        size = b.mul(size, s)
    if step.axis is None:
        out = eb.allocate(o, [size], kinds[o])
        data = eb._alloca(x.data.type)
        b.store(x.data, data)
        if x.shape:
            with b.if_then(b.not_(_is_c_contiguous(b, x, isz))):
                mem = eb._allocate_mem(b.mul(b.select(b.icmp_signed("==", size, zero), one, size), const(I64, isz)))
                eb.kernel_call(copy_kernel(eb, x.dtype, len(x.shape)), x.shape, [x, NVal(x.dtype, mem, [], [])],
                               lambda k: x.strides if k == 0 else _c_strides(b, x.shape, isz))
                b.store(mem, data)
        src, n, sx, sz, oshape, xstr, zstr = NVal(x.dtype, b.load(data), [], []), size, const(I64, isz), \
            out.strides[0], [], [], []
    else:
        a = step.axis
        out = eb.allocate(o, list(x.shape), kinds[o])
        n, sx, sz = x.shape[a], x.strides[a], out.strides[a]
        keep = [d for d in range(len(x.shape)) if d != a]
        oshape, xstr, zstr = [x.shape[d] for d in keep], [x.strides[d] for d in keep], [out.strides[d] for d in keep]
        src = x
    eb.vals[o] = out
    p = eb._alloca(I64, count=3)
    for k, v in enumerate((n, sx, sz)):
        b.store(v, b.gep(p, [const(I64, k)]))
    params = NVal("int64", b.bitcast(p, out.data.type), [], [])
    row = _cum_row(eb, x.dtype, o.type.dtype, step.mode == "mul")
    eb.kernel_call(row, oshape, [src, out, params], lambda k: (xstr, zstr, [zero] * len(oshape))[k])


def _cum_row(eb, in_dt, out_dt, mul):
    fn, b, n, ptrs_p, strides_p, err = new_row(eb.module, eb.kernel_name("cum"), eb.ctx)
    ptrs = [b.load(b.gep(ptrs_p, [const(I64, k)])) for k in range(3)]
    strides = [b.load(b.gep(strides_p, [const(I64, k)])) for k in range(3)]
    params = b.bitcast(ptrs[2], I64P)
    length, sx, sz = (b.load(b.gep(params, [const(I64, k)])) for k in range(3))
    em = Emitter(b, eb.ctx.mathlib)
    is_float = out_dt.startswith("float")
    ty = mem_type(out_dt)
    acc = b.alloca(ty)

    def element(j):
        xp = b.gep(ptrs[0], [b.mul(j, strides[0])])
        zp = b.gep(ptrs[1], [b.mul(j, strides[1])])
        b.store(ir.Constant(ty, (1.0 if is_float else 1) if mul else (-0.0 if is_float else 0)), acc)  # -0.0 + x is x

        def body(i):
            v = em.cast(load_elem(b, b.gep(xp, [b.mul(i, sx)]), in_dt), in_dt, out_dt)
            cur = b.load(acc)
            r = (b.fmul(cur, v) if mul else b.fadd(cur, v)) if is_float else (b.mul(cur, v) if mul else b.add(cur, v))
            b.store(r, acc)
            store_elem(b, r, b.gep(zp, [b.mul(i, sz)]), out_dt)

        counted_loop(b, fn, const(I64, 0), length, const(I64, 1), body, "cum")

    counted_loop(b, fn, const(I64, 0), n, const(I64, 1), element, "rows")
    b.ret_void()
    return fn


# ------------------------------------------------------------------ integer dot
def run_idot(eb, step, kinds):
    """numpy.dot of integer arrays of any rank: one row function over the output's shape
    ``x.shape[:-1] + y.shape[:-2] + y.shape[-1:]`` sums the products of x's last axis with y's
    second-to-last (its only one when 1-d) in 64 bits and stores them in the output's width (the
    residue NumPy's own wrapping loop gives).  Unequal summed lengths take the slow path."""
    b = eb.b
    x, y = eb.vals[step.inputs[0]], eb.vals[step.inputs[1]]
    (o,) = step.outputs
    zero = const(I64, 0)
    ya = max(len(y.shape) - 2, 0)
    n = x.shape[-1]
    eb.go_slow_if(b.icmp_signed("!=", n, y.shape[ya]))
    ykeep = [d for d in range(len(y.shape)) if d != ya]
    shape = list(x.shape[:-1]) + [y.shape[d] for d in ykeep]
    out = eb.allocate(o, shape, kinds[o])
    eb.vals[o] = out
    p = eb._alloca(I64, count=3)
    for k, v in enumerate((n, x.strides[-1], y.strides[ya])):
        b.store(v, b.gep(p, [const(I64, k)]))
    params = NVal("int64", b.bitcast(p, ir.PointerType(ir.IntType(8))), [], [])
    nx = len(x.shape) - 1
    strides = [list(x.strides[:-1]) + [zero] * len(ykeep), [zero] * nx + [y.strides[d] for d in ykeep],
               out.strides, [zero] * len(shape)]
    row = _idot_row(eb, x.dtype, y.dtype, o.type.dtype)
    eb.kernel_call(row, shape, [x, y, out, params], lambda k: strides[k])


def _widen(b, v, dtype):
    if np.dtype(dtype).itemsize == 8:
        return v
    return b.sext(v, I64) if dtype[0] == "i" else b.zext(v, I64)


def _idot_row(eb, xdt, ydt, zdt):
    fn, b, n, ptrs_p, strides_p, err = new_row(eb.module, eb.kernel_name("idot"), eb.ctx)
    ptrs = [b.load(b.gep(ptrs_p, [const(I64, k)])) for k in range(4)]
    strides = [b.load(b.gep(strides_p, [const(I64, k)])) for k in range(3)]
    params = b.bitcast(ptrs[3], I64P)
    length, xs, ys = (b.load(b.gep(params, [const(I64, k)])) for k in range(3))
    acc = b.alloca(I64)
    zbits = 8 * np.dtype(zdt).itemsize

    def element(j):
        px, py = (b.gep(ptrs[k], [b.mul(j, strides[k])]) for k in range(2))
        b.store(const(I64, 0), acc)

        def term(i):
            u = _widen(b, load_elem(b, b.gep(px, [b.mul(i, xs)]), xdt), xdt)
            v = _widen(b, load_elem(b, b.gep(py, [b.mul(i, ys)]), ydt), ydt)
            b.store(b.add(b.load(acc), b.mul(u, v)), acc)

        counted_loop(b, fn, const(I64, 0), length, const(I64, 1), term, "k")
        total = b.load(acc)
        if zbits < 64:
            total = b.trunc(total, ir.IntType(zbits))
        store_elem(b, total, b.gep(ptrs[2], [b.mul(j, strides[2])]), zdt)

    counted_loop(b, fn, const(I64, 0), n, const(I64, 1), element, "out")
    b.ret_void()
    return fn


# ------------------------------------------------------------------ bool masks
def _nest(eb, dims, strides, ptrs, body, name):
    """C-order loops over ``dims`` (a static count, run-time sizes) in the entry itself; each pointer
    of ``ptrs`` advances by its list of ``strides``; ``body(pointers)`` runs at every position."""
    b = eb.b
    if not dims:
        body(ptrs)
        return

    def step(i):
        inner = [b.gep(p, [b.mul(i, s[0])]) for p, s in zip(ptrs, strides)]
        _nest(eb, dims[1:], [s[1:] for s in strides], inner, body, name)

    counted_loop(b, eb.fn, const(I64, 0), dims[0], const(I64, 1), step, f"{name}{len(dims)}")


def _truth(b, p):
    v = load_elem(b, p, "bool")
    return v if v.type == I1 else b.icmp_unsigned("!=", v, ir.Constant(v.type, 0))


def _mask_walk(eb, x, m, name, at_true):
    """Check the mask against x's leading axes (slow path: NumPy's IndexError), count its trues;
    returns the count and a function that calls ``at_true(x_ptr, t)`` at the t-th true, C order."""
    b = eb.b
    k = len(m.shape)
    for d in range(k):
        eb.go_slow_if(b.icmp_signed("!=", m.shape[d], x.shape[d]))
    cnt = eb._alloca(I64)
    b.store(const(I64, 0), cnt)
    _nest(eb, m.shape, [m.strides], [m.data],
          lambda p: b.store(b.add(b.load(cnt), b.zext(_truth(b, p[0]), I64)), cnt), f"{name}.count")

    def walk(xv):
        t = eb._alloca(I64)
        b.store(const(I64, 0), t)

        def visit(p):
            with b.if_then(_truth(b, p[0])):
                at_true(p[1], b.load(t))
                b.store(b.add(b.load(t), const(I64, 1)), t)

        _nest(eb, m.shape, [m.strides, xv.strides[:k]], [m.data, xv.data], visit, name)

    return b.load(cnt), walk


def run_mask(eb, step, kinds):
    """x[mask]: the trues' blocks ``x.shape[k:]`` copied in the mask's C order."""
    b = eb.b
    x, m = eb.vals[step.inputs[0]], eb.vals[step.inputs[1]]
    (o,) = step.outputs
    k, dt = len(m.shape), x.dtype
    out_box = []

    contig = _c_ordered(eb, x.shape[k:], x.strides[k:], np.dtype(dt).itemsize)

    def copy(xp, t):
        out = out_box[0]
        dst = b.gep(out.data, [b.mul(t, out.strides[0])])
        _block_copy(eb, dt, x.shape[k:], xp, x.strides[k:], dst, out.strides[1:], contig, "mask.copy")

    cnt, walk = _mask_walk(eb, x, m, "mask", copy)
    out = eb.allocate(o, [cnt] + list(x.shape[k:]), kinds[o])
    eb.vals[o] = out
    out_box.append(out)
    walk(x)


def run_mask_put(eb, step, kinds):
    """x with x[mask] set to / incremented by y broadcast to ``(count,) + x.shape[k:]`` (the axes
    y's type marks broadcastable; any other mismatch takes the slow path): a C-contiguous copy of x,
    then each true's block written in the mask's C order."""
    b = eb.b
    x, y, m = (eb.vals[v] for v in step.inputs)
    (o,) = step.outputs
    k, dt = len(m.shape), x.dtype
    ystr = []

    def write(op, t):
        yp = b.gep(y.data, [b.mul(t, ystr[0])])

        def elem(q):
            v = load_elem(b, q[1], dt)
            store_elem(b, v if step.set_ else _add(b, load_elem(b, q[0], dt), v, dt), q[0], dt)

        _nest(eb, x.shape[k:], [out.strides[k:], ystr[1:]], [op, yp], elem, "mput.block")

    cnt, walk = _mask_walk(eb, x, m, "mput", write)
    region = [cnt] + list(x.shape[k:])
    ystr.extend(_value_strides(eb, step, y, region))
    out = _fresh_copy(eb, x, o, kinds)
    walk(out)


# ------------------------------------------------------- several index arrays
def _broadcast_indices(eb, idx):
    """The index arrays' broadcast shape and each one's strides in it (0 where it is 1); shapes
    that do not broadcast take the slow path (NumPy's IndexError)."""
    b = eb.b
    one, zero = const(I64, 1), const(I64, 0)
    rank = max(len(v.shape) for v in idx)
    shape = []
    for d in range(rank):
        dim = one
        for v in idx:
            j = d - (rank - len(v.shape))
            if j < 0:
                continue
            n = v.shape[j]
            clash = b.and_(b.icmp_signed("!=", n, one),
                           b.and_(b.icmp_signed("!=", dim, one), b.icmp_signed("!=", dim, n)))
            eb.go_slow_if(clash)
            dim = b.select(b.icmp_signed("==", n, one), dim, n)
        shape.append(dim)
    strides = []
    for v in idx:
        off = rank - len(v.shape)
        strides.append([zero] * off + [b.select(b.icmp_signed("==", v.shape[j], one), zero, v.strides[j])
                                       for j in range(len(v.shape))])
    return shape, strides


# ------------------------------------------------------- advanced indexing
# x[idx] (TakeStep) and x[i, :, j]... (GatherStep), and their set/inc (PutStep, ScatterStep), are one
# walk: the view x[entries], then C-order loops over the axes the arrays leave before the broadcast
# ones (``at``), the broadcast positions (each index read once, wrapped, checked: the slow path raises
# NumPy's IndexError through the node), and the block of the remaining axes (a memcpy where its
# rows are contiguous on both sides).
def _index_form(eb, step, first):
    """A Take/Put/Gather/Scatter step's view spec, the view of ``eb.vals[step.inputs[0]]`` and its
    index arrays as (dtype, view axis, value) with GatherStep's ``axes`` (a mask of rank k
    standing as its nonzero(): k int64 arrays on k axes) and ``at``."""
    b = eb.b
    axes, at, where = getattr(step, "axes", (0,)), getattr(step, "at", 0), getattr(step, "arrays", (first,))
    scalars = [v for j, v in enumerate(step.inputs) if j >= first and j not in where]
    view = SimpleNamespace(idx_list=getattr(step, "view", ()), inputs=[step.inputs[0], *scalars])
    xv = eb._subtensor(view, eb.vals[step.inputs[0]])  # checks the scalar indices before anything is written
    arrays = []
    for v, a in zip([step.inputs[j] for j in where], axes):
        val = eb.vals[v]
        if a < 0:  # a 0-d bool mask: an axis of length 1 (true) or 0, no axis of x
            val = SimpleNamespace(data=val.data, shape=[b.zext(_truth(b, val.data), I64)], strides=[const(I64, 0)])
        elif v.type.dtype == "bool":
            for d in range(v.type.ndim):
                eb.go_slow_if(b.icmp_signed("!=", val.shape[d], xv.shape[a + d]))  # NumPy's IndexError
            arrays += [("int64", a + d, nz) for d, nz in enumerate(_nonzero(eb, val))]
            continue
        arrays.append((v.type.dtype, a, val))
    return view, xv, arrays, tuple(a for _, a, _ in arrays), at


def _nonzero(eb, m):
    """A bool mask's nonzero(): k int64 vectors (count entries each) in scratch memory."""
    b, k = eb.b, len(m.shape)
    cnt = eb._alloca(I64)
    b.store(const(I64, 0), cnt)
    _nest(eb, m.shape, [m.strides], [m.data],
          lambda p: b.store(b.add(b.load(cnt), b.zext(_truth(b, p[0]), I64)), cnt), "nonzero.count")
    n = b.load(cnt)
    buf = b.bitcast(eb._allocate_mem(b.mul(b.add(b.mul(n, const(I64, k)), const(I64, 1)), const(I64, 8))), I64P)
    t = eb._alloca(I64)
    b.store(const(I64, 0), t)
    # each axis's position, as a pointer from null stepping by 1 along that axis alone
    unit = [[const(I64, int(e == d)) for e in range(k)] for d in range(k)]
    null = ir.Constant(m.data.type, None)

    def visit(p):
        with b.if_then(_truth(b, p[0])):
            for d in range(k):
                pos = b.ptrtoint(p[1 + d], I64)
                b.store(pos, b.gep(buf, [b.add(b.mul(const(I64, d), n), b.load(t))]))
            b.store(b.add(b.load(t), const(I64, 1)), t)

    _nest(eb, m.shape, [m.strides] + unit, [m.data] + [null] * k, visit, "nonzero")
    i8 = ir.PointerType(ir.IntType(8))
    return [SimpleNamespace(data=b.bitcast(b.gep(buf, [b.mul(const(I64, d), n)]), i8), shape=[n], strides=[const(I64, 8)])
            for d in range(k)]


def _rest(axes, seq):
    """The entries of ``seq`` (view axes) that no index array takes."""
    return [s for d, s in enumerate(seq) if d not in axes]


def _arrays_offset(eb, arrays, ptrs, view, target):
    """Byte offset into ``target`` (a view laid out as ``view``) of the position the indices at ``ptrs``
    name; negative indices wrap, one out of bounds takes the slow path."""
    b = eb.b
    em = Emitter(b, eb.ctx.mathlib)
    off = const(I64, 0)
    for (dt, a, _), p in zip(arrays, ptrs):
        if a < 0:
            continue
        i = em.cast(load_elem(b, p, dt), dt, "int64")
        n = view.shape[a]
        i = b.select(b.icmp_signed("<", i, const(I64, 0)), b.add(i, n), i)
        eb.go_slow_if(b.or_(b.icmp_signed("<", i, const(I64, 0)), b.icmp_signed(">=", i, n)))
        off = b.add(off, b.mul(i, target.strides[a]))
    return off


def _index_walk(eb, view, arrays, axes, at, bcast, ops, block, name):
    """Loops over the region ``rest[:at] + broadcast + rest[at:]`` (``bcast``: the broadcast shape and
    the arrays' strides in it): ``ops`` are (pointer, region strides) pairs; ``block(ptrs, idx_ptrs)``
    runs at each broadcast position of each outer one."""
    (bshape, bstr), rest = bcast, _rest(axes, view.shape)
    r = len(bshape)
    ptrs, strides = [p for p, _ in ops], [s for _, s in ops]

    def outer(q):
        _nest(eb, bshape, bstr + [s[at:at + r] for s in strides], [v.data for _, _, v in arrays] + q,
              lambda qq: block(qq[len(arrays):], qq[:len(arrays)]), name)

    _nest(eb, rest[:at], [s[:at] for s in strides], ptrs, outer, f"{name}.outer")


def _region_shape(eb, view, arrays, axes, at):
    """The indexed region's shape, the broadcast rank, and (shape, strides) of the broadcast."""
    bcast = _broadcast_indices(eb, [v for _, _, v in arrays])
    rest = _rest(axes, view.shape)
    return rest[:at] + bcast[0] + rest[at:], len(bcast[0]), bcast


def _block_copy(eb, dt, dims, src, sst, dst, dstr, contig, name):
    """Copy the block ``dims`` (run-time sizes): one memcpy where ``contig`` (both sides C-ordered
    rows), else an element loop."""
    b = eb.b
    if not dims:
        store_elem(b, load_elem(b, src, dt), dst, dt)
        return
    nbytes = const(I64, np.dtype(dt).itemsize)
    for n in dims:
        nbytes = b.mul(nbytes, n)
    memcpy = eb.module.declare_intrinsic("llvm.memcpy", [src.type, dst.type, I64])
    with b.if_else(contig) as (fast, slow):
        with fast:
            b.call(memcpy, [dst, src, nbytes, const(I1, 0)])
        with slow:
            _nest(eb, dims, [sst, dstr], [src, dst], lambda q: store_elem(b, load_elem(b, q[0], dt), q[1], dt), name)


def _c_ordered(eb, dims, strides, itemsize):
    """i1: are ``strides`` C-ordered (rows of ``dims`` one after another)?"""
    b = eb.b
    ok, acc = const(I1, 1), const(I64, itemsize)
    for n, s in zip(reversed(dims), reversed(strides)):
        ok = b.and_(ok, b.or_(b.icmp_signed("<=", n, const(I64, 1)), b.icmp_signed("==", s, acc)))
        acc = b.mul(acc, n)
    return ok


def run_gather(eb, step, kinds):
    """x[idx] / x[i, :, j]...: the region's blocks copied from the selected positions."""
    x = eb.vals[step.inputs[0]]
    (o,) = step.outputs
    view, xv, arrays, axes, at = _index_form(eb, step, 1)
    region, r, bcast = _region_shape(eb, xv, arrays, axes, at)
    out = eb.allocate(o, region, kinds[o])
    eb.vals[o] = out
    rest_st = _rest(axes, xv.strides)
    inner, inner_st, out_inner = _rest(axes, xv.shape)[at:], rest_st[at:], out.strides[at + r:]
    isz = np.dtype(x.dtype).itemsize
    contig = _c_ordered(eb, inner, inner_st, isz)
    src_st = rest_st[:at] + [const(I64, 0)] * r + inner_st

    def block(q, idx_ptrs):
        src = eb.b.gep(q[0], [_arrays_offset(eb, arrays, idx_ptrs, xv, xv)])
        _block_copy(eb, x.dtype, inner, src, inner_st, q[1], out_inner, contig, "gather.block")

    _index_walk(eb, xv, arrays, axes, at, bcast, [(xv.data, src_st), (out.data, out.strides)], block, "gather")


def run_scatter(eb, step, kinds):
    """x with x[index] set to / incremented by y (numpy.add.at: repeats accumulate, the last write
    wins when setting; with ``ignore_dupes`` NumPy's ``x[index] += y``): a C-contiguous copy of x,
    then the positions in C order."""
    b = eb.b
    x, y = eb.vals[step.inputs[0]], eb.vals[step.inputs[1]]
    (o,) = step.outputs
    view, xv, arrays, axes, at = _index_form(eb, step, 2)
    region, r, bcast = _region_shape(eb, xv, arrays, axes, at)
    ystr = _value_strides(eb, step, y, region)
    out = _fresh_copy(eb, x, o, kinds)
    ov = eb._subtensor(view, NVal(out.dtype, out.data, out.shape, out.strides))
    dt, zero = x.dtype, const(I64, 0)
    inner = _rest(axes, ov.shape)[at:]
    dupes = getattr(step, "ignore_dupes", False)

    def place(st):  # view-axis strides as region strides (0 on the broadcast axes)
        rest = _rest(axes, st)
        return rest[:at] + [zero] * r + rest[at:]

    def block(q, idx_ptrs):
        dst = b.gep(q[0], [_arrays_offset(eb, arrays, idx_ptrs, ov, ov)])
        src = b.gep(q[2], [_arrays_offset(eb, arrays, idx_ptrs, xv, xv)]) if dupes else q[2]
        ins = _rest(axes, ov.strides)[at:], ystr[at + r:], _rest(axes, xv.strides)[at:]

        def elem(e):
            v = load_elem(b, e[1], dt)
            if dupes or not step.set_:
                v = _add(b, load_elem(b, e[2] if dupes else e[0], dt), v, dt)
            store_elem(b, v, e[0], dt)

        _nest(eb, inner, list(ins), [dst, q[1], src], elem, "scatter.block")

    _index_walk(eb, ov, arrays, axes, at, bcast, [(ov.data, place(ov.strides)), (y.data, ystr), (xv.data, place(xv.strides))],
                block, "scatter")


run_take, run_put = run_gather, run_scatter
