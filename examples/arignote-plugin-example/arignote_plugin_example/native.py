"""C and LLVM renderings of swish for arignote's compiled backends.

Both backends render fused elementwise loops from one table of scalar-op
renderings (``arignote.backends.scalar_table.TABLE``, keyed by the scalar op's
name; ``scalar_table.register`` adds a row).  A row names how NumPy picks the loop dtypes ('float_same': real floats,
computed in their own dtype) and, per input kind, a C expression template and
an LLVM recipe (a function emitting IR, found by name in
``arignote.backends.llvm.scalar_ir.RECIPES``, added with ``register_recipe``).  Without a row a swish node still
runs everywhere: the backends call its NumPy ``perform``.
"""
from __future__ import annotations

import warnings

# {0}: the argument (a C variable or literal); {F}: 'f' for float32/float16 math, '' for double;
# {T}: the C type of the result.  swish(-inf) is -0, as in the NumPy reference.
C_TEMPLATE = "((isinf({0}) && ({0}) < 0) ? ({T})-0.0 : ({0}) / (({T})1 + exp{F}(-({0}))))"
LLVM_RECIPE = "example.swish"


def llvm_swish(em, args, dtypes, out):
    """Emit swish(x) = x / (1 + exp(-x)) with ``em`` (the LLVM backend's scalar emitter);
    works on scalars and on vectors of lanes alike (a select, no branch)."""
    (x,) = args
    b = em.b
    quotient = b.fdiv(x, b.fadd(em.like(x, 1.0), em.math("exp", [b.fneg(x)])))
    minus_inf = b.fcmp_ordered("==", x, em.like(x, float("-inf")))
    return b.select(minus_inf, em.like(x, -0.0), quotient)


def register():
    """Add swish's row to the backends' rendering table; returns the backends that got it."""
    try:
        from arignote.backends import scalar_table
    except ImportError:  # an arignote without compiled backends
        return []
    got = []
    try:
        from arignote.backends.llvm import scalar_ir

        if scalar_ir.RECIPES.get(LLVM_RECIPE) is None:
            scalar_ir.register_recipe(LLVM_RECIPE, llvm_swish)
        got.append("llvm")
    except ImportError:  # llvmlite is missing: the llvm backend is unavailable anyway
        pass
    row = scalar_table.Rendering("swish", "float_same", c={"f": C_TEMPLATE},
                                 llvm={"f": LLVM_RECIPE} if got else None)
    try:
        scalar_table.register(row)
    except ValueError:
        warnings.warn("arignote-plugin-example: another plugin already renders a scalar op named 'swish'; "
                      "keeping it", stacklevel=2)
        return []
    return ["c"] + got
