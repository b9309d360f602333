"""The seed tutorial's gradient cells: the bioassay logistic regression and the grad_sum exercise.

The training loop runs the seed's code (``theano`` -> ``arignote``) on every
available backend and is compared with an independent NumPy implementation
of the same updates, and with the anchors (w = 7.7952, b = 0.8536).
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import arignote
from arignote import tensor as T

DOSE = np.array([-0.86, -0.3, -0.05, 0.73])
DEATHS = np.array([0, 1, 3, 5])
TRAINING_STEPS = 1000


def numpy_training(dose, deaths, steps):
    """The seed's updates by hand: d xent / d z = 5 p - y for z = x w + b."""
    w, b, step = 1.0, 0.0, 10.0
    n = len(dose)
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(dose * w + b)))
        gz = (5 * p - deaths) / n
        w, b, step = w - step * np.sum(gz * dose), b - step * np.sum(gz), step * 0.99
    p = 1 / (1 + np.exp(-(dose * w + b)))
    xent = -deaths * np.log(p) - (5 - deaths) * np.log(1 - p)
    return w, b, step, p > 0.5, xent


def seed_model(backend):
    """The seed's cells, as written (``theano.shared`` -> ``arignote.shared``)."""
    x = T.vector("x")
    y = T.vector("y")
    w = arignote.shared(1., name="w")
    b = arignote.shared(0., name="b")
    p_1 = 1 / (1 + T.exp(-(x * w + b)))
    prediction = p_1 > 0.5
    xent = -y * T.log(p_1) - (5 - y) * T.log(1 - p_1)
    cost = xent.mean()
    gw, gb = T.grad(cost, [w, b])
    step = arignote.shared(10., name="step")
    train = arignote.function(
        inputs=[x, y],
        outputs=[prediction, xent],
        updates=((w, w - step * gw), (b, b - step * gb), (step, step * 0.99)), backend=backend)
    predict = arignote.function(inputs=[x], outputs=prediction, backend=backend)
    return w, b, step, train, predict


def test_logistic_regression_matches_numpy(backend):
    w, b, step, train, predict = seed_model(backend)
    for _ in range(TRAINING_STEPS):
        pred, err = train(DOSE, DEATHS)
    want_w, want_b, want_step, _, _ = numpy_training(DOSE, DEATHS, TRAINING_STEPS)
    np.testing.assert_allclose([w.get_value(), b.get_value()], [want_w, want_b], rtol=1e-8)
    np.testing.assert_allclose(step.get_value(), want_step, rtol=1e-12)
    assert w.get_value() == pytest.approx(7.7952, abs=1e-4) and b.get_value() == pytest.approx(0.8536, abs=1e-4)
    # the outputs of the last call come from the weights before its update
    _, _, _, pred_before, xent_before = numpy_training(DOSE, DEATHS, TRAINING_STEPS - 1)
    np.testing.assert_array_equal(pred, pred_before)
    np.testing.assert_allclose(err, xent_before, rtol=1e-8)
    _, _, _, pred_final, _ = numpy_training(DOSE, DEATHS, TRAINING_STEPS)
    np.testing.assert_array_equal(predict(DOSE), pred_final)
    assert predict(DOSE).dtype == bool


def test_seed_train_runs_natively_on_the_compiled_backends(backend):
    """On c and llvm the whole train function is native code (no NumPy fallback step, one call into
    the compiled entry), and 1000 steps raise no warning."""
    if backend not in ("c", "llvm"):
        pytest.skip("the reference backend runs every node's perform")
    w, b, _, train, _ = seed_model(backend)
    assert type(train._thunk).__name__ == "builtin_function_or_method"
    lowered = getattr(train.maker.fgraph, "lowered", None)  # the c backend keeps its program there
    assert lowered is None or not lowered.fallbacks(), lowered.describe()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(TRAINING_STEPS):
            train(DOSE, DEATHS)
    assert round(float(w.get_value()), 4) == 7.7952 and round(float(b.get_value()), 4) == 0.8536


def test_grad_sum_exercise():
    def grad_sum(x, y, z):
        """dz/dx + dz/dy."""
        return sum(T.grad(z, [x, y]))

    x = T.scalar()
    y = T.scalar()
    z = x + y
    s = grad_sum(x, y, z)
    assert s.eval({x: 0, y: 0}) == 2
    z2 = x * y + T.sin(x)
    np.testing.assert_allclose(grad_sum(x, y, z2).eval({x: 0.5, y: 2.0}), 2.0 + np.cos(0.5) + 0.5)
