"""Transforms: each density integrates to one in the transformed space; round trips; Jacobians."""
import numpy as np
import pytest
from scipy import integrate

import arignote
import arignote.tensor as T
import arignote.ppl as pm
from arignote.ppl import transforms as tr

CASES = [
    ("log", lambda: pm.Exponential("x", 1.3), "x_log__"),
    ("log/halfnormal", lambda: pm.HalfNormal("x", 0.7), "x_log__"),
    ("logodds", lambda: pm.Beta("x", 2.5, 1.5), "x_logodds__"),
    ("interval", lambda: pm.Uniform("x", -1.0, 2.5), "x_interval__"),
    ("interval/truncnorm", lambda: pm.TruncatedNormal("x", 0.3, 1.2, lower=-1.0, upper=0.5), "x_interval__"),
    ("lowerbound", lambda: pm.TruncatedNormal("x", 0.3, 1.2, lower=-1.0), "x_lowerbound__"),
    ("upperbound", lambda: pm.TruncatedNormal("x", 0.3, 1.2, upper=0.5), "x_upperbound__"),
    ("stickbreaking", lambda: pm.Dirichlet("x", a=np.array([1.5, 2.5])), "x_stickbreaking__"),
    ("log_exp_m1", lambda: pm.Gamma("x", 2.0, 1.5, transform=tr.log_exp_m1), "x_log_exp_m1__"),
    ("interval/custom", lambda: pm.Normal("x", 0.0, 1.0, transform=tr.interval(-1.0, 1.0)), None),
]


@pytest.mark.parametrize("make,name", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_density_integrates_to_one_in_transformed_space(make, name):
    with pm.Model() as m:
        make()
    (y,) = m.free_RVs
    if name is not None:
        assert y.name == name
    f = m.fastlogp
    total, err = integrate.quad(lambda t: np.exp(f({y.name: np.full(y.type.shape, t)})), -np.inf, np.inf, limit=200)
    if name is None:  # a normal restricted to (-1, 1) without renormalising
        from scipy import stats

        assert np.isclose(total, stats.norm.cdf(1) - stats.norm.cdf(-1), rtol=1e-6)
    else:
        assert np.isclose(total, 1.0, rtol=1e-6), total


ELEMWISE = [tr.log, tr.logodds, tr.interval(-1.0, 2.5), tr.lowerbound(-1.0), tr.upperbound(0.5), tr.log_exp_m1]
POINTS = {"log": 0.7, "logodds": 0.3, "interval": 1.2, "lowerbound": 0.4, "upperbound": -0.2, "log_exp_m1": 0.9}


@pytest.mark.parametrize("t", ELEMWISE, ids=[t.name for t in ELEMWISE])
def test_round_trip_and_jacobian(t):
    x0 = POINTS[t.name]
    y = T.dscalar("y")
    back = arignote.function([y], t.backward(y))
    jac = arignote.function([y], t.jacobian_det(y))
    y0 = float(t.forward_val(np.array(x0)))
    assert np.isclose(back(y0), x0)
    eps = 1e-6
    deriv = (back(y0 + eps) - back(y0 - eps)) / (2 * eps)
    assert np.isclose(jac(y0), np.log(abs(deriv)), rtol=1e-6)


def test_stick_breaking_round_trip_and_shapes():
    x = np.array([0.2, 0.5, 0.3])
    y0 = tr.stick_breaking.forward_val(x)
    assert y0.shape == (2,)
    y = T.dvector("y")
    np.testing.assert_allclose(arignote.function([y], tr.stick_breaking.backward(y))(y0), x)
    with pm.Model() as m:
        pm.Dirichlet("w", a=np.ones(3))
    assert m.test_point["w_stickbreaking__"].shape == (2,)
    np.testing.assert_allclose(m.fn(m["w"])(m.test_point), np.ones(3) / 3)


def test_ordered_transform_round_trip():
    x = np.array([-1.0, 0.5, 2.0])
    y = T.dvector("y")
    yv = tr.ordered.forward_val(x)
    np.testing.assert_allclose(arignote.function([y], tr.ordered.backward(y))(yv), x)
    with pm.Model() as m:
        pm.Normal("o", 0, 3, shape=3, transform=tr.ordered, testval=x)
    assert m.free_RVs[0].name == "o_ordered__"
    np.testing.assert_allclose(m.fn(m["o"])(m.test_point), x)


def test_traces_see_untransformed_values():
    with pm.Model() as m:
        s = pm.HalfNormal("s", 1.0)
        u = pm.Uniform("u", 2.0, 4.0)
    pt = {"s_log__": np.array(0.5), "u_interval__": np.array(0.0)}
    vals = m.fastfn([s, u])(pt)
    np.testing.assert_allclose(vals, [np.exp(0.5), 3.0])
