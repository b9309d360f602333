"""Reverse-mode symbolic differentiation (``grad``) and the gradient-control ops."""
from __future__ import annotations

import warnings

import numpy as np

from .graph import Apply, Op, Variable, io_toposort, graph_inputs
from .types import Type


class NoGradError(TypeError):
    """An op (or scalar op) has no gradient for this input."""


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


def disconnected_type():
    return Variable(DisconnectedType())


def _is_disconnected(g):
    return g is None or isinstance(getattr(g, "type", None), DisconnectedType)


def _is_float(v):
    return getattr(v.type, "dtype", "").startswith(("float", "complex"))


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
        from .tensor import math as tm

        return [tm.zeros_like(inputs[0])]

    def R_op(self, inputs, eval_points):
        from .tensor import math as tm

        return [tm.zeros_like(inputs[0])]


class DisconnectedGrad(ViewOp):
    """Forward identity; gradients do not flow through it (the input counts as disconnected)."""

    def L_op(self, inputs, outputs, output_grads):
        return [disconnected_type()]

    def connection_pattern(self, node):
        return [[False]]

    def R_op(self, inputs, eval_points):
        from .tensor import math as tm

        return [tm.zeros_like(inputs[0])]


class GradClip(ViewOp):
    """Forward identity; the gradient is clipped to [lower, upper]."""

    __props__ = ("lower", "upper")

    def __init__(self, lower, upper):
        if lower > upper:
            raise ValueError(f"grad_clip: lower bound {lower} exceeds upper bound {upper}")
        self.lower, self.upper = float(lower), float(upper)

    def L_op(self, inputs, outputs, output_grads):
        from .tensor import math as tm

        return [tm.clip(output_grads[0], self.lower, self.upper)]


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
    return GradScale(multiplier)(x)


# ---------------------------------------------------------------------- grad


def grad(cost, wrt, consider_constant=None, disconnected_inputs="raise", add_names=True,
         known_grads=None, return_disconnected="zero", null_gradients="raise"):
    """Symbolic gradient of scalar ``cost`` with respect to ``wrt`` (a variable or a list).

    Integer and boolean inputs get zero gradients; ``disconnected_inputs``
    ('raise', 'warn', 'ignore') says what to do for an input the cost does not
    depend on, and ``return_disconnected`` ('zero', 'None', 'Disconnected')
    what to return for it.
    """
    from .tensor.variable import as_tensor_variable

    if disconnected_inputs not in ("raise", "warn", "ignore"):
        raise ValueError(f"disconnected_inputs must be 'raise', 'warn' or 'ignore', got {disconnected_inputs!r}")
    if return_disconnected not in ("zero", "None", "Disconnected"):
        raise ValueError(f"return_disconnected must be 'zero', 'None' or 'Disconnected', got {return_disconnected!r}")
    if cost is None and not known_grads:
        raise ValueError("grad() needs a cost or known_grads")
    if cost is not None:
        if not isinstance(cost, Variable):
            raise TypeError(f"grad(): cost must be a symbolic variable, got {type(cost).__name__}")
        if getattr(cost.type, "ndim", 0) != 0:
            raise TypeError(
                f"grad(): cost must be a scalar (0-d), but {cost} has ndim {cost.type.ndim} ({cost.type}); "
                "sum or average it first, or use jacobian()"
            )
        if not _is_float(cost) and cost.type.dtype is not None:
            pass  # integer cost: every gradient is zero, handled below
    single = not isinstance(wrt, (list, tuple))
    wrt_list = [wrt] if single else list(wrt)
    for k, w in enumerate(wrt_list):
        if not isinstance(w, Variable):
            raise TypeError(f"grad(): wrt[{k}] must be a symbolic variable, got {type(w).__name__}")

    seeds = {}
    if known_grads:
        for v, g in known_grads.items():
            seeds[v] = as_tensor_variable(g) if not isinstance(g, Variable) else g
    if cost is not None and cost not in seeds:
        from .tensor import math as tm

        if _is_float(cost):
            seeds[cost] = tm.ones_like(cost)
        else:
            seeds[cost] = None  # integer cost: nothing flows
    blockers = set(consider_constant or ())
    totals = _backprop(seeds, wrt_list, blockers)

    out = []
    for k, w in enumerate(wrt_list):
        g = totals.get(w)
        if g is None:
            g = _disconnected_result(w, k, disconnected_inputs, return_disconnected)
        elif _is_float(w) and g.type.dtype != w.type.dtype:
            from .tensor import math as tm

            g = tm.cast(g, w.type.dtype)
        if g is not None and add_names and getattr(g, "name", None) is None and w.name and cost is not None:
            cname = cost.name or "cost"
            try:
                g.name = f"(d{cname}/d{w.name})"
            except AttributeError:
                pass
        out.append(g)
    return out[0] if single else out


def _disconnected_result(w, k, policy, ret):
    from .tensor import math as tm

    if _is_float(w) or policy != "raise":
        msg = (
            f"grad(): the cost does not depend on wrt[{k}] ({w.name or w}, {w.type}): "
            "it is disconnected from the cost"
        )
        if _is_float(w):
            if policy == "raise":
                raise DisconnectedInputError(
                    msg + ". Pass disconnected_inputs='ignore' (or 'warn') to get zeros instead."
                )
            if policy == "warn":
                warnings.warn(msg, stacklevel=4)
    if ret == "None":
        return None
    if ret == "Disconnected":
        return disconnected_type()
    if _is_float(w):
        return tm.zeros_like(w)
    from .config import config

    return tm.zeros_like(w, dtype=config.floatX)


def _backprop(seeds, wrt_list, blockers):
    """Accumulate gradients from ``seeds`` back to ``wrt_list``; returns {var: total grad}."""
    wrt_set = set(wrt_list)
    outputs = [v for v in seeds]
    nodes = io_toposort(list(wrt_set | blockers), outputs)
    # forward: which variables depend on some wrt (through non-blocked paths)
    depends = set(wrt_set)
    for node in nodes:
        if any(i in depends for i in node.inputs):
            depends.update(node.outputs)
    contribs = {}
    for v, g in seeds.items():
        if g is not None and (v in depends):
            contribs.setdefault(v, []).append(g)
    totals = {}

    def total(v):
        if v in totals:
            return totals[v]
        cs = contribs.pop(v, None)
        if not cs:
            totals[v] = None
            return None
        if len(cs) == 1:
            t = cs[0]
        else:
            from .tensor import math as tm

            t = tm.add(*cs)
        totals[v] = t
        return t

    for node in reversed(nodes):
        if not any(o in depends for o in node.outputs):
            continue
        gouts = [total(o) for o in node.outputs]
        if all(g is None for g in gouts):
            continue
        if not any(i in depends and i not in blockers for i in node.inputs):
            continue
        from .tensor import math as tm

        gouts = [g if g is not None else (tm.zeros_like(o) if _is_float(o) else disconnected_type())
                 for g, o in zip(gouts, node.outputs)]
        gouts = [g if (_is_disconnected(g) or not _is_float(o) or g.type.dtype == o.type.dtype)
                 else tm.cast(g, o.type.dtype) for g, o in zip(gouts, node.outputs)]
        try:
            gins = node.op.L_op(list(node.inputs), list(node.outputs), gouts)
        except NoGradError as e:
            raise NoGradError(f"{e} (needed for node {node}{_where(node)})") from None
        if len(gins) != len(node.inputs):
            raise ValueError(f"{node.op}.L_op returned {len(gins)} gradients for {len(node.inputs)} inputs")
        for inp, g in zip(node.inputs, gins):
            if inp not in depends or inp in blockers or _is_disconnected(g) or not _is_float(inp):
                continue
            if isinstance(g, (int, float, np.ndarray)):
                from .tensor.variable import as_tensor_variable

                g = as_tensor_variable(g)
            _check_grad_type(node, inp, g)
            contribs.setdefault(inp, []).append(g)
    return {w: total(w) for w in wrt_list}


def _check_grad_type(node, inp, g):
    if getattr(g.type, "ndim", None) != getattr(inp.type, "ndim", None):
        raise ValueError(
            f"{node.op}.L_op returned a gradient of ndim {g.type.ndim} for input {inp} of ndim "
            f"{inp.type.ndim} (node {node})"
        )


def _where(node):
    tr = getattr(node.tag, "trace", None)
    return f", created at {tr[0]}:{tr[1]}" if tr else ""
