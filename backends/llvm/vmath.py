"""Math-library calls from IR: libm for scalars, glibc's libmvec for vectors.

libmvec's entry points follow the x86-64 vector function ABI:
``_ZGV<isa>N<lanes><v per argument>_<name>`` with isa b (SSE4), c (AVX),
d (AVX2) and e (AVX-512).  They keep libm's results for nan/inf (unlike
``-ffast-math`` code), within a few ulp.  A vector of another width is split
into (or padded to) the widths that exist; without libmvec every lane calls
the scalar libm function.
"""
from __future__ import annotations

from llvmlite import ir

from .irtypes import F32, F64, CVal, declare, elem, lanes_of

UNARY = ("acos", "acosh", "asin", "asinh", "atan", "atanh", "cbrt", "cos", "cosh", "erf", "erfc", "exp",
         "exp10", "exp2", "expm1", "log", "log10", "log1p", "log2", "sin", "sinh", "tan", "tanh")
BINARY = ("atan2", "hypot", "pow")

# vector bits of each ISA letter, widest first
ISA_BITS = (("e", 512), ("d", 256), ("c", 256), ("b", 128))


class MathLib:
    """Which libmvec variants may be called: ``isas`` (letters, widest first) or () for none."""

    def __init__(self, isas=(), resolver=None):
        self.isas = tuple(isas)
        self._resolver = resolver
        self._ok: dict[str, bool] = {}

    def variant(self, name, ftype, n):
        """The libmvec symbol computing ``name`` on ``n`` lanes of ftype, or None."""
        if name not in UNARY and name not in BINARY:
            return None
        fname = name + ("f" if ftype == F32 else "")
        arity = 1 if name in UNARY else 2
        per = 64 if ftype == F64 else 32
        for isa, bits in ISA_BITS:
            if isa in self.isas and bits // per == n:
                sym = f"_ZGV{isa}N{n}{'v' * arity}_{fname}"
                if self._exists(sym):
                    return sym
        return None

    def widths(self, ftype):
        """Lane counts with a libmvec variant, widest first."""
        per = 64 if ftype == F64 else 32
        out = []
        for isa, bits in ISA_BITS:
            if isa in self.isas and bits // per not in out:
                out.append(bits // per)
        return out

    def _exists(self, sym):
        ok = self._ok.get(sym)
        if ok is None:
            ok = self._ok[sym] = bool(self._resolver(sym)) if self._resolver else True
        return ok


def scalar_call(builder, name, args):
    """libm's ``name`` (``namef`` for float) on scalar float args."""
    ty = args[0].type
    fname = name + ("f" if ty == F32 else "")
    fn = declare(builder.module, fname, ty, [a.type for a in args])
    fn.attributes.add("nounwind")
    return builder.call(fn, list(args))


def math_call(builder, mathlib, name, args):
    """``name`` applied lane-wise to float32/float64 scalars or vectors."""
    ty = args[0].type
    n = lanes_of(ty)
    if n is None:
        return scalar_call(builder, name, args)
    ft = elem(ty)
    sym = mathlib.variant(name, ft, n)
    if sym is not None:
        fn = declare(builder.module, sym, ty, [a.type for a in args])
        fn.attributes.add("nounwind")
        return builder.call(fn, list(args))
    for w in mathlib.widths(ft):
        if w < n and n % w == 0 and mathlib.variant(name, ft, w):
            parts = [math_call(builder, mathlib, name, [_slice(builder, a, k * w, w) for a in args])
                     for k in range(n // w)]
            return _concat(builder, parts)
        if w > n and mathlib.variant(name, ft, w):
            wide = math_call(builder, mathlib, name, [_pad(builder, a, w) for a in args])
            return _slice(builder, wide, 0, n)
    return scalarize(builder, lambda b, xs: scalar_call(b, name, xs), args)


def complex_call(builder, name, z):
    """libm's complex function ``c<name>`` (``c<name>f`` for complex64) on a CVal, lane by lane.

    x86-64 System V passes a double complex as two doubles (returned as {double, double}) and a
    float complex as one <2 x float>."""
    n = lanes_of(z.type)
    if n is not None:
        i32 = ir.IntType(32)
        re = ir.Constant(z.re.type, ir.Undefined)
        im = ir.Constant(z.im.type, ir.Undefined)
        for k in range(n):
            idx = ir.Constant(i32, k)
            r = complex_call(builder, name, CVal(builder.extract_element(z.re, idx), builder.extract_element(z.im, idx)))
            re = builder.insert_element(re, r.re, idx)
            im = builder.insert_element(im, r.im, idx)
        return CVal(re, im)
    ft = z.type
    if ft == F64:
        fn = declare(builder.module, "c" + name, ir.LiteralStructType([F64, F64]), [F64, F64])
        fn.attributes.add("nounwind")
        r = builder.call(fn, [z.re, z.im])
        return CVal(builder.extract_value(r, 0), builder.extract_value(r, 1))
    v2 = ir.VectorType(F32, 2)
    fn = declare(builder.module, "c" + name + "f", v2, [v2])
    fn.attributes.add("nounwind")
    packed = builder.insert_element(builder.insert_element(ir.Constant(v2, ir.Undefined), z.re, ir.Constant(ir.IntType(32), 0)),
                                    z.im, ir.Constant(ir.IntType(32), 1))
    r = builder.call(fn, [packed])
    return CVal(builder.extract_element(r, ir.Constant(ir.IntType(32), 0)),
                builder.extract_element(r, ir.Constant(ir.IntType(32), 1)))


def scalarize(builder, fn, args, ret_elem=None):
    """Apply scalar ``fn(builder, scalars)`` to every lane of vector ``args``."""
    n = lanes_of(args[0].type)
    out_ty = ir.VectorType(ret_elem or elem(args[0].type), n)
    out = ir.Constant(out_ty, ir.Undefined)
    for k in range(n):
        idx = ir.Constant(ir.IntType(32), k)
        r = fn(builder, [builder.extract_element(a, idx) for a in args])
        out = builder.insert_element(out, r, idx)
    return out


def _slice(builder, v, start, n):
    mask = ir.Constant(ir.VectorType(ir.IntType(32), n), [start + k for k in range(n)])
    return builder.shuffle_vector(v, ir.Constant(v.type, ir.Undefined), mask)


def _pad(builder, v, n):
    m = lanes_of(v.type)
    mask = ir.Constant(ir.VectorType(ir.IntType(32), n), [k if k < m else m for k in range(n)])
    return builder.shuffle_vector(v, ir.Constant(v.type, ir.Undefined), mask)


def _concat(builder, parts):
    while len(parts) > 1:
        nxt = []
        for a, b in zip(parts[::2], parts[1::2]):
            n = lanes_of(a.type)
            mask = ir.Constant(ir.VectorType(ir.IntType(32), 2 * n), list(range(2 * n)))
            nxt.append(builder.shuffle_vector(a, b, mask))
        parts = nxt
    return parts[0]
