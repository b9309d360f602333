"""The entry point (group ``arignote``, name ``example``): the hooks that make
the op, the rewrite rule and the backend known to arignote."""
from __future__ import annotations

from arignote.conformance import Elementwise
from arignote.hookspecs import BackendRecord, OpRecord, RewriteRecord, hookimpl

from . import native
from .counting import CountingBackend
from .ops import swish_op
from .rewrite import swish_from_mul_sigmoid

# C and LLVM renderings of swish for the compiled backends (a no-op where those are missing)
NATIVE = native.register()


@hookimpl
def arignote_register_ops():
    # the conformance runner generates swish's cases (dtypes, edge values, views, gradient)
    return [OpRecord("swish", swish_op, Elementwise(1, ("float64", "float32"), ("float16", "int64")))]


@hookimpl
def arignote_register_rewrites():
    # after the built-in rules of 'specialize' (position 0), before 'fusion' hides the pattern
    return [RewriteRecord("swish_from_mul_sigmoid", swish_from_mul_sigmoid, phase="specialize",
                          position=1.0, tags=("example", "fast_run"))]


@hookimpl
def arignote_register_backends():
    return [BackendRecord("counting", factory=CountingBackend, priority=-10,
                          description="the NumPy reference, counting node executions (arignote-plugin-example)")]
