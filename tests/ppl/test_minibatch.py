"""``total_size`` scaling (PyMC3's rules) and ``Minibatch`` (random aligned slices, new per call)."""
import numpy as np
import pytest

import arignote
import arignote.tensor as T
import arignote.ppl as pm

DATA = np.random.RandomState(1).normal(size=(4, 6))


def _scale(total_size, data=DATA, free=False):
    with pm.Model() as m:
        mu = pm.Normal("mu", 0.0, 1.0)
        if free:
            v = pm.Normal("v", mu, 1.0, shape=data.shape, total_size=total_size)
        else:
            v = pm.Normal("y", mu, 1.0, observed=data, total_size=total_size)
    point = m.test_point
    point["mu"] = np.array(0.3)
    scaled = m.fn(v.logpt)(point)
    raw = m.fn(T.sum(v.logp_elemwiset))(point)
    return scaled / raw


@pytest.mark.parametrize("total_size, factor", [
    (None, 1.0), (40, 10.0), ((40,), 10.0), ((40, None), 10.0), ((40, 12), 20.0), ((None, 12), 2.0),
    ((Ellipsis, 12), 2.0), ((40, Ellipsis), 10.0), ((40, Ellipsis, 12), 20.0), ((Ellipsis,), 1.0), ([8, 18], 6.0),
])
def test_total_size_forms(total_size, factor):
    assert _scale(total_size) == pytest.approx(factor)


def test_total_size_on_a_scalar_and_on_free_variables():
    assert _scale(7, data=np.array(0.5)) == pytest.approx(7.0)
    assert _scale((40, 12), free=True) == pytest.approx(20.0)


def test_total_size_scales_the_model_logp():
    with pm.Model() as m:
        mu = pm.Normal("mu", 0.0, 1.0)
        pm.Normal("y", mu, 1.0, observed=DATA[:, 0], total_size=100)
    point = {"mu": np.array(0.2)}
    from scipy import stats
    expected = stats.norm.logpdf(0.2) + 25.0 * stats.norm.logpdf(DATA[:, 0], 0.2).sum()
    assert m.logp(point) == pytest.approx(expected)


@pytest.mark.parametrize("total_size, err, msg", [
    ("100", TypeError, "Unrecognized `total_size`"), ((1.5,), TypeError, "Unrecognized `total_size`"),
    ((4, Ellipsis, Ellipsis), ValueError, "Double Ellipsis"), ((1, 2, 3), ValueError, "too big"),
])
def test_bad_total_size(total_size, err, msg):
    with pytest.raises(err, match=msg):
        _scale(total_size)


def test_minibatch_draws_new_aligned_batches_every_call():
    data = np.arange(200.0).reshape(100, 2)
    x = pm.Minibatch(data, batch_size=16)
    y = pm.Minibatch(data[:, 0] * 10, batch_size=16)
    assert isinstance(x, T.TensorVariable) and x.dtype == arignote.config.floatX
    f = arignote.function([], [x, y])
    a1, b1 = f()
    a2, b2 = f()
    assert a1.shape == (16, 2) and b1.shape == (16,)
    np.testing.assert_array_equal(a1[:, 0] * 10, b1)  # the same rows of both arrays
    np.testing.assert_array_equal(a2[:, 0] * 10, b2)
    assert not np.array_equal(a1, a2)
    rows = np.concatenate([a1[:, 0], a2[:, 0]]) / 2
    assert np.all(np.isin(rows, np.arange(100)))  # whole rows of the data


def test_minibatch_batch_size_forms_and_dtype():
    more = np.random.rand(10, 20, 30, 4, 5)
    assert pm.Minibatch(more, [2, Ellipsis, 3]).eval().shape == (2, 20, 30, 4, 3)
    assert pm.Minibatch(more, [2, None, 20]).eval().shape == (2, 20, 20, 4, 5)
    assert pm.Minibatch(more, [2, None, 20, Ellipsis, 3]).eval().shape == (2, 20, 20, 4, 3)
    x = pm.Minibatch(np.random.rand(30, 30), batch_size=[(10, 42), (10, 42)], dtype="int32")
    assert str(x.dtype) == "int32" and x.eval().shape == (10, 10)
    with pytest.raises(TypeError, match="batch_size"):
        pm.Minibatch(more, [2.5])
    with pytest.raises(ValueError, match="Double Ellipsis"):
        pm.Minibatch(more, [2, Ellipsis, 3, Ellipsis])
    with pytest.raises(ValueError, match="too big"):
        pm.Minibatch(np.zeros((5, 5)), [2, 2, 2])


def test_minibatch_set_value_and_update_shared():
    x = pm.Minibatch(np.zeros((50, 3)), batch_size=5, update_shared_f=lambda: np.ones((50, 3)))
    assert x.eval().sum() == 0
    x.set_value(np.full((50, 3), 2.0))
    np.testing.assert_array_equal(x.eval(), np.full((5, 3), 2.0))
    x.update_shared()
    np.testing.assert_array_equal(x.shared.get_value(), np.ones((50, 3)))
    with pytest.raises(NotImplementedError):
        pm.Minibatch(np.zeros((5, 2)), 2).update_shared()


def test_minibatch_scaling_in_a_model():
    data = np.random.RandomState(0).normal(size=500)
    x = pm.Minibatch(data, batch_size=50)
    with pm.Model() as m:
        mu = pm.Normal("mu", 0.0, 10.0)
        y = pm.Normal("y", mu, 1.0, observed=x, total_size=500)
    assert float(m.fn(y.scaling)(m.test_point)) == pytest.approx(10.0)


@pytest.mark.slow
def test_advi_on_minibatched_regression_recovers_least_squares():
    rng = np.random.RandomState(123)
    n = 2000
    X = rng.normal(size=(n, 2))
    y = 1.0 + X @ np.array([2.0, -1.5]) + rng.normal(0, 0.5, n)
    Xb = pm.Minibatch(X, batch_size=100)
    yb = pm.Minibatch(y, batch_size=100)
    with pm.Model():
        a = pm.Normal("a", 0.0, 10.0)
        b = pm.Normal("b", 0.0, 10.0, shape=2)
        s = pm.HalfNormal("s", 2.0)
        pm.Normal("obs", a + T.dot(Xb, b), s, observed=yb, total_size=n)
        approx = pm.fit(15000, obj_optimizer=pm.adam(learning_rate=0.01), random_seed=7, progressbar=False)
    coef, *_ = np.linalg.lstsq(np.column_stack([np.ones(n), X]), y, rcond=None)
    trace = approx.sample(2000)
    assert trace.get_values("a").mean() == pytest.approx(coef[0], abs=0.05)
    np.testing.assert_allclose(trace.get_values("b").mean(0), coef[1:], atol=0.05)
    assert trace.get_values("s").mean() == pytest.approx(0.5, abs=0.05)


def test_total_size_on_density_dist_with_several_observed_arrays_and_on_bound():
    a, b = np.arange(4.0), np.ones(4)
    with pm.Model() as m:
        mu = pm.Normal("mu", 0.0, 1.0)
        dd = pm.DensityDist("dd", lambda a, b: -((a - mu * b) ** 2), observed={"a": a, "b": b}, total_size=12)
        bounded = pm.Bound(pm.Normal, lower=0.0)("bn", mu=1.0, sigma=1.0, observed=np.array([0.5, 1.5]),
                                                 total_size=10)
    point = {"mu": np.array(0.5)}
    assert float(m.fn(dd.logpt)(point)) == pytest.approx(-3.0 * ((a - 0.5) ** 2).sum())
    raw = float(m.fn(T.sum(bounded.logp_elemwiset))(point))
    assert float(m.fn(bounded.logpt)(point)) == pytest.approx(5.0 * raw)
