"""The steps of the shared lowering rendered inside a segment's entry (see entry.py).

LoopStep: broadcast shapes checked, outputs allocated (in the layout of the
first full input, like NumPy's 'K' order), a row kernel run by the shared
N-d walk -- or, for 0-d loops, the scalar code inline.  ReduceStep: output
filled with the identity, then a reduction row kernel.  ViewStep: new
shape/strides over the same memory (DimShuffle, basic Subtensor with
Python's slice rules).  ShapeStep.  DotStep: SciPy's Fortran BLAS (gemm,
gemv) on row-major views seen as transposed.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from llvmlite import ir

from arignote.backends import lowering as lw

from . import capi, indexing, runtime
from .entry import STACK_LIMIT, EntryBuilder, NVal, PyObj
from .irtypes import F32, F64, I1, I8, I8P, I32, I64, I64P, const, mem_type
from .loops import build_loop, build_reduce, eval_body, identity_bytes, load_elem, store_elem
from .scalar_ir import Emitter

# ------------------------------------------------------------------ the plan
@dataclass
class Segment:
    """Steps compiled into one entry; ``reads`` come from the list, ``exports`` go back to Python."""

    steps: list
    reads: list
    exports: list
    direct: bool


def alloc_kind(var, exported_bases):
    """'obj' (a NumPy array: Python sees it), 'stack' (small and of static size) or 'malloc'."""
    if var in exported_bases:
        return "obj"
    shp = var.type.shape
    if all(s is not None for s in shp):
        n = int(np.prod(shp, dtype=np.int64)) * np.dtype(var.type.dtype).itemsize
        if n <= STACK_LIMIT:
            return "stack"
    return "malloc"


def _loop_key(step):
    """What ``build_loop`` makes of ``step``: loops with equal keys share one row function."""
    return ("loop", step.ndim, tuple(step.invariant(k) for k in range(len(step.inputs))),
            tuple(v.type.dtype for v in (*step.inputs, *step.outputs)), tuple(step.body), tuple(step.out_vals))


class SegmentBuilder(EntryBuilder):
    """An entry builder that renders the lowering's steps."""

    def run_loop(self, step, kinds):
        b = self.b
        ops = [self.vals[v] for v in step.inputs]
        nd = step.ndim
        shape = []
        for d in range(nd):
            cands = [k for k in range(len(ops)) if not step.bcast[k][d]]
            if not cands:
                shape.append(const(I64, 1))
                continue
            n = ops[cands[0]].shape[d]
            bad = const(I1, 0)
            for k in cands[1:]:
                bad = b.or_(bad, b.icmp_signed("!=", ops[k].shape[d], n))
            if len(cands) > 1:
                self.go_slow_if(bad)
            shape.append(n)
        fortran = None
        full = [k for k in range(len(ops)) if not any(step.bcast[k])]
        if nd > 1 and full:  # outputs follow the layout of the first full input (NumPy's 'K' order)
            st = ops[full[0]].strides
            fortran = b.icmp_signed("<", _iabs(b, st[0]), _iabs(b, st[nd - 1]))
        outs = []
        for o in step.outputs:
            outs.append(self.allocate(o, shape, kinds[o], fortran))
            self.vals[o] = outs[-1]
        if nd == 0:  # one element: computed right here, no loop
            em = Emitter(b, self.ctx.mathlib, None, self.err)
            vals = eval_body(em, step.body, lambda k: load_elem(b, ops[k].data, ops[k].dtype))
            for out, vi in zip(outs, step.out_vals):
                store_elem(b, vals[vi], out.data, out.dtype)
            if _may_fail(step):
                self.check_err()
            return
        kfn = self.shared_kernel(_loop_key(step), lambda: build_loop(self.module, self.kernel_name("loop"), step,
                                                                     self.ctx))
        zero = const(I64, 0)

        def strides_of(k):
            if k < len(ops):
                return [zero if step.bcast[k][d] else ops[k].strides[d] for d in range(nd)]
            return outs[k - len(ops)].strides

        self.kernel_call(kfn, shape, ops + outs, strides_of)
        if _may_fail(step):
            self.check_err()

    def run_reduce(self, step, kinds):
        b = self.b
        x = self.vals[step.inputs[0]]
        (z,) = step.outputs
        axes = set(step.axes)
        nd = len(x.shape)
        if step.kind_ in ("max", "min") and axes:
            empty = const(I1, 0)
            for d in axes:
                empty = b.or_(empty, b.icmp_signed("==", x.shape[d], const(I64, 0)))
            self.go_slow_if(empty)
        out_shape = [x.shape[d] for d in range(nd) if d not in axes]
        out = self.allocate(z, out_shape, kinds[z])
        self.vals[z] = out
        n_out = const(I64, 1)
        for s in out_shape:
            n_out = b.mul(n_out, s)
        ident = identity_bytes(step.kind_, step.out_dtype)
        fill = b.bitcast(self.rt.load(b, "fill"), runtime.FILL_TYPE.as_pointer())
        b.call(fill, [n_out, out.data, const(I64, len(ident)), self.bytes_constant(ident)])
        kfn = build_reduce(self.module, self.kernel_name("reduce"), step.kind_, step.in_dtype, step.out_dtype,
                           self.ctx)
        zero = const(I64, 0)
        out_strides, j = [], 0
        for d in range(nd):
            if d in axes:
                out_strides.append(zero)
            else:
                out_strides.append(out.strides[j])
                j += 1
        self.kernel_call(kfn, x.shape, [x, out], lambda k: x.strides if k == 0 else out_strides)

    def run_shape(self, step, kinds):
        b = self.b
        x = self.vals[step.inputs[0]]
        (o,) = step.outputs
        if step.axis is None:
            out = self.allocate(o, [const(I64, len(x.shape))], kinds[o])
            for d, s in enumerate(x.shape):
                b.store(s, b.bitcast(b.gep(out.data, [const(I64, 8 * d)]), I64P))
        else:
            out = self.allocate(o, [], kinds[o])
            b.store(x.shape[step.axis], b.bitcast(out.data, I64P))
        self.vals[o] = out

    def run_dimshuffle(self, step, kinds):
        x = self.vals[step.inputs[0]]
        (o,) = step.outputs
        shape, strides = [], []
        for e in step.order:
            if e == "x":
                shape.append(const(I64, 1))
                strides.append(const(I64, 0))
            else:
                shape.append(x.shape[e])
                strides.append(x.strides[e])
        self.vals[o] = NVal(x.dtype, x.data, shape, strides, obj=None,
                            base=x.base if x.base is not None else step.inputs[0])

    def run_subtensor(self, step, kinds):
        self.vals[step.outputs[0]] = self._subtensor(step, self.vals[step.inputs[0]])

    def _subtensor(self, step, x):
        b = self.b
        idx_vals = [self._scalar_index(v) for v in step.inputs[1:]]
        it = iter(idx_vals)
        data = x.data
        shape, strides = [], []
        d = 0
        for e in step.idx_list:
            if e == "newaxis":  # (advanced indexing's views) a new axis of length 1
                shape.append(const(I64, 1))
                strides.append(const(I64, 0))
                continue
            n, s = x.shape[d], x.strides[d]
            d += 1
            if e == "int":
                i = next(it)
                i = b.select(b.icmp_signed("<", i, const(I64, 0)), b.add(i, n), i)
                bad = b.or_(b.icmp_signed("<", i, const(I64, 0)), b.icmp_signed(">=", i, n))
                self.go_slow_if(bad)
                data = b.gep(data, [b.mul(i, s)])
                continue
            _, hs, he, hk = e
            start = next(it) if hs else None
            stop = next(it) if he else None
            stp = next(it) if hk else None
            start_v, length, step_v = self._slice(n, start, stop, stp)
            data = b.gep(data, [b.mul(start_v, s)])
            shape.append(length)
            strides.append(b.mul(s, step_v))
        shape.extend(x.shape[d:])
        strides.extend(x.strides[d:])
        base = x.base if x.base is not None else step.inputs[0]
        return NVal(x.dtype, data, shape, strides, obj=None, base=base)

    # ------------------------------------------------------------------ dot
    def run_dot(self, step, kinds):
        """z = numpy.dot(x, y) for float arrays of rank >= 1 through SciPy's gemm/gemv (row-major seen
        as transposed): x's leading axes are the rows of one matrix, y's batch axes (all but its last
        two) one product each, written into z seen as rows x (batches * n).  Unequal summed lengths
        take the slow path, whose perform raises NumPy's error naming the operands' own shapes."""
        if step.batched:
            return self._run_matmul(step, kinds)
        b = self.b
        x, y = (self.vals[v] for v in step.inputs)
        (zv,) = step.outputs
        es = np.dtype(step.dtype).itemsize
        xn, yn = len(x.shape), len(y.shape)
        one64, zero64 = const(I64, 1), const(I64, 0)
        k = x.shape[xn - 1]
        n = y.shape[yn - 1] if yn >= 2 else one64
        m = self._product(x.shape[:-1])
        nb = self._product(y.shape[:-2])
        big = const(I64, 2**31 - 1)
        bad = b.icmp_signed("!=", k, y.shape[yn - 2 if yn >= 2 else 0])
        for v in (m, n, k, b.mul(nb, n)):
            bad = b.or_(bad, b.icmp_signed(">", v, big))
        self.go_slow_if(bad)
        oshape = list(x.shape[:-1]) + list(y.shape[:-2]) + ([n] if yn >= 2 else [])
        z = self.allocate(zv, oshape, kinds[zv])
        self.vals[zv] = z
        nonempty = b.and_(b.and_(b.icmp_signed(">", m, zero64), b.icmp_signed(">", n, zero64)),
                          b.icmp_signed(">", nb, zero64))
        with b.if_then(nonempty):
            with b.if_else(b.icmp_signed("==", k, zero64)) as (empty_k, work):
                with empty_k:
                    self._zero_fill(z, b.mul(b.mul(m, nb), n), es)
                with work:
                    self._dot_batches(step, x, y, z, m, n, k, nb, es)

    def _run_matmul(self, step, kinds):
        """z = numpy.matmul(x, y) of float arrays of rank >= 3: batch axes broadcast as NumPy's, one
        BLAS product per batch into C-ordered z (operands BLAS cannot take are C-ordered once, first).
        Unequal summed lengths or batch axes that do not broadcast take the slow path (NumPy's error)."""
        b = self.b
        x, y = (self.vals[v] for v in step.inputs)
        (zv,) = step.outputs
        es = np.dtype(step.dtype).itemsize
        xn, yn = len(x.shape), len(y.shape)
        bn = max(xn, yn) - 2
        one, zero, big = const(I64, 1), const(I64, 0), const(I64, 2**31 - 1)
        m, k, n = x.shape[xn - 2], x.shape[xn - 1], y.shape[yn - 1]
        bad = b.icmp_signed("!=", k, y.shape[yn - 2])
        for v in (m, n, k):
            bad = b.or_(bad, b.icmp_signed(">", v, big))
        xdims = [one] * (bn - (xn - 2)) + list(x.shape[:-2])
        ydims = [one] * (bn - (yn - 2)) + list(y.shape[:-2])
        # an axis broadcasts only where the type marks it (so its length is 1); others must match
        xb = [True] * (bn - (xn - 2)) + list(step.inputs[0].type.broadcastable[:-2])
        yb = [True] * (bn - (yn - 2)) + list(step.inputs[1].type.broadcastable[:-2])
        batch = []
        for a, c, fa, fc in zip(xdims, ydims, xb, yb):
            if fa or fc:
                batch.append(c if fa else a)
            else:
                bad = b.or_(bad, b.icmp_signed("!=", a, c))
                batch.append(a)
        self.go_slow_if(bad)
        z = self.allocate(zv, batch + [m, n], kinds[zv])
        self.vals[zv] = z
        nb = self._product(batch)
        total = b.mul(b.mul(nb, m), n)
        with b.if_then(b.icmp_signed(">", total, zero)):
            with b.if_else(b.icmp_signed("==", k, zero)) as (empty_k, work):
                with empty_k:
                    self._zero_fill(z, total, es)
                with work:
                    self._matmul_batches(step, x, y, z, batch, m, n, k, es)

    def _zero_fill(self, z, count, es):
        """``count`` zero elements of ``es`` bytes at z (a complex as two zero floats)."""
        b = self.b
        half = es // 2 if es == 16 else es
        count = b.mul(count, const(I64, es // half))
        fill = b.bitcast(self.rt.load(b, "fill"), runtime.FILL_TYPE.as_pointer())
        b.call(fill, [count, z.data, const(I64, half), self.bytes_constant(bytes(half))])

    def _matmul_batches(self, step, x, y, z, batch, m, n, k, es):
        b = self.b
        lay, _, _ = self._layout(m, k, x.strides[-2], x.strides[-1], es)
        x = self._c_order_if_not(lay, x, step.dtype)
        lay, _, _ = self._layout(k, n, y.strides[-2], y.strides[-1], es)
        y = self._c_order_if_not(lay, y, step.dtype)
        counter = self._alloca(I64, const(I64, 0))
        head, body, done = (b.append_basic_block(f"matmul.{s}") for s in ("head", "body", "done"))
        b.branch(head)
        b.position_at_end(head)
        i = b.load(counter)
        b.cbranch(b.icmp_signed("<", i, self._product(batch)), body, done)
        b.position_at_end(body)
        xoff, yoff, q = const(I64, 0), const(I64, 0), i
        for d in reversed(range(len(batch))):  # batch i's place: a broadcast axis (length 1) stays put
            p = b.srem(q, batch[d])
            q = b.sdiv(q, batch[d])
            for v, off in ((x, "x"), (y, "y")):
                dv = d - (len(batch) - (len(v.shape) - 2))
                if dv < 0:
                    continue
                step_off = b.select(b.icmp_signed("==", v.shape[dv], const(I64, 1)), const(I64, 0),
                                    b.mul(p, v.strides[dv]))
                if off == "x":
                    xoff = b.add(xoff, step_off)
                else:
                    yoff = b.add(yoff, step_off)
        xb = NVal(x.dtype, b.gep(x.data, [xoff]), [m, k], list(x.strides[-2:]))
        yb = NVal(y.dtype, b.gep(y.data, [yoff]), [k, n], list(y.strides[-2:]))
        zb = NVal(z.dtype, b.gep(z.data, [b.mul(b.mul(b.mul(i, m), n), const(I64, es))]), [m, n],
                  [b.mul(n, const(I64, es)), const(I64, es)])
        self._blas_call(step, xb, yb, zb, m, n, k, 2, 2, es, ldz=n)
        b.store(b.add(i, const(I64, 1)), counter)
        b.branch(head)
        b.position_at_end(done)

    def _product(self, dims):
        out = const(I64, 1)
        for d in dims:
            out = self.b.mul(out, d)
        return out

    def _dot_batches(self, step, x, y, z, m, n, k, nb, es):
        """x as one (m, k) matrix, copied first when its leading axes do not collapse (or, with
        several batches, when BLAS cannot take it); one product per batch of y's leading axes."""
        b = self.b
        xn, yn = len(x.shape), len(y.shape)
        xs1 = x.strides[xn - 1]
        if xn > 2 or yn > 2:
            ok, xs0 = self._collapsed(x.shape[:-1], x.strides[:-1])
            lay, _, _ = self._layout(m, k, xs0, xs1, es)
            x = self._c_order_if_not(b.and_(ok, lay), x, step.dtype)
            _, xs0 = self._collapsed(x.shape[:-1], x.strides[:-1])
            xs1 = x.strides[xn - 1]
        else:
            xs0 = x.strides[0] if xn == 2 else const(I64, 0)
        x2 = NVal(x.dtype, x.data, [m, k] if xn >= 2 else [k], [xs0, xs1] if xn >= 2 else [xs1])
        ya = yn - 2 if yn >= 2 else 0
        ys = [y.strides[ya]] + ([y.strides[yn - 1]] if yn >= 2 else [])
        ymat = [k] + ([n] if yn >= 2 else [])
        if yn <= 2:
            self._blas_call(step, x2, NVal(y.dtype, y.data, ymat, ys), z, m, n, k, min(xn, 2), yn, es)
            return
        lay, _, _ = self._layout(k, n, ys[0], ys[1], es)
        y = self._c_order_if_not(lay, y, step.dtype)
        ys = [y.strides[ya], y.strides[yn - 1]]
        counter = self._alloca(I64, const(I64, 0))
        head, body, done = (b.append_basic_block(f"dot.{s}") for s in ("head", "body", "done"))
        b.branch(head)
        b.position_at_end(head)
        i = b.load(counter)
        b.cbranch(b.icmp_signed("<", i, nb), body, done)
        b.position_at_end(body)
        off, q = const(I64, 0), i
        for d in reversed(range(yn - 2)):  # batch i's place among y's leading axes
            off = b.add(off, b.mul(b.srem(q, y.shape[d]), y.strides[d]))
            q = b.sdiv(q, y.shape[d])
        yb = NVal(y.dtype, b.gep(y.data, [off]), ymat, ys)
        zb = NVal(z.dtype, b.gep(z.data, [b.mul(b.mul(i, n), const(I64, es))]), z.shape, z.strides)
        self._blas_call(step, x2, yb, zb, m, n, k, min(xn, 2), 2, es, ldz=b.mul(nb, n))
        b.store(b.add(i, const(I64, 1)), counter)
        b.branch(head)
        b.position_at_end(done)

    def _collapsed(self, dims, strides):
        """(i1: do these axes step through memory with one stride, that stride); axes of length 1
        are ignored, and the stride is 0 when every axis has length 1."""
        b = self.b
        zero = const(I64, 0)
        ok, s, span = const(I1, 1), zero, zero
        for n, st in zip(reversed(dims), reversed(strides)):
            unit = b.icmp_signed("==", n, const(I64, 1))
            first = b.icmp_signed("==", span, zero)
            ok = b.and_(ok, b.or_(unit, b.or_(first, b.icmp_signed("==", st, b.mul(s, span)))))
            s = b.select(unit, s, b.select(first, st, s))
            span = b.select(unit, span, b.select(first, n, b.mul(span, n)))
        return ok, s

    def _c_order_if_not(self, ok, v, dtype):
        """``v``, or unless ``ok`` a C-ordered copy of it in scratch memory."""
        b = self.b
        es = np.dtype(dtype).itemsize
        cst = [None] * len(v.shape)
        acc = const(I64, es)
        for d in reversed(range(len(v.shape))):
            cst[d] = acc
            acc = b.mul(acc, v.shape[d])
        tmp = self._alloca(I8P)
        b.store(v.data, tmp)
        with b.if_then(b.not_(ok), likely=False):
            mem = self._allocate_mem(b.select(b.icmp_signed(">", acc, const(I64, 0)), acc, const(I64, es)))
            src, dst = NVal(dtype, v.data, v.shape, v.strides), NVal(dtype, mem, v.shape, cst)
            self.kernel_call(self._copy_row(dtype), v.shape, [src, dst], lambda j: (src, dst)[j].strides)
            b.store(mem, tmp)
        return NVal(dtype, b.load(tmp), v.shape, [b.select(ok, s, c) for s, c in zip(v.strides, cst)])

    def _layout(self, r, c, s0, s1, es):
        """(usable, trans 'N' flag as i1, leading dimension) of a row-major r x c view for Fortran BLAS."""
        b = self.b
        one = const(I64, 1)
        esc = const(I64, es)
        s1 = b.select(b.icmp_signed("==", c, one), esc, s1)
        s0 = b.select(b.icmp_signed("==", r, one), b.mul(c, esc), s0)
        cmax = b.select(b.icmp_signed(">", c, one), c, one)
        rmax = b.select(b.icmp_signed(">", r, one), r, one)

        def fits(unit, lead, need):
            ld = b.sdiv(lead, esc)
            ok = b.and_(b.icmp_signed("==", unit, esc), b.icmp_signed(">", lead, const(I64, 0)))
            ok = b.and_(ok, b.icmp_signed("==", b.srem(lead, esc), const(I64, 0)))
            ok = b.and_(ok, b.icmp_signed(">=", ld, need))
            return b.and_(ok, b.icmp_signed("<", ld, const(I64, 2**31 - 1))), ld

        ok_n, ld_n = fits(s1, s0, cmax)
        ok_t, ld_t = fits(s0, s1, rmax)
        return b.or_(ok_n, ok_t), ok_n, b.trunc(b.select(ok_n, ld_n, ld_t), I32)

    def _blas_call(self, step, x, y, z, m, n, k, xn, yn, es, ldz=None):
        b = self.b
        xs0 = x.strides[0] if xn == 2 else const(I64, 0)
        xs1 = x.strides[xn - 1]
        ys0 = y.strides[0]
        ys1 = y.strides[1] if yn == 2 else const(I64, 0)
        okx, _, _ = self._layout(m, k, xs0, xs1, es)
        oky, _, _ = self._layout(k, n, ys0, ys1, es)
        # operands strided beyond what BLAS takes (negative, non-unit steps) are copied first
        xdata, xs0, xs1 = self._contiguous_if_not(okx, x, m, k, xs0, xs1, step.dtype)
        ydata, ys0, ys1 = self._contiguous_if_not(oky, y, k, n, ys0, ys1, step.dtype)
        x = NVal(x.dtype, xdata, x.shape, x.strides)
        y = NVal(y.dtype, ydata, y.shape, y.strides)
        _, nx, ldx = self._layout(m, k, xs0, xs1, es)
        _, ny, ldy = self._layout(k, n, ys0, ys1, es)
        chars = {c: const(I8, ord(c)) for c in "NT"}
        ft = F64 if step.dtype in ("float64", "complex128") else F32  # a complex as two of them
        pfx = {"float64": "d", "float32": "s", "complex128": "z", "complex64": "c"}[step.dtype]

        def ptr(v, ty):
            p = self._alloca(ty)
            b.store(v, p)
            return p

        def char(flag):
            return ptr(b.select(flag, chars["N"], chars["T"]), I8)

        def char_inv(flag):
            return ptr(b.select(flag, chars["T"], chars["N"]), I8)

        i32 = lambda v: ptr(b.trunc(v, I32), I32)  # noqa: E731
        pair = ir.ArrayType(ft, 2)  # alpha = 1 and beta = 0, with a zero imaginary part for complex
        alpha = b.bitcast(ptr(ir.Constant(pair, [1.0, 0.0]), pair), ft.as_pointer())
        beta = b.bitcast(ptr(ir.Constant(pair, [0.0, 0.0]), pair), ft.as_pointer())
        fp = ft.as_pointer()
        cast = lambda v: b.bitcast(v, fp)  # noqa: E731
        one = ptr(const(I32, 1), I32)
        i32p = I32.as_pointer()
        gemv_t = ir.FunctionType(ir.VoidType(), [I8P, i32p, i32p, fp, fp, i32p, fp, i32p, fp, fp, i32p])
        gemm_t = ir.FunctionType(ir.VoidType(), [I8P, I8P, i32p, i32p, i32p, fp, fp, i32p, fp, i32p, fp, fp,
                                                 i32p])
        if yn == 1:  # z[m] = x[m,k] y[k]: Fortran sees x^T (k x m) when x is 'N'
            incy = b.select(ny, ldy, const(I32, 1))
            rows = b.select(nx, b.trunc(k, I32), b.trunc(m, I32))
            cols = b.select(nx, b.trunc(m, I32), b.trunc(k, I32))
            gemv = b.bitcast(self.rt.load(b, pfx + "gemv"), gemv_t.as_pointer())
            b.call(gemv, [char_inv(nx), ptr(rows, I32), ptr(cols, I32), alpha, cast(x.data), ptr(ldx, I32),
                          cast(y.data), ptr(incy, I32), beta, cast(z.data), one])
        elif xn == 1:  # z[n] = x[k] y[k,n] = y^T x: Fortran sees y^T (n x k) when y is 'N'
            incx = b.select(nx, const(I32, 1), ldx)
            rows = b.select(ny, b.trunc(n, I32), b.trunc(k, I32))
            cols = b.select(ny, b.trunc(k, I32), b.trunc(n, I32))
            gemv = b.bitcast(self.rt.load(b, pfx + "gemv"), gemv_t.as_pointer())
            b.call(gemv, [char(ny), ptr(rows, I32), ptr(cols, I32), alpha, cast(y.data), ptr(ldy, I32),
                          cast(x.data), ptr(incx, I32), beta, cast(z.data), one])
        else:  # row-major z = x y  <=>  column-major z^T = y^T x^T
            ldz = b.select(b.icmp_signed(">", n, const(I64, 0)), n, const(I64, 1)) if ldz is None else ldz
            gemm = b.bitcast(self.rt.load(b, pfx + "gemm"), gemm_t.as_pointer())
            b.call(gemm, [char(ny), char(nx), i32(n), i32(m), i32(k), alpha, cast(y.data), ptr(ldy, I32),
                          cast(x.data), ptr(ldx, I32), beta, cast(z.data), i32(ldz)])

    def _contiguous_if_not(self, ok, v, r, c, s0, s1, dtype):
        """(data, row stride, column stride) of an r x c view, copied to scratch memory unless ``ok``."""
        b = self.b
        es = np.dtype(dtype).itemsize
        cs0, cs1 = b.mul(c, const(I64, es)), const(I64, es)
        tmp = self._alloca(I8P)
        b.store(v.data, tmp)
        with b.if_then(b.not_(ok), likely=False):
            size = b.mul(b.mul(r, c), const(I64, es))
            mem = self._allocate_mem(b.select(b.icmp_signed(">", size, const(I64, 0)), size, const(I64, es)))
            src = NVal(dtype, v.data, [r, c], [s0, s1])
            dst = NVal(dtype, mem, [r, c], [cs0, cs1])
            self.kernel_call(self._copy_row(dtype), [r, c], [src, dst], lambda k: (src, dst)[k].strides)
            b.store(mem, tmp)
        return b.load(tmp), b.select(ok, s0, cs0), b.select(ok, s1, cs1)

    def _copy_row(self, dtype):
        """The row kernel copying elements of ``dtype`` (one per module and dtype)."""
        from types import SimpleNamespace

        from arignote.backends.lowering import SVal

        name = f"{self.name}.copy.{dtype}"
        fn = self.module.globals.get(name)
        if fn is None:
            var = SimpleNamespace(type=SimpleNamespace(dtype=dtype))
            step = SimpleNamespace(inputs=[var], outputs=[var], body=[SVal("in", dtype, index=0)], out_vals=[0],
                                   ndim=2, bcast=[(False, False)])
            fn = build_loop(self.module, name, step, self.ctx)
        return fn

    def _scalar_index(self, var):
        v = self.vals[var]
        x = self.b.load(self.b.bitcast(v.data, mem_type(var.type.dtype).as_pointer()))
        em = Emitter(self.b, self.ctx.mathlib)
        return em.cast(x, var.type.dtype, "int64")

    def _slice(self, n, start, stop, step):
        """Python's slice.indices(n) and the slice length, for runtime bounds."""
        b = self.b
        zero, one, m1 = const(I64, 0), const(I64, 1), const(I64, -1)
        if step is None:
            step = one
        else:
            self.go_slow_if(b.icmp_signed("==", step, zero))
        neg = b.icmp_signed("<", step, zero)
        lower = b.select(neg, m1, zero)
        upper = b.select(neg, b.add(n, m1), n)

        def adjust(v, default):
            if v is None:
                return default
            wrapped = b.add(v, n)
            lo_v = b.select(b.icmp_signed("<", wrapped, lower), lower, wrapped)
            hi_v = b.select(b.icmp_signed(">", v, upper), upper, v)
            return b.select(b.icmp_signed("<", v, zero), lo_v, hi_v)

        start_v = adjust(start, b.select(neg, upper, lower))
        stop_v = adjust(stop, b.select(neg, lower, upper))
        # length: (stop - start + step -/+ 1) // step when positive, else 0
        diff_pos = b.sub(stop_v, start_v)
        diff_neg = b.sub(start_v, stop_v)
        step_abs = b.select(neg, b.sub(zero, step), step)
        diff = b.select(neg, diff_neg, diff_pos)
        length = b.sdiv(b.add(diff, b.sub(step_abs, one)), step_abs)
        length = b.select(b.icmp_signed(">", diff, zero), length, zero)
        return start_v, length, step

    # ----------------------------------------------------------------- exports


def _iabs(b, v):
    return b.select(b.icmp_signed("<", v, const(I64, 0)), b.sub(const(I64, 0), v), v)


def _may_fail(step):
    return any(v.kind == "op" and v.name == "pow" and v.dtype[0] in "iu" for v in step.body)


#: how a native segment renders each step kind (FallbackStep is not native: it runs in Python)
NATIVE_STEPS = lw.StepTable("llvm", {
    lw.LoopStep: SegmentBuilder.run_loop, lw.ReduceStep: SegmentBuilder.run_reduce,
    lw.ShapeStep: SegmentBuilder.run_shape, lw.DimShuffleStep: SegmentBuilder.run_dimshuffle,
    lw.SubtensorStep: SegmentBuilder.run_subtensor, lw.DotStep: SegmentBuilder.run_dot, lw.IntDotStep: indexing.run_idot,
    lw.ReshapeStep: indexing.run_reshape, lw.TakeStep: indexing.run_take, lw.PutStep: indexing.run_put,
    lw.MaskStep: indexing.run_mask, lw.MaskPutStep: indexing.run_mask_put,
    lw.GatherStep: indexing.run_gather, lw.ScatterStep: indexing.run_scatter,
    lw.AllocStep: indexing.run_alloc, lw.ArgStep: indexing.run_arg,
    lw.CumStep: indexing.run_cum, lw.JoinStep: indexing.run_join, lw.IncSubtensorStep: indexing.run_incsub,
})


def build_segment(module, target, name, program, seg, index, kernels=None):
    """Emit the entry of ``seg``; returns the EntryBuilder (its ``rt`` must be filled after JIT).
    ``kernels``: the module's row functions by key, shared with its other entries."""
    eb = SegmentBuilder(module, target, name, program, seg, index, "slow", kernels)
    b = eb.b
    is_list = b.icmp_unsigned("==", eb.field(eb.arg, capi.OB_TYPE, I8P), eb.rt.load(b, "list"))
    eb.go_slow_if(b.not_(is_list))  # the thunk is called with a list; anything else takes the slow path
    if seg.direct:
        n = len(program.inputs)
        size = b.call(eb.pyfn("PyList_Size", I64, [PyObj]), [eb.arg])
        eb.go_slow_if(b.icmp_signed("!=", size, const(I64, n)))
    for v in seg.reads:
        if v in program.constants:
            eb.vals[v] = eb.read_constant(v, program.constants[v])
        else:
            eb.vals[v] = eb.read_input(v, index[v])
    exported = set(seg.exports) | (set(program.outputs) if seg.direct else set())
    bases = set()
    for s in seg.steps:
        for o in s.outputs:
            if o in exported:
                bases.add(o)
    # views that are exported need their base as an object
    view_base = {}
    for s in seg.steps:
        if isinstance(s, lw.ViewStep):
            src = s.inputs[0]
            view_base[s.outputs[0]] = view_base.get(src, src)
    for v in exported:
        if v in view_base:
            bases.add(view_base[v])
    kinds = {o: alloc_kind(o, bases) for s in seg.steps for o in s.outputs}
    for s in seg.steps:
        NATIVE_STEPS.lookup(type(s))(eb, s, kinds)
    if seg.direct:
        eb.finish_direct(program.outputs)
    else:
        eb.finish_storage(seg.exports, index)
    eb.finish()
    return eb
