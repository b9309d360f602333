"""Transforms from a constrained support to the real line, with their Jacobians.

A transformed variable ``x`` is sampled as ``y = forward(x)`` named
``x_<transform.name>__``; the model adds ``log|d backward / dy|`` (``jacobian_det``)
to the log-density so that the density of ``y`` is right.
"""
from __future__ import annotations

import numpy as np

import arignote.tensor as T

from .graph_eval import evaluate


class Transform:
    """Base: ``forward`` (x -> y), ``backward`` (y -> x), ``jacobian_det`` (log|dx/dy| elementwise)."""

    name = ""

    def forward(self, x):
        raise NotImplementedError

    def forward_val(self, x, point=None):
        """``forward`` on NumPy values."""
        return np.asarray(evaluate(self.forward(T.as_tensor_variable(np.asarray(x)))))

    def backward(self, y):
        raise NotImplementedError

    def jacobian_det(self, y):
        raise NotImplementedError

    def apply(self, dist):
        return TransformedDistribution.dist(dist, self)

    def __str__(self):
        return self.name + " transform"


class ElemwiseTransform(Transform):
    pass


class Log(ElemwiseTransform):
    name = "log"

    def forward(self, x):
        return T.log(x)

    def backward(self, y):
        return T.exp(y)

    def jacobian_det(self, y):
        return y

    def forward_val(self, x, point=None):
        return np.log(x)


class LogExpM1(ElemwiseTransform):
    name = "log_exp_m1"

    def forward(self, x):
        return T.log(T.expm1(x))

    def backward(self, y):
        return T.softplus(y)

    def jacobian_det(self, y):
        return -T.softplus(-y)


class LogOdds(ElemwiseTransform):
    name = "logodds"

    def forward(self, x):
        return T.log(x) - T.log1p(-x)

    def backward(self, y):
        return T.sigmoid(y)

    def jacobian_det(self, y):
        return -T.softplus(-y) - T.softplus(y)

    def forward_val(self, x, point=None):
        x = np.asarray(x, dtype=float)
        return np.log(x) - np.log1p(-x)


class Interval(ElemwiseTransform):
    """``(a, b) -> R``: y = log(x - a) - log(b - x)."""

    name = "interval"

    def __init__(self, a, b):
        self.a = T.as_tensor_variable(a)
        self.b = T.as_tensor_variable(b)

    def forward(self, x):
        a, b = self.a, self.b
        return T.log(x - a) - T.log(b - x)

    def backward(self, y):
        a, b = self.a, self.b
        return T.sigmoid(y) * (b - a) + a

    def jacobian_det(self, y):
        return T.log(self.b - self.a) - T.softplus(-y) - T.softplus(y)


class LowerBound(ElemwiseTransform):
    """``(a, inf) -> R``: y = log(x - a)."""

    name = "lowerbound"

    def __init__(self, a):
        self.a = T.as_tensor_variable(a)

    def forward(self, x):
        return T.log(x - self.a)

    def backward(self, y):
        return T.exp(y) + self.a

    def jacobian_det(self, y):
        return y


class UpperBound(ElemwiseTransform):
    """``(-inf, b) -> R``: y = log(b - x)."""

    name = "upperbound"

    def __init__(self, b):
        self.b = T.as_tensor_variable(b)

    def forward(self, x):
        return T.log(self.b - x)

    def backward(self, y):
        return self.b - T.exp(y)

    def jacobian_det(self, y):
        return y


class Ordered(Transform):
    """Increasing vectors: y0 = x0, yi = log(xi - x(i-1))."""

    name = "ordered"

    def forward(self, x):
        return T.concatenate([x[..., :1], T.log(x[..., 1:] - x[..., :-1])], axis=-1)

    def backward(self, y):
        return T.cumsum(T.concatenate([y[..., :1], T.exp(y[..., 1:])], axis=-1), axis=-1)

    def jacobian_det(self, y):
        return T.sum(y[..., 1:], axis=-1)


class SumTo1(Transform):
    """Simplex vectors sampled through their first k-1 entries."""

    name = "sumto1"

    def forward(self, x):
        return x[..., :-1]

    def backward(self, y):
        return T.concatenate([y, 1 - T.sum(y, axis=-1, keepdims=True)], axis=-1)

    def jacobian_det(self, y):
        return T.zeros_like(T.sum(y, axis=-1))

    def transformed_shape(self, shape):
        return tuple(shape[:-1]) + (shape[-1] - 1,)


class StickBreaking(Transform):
    """Simplex of k entries <-> R^(k-1) (centred additive log-ratio, as PyMC3 3.x does)."""

    name = "stickbreaking"

    def forward(self, x):
        lx = T.log(x)
        return lx[..., :-1] - T.mean(lx, axis=-1, keepdims=True)

    def forward_val(self, x, point=None):
        lx = np.log(np.asarray(x, dtype=float))
        return lx[..., :-1] - lx.mean(axis=-1, keepdims=True)

    def backward(self, y):
        z = T.concatenate([y, -T.sum(y, axis=-1, keepdims=True)], axis=-1)
        e = T.exp(z - T.max(z, axis=-1, keepdims=True))
        return e / T.sum(e, axis=-1, keepdims=True)

    def jacobian_det(self, y):
        k = y.shape[-1] + 1
        z = T.concatenate([y, -T.sum(y, axis=-1, keepdims=True)], axis=-1)
        return T.sum(z, axis=-1) - k * T.logsumexp(z, axis=-1) + T.log(T.cast(k, "float64"))

    def transformed_shape(self, shape):
        return tuple(shape[:-1]) + (shape[-1] - 1,)


class Circular(ElemwiseTransform):
    name = "circular"

    def forward(self, x):
        return T.as_tensor_variable(x)

    def backward(self, y):
        return T.arctan2(T.sin(y), T.cos(y))

    def jacobian_det(self, y):
        return T.zeros_like(y)


class CholeskyCovPacked(Transform):
    """Packed lower-triangular Cholesky factors: the log of the diagonal entries."""

    name = "cholesky-cov-packed"

    def __init__(self, n):
        self.diag_idxs = np.cumsum(np.arange(1, n + 1)) - 1

    def backward(self, y):
        return T.set_subtensor(y[self.diag_idxs], T.exp(y[self.diag_idxs]))

    def forward(self, x):
        return T.set_subtensor(x[self.diag_idxs], T.log(x[self.diag_idxs]))

    def forward_val(self, x, point=None):
        y = np.array(x, dtype=float)
        y[..., self.diag_idxs] = np.log(y[..., self.diag_idxs])
        return y

    def jacobian_det(self, y):
        return T.sum(y[self.diag_idxs])


log = Log()
logodds = LogOdds()
log_exp_m1 = LogExpM1()
stick_breaking = StickBreaking()
sum_to_1 = SumTo1()
ordered = Ordered()
circular = Circular()
interval = Interval
lowerbound = LowerBound
upperbound = UpperBound


def _bounded(lower, upper):
    """The transform of a support bounded by ``lower`` and/or ``upper`` (None: unbounded)."""
    if lower is not None and upper is not None:
        return Interval(lower, upper)
    if lower is not None:
        return LowerBound(lower)
    if upper is not None:
        return UpperBound(upper)
    return None


class TransformedDistribution:
    """The distribution of ``y = transform.forward(x)`` for ``x ~ dist`` (created by ``Transform.apply``)."""

    @classmethod
    def dist(cls, dist, transform):
        self = cls.__new__(cls)
        self.dist_ = self.base = dist
        self.transform_used = transform
        shape = tuple(dist.shape)
        if hasattr(transform, "transformed_shape") and shape:
            shape = transform.transformed_shape(shape)
        self.shape = shape
        self.shape_given = dist.shape_given
        self.dtype = dist.dtype
        self.transform = None
        self.ndim_supp = dist.ndim_supp
        return self

    def default(self):
        return np.asarray(self.transform_used.forward_val(self.dist_.default()), dtype=self.dtype)

    def logp(self, y):
        x = self.transform_used.backward(y)
        jac = self.transform_used.jacobian_det(y)
        return self.dist_.logp(x) + jac

    def logp_nojac(self, y):
        return self.dist_.logp(self.transform_used.backward(y))

    def param_items(self):
        return self.dist_.param_items()

    def random(self, point=None, size=None):
        return self.transform_used.forward_val(self.dist_.random(point=point, size=size))

    def __getattr__(self, name):
        if name.startswith("__") or name in ("dist_", "base"):
            raise AttributeError(name)
        return getattr(self.dist_, name)
