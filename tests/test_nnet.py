"""nnet: table-driven cases on every backend, plus API reachability, stability and error messages."""
from __future__ import annotations

import os
import sys

import numpy as np
import pytest

import arignote
from arignote import tensor as T
from arignote.tensor import nnet
from arignote.testing import run_case

sys.path.insert(0, os.path.dirname(__file__))
from cases.nnet_cases import CASES  # noqa: E402



@pytest.mark.parametrize("case", CASES, ids=str)
def test_case(case, backend):
    run_case(case, backend=backend)


def test_case_ids_unique():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


def test_reachable_as_T_nnet():
    for name in ("sigmoid", "softplus", "relu", "softmax", "log_softmax", "binary_crossentropy",
                 "categorical_crossentropy", "sigmoid_binary_crossentropy", "softsign", "elu", "selu",
                 "hard_sigmoid", "ultra_fast_sigmoid"):
        assert callable(getattr(T.nnet, name)), name
    assert T.softmax is nnet.softmax and T.log_softmax is nnet.log_softmax
    assert T.nnet.sigmoid is T.sigmoid


def test_softmax_ops_and_types():
    x = T.fmatrix("x")
    y = nnet.softmax(x)
    assert isinstance(y.owner.op, nnet.Softmax) and y.owner.op.axis == 1
    assert y.type == x.type
    assert nnet.softmax(x, axis=-1).owner.op == nnet.softmax(x, axis=1).owner.op
    assert nnet.log_softmax(T.imatrix()).dtype == "float64"
    assert nnet.softmax(T.bmatrix()).dtype == "float32"


def test_softmax_rows_sum_to_one_and_are_stable():
    x = T.dmatrix("x")
    f = arignote.function([x], [nnet.softmax(x), nnet.log_softmax(x)])
    a = np.array([[1e4, 0.0, -1e4], [5.0, 5.0, 5.0]])
    sm, lsm = f(a)
    assert np.all(np.isfinite(sm)) and np.all(np.isfinite(lsm))
    np.testing.assert_allclose(sm.sum(axis=1), 1.0)
    np.testing.assert_allclose(lsm[1], np.log(1 / 3))
    assert lsm[0, 2] == pytest.approx(-2e4)


def test_softmax_gradient_is_finite_for_large_inputs():
    x = T.dvector("x")
    g = arignote.grad(nnet.log_softmax(x)[0], x)
    out = arignote.function([x], g)(np.array([1000.0, -1000.0, 0.0]))
    np.testing.assert_allclose(out, [0.0, 0.0, 0.0], atol=1e-12)


def test_elu_gradient_finite_for_large_inputs():
    x = T.dvector("x")
    g = arignote.grad(T.sum(nnet.elu(x)), x)
    np.testing.assert_allclose(arignote.function([x], g)(np.array([800.0, -1.0])), [1.0, np.exp(-1.0)])


def test_sigmoid_binary_crossentropy_gradient_stable():
    x, t = T.dvector("x"), T.dvector("t")
    g = arignote.grad(T.sum(nnet.sigmoid_binary_crossentropy(x, t)), x)
    out = arignote.function([x, t], g)(np.array([-800.0, 800.0]), np.array([1.0, 0.0]))
    np.testing.assert_allclose(out, [-1.0, 1.0])


def test_softmax_errors():
    with pytest.raises(ValueError, match="axis 2 is out of bounds for a 2-d input"):
        nnet.softmax(T.dmatrix(), axis=2)
    with pytest.raises(TypeError, match="complex"):
        nnet.softmax(T.zmatrix())
    with pytest.raises(TypeError, match="axis must be an integer"):
        nnet.log_softmax(T.dmatrix(), axis=1.5)


def test_categorical_crossentropy_errors():
    with pytest.raises(TypeError, match="same ndim as coding_dist"):
        nnet.categorical_crossentropy(T.dmatrix(), T.dvector())
    with pytest.raises(TypeError, match="same ndim"):
        nnet.categorical_crossentropy(T.dmatrix(), T.lmatrix().dimshuffle(0, 1, "x"))
    c, i = T.dmatrix("c"), T.lvector("i")
    f = arignote.function([c, i], nnet.categorical_crossentropy(c, i))
    with pytest.raises(IndexError, match=r"class index out of range \[0, 3\)"):
        f(np.full((2, 3), 1 / 3), np.array([0, 3]))
    with pytest.raises(ValueError, match="do not match"):
        f(np.full((2, 3), 1 / 3), np.array([0, 1, 2]))


def test_to_one_hot_needs_integers():
    with pytest.raises(TypeError, match="integer class indices"):
        nnet.to_one_hot(T.dvector(), 3)


def test_logistic_regression_training_step():
    """The seed's use: sigmoid + binary_crossentropy + grad, one step on a tiny problem."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 3))
    y = (X @ np.array([1.0, -2.0, 0.5]) > 0).astype("float64")
    x, t = T.dmatrix("x"), T.dvector("t")
    w = arignote.shared(np.zeros(3), name="w")
    p = nnet.sigmoid(T.dot(x, w))
    cost = T.mean(nnet.binary_crossentropy(p, t))
    gw = arignote.grad(cost, w)
    train = arignote.function([x, t], cost, updates=[(w, w - 0.5 * gw)])
    c0 = train(X, y)
    for _ in range(50):
        c = train(X, y)
    assert c < c0
    assert c0 == pytest.approx(np.log(2))
