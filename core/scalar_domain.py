"""The conformance domain of an elementwise op: the inputs its conformance cases draw from.

A scalar op's row (``ScalarOp(..., conformance=ConformanceDomain(...))`` in arignote.scalar)
carries it, so one row says what an op computes and on which inputs every backend must agree
with NumPy; the conformance suite's ``Elementwise`` declaration (arignote.conformance) is this
record plus the code that expands it into cases.  This module imports nothing from arignote.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

FLOATS = F = ("float64", "float32")
FI = ("float64", "float32", "int64")
FLOAT_EXTRA = ("float16", "int64", "int8")
INT_EXTRA = ("int8", "uint8", "int32", ("int32", "float32"), "float16")
# the complex forms of ops NumPy defines on complex (pow, sign, exp2, log1p, rint, ...)
CX = ("complex128",)
CX_EXTRA = ("complex64",)
SPECIAL_RTOL = {"float64": 1e-9, "float32": 1e-5}

# Bounds for ``ulps`` (float results compared by ulps alone, see arignote.conformance.compare):
EXACT = 0  # IEEE-754 correctly rounded (+ - * / sqrt) or exact (neg, abs, max/min, rounding, selection)
# glibc's libmvec (which the c and llvm backends call for vectors) is documented accurate to 4 ulps for
# every vector function; NumPy's own loops and libm are within 1 ulp of the true value on these inputs,
# so two correct implementations may differ by 4 + 1.
LIBMVEC = 5


@dataclass
class ConformanceDomain:
    """The samples of an elementwise op of ``nin`` inputs (None: the op's own arity, 2 for a
    variadic one).

    ``dtypes`` (quick level) and ``extra_dtypes`` (full level) are dtype names
    or per-input tuples; ``domain`` is the range of random values (one pair,
    or one per input); ``nonzero`` lists integer inputs that must not be 0
    (divisors); ``extremes`` adds integer min/max to the edge values;
    ``grad`` adds float64 gradient cases drawn from ``grad_domain``; ``small``
    adds a case of tiny arguments (±1e-1 down to subnormals).  ``ulps`` (one
    number or a dict per dtype) compares float results by ulps alone (no
    relative tolerance): 0 for correctly rounded ops, the math library's
    documented bound for the others; None keeps the dtype's relative tolerance.
    ``fuzz`` False keeps the op out of the random-graph fuzzer; ``fuzz_kinds``
    are the input dtype kinds it accepts there; ``discontinuous`` ops (e.g.
    comparisons, floor) get exactly-known operands only; ``exact`` ops give
    bit-identical results for identical inputs on every backend.
    """

    nin: int | None = None
    dtypes: Sequence[Any] = FLOATS
    extra_dtypes: Sequence[Any] = ()
    domain: Any = (-3.0, 3.0)
    nonzero: Sequence[int] = ()
    extremes: bool = False
    edge: bool = True
    grad: bool = True
    grad_domain: Any = None
    rtol: float | None = None
    atol: float | None = None
    ulps: Any = None
    small: bool = False
    fuzz: bool = True
    fuzz_kinds: str = "f"
    discontinuous: bool = False
    exact: bool = False
    exact_args: Sequence[int] | None = None
