"""Reverse mode: ``grad`` (with known_grads, consider_constant and the
disconnected/null policies) and ``Lop``, the vector-Jacobian product."""
from __future__ import annotations

import warnings

from ..graph import Variable
from .backprop import _backprop
from .common import _as_list, _check_choice, _float_zeros_like, _is_float, _tm, format_as
from ..errors import DisconnectedInputError, NullTypeGradError
from ..grad_markers import _ZERO, _is_disconnected, _is_null, disconnected_type


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
    wrt_list = _check_wrt(_as_list(wrt))
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


def _check_wrt(wrt_list):
    for k, w in enumerate(wrt_list):
        if not isinstance(w, Variable):
            raise TypeError(f"grad(): wrt[{k}] must be a symbolic variable, got {type(w).__name__}: {w!r}")
    return wrt_list


def _check_consider_constant(cc):
    """The set of blocking variables, after checking ``cc`` is a list of variables."""
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
    seeds = {}
    for v, g in (known_grads or {}).items():
        if not isinstance(v, Variable):
            raise TypeError(f"grad(): known_grads keys must be symbolic variables, got {type(v).__name__}")
        if not _is_disconnected(g):
            seeds[v] = _known_seed(v, g)
    if cost is not None and cost not in seeds:
        seeds[cost] = _tm().ones_like(cost) if _is_float(cost) else _ZERO
    return seeds


def _known_seed(v, g):
    """The known gradient ``g`` of ``v``, checked (float, same ndim) and cast to v's dtype."""
    from ..tensor.variable import as_tensor_variable

    if not isinstance(g, Variable):
        g = as_tensor_variable(g)
    if _is_null(g):
        return g
    if not _is_float(g):
        raise TypeError(f"grad(): the known gradient {g} of {v} has dtype {g.type.dtype}; "
                        "gradients must be floating point")
    if g.type.ndim != getattr(v.type, "ndim", None):
        raise ValueError(f"grad(): the known gradient {g} ({g.type}) of {v} ({v.type}) has ndim "
                         f"{g.type.ndim}, the variable {getattr(v.type, 'ndim', None)}")
    if not _is_float(v):
        return _ZERO
    if g.type.dtype != v.type.dtype:
        g = _tm().cast(g, v.type.dtype)
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
    warnings.warn(msg, stacklevel=4)  # _handle_disconnected <- _finish <- grad <- the caller


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


def _vjp(outs, cots, wrt):
    """sum_k cots[k]^T d outs[k] / d wrt, one entry per wrt (a disconnected marker where none).

    Built as the gradient of sum_k <outs[k], cots[k]> rather than with
    known_grads, which would drop the paths from one of ``outs`` to another.
    """
    tm = _tm()
    terms = [tm.sum(o * c) for o, c in zip(outs, cots)]
    cost = terms[0] if len(terms) == 1 else tm.add(*terms)
    return grad(cost, wrt, disconnected_inputs="ignore", return_disconnected="Disconnected", add_names=False)
