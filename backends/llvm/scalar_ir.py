"""The LLVM column of the scalar-op table: one IR recipe per (op name, input kind).

The ``llvm`` column (backends/llvm/scalar_column.py) names, per (op, input kind),
a recipe here; ``recipe(spec)(em, args, dtypes, out)`` emits one application
of the op, whose loop dtypes NumPy has already chosen (backends/lowering/body.py
inserts those casts).  Kinds are the table's ('b', 'i', 'u', 'f', 'c',
'mixed').  Every recipe works on scalars and on vectors alike (selects, no
branches), so the fused loop can run W lanes at a time; complex values are
CVal pairs of parts.  Division by zero, out-of-range casts and the like
follow NumPy's results, never LLVM's undefined behaviour.
"""
from __future__ import annotations

import math

from llvmlite import ir

from . import complex_ir, helpers
from .irtypes import (COMPONENT, F32, F64, I1, CVal, call_intrinsic, const, declare, elem, kind, reg_type,
                      type_suffix, vec)
from .vmath import complex_call, math_call


class Emitter:
    """Emits scalar ops with ``builder``; ``lanes`` None for scalars, else the vector width."""

    def __init__(self, builder, mathlib, lanes=None, err=None):
        self.b = builder
        self.mathlib = mathlib
        self.lanes = lanes
        self.err = err  # i32* error flag of the kernel (set by ops NumPy raises on)
        self.half = False  # computing a float16 op in float32

    def round_half(self, v):
        """Round a float32 intermediate to float16 and back when computing a float16 op."""
        if not self.half:
            return v
        return self.b.fpext(self.b.fptrunc(v, vec(ir.HalfType(), self.lanes)), v.type)

    # ---------------------------------------------------------------- helpers
    def ty(self, dtype):
        return vec(reg_type(dtype), self.lanes)

    def like(self, v, value):
        return const(v.type, value)

    def math(self, name, args):
        return math_call(self.b, self.mathlib, name, args)

    def intr(self, base, args):
        return call_intrinsic(self.b, base, args)

    def truth(self, v, dtype):
        """``v != 0`` as i1 (nan is true, as in C and NumPy)."""
        k = kind(dtype)
        if k == "b":
            return v
        if k == "c":
            comp = COMPONENT[dtype]
            return self.b.or_(self.truth(v.re, comp), self.truth(v.im, comp))
        if k == "f":
            return self.b.fcmp_unordered("!=", v, self.like(v, 0.0))
        return self.b.icmp_unsigned("!=", v, self.like(v, 0))

    def cast(self, v, src, dst):
        """NumPy's ``astype`` from ``src`` to ``dst`` (float->int saturates instead of UB)."""
        if src == dst:
            return v
        b, ks, kd = self.b, kind(src), kind(dst)
        if kd == "b":
            return self.truth(v, src)
        if ks == "c" or kd == "c":  # complex -> real keeps the real part, as NumPy's astype
            if ks == "c" and kd == "c":
                cs, cd = COMPONENT[src], COMPONENT[dst]
                return CVal(self.cast(v.re, cs, cd), self.cast(v.im, cs, cd))
            if kd == "c":
                re = self.cast(v, src, COMPONENT[dst])
                return CVal(re, self.like(re, 0.0))
            return self.cast(v.re, COMPONENT[src], dst)
        to = self.ty(dst)
        if ks == "b":
            return b.uitofp(v, to) if kd == "f" else b.zext(v, to)
        if ks == "f" and kd == "f":
            return b.fpext(v, to) if _fbits(src) < _fbits(dst) else b.fptrunc(v, to)
        if kd == "f":
            return b.sitofp(v, to) if ks == "i" else b.uitofp(v, to)
        if ks == "f":
            return self._float_to_int(v, src, dst)
        sw, dw = elem(v.type).width, elem(to).width
        if sw == dw:
            return v
        if sw > dw:
            return b.trunc(v, to)
        return b.sext(v, to) if ks == "i" else b.zext(v, to)

    def _float_to_int(self, v, src, dst):
        """NumPy's vectorised casts on x86-64: through a 32-bit (int8..int32, uint8, uint16) or 64-bit
        signed conversion whose out-of-range and nan result is the minimum integer, then truncated;
        uint32/uint64 convert x - 2**(n-1) above 2**(n-1) and set the top bit (c does the same)."""
        b = self.b
        if src == "float16":
            v = b.fpext(v, self.ty("float32"))
        to = self.ty(dst)
        if dst == "uint64":  # values >= 2**63 convert x - 2**63 and set the top bit
            top = self.like(v, 2.0 ** 63)
            low = self._cvtt(v, 64)
            high = b.xor(self._cvtt(b.fsub(v, top), 64), const(low.type, 1 << 63))
            return b.select(b.fcmp_ordered(">=", v, top), high, low)
        if dst == "uint32":  # as uint64, one size down (NumPy's vectorised cast, the c backend's)
            top = self.like(v, 2.0 ** 31)
            low = self._cvtt(v, 32)
            high = b.xor(self._cvtt(b.fsub(v, top), 32), const(low.type, 1 << 31))
            return b.select(b.fcmp_ordered(">=", v, top), high, low)
        bits = 64 if dst == "int64" else 32
        r = self._cvtt(v, bits)
        return r if elem(to).width == bits else b.trunc(r, to)

    def _cvtt(self, v, bits):
        """x86's cvtt*2si: truncation toward zero; nan or out of range gives the minimum integer."""
        b = self.b
        ity = vec(ir.IntType(bits), self.lanes)
        lim = float(2 ** (bits - 1))
        ok = b.and_(b.fcmp_ordered(">=", v, self.like(v, -lim)), b.fcmp_ordered("<", v, self.like(v, lim)))
        return b.select(ok, self._fptoi_sat(v, ity, signed=True), const(ity, 1 << (bits - 1)))

    def _fptoi_sat(self, v, to, signed):
        base = "llvm.fptosi.sat" if signed else "llvm.fptoui.sat"
        name = f"{base}.{type_suffix(to)}.{type_suffix(v.type)}"
        fn = declare(self.b.module, name, to, [v.type])
        return self.b.call(fn, [v])

    # ------------------------------------------------------------- dispatch
    def op(self, name, args, dtypes, out):
        """Apply scalar op ``name`` (loop dtypes ``dtypes`` -> ``out``) to IR values ``args``."""
        k = op_kind(name, dtypes)
        rec = lookup(name, k)
        if rec is None:
            raise NotImplementedError(f"scalar op {name} on kind {k} ({', '.join(dtypes)}) has no LLVM rendering")
        if k == "f" and "float16" in dtypes:  # NumPy computes half ops in float32
            args = [self.cast(a, d, "float32") if d == "float16" else a for a, d in zip(args, dtypes)]
            dtypes = ["float32" if d == "float16" else d for d in dtypes]
            self.half = True
            try:
                r = rec(self, args, dtypes, "float32" if out == "float16" else out)
            finally:
                self.half = False
            return self.cast(r, "float32", "float16") if out == "float16" else r
        return rec(self, args, dtypes, out)


def op_kind(name, dtypes):
    """The table kind of an application (as in backends/lowering/body.py)."""
    kinds = {kind(d) for d in dtypes}
    if len(kinds) > 1 and name in _CMP:
        return "mixed"
    return kind(dtypes[0]) if dtypes else "f"


def _fbits(dtype):
    return {"float16": 16, "float32": 32, "float64": 64}[dtype]


_CMP = ("lt", "gt", "le", "ge", "eq", "neq")


# ------------------------------------------------------------------ recipes
def _b(method):
    return lambda em, a, d, o: getattr(em.b, method)(*a)


def _k(rec, kinds):
    return {k: rec for k in kinds}


def _first(em, a, d, o):
    return a[0]


def _second(em, a, d, o):
    return a[1]


def _neg_int(em, a, d, o):
    return em.b.sub(em.like(a[0], 0), a[0])


def _abs_int(em, a, d, o):
    b, x = em.b, a[0]
    return b.select(b.icmp_signed("<", x, em.like(x, 0)), b.sub(em.like(x, 0), x), x)


def _fabs(em, a, d, o):
    return em.intr("llvm.fabs", a)


def _sgn_int(em, a, d, o):
    b, x = em.b, a[0]
    pos = b.zext(b.icmp_signed(">", x, em.like(x, 0)), x.type)
    neg = b.zext(b.icmp_signed("<", x, em.like(x, 0)), x.type)
    return b.sub(pos, neg)


def _sgn_uint(em, a, d, o):
    return em.b.zext(em.b.icmp_unsigned("!=", a[0], em.like(a[0], 0)), a[0].type)


def _sgn_float(em, a, d, o):
    b, x = em.b, a[0]
    r = b.select(b.fcmp_ordered("==", x, em.like(x, 0.0)), em.like(x, 0.0), x)  # nan stays nan
    r = b.select(b.fcmp_ordered("<", x, em.like(x, 0.0)), em.like(x, -1.0), r)
    return b.select(b.fcmp_ordered(">", x, em.like(x, 0.0)), em.like(x, 1.0), r)


def _max_nan(em, x, y, first=False):
    """NumPy's maximum: nan if either is nan, else the larger; of equal values (0.0 and -0.0)
    ``y``, as NumPy's float32/float64 loops, or ``x`` with ``first``, as its float16 loop."""
    b = em.b
    keep = b.or_(b.fcmp_ordered(">=" if first else ">", x, y), b.fcmp_unordered("uno", x, x))
    return b.select(keep, x, y)


def _min_nan(em, x, y, first=False):
    """NumPy's minimum: as :func:`_max_nan` with the smaller."""
    b = em.b
    keep = b.or_(b.fcmp_ordered("<=" if first else "<", x, y), b.fcmp_unordered("uno", x, x))
    return b.select(keep, x, y)


def _imax(signed):
    def rec(em, a, d, o):
        x, y = a
        cmp = em.b.icmp_signed if signed else em.b.icmp_unsigned
        return em.b.select(cmp(">", x, y), x, y)
    return rec


def _imin(signed):
    def rec(em, a, d, o):
        x, y = a
        cmp = em.b.icmp_signed if signed else em.b.icmp_unsigned
        return em.b.select(cmp("<", x, y), x, y)
    return rec


def _iclip(signed):
    mx, mn = _imax(signed), _imin(signed)

    def rec(em, a, d, o):
        return mn(em, [mx(em, a[:2], d, o), a[2]], d, o)
    return rec


def _fclip(em, a, d, o):
    return _min_nan(em, _max_nan(em, a[0], a[1]), a[2])


def _intr(base):
    return lambda em, a, d, o: em.intr(base, a)


def _round_away(em, a, d, o):
    b, x = em.b, a[0]
    up = em.round_half(b.fadd(x, em.like(x, 0.5)))
    dn = em.round_half(b.fsub(x, em.like(x, 0.5)))
    return b.select(b.fcmp_ordered(">=", x, em.like(x, 0.0)), em.intr("llvm.floor", [up]),
                    em.intr("llvm.ceil", [dn]))


def _mul_self(method):
    return lambda em, a, d, o: getattr(em.b, method)(a[0], a[0])


def _recip(em, a, d, o):
    return em.b.fdiv(em.like(a[0], 1.0), a[0])


def _libm(name):
    return lambda em, a, d, o: em.math(name, a)


def _sigmoid(em, a, d, o):
    b, x = em.b, a[0]
    e = em.math("exp", [b.fneg(em.intr("llvm.fabs", [x]))])
    one = em.like(x, 1.0)
    den = b.fadd(one, e)
    return b.select(b.fcmp_ordered(">=", x, em.like(x, 0.0)), b.fdiv(one, den), b.fdiv(e, den))


def _softplus(em, a, d, o):
    b, x = em.b, a[0]
    thirty = em.like(x, 30.0)
    small = em.math("log1p", [em.math("exp", [_min_nan(em, x, thirty)])])
    return b.select(b.fcmp_ordered(">", x, thirty), x, small)


def _via_double(helper):
    """A double-precision IR helper applied to float32/float64 (rounded back for float32)."""

    def rec(em, a, d, o):
        x = a[0]
        if d[0] == "float32":
            x = em.b.fpext(x, vec(F64, em.lanes))
        r = helpers.call(em, helper, [x])
        if d[0] == "float32":
            r = em.b.fptrunc(r, vec(F32, em.lanes))
        return r
    return rec


def _gammaln(em, a, d, o):
    return _via_double("lgamma")(em, a, d, o)


# integer division and remainder with NumPy's results for 0 and -1 divisors
def _int_divmod(em, a, signed):
    b = em.b
    x, y = a
    zero = b.icmp_unsigned("==", y, em.like(y, 0))
    bad = zero
    if signed:
        bad = b.or_(zero, b.icmp_signed("==", y, em.like(y, -1)))
    safe = b.select(bad, em.like(y, 1), y)
    if signed:
        q, r = b.sdiv(x, safe), b.srem(x, safe)
        adj = b.and_(b.icmp_unsigned("!=", r, em.like(r, 0)),
                     b.icmp_signed("<", b.xor(r, y), em.like(r, 0)))
        return zero, bad, q, r, adj
    return zero, bad, b.udiv(x, safe), b.urem(x, safe), None


def _floordiv_int(signed):
    def rec(em, a, d, o):
        b = em.b
        zero, bad, q, r, adj = _int_divmod(em, a, signed)
        if signed:
            q = b.sub(q, b.zext(adj, q.type))
            neg = b.sub(em.like(a[0], 0), a[0])  # x // -1 wraps like NumPy
            q = b.select(bad, b.select(zero, em.like(q, 0), neg), q)
            return q
        return b.select(zero, em.like(q, 0), q)
    return rec


def _mod_int(signed):
    def rec(em, a, d, o):
        b = em.b
        zero, bad, q, r, adj = _int_divmod(em, a, signed)
        if signed:
            r = b.add(r, b.select(adj, a[1], em.like(r, 0)))
        return b.select(bad, em.like(r, 0), r)
    return rec


def _fdivmod(em, x, y):
    """NumPy's npy_divmod: (floor quotient, remainder with the divisor's sign)."""
    b = em.b
    zero = em.like(x, 0.0)
    mod = b.frem(x, y)
    div = b.fdiv(b.fsub(x, mod), y)
    mod_nz = b.fcmp_unordered("!=", mod, zero)
    flip = b.and_(mod_nz, b.xor(b.fcmp_ordered("<", y, zero), b.fcmp_ordered("<", mod, zero)))
    mod = b.select(flip, b.fadd(mod, y), mod)
    div = b.select(flip, b.fsub(div, em.like(x, 1.0)), div)
    mod = b.select(mod_nz, mod, em.intr("llvm.copysign", [zero, y]))
    fl = em.intr("llvm.floor", [div])
    fl = b.select(b.fcmp_ordered(">", b.fsub(div, fl), em.like(x, 0.5)), b.fadd(fl, em.like(x, 1.0)), fl)
    div_nz = b.fcmp_unordered("!=", div, zero)
    fl = b.select(div_nz, fl, em.intr("llvm.copysign", [zero, b.fdiv(x, y)]))
    return fl, mod


def _floordiv_float(em, a, d, o):
    b = em.b
    x, y = a
    fl, _ = _fdivmod(em, x, y)
    return b.select(b.fcmp_ordered("==", y, em.like(y, 0.0)), b.fdiv(x, y), fl)


def _mod_float(em, a, d, o):
    b = em.b
    x, y = a
    _, mod = _fdivmod(em, x, y)
    return b.select(b.fcmp_ordered("==", y, em.like(y, 0.0)), b.frem(x, y), mod)


def _ipow(signed):
    def rec(em, a, d, o):
        return helpers.call(em, "ipow_s" if signed else "ipow_u", a, err=True)
    return rec


def _cmp_int(op, signed):
    def rec(em, a, d, o):
        return (em.b.icmp_signed if signed else em.b.icmp_unsigned)(op, *a)
    return rec


def _cmp_float(op):
    def rec(em, a, d, o):
        if op == "!=":
            return em.b.fcmp_unordered("!=", *a)
        return em.b.fcmp_ordered(op, *a)
    return rec


def _cmp_mixed(op):
    """Exact comparison of a signed and an unsigned integer (widened to i128)."""

    def rec(em, a, d, o):
        wide = vec(ir.IntType(128), em.lanes)
        xs = [em.b.sext(v, wide) if kind(dt) == "i" else em.b.zext(v, wide) for v, dt in zip(a, d)]
        return em.b.icmp_signed(op, *xs)
    return rec


def _cmp_row(op):
    return {"b": _cmp_int(op, False), "i": _cmp_int(op, True), "u": _cmp_int(op, False),
            "f": _cmp_float(op), "mixed": _cmp_mixed(op)}


def _false(em, a, d, o):
    return const(vec(I1, em.lanes), 0)


def _isnan(em, a, d, o):
    return em.b.fcmp_unordered("uno", a[0], a[0])


def _isinf(em, a, d, o):
    return em.b.fcmp_ordered("==", em.intr("llvm.fabs", a), em.like(a[0], math.inf))


def _invert_bool(em, a, d, o):
    return em.b.xor(a[0], em.like(a[0], 1))


def _invert(em, a, d, o):
    return em.b.xor(a[0], em.like(a[0], -1))


def _logical(fn):
    def rec(em, a, d, o):
        ts = [em.truth(v, dt) for v, dt in zip(a, d)]
        return fn(em.b, *ts)
    return rec


def _switch(em, a, d, o):
    c = em.truth(a[0], d[0])
    if isinstance(a[1], CVal):
        return CVal(em.b.select(c, a[1].re, a[2].re), em.b.select(c, a[1].im, a[2].im))
    return em.b.select(c, a[1], a[2])


# complex numbers: NumPy's loops (straight products, Smith's division) and libm's complex functions
def _cmul(em, x, y):
    b = em.b
    return CVal(b.fsub(b.fmul(x.re, y.re), b.fmul(x.im, y.im)), b.fadd(b.fmul(x.re, y.im), b.fmul(x.im, y.re)))


def _cdiv(em, x, y):
    b = em.b
    fabs = lambda v: em.intr("llvm.fabs", [v])  # noqa: E731
    one = em.like(y.re, 1.0)
    abr, abi = fabs(y.re), fabs(y.im)
    rat1 = b.fdiv(y.im, y.re)
    scl1 = b.fdiv(one, b.fadd(y.re, b.fmul(y.im, rat1)))
    r1 = b.fmul(b.fadd(x.re, b.fmul(x.im, rat1)), scl1)
    i1 = b.fmul(b.fsub(x.im, b.fmul(x.re, rat1)), scl1)
    rat2 = b.fdiv(y.re, y.im)
    scl2 = b.fdiv(one, b.fadd(y.im, b.fmul(y.re, rat2)))
    r2 = b.fmul(b.fadd(b.fmul(x.re, rat2), x.im), scl2)
    i2 = b.fmul(b.fsub(b.fmul(x.im, rat2), x.re), scl2)
    zero = em.like(y.re, 0.0)
    both0 = b.and_(b.fcmp_ordered("==", abr, zero), b.fcmp_ordered("==", abi, zero))
    first = b.fcmp_ordered(">=", abr, abi)
    re = b.select(first, b.select(both0, b.fdiv(x.re, abr), r1), r2)
    im = b.select(first, b.select(both0, b.fdiv(x.im, abr), i1), i2)
    return CVal(re, im)


def _crecip(em, a, d, o):
    b = em.b
    (x,) = a
    one = em.like(x.re, 1.0)
    small_im = b.fcmp_ordered("<=", em.intr("llvm.fabs", [x.im]), em.intr("llvm.fabs", [x.re]))
    r1 = b.fdiv(x.im, x.re)
    d1 = b.fadd(x.re, b.fmul(x.im, r1))
    r2 = b.fdiv(x.re, x.im)
    d2 = b.fadd(b.fmul(x.re, r2), x.im)
    return CVal(b.select(small_im, b.fdiv(one, d1), b.fdiv(r2, d2)),
                b.select(small_im, b.fneg(b.fdiv(r1, d1)), b.fneg(b.fdiv(one, d2))))


def _cparts(fn):
    return lambda em, a, d, o: CVal(fn(em.b, a[0].re, a[1].re), fn(em.b, a[0].im, a[1].im))


def _clib(name):
    def rec(em, a, d, o):
        return complex_call(em.b, name, a[0])
    return rec


def _zero(em, a, d, o):
    return em.like(a[0], 0)


def _icmp(pred):
    signed = pred[0] == "s"
    op = {"lt": "<", "gt": ">", "le": "<=", "ge": ">=", "eq": "==", "ne": "!="}[pred.lstrip("su")]
    return _cmp_int(op, signed)


def _fcmp(pred):
    return _cmp_float({"olt": "<", "ogt": ">", "ole": "<=", "oge": ">=", "oeq": "==", "une": "!="}[pred])


def _wcmp(pred):
    return _cmp_mixed({"slt": "<", "sgt": ">", "sle": "<=", "sge": ">=", "eq": "==", "ne": "!="}[pred])


# recipe name -> recipe; the table's llvm column names these per (op, kind)
RECIPES = {
    "id": _first, "arg1": _second, "zero": _zero, "false": _false, "select": _switch,
    "or": _b("or_"), "and": _b("and_"), "xor": _b("xor"), "not": _invert_bool, "invert": _invert,
    "add": _b("add"), "sub": _b("sub"), "mul": _b("mul"), "neg": _neg_int, "sqr": _mul_self("mul"),
    "fadd": _b("fadd"), "fsub": _b("fsub"), "fmul": _b("fmul"), "fdiv": _b("fdiv"),
    "fneg": lambda em, a, d, o: em.b.fneg(a[0]), "fsqr": _mul_self("fmul"), "recip": _recip,
    "floordiv_s": _floordiv_int(True), "floordiv_u": _floordiv_int(False), "floordiv_f": _floordiv_float,
    "mod_s": _mod_int(True), "mod_u": _mod_int(False), "mod_f": _mod_float,
    "ipow_s": _ipow(True), "ipow_u": _ipow(False),
    "abs_s": _abs_int, "fabs": _fabs, "sgn_s": _sgn_int, "sgn_u": _sgn_uint, "sgn_f": _sgn_float,
    "max_s": _imax(True), "max_u": _imax(False),
    "max_f": lambda em, a, d, o: _max_nan(em, *a, first=d[0] == "float16"),
    "min_s": _imin(True), "min_u": _imin(False),
    "min_f": lambda em, a, d, o: _min_nan(em, *a, first=d[0] == "float16"),
    "clip_s": _iclip(True), "clip_u": _iclip(False), "clip_f": _fclip,
    "floor": _intr("llvm.floor"), "ceil": _intr("llvm.ceil"), "trunc": _intr("llvm.trunc"),
    "roundeven": _intr("llvm.roundeven"), "round_away": _round_away, "sqrt": _intr("llvm.sqrt"),
    "sigmoid": _sigmoid, "softplus": _softplus, "isnan": _isnan, "isinf": _isinf,
    "cadd": _cparts(lambda b, x, y: b.fadd(x, y)), "csub": _cparts(lambda b, x, y: b.fsub(x, y)),
    "cmul": lambda em, a, d, o: _cmul(em, *a), "csqr": lambda em, a, d, o: _cmul(em, a[0], a[0]),
    "cdiv": lambda em, a, d, o: _cdiv(em, *a), "crecip": _crecip,
    "cneg": lambda em, a, d, o: CVal(em.b.fneg(a[0].re), em.b.fneg(a[0].im)),
    "cconj": lambda em, a, d, o: CVal(a[0].re, em.b.fneg(a[0].im)),
    # real/imag keep the complex loop dtype (the table's 'same' rule); the lowering then casts to real
    "creal": lambda em, a, d, o: CVal(a[0].re, em.like(a[0].re, 0.0)),
    "cimag": lambda em, a, d, o: CVal(a[0].im, em.like(a[0].im, 0.0)),
    "cabs": lambda em, a, d, o: em.math("hypot", [a[0].re, a[0].im]),
    "ceq": lambda em, a, d, o: em.b.and_(em.b.fcmp_ordered("==", a[0].re, a[1].re),
                                         em.b.fcmp_ordered("==", a[0].im, a[1].im)),
    "cne": lambda em, a, d, o: em.b.or_(em.b.fcmp_unordered("!=", a[0].re, a[1].re),
                                        em.b.fcmp_unordered("!=", a[0].im, a[1].im)),
    "cisnan": lambda em, a, d, o: em.b.or_(_isnan(em, [a[0].re], d, o), _isnan(em, [a[0].im], d, o)),
    "cisinf": lambda em, a, d, o: em.b.or_(_isinf(em, [a[0].re], d, o), _isinf(em, [a[0].im], d, o)),
    "land": _logical(lambda b, x, y: b.and_(x, y)), "lor": _logical(lambda b, x, y: b.or_(x, y)),
    "lxor": _logical(lambda b, x, y: b.xor(x, y)), "lnot": _logical(lambda b, x: b.xor(x, const(x.type, 1))),
}


def complex_abi_ok():
    """libm's complex functions are called with the x86-64 System V convention only."""
    import platform

    return platform.machine() in ("x86_64", "AMD64")


def recipe(spec):
    """The recipe named ``spec``: a RECIPES key, 'libm.<fn>', 'helper.<fn>', 'icmp.<pred>',
    'fcmp.<pred>' or 'wcmp.<pred>' (signed/unsigned integers compared exactly in i128)."""
    r = RECIPES.get(spec)
    if r is not None:
        return r
    if spec in complex_ir.RECIPES:  # NumPy's complex formulas; some call libm's complex functions
        return complex_ir.RECIPES[spec] if spec not in complex_ir.LIBM_ABI or complex_abi_ok() else None
    family, _, arg = spec.partition(".")
    if family == "clib":
        return _clib(arg) if complex_abi_ok() else None
    if family == "libm":
        return _libm(arg)
    if family == "helper":
        return _gammaln if arg == "lgamma" else _via_double(arg)
    if family == "icmp":
        return _icmp(arg)
    if family == "fcmp":
        return _fcmp(arg)
    if family == "wcmp":
        return _wcmp(arg)
    raise KeyError(spec)


_cache: dict = {}
_plugin_recipes: dict = {}  # name -> digest of the code of a recipe a plugin registered


def register_recipe(name, fn, replace=False):
    """Add the recipe ``fn(em, args, dtypes, out)`` under ``name`` for a table row's llvm column to name.

    A different recipe under a known name raises ValueError unless ``replace``.
    The recipe's code is part of the object-cache key, so editing it recompiles.
    """
    if not callable(fn):
        raise TypeError(f"recipe {name!r} must be callable, got {type(fn).__name__}")
    known = RECIPES.get(name)
    if known is not None and known is not fn and not replace:
        raise ValueError(f"an LLVM recipe named {name!r} already exists; pass replace=True to change it")
    RECIPES[name] = fn
    _plugin_recipes[name] = _code_digest(fn)
    _cache.clear()


def _code_digest(fn):
    import hashlib
    import inspect

    try:
        text = inspect.getsource(inspect.getmodule(fn) or fn)
    except (OSError, TypeError):
        code = getattr(fn, "__code__", None)
        text = repr((code.co_code, code.co_consts)) if code is not None else repr(fn)
    return hashlib.sha256(f"{getattr(fn, '__qualname__', '')}\0{text}".encode()).hexdigest()[:16]


def fingerprint():
    """A digest of the plugins' recipes and table rows: part of every LLVM cache key."""
    from arignote.backends import scalar_table

    return scalar_table.fingerprint() + ":" + repr(sorted(_plugin_recipes.items()))


def lookup(name, k):
    """The recipe rendering scalar op ``name`` on kind ``k`` (from the table's llvm column), or None."""
    key = (name, k)
    if key not in _cache:
        from arignote.backends.scalar_table import row_of

        row = row_of(name)
        spec = row.template("llvm", k) if row is not None else None
        _cache[key] = recipe(spec) if spec is not None else None  # None: this platform lacks it
    return _cache[key]


def renderable(name, k):
    """Does the LLVM column render op ``name`` on inputs of kind ``k``?"""
    return lookup(name, k) is not None


def _register_listener():
    from arignote.backends import scalar_table

    scalar_table._listeners.append(_cache.clear)


_register_listener()
