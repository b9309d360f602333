"""Small helpers shared by the differentiation modules."""
from __future__ import annotations


def _is_float(v):
    return getattr(v.type, "dtype", "").startswith(("float", "complex"))


def _tm():
    """``arignote.tensor.math``, imported late (it imports this package)."""
    from ..tensor import math as tm

    return tm


def _float_zeros_like(v):
    """Zeros shaped like ``v``: its dtype when floating point, else ``config.floatX``."""
    from ..config import config

    return _tm().zeros_like(v, dtype=None if _is_float(v) else config.floatX)


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


def _where(node):
    """Where the user built ``node`` (", created at file:line"), or "" when unrecorded."""
    tr = getattr(node.tag, "trace", None)
    return f", created at {tr[0]}:{tr[1]}" if tr else ""
