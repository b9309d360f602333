"""Scalar helper functions written in IR, defined once per module on first use.

Special functions NumPy takes from SciPy (digamma, trigamma, erfinv), libm's
lgamma with SciPy's value at -inf, and integer powers with NumPy's error
for negative exponents.  A vector argument calls the helper lane by lane.
"""
from __future__ import annotations

import math

from llvmlite import ir

from .irtypes import F64, I1, I32, call_intrinsic, const, lanes_of
from .vmath import scalar_call, scalarize


def call(em, name, args, err=False):
    """Call helper ``name`` on scalar or vector ``args`` (``err``: it takes the kernel's error flag)."""
    if lanes_of(args[0].type) is not None:
        return scalarize(em.b, lambda b, xs: _call_scalar(b, em, name, xs, err), args)
    return _call_scalar(em.b, em, name, args, err)


def _call_scalar(builder, em, name, args, err):
    fn = _get(builder.module, name, args[0].type)
    extra = [em.err] if err else []
    return builder.call(fn, list(args) + extra)


def _get(module, name, ty):
    sym = f"arignote.{name}.{_tname(ty)}"
    fn = module.globals.get(sym)
    if fn is None:
        fn = _BUILDERS[name](module, sym, ty)
        fn.linkage = "internal"
    return fn


def _tname(ty):
    return str(ty).replace(" ", "")


class _Fn:
    """A function under construction with mutable local variables (allocas, cleaned up by SROA)."""

    def __init__(self, module, sym, ret, args):
        self.fn = ir.Function(module, ir.FunctionType(ret, args), sym)
        self.fn.attributes.add("nounwind")
        self.entry = self.fn.append_basic_block("entry")
        self.b = ir.IRBuilder(self.entry)

    def var(self, value):
        with self.b.goto_block(self.entry):
            self.b.position_at_start(self.entry)
            p = self.b.alloca(value.type)
        self.b.store(value, p)
        return p

    def ret_if(self, cond, value):
        with self.b.if_then(cond):
            self.b.ret(value)

    def loop_while(self, cond_fn, body_fn):
        b = self.b
        head = self.fn.append_basic_block("while.head")
        body = self.fn.append_basic_block("while.body")
        done = self.fn.append_basic_block("while.done")
        b.branch(head)
        b.position_at_end(head)
        b.cbranch(cond_fn(), body, done)
        b.position_at_end(body)
        body_fn()
        b.branch(head)
        b.position_at_end(done)


def _c(v):
    return ir.Constant(F64, v)


def _poly(b, x, coeffs):
    """Horner: coeffs from the highest power down."""
    acc = _c(coeffs[0])
    for c in coeffs[1:]:
        acc = b.fadd(b.fmul(acc, x), _c(c))
    return acc


def _is_nonpos_int(b, x):
    return b.and_(b.fcmp_ordered("<=", x, _c(0.0)), b.fcmp_ordered("==", x, call_intrinsic(b, "llvm.floor", [x])))


def _digamma(module, sym, ty):
    f = _Fn(module, sym, F64, [F64])
    b = f.b
    (x0,) = f.fn.args
    f.ret_if(b.fcmp_ordered("==", x0, _c(0.0)), b.fdiv(_c(-1.0), x0))  # -inf at +0, +inf at -0
    f.ret_if(b.fcmp_unordered("uno", x0, x0), x0)
    f.ret_if(b.fcmp_ordered("==", x0, _c(math.inf)), x0)
    f.ret_if(_is_nonpos_int(b, x0), _c(math.nan))  # includes -inf
    res = f.var(_c(0.0))
    x = f.var(x0)
    with b.if_then(b.fcmp_ordered("<", x0, _c(0.0))):  # reflection: psi(1-x) - pi/tan(pi x)
        t = scalar_call(b, "tan", [b.fmul(_c(math.pi), x0)])
        b.store(b.fneg(b.fdiv(_c(math.pi), t)), res)
        b.store(b.fsub(_c(1.0), x0), x)

    def body():
        xv = b.load(x)
        b.store(b.fsub(b.load(res), b.fdiv(_c(1.0), xv)), res)
        b.store(b.fadd(xv, _c(1.0)), x)

    f.loop_while(lambda: b.fcmp_ordered("<", b.load(x), _c(10.0)), body)
    xv = b.load(x)
    z = b.fdiv(_c(1.0), b.fmul(xv, xv))
    tail = b.fmul(z, _poly(b, z, [-1 / 12, 691 / 32760, -1 / 132, 1 / 240, -1 / 252, 1 / 120, -1 / 12]))
    r = b.fadd(b.load(res), b.fsub(scalar_call(b, "log", [xv]), b.fdiv(_c(0.5), xv)))
    b.ret(b.fadd(r, tail))
    return f.fn


def _trigamma(module, sym, ty):
    f = _Fn(module, sym, F64, [F64])
    b = f.b
    (x0,) = f.fn.args
    f.ret_if(b.fcmp_unordered("uno", x0, x0), x0)
    f.ret_if(_is_nonpos_int(b, x0), _c(math.inf))  # poles (and -inf, as SciPy)
    res = f.var(_c(0.0))
    x = f.var(x0)
    sign = f.var(_c(1.0))
    with b.if_then(b.fcmp_ordered("<", x0, _c(0.0))):  # reflection: -psi1(1-x) + (pi/sin(pi x))^2
        s = b.fdiv(_c(math.pi), scalar_call(b, "sin", [b.fmul(_c(math.pi), x0)]))
        b.store(b.fmul(s, s), res)
        b.store(_c(-1.0), sign)
        b.store(b.fsub(_c(1.0), x0), x)
    acc = f.var(_c(0.0))

    def body():
        xv = b.load(x)
        b.store(b.fadd(b.load(acc), b.fdiv(_c(1.0), b.fmul(xv, xv))), acc)
        b.store(b.fadd(xv, _c(1.0)), x)

    f.loop_while(lambda: b.fcmp_ordered("<", b.load(x), _c(10.0)), body)
    xv = b.load(x)
    inv = b.fdiv(_c(1.0), xv)
    z = b.fmul(inv, inv)
    series = b.fmul(b.fmul(z, inv), _poly(b, z, [7 / 6, -691 / 2730, 5 / 66, -1 / 30, 1 / 42, -1 / 30, 1 / 6]))
    val = b.fadd(b.load(acc), b.fadd(inv, b.fadd(b.fmul(z, _c(0.5)), series)))
    b.ret(b.fadd(b.load(res), b.fmul(b.load(sign), val)))
    return f.fn


_GILES_SMALL = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
                -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
_GILES_LARGE = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
                -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)


def _erfinv(module, sym, ty):
    """Giles' single-precision start, then Newton steps on erf (|y| < 0.5) or erfc (tails)."""
    f = _Fn(module, sym, F64, [F64])
    b = f.b
    (y,) = f.fn.args
    a = call_intrinsic(b, "llvm.fabs", [y])
    f.ret_if(b.fcmp_unordered(">", a, _c(1.0)), _c(math.nan))  # nan or |y| > 1
    f.ret_if(b.fcmp_ordered("==", a, _c(1.0)), call_intrinsic(b, "llvm.copysign", [_c(math.inf), y]))
    f.ret_if(b.fcmp_ordered("==", a, _c(0.0)), _c(0.0))  # SciPy's erfinv(-0.0) is +0.0
    w = b.fneg(scalar_call(b, "log", [b.fmul(b.fsub(_c(1.0), a), b.fadd(_c(1.0), a))]))
    small = b.fcmp_ordered("<", w, _c(5.0))
    p_small = _poly(b, b.fsub(w, _c(2.5)), _GILES_SMALL)
    p_large = _poly(b, b.fsub(call_intrinsic(b, "llvm.sqrt", [w]), _c(3.0)), _GILES_LARGE)
    x = b.fmul(b.select(small, p_small, p_large), a)
    tail = b.fcmp_ordered(">=", a, _c(0.5))
    c = b.fsub(_c(1.0), a)  # exact for a >= 0.5
    k = 2.0 / math.sqrt(math.pi)
    for _ in range(3):
        deriv = b.fmul(_c(k), scalar_call(b, "exp", [b.fneg(b.fmul(x, x))]))
        e_head = b.fsub(scalar_call(b, "erf", [x]), a)
        e_tail = b.fsub(c, scalar_call(b, "erfc", [x]))
        step = b.fdiv(b.select(tail, e_tail, e_head), deriv)
        x = b.fsub(x, step)
    b.ret(call_intrinsic(b, "llvm.copysign", [x, y]))
    return f.fn


def _lgamma(module, sym, ty):
    f = _Fn(module, sym, F64, [F64])
    b = f.b
    (x,) = f.fn.args
    f.ret_if(b.fcmp_ordered("==", x, _c(-math.inf)), x)  # SciPy's gammaln(-inf) is -inf
    tiny = b.fcmp_ordered("<", call_intrinsic(b, "llvm.fabs", [x]), _c(1 / 1.7976931348623157e308))
    f.ret_if(tiny, _c(math.inf))  # SciPy (cephes) overflows 1/x to inf for subnormal x
    b.ret(scalar_call(b, "lgamma", [x]))
    return f.fn


def _ipow(signed):
    def build(module, sym, ty):
        f = _Fn(module, sym, ty, [ty, ty, I32.as_pointer()])
        b = f.b
        base0, exp0, err = f.fn.args
        zero = const(ty, 0)
        if signed:
            with b.if_then(b.icmp_signed("<", exp0, zero)):
                b.store(ir.Constant(I32, 1), err)
                b.ret(zero)
        r = f.var(const(ty, 1))
        base = f.var(base0)
        e = f.var(exp0)

        def body():
            ev = b.load(e)
            odd = b.trunc(ev, I1)
            rv = b.load(r)
            b.store(b.select(odd, b.mul(rv, b.load(base)), rv), r)
            bv = b.load(base)
            b.store(b.mul(bv, bv), base)
            b.store(b.lshr(ev, const(ty, 1)), e)

        f.loop_while(lambda: b.icmp_unsigned("!=", b.load(e), zero), body)
        b.ret(b.load(r))
        return f.fn

    return build


def _ipow_s(module, sym, ty):
    return _ipow(True)(module, sym, ty)


def _ipow_u(module, sym, ty):
    return _ipow(False)(module, sym, ty)


_BUILDERS = {
    "digamma": _digamma,
    "trigamma": _trigamma,
    "erfinv": _erfinv,
    "lgamma": _lgamma,
    "ipow_s": _ipow_s,
    "ipow_u": _ipow_u,
}
