"""Gradient markers: disconnected (no dependence), null (undefined) and zero.

During the reverse walk a variable's gradient is ``None`` (disconnected: the
cost does not depend on it), ``_ZERO`` (connected but identically zero: an
integer or boolean value, or what flows into it) or a Variable.  Ops return
a :func:`disconnected_type` variable or a :class:`NullType` one
(:func:`grad_undefined`, :func:`grad_not_implemented`) from ``L_op``.
"""
from __future__ import annotations

from .graph import Variable
from .types import Type


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
    """A fresh marker variable: the output does not depend on this input."""
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
