"""The kinds of random variables a model holds (PyMC3's FreeRV, ObservedRV, TransformedRV).

Each is an arignote TensorVariable, usable in any expression, carrying the
distribution it was drawn from and the model that owns it.
"""
from __future__ import annotations

import arignote.tensor as T

from .factor import Factor

TensorVariable = T.TensorVariable


class _RV(Factor):
    """Shared conveniences of the model's variables (PyMC3's ``Factor`` functions included)."""

    @property
    def init_value(self):
        return self.tag.test_value

    def random(self, point=None, size=None):
        """Draws from the variable's distribution, its parameters taken from ``point``."""
        return self.distribution.random(point=point, size=size)

    def __str__(self):  # PyMC3 3.11 prints ``name ~ Dist``
        return f"{self.name} ~ {type(self.distribution).__name__}"

    __repr__ = __str__

    def _repr_latex_(self):  # notebooks show ``name ~ Dist``
        return f"$\\text{{{self.name}}} \\sim \\text{{{type(self.distribution).__name__}}}$"

    __latex__ = _repr_latex_


class FreeRV(_RV, TensorVariable):
    """A free random variable: a root of the model's graph, sampled by the step methods."""


class ObservedRV(_RV, TensorVariable):
    """An observed random variable: its value is the data; it adds the data's log-likelihood."""


class TransformedRV(_RV, TensorVariable):
    """The untransformed value of a transformed variable: ``transform.backward(var.transformed)``."""


class MultiObservedRV(_RV, TensorVariable):
    """Observed variable whose data is a dict of several arrays (DensityDist with observed={...})."""


class PointGraph(TensorVariable):
    """A model's graph that can also be called on a point dict (compiled once, cached by the model)."""

    def __call__(self, point):
        return self.model.fn(self)(point)


def retype(var, cls):
    """Give an expression variable one of the classes above (same layout: only the class changes)."""
    var.__class__ = cls
    return var
