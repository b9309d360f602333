"""NumPy dtypes as LLVM IR types, constants and intrinsic declarations.

In registers a bool is ``i1``; in memory it is one byte (``i8``), as in NumPy.
float16 values are ``half`` and are computed in float32 (as NumPy's loops do).
A complex value is a ``CVal``: its real and imaginary parts as two values
(two vectors in a vector loop); in memory the parts are interleaved.
"""
from __future__ import annotations

import numpy as np
from llvmlite import ir

I1 = ir.IntType(1)
I8 = ir.IntType(8)
I32 = ir.IntType(32)
I64 = ir.IntType(64)
F16 = ir.HalfType()
F32 = ir.FloatType()
F64 = ir.DoubleType()
VOID = ir.VoidType()
I8P = I8.as_pointer()
I64P = I64.as_pointer()

_SCALAR = {
    "bool": I1, "int8": I8, "uint8": I8, "int16": ir.IntType(16), "uint16": ir.IntType(16),
    "int32": I32, "uint32": I32, "int64": I64, "uint64": I64,
    "float16": F16, "float32": F32, "float64": F64,
}

DTYPES = tuple(_SCALAR) + ("complex64", "complex128")
COMPONENT = {"complex64": "float32", "complex128": "float64"}


class CVal:
    """A complex value in registers: ``re`` and ``im`` of the component type."""

    __slots__ = ("re", "im")

    def __init__(self, re, im):
        self.re, self.im = re, im

    @property
    def type(self):
        return self.re.type


def is_complex(dtype):
    return dtype in COMPONENT


def reg_type(dtype):
    """The register type of one element of ``dtype`` (of each part, for complex)."""
    if dtype in COMPONENT:
        dtype = COMPONENT[dtype]
    try:
        return _SCALAR[dtype]
    except KeyError:
        raise NotImplementedError(f"dtype {dtype} has no LLVM rendering") from None


def mem_type(dtype):
    """The in-memory type of one element (bool is a byte)."""
    return I8 if dtype == "bool" else reg_type(dtype)


def itemsize(dtype):
    return np.dtype(dtype).itemsize


def kind(dtype):
    return np.dtype(dtype).kind


def vec(ty, lanes):
    """``ty`` itself when ``lanes`` is None, else the vector <lanes x ty>."""
    return ty if lanes is None else ir.VectorType(ty, lanes)


def elem(ty):
    """The element type of a scalar-or-vector type."""
    return ty.element if isinstance(ty, ir.VectorType) else ty


def lanes_of(ty):
    return ty.count if isinstance(ty, ir.VectorType) else None


def const(ty, value):
    """A constant of the scalar-or-vector type ``ty`` (a vector is a splat)."""
    e = elem(ty)
    if isinstance(e, ir.IntType):
        v = int(value) & ((1 << e.width) - 1)
    else:
        v = float(value)
    if isinstance(ty, ir.VectorType):
        return ir.Constant(ty, [ir.Constant(e, v)] * ty.count)
    return ir.Constant(ty, v)


def literal(value, dtype, lanes=None):
    """A NumPy scalar as an IR constant in registers (bool as i1, complex as a CVal)."""
    a = np.asarray(value, dtype=dtype)[()]
    if dtype in COMPONENT:
        return CVal(literal(a.real, COMPONENT[dtype], lanes), literal(a.imag, COMPONENT[dtype], lanes))
    ty = vec(reg_type(dtype), lanes)
    if dtype == "bool":
        return const(ty, int(bool(a)))
    if kind(dtype) == "f":
        return const(ty, float(a))
    return const(ty, int(a))


def intrinsic_name(base, ty):
    """The overloaded intrinsic name, e.g. llvm.floor.v8f64 / llvm.fabs.f32."""
    return f"{base}.{type_suffix(ty)}"


def type_suffix(ty):
    e = elem(ty)
    if isinstance(e, ir.IntType):
        s = f"i{e.width}"
    elif isinstance(e, ir.HalfType):
        s = "f16"
    elif isinstance(e, ir.FloatType):
        s = "f32"
    else:
        s = "f64"
    return f"v{ty.count}{s}" if isinstance(ty, ir.VectorType) else s


def declare(module, name, ret, args, var_arg=False):
    """The function ``name`` of ``module``, declared on first use."""
    fn = module.globals.get(name)
    if fn is None:
        fn = ir.Function(module, ir.FunctionType(ret, list(args), var_arg=var_arg), name)
    return fn


def call_intrinsic(builder, base, args, ret=None):
    """Call an overloaded LLVM intrinsic on values of one type (the type of args[0])."""
    ty = args[0].type
    fn = declare(builder.module, intrinsic_name(base, ty), ret or ty, [a.type for a in args])
    return builder.call(fn, list(args))
