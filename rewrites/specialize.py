"""Cheaper equivalents once the graph is canonical and stable: powers as sqr / sqrt /
reciprocal / multiplications, sums of fills, short vector dots as reductions,
switches on constant conditions, and sums of negations back to subtractions."""
from __future__ import annotations

import numpy as np

from arignote.tensor.elemwise import DimShuffle, Elemwise
from arignote.tensor.linalg import Dot
from arignote.tensor.reduction import Reduce
from arignote.tensor.basic import Alloc, alloc

from .registry import local_rule
from .shape_feature import ShapeFeature
from .utils import E, cast, const, fit, is_const, owner_is, scalar_const

TAGS = ("specialize",)
MAX_INT_POWER = 16
DOT_AS_SUM_MAX_LEN = 32


def _int_power(x, n):
    """x ** n for an integer n >= 1 by repeated squaring."""
    result, base = None, x
    while n:
        if n & 1:
            result = base if result is None else E("mul", result, base)
        n >>= 1
        if n:
            base = E("sqr", base)
    return result


@local_rule(("pow",), "specialize", tags=TAGS)
def local_pow_specialize(fgraph, node):
    """x**2 -> sqr(x), x**0.5 -> sqrt(x), x**-1 -> reciprocal(x), x**-0.5 -> 1/sqrt(x),
    x**n (|n| <= 16) -> multiplications, x**1 -> x, x**0 -> 1."""
    x, e = node.inputs
    out = node.outputs[0]
    p = scalar_const(e)
    if p is None or isinstance(p, complex) or (isinstance(p, float) and not np.isfinite(p)):
        return None
    dt = out.dtype
    is_float = dt.startswith(("float", "complex"))
    if not is_float and p < 0:
        return None
    if dt.startswith("complex") and p not in (0, 1):
        return None  # NumPy's complex pow (its own products, then cpow) differs from sqr, sqrt and reciprocal at extremes
    xc = cast(x, dt)
    if p == 0:
        new = const(1, dt)
    elif p == 0.5 and is_float:
        new = E("sqrt", xc)
    elif p == -0.5 and is_float:
        new = E("reciprocal", E("sqrt", xc))
    elif float(p).is_integer() and 0 < abs(p) <= MAX_INT_POWER:
        new = E("sqr", xc) if abs(p) == 2 else _int_power(xc, int(abs(p)))
        if p < 0:
            new = E("reciprocal", new)
    else:
        return None
    return [fit(new, out, fill_from=[x, e])]


@local_rule(("add",), "specialize", tags=TAGS)
def local_add_neg_to_sub(fgraph, node):
    """a + b + (-c) -> (a + b) - c: one subtraction instead of a negation and an addition."""
    out = node.outputs[0]
    ins = node.inputs
    negs = [v for v in ins if owner_is(v, "neg") and v.owner.inputs[0].dtype == v.dtype]
    if not negs or len(negs) == len(ins):
        return None
    pos = [v for v in ins if not any(v is n for n in negs)]
    sub_terms = [n.owner.inputs[0] for n in negs]
    a = pos[0] if len(pos) == 1 else E("add", *pos)
    b = sub_terms[0] if len(sub_terms) == 1 else E("add", *sub_terms)
    return [fit(E("sub", a, b), out, fill_from=ins)]


@local_rule(("mul",), "specialize", tags=TAGS)
def local_mul_minus_one(fgraph, node):
    """-1 * x -> neg(x)."""
    ins = node.inputs
    if len(ins) != 2:
        return None
    out = node.outputs[0]
    for k in (0, 1):
        if is_const(ins[k], -1):
            return [fit(E("neg", ins[1 - k]), out, fill_from=[ins[k]])]
    return None


def _fill_parts(v):
    """(value, shape-giver) when v is alloc(value, ...) or second(giver, value), else None."""
    node = v.owner
    if node is None:
        return None
    if isinstance(node.op, Alloc):
        return node.inputs[0], None
    if owner_is(v, "second"):
        return node.inputs[1], node.inputs[0]
    return None


@local_rule((Reduce,), "specialize", tags=TAGS)
def local_sum_of_fill(fgraph, node):
    """sum(alloc(v, n, ...), axis) -> v * n (and the same for second(x, v)): no array is filled."""
    if node.op.kind != "sum":
        return None
    x = node.inputs[0]
    parts = _fill_parts(x)
    if parts is None:
        return None
    value, _ = parts
    axis = node.op.axis
    vb = (True,) * (x.ndim - value.ndim) + value.type.broadcastable
    if not all(vb[a] for a in axis):
        return None
    out = node.outputs[0]
    count = None
    for a in axis:
        n = ShapeFeature.direct(x, a)
        count = n if count is None else E("mul", count, n)
    lead = x.ndim - value.ndim
    keep = [a - lead for a in range(lead, x.ndim) if a not in axis]
    drop = [a - lead for a in axis if a >= lead]
    v = value
    if drop:
        v = DimShuffle(value.type.broadcastable, keep).make_node(value).outputs[0]
    res = E("mul", cast(v, out.dtype), cast(count, out.dtype)) if count is not None else cast(v, out.dtype)
    if res.ndim < out.ndim or not _same_pattern(res, out):
        shape = [ShapeFeature.direct(x, a) for a in range(x.ndim) if a not in axis]
        res = alloc(res, *shape)
    return [fit(res, out)]


def _same_pattern(a, b):
    return a.ndim == b.ndim and a.type.broadcastable == b.type.broadcastable


@local_rule((Dot,), "specialize", tags=TAGS)
def local_dot_to_sum(fgraph, node):
    """dot(a, b) of two short vectors (static length <= 32) -> sum(a * b): no library call."""
    a, b = node.inputs
    if a.ndim != 1 or b.ndim != 1:
        return None
    n = a.type.shape[0] if a.type.shape[0] is not None else b.type.shape[0]
    if n is None or n > DOT_AS_SUM_MAX_LEN:
        return None
    out = node.outputs[0]
    prod = E("mul", a, b)
    return [fit(Reduce("sum", (0,), out.dtype).make_node(prod).outputs[0], out)]


@local_rule((Dot,), "specialize", tags=TAGS)
def local_dot_of_a_scalar_to_mul(fgraph, node):
    """dot(a, b) with a 0-d operand -> a * b, as numpy.dot defines it (any dtype): an elementwise
    loop, where the dot ran NumPy's."""
    a, b = node.inputs
    if a.ndim and b.ndim:
        return None
    return [fit(E("mul", a, b), node.outputs[0], fill_from=[a, b])]


@local_rule((Dot,), "specialize", tags=TAGS)
def local_dot_operands_to_result_dtype(fgraph, node):
    """dot(a, b) of mixed dtypes with a float result -> dot(cast(a), cast(b)) in the result dtype:
    NumPy casts both operands to the result type and multiplies there (int64 . float32 in
    float64, float32 . float64 in float64), so the product runs as one BLAS call."""
    a, b = node.inputs
    out = node.outputs[0]
    if out.dtype not in ("float32", "float64") or a.dtype == b.dtype == out.dtype or not (a.ndim and b.ndim):
        return None
    from arignote.tensor.linalg import dot

    return [fit(dot(cast(a, out.dtype), cast(b, out.dtype)), out)]


@local_rule(("switch",), "specialize", "canonicalize", tags=TAGS)
def local_switch_const_cond(fgraph, node):
    """switch(True, a, b) -> a, switch(False, a, b) -> b, switch(c, a, a) -> a."""
    c, a, b = node.inputs
    out = node.outputs[0]
    if a is b:
        return [fit(a, out, fill_from=[c])]
    v = scalar_const(c)
    if v is None:
        return None
    keep, other = (a, b) if v else (b, a)
    return [fit(keep, out, fill_from=[c, other])]


def _broadcast_smaller(branch, out):
    """True when ``branch`` is broadcast along an axis of ``out`` (so it holds fewer elements)."""
    pb = (True,) * (out.ndim - branch.ndim) + branch.type.broadcastable
    return any(b and not o for b, o in zip(pb, out.type.broadcastable))


@local_rule((Elemwise,), "specialize", tags=TAGS)
def local_unary_into_switch(fgraph, node):
    """f(switch(c, a, b)) -> switch(c, f(a), f(b)) for a unary elementwise f when both branches are
    broadcast (smaller than the switch): f then runs once per branch element instead of once per
    output element, e.g. log(switch(t < s, e, l)) with scalar rates computes two logarithms."""
    if node.op.scalar_op.nin != 1 or not owner_is(node.inputs[0], "switch"):
        return None
    sw = node.inputs[0]
    c, a, b = sw.owner.inputs
    if not (_broadcast_smaller(a, sw) and _broadcast_smaller(b, sw)):
        return None
    name = node.op.scalar_op.name
    try:
        fa, fb = E(name, a), E(name, b)
    except (TypeError, ValueError):
        return None
    return [fit(E("switch", c, fa, fb), node.outputs[0], fill_from=[c, a, b])]

