"""Forward mode: ``Rop``, the Jacobian-vector product (each op's ``R_op``, or two reverse passes)."""
from __future__ import annotations

import warnings

from ..graph import Constant, Variable, io_toposort
from .common import _as_list, _check_choice, _fit_broadcast, _float_zeros_like, _is_float, _tm, _where, format_as
from ..errors import NoGradError, RopNotImplementedError
from ..grad_markers import _is_disconnected, disconnected_type
from .reverse import _vjp
from .surgery import _substitute


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
    out = []
    for k, (o, r) in enumerate(zip(fs, rs)):  # a loop, not a comprehension: warnings' stacklevel counts frames
        out.append(_finish_rop(o, r, k, disconnected_outputs, return_disconnected))
    return format_as(use_list, use_tuple, out)


def _check_eval_point(w, e, k):
    """``e`` as a tensor of wrt[k]'s ndim, broadcast pattern and (float) dtype."""
    from ..tensor.variable import as_tensor_variable

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
    """Push tangents from ``wrts`` to ``fs`` through each op's R_op.

    As in Theano, an input that ``wrt`` does not reach (a free input such as ``x`` in
    ``dot(x, W)``, or a value computed from such inputs; constants aside) enters the R_op of
    the nodes using it with ``zeros_like(input)`` as its evaluation point, so the product
    stays a function of every input it was taken over: ``Rop(dot(x, W), W, V)`` depends
    on W, and ``function([W, V, x], JV)`` accepts W.  Elemwise and dot add no term for a
    zero evaluation point (exact: no ``inf * 0``), only that dependence.
    """
    tang = dict(zip(wrts, evs))
    zeros = {}  # input -> its zero evaluation point (not a tangent: nothing flows from it)
    for node in io_toposort(wrts, fs):
        ins_t = [tang.get(i) if _is_float(i) else None for i in node.inputs]
        if all(t is None for t in ins_t) or not any(_is_float(o) for o in node.outputs):
            continue
        ins_t = [_zero_eval_point(i, zeros) if t is None else t for i, t in zip(node.inputs, ins_t)]
        routs = _call_r_op(node, ins_t)
        for o, r in zip(node.outputs, routs):
            if r is not None and not _is_disconnected(r) and _is_float(o):
                tang[o] = _conform_tangent(r, o, node)
    return [tang.get(o) for o in fs]


def _zero_eval_point(v, zeros):
    """``zeros_like(v)`` for a floating-point tensor ``v`` that is not a constant; else None."""
    if isinstance(v, Constant) or not _is_float(v) or not hasattr(v.type, "ndim"):
        return None
    z = zeros.get(v)
    if z is None:
        z = zeros[v] = _tm().zeros_like(v)
    return z


def _call_r_op(node, ins_t):
    """``node.op.R_op`` on the input tangents; a missing R_op raises RopNotImplementedError."""
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
    return routs


def _conform_tangent(r, o, node):
    """Give the R_op result ``r`` the type of output ``o``."""
    from ..tensor.variable import as_tensor_variable

    tm = _tm()
    r = as_tensor_variable(r)
    if r.type.ndim != o.type.ndim:
        raise ValueError(f"{node.op}.R_op returned {r} of ndim {r.type.ndim} for output {o} of ndim {o.type.ndim}")
    r = _fit_broadcast(r, o)
    if any(rb and not ob for rb, ob in zip(r.type.broadcastable, o.type.broadcastable)):
        r = tm.second(o, r)
    return r


def _rop_via_lop(fs, wrts, evs):
    """J v = d/du <J^T u, v>: forward derivatives from two reverse passes."""
    us = {o: o.type.make_variable() for o in fs if _is_float(o)}
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
    """The value Rop returns for output k: ``r``, or what the disconnected policy says."""
    if r is not None:
        return r
    msg = (f"Rop: output {k} ({o}) is not differentiable with respect to the provided inputs: "
           "no differentiable path leads from wrt to it")
    if policy == "raise":
        raise ValueError(msg + "; pass disconnected_outputs='ignore' to get zeros")
    if policy == "warn":
        warnings.warn(msg, stacklevel=3)  # _finish_rop <- Rop <- the caller
    if ret == "None":
        return None
    if ret == "Disconnected":
        return disconnected_type()
    return _float_zeros_like(o)
