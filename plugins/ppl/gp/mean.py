"""Mean functions of ``pm.gp.mean`` (PyMC3 3.11): ``Zero``, ``Constant``, ``Linear``, and their
sums and products; ``mean(X)`` is the vector of means at the rows of X."""
from __future__ import annotations

import arignote.tensor as T

__all__ = ["Zero", "Constant", "Linear"]


def _n(X):
    return T.as_tensor_variable(X).shape[0]


class Mean:
    """Base of the mean functions."""

    def __call__(self, X):
        raise NotImplementedError(f"{type(self).__name__} does not define __call__")

    def __add__(self, other):
        return Add(self, other)

    def __mul__(self, other):
        return Prod(self, other)


class Zero(Mean):
    """``m(x) = 0``."""

    def __call__(self, X):
        return T.alloc(0.0, _n(X))


class Constant(Mean):
    """``m(x) = c``."""

    def __init__(self, c=0):
        self.c = c

    def __call__(self, X):
        return T.alloc(1.0, _n(X)) * self.c


class Linear(Mean):
    """``m(x) = x . coeffs + intercept``."""

    def __init__(self, coeffs, intercept=0):
        self.b, self.A = intercept, coeffs

    def __call__(self, X):
        out = T.dot(T.as_tensor_variable(X), self.A)
        return (T.flatten(out) if out.ndim == 2 else out) + self.b


class Add(Mean):
    def __init__(self, first_mean, second_mean):
        self.m1, self.m2 = first_mean, second_mean

    def __call__(self, X):
        return self.m1(X) + self.m2(X)


class Prod(Mean):
    def __init__(self, first_mean, second_mean):
        self.m1, self.m2 = first_mean, second_mean

    def __call__(self, X):
        return self.m1(X) * self.m2(X)
