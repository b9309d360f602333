"""Neural-network helpers (Theano's ``T.nnet``): softmax, log_softmax, activations and losses."""
from __future__ import annotations

import numpy as np

from ..graph import Apply, Op, Variable
from ..types import INT_DTYPES, TensorType
from .. import scalar as ps
from . import math as tm
from .math import relu, sigmoid, softplus
from .variable import _TensorMixin, as_tensor_variable
from . import basic, shape_ops

__all__ = [
    "Softmax", "LogSoftmax", "CategoricalCrossentropy1Hot", "CategoricalCrossentropy1HotGrad",
    "softmax", "log_softmax", "logsoftmax", "softmax_graph", "softmax_with_bias", "sigmoid", "softplus",
    "relu", "log_sigmoid", "softsign", "elu", "selu", "hard_sigmoid", "ultra_fast_sigmoid",
    "binary_crossentropy", "sigmoid_binary_crossentropy", "categorical_crossentropy",
    "crossentropy_categorical_1hot", "to_one_hot",
]




def _float_input(x, what):
    if isinstance(x, Variable) and not isinstance(x, _TensorMixin):
        raise TypeError(f"{what}: expected a tensor, got {x} of type {x.type}")
    x = as_tensor_variable(x)
    if x.dtype.startswith("complex"):
        raise TypeError(f"{what}: complex input {x} ({x.type}) is not supported")
    if not x.dtype.startswith("float"):
        x = tm.cast(x, ps.upgrade_to_float(x.dtype))
    return x


def _norm_axis(axis, ndim, what):
    if axis is None:
        return None
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{what}: axis must be an integer or None, got {axis!r}")
    axis = int(axis)
    if not -ndim <= axis < ndim:
        raise ValueError(f"{what}: axis {axis} is out of bounds for a {ndim}-d input")
    return axis % ndim


class _SoftmaxBase(Op):
    __props__ = ("axis",)
    _name = "softmax"

    def __init__(self, axis=-1):
        self.axis = None if axis is None else int(axis)

    def _axis(self, ndim):
        return None if self.axis is None else self.axis % ndim

    def make_node(self, x):
        x = _float_input(x, self._name)
        if self.axis is not None:
            if x.ndim == 0:
                raise ValueError(f"{self._name}: a 0-d input {x} has no axis {self.axis}; use axis=None")
            _norm_axis(self.axis, x.ndim, self._name)
        return Apply(self, [x], [x.type.make_variable()])

    def infer_shape(self, fgraph, node, input_shapes):
        return [input_shapes[0]]

    @staticmethod
    def _shifted(x, axis):
        m = np.max(x, axis=axis, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        return x - m

    def perform(self, node, inputs, output_storage):
        (x,) = inputs
        dt = node.outputs[0].type.dtype
        if x.size == 0:
            output_storage[0][0] = np.empty(x.shape, dtype=dt)
            return
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            out = self._compute(self._shifted(x, self._axis(x.ndim)), self._axis(x.ndim))
        output_storage[0][0] = np.asarray(out, dtype=dt)


class Softmax(_SoftmaxBase):
    """exp(x) / sum(exp(x)) along ``axis`` (None: over all axes), computed stably."""

    _name = "softmax"

    @staticmethod
    def _compute(shifted, axis):
        e = np.exp(shifted)
        return e / np.sum(e, axis=axis, keepdims=True)

    def L_op(self, inputs, outputs, output_grads):
        (x,), (sm,), (gz,) = inputs, outputs, output_grads
        axis = self._axis(x.ndim)
        return [(gz - tm.sum(gz * sm, axis=axis, keepdims=True)) * sm]

    def R_op(self, inputs, eval_points):
        (x,), (ev,) = inputs, eval_points
        if ev is None:
            return [None]
        sm = self(x)
        axis = self._axis(x.ndim)
        return [(ev - tm.sum(ev * sm, axis=axis, keepdims=True)) * sm]


class LogSoftmax(_SoftmaxBase):
    """x - logsumexp(x) along ``axis`` (None: over all axes), computed stably."""

    _name = "log_softmax"

    @staticmethod
    def _compute(shifted, axis):
        return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))

    def L_op(self, inputs, outputs, output_grads):
        (x,), (out,), (gz,) = inputs, outputs, output_grads
        axis = self._axis(x.ndim)
        return [gz - tm.exp(out) * tm.sum(gz, axis=axis, keepdims=True)]

    def R_op(self, inputs, eval_points):
        (x,), (ev,) = inputs, eval_points
        if ev is None:
            return [None]
        axis = self._axis(x.ndim)
        sm = Softmax(self.axis)(x)
        return [ev - tm.sum(ev * sm, axis=axis, keepdims=True)]


def softmax(x, axis=-1):
    """Softmax along ``axis`` (default the last; None: over all elements)."""
    x = _float_input(x, "softmax")
    return Softmax(_norm_axis(axis, x.ndim, "softmax") if x.ndim or axis is None else axis)(x)


def log_softmax(x, axis=-1):
    """log(softmax(x)) along ``axis``, computed stably."""
    x = _float_input(x, "log_softmax")
    return LogSoftmax(_norm_axis(axis, x.ndim, "log_softmax") if x.ndim or axis is None else axis)(x)


logsoftmax = log_softmax


def softmax_graph(x, axis=-1):
    """Softmax written with elementwise ops and a sum (no max subtraction)."""
    e = tm.exp(_float_input(x, "softmax_graph"))
    return e / tm.sum(e, axis=axis, keepdims=True)


def softmax_with_bias(x, b):
    """softmax(x + b) row-wise (Theano's SoftmaxWithBias)."""
    return softmax(tm.add(x, b), axis=-1)


# ----------------------------------------------------------------- activations


def log_sigmoid(x):
    """log(sigmoid(x)) = -softplus(-x)."""
    return -softplus(-_float_input(x, "log_sigmoid"))


def softsign(x):
    """x / (1 + |x|)."""
    x = _float_input(x, "softsign")
    return x / (1 + tm.abs(x))


def elu(x, alpha=1.0):
    """x for x > 0, alpha * (exp(x) - 1) otherwise."""
    x = _float_input(x, "elu")
    return tm.switch(tm.gt(x, 0), x, alpha * tm.expm1(tm.minimum(x, 0)))


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(x):
    """Scaled ELU (Klambauer et al. 2017)."""
    x = _float_input(x, "selu")
    return _SELU_SCALE * elu(x, _SELU_ALPHA)


def hard_sigmoid(x):
    """Piecewise-linear sigmoid: clip(0.2 * x + 0.5, 0, 1) (Theano's)."""
    x = _float_input(x, "hard_sigmoid")
    return tm.minimum(tm.maximum(x * 0.2 + 0.5, 0), 1)


def ultra_fast_sigmoid(x):
    """Theano's piecewise approximation of the sigmoid (max error about 0.0268)."""
    x = _float_input(x, "ultra_fast_sigmoid")
    h = 0.5 * x
    a = tm.abs(h)
    z = tm.switch(
        tm.lt(a, 1.7), 1.5 * a / (1 + a),
        tm.switch(tm.lt(a, 3), 0.935409070603099 + 0.0458812946797165 * (a - 1.7), 0.99505475368673),
    )
    z = tm.switch(tm.lt(h, 0), -z, z)
    return 0.5 * z + 0.5


# ---------------------------------------------------------------------- losses


def binary_crossentropy(output, target):
    """-(target * log(output) + (1 - target) * log(1 - output)), elementwise."""
    output = _float_input(output, "binary_crossentropy")
    return -(target * tm.log(output) + (1 - target) * tm.log(1 - output))


def sigmoid_binary_crossentropy(output, target):
    """binary_crossentropy(sigmoid(output), target) computed stably from the pre-sigmoid ``output``."""
    output = _float_input(output, "sigmoid_binary_crossentropy")
    return target * softplus(-output) + (1 - target) * softplus(output)


def to_one_hot(y, nb_class, dtype=None):
    """One-hot rows for the integer vector ``y`` (a matrix of shape (len(y), nb_class))."""
    from ..config import config

    y = as_tensor_variable(y)
    if y.dtype not in INT_DTYPES:
        raise TypeError(f"to_one_hot: expected integer class indices, got {y} ({y.type})")
    hot = tm.eq(y.dimshuffle(*range(y.ndim), "x"), basic.arange(nb_class))
    return tm.cast(hot, dtype or config.floatX)


class CategoricalCrossentropy1Hot(Op):
    """-log(coding[..., idx]) : pick along the last axis of ``coding`` by integer class indices."""

    __props__ = ()

    def make_node(self, coding, idx):
        coding = _float_input(coding, "categorical_crossentropy")
        if isinstance(idx, Variable) and not isinstance(idx, _TensorMixin):
            raise TypeError(f"categorical_crossentropy: expected a tensor of class indices, got {idx} "
                            f"of type {idx.type}")
        idx = as_tensor_variable(idx)
        if idx.dtype not in INT_DTYPES:
            raise TypeError(f"categorical_crossentropy: class indices must be integers, got {idx} ({idx.type})")
        if coding.ndim < 1 or idx.ndim != coding.ndim - 1:
            raise ValueError(
                f"categorical_crossentropy: class indices of ndim {idx.ndim} ({idx.type}) need a coding "
                f"distribution of ndim {idx.ndim + 1}, got {coding.type}")
        from .elemwise import broadcast_static_shapes

        shp = broadcast_static_shapes([coding.type.shape[:-1], idx.type.shape], "categorical_crossentropy")
        return Apply(self, [coding, idx], [TensorType(coding.dtype, shape=shp).make_variable()])

    def perform(self, node, inputs, output_storage):
        coding, idx = inputs
        k = coding.shape[-1]
        if idx.shape != coding.shape[:-1]:
            raise ValueError(f"categorical_crossentropy: class indices of shape {idx.shape} do not match "
                             f"the coding distribution of shape {coding.shape}")
        if idx.size and (idx.min() < 0 or idx.max() >= k):
            raise IndexError(f"categorical_crossentropy: class index out of range [0, {k}) "
                             f"(got min {idx.min()}, max {idx.max()})")
        picked = np.take_along_axis(coding, idx[..., None].astype(np.intp), axis=-1)[..., 0]
        with np.errstate(divide="ignore", invalid="ignore"):
            out = -np.log(picked)
        output_storage[0][0] = np.asarray(out, dtype=node.outputs[0].type.dtype)

    def infer_shape(self, fgraph, node, input_shapes):
        return [input_shapes[1]]

    def connection_pattern(self, node):
        return [[True], [False]]

    def L_op(self, inputs, outputs, output_grads):
        coding, idx = inputs
        (gz,) = output_grads
        return [CategoricalCrossentropy1HotGrad()(gz, coding, idx), None]


class CategoricalCrossentropy1HotGrad(Op):
    """Gradient of CategoricalCrossentropy1Hot: -gz / coding[..., idx] at the picked places, 0 elsewhere."""

    __props__ = ()

    def make_node(self, gz, coding, idx):
        gz, coding, idx = as_tensor_variable(gz), as_tensor_variable(coding), as_tensor_variable(idx)
        return Apply(self, [gz, coding, idx], [coding.type.make_variable()])

    def perform(self, node, inputs, output_storage):
        gz, coding, idx = inputs
        out = np.zeros(coding.shape, dtype=node.outputs[0].type.dtype)
        ii = idx[..., None].astype(np.intp)
        picked = np.take_along_axis(coding, ii, axis=-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            vals = -np.broadcast_to(gz, idx.shape)[..., None] / picked
        np.put_along_axis(out, ii, vals.astype(out.dtype), axis=-1)
        output_storage[0][0] = out

    def infer_shape(self, fgraph, node, input_shapes):
        return [input_shapes[1]]

    def connection_pattern(self, node):
        return [[True], [True], [False]]

    def L_op(self, inputs, outputs, output_grads):
        gz, coding, idx = inputs
        (gg,) = output_grads
        hot = to_one_hot_nd(idx, coding)
        p = tm.exp(-CategoricalCrossentropy1Hot()(coding, idx))  # coding[..., idx]
        # out[..., j] = hot[..., j] * (-gz / p)
        gg_p = tm.sum(gg * hot, axis=-1)
        g_gz = -gg_p / p
        g_coding = hot * (gz * gg_p / (p * p)).dimshuffle(*range(gz.ndim), "x")
        return [g_gz, g_coding, None]


def to_one_hot_nd(idx, like):
    """One-hot encoding of ``idx`` along a new last axis of ``like``'s last-axis length (dtype of ``like``)."""

    n = shape_ops.shape_i(like, like.ndim - 1)
    hot = tm.eq(idx.dimshuffle(*range(idx.ndim), "x"), basic.arange(n))
    return tm.cast(hot, like.dtype)


def crossentropy_categorical_1hot(coding_dist, true_idx):
    """-log(coding_dist[..., true_idx]) for integer class indices."""
    return CategoricalCrossentropy1Hot()(coding_dist, true_idx)


def categorical_crossentropy(coding_dist, true_dist):
    """Cross-entropy between a coding distribution and the true one.

    ``true_dist`` is either a distribution of the same shape (e.g. one-hot
    rows): ``-sum(true_dist * log(coding_dist), axis=-1)``, or integer class
    indices with one dimension less: ``-log(coding_dist[..., true_dist])``.
    """
    coding_dist = _float_input(coding_dist, "categorical_crossentropy")
    if isinstance(true_dist, Variable) and not isinstance(true_dist, _TensorMixin):
        raise TypeError(f"categorical_crossentropy: true_dist {true_dist} of type {true_dist.type} is not a tensor")
    true_dist = as_tensor_variable(true_dist)
    if true_dist.ndim == coding_dist.ndim:
        return -tm.sum(true_dist * tm.log(coding_dist), axis=-1)
    if true_dist.ndim == coding_dist.ndim - 1 and true_dist.dtype in INT_DTYPES:
        return CategoricalCrossentropy1Hot()(coding_dist, true_dist)
    raise TypeError(
        f"categorical_crossentropy: true_dist must be a distribution of the same ndim as coding_dist "
        f"({coding_dist.type}) or integer class indices with one dimension less; got {true_dist.type}")


def __getattr__(name):
    """Theano's ``nnet.sigmoid_inplace`` (from ``arignote.tensor.inplace``, loaded on use)."""
    if name in ("sigmoid_inplace", "softplus_inplace"):
        from . import inplace

        return getattr(inplace, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
