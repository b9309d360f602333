"""The swish op: ``swish(x) = x * sigmoid(x) = x / (1 + exp(-x))``.

It is a scalar op wrapped by arignote's Elemwise, so it broadcasts, fuses with
its neighbours and differentiates like arignote's own elementwise ops.  The
NumPy function below is its reference; ``swish(-inf)`` is -0, the limit.
"""
from __future__ import annotations

import numpy as np

from arignote import scalar as ps
from arignote.tensor.elemwise import Elemwise

NAME = "swish"


def swish_numpy(x):
    """The NumPy reference (what every backend must reproduce)."""
    with np.errstate(over="ignore", invalid="ignore"):
        out = x / (1 + np.exp(-x))
    return np.where(np.isneginf(x), -0.0, out).astype(x.dtype, copy=False)


def _grad(inputs, output, gz):
    """d swish / dx = s + swish(x) * (1 - s), with s = sigmoid(x)."""
    from arignote.tensor import math as tm

    (x,) = inputs
    s = tm.sigmoid(x)
    return [gz * (s + output * (1 - s))]


def _scalar_op():
    existing = ps.all_scalar_ops().get(NAME)
    if existing is not None:  # the module was imported twice (e.g. reloaded by a test)
        return existing
    return ps.ScalarOp(NAME, 1, swish_numpy, "float", _grad)


scalar_swish = _scalar_op()
swish_op = Elemwise(scalar_swish)


def swish(x):
    """``x * sigmoid(x)``, elementwise."""
    return swish_op(x)
