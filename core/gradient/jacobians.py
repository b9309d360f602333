"""``jacobian`` (rows unrolled for short static lengths, else a RowLoop) and ``hessian``."""
from __future__ import annotations

import numpy as np

from ..graph import Constant, Variable
from ..types import TensorType
from .common import _as_list, _is_float, format_as
from .reverse import _check_cost, grad
from .rowloop import RowLoop
from .surgery import _clone_nodes, _dependent_nodes
from ..tensor import basic, shape_ops


def _unroll_max():
    """``arignote.gradient.UNROLL_MAX``, read at call time so that setting it there takes effect."""
    from .. import gradient

    return gradient.UNROLL_MAX


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
    ndim = _check_expression(expression)
    use_list, use_tuple = isinstance(wrt, list), isinstance(wrt, tuple)
    wrts = _as_list(wrt)
    if ndim == 0:
        gs = grad(expression, wrts, consider_constant=consider_constant, disconnected_inputs=disconnected_inputs)
        return format_as(use_list, use_tuple, gs)
    from ..config import config

    u = TensorType(expression.type.dtype if _is_float(expression) else config.floatX,
                   shape=expression.type.shape)("jacobian_cotangent")
    gs = grad(None, wrts, consider_constant=consider_constant, disconnected_inputs=disconnected_inputs,
              known_grads={expression: u}, add_names=False)
    n = expression.type.shape[0]
    if n is not None and n <= _unroll_max():
        js = _jacobian_unrolled(u, gs, wrts, n)
    else:
        js = _jacobian_loop(u, gs, wrts, expression)
    return format_as(use_list, use_tuple, js)


def _check_expression(expression):
    """The ndim (0 or 1) of jacobian's ``expression``; anything else raises."""
    if not isinstance(expression, Variable):
        raise TypeError(f"jacobian: expression must be a symbolic variable, got {type(expression).__name__}")
    ndim = getattr(expression.type, "ndim", None)
    if ndim not in (0, 1):
        raise ValueError(f"jacobian: expression must be a scalar or a vector, but {expression} has ndim {ndim} "
                         f"({expression.type}); flatten it first")
    return ndim


def _jacobian_unrolled(u, gs, wrts, n):
    """One copy of the u-dependent backward graph per row (u = e_i), stacked."""
    from ..tensor.variable import constant

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
            out.append(basic.zeros([0] + list(shape_ops.shape_tuple(w)), dtype=g.type.dtype))
        else:
            out.append(basic.stack(r))
    return out


def _jacobian_loop(u, gs, wrts, expression):
    """A RowLoop over the rows of eye(n) evaluating the u-dependent backward graph."""
    nodes, dep = _dependent_nodes([u], gs)
    boundary = _boundary(nodes, dep, gs)
    u_in = u.type("jacobian_row")
    b_in = [b.type(b.name) for b in boundary]
    memo = _clone_nodes(nodes, {u: u_in, **dict(zip(boundary, b_in))})
    inner = [memo[g] for g in gs]
    n = shape_ops.shape_i(expression, 0)
    eye = basic.Eye(u.type.dtype)(n, n, 0)
    likes = [(1 + len(boundary) + k, False) for k in range(len(wrts))]
    loop = RowLoop([u_in], b_in, inner, ["stack"] * len(gs), likes, n_extra=len(wrts))
    outs = loop(eye, *boundary, *wrts)
    return outs if isinstance(outs, list) else [outs]


def _boundary(nodes, dep, gs):
    """Values the u-dependent nodes (and gradients) read from outside: the loop's non-sequences."""
    boundary, seen = [], set()
    for v in [i for node in nodes for i in node.inputs] + list(gs):
        if v not in dep and v not in seen and not (isinstance(v, Constant) and v not in gs):
            seen.add(v)
            boundary.append(v)
    return boundary


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
