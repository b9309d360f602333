"""Canonical sums and products: flattening, like terms, constants, cancellation.

A sum is read as signed terms ``c * x`` and rebuilt as one ``add``; a product
as factors ``x ** p`` with one constant and rebuilt as ``num / den``.  Inner
nodes with a single client are left to the root of their tree, so a chain of
n additions is flattened once, in O(n).  A rule only fires when the rebuilt
expression differs from the node it replaces.
"""
from __future__ import annotations

import numpy as np

from arignote.graph import Constant
from arignote.tensor.variable import constant as _array_const

from .registry import local_rule
from .utils import E, const as _const, const_data, fit, is_const, owner_is, single_client

MAX_LEAVES = 4096
_FLOAT = ("float16", "float32", "float64")


def _same_dtype_owner(var, dt, *names):
    return var.dtype == dt and owner_is(var, *names)


def _const_array(var, dt):
    data = const_data(var)
    if data is None:
        return None
    with np.errstate(all="ignore"):
        out = data.astype(dt)
    if data.dtype.kind in "biuf" and np.dtype(dt).kind in "biu" and not np.array_equal(out, data):
        return None
    return out


# ---------------------------------------------------------------------- sums


def _sum_leaves(fgraph, node, dt):
    """[(var, sign)] of the terms of the sum rooted at ``node``; and whether it flattened."""
    x = node.inputs
    stack = [(x[1], -1), (x[0], 1)] if owner_is(node.outputs[0], "sub") else [(v, 1) for v in reversed(x)]
    leaves, flattened = [], False
    while stack:
        v, s = stack.pop()
        if len(leaves) + len(stack) < MAX_LEAVES and _same_dtype_owner(v, dt, "add", "sub") \
                and single_client(fgraph, v) is not None:
            ins = v.owner.inputs
            flattened = True
            if owner_is(v, "sub"):
                stack.extend([(ins[1], -s), (ins[0], s)])
            else:
                stack.extend((i, s) for i in reversed(ins))
            continue
        leaves.append((v, s))
    return leaves, flattened


def _split_coef(v, dt):
    """(coefficient, base) of a term: mul(c, x) -> (c, x), neg(x) -> (-1, x), else (1, v)."""
    sign = 1
    while _same_dtype_owner(v, dt, "neg") and v.owner.inputs[0].dtype == dt:
        sign, v = -sign, v.owner.inputs[0]
    if _same_dtype_owner(v, dt, "mul") and len(v.owner.inputs) == 2:
        a, b = v.owner.inputs
        for c, base in ((a, b), (b, a)):
            arr = _const_array(c, dt)
            if arr is not None and arr.size == 1 and base.dtype == dt and not isinstance(base, Constant):
                return sign * arr.reshape(()).item(), base
    return sign, v


def _neg(v, dt):
    """neg(v) in ``dt``: a bool term (x - b) is cast first, since negating a bool is an error."""
    if v.dtype != dt:
        from arignote.tensor import math as tm

        v = tm.cast(v, dt)
    return E("neg", v)


def _coef_term(coef, base, dt):
    if coef == 1:
        return base
    if coef == -1:
        return _neg(base, dt)
    return E("mul", _const(coef, dt), base)


@local_rule(("add", "sub"), "canonicalize", "stabilize", tags=("algebra", "add_canonical"))
def local_add_canonical(fgraph, node):
    """Flatten sums, fold their constants, drop zeros and collect like terms (2x + 3x -> 5x;
    x - x -> 0 for integers only: for floats it is not exact when x is inf or nan)."""
    out = node.outputs[0]
    dt = out.dtype
    if dt == "bool" or dt.startswith("complex"):
        return None
    parent = single_client(fgraph, out)
    if (parent is not None and getattr(parent.outputs[0].type, "dtype", None) == dt
            and owner_is(parent.outputs[0], "add", "sub")):
        return None
    leaves, changed = _sum_leaves(fgraph, node, dt)
    consts, groups, order = [], {}, []
    for v, s in leaves:
        arr = _const_array(v, dt)
        if arr is not None:
            consts.append((v, s, arr))
            continue
        coef, base = _split_coef(v, dt)
        if base not in groups:
            groups[base] = []
            order.append(base)
        groups[base].append((v, s, coef * s))
    terms = []
    for base in order:
        members = groups[base]
        if len(members) == 1:
            v, s, _ = members[0]
            terms.append(v if s > 0 else _neg(v, dt))
            continue
        total = sum(c for _, _, c in members)
        if total == 0 and dt in _FLOAT:
            terms.extend(v if s > 0 else _neg(v, dt) for v, s, _ in members)
            continue
        changed = True
        if total != 0:
            terms.append(_coef_term(total, base, dt))
    const_var = None
    if consts:
        with np.errstate(all="ignore"):
            total = None
            for _, s, arr in consts:
                term = arr if s > 0 else np.negative(arr)
                total = term if total is None else total + term
            total = np.asarray(total, dtype=dt)
        if len(consts) > 1 or consts[0][1] < 0 or not np.any(total):
            changed = True
        if np.any(total):
            if len(consts) == 1 and consts[0][1] > 0:
                const_var = consts[0][0]
                changed = changed or leaves[0][0] is not const_var  # Theano's order: the constant first
            elif total.ndim <= out.ndim:
                const_var = _array_const(total)
            else:
                return None
    if not changed:
        return None
    if const_var is not None:
        terms.insert(0, const_var)
    if not terms:
        new = _const(0, dt)
    elif len(terms) == 1:
        new = terms[0]
    else:
        new = E("add", *terms)
    return [fit(new, out, fill_from=[v for v, _ in leaves])]


@local_rule(("neg",), "canonicalize", "stabilize", "specialize", tags=("algebra",))
def local_neg_neg(fgraph, node):
    """neg(neg(x)) -> x."""
    x = node.inputs[0]
    if owner_is(x, "neg") and x.owner.inputs[0].type == node.outputs[0].type:
        return [x.owner.inputs[0]]
    return None


@local_rule(("sub",), "canonicalize", tags=("algebra",))
def local_sub_to_add_neg(fgraph, node):
    """sub(x, y) -> add(x, neg(y)), the canonical form the sum rules read."""
    out = node.outputs[0]
    if out.dtype == "bool":
        return None
    x, y = node.inputs
    return [fit(E("add", x, _neg(y, out.dtype)), out)]


@local_rule(("add", "sub"), "canonicalize", name="local_sub_self_float", tags=("algebra", "unsafe"),
            default=False)
def local_sub_self_float(fgraph, node):
    """x - x -> 0 and x + (-x) -> 0 for floats too (wrong for inf and nan: off unless included)."""
    out = node.outputs[0]
    if out.dtype not in _FLOAT:
        return None
    if owner_is(out, "sub"):
        x, y = node.inputs
        if x is y:
            return [fit(_const(0, out.dtype), out, fill_from=[x])]
        return None
    ins = list(node.inputs)
    for i, v in enumerate(ins):
        if owner_is(v, "neg") and v.owner.inputs[0] in ins:
            j = ins.index(v.owner.inputs[0])
            rest = [w for k, w in enumerate(ins) if k not in (i, j)]
            new = rest[0] if len(rest) == 1 else E("add", *rest) if rest else _const(0, out.dtype)
            return [fit(new, out, fill_from=ins)]
    return None


# ------------------------------------------------------------------ products


def _prod_leaves(node, dt, through_neg):
    """[(base, power, origin, origin_power)] of the factors of the product rooted at ``node``,
    the number of negations read through, and the constants [(var, power, array)]."""
    stack = [(node.outputs[0], 1, True)]
    leaves, consts, n_neg = [], [], 0
    while stack:
        v, p, root = stack.pop()
        budget = len(leaves) + len(stack) < MAX_LEAVES
        if budget and (root or v.dtype == dt) and v.owner is not None:
            name = v.owner.op.scalar_op.name if owner_is(v, "mul", "true_div", "reciprocal", "neg", "pow", "sqr") \
                else None
            ins = v.owner.inputs if name else None
            if name == "mul":
                stack.extend((i, p, False) for i in reversed(ins))
                continue
            if name == "true_div":
                stack.extend([(ins[1], -p, False), (ins[0], p, False)])
                continue
            if name == "reciprocal":
                stack.append((ins[0], -p, False))
                continue
            if name == "neg" and through_neg and not root:
                n_neg += 1
                stack.append((ins[0], p, False))
                continue
            if name == "sqr" and ins[0].dtype == dt:
                leaves.append((ins[0], 2 * p, v, p))
                continue
            if name == "pow" and ins[0].dtype == dt:
                e = const_data(ins[1])
                if e is not None and e.size == 1 and float(e.reshape(-1)[0]).is_integer():
                    leaves.append((ins[0], int(e.reshape(-1)[0]) * p, v, p))
                    continue
        arr = _const_array(v, dt) if not root else None
        if arr is not None:
            consts.append((v, p, arr))
        else:
            leaves.append((v, p, v, p))
    return leaves, n_neg, consts


def _matches(var, items):
    """True when ``var`` is ``items[0]`` or a mul of ``items`` in any order (already canonical)."""
    if len(items) == 1:
        return _same(var, items[0])
    if not owner_is(var, "mul") or len(var.owner.inputs) != len(items):
        return False
    rest = list(items)
    for a in var.owner.inputs:
        k = next((j for j, b in enumerate(rest) if _same(a, b)), None)
        if k is None:
            return False
        del rest[k]
    return True


def _same(a, b):
    if a is b:
        return True
    if isinstance(a, Constant) and isinstance(b, Constant):
        return a.type == b.type and np.array_equal(a.data, b.data)
    return False


def _is_canonical(out, num, den, negate):
    if negate:
        return False
    if owner_is(out, "mul"):
        return not den and _matches(out, num)
    if owner_is(out, "true_div"):
        a, b = out.owner.inputs
        return bool(den) and (_matches(a, num) if num else is_const(a, 1)) and _matches(b, den)
    if owner_is(out, "reciprocal"):
        return not num and bool(den) and _matches(out.owner.inputs[0], den)
    return False


_PROD_OPS = ("mul", "true_div", "reciprocal", "neg", "pow", "sqr")


def _plain_product(ins):
    """True when mul(*ins) is canonical at a glance: distinct factors, none of them a product,
    quotient, power or negation, and at most one constant, not 1 (the common case, decided
    without reading the factors' trees)."""
    seen, n_const = set(), 0
    for v in ins:
        if v in seen or owner_is(v, *_PROD_OPS):
            return False
        seen.add(v)
        data = const_data(v)
        if data is not None:
            n_const += 1
            if n_const > 1:
                return False
            if data.size == 1:
                if data.reshape(()).item() in (1, -1):
                    return False
            elif np.all(data == 1) or np.all(data == -1):
                return False
    return True


def _power(base, p, dt):
    if p == 1:
        return base
    return E("pow", base, _const(p, "int8" if abs(p) < 128 else "int64"))


@local_rule(("mul", "true_div", "reciprocal"), "canonicalize", "stabilize", tags=("algebra", "mul_canonical"))
def local_mul_canonical(fgraph, node):
    """Flatten products and quotients, fold their constants (x / 4 -> 0.25 * x), collect like
    factors (x * x -> x ** 2) and cancel factors (x * y / x -> y), for floating-point results."""
    out = node.outputs[0]
    dt = out.dtype
    if dt not in _FLOAT:
        return None
    parent = single_client(fgraph, out)
    if parent is not None and getattr(parent.outputs[0].type, "dtype", None) == dt and owner_is(
            parent.outputs[0], "mul", "true_div", "reciprocal"):
        return None
    if owner_is(out, "mul") and _plain_product(node.inputs):
        return None
    leaves, n_neg, consts = _prod_leaves(node, dt, True)
    if n_neg == 1 and not consts:
        leaves, n_neg, consts = _prod_leaves(node, dt, False)
    if any(b.dtype != dt for b, _, _, _ in leaves):
        return None
    groups, order = {}, []
    for leaf in leaves:
        if leaf[0] not in groups:
            groups[leaf[0]] = []
            order.append(leaf[0])
        groups[leaf[0]].append(leaf)
    num, den = [], []
    for base in order:
        members = groups[base]
        if len(members) == 1:
            _, _, origin, op_ = members[0]
            (num if op_ > 0 else den).append(_power(origin, abs(op_), dt))
            continue
        total = sum(p for _, p, _, _ in members)
        if total > 0:
            num.append(_power(base, total, dt))
        elif total < 0:
            den.append(_power(base, -total, dt))
    negate = n_neg % 2 == 1
    const_var = None
    if consts:
        with np.errstate(all="ignore"):
            value = np.ones((), dtype=dt)
            for _, p, arr in consts:
                value = value * arr if p > 0 else value / arr
            if negate:
                value = -value
            value = np.asarray(value, dtype=dt)
        negate = False
        if value.ndim > out.ndim:
            return None
        if not np.all(value == 1):
            v0, p0, _ = consts[0]
            const_var = v0 if len(consts) == 1 and p0 > 0 and n_neg % 2 == 0 else _array_const(value)
    if const_var is not None:
        num.insert(0, const_var)
    if _is_canonical(out, num, den, negate):
        return None
    numer = num[0] if len(num) == 1 else E("mul", *num) if num else _const(1, dt)
    new = numer
    if den:
        new = E("true_div", numer, den[0] if len(den) == 1 else E("mul", *den))
    if negate:
        new = E("neg", new)
    fill = [b for b, _, _, _ in leaves] + [c for c, _, _ in consts]
    return [fit(new, out, fill_from=fill)]
