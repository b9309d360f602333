"""Numerically stable forms: log1p, expm1, softplus, log-sigmoid, logsumexp, log-softmax,
log(erfc) for large x and sqrt(x**2) -> |x|.  All are tagged ``fast_compile``: a
fast compile still gets the right answer for log(1 + 1e-20)."""
from __future__ import annotations

import numpy as np

from arignote.gradient import ViewOp
from arignote.tensor import math as tm
from arignote.tensor.elemwise import DimShuffle, insert_axes_order
from arignote.tensor.nnet import LogSoftmax, Softmax
from arignote.tensor.reduction import Reduce

from .registry import FAST_COMPILE, local_rule
from .utils import E, cast, const, fit, is_const, owner_is

TAGS = (FAST_COMPILE, "stability")


def _without(ins, k):
    rest = [v for j, v in enumerate(ins) if j != k]
    return rest[0] if len(rest) == 1 else E("add", *rest)


def _one_plus(v):
    """(index of the constant 1, the other terms) when ``v`` is add(1, ...), else None."""
    if not owner_is(v, "add"):
        return None
    ins = v.owner.inputs
    for k, i in enumerate(ins):
        if is_const(i, 1):
            return k, _without(ins, k)
    return None


@local_rule(("log",), "stabilize", tags=TAGS)
def local_log1p(fgraph, node):
    """log(1 + x) -> log1p(x); log(1 - x) -> log1p(-x)."""
    a = node.inputs[0]
    out = node.outputs[0]
    hit = _one_plus(a)
    if hit is not None:
        k, rest = hit
        return [fit(E("log1p", cast(rest, a.dtype)), out, fill_from=[a.owner.inputs[k]])]
    if owner_is(a, "sub") and is_const(a.owner.inputs[0], 1):
        one, x = a.owner.inputs
        return [fit(E("log1p", cast(E("neg", x), a.dtype)), out, fill_from=[one])]
    return None


@local_rule(("add", "sub"), "stabilize", tags=TAGS)
def local_expm1(fgraph, node):
    """exp(x) - 1 -> expm1(x) (also inside a longer sum)."""
    out = node.outputs[0]
    ins = node.inputs
    if owner_is(out, "sub"):
        e, one = ins
        if owner_is(e, "exp") and is_const(one, 1):
            return [fit(E("expm1", e.owner.inputs[0]), out, fill_from=[one])]
        return None
    ones = [k for k, v in enumerate(ins) if is_const(v, -1)]
    exps = [k for k, v in enumerate(ins) if owner_is(v, "exp")]
    if not ones or not exps:
        return None
    k1, ke = ones[0], exps[0]
    rest = [v for j, v in enumerate(ins) if j not in (k1, ke)]
    em1 = E("expm1", ins[ke].owner.inputs[0])
    new = E("add", em1, *rest) if rest else em1
    return [fit(new, out, fill_from=[ins[k1]])]


def _log_sigmoid(x):
    """log(sigmoid(x)) as min(x, 0) - softplus(-|x|): finite everywhere, and +0 at x = +inf as
    log(1) is (-softplus(-x) gives -0 there)."""
    ax = x.owner.inputs[0] if owner_is(x, "neg") else x     # |-y| is |y|
    return E("sub", E("minimum", x, const(0, x.dtype)), E("softplus", E("neg", E("abs", ax))))


@local_rule(("log",), "stabilize", tags=TAGS)
def local_log_sigmoid(fgraph, node):
    """log(sigmoid(x)) -> min(x, 0) - softplus(-|x|) (that is, -softplus(-x))."""
    a = node.inputs[0]
    if owner_is(a, "sigmoid"):
        x = cast(a.owner.inputs[0], a.dtype)
        return [fit(_log_sigmoid(x), node.outputs[0])]
    return None


@local_rule(("log1p",), "stabilize", tags=TAGS)
def local_log1m_sigmoid(fgraph, node):
    """log(1 - sigmoid(x)) (seen as log1p(-sigmoid(x))) -> -softplus(x) (-0 where sigmoid(x) is 0, as
    log1p(-0.0) is)."""
    a = node.inputs[0]
    if owner_is(a, "neg") and owner_is(a.owner.inputs[0], "sigmoid"):
        s = a.owner.inputs[0]
        return [fit(E("neg", E("softplus", cast(s.owner.inputs[0], s.dtype))), node.outputs[0])]
    return None


@local_rule(("add", "sub"), "stabilize", tags=TAGS)
def local_1m_sigmoid(fgraph, node):
    """1 - sigmoid(x) -> sigmoid(-x)."""
    out = node.outputs[0]
    ins = node.inputs
    if owner_is(out, "sub"):
        one, s = ins
        if is_const(one, 1) and owner_is(s, "sigmoid"):
            return [fit(E("sigmoid", E("neg", cast(s.owner.inputs[0], s.dtype))), out, fill_from=[one])]
        return None
    if len(ins) != 2:
        return None
    for k in (0, 1):
        one, ns = ins[k], ins[1 - k]
        if is_const(one, 1) and owner_is(ns, "neg") and owner_is(ns.owner.inputs[0], "sigmoid"):
            x = cast(ns.owner.inputs[0].owner.inputs[0], ns.dtype)
            return [fit(E("sigmoid", E("neg", x)), out, fill_from=[one])]
    return None


@local_rule(("true_div", "reciprocal"), "canonicalize", "stabilize", tags=TAGS, position=-1)
def local_sigmoid_from_exp(fgraph, node):
    """1 / (1 + exp(-x)) -> sigmoid(x) (the logistic function written out)."""
    out = node.outputs[0]
    if owner_is(out, "true_div"):
        c, d = node.inputs
        if not is_const(c, 1):
            return None
    else:
        d = node.inputs[0]
    hit = _one_plus(d)
    if hit is None or not owner_is(hit[1], "exp"):
        return None
    y = cast(hit[1].owner.inputs[0], hit[1].dtype)
    return [fit(E("sigmoid", E("neg", y)), out, fill_from=list(node.inputs) + [d.owner.inputs[hit[0]]])]


@local_rule(("log1p",), "stabilize", tags=TAGS)
def local_softplus(fgraph, node):
    """log1p(exp(x)) (and so log(1 + exp(x))) -> softplus(x), finite for large x."""
    a = node.inputs[0]
    if owner_is(a, "exp"):
        return [fit(E("softplus", a.owner.inputs[0]), node.outputs[0])]
    return None


@local_rule(("log",), "stabilize", tags=TAGS)
def local_log_exp(fgraph, node):
    """log(exp(x)) -> x."""
    a = node.inputs[0]
    if owner_is(a, "exp"):
        return [fit(a.owner.inputs[0], node.outputs[0])]
    return None


@local_rule(("sqrt",), "stabilize", tags=TAGS)
def local_sqrt_sqr(fgraph, node):
    """sqrt(x ** 2) -> abs(x) (no overflow for |x| > 1e154)."""
    a = node.inputs[0]
    x = None
    if owner_is(a, "sqr"):
        x = a.owner.inputs[0]
    elif owner_is(a, "pow") and is_const(a.owner.inputs[1], 2):
        x = a.owner.inputs[0]
    elif owner_is(a, "mul") and len(a.owner.inputs) == 2 and a.owner.inputs[0] is a.owner.inputs[1]:
        x = a.owner.inputs[0]
    if x is None or x.dtype.startswith("complex"):
        return None
    return [fit(E("abs", x), node.outputs[0], fill_from=a.owner.inputs)]


_ERFC_THRESHOLD = {"float64": 26.0, "float32": 9.0, "float16": 3.5}


@local_rule(("log",), "stabilize", tags=TAGS)
def local_log_erfc(fgraph, node):
    """log(erfc(x)) -> the asymptotic series for large x, where erfc(x) underflows to 0."""
    a = node.inputs[0]
    if not owner_is(a, "erfc"):
        return None
    x = a.owner.inputs[0]
    out = node.outputs[0]
    dt = out.dtype
    if dt not in _ERFC_THRESHOLD or x.dtype != dt:
        return None
    if owner_is(x, "minimum") and any(is_const(v, _ERFC_THRESHOLD[dt]) for v in x.owner.inputs):
        return None  # the direct branch of a form this rule made
    t = const(_ERFC_THRESHOLD[dt], dt)
    y = E("maximum", x, t)
    y2 = E("sqr", y)
    inv = E("reciprocal", y2)
    # 1 - 1/(2y^2) + 3/(4y^4) - 15/(8y^6) + 105/(16y^8)
    poly = const(105 / 16, dt)
    for c in (-15 / 8, 3 / 4, -1 / 2, 1.0):
        poly = E("add", const(c, dt), E("mul", poly, inv))
    series = E("add", E("neg", y2), E("neg", E("log", E("mul", y, const(np.sqrt(np.pi), dt)))), E("log", poly))
    direct = E("log", E("erfc", E("minimum", x, t)))
    return [fit(E("switch", E("lt", x, t), direct, series), out)]


# ----------------------------------------------------------- logsumexp / softmax


def _strip(v):
    """Look through views, dimshuffles and switches for what ``v`` is made from."""
    for _ in range(8):
        node = v.owner
        if node is None:
            return v
        if isinstance(node.op, (ViewOp, DimShuffle)):
            v = node.inputs[0]
        elif owner_is(v, "switch"):
            v = node.inputs[2] if is_const(node.inputs[1], 0) else node.inputs[1]
        else:
            return v
    return v


def _max_subtracted(x):
    """True when x is already ``y - max(y)`` (the stable form, written by a user or by us)."""
    if owner_is(x, "sub"):
        parts = [x.owner.inputs[1]]
    elif owner_is(x, "add"):
        parts = [p.owner.inputs[0] for p in x.owner.inputs if owner_is(p, "neg")]
    else:
        return False
    for p in parts:
        m = _strip(p)
        if m.owner is not None and isinstance(m.owner.op, Reduce) and m.owner.op.kind == "max":
            return True
    return False


def _sum_of_exp(v):
    """(Reduce node, x, dimshuffle op or None) when v is sum(exp(x)), optionally under a
    dimshuffle that only adds axes."""
    ds = None
    if v.owner is not None and isinstance(v.owner.op, DimShuffle) and not v.owner.op.drop \
            and [o for o in v.owner.op.new_order if o != "x"] == list(range(v.owner.inputs[0].ndim)):
        ds = v.owner.op
        v = v.owner.inputs[0]
    node = v.owner
    if node is None or not isinstance(node.op, Reduce) or node.op.kind != "sum":
        return None
    e = node.inputs[0]
    if not owner_is(e, "exp") or node.op.dtype not in (None, e.dtype):
        return None
    return node, e.owner.inputs[0], ds


@local_rule(("log",), "stabilize", tags=TAGS)
def local_logsumexp(fgraph, node):
    """log(sum(exp(x), axis)) -> max(x) + log(sum(exp(x - max(x)))), finite for large x."""
    hit = _sum_of_exp(node.inputs[0])
    if hit is None:
        return None
    red, x, ds = hit
    if _max_subtracted(x) or not x.dtype.startswith("float"):
        return None
    axis = red.op.axis
    m = tm.max(x, axis=axis, keepdims=True, initial=-np.inf)
    m = E("switch", E("isinf", m), const(0, m.dtype), m)
    s = Reduce("sum", axis, red.op.dtype).make_node(E("exp", E("sub", x, m))).outputs[0]
    keep = [i for i in range(x.ndim) if i not in axis]
    m_red = DimShuffle(m.type.broadcastable, keep).make_node(m).outputs[0]
    res = E("add", E("log", s), m_red)
    if ds is not None:
        res = ds.make_node(res).outputs[0]
    return [fit(res, node.outputs[0])]


def _factors(v):
    return list(v.owner.inputs) if owner_is(v, "mul") else [v]


def _rebuild(factors, dt):
    if not factors:
        return const(1, dt)
    return factors[0] if len(factors) == 1 else E("mul", *factors)


@local_rule(("true_div",), "stabilize", tags=TAGS)
def local_softmax_from_exp(fgraph, node):
    """exp(x) / sum(exp(x), axis, keepdims) -> softmax(x, axis) (also inside products), which
    keeps the gradient of log(sum(exp(x))) finite for large x."""
    a, b = node.inputs
    out = node.outputs[0]
    num, den = _factors(a), _factors(b)
    for j, d in enumerate(den):
        hit = _sum_of_exp(d)
        if hit is None:
            continue
        red, x, _ = hit
        e = red.inputs[0]
        if e not in num or d.ndim != x.ndim:
            continue
        axis = red.op.axis
        if len(axis) == x.ndim and x.ndim != 1:
            ax = None
        elif len(axis) == 1:
            ax = axis[0]
        else:
            continue
        if d.owner is not red and d.owner.op.new_order != insert_axes_order(axis, x.ndim):
            continue
        sm = Softmax(ax).make_node(x).outputs[0]
        k = num.index(e)
        new_num = num[:k] + [sm] + num[k + 1:]
        new_den = den[:j] + den[j + 1:]
        new = _rebuild(new_num, out.dtype)
        if new_den:
            new = E("true_div", new, _rebuild(new_den, out.dtype))
        return [fit(new, out, fill_from=[a, b])]
    return None


@local_rule(("log",), "stabilize", tags=TAGS)
def local_log_softmax(fgraph, node):
    """log(softmax(x)) -> log_softmax(x)."""
    a = node.inputs[0]
    if a.owner is not None and type(a.owner.op) is Softmax:
        return [fit(LogSoftmax(a.owner.op.axis).make_node(a.owner.inputs[0]).outputs[0], node.outputs[0])]
    return None


def _one_plus_exp_power(d):
    """(y, k) when d is (1 + exp(y)) ** k (k = 1, or 2 as sqr / pow), else None."""
    k = 1
    if owner_is(d, "sqr"):
        d, k = d.owner.inputs[0], 2
    elif owner_is(d, "pow") and is_const(d.owner.inputs[1], 2):
        d, k = d.owner.inputs[0], 2
    hit = _one_plus(d)
    if hit is None or not owner_is(hit[1], "exp"):
        return None
    return cast(hit[1].owner.inputs[0], hit[1].dtype), k


@local_rule(("true_div",), "stabilize", tags=TAGS)
def local_exp_over_1_plus_exp(fgraph, node):
    """exp(y) / (1 + exp(y)) -> sigmoid(y), 1 / (1 + exp(y)) -> sigmoid(-y), and so
    exp(y) / (1 + exp(y))**2 -> sigmoid(y) * sigmoid(-y): finite where exp(y) overflows."""
    a, b = node.inputs
    out = node.outputs[0]
    num = [] if is_const(a, 1) else _factors(a)
    den = _factors(b)
    hits = [(j, _one_plus_exp_power(d)) for j, d in enumerate(den)]
    hits = [(j, h) for j, h in hits if h is not None]
    if not hits:
        return None
    drop = {j for j, _ in hits}
    for _, (y, k) in hits:
        for _ in range(k):
            e = next((f for f in num if owner_is(f, "exp") and f.owner.inputs[0] is y), None)
            if e is not None:
                num.remove(e)
                num.append(E("sigmoid", y))
            else:
                num.append(E("sigmoid", E("neg", y)))
    rest = [d for j, d in enumerate(den) if j not in drop]
    new = _rebuild(num, out.dtype)
    if rest:
        new = E("true_div", new, _rebuild(rest, out.dtype))
    return [fit(new, out, fill_from=[a, b])]


def _divides_by(term, factors):
    if owner_is(term, "neg"):
        term = term.owner.inputs[0]
    if not owner_is(term, "true_div"):
        return False
    return any(any(d is f for f in factors) for d in _factors(term.owner.inputs[1]))


@local_rule(("mul",), "stabilize", tags=TAGS)
def local_distribute_cancel(fgraph, node):
    """(a / s + b) * s -> a + b * s: distribute a product over a short sum when that cancels a
    division (the gradient of log(sigmoid(x)) then never divides by an underflowed sigmoid)."""
    ins = node.inputs
    for k, s in enumerate(ins):
        negated = owner_is(s, "neg")
        if negated:
            s = s.owner.inputs[0]
        if not owner_is(s, "add") or len(s.owner.inputs) > 8 or s.dtype != node.outputs[0].dtype:
            continue
        others = ins[:k] + ins[k + 1:]
        if not any(_divides_by(t, others) for t in s.owner.inputs):
            continue
        terms = [E("mul", E("neg", t) if negated else t, *others) for t in s.owner.inputs]
        return [fit(E("add", *terms), node.outputs[0], fill_from=ins)]
    return None
