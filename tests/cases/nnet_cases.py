"""Table of nnet cases (softmax, log_softmax, activations, losses) for arignote.testing.run_case."""
from __future__ import annotations

import numpy as np

from arignote.config import config
from arignote.testing import OpCase
from arignote.tensor import nnet

_rng = np.random.default_rng(11)


def _f(*shape, dtype="float64", scale=1.0):
    return (scale * _rng.standard_normal(shape)).astype(dtype)


def _p(*shape, dtype="float64"):
    """Values in (0.05, 0.95)."""
    return _rng.uniform(0.05, 0.95, size=shape).astype(dtype)


def _softmax(x, axis=-1):
    m = np.max(x, axis=axis, keepdims=True)
    e = np.exp(x - m)
    return (e / e.sum(axis=axis, keepdims=True)).astype(x.dtype)


def _log_softmax(x, axis=-1):
    m = np.max(x, axis=axis, keepdims=True)
    s = x - m
    return (s - np.log(np.exp(s).sum(axis=axis, keepdims=True))).astype(x.dtype)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _softplus(x):
    return np.logaddexp(0, x)


def _ufs(x):
    h = 0.5 * x
    a = np.abs(h)
    z = np.where(a < 1.7, 1.5 * a / (1 + a),
                 np.where(a < 3, 0.935409070603099 + 0.0458812946797165 * (a - 1.7), 0.99505475368673))
    z = np.where(h < 0, -z, z)
    return (0.5 * z + 0.5).astype(x.dtype)


M = _f(3, 5)
T3 = _f(2, 3, 4)
V = _f(5)
BIG = np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1002.0, -1001.0]])
CODING = _softmax(_f(4, 3))
IDX = np.array([0, 2, 1, 2], dtype="int64")

CASES = []


def case(id, build, inputs, ref, **kw):
    CASES.append(OpCase(id, build, inputs, ref, **kw))


# ----------------------------------------------------------------- softmax
case("softmax_matrix", lambda x: nnet.softmax(x), [M], lambda x: _softmax(x))
case("softmax_vector", lambda x: nnet.softmax(x), [V], lambda x: _softmax(x))
case("softmax_axis0", lambda x: nnet.softmax(x, axis=0), [M], lambda x: _softmax(x, 0))
case("softmax_axis_neg2", lambda x: nnet.softmax(x, axis=-2), [T3], lambda x: _softmax(x, -2))
case("softmax_axis_none", lambda x: nnet.softmax(x, axis=None), [M], lambda x: _softmax(x, None))
case("softmax_big_values", lambda x: nnet.softmax(x), [BIG], lambda x: _softmax(x))
case("softmax_float32", lambda x: nnet.softmax(x), [_f(3, 4, dtype="float32")], lambda x: _softmax(x))
case("softmax_int_input", lambda x: nnet.softmax(x), [np.array([[1, 2, 3], [0, 0, 0]], dtype="int64")],
     lambda x: _softmax(x.astype("float64")))
case("softmax_empty", lambda x: nnet.softmax(x), [np.zeros((0, 3))], lambda x: np.zeros((0, 3)))
case("softmax_neg_inf", lambda x: nnet.softmax(x), [np.array([[0.0, -np.inf, 1.0]])],
     lambda x: _softmax(x), grad=False)
case("softmax_times_input", lambda x: nnet.softmax(x) * x, [M], lambda x: _softmax(x) * x)
case("softmax_with_bias", lambda x, b: nnet.softmax_with_bias(x, b), [M, _f(5)],
     lambda x, b: _softmax(x + b))
case("softmax_graph", lambda x: nnet.softmax_graph(x), [M], lambda x: _softmax(x))

# ------------------------------------------------------------- log_softmax
case("log_softmax_matrix", lambda x: nnet.log_softmax(x), [M], lambda x: _log_softmax(x))
case("log_softmax_axis0", lambda x: nnet.log_softmax(x, axis=0), [M], lambda x: _log_softmax(x, 0))
case("log_softmax_t3_neg", lambda x: nnet.log_softmax(x, axis=-1), [T3], lambda x: _log_softmax(x, -1))
case("log_softmax_axis_none", lambda x: nnet.log_softmax(x, axis=None), [T3], lambda x: _log_softmax(x, None))
case("log_softmax_big_values", lambda x: nnet.log_softmax(x), [BIG], lambda x: _log_softmax(x))
case("log_softmax_float32", lambda x: nnet.logsoftmax(x), [_f(2, 5, dtype="float32")], lambda x: _log_softmax(x))
case("log_softmax_empty", lambda x: nnet.log_softmax(x), [np.zeros((2, 0))], lambda x: np.zeros((2, 0)))

# ------------------------------------------------------------- activations
case("sigmoid", lambda x: nnet.sigmoid(x), [M], lambda x: _sigmoid(x))
case("softplus", lambda x: nnet.softplus(x), [M], lambda x: _softplus(x))
case("relu", lambda x: nnet.relu(x), [M], lambda x: np.maximum(x, 0))
case("relu_leaky", lambda x: nnet.relu(x, 0.1), [M], lambda x: np.where(x > 0, x, 0.1 * x))
case("log_sigmoid", lambda x: nnet.log_sigmoid(x), [M], lambda x: -_softplus(-x))
case("softsign", lambda x: nnet.softsign(x), [M], lambda x: x / (1 + np.abs(x)))
case("elu", lambda x: nnet.elu(x), [M], lambda x: np.where(x > 0, x, np.expm1(x)))
case("elu_alpha", lambda x: nnet.elu(x, 0.5), [_f(2, 3, dtype="float32")],
     lambda x: np.where(x > 0, x, 0.5 * np.expm1(x)).astype("float32"))
case("elu_large", lambda x: nnet.elu(x), [np.array([800.0, -3.0, 0.5])], lambda x: np.where(x > 0, x, np.expm1(x)))
case("selu", lambda x: nnet.selu(x), [M],
     lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x)))
case("hard_sigmoid", lambda x: nnet.hard_sigmoid(x), [_f(3, 4, scale=4.0)],
     lambda x: np.clip(0.2 * x + 0.5, 0, 1))
case("hard_sigmoid_f32", lambda x: nnet.hard_sigmoid(x), [_f(5, dtype="float32", scale=4.0)],
     lambda x: np.clip(x * np.float32(0.2) + np.float32(0.5), 0, 1).astype("float32"), grad=False)
case("ultra_fast_sigmoid", lambda x: nnet.ultra_fast_sigmoid(x), [_f(4, 5, scale=4.0)], lambda x: _ufs(x))

# ------------------------------------------------------------------ losses
case("binary_crossentropy", lambda o, t: nnet.binary_crossentropy(o, t), [_p(3, 4), _p(3, 4)],
     lambda o, t: -(t * np.log(o) + (1 - t) * np.log(1 - o)))
case("binary_crossentropy_int_target", lambda o, t: nnet.binary_crossentropy(o, t),
     [_p(6), np.array([0, 1, 1, 0, 1, 0], dtype="int8")],
     lambda o, t: -(t * np.log(o) + (1 - t) * np.log(1 - o)))
case("sigmoid_binary_crossentropy", lambda o, t: nnet.sigmoid_binary_crossentropy(o, t), [_f(3, 4), _p(3, 4)],
     lambda o, t: -(t * np.log(_sigmoid(o)) + (1 - t) * np.log(1 - _sigmoid(o))))
case("sigmoid_binary_crossentropy_large", lambda o, t: nnet.sigmoid_binary_crossentropy(o, t),
     [np.array([-800.0, 800.0, 0.0]), np.array([1.0, 0.0, 0.5])],
     lambda o, t: t * _softplus(-o) + (1 - t) * _softplus(o))
case("categorical_crossentropy_onehot", lambda c, t: nnet.categorical_crossentropy(c, t),
     [CODING, np.eye(3)[IDX]], lambda c, t: -np.sum(t * np.log(c), axis=-1), wrt=[0])
case("categorical_crossentropy_soft", lambda c, t: nnet.categorical_crossentropy(c, t),
     [CODING, _softmax(_f(4, 3))], lambda c, t: -np.sum(t * np.log(c), axis=-1))
case("categorical_crossentropy_idx", lambda c, i: nnet.categorical_crossentropy(c, i), [CODING, IDX],
     lambda c, i: -np.log(c[np.arange(4), i]))
case("categorical_crossentropy_idx_int32", lambda c, i: nnet.categorical_crossentropy(c, i),
     [CODING, IDX.astype("int32")], lambda c, i: -np.log(c[np.arange(4), i]))
case("categorical_crossentropy_idx_vector", lambda c, i: nnet.categorical_crossentropy(c, i),
     [CODING[0], np.asarray(2, dtype="int64")], lambda c, i: np.asarray(-np.log(c[i])))
case("categorical_crossentropy_idx_t3", lambda c, i: nnet.categorical_crossentropy(c, i),
     [_softmax(_f(2, 3, 4)), np.array([[0, 3, 1], [2, 2, 0]])],
     lambda c, i: -np.log(np.take_along_axis(c, i[..., None], -1)[..., 0]))
case("categorical_crossentropy_idx_empty", lambda c, i: nnet.categorical_crossentropy(c, i),
     [np.zeros((0, 3)), np.zeros(0, dtype="int64")], lambda c, i: np.zeros(0))
case("crossentropy_of_softmax", lambda x, i: nnet.categorical_crossentropy(nnet.softmax(x), i).mean(),
     [_f(4, 3), IDX], lambda x, i: np.asarray(-np.log(_softmax(x)[np.arange(4), i]).mean()))
case("crossentropy_grad_of_grad", lambda c, i: _sum_grad(nnet.categorical_crossentropy(c, i), c),
     [CODING, IDX], lambda c, i: _ce_grad(c, i))
case("to_one_hot", lambda i: nnet.to_one_hot(i, 3), [IDX], lambda i: np.eye(3, dtype=config.floatX)[i])


def _sum_grad(out, wrt):
    from arignote import grad
    from arignote.tensor import math as tm

    g = grad(tm.sum(out * out), wrt)
    return g


def _ce_grad(c, i):
    g = np.zeros_like(c)
    r = np.arange(len(i))
    g[r, i] = 2 * (-np.log(c[r, i])) * (-1 / c[r, i])
    return g
