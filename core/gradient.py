"""Symbolic differentiation, as Theano's ``theano.gradient``.

* reverse mode: ``grad`` and ``Lop`` (one walk over the graph in reverse
  topological order, so the gradient graph has O(1) nodes per forward node);
* forward mode: ``Rop`` (each op's ``R_op``, or derived from the gradients);
* ``jacobian`` and ``hessian`` (rows unrolled for short static lengths, else
  a :class:`RowLoop` that maps the backward graph over the rows);
* gradient-control ops: ``zero_grad``, ``disconnected_grad``, ``grad_clip``...;
* ``verify_grad``: the symbolic gradient against central finite differences.

During the reverse walk a variable's gradient is ``None`` (disconnected: the
cost does not depend on it), ``_ZERO`` (connected but identically zero: an
integer or boolean value, or what flows into it) or a Variable.  Integer
and boolean variables never carry a non-zero gradient (Theano's rule).
Every traversal is iterative: 100,000-node chains differentiate without
RecursionError.
"""
from __future__ import annotations

import warnings

import numpy as np

from .graph import Apply, Constant, Op, Variable, io_toposort
from .types import Type, TensorType


class NoGradError(TypeError):
    """An op (or scalar op) has no gradient for this input."""


class RopNotImplementedError(NoGradError, NotImplementedError):
    """An op on the path from ``wrt`` to ``f`` has no ``R_op``."""


class DisconnectedInputError(ValueError):
    """grad() was asked for the gradient of an input the cost does not depend on."""


class NullTypeGradError(TypeError):
    """A gradient is undefined (e.g. with respect to an index)."""


class DisconnectedType(Type):
    """Type of the marker returned for an input the output does not depend on."""

    def __eq__(self, other):
        return type(other) is DisconnectedType

    def __hash__(self):
        return hash(DisconnectedType)

    def __str__(self):
        return "DisconnectedType"

    def filter(self, value, strict=False, allow_downcast=None, name=None):
        raise TypeError("a disconnected gradient has no value")


class NullType(Type):
    """Type of the marker for an undefined gradient; ``why_null`` says why."""

    def __init__(self, why_null="(no explanation given)"):
        self.why_null = why_null

    def __eq__(self, other):
        return type(other) is NullType and other.why_null == self.why_null

    def __hash__(self):
        return hash((NullType, self.why_null))

    def __str__(self):
        return "NullType"

    def filter(self, value, strict=False, allow_downcast=None, name=None):
        raise TypeError(f"a null (undefined) gradient has no value: {self.why_null}")


def disconnected_type():
    return Variable(DisconnectedType())


def grad_undefined(op, x_pos, x, comment=""):
    """The gradient of input ``x_pos`` of ``op`` is mathematically undefined (e.g. an index)."""
    return Variable(NullType(f"the gradient of input {x_pos} ({x}) of {op} is mathematically undefined. {comment}"))


def grad_not_implemented(op, x_pos, x, comment=""):
    """The gradient of input ``x_pos`` of ``op`` exists but is not implemented."""
    return Variable(NullType(f"the gradient of input {x_pos} ({x}) of {op} is not implemented. {comment}"))


_ZERO = type("_Zero", (), {"__repr__": lambda self: "<zero gradient>"})()


def _is_disconnected(g):
    return g is None or isinstance(getattr(g, "type", None), DisconnectedType)


def _is_null(g):
    return isinstance(getattr(g, "type", None), NullType)


def _is_float(v):
    return getattr(v.type, "dtype", "").startswith(("float", "complex"))


def _tm():
    from .tensor import math as tm

    return tm


def _float_zeros_like(v):
    """Zeros shaped like ``v``: its dtype when floating point, else ``config.floatX``."""
    from .config import config

    return _tm().zeros_like(v, dtype=None if _is_float(v) else config.floatX)


def format_as(use_list, use_tuple, outputs):
    """Return ``outputs`` as a list, a tuple or a single value, as the caller passed its argument."""
    if use_list or use_tuple:
        outs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        return list(outs) if use_list else tuple(outs)
    if isinstance(outputs, (list, tuple)):
        if len(outputs) != 1:
            raise ValueError(f"expected a single output, got {len(outputs)}")
        return outputs[0]
    return outputs


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _check_choice(what, value, choices):
    if value not in choices:
        raise ValueError(f"{what} must be one of {', '.join(map(repr, choices))}, got {value!r}")


# ------------------------------------------------------- gradient-control ops


class ViewOp(Op):
    """Identity in the forward pass; subclasses change what the gradient does."""

    __props__ = ()
    view_map = {0: [0]}

    def make_node(self, x):
        from .tensor.variable import as_tensor_variable

        x = as_tensor_variable(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0]

    def infer_shape(self, fgraph, node, input_shapes):
        return [input_shapes[0]]

    def L_op(self, inputs, outputs, output_grads):
        return [output_grads[0]]

    def R_op(self, inputs, eval_points):
        return [eval_points[0]]


class ZeroGrad(ViewOp):
    """Forward identity; its gradient is zero."""

    def L_op(self, inputs, outputs, output_grads):
        return [_tm().zeros_like(inputs[0])]

    def R_op(self, inputs, eval_points):
        return [_tm().zeros_like(inputs[0])]


class DisconnectedGrad(ViewOp):
    """Forward identity; gradients do not flow through it (the input counts as disconnected)."""

    def L_op(self, inputs, outputs, output_grads):
        return [disconnected_type()]

    def connection_pattern(self, node):
        return [[False]]

    def R_op(self, inputs, eval_points):
        return [_tm().zeros_like(inputs[0])]


class GradClip(ViewOp):
    """Forward identity; the gradient is clipped to [lower, upper]."""

    __props__ = ("lower", "upper")

    def __init__(self, lower, upper):
        if lower > upper:
            raise ValueError(f"grad_clip: lower bound {lower} exceeds upper bound {upper}")
        self.lower, self.upper = float(lower), float(upper)

    def L_op(self, inputs, outputs, output_grads):
        return [_tm().clip(output_grads[0], self.lower, self.upper)]


class GradScale(ViewOp):
    """Forward identity; the gradient is multiplied by ``multiplier``."""

    __props__ = ("multiplier",)

    def __init__(self, multiplier):
        self.multiplier = float(multiplier)

    def L_op(self, inputs, outputs, output_grads):
        return [output_grads[0] * self.multiplier]


_zero_grad, _disconnected_grad = ZeroGrad(), DisconnectedGrad()


def zero_grad(x):
    """x in the forward pass, with a zero gradient."""
    return _zero_grad(x)


def disconnected_grad(x):
    """x in the forward pass; gradients treat it as disconnected from its inputs."""
    return _disconnected_grad(x)


consider_constant = zero_grad


def grad_clip(x, lower_bound, upper_bound):
    """x in the forward pass; its gradient is clipped to [lower_bound, upper_bound]."""
    return GradClip(lower_bound, upper_bound)(x)


def grad_scale(x, multiplier):
    """x in the forward pass; its gradient is multiplied by ``multiplier``."""
    return GradScale(multiplier)(x)


# ---------------------------------------------------------------------- grad


def grad(cost, wrt, consider_constant=None, disconnected_inputs="raise", add_names=True,
         known_grads=None, return_disconnected="zero", null_gradients="raise"):
    """Symbolic gradient of the scalar ``cost`` with respect to ``wrt`` (a variable, list or tuple).

    ``consider_constant``: variables whose ancestors get no gradient through
    them.  ``known_grads``: {variable: its gradient}, injected (and taking
    precedence over what flows from ``cost``; ``cost`` may then be None).
    ``disconnected_inputs`` ('raise', 'warn', 'ignore'): what to do for an
    input the cost does not depend on; ``return_disconnected`` ('zero',
    'None', 'Disconnected'): what to return for it.  Integer and boolean
    inputs the cost depends on get zeros (of ``config.floatX``).
    """
    _check_choice("disconnected_inputs", disconnected_inputs, ("raise", "warn", "ignore"))
    _check_choice("return_disconnected", return_disconnected, ("zero", "None", "Disconnected"))
    _check_choice("null_gradients", null_gradients, ("raise", "return"))
    if cost is None and not known_grads:
        raise ValueError("grad() needs a cost or known_grads")
    if cost is not None:
        _check_cost(cost)
    use_list, use_tuple = isinstance(wrt, list), isinstance(wrt, tuple)
    wrt_list = _as_list(wrt)
    for k, w in enumerate(wrt_list):
        if not isinstance(w, Variable):
            raise TypeError(f"grad(): wrt[{k}] must be a symbolic variable, got {type(w).__name__}: {w!r}")
    blockers = _check_consider_constant(consider_constant)
    seeds = _seeds(cost, known_grads)
    totals = _backprop(seeds, wrt_list, blockers)
    cost_name = cost.name if (add_names and cost is not None) else None
    seed_ids = {id(g) for g in seeds.values()}
    out = []
    for k, w in enumerate(wrt_list):
        g = _finish(w, k, totals[w], disconnected_inputs, return_disconnected, null_gradients)
        if cost_name and w.name and isinstance(g, Variable) and g.name is None and id(g) not in seed_ids:
            g.name = f"(d{cost_name}/d{w.name})"
        out.append(g)
    return format_as(use_list, use_tuple, out)


def _check_cost(cost):
    if not isinstance(cost, Variable):
        raise TypeError(f"grad(): cost must be a symbolic variable, got {type(cost).__name__}: {cost!r}")
    ndim = getattr(cost.type, "ndim", 0)
    if ndim != 0:
        raise TypeError(
            f"grad(): cost must be a scalar (0-d), but {cost} has ndim {ndim} ({cost.type}); "
            "sum or average it first, or use jacobian()"
        )


def _check_consider_constant(cc):
    if cc is None:
        return set()
    if isinstance(cc, Variable):
        raise TypeError("grad(): consider_constant must be a list of variables, got a single variable")
    try:
        items = list(cc)
    except TypeError:
        raise TypeError(f"grad(): consider_constant must be a list of variables, got {type(cc).__name__}") from None
    for k, v in enumerate(items):
        if not isinstance(v, Variable):
            raise TypeError(f"grad(): consider_constant[{k}] must be a symbolic variable, got {type(v).__name__}")
    return set(items)


def _seeds(cost, known_grads):
    """{variable: gradient} where the backward walk starts (known_grads win over the cost's 1)."""
    from .tensor.variable import as_tensor_variable

    seeds = {}
    for v, g in (known_grads or {}).items():
        if not isinstance(v, Variable):
            raise TypeError(f"grad(): known_grads keys must be symbolic variables, got {type(v).__name__}")
        if _is_disconnected(g):
            continue
        if not isinstance(g, Variable):
            g = as_tensor_variable(g)
        if not _is_null(g):
            if not _is_float(g):
                raise TypeError(f"grad(): the known gradient {g} of {v} has dtype {g.type.dtype}; "
                                "gradients must be floating point")
            if g.type.ndim != getattr(v.type, "ndim", None):
                raise ValueError(f"grad(): the known gradient {g} ({g.type}) of {v} ({v.type}) has ndim "
                                 f"{g.type.ndim}, the variable {getattr(v.type, 'ndim', None)}")
            if not _is_float(v):
                g = _ZERO
            elif g.type.dtype != v.type.dtype:
                g = _tm().cast(g, v.type.dtype)
        seeds[v] = g
    if cost is not None and cost not in seeds:
        seeds[cost] = _tm().ones_like(cost) if _is_float(cost) else _ZERO
    return seeds


def _backprop(seeds, wrt_list, blockers):
    """Walk back from ``seeds`` to ``wrt_list``; returns {wrt: None | _ZERO | Variable}."""
    nodes = io_toposort(list(blockers), list(seeds))
    depends = _dependents(nodes, wrt_list)
    contribs, totals = {}, {}

    def total(v):
        if v in seeds:
            return seeds[v]
        if v not in totals:
            totals[v] = _accumulate(v, contribs.pop(v, ()))
        return totals[v]

    for node in reversed(nodes):
        _visit(node, depends, total, contribs)
    return {w: (total(w) if w in depends else None) for w in wrt_list}


def _dependents(nodes, wrt_list):
    """Variables that depend on some wrt through connected op inputs/outputs."""
    dep = set(wrt_list)
    for node in nodes:
        ins = [k for k, i in enumerate(node.inputs) if i in dep]
        if not ins:
            continue
        pattern = node.op.connection_pattern(node)
        for j, o in enumerate(node.outputs):
            if any(pattern[k][j] for k in ins):
                dep.add(o)
    return dep


def _visit(node, depends, total, contribs):
    """Push the output gradients of ``node`` to its inputs (into ``contribs``)."""
    outs = node.outputs
    gouts = [total(o) if o in depends else None for o in outs]
    if all(g is None for g in gouts):
        return
    pattern = node.op.connection_pattern(node)
    targets = [k for k, i in enumerate(node.inputs)
               if i in depends and any(pattern[k][j] and gouts[j] is not None for j in range(len(outs)))]
    if not targets:
        return
    nulls = [j for j, g in enumerate(gouts) if _is_null(g)]
    real = any(isinstance(g, Variable) and not _is_null(g) and _is_float(o) for g, o in zip(gouts, outs))
    gins = _call_l_op(node, gouts) if real else None
    for k in targets:
        inp = node.inputs[k]
        null = next((gouts[j] for j in nulls if pattern[k][j]), None)
        if null is not None:
            g = null
        elif gins is None or not _is_float(inp):
            if gins is not None and _is_disconnected(gins[k]):
                continue
            g = _ZERO
        else:
            g = gins[k]
            if _is_disconnected(g):
                continue
            if not _is_null(g):
                g = _as_input_grad(node, k, inp, g)
        contribs.setdefault(inp, []).append(g)


def _call_l_op(node, gouts):
    from .config import config

    tm = _tm()
    gs = []
    for o, g in zip(node.outputs, gouts):
        if isinstance(g, Variable) and not _is_null(g) and _is_float(o):
            gs.append(g if g.type.dtype == o.type.dtype else tm.cast(g, o.type.dtype))
        else:  # disconnected or zero output gradient; integer outputs carry none
            gs.append(tm.zeros_like(o, dtype=None if _is_float(o) else config.floatX))
    try:
        gins = node.op.L_op(list(node.inputs), list(node.outputs), gs)
    except NoGradError as e:
        raise NoGradError(f"{e} (needed for node {node}{_where(node)})") from e
    gins = list(gins)
    if len(gins) != len(node.inputs):
        raise ValueError(f"{node.op}.L_op returned {len(gins)} gradients for {len(node.inputs)} inputs")
    return gins


def _as_input_grad(node, k, inp, g):
    from .tensor.variable import as_tensor_variable

    if not isinstance(g, Variable):
        g = as_tensor_variable(g)
    if getattr(g.type, "ndim", None) != getattr(inp.type, "ndim", None):
        raise ValueError(
            f"{node.op}.L_op returned a gradient of ndim {g.type.ndim} for input {k} ({inp}) of ndim "
            f"{inp.type.ndim} (node {node})"
        )
    if not _is_float(g):
        raise TypeError(f"{node.op}.L_op returned an integer-valued gradient {g} ({g.type}) for input {k} "
                        f"({inp}, {inp.type}); gradients must be floating point")
    if g.type.dtype != inp.type.dtype:
        g = _tm().cast(g, inp.type.dtype)
    return g


def _accumulate(v, cs):
    """The total gradient of ``v`` from its contributions."""
    if not cs:
        return None
    for c in cs:
        if _is_null(c):
            return c
    vs = [c for c in cs if c is not _ZERO]
    if not vs:
        return _ZERO
    t = vs[0] if len(vs) == 1 else _tm().add(*vs)
    return _fit_broadcast(t, v)


def _fit_broadcast(g, v):
    """Give ``g`` the broadcast pattern and dtype of ``v`` (summing axes v broadcasts)."""
    tm = _tm()
    vb = getattr(v.type, "broadcastable", None)
    if vb is not None:
        axes = [i for i, (b, gb) in enumerate(zip(vb, g.type.broadcastable)) if b and not gb]
        if axes:
            g = tm.sum(g, axis=axes, keepdims=True)
    if _is_float(v) and g.type.dtype != v.type.dtype:
        g = tm.cast(g, v.type.dtype)
    return g


def _finish(w, k, g, policy, ret, null_policy):
    """The value grad() returns for wrt[k] from its total gradient."""
    if g is None:
        _handle_disconnected(w, k, policy)
        if ret == "None":
            return None
        if ret == "Disconnected":
            return disconnected_type()
        return _float_zeros_like(w)
    if _is_null(g):
        if null_policy == "raise":
            raise NullTypeGradError(f"grad(): the gradient with respect to wrt[{k}] ({w.name or w}) is undefined: "
                                    f"{g.type.why_null}")
        return g
    if g is _ZERO:
        return _float_zeros_like(w)
    if _is_float(w) and g.type.dtype != w.type.dtype:
        g = _tm().cast(g, w.type.dtype)
    return g


def _handle_disconnected(w, k, policy):
    if policy == "ignore":
        return
    msg = (f"grad(): the cost does not depend on wrt[{k}] ({w.name or w}, {w.type}): it is disconnected "
           "from the cost")
    if policy == "raise":
        raise DisconnectedInputError(msg + ". Pass disconnected_inputs='ignore' (or 'warn') to get zeros instead.")
    warnings.warn(msg, stacklevel=4)


def _where(node):
    tr = getattr(node.tag, "trace", None)
    return f", created at {tr[0]}:{tr[1]}" if tr else ""


# ------------------------------------------------------------------ Lop, Rop


def Lop(f, wrt, eval_points, consider_constant=None, disconnected_inputs="raise"):
    """Vector-Jacobian product: sum_k eval_points[k]^T d f[k] / d wrt (reverse mode).

    ``f`` and ``eval_points`` are matching variables or lists; the result has
    the form of ``wrt`` (a list for a list, a tuple for a tuple).
    """
    fs, evs = _as_list(f), _as_list(eval_points)
    if len(fs) != len(evs):
        raise ValueError(f"Lop: {len(fs)} expressions in f but {len(evs)} eval_points")
    known = {}
    for k, (o, e) in enumerate(zip(fs, evs)):
        if not isinstance(o, Variable):
            raise TypeError(f"Lop: f[{k}] must be a symbolic variable, got {type(o).__name__}")
        known[o] = known[o] + e if o in known else e
    use_list, use_tuple = isinstance(wrt, list), isinstance(wrt, tuple)
    ret = grad(None, _as_list(wrt), consider_constant=consider_constant,
               disconnected_inputs=disconnected_inputs, known_grads=known)
    return format_as(use_list, use_tuple, ret)


def Rop(f, wrt, eval_points, disconnected_outputs="raise", return_disconnected="zero",
        use_op_rop_implementation=True):
    """Jacobian-vector product: sum_k d f / d wrt[k] . eval_points[k] (forward mode).

    With ``use_op_rop_implementation`` (Theano's behaviour) each op on the
    path applies its ``R_op``; an op without one raises
    :class:`RopNotImplementedError` naming it.  Otherwise the product is
    derived from the gradients (the "double Lop" trick: J v = d/du <J^T u, v>),
    which needs only ``L_op``.  An output that does not depend on ``wrt``
    raises (``disconnected_outputs='raise'``), warns or is returned as zeros
    / None / a disconnected marker (``return_disconnected``).
    """
    _check_choice("disconnected_outputs", disconnected_outputs, ("raise", "warn", "ignore"))
    _check_choice("return_disconnected", return_disconnected, ("zero", "None", "Disconnected"))
    use_list, use_tuple = isinstance(f, list), isinstance(f, tuple)
    fs, wrts, evs = _as_list(f), _as_list(wrt), _as_list(eval_points)
    if len(wrts) != len(evs):
        raise ValueError(f"Rop: {len(wrts)} wrt variables but {len(evs)} eval_points")
    for k, o in enumerate(fs):
        if not isinstance(o, Variable):
            raise TypeError(f"Rop: f[{k}] must be a symbolic variable, got {type(o).__name__}")
    evs = [_check_eval_point(w, e, k) for k, (w, e) in enumerate(zip(wrts, evs))]
    rs = _rop_forward(fs, wrts, evs) if use_op_rop_implementation else _rop_via_lop(fs, wrts, evs)
    out = [_finish_rop(o, r, k, disconnected_outputs, return_disconnected) for k, (o, r) in enumerate(zip(fs, rs))]
    return format_as(use_list, use_tuple, out)


def _check_eval_point(w, e, k):
    from .tensor.variable import as_tensor_variable

    if not isinstance(w, Variable):
        raise TypeError(f"Rop: wrt[{k}] must be a symbolic variable, got {type(w).__name__}")
    e = as_tensor_variable(e)
    if e.type.ndim != w.type.ndim:
        raise ValueError(f"Rop: wrt[{k}] ({w}, {w.type}) and eval_points[{k}] ({e}, {e.type}) have mismatched "
                         f"dimensionality ({w.type.ndim} vs {e.type.ndim})")
    bad = [i for i, (wb, eb) in enumerate(zip(w.type.broadcastable, e.type.broadcastable)) if wb and not eb]
    if bad:
        raise TypeError(f"Rop: eval_points[{k}] ({e.type}) is not broadcastable on axes {bad}, where wrt[{k}] "
                        f"({w.type}) is; give it the same broadcast pattern")
    if _is_float(w) and e.type.dtype != w.type.dtype:
        e = _tm().cast(e, w.type.dtype)
    return e


def _rop_forward(fs, wrts, evs):
    """Push tangents from ``wrts`` to ``fs`` through each op's R_op."""
    tang = dict(zip(wrts, evs))
    for node in io_toposort(wrts, fs):
        ins_t = [tang.get(i) if _is_float(i) else None for i in node.inputs]
        if all(t is None for t in ins_t) or not any(_is_float(o) for o in node.outputs):
            continue
        try:
            routs = node.op.R_op(list(node.inputs), ins_t)
        except (NoGradError, NotImplementedError) as e:
            raise RopNotImplementedError(
                f"Rop: {node.op} (class {type(node.op).__name__}) does not implement R_op, needed for node "
                f"{node}{_where(node)}. Use Lop, or Rop(..., use_op_rop_implementation=False), which derives "
                f"the forward derivative from the ops' gradients ({e})"
            ) from e
        routs = list(routs)
        if len(routs) != len(node.outputs):
            raise ValueError(f"{node.op}.R_op returned {len(routs)} values for {len(node.outputs)} outputs")
        for o, r in zip(node.outputs, routs):
            if r is not None and not _is_disconnected(r) and _is_float(o):
                tang[o] = _conform_tangent(r, o, node)
    return [tang.get(o) for o in fs]


def _conform_tangent(r, o, node):
    """Give the R_op result ``r`` the type of output ``o``."""
    from .tensor.variable import as_tensor_variable

    tm = _tm()
    r = as_tensor_variable(r)
    if r.type.ndim != o.type.ndim:
        raise ValueError(f"{node.op}.R_op returned {r} of ndim {r.type.ndim} for output {o} of ndim {o.type.ndim}")
    r = _fit_broadcast(r, o)
    if any(rb and not ob for rb, ob in zip(r.type.broadcastable, o.type.broadcastable)):
        r = tm.second(o, r)
    return r


def _vjp(outs, cots, wrt):
    """sum_k cots[k]^T d outs[k] / d wrt, one entry per wrt (a disconnected marker where none).

    Built as the gradient of sum_k <outs[k], cots[k]> rather than with
    known_grads, which would drop the paths from one of ``outs`` to another.
    """
    tm = _tm()
    terms = [tm.sum(o * c) for o, c in zip(outs, cots)]
    cost = terms[0] if len(terms) == 1 else tm.add(*terms)
    return grad(cost, wrt, disconnected_inputs="ignore", return_disconnected="Disconnected", add_names=False)


def _rop_via_lop(fs, wrts, evs):
    """J v = d/du <J^T u, v>: forward derivatives from two reverse passes."""
    us = {o: o.type() for o in fs if _is_float(o)}
    if not us:
        return [None] * len(fs)
    gs = _vjp(list(us), list(us.values()), wrts)
    pairs = [(g, e) for g, e in zip(gs, evs) if not _is_disconnected(g)]
    if not pairs:
        return [None] * len(fs)
    rs = _vjp([g for g, _ in pairs], [e for _, e in pairs], list(us.values()))
    by_u = {o: r for o, r in zip(us, rs) if not _is_disconnected(r)}
    # the products do not depend on u's value: any variable of u's type may stand in for it
    subst = _substitute(list(by_u.values()), {u: o for o, u in us.items()})
    by_u = dict(zip(by_u, subst))
    return [by_u.get(o) for o in fs]


def _finish_rop(o, r, k, policy, ret):
    if r is not None:
        return r
    msg = (f"Rop: output {k} ({o}) is not differentiable with respect to the provided inputs: "
           "no differentiable path leads from wrt to it")
    if policy == "raise":
        raise ValueError(msg + "; pass disconnected_outputs='ignore' to get zeros")
    if policy == "warn":
        warnings.warn(msg, stacklevel=3)
    if ret == "None":
        return None
    if ret == "Disconnected":
        return disconnected_type()
    return _float_zeros_like(o)


# ---------------------------------------------------------- graph surgery


def _dependent_nodes(sources, outputs):
    """Nodes between ``outputs`` and their ancestors that depend on ``sources`` (topological order)."""
    dep = set(sources)
    nodes = []
    for node in io_toposort(list(sources), outputs):
        if any(i in dep for i in node.inputs):
            nodes.append(node)
            dep.update(node.outputs)
    return nodes, dep


def _clone_nodes(nodes, mapping):
    """Rebuild ``nodes`` (topologically ordered) on substituted inputs; returns the memo."""
    memo = dict(mapping)
    for node in nodes:
        new = node.clone_with_new_inputs([memo.get(i, i) for i in node.inputs], strict=False)
        memo.update(zip(node.outputs, new.outputs))
    return memo


def _substitute(outputs, mapping):
    """``outputs`` with the variables in ``mapping`` replaced; shares everything else."""
    nodes, _ = _dependent_nodes(list(mapping), outputs)
    memo = _clone_nodes(nodes, mapping)
    return [memo.get(o, o) for o in outputs]


# ------------------------------------------------------- jacobian, hessian

# Up to this many rows a jacobian is unrolled into a plain graph (one backward
# sweep per row, sharing the forward graph); longer or symbolic lengths use a
# RowLoop, which evaluates the backward graph row by row at run time.
UNROLL_MAX = 256


def jacobian(expression, wrt, consider_constant=None, disconnected_inputs="raise"):
    """d expression[i] / d wrt for a vector ``expression`` (a scalar gives its gradient).

    Each result has shape ``(len(expression),) + wrt.shape``.  ``wrt`` may be
    a variable, a list or a tuple (the result has the same form).

    How: the backward graph ``J^T u`` is built once, for a placeholder
    cotangent ``u``.  Row i of the jacobian is that graph with ``u = e_i``
    (the i-th unit vector).  With a static length <= ``UNROLL_MAX`` the rows
    are copies of the u-dependent part of the backward graph (the forward
    graph is shared) stacked together: a plain graph that every backend
    compiles.  Otherwise a :class:`RowLoop` maps the u-dependent part over the
    rows of ``eye(n)`` at run time, with the forward values computed once
    outside it (what Theano does with scan).
    """
    if not isinstance(expression, Variable):
        raise TypeError(f"jacobian: expression must be a symbolic variable, got {type(expression).__name__}")
    ndim = getattr(expression.type, "ndim", None)
    if ndim not in (0, 1):
        raise ValueError(f"jacobian: expression must be a scalar or a vector, but {expression} has ndim {ndim} "
                         f"({expression.type}); flatten it first")
    use_list, use_tuple = isinstance(wrt, list), isinstance(wrt, tuple)
    wrts = _as_list(wrt)
    if ndim == 0:
        gs = grad(expression, wrts, consider_constant=consider_constant, disconnected_inputs=disconnected_inputs)
        return format_as(use_list, use_tuple, gs)
    from .config import config

    u = TensorType(expression.type.dtype if _is_float(expression) else config.floatX,
                   shape=expression.type.shape)("jacobian_cotangent")
    gs = grad(None, wrts, consider_constant=consider_constant, disconnected_inputs=disconnected_inputs,
              known_grads={expression: u}, add_names=False)
    n = expression.type.shape[0]
    if n is not None and n <= UNROLL_MAX:
        js = _jacobian_unrolled(u, gs, wrts, n)
    else:
        js = _jacobian_loop(u, gs, wrts, expression)
    return format_as(use_list, use_tuple, js)


def _jacobian_unrolled(u, gs, wrts, n):
    from .tensor.variable import _shape_module, constant

    sh = _shape_module()
    nodes, _ = _dependent_nodes([u], gs)
    rows = [[] for _ in gs]
    eye = np.eye(n, dtype=u.type.dtype)
    for i in range(n):
        memo = _clone_nodes(nodes, {u: constant(eye[i])})
        for k, g in enumerate(gs):
            rows[k].append(memo.get(g, g))
    out = []
    for r, g, w in zip(rows, gs, wrts):
        if n == 0:
            out.append(sh.zeros([0] + list(sh.shape_tuple(w)), dtype=g.type.dtype))
        else:
            out.append(sh.stack(r))
    return out


def _jacobian_loop(u, gs, wrts, expression):
    from .tensor.variable import _shape_module

    sh = _shape_module()
    nodes, dep = _dependent_nodes([u], gs)
    boundary, seen = [], set()
    for v in [i for node in nodes for i in node.inputs] + list(gs):
        if v not in dep and v not in seen and not (isinstance(v, Constant) and v not in gs):
            seen.add(v)
            boundary.append(v)
    u_in = u.type("jacobian_row")
    b_in = [b.type(b.name) for b in boundary]
    memo = _clone_nodes(nodes, {u: u_in, **dict(zip(boundary, b_in))})
    inner = [memo[g] for g in gs]
    n = sh.shape_i(expression, 0)
    eye = sh.Eye(u.type.dtype)(n, n, 0)
    likes = [(1 + len(boundary) + k, False) for k in range(len(wrts))]
    loop = RowLoop([u_in], b_in, inner, ["stack"] * len(gs), likes, n_extra=len(wrts))
    outs = loop(eye, *boundary, *wrts)
    return outs if isinstance(outs, list) else [outs]


def hessian(cost, wrt, consider_constant=None, disconnected_inputs="raise"):
    """The matrix of second derivatives of the scalar ``cost`` for each vector in ``wrt``."""
    if not isinstance(cost, Variable):
        raise TypeError(f"hessian: cost must be a symbolic variable, got {type(cost).__name__}")
    _check_cost(cost)
    use_list, use_tuple = isinstance(wrt, list), isinstance(wrt, tuple)
    out = []
    for k, w in enumerate(_as_list(wrt)):
        if not isinstance(w, Variable):
            raise TypeError(f"hessian: wrt[{k}] must be a symbolic variable, got {type(w).__name__}")
        if getattr(w.type, "ndim", None) != 1:
            raise ValueError(f"hessian: wrt[{k}] ({w}) must be a vector, got ndim {getattr(w.type, 'ndim', None)} "
                             f"({w.type})")
        g = grad(cost, w, consider_constant=consider_constant, disconnected_inputs=disconnected_inputs)
        # w may be connected to the cost but not to its gradient (a linear cost): that is no error
        out.append(jacobian(g, w, consider_constant=consider_constant, disconnected_inputs="ignore"))
    return format_as(use_list, use_tuple, out)


class RowLoop(Op):
    """Evaluate an inner graph once per row of the sequence inputs; stack or sum the results.

    Inner inputs: ``seqs`` (one row of each outer sequence, all of one
    length n), then ``nonseqs`` (the same at every row).  Each inner output
    is ``'stack'``-ed along a new leading axis or ``'sum'``-med over the
    rows.  Outer inputs: the sequences, the non-sequences, then ``n_extra``
    inputs used only for shapes.  ``likes[k] = (i, row)``: output k's row
    shape (stack) or shape (sum) is that of outer input i (without its first
    axis when ``row``), which gives shapes when n is 0.

    The gradient of a RowLoop is another RowLoop, so jacobians of jacobians
    (hessians) and gradients through them work.  Theano uses scan here;
    until arignote has scan this is the loop jacobian() needs.
    """

    def __init__(self, seqs, nonseqs, outputs, modes, likes, n_extra=0):
        self.seqs, self.nonseqs, self.inner_outputs = tuple(seqs), tuple(nonseqs), tuple(outputs)
        self.modes, self.likes, self.n_extra = tuple(modes), tuple(likes), int(n_extra)
        if not self.seqs:
            raise ValueError("RowLoop needs at least one sequence")
        if len(self.modes) != len(self.inner_outputs) or len(self.likes) != len(self.inner_outputs):
            raise ValueError("RowLoop: one mode and one 'like' per output")
        for m in self.modes:
            _check_choice("RowLoop mode", m, ("stack", "sum"))
        self._fn = None

    def __eq__(self, other):
        return self is other

    def __hash__(self):
        return id(self)

    def __str__(self):
        return f"RowLoop{{{len(self.seqs)} seqs, {len(self.nonseqs)} nonseqs, {','.join(self.modes)}}}"

    def __getstate__(self):
        d = self.__dict__.copy()
        d["_fn"] = None
        return d

    def make_node(self, *inputs):
        from .tensor.variable import as_tensor_variable

        ns, nn = len(self.seqs), len(self.nonseqs)
        if len(inputs) != ns + nn + self.n_extra:
            raise TypeError(f"{self} takes {ns + nn + self.n_extra} inputs, got {len(inputs)}")
        inputs = [as_tensor_variable(i) for i in inputs]
        for k, (outer, inner) in enumerate(zip(inputs[:ns], self.seqs)):
            if outer.type.ndim != inner.type.ndim + 1 or outer.type.dtype != inner.type.dtype:
                raise TypeError(f"{self}: sequence {k} ({outer.type}) does not hold rows of {inner.type}")
        for k, (outer, inner) in enumerate(zip(inputs[ns:ns + nn], self.nonseqs)):
            if outer.type.ndim != inner.type.ndim or outer.type.dtype != inner.type.dtype:
                raise TypeError(f"{self}: non-sequence {k} ({outer.type}) does not match {inner.type}")
        n = next((s.type.shape[0] for s in inputs[:ns] if s.type.shape[0] is not None), None)
        outs = []
        for o, mode, (li, row) in zip(self.inner_outputs, self.modes, self.likes):
            like = inputs[li].type.shape[1:] if row else inputs[li].type.shape
            shp = tuple(a if a is not None else b for a, b in zip(o.type.shape, like))
            outs.append(TensorType(o.type.dtype, shape=(n,) + shp if mode == "stack" else shp)())
        return Apply(self, inputs, outs)

    def _function(self):
        if self._fn is None:
            from .function import function

            self._fn = function(list(self.seqs) + list(self.nonseqs), list(self.inner_outputs),
                                on_unused_input="ignore")
        return self._fn

    def perform(self, node, inputs, output_storage):
        ns, nn = len(self.seqs), len(self.nonseqs)
        seqs, nonseqs = inputs[:ns], inputs[ns:ns + nn]
        n = seqs[0].shape[0]
        if any(s.shape[0] != n for s in seqs):
            raise ValueError(f"{self}: sequences of different lengths {[s.shape[0] for s in seqs]}")
        fn = self._function() if n else None
        results = [None] * len(node.outputs)
        for i in range(n):
            for k, v in enumerate(fn(*[s[i] for s in seqs], *nonseqs)):
                results[k] = self._gather(results[k], k, i, n, v, node.outputs[k].type.dtype)
        for k, (mode, (li, row)) in enumerate(zip(self.modes, self.likes)):
            if results[k] is None:  # no rows
                shp = inputs[li].shape[1:] if row else inputs[li].shape
                results[k] = np.zeros((0,) + shp if mode == "stack" else shp, dtype=node.outputs[k].type.dtype)
            output_storage[k][0] = results[k]

    def _gather(self, acc, k, i, n, v, dtype):
        if self.modes[k] == "stack":
            if acc is None:
                acc = np.empty((n,) + np.shape(v), dtype=dtype)
            acc[i] = v
            return acc
        if acc is None:
            return np.array(v, dtype=dtype, copy=True)
        acc += v
        return acc

    def infer_shape(self, fgraph, node, input_shapes):
        n = input_shapes[0][0]
        out = []
        for mode, (li, row) in zip(self.modes, self.likes):
            shp = tuple(input_shapes[li][1:] if row else input_shapes[li])
            out.append((n,) + shp if mode == "stack" else shp)
        return out

    def connection_pattern(self, node):
        nout, nin = len(node.outputs), len(self.seqs) + len(self.nonseqs)
        return [[k < nin] * nout for k in range(len(node.inputs))]

    def L_op(self, inputs, outputs, output_grads):
        ns, nn = len(self.seqs), len(self.nonseqs)
        seqs_in, seqs_out = list(self.seqs), list(inputs[:ns])
        ns_in, ns_out = list(self.nonseqs), list(inputs[ns:ns + nn])
        outs_in, cots = [], []
        for o_in, mode, g, o in zip(self.inner_outputs, self.modes, output_grads, outputs):
            if _is_disconnected(g) or _is_null(g) or not _is_float(o):
                continue
            g = g if g.type.dtype == o.type.dtype else _tm().cast(g, o.type.dtype)
            if mode == "stack":
                c = TensorType(g.type.dtype, shape=g.type.shape[1:])()
                seqs_in.append(c)
                seqs_out.append(g)
            else:
                c = g.type()
                ns_in.append(c)
                ns_out.append(g)
            outs_in.append(o_in)
            cots.append(c)
        result = [disconnected_type() for _ in inputs]
        targets = [(k, v) for k, v in enumerate(self.seqs + self.nonseqs) if _is_float(v)]
        if not outs_in or not targets:
            return result
        gs = _vjp(outs_in, cots, [v for _, v in targets])
        outs, modes, likes, where = [], [], [], []
        for (k, _), g in zip(targets, gs):
            if _is_disconnected(g):
                continue
            outs.append(g)
            where.append(k)
            modes.append("stack" if k < ns else "sum")
            likes.append((k, True) if k < ns else (len(seqs_in) + k - ns, False))
        if outs:
            vals = RowLoop(seqs_in, ns_in, outs, modes, likes)(*seqs_out, *ns_out)
            for k, v in zip(where, vals if isinstance(vals, list) else [vals]):
                result[k] = v
        return result


# --------------------------------------------------------------- verify_grad


class GradientError(Exception):
    """The symbolic gradient disagrees with finite differences (raised by verify_grad)."""

    def __init__(self, arg, err_pos, shape, val1, val2, abs_err, rel_err, abs_tol, rel_tol, pt=None):
        super().__init__()
        self.arg, self.err_pos, self.shape = arg, err_pos, shape
        self.val1, self.val2 = val1, val2
        self.abs_err, self.rel_err, self.abs_tol, self.rel_tol = abs_err, rel_err, abs_tol, rel_tol
        self.pt = pt

    def __str__(self):
        extra = ", ".join(str(a) for a in self.args)
        at = ""
        if self.pt is not None:
            at = "\n        at the point:\n" + "\n".join(
                f"          input {k}: {np.array2string(np.asarray(p), threshold=20, precision=6)}"
                for k, p in enumerate(self.pt))
        return (
            "GradientError: numeric gradient and analytic gradient exceed tolerance:\n"
            f"        At position {self.err_pos} of argument {self.arg} with shape {self.shape},\n"
            f"            val1 = {self.val1:.10g} (analytic),  val2 = {self.val2:.10g} (numeric)\n"
            f"            abs. error = {self.abs_err:.6g},  abs. tolerance = {self.abs_tol:.6g}\n"
            f"            rel. error = {self.rel_err:.6g},  rel. tolerance = {self.rel_tol:.6g}"
            + at + (f"\n        {extra}" if extra else "")
        )


_TYPE_TOL = {"float16": 5e-2, "float32": 1e-2, "float64": 1e-4}


class numeric_grad:
    """Central finite-difference gradient of a scalar function ``f`` at ``pt``.

    ``gf`` holds one array per input in ``wrt`` (all of ``pt`` by default), or
    a single array when ``pt`` is a single array.  The step is the actual
    difference of the perturbed values, so low-precision inputs are exact.
    """

    type_eps = {"float16": 1e-1, "float32": 1e-3, "float64": 1e-6}

    def __init__(self, f, pt, eps=None, out_type=None, wrt=None):
        packed = not isinstance(pt, (list, tuple))
        apt = [np.array(p) for p in ([pt] if packed else pt)]
        wrt = list(range(len(apt))) if wrt is None else list(wrt)
        if eps is None:
            eps = max((self.type_eps[apt[k].dtype.name] for k in wrt), default=self.type_eps["float64"])
        self.gf = [self._one(f, apt, k, eps) for k in wrt]
        if packed:
            self.gf = self.gf[0]

    @staticmethod
    def _one(f, apt, k, eps):
        flat = apt[k].reshape(-1)  # a view: apt[k] is a fresh contiguous copy
        g = np.zeros(apt[k].shape, dtype="float64")
        for j in range(flat.size):
            orig = flat[j].copy()
            flat[j] = orig + eps
            xp, fp = float(flat[j]), float(f(*[p.copy() for p in apt]))
            flat[j] = orig - eps
            xm, fm = float(flat[j]), float(f(*[p.copy() for p in apt]))
            flat[j] = orig
            g.flat[j] = (fp - fm) / (xp - xm)
        return g

    @staticmethod
    def abs_rel_err(a, b):
        """abs(a - b), and that over max(abs(a) + abs(b), 1e-8)."""
        abs_err = np.abs(np.asarray(a, dtype="float64") - np.asarray(b, dtype="float64"))
        rel_err = abs_err / np.maximum(np.abs(a) + np.abs(b), 1e-8)
        return np.asarray(abs_err), np.asarray(rel_err)

    def abs_rel_errors(self, g_pt):
        gf = self.gf if isinstance(self.gf, list) else [self.gf]
        g_pt = g_pt if isinstance(g_pt, (list, tuple)) else [g_pt]
        if len(g_pt) != len(gf):
            raise ValueError(f"numeric_grad: {len(g_pt)} gradients given for {len(gf)} inputs")
        return [self.abs_rel_err(a, b) for a, b in zip(g_pt, gf)]

    def max_err(self, g_pt, abs_tol, rel_tol):
        """(argument, flat position, abs error, rel error) of the worst tolerance violation.

        The violation is min(abs_err / abs_tol, rel_err / rel_tol): above 1 both
        tolerances are exceeded.
        """
        best = (-1.0, 0, 0, 0.0, 0.0)
        for arg, (abs_err, rel_err) in enumerate(self.abs_rel_errors(g_pt)):
            if abs_err.size == 0:
                continue
            if not np.all(np.isfinite(abs_err)):
                raise ValueError(f"verify_grad: non-finite gradient error for argument {arg}: {abs_err!r}")
            scaled = np.minimum(abs_err / abs_tol, rel_err / rel_tol).reshape(-1)
            pos = int(scaled.argmax())
            if scaled[pos] > best[0]:
                best = (scaled[pos], arg, pos, float(abs_err.flat[pos]), float(rel_err.flat[pos]))
        return best[1:]


def verify_grad(fun, pt, n_tests=2, rng=None, eps=None, out_type=None, abs_tol=None, rel_tol=None,
                mode=None, cast_to_output_type=False, no_debug_ref=True, *, wrt=None, input_types=None,
                backend=None):
    """Check the gradient of ``fun`` at ``pt`` against central finite differences (Theano's verify_grad).

    ``fun(*inputs)`` builds an expression (or a list of them) from symbolic
    inputs typed like the arrays in ``pt`` (axes of length 1 broadcastable).
    The floating-point outputs are projected on random weights in [0.5, 1.5)
    (``rng``: a NumPy Generator or RandomState; a fixed seed by default) and
    the gradient of that scalar is compared with finite differences,
    ``n_tests`` times with new weights.  Raises :class:`GradientError`
    (arguments, position, values, errors, the point) when both the absolute
    and the relative error exceed their tolerances (by default 1e-4 for
    float64, 1e-2 for float32, 5e-2 for float16).  ``wrt`` (indices),
    ``input_types`` and ``backend`` are arignote extensions for test
    harnesses; ``out_type`` and ``no_debug_ref`` are accepted for
    compatibility (there is no complex support or DebugMode here).
    """
    from .function import function
    from .shared import shared

    if not isinstance(pt, (list, tuple)):
        raise TypeError(f"verify_grad: pt must be a list of arrays, one per input of fun, got {type(pt).__name__}")
    pt = [np.array(p) for p in pt]
    wrt = list(range(len(pt))) if wrt is None else list(wrt)
    for k in wrt:
        if pt[k].dtype.name not in _TYPE_TOL:
            raise TypeError(f"verify_grad can work only with floating point inputs, but input {k} has dtype "
                            f"{pt[k].dtype}")
    if rng is None:
        rng = np.random.default_rng(20240601)
    xs = [input_types[k](f"input {k}") if input_types is not None and input_types[k] is not None
          else TensorType(p.dtype, shape=[1 if s == 1 else None for s in p.shape])(f"input {k}")
          for k, p in enumerate(pt)]
    outs = _float_outputs(fun(*xs))
    dtypes = [pt[k].dtype.name for k in wrt] + [o.type.dtype for o in outs if o.type.dtype in _TYPE_TOL]
    abs_tol = max(_TYPE_TOL[d] for d in dtypes) if abs_tol is None else abs_tol
    rel_tol = max(_TYPE_TOL[d] for d in dtypes) if rel_tol is None else rel_tol
    if eps is None:  # the coarsest dtype involved sets the step
        eps = max(numeric_grad.type_eps[d] for d in dtypes)
    kw = dict(mode=mode, on_unused_input="ignore", allow_input_downcast=True, backend=backend)
    shapes = [np.shape(v) for v in function(xs, outs, **kw)(*[p.copy() for p in pt])]

    def projection(shape, o):
        r = np.asarray(rng.uniform(size=shape) + 0.5)
        return r.astype("float32") if cast_to_output_type and o.type.dtype == "float32" else r

    projs = [shared(projection(s, o), name=f"random_projection_{k}") for k, (s, o) in enumerate(zip(shapes, outs))]
    terms = [_tm().sum(r * o) for r, o in zip(projs, outs)]
    cost = terms[0] if len(terms) == 1 else _tm().add(*terms)
    cost_fn = function(xs, cost, **kw)
    grad_fn = function(xs, grad(cost, [xs[k] for k in wrt], disconnected_inputs="ignore"), **kw)
    for t in range(n_tests):
        num = numeric_grad(cost_fn, pt, eps, out_type, wrt=wrt)
        ana = grad_fn(*[p.copy() for p in pt])
        _check_grad_shapes(ana, pt, wrt)
        arg, pos, abs_err, rel_err = num.max_err(ana, abs_tol, rel_tol)
        if abs_err > abs_tol and rel_err > rel_tol:
            k = wrt[arg]
            raise GradientError(k, pos, pt[k].shape, float(np.asarray(ana[arg]).flat[pos]),
                                float(num.gf[arg].flat[pos]), abs_err, rel_err, abs_tol, rel_tol, pt=pt)
        if t < n_tests - 1:
            for r, s, o in zip(projs, shapes, outs):
                r.set_value(projection(s, o), borrow=True)


verify_grad.E_grad = GradientError


def _float_outputs(outs):
    from .tensor.variable import as_tensor_variable

    outs = [as_tensor_variable(o) for o in _as_list(outs)]
    fouts = [o for o in outs if o.type.dtype.startswith("float")]
    if not fouts:
        raise TypeError(f"verify_grad: fun has no floating-point output to differentiate "
                        f"(output dtypes {[o.type.dtype for o in outs]})")
    return fouts


def _check_grad_shapes(ana, pt, wrt):
    for g, k in zip(ana, wrt):
        if np.shape(g) != pt[k].shape:
            raise ValueError(f"verify_grad: the symbolic gradient of input {k} has shape {np.shape(g)}, "
                             f"the input {pt[k].shape}")
