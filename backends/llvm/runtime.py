"""Code shared by every compiled graph, JIT-compiled once per process and target.

``walk`` runs a row function over an N-d iteration space: it merges axes
that are contiguous for every operand (so a C-contiguous array is one long
row), drops length-1 axes and drives an odometer over the outer axes.
``fill`` writes one element value into n contiguous elements (reduction
outputs start at the identity).  ``alloc``, ``keep`` and ``release`` do an
entry's per-array bookkeeping (reuse last call's array or make a new one;
keep this call's arrays for the next; drop this call's references), so that
an entry with thousands of outputs makes one call per array instead of
inlining the same dozens of instructions and branches for each.
"""
from __future__ import annotations

import threading

from llvmlite import ir
from arignote.forksafe import renew_after_fork

from . import capi
from .irtypes import I1, I8P, I32, I64, I64P, VOID, const, declare
from .loops import ROW_ARGS, counted_loop

ROW_PTR = ir.FunctionType(VOID, ROW_ARGS).as_pointer()
WALK_TYPE = ir.FunctionType(VOID, [I64, I64P, I64, I8P.as_pointer(), I64P, ROW_PTR, I32.as_pointer()])
FILL_TYPE = ir.FunctionType(VOID, [I64, I8P, I64, I8P])
NEW_TYPE = ir.FunctionType(I8P, [I8P, I8P, I32, I64P, I64P, I8P, I32, I8P])  # PyArray_NewFromDescr
# alloc(cell, descr, nd, dims, strides, flags, ndarray type, new) -> array or NULL
ALLOC_TYPE = ir.FunctionType(I8P, [I8P.as_pointer(), I8P, I32, I64P, I64P, I32, I8P, NEW_TYPE.as_pointer()])
KEEP_TYPE = ir.FunctionType(VOID, [I64, I8P.as_pointer(), I64P, I8P])  # keep(n, objs, cells, keep base)
RELEASE_TYPE = ir.FunctionType(VOID, [I64, I8P.as_pointer()])  # release(n, objs)

_lock = threading.Lock()
renew_after_fork(globals(), _lock=threading.Lock)
_compiled: dict = {}


def _walk(module):
    """void walk(nd, shape, nops, data, strides[nops*nd], row, err)."""
    fn = ir.Function(module, WALK_TYPE, "arignote_walk")
    fn.attributes.add("nounwind")
    nd, shape, nops, data, strides, row, err = fn.args
    entry = fn.append_basic_block("entry")
    b = ir.IRBuilder(entry)
    zero, one = const(I64, 0), const(I64, 1)
    ptrs = b.alloca(I8P, size=nops)
    inner = b.alloca(I64, size=nops)
    nd1 = b.select(b.icmp_signed(">", nd, one), nd, one)
    cshape = b.alloca(I64, size=nd1)
    cstr = b.alloca(I64, size=b.mul(nops, nd1))
    idx = b.alloca(I64, size=nd1)
    j = b.alloca(I64)
    found_zero = b.alloca(I1)
    allc = b.alloca(I1)
    dvar = b.alloca(I64)
    b.store(const(I1, 0), found_zero)

    def at(p, i):
        return b.gep(p, [i])

    counted_loop(b, fn, zero, nops, one, lambda k: b.store(b.load(at(data, k)), at(ptrs, k)), "copy")
    with b.if_then(b.icmp_signed("==", nd, zero)):  # 0-d: one element
        counted_loop(b, fn, zero, nops, one, lambda k: b.store(zero, at(inner, k)), "z0")
        b.call(row, [one, ptrs, inner, err])
        b.ret_void()

    def check_zero(d):
        with b.if_then(b.icmp_signed("==", b.load(at(shape, d)), zero)):
            b.store(const(I1, 1), found_zero)

    counted_loop(b, fn, zero, nd, one, check_zero, "empty")
    with b.if_then(b.load(found_zero)):
        b.ret_void()
    # walk the axes in reverse when the operands' strides grow along them (Fortran-like layouts)
    last_ax = b.sub(nd, one)
    first_sum, last_sum = b.alloca(I64), b.alloca(I64)
    b.store(zero, first_sum)
    b.store(zero, last_sum)

    def absval(v):
        return b.select(b.icmp_signed("<", v, zero), b.sub(zero, v), v)

    def sums(k):
        b.store(b.add(b.load(first_sum), absval(b.load(at(strides, b.mul(k, nd))))), first_sum)
        b.store(b.add(b.load(last_sum), absval(b.load(at(strides, b.add(b.mul(k, nd), last_ax))))), last_sum)

    counted_loop(b, fn, zero, nops, one, sums, "order")
    rev = b.icmp_signed("<", b.load(first_sum), b.load(last_sum))

    def ax(d):  # the d-th axis in walking order
        return b.select(rev, b.sub(last_ax, d), d)

    # merge axes: cstr is [k * nd1 + j]
    b.store(zero, j)
    b.store(b.load(at(shape, ax(zero))), at(cshape, zero))
    counted_loop(b, fn, zero, nops, one,
                 lambda k: b.store(b.load(at(strides, b.add(b.mul(k, nd), ax(zero)))), at(cstr, b.mul(k, nd1))),
                 "init")

    def merge(d_walk):
        d = ax(d_walk)
        n = b.load(at(shape, d))
        with b.if_then(b.icmp_signed("!=", n, one)):
            jv = b.load(j)
            cur = b.load(at(cshape, jv))
            b.store(const(I1, 1), allc)

            def test(k):
                outer = b.load(at(cstr, b.add(b.mul(k, nd1), jv)))
                s = b.load(at(strides, b.add(b.mul(k, nd), d)))
                b.store(b.and_(b.load(allc), b.icmp_signed("==", outer, b.mul(s, n))), allc)

            counted_loop(b, fn, zero, nops, one, test, "cont")
            replace = b.icmp_signed("==", cur, one)  # a length-1 axis is replaced
            merge_ok = b.or_(replace, b.load(allc))
            slot = b.select(merge_ok, jv, b.add(jv, one))
            b.store(slot, j)
            b.store(b.select(replace, n, b.select(merge_ok, b.mul(cur, n), n)), at(cshape, slot))
            counted_loop(b, fn, zero, nops, one, lambda k: b.store(
                b.load(at(strides, b.add(b.mul(k, nd), d))), at(cstr, b.add(b.mul(k, nd1), slot))), "set")

    counted_loop(b, fn, one, nd, one, merge, "merge")
    nax = b.add(b.load(j), one)
    last = b.sub(nax, one)
    n_inner = b.load(at(cshape, last))
    counted_loop(b, fn, zero, nops, one,
                 lambda k: b.store(b.load(at(cstr, b.add(b.mul(k, nd1), last))), at(inner, k)), "inner")
    counted_loop(b, fn, zero, nax, one, lambda d: b.store(zero, at(idx, d)), "idx")
    rowblk = fn.append_basic_block("row")
    head = fn.append_basic_block("odo.head")
    step = fn.append_basic_block("odo.step")
    carry = fn.append_basic_block("odo.carry")
    done = fn.append_basic_block("odo.done")
    b.branch(rowblk)
    b.position_at_end(rowblk)
    b.call(row, [n_inner, ptrs, inner, err])
    b.store(b.sub(last, one), dvar)
    b.branch(head)
    b.position_at_end(head)
    d = b.load(dvar)
    b.cbranch(b.icmp_signed(">=", d, zero), step, done)
    b.position_at_end(step)
    i = b.add(b.load(at(idx, d)), one)
    b.store(i, at(idx, d))
    counted_loop(b, fn, zero, nops, one, lambda k: b.store(
        b.gep(b.load(at(ptrs, k)), [b.load(at(cstr, b.add(b.mul(k, nd1), d)))]), at(ptrs, k)), "adv")
    n_d = b.load(at(cshape, d))
    b.cbranch(b.icmp_signed("<", i, n_d), rowblk, carry)
    b.position_at_end(carry)

    def back(k):
        span = b.mul(b.load(at(cstr, b.add(b.mul(k, nd1), d))), n_d)
        b.store(b.gep(b.load(at(ptrs, k)), [b.sub(zero, span)]), at(ptrs, k))

    counted_loop(b, fn, zero, nops, one, back, "back")
    b.store(zero, at(idx, d))
    b.store(b.sub(d, one), dvar)
    b.branch(head)
    b.position_at_end(done)
    b.ret_void()
    return fn


def _fill(module):
    """void fill(n, data, itemsize, value): n elements of ``itemsize`` bytes each set to *value."""
    fn = ir.Function(module, FILL_TYPE, "arignote_fill")
    fn.attributes.add("nounwind")
    n, data, size, value = fn.args
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    for bits in (8, 16, 32, 64):
        ty = ir.IntType(bits)
        with b.if_then(b.icmp_signed("==", size, const(I64, bits // 8))):
            v = b.load(b.bitcast(value, ty.as_pointer()), align=1)
            p = b.bitcast(data, ty.as_pointer())
            counted_loop(b, fn, const(I64, 0), n, const(I64, 1), lambda i: b.store(v, b.gep(p, [i]), align=1),
                         f"fill{bits}")
            b.ret_void()
    b.ret_void()
    return fn


def _field(b, ptr, offset, ty):
    return b.load(b.bitcast(b.gep(ptr, [const(I64, offset)]), ty.as_pointer()))


def _alloc(module):
    """PyObject *alloc(cell, descr, nd, dims, strides, flags, ndarray, new): the array kept in
    ``*cell`` by the last call when only the cell holds it and it has this descr, shape and
    strides, is writeable and owns its memory (the cell is emptied); else a new one (NULL on failure)."""
    fn = ir.Function(module, ALLOC_TYPE, "arignote_alloc")
    fn.attributes.add("nounwind")
    cell, descr, nd, dims, strides, flags, ndarray, new = fn.args
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    null = ir.Constant(I8P, None)
    ok = b.alloca(I1)
    cand = b.load(cell)
    with b.if_then(b.icmp_unsigned("!=", cand, null)):
        good = b.icmp_signed("==", b.load(b.bitcast(cand, I64P)), const(I64, 1))  # refcount: only ours
        good = b.and_(good, b.icmp_unsigned("==", _field(b, cand, capi.AR_DESCR, I8P), descr))
        good = b.and_(good, b.icmp_unsigned("==", _field(b, cand, capi.AR_BASE, I8P), null))
        good = b.and_(good, b.icmp_unsigned("!=", b.and_(_field(b, cand, capi.AR_FLAGS, I32),
                                                         const(I32, capi.NPY_ARRAY_WRITEABLE)), const(I32, 0)))
        b.store(good, ok)
        cdims, cstr = _field(b, cand, capi.AR_DIMS, I64P), _field(b, cand, capi.AR_STRIDES, I64P)

        def same(d):
            eq = b.and_(b.icmp_signed("==", b.load(b.gep(cdims, [d])), b.load(b.gep(dims, [d]))),
                        b.icmp_signed("==", b.load(b.gep(cstr, [d])), b.load(b.gep(strides, [d]))))
            b.store(b.and_(b.load(ok), eq), ok)

        counted_loop(b, fn, const(I64, 0), b.zext(nd, I64), const(I64, 1), same, "same")
        with b.if_then(b.load(ok)):
            b.store(null, cell)
            b.ret(cand)
    b.call(declare(module, "Py_IncRef", VOID, [I8P]), [descr])  # NewFromDescr steals it
    b.ret(b.call(new, [ndarray, descr, nd, dims, ir.Constant(I64P, None), null, flags, null]))
    return fn


REUSE_MAX_BYTES = 1 << 20  # arrays up to this size are kept for the next call (the c backend's limit too)


def _over_reuse_limit(b, arr, out):
    """i1 (through the i1 slot ``out``): the array ``arr`` spans more than REUSE_MAX_BYTES
    (|strides[0]| * dims[0]; 0-d: never).  A fresh allocation then usually gets a block just
    freed and still in cache, where a kept array has gone cold by the next call."""
    b.store(ir.Constant(I1, 0), out)
    with b.if_then(b.icmp_signed(">", _field(b, arr, capi.AR_ND, I32), const(I32, 0))):
        n = b.load(_field(b, arr, capi.AR_DIMS, I64P))
        st = b.load(_field(b, arr, capi.AR_STRIDES, I64P))
        st = b.select(b.icmp_signed("<", st, const(I64, 0)), b.neg(st), st)
        b.store(b.icmp_unsigned(">", b.mul(n, st), const(I64, REUSE_MAX_BYTES)), out)
    return b.load(out)


def _keep(module):
    """void keep(n, objs, cells, base): each non-NULL ``objs[i]`` with ``cells[i] >= 0`` also goes
    to the cell at byte offset ``cells[i]`` of ``base`` (a new reference), dropping the one there;
    an array above REUSE_MAX_BYTES empties its cell instead."""
    fn = ir.Function(module, KEEP_TYPE, "arignote_keep")
    fn.attributes.add("nounwind")
    n, objs, cells, base = fn.args
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    null = ir.Constant(I8P, None)
    inc, dec = declare(module, "Py_IncRef", VOID, [I8P]), declare(module, "Py_DecRef", VOID, [I8P])

    big, slot = b.alloca(I1), b.alloca(I1)

    def one(i):
        o, off = b.load(b.gep(objs, [i])), b.load(b.gep(cells, [i]))
        with b.if_then(b.and_(b.icmp_unsigned("!=", o, null), b.icmp_signed(">=", off, const(I64, 0)))):
            gv = b.bitcast(b.gep(base, [off]), I8P.as_pointer())
            old = b.load(gv)
            b.store(_over_reuse_limit(b, o, slot), big)
            with b.if_else(b.load(big)) as (drop, keep):
                with drop:  # a large array is not kept: by the next call it has gone cold
                    b.store(null, gv)
                with keep:
                    b.call(inc, [o])
                    b.store(o, gv)
            with b.if_then(b.icmp_unsigned("!=", old, null)):
                b.call(dec, [old])

    counted_loop(b, fn, const(I64, 0), n, const(I64, 1), one, "keep")
    b.ret_void()
    return fn


def _release(module):
    """void release(n, objs): drop the reference each non-NULL ``objs[i]`` holds."""
    fn = ir.Function(module, RELEASE_TYPE, "arignote_release")
    fn.attributes.add("nounwind")
    n, objs = fn.args
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    dec = declare(module, "Py_DecRef", VOID, [I8P])

    def one(i):
        o = b.load(b.gep(objs, [i]))
        with b.if_then(b.icmp_unsigned("!=", o, ir.Constant(I8P, None))):
            b.call(dec, [o])

    counted_loop(b, fn, const(I64, 0), n, const(I64, 1), one, "release")
    b.ret_void()
    return fn


SHARED = {"walk": _walk, "fill": _fill, "alloc": _alloc, "keep": _keep, "release": _release}


def functions(target):
    """Addresses of the shared functions for ``target``: {'walk': int, 'fill': int, ...} (compiled once)."""
    from . import jit
    from .signature import code_hash

    key = target.key()
    with _lock:
        got = _compiled.get(key)
        if got is None:
            def build():
                module = ir.Module(name="arignote_runtime")
                for make in SHARED.values():
                    make(module)
                return str(module), {}

            compiled, _ = jit.compile_cached("runtime:" + code_hash(), build, target, name="arignote_runtime")
            got = _compiled[key] = (compiled, {k: compiled.address(f"arignote_{k}") for k in SHARED})
        return got[1]


