"""Elementwise math functions, casts, reductions and their tensor-level helpers."""
from __future__ import annotations

import sys

import numpy as np

from .. import scalar as ps
from .elemwise import DimShuffle, Elemwise
from .variable import as_tensor_variable, constant

# ------------------------------------------------------------ elementwise ops

# one Elemwise function per public scalar op: adding an op to arignote.scalar adds it here
_ELEMWISE = {name: Elemwise(op) for name, op in ps.all_scalar_ops().items() if op.public}
globals().update(_ELEMWISE)

# Theano / NumPy aliases
abs_ = abs = _ELEMWISE["abs"]
floor_div = int_div
div = true_div
true_divide = true_div
power = pow
where = switch
digamma = psi
sign = sgn
square = sqr
bitwise_and, bitwise_or, bitwise_xor, bitwise_not = and_, or_, xor, invert
not_equal = neq
equal = eq
less, greater, less_equal, greater_equal = lt, gt, le, ge
arccosh, arcsinh, arctanh = arccosh, arcsinh, arctanh
expit = sigmoid
fill = second
inv = reciprocal
gamma_ln = gammaln
polygamma1 = tri_gamma


def elemwise(name):
    """The Elemwise op of a registered scalar op name."""
    if name not in _ELEMWISE:
        _ELEMWISE[name] = Elemwise(ps.get_scalar_op(name))
    return _ELEMWISE[name]


def __getattr__(name):
    # a public scalar op registered after this module was imported (a plugin's) is exported too
    op = ps.all_scalar_ops().get(name)
    if op is not None and op.public:
        return elemwise(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def clip(x, a_min, a_max):
    """Limit x to [a_min, a_max] (the result keeps x's dtype)."""
    from .elemwise import weak_convert

    x = as_tensor_variable(x)
    _, lo, hi = weak_convert([x, a_min, a_max], "clip")
    return elemwise("clip")(x, cast(lo, x.dtype) if lo.dtype != x.dtype else lo,
                             cast(hi, x.dtype) if hi.dtype != x.dtype else hi)


def round(a, mode=None):
    """Round to the nearest integer; mode 'half_to_even' (NumPy's, default) or 'half_away_from_zero'."""
    mode = mode or "half_to_even"
    if mode == "half_to_even":
        return round_half_to_even(a)
    if mode == "half_away_from_zero":
        return round_half_away_from_zero(a)
    raise ValueError(f"round: unknown mode {mode!r} (use 'half_to_even' or 'half_away_from_zero')")


def cast(x, dtype):
    """Convert x to ``dtype`` (a no-op when it already has it)."""
    x = as_tensor_variable(x)
    if dtype == "floatX":
        from ..config import config

        dtype = config.floatX
    dtype = np.dtype(dtype).name
    if x.dtype == dtype:
        return x
    if x.dtype.startswith("complex") and not dtype.startswith("complex"):
        raise TypeError(f"casting complex {x} to {dtype} would drop the imaginary part; use real() or abs()")
    return elemwise_cast(dtype)(x)


def elemwise_cast(dtype):
    name = f"cast_{dtype}"
    if name not in _ELEMWISE:
        _ELEMWISE[name] = Elemwise(ps.cast_op(dtype))  # Theano's name: Elemwise{Cast{float32}}
    return _ELEMWISE[name]


def relu(x, alpha=0):
    """max(x, 0), or a leaky variant with slope ``alpha`` below 0."""
    x = as_tensor_variable(x)
    if alpha == 0:
        return maximum(x, 0)
    return switch(gt(x, 0), x, alpha * x)


def zeros_like(x, dtype=None):
    x = as_tensor_variable(x)
    return second(x, constant(np.zeros((), dtype=dtype or x.dtype)))


def ones_like(x, dtype=None):
    x = as_tensor_variable(x)
    return second(x, constant(np.ones((), dtype=dtype or x.dtype)))


def sum_to_broadcast(g, like):
    """Sum ``g`` over the axes along which ``like`` was broadcast, to ``like``'s pattern."""
    axes = [i for i, (b, gb) in enumerate(zip(like.type.broadcastable, g.type.broadcastable)) if b and not gb]
    if axes:
        g = sum(g, axis=axes, keepdims=True)
    if g.dtype != like.dtype and like.dtype.startswith(("float", "complex")):
        g = cast(g, like.dtype)
    return g


# ------------------------------------------------------------------ reductions
from .reduction import (  # noqa: E402
    all, any, argmax, argmin, logsumexp, max, max_and_argmax, mean, min, prod, std, sum, var, cumsum, cumprod,
)

# ------------------------------------------------------------- linear algebra
from .linalg import dot, matmul, outer, tensordot, batched_dot  # noqa: E402,F401

__all__ = [n for n in dir() if not n.startswith("_")]

ps.use_math(sys.modules[__name__])
