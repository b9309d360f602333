"""NumPy's complex pow, sign, exp2, expm1, log2, log10, log1p and rint as IR recipes.

Each follows NumPy's own formula (funcs.inc.src, npy_math_complex.c and the sign loop), so the
results agree with NumPy's, the special values included: exp2/log2/log10 scale libm's cexp/clog,
expm1 and log1p are written with real libm functions as NumPy writes them, sign is z/|z| with
NumPy's answers at 0, nan and infinity, rint rounds each part.  pow is NumPy's npy_cpow: 1 for a
zero exponent, 0 or nan for a zero base, repeated products for an integral real exponent below
100 in size, else libm's cpow; it branches, so it is a helper function called lane by lane.
"""
from __future__ import annotations

import math

from llvmlite import ir

from .irtypes import F32, F64, I64, CVal, declare, lanes_of
from .vmath import complex_call, scalar_call, scalarize

# NumPy's NPY_LOGE2, NPY_LOG2E, NPY_LOG10E
LN2 = float("0.693147180559945309417232121458176568")
LOG2E = float("1.442695040888963407359924681001892137")
LOG10E = float("0.434294481903251827651128918916605082")


def _scale(em, z, k):
    return CVal(em.b.fmul(z.re, em.like(z.re, k)), em.b.fmul(z.im, em.like(z.im, k)))


def _libm(em, name, args):
    """Scalar libm ``name`` lane by lane, as NumPy's complex loops call it (not libmvec's variants,
    whose last bits differ): the results are NumPy's to the bit."""
    if lanes_of(args[0].type) is None:
        return scalar_call(em.b, name, args)
    return scalarize(em.b, lambda b, xs: scalar_call(b, name, xs), args)


def _clib(em, name, z):
    return complex_call(em.b, name, z)


def _cexp2(em, a, d, o):
    return _clib(em, "exp", _scale(em, a[0], LN2))


def _clog_scaled(k):
    return lambda em, a, d, o: _scale(em, _clib(em, "log", a[0]), k)


def _cexpm1(em, a, d, o):
    b, (z,) = em.b, a
    h = _libm(em, "sin", [b.fdiv(z.im, em.like(z.im, 2.0))])
    two_h2 = b.fmul(b.fmul(em.like(h, 2.0), h), h)
    re = b.fsub(b.fmul(_libm(em, "expm1", [z.re]), _libm(em, "cos", [z.im])), two_h2)
    return CVal(re, b.fmul(_libm(em, "exp", [z.re]), _libm(em, "sin", [z.im])))


def _clog1p(em, a, d, o):
    b, (z,) = em.b, a
    x = b.fadd(z.re, em.like(z.re, 1.0))
    return CVal(_libm(em, "log", [_libm(em, "hypot", [x, z.im])]), _libm(em, "atan2", [z.im, x]))


def _crint(em, a, d, o):
    (z,) = a
    return CVal(em.intr("llvm.roundeven", [z.re]), em.intr("llvm.roundeven", [z.im]))


def _csgn(em, a, d, o):
    b, (z,) = em.b, a
    one, zero, nan = em.like(z.re, 1.0), em.like(z.re, 0.0), em.like(z.re, math.nan)
    inf = em.like(z.re, math.inf)
    h = _libm(em, "hypot", [z.re, z.im])
    h_nan = b.fcmp_unordered("uno", h, h)
    h_inf = b.fcmp_ordered("==", h, inf)
    re_inf = b.fcmp_ordered("==", em.intr("llvm.fabs", [z.re]), inf)
    im_inf = b.fcmp_ordered("==", em.intr("llvm.fabs", [z.im]), inf)
    unit = lambda v: b.select(b.fcmp_ordered(">", v, zero), one, b.fneg(one))  # noqa: E731
    # |z| infinite: +-1 along the infinite part, nan when both are
    inf_re = b.select(re_inf, b.select(im_inf, nan, unit(z.re)), zero)
    inf_im = b.select(re_inf, b.select(im_inf, nan, zero), unit(z.im))
    h0 = b.fcmp_ordered("==", h, zero)
    re = b.select(h0, zero, b.fdiv(z.re, h))
    im = b.select(h0, zero, b.fdiv(z.im, h))
    re, im = b.select(h_inf, inf_re, re), b.select(h_inf, inf_im, im)
    return CVal(b.select(h_nan, nan, re), b.select(h_nan, nan, im))


# ------------------------------------------------------------------- pow


def _cpow(em, a, d, o):
    x, y = a
    n = lanes_of(x.type)
    b = em.b
    if n is None:
        return _cpow_scalar(em, x, y)
    i32 = ir.IntType(32)
    re = ir.Constant(x.re.type, ir.Undefined)
    im = ir.Constant(x.im.type, ir.Undefined)
    for k in range(n):
        idx = ir.Constant(i32, k)
        part = lambda v: b.extract_element(v, idx)  # noqa: E731
        r = _cpow_scalar(em, CVal(part(x.re), part(x.im)), CVal(part(y.re), part(y.im)))
        re, im = b.insert_element(re, r.re, idx), b.insert_element(im, r.im, idx)
    return CVal(re, im)


def _cpow_scalar(em, x, y):
    ty = x.re.type
    fn = _cpow_function(em.b.module, ty)
    r = em.b.call(fn, [x.re, x.im, y.re, y.im])
    return CVal(em.b.extract_value(r, 0), em.b.extract_value(r, 1))


def _cpow_function(module, ty):
    sym = f"arignote.cpow.{ty}"
    fn = module.globals.get(sym)
    if fn is not None:
        return fn
    from .scalar_ir import Emitter, _cmul

    pair = ir.LiteralStructType([ty, ty])
    fn = ir.Function(module, ir.FunctionType(pair, [ty] * 4), sym)
    fn.linkage = "internal"
    fn.attributes.add("nounwind")
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    em = Emitter(b, None)
    ar, ai, br, bi = fn.args
    c = lambda v: ir.Constant(ty, v)  # noqa: E731

    def ret(z):
        b.ret(b.insert_value(b.insert_value(ir.Constant(pair, ir.Undefined), z.re, 0), z.im, 1))

    def ret_if(cond, z):
        with b.if_then(cond):
            ret(z)

    eq = lambda u, v: b.fcmp_ordered("==", u, v)  # noqa: E731
    a = CVal(ar, ai)
    ret_if(b.and_(eq(br, c(0.0)), eq(bi, c(0.0))), CVal(c(1.0), c(0.0)))
    zero_base = b.and_(eq(ar, c(0.0)), eq(ai, c(0.0)))
    pos = b.fcmp_ordered(">", br, c(0.0))
    ret_if(zero_base, CVal(b.select(pos, c(0.0), c(math.nan)), b.select(pos, c(0.0), c(math.nan))))
    small = b.and_(b.fcmp_ordered(">", br, c(-100.0)), b.fcmp_ordered("<", br, c(100.0)))
    safe = b.select(small, br, c(0.0))
    nint = b.fptosi(safe, I64)
    integral = b.and_(b.and_(eq(bi, c(0.0)), small), eq(b.sitofp(nint, ty), br))
    int_bb, general = fn.append_basic_block("pow.int"), fn.append_basic_block("pow.general")
    b.cbranch(integral, int_bb, general)
    b.position_at_end(int_bb)
    ieq = lambda v: b.icmp_signed("==", nint, ir.Constant(I64, v))  # noqa: E731
    ret_if(ieq(1), a)
    sq = _cmul(em, a, a)
    ret_if(ieq(2), sq)
    ret_if(ieq(3), _cmul(em, a, sq))
    _int_power(b, em, fn, a, nint, br, ty, ret)
    b.position_at_end(general)
    ret(_libm_cpow(b, a, CVal(br, bi), ty))
    return fn


def _int_power(b, em, fn, a, nint, br, ty, ret):
    """NumPy's binary powering for |n| < 100: acc *= p for each set bit, p *= p; 1/acc for n < 0."""
    from .scalar_ir import _cdiv, _cmul

    c = lambda v: ir.Constant(ty, v)  # noqa: E731
    m = b.select(b.icmp_signed("<", nint, ir.Constant(I64, 0)), b.neg(nint), nint)
    head, body, done = (fn.append_basic_block(s) for s in ("pow.head", "pow.body", "pow.done"))
    start = b.block
    b.branch(head)
    b.position_at_end(head)
    acc_re, acc_im = b.phi(ty), b.phi(ty)
    p_re, p_im = b.phi(ty), b.phi(ty)
    mask = b.phi(I64)
    for phi, v in ((acc_re, c(1.0)), (acc_im, c(0.0)), (p_re, a.re), (p_im, a.im), (mask, ir.Constant(I64, 1))):
        phi.add_incoming(v, start)
    bit = b.icmp_signed("!=", b.and_(m, mask), ir.Constant(I64, 0))
    prod = _cmul(em, CVal(acc_re, acc_im), CVal(p_re, p_im))
    acc = CVal(b.select(bit, prod.re, acc_re), b.select(bit, prod.im, acc_im))
    nmask = b.shl(mask, ir.Constant(I64, 1))
    b.cbranch(b.icmp_signed("<", m, nmask), done, body)
    b.position_at_end(body)
    p2 = _cmul(em, CVal(p_re, p_im), CVal(p_re, p_im))
    for phi, v in ((acc_re, acc.re), (acc_im, acc.im), (p_re, p2.re), (p_im, p2.im), (mask, nmask)):
        phi.add_incoming(v, body)
    b.branch(head)
    b.position_at_end(done)
    neg = b.fcmp_ordered("<", br, c(0.0))
    inv = _cdiv(em, CVal(c(1.0), c(0.0)), acc)
    ret(CVal(b.select(neg, inv.re, acc.re), b.select(neg, inv.im, acc.im)))


def _libm_cpow(b, x, y, ty):
    """libm's cpow/cpowf with the x86-64 System V convention (complex_call's)."""
    if ty == F64:
        f = declare(b.module, "cpow", ir.LiteralStructType([F64, F64]), [F64] * 4)
        f.attributes.add("nounwind")
        r = b.call(f, [x.re, x.im, y.re, y.im])
        return CVal(b.extract_value(r, 0), b.extract_value(r, 1))
    v2 = ir.VectorType(F32, 2)
    i32 = ir.IntType(32)

    def pack(z):
        v = b.insert_element(ir.Constant(v2, ir.Undefined), z.re, ir.Constant(i32, 0))
        return b.insert_element(v, z.im, ir.Constant(i32, 1))

    f = declare(b.module, "cpowf", v2, [v2, v2])
    f.attributes.add("nounwind")
    r = b.call(f, [pack(x), pack(y)])
    return CVal(b.extract_element(r, ir.Constant(i32, 0)), b.extract_element(r, ir.Constant(i32, 1)))


#: recipe name -> recipe (registered in scalar_ir.RECIPES)
RECIPES = {"cpow": _cpow, "csgn": _csgn, "cexp2": _cexp2, "cexpm1": _cexpm1, "clog2": _clog_scaled(LOG2E),
           "clog10": _clog_scaled(LOG10E), "clog1p": _clog1p, "crint": _crint}
#: the recipes that call libm's complex functions (x86-64 System V convention only)
LIBM_ABI = frozenset(("cpow", "cexp2", "clog2", "clog10"))
