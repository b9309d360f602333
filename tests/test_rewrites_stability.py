"""Numerical stability after rewriting: values and gradients where the naive graph fails."""
from __future__ import annotations

import numpy as np
import pytest

import arignote
from arignote import tensor as T


def fn(ins, out, mode="FAST_RUN"):
    return arignote.function(ins, out, mode=mode, backend="py")


x = T.dvector("x")


@pytest.mark.parametrize("mode", ["FAST_RUN", "FAST_COMPILE"])
def test_log1p_tiny(mode):
    f = fn([x], T.log(1 + x), mode)
    assert f(np.array([1e-20]))[0] == 1e-20
    g = fn([x], T.grad(T.sum(T.log(1 + x)), x), mode)
    assert g(np.array([1e-20]))[0] == pytest.approx(1.0, rel=1e-15)
    naive = fn([x], T.log(1 + x), "NO_REWRITES")
    assert naive(np.array([1e-20]))[0] == 0.0  # what the rewrite fixes


@pytest.mark.parametrize("mode", ["FAST_RUN", "FAST_COMPILE"])
def test_log_sigmoid_large_negative(mode):
    f = fn([x], T.log(T.nnet.sigmoid(x)), mode)
    np.testing.assert_array_equal(f(np.array([-1000.0])), [-1000.0])
    assert np.isneginf(fn([x], T.log(T.nnet.sigmoid(x)), "NO_REWRITES")(np.array([-1000.0]))[0])


def test_log_sigmoid_gradient_at_minus_1000():
    # d/dx log(sigmoid(x)) = 1 - sigmoid(x): the canonicalizer cancels sigmoid(x)/sigmoid(x)
    cost = T.sum(T.log(T.nnet.sigmoid(x)))
    g = fn([x], T.grad(cost, x))
    np.testing.assert_array_equal(g(np.array([-1000.0])), [1.0])
    np.testing.assert_allclose(g(np.array([-2.0, 0.0, 3.0])), 1 - 1 / (1 + np.exp(-np.array([-2.0, 0.0, 3.0]))),
                               rtol=1e-14)
    assert np.isnan(fn([x], T.grad(cost, x), "NO_REWRITES")(np.array([-1000.0]))[0])


def test_log_one_minus_sigmoid_large_positive():
    f = fn([x], T.log(1 - T.nnet.sigmoid(x)))
    np.testing.assert_array_equal(f(np.array([1000.0])), [-1000.0])
    g = fn([x], T.grad(T.sum(T.log(1 - T.nnet.sigmoid(x))), x))
    np.testing.assert_array_equal(g(np.array([1000.0])), [-1.0])


@pytest.mark.parametrize("mode", ["FAST_RUN", "FAST_COMPILE"])
def test_logsumexp_large(mode):
    f = fn([x], T.log(T.sum(T.exp(x))), mode)
    assert f(np.array([1000.0, 1000.0])) == pytest.approx(1000 + np.log(2), rel=1e-15)
    assert f(np.array([-1000.0, -1000.0])) == pytest.approx(-1000 + np.log(2), rel=1e-15)
    assert f(np.array([-np.inf, -np.inf])) == -np.inf


def test_logsumexp_gradient_large():
    g = fn([x], T.grad(T.log(T.sum(T.exp(x))), x))
    np.testing.assert_allclose(g(np.array([1000.0, 1000.0])), [0.5, 0.5], rtol=1e-15)
    v = np.array([0.1, -0.4, 2.0])
    np.testing.assert_allclose(g(v), np.exp(v) / np.exp(v).sum(), rtol=1e-14)


@pytest.mark.parametrize("mode", ["FAST_RUN", "FAST_COMPILE"])
def test_expm1_tiny(mode):
    f = fn([x], T.exp(x) - 1, mode)
    got = f(np.array([1e-10]))[0]
    assert abs(got - np.expm1(1e-10)) / np.expm1(1e-10) < 1e-12
    g = fn([x], T.grad(T.sum(T.exp(x) - 1), x), mode)
    assert g(np.array([1e-10]))[0] == pytest.approx(np.exp(1e-10), rel=1e-15)


def test_softplus_large():
    f = fn([x], T.log(1 + T.exp(x)))
    np.testing.assert_allclose(f(np.array([1000.0, -1000.0, 0.0])), [1000.0, 0.0, np.log(2)], rtol=1e-15)
    g = fn([x], T.grad(T.sum(T.log(1 + T.exp(x))), x))
    assert np.all(np.isfinite(g(np.array([1000.0, -1000.0]))))


def test_log_softmax_large():
    m = T.dmatrix("m")
    f = fn([m], T.log(T.nnet.softmax(m)))
    v = np.array([[1000.0, 0.0, -1000.0]])
    np.testing.assert_allclose(f(v), [[0.0, -1000.0, -2000.0]], rtol=1e-15)


def test_log_erfc_large():
    from scipy import special

    f = fn([x], T.log(T.erfc(x)))
    v = np.array([0.5, 5.0, 25.0, 27.0, 50.0, 1e3])
    want = special.log_ndtr(-v * np.sqrt(2)) + np.log(2)
    np.testing.assert_allclose(f(v), want, rtol=1e-13)


def test_sqrt_of_square_no_overflow():
    f = fn([x], T.sqrt(x ** 2))
    np.testing.assert_array_equal(f(np.array([-1e200, 3.0])), [1e200, 3.0])


def test_seed_logistic_regression_same_in_every_mode():
    dose = np.array([-0.86, -0.3, -0.05, 0.73])
    deaths = np.array([0.0, 1, 3, 5])
    results = {}
    for mode in ("FAST_RUN", "FAST_COMPILE", "NO_REWRITES"):
        xv, yv = T.vector("x"), T.vector("y")
        w, b = arignote.shared(1.0, name="w"), arignote.shared(0.0, name="b")
        p_1 = 1 / (1 + T.exp(-(xv * w + b)))
        xent = -yv * T.log(p_1) - (5 - yv) * T.log(1 - p_1)
        gw, gb = T.grad(xent.mean(), [w, b])
        step = arignote.shared(10.0, name="step")
        train = arignote.function([xv, yv], [p_1 > 0.5, xent], mode=mode,
                                  updates=((w, w - step * gw), (b, b - step * gb), (step, step * 0.99)), backend="py")
        for _ in range(1000):
            pred, err = train(dose, deaths)
        results[mode] = (w.get_value(), b.get_value(), err)
    for mode, (wv, bv, err) in results.items():
        assert wv == pytest.approx(7.7952, abs=1e-4), mode
        assert bv == pytest.approx(0.8536, abs=1e-4), mode
        np.testing.assert_allclose(err, results["NO_REWRITES"][2], rtol=1e-9)


def test_log_softmax_gradient_large():
    m = T.dmatrix("m")
    onehot = np.array([[1.0, 0.0, 0.0]])
    g = fn([m], T.grad(T.sum(T.log(T.nnet.softmax(m)) * onehot), m))
    np.testing.assert_allclose(g(np.array([[1000.0, 0.0, -1000.0]])), [[0.0, 0.0, 0.0]], atol=1e-300)
    np.testing.assert_allclose(g(np.array([[-1000.0, 0.0, 1000.0]])), [[1.0, 0.0, -1.0]], rtol=1e-15)
    v = np.array([[0.3, -0.2, 1.1]])
    sm = np.exp(v) / np.exp(v).sum()
    np.testing.assert_allclose(g(v), onehot - sm, rtol=1e-14)
