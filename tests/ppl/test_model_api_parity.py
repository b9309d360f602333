"""PyMC3 3.11's Factor functions and Model/variable attributes, checked against closed forms."""
import io

import numpy as np
import pytest
from scipy import stats

import arignote
import arignote.ppl as pm


@pytest.fixture(scope="module")
def m():
    with pm.Model() as model:
        mu = pm.Normal("mu", 0, 1)
        s = pm.HalfNormal("s", 1)
        pm.Normal("y", mu, s, observed=[0.1, 0.5])
        pm.Deterministic("d", mu * 2)
        pm.Potential("p", -mu ** 2)
    return model


def test_free_rv_logp_functions(m):
    mu = m["mu"]
    assert np.isclose(mu.logp({"mu": 0.3}), stats.norm.logpdf(0.3))
    assert np.isclose(mu.fastlogp({"mu": 0.3}), stats.norm.logpdf(0.3))
    assert np.isclose(mu.logp_nojac({"mu": 0.3}), stats.norm.logpdf(0.3))
    assert np.allclose(mu.logp_elemwise({"mu": 0.3}), stats.norm.logpdf(0.3))
    assert np.allclose(mu.dlogp()({"mu": 0.3}), [-0.3])
    assert np.allclose(mu.fastdlogp()({"mu": 0.3}), [-0.3])
    assert np.allclose(mu.d2logp()({"mu": 0.3}), [[1.0]])  # negative Hessian, PyMC3's sign
    assert np.allclose(mu.fastd2logp()({"mu": 0.3}), [[1.0]])


def test_transformed_logp_has_jacobian(m):
    s, inner = m["s"], m["s_log__"]
    y = -0.7
    pt = {"s_log__": y}
    with_jac = stats.halfnorm.logpdf(np.exp(y)) + y
    assert np.isclose(s.logp(pt), with_jac)
    assert np.isclose(inner.logp(pt), with_jac)
    assert np.isclose(s.logp_nojac(pt), stats.halfnorm.logpdf(np.exp(y)))
    assert np.isclose(s.fastlogp_nojac(pt), stats.halfnorm.logpdf(np.exp(y)))
    assert np.allclose(s.logp_elemwise(pt), with_jac)
    assert s.logp_elemwiset is inner.logp_elemwiset
    # d/dy [log halfnorm(e^y) + y] = -e^{2y} + 1
    assert np.allclose(s.dlogp()(pt), [1 - np.exp(2 * y)])
    assert np.allclose(s.dlogp_nojac()(pt), [-np.exp(2 * y)])
    assert np.allclose(s.d2logp()(pt), [[2 * np.exp(2 * y)]])
    assert np.allclose(s.d2logp_nojac()(pt), [[2 * np.exp(2 * y)]])


def test_observed_rv_logp_functions(m):
    y = m["y"]
    pt = {"mu": 0.2, "s_log__": np.log(1.5)}
    data = np.array([0.1, 0.5])
    assert np.isclose(y.logp(pt), stats.norm.logpdf(data, 0.2, 1.5).sum())
    assert np.allclose(y.logp_elemwise(pt), stats.norm.logpdf(data, 0.2, 1.5))
    g = y.dlogp(["mu"])(pt)
    assert np.allclose(g, [((data - 0.2) / 1.5 ** 2).sum()])


def test_model_factor_functions(m):
    pt = {"mu": 0.2, "s_log__": np.log(1.5)}
    data = np.array([0.1, 0.5])
    nojac = (stats.norm.logpdf(0.2) + stats.halfnorm.logpdf(1.5) + stats.norm.logpdf(data, 0.2, 1.5).sum()
             - 0.2 ** 2)
    assert np.isclose(m.logp_nojac(pt), nojac)
    assert np.isclose(m.logp(pt), nojac + np.log(1.5))
    h = m.d2logp_nojac(["mu"])(pt)
    assert np.allclose(h, [[1 + 2 / 1.5 ** 2 + 2]])
    assert np.allclose(m.fastd2logp(["mu"])(pt), h)
    assert np.allclose(m.dlogp_nojac(["mu"])(pt), m.dlogp(["mu"])(pt))


def test_model_lists_and_attributes(m):
    names = lambda vs: [v.name for v in vs]
    assert names(m.free_RVs) == ["mu", "s_log__"]
    assert names(m.vars) == ["mu", "s_log__"]
    assert names(m.observed_RVs) == ["y"]
    assert names(m.basic_RVs) == ["mu", "s_log__", "y"]
    assert names(m.deterministics) == ["s", "d"]
    assert names(m.unobserved_RVs) == ["mu", "s_log__", "s", "d"]
    assert names(m.potentials) == ["p"]
    assert names(m.cont_vars) == ["mu", "s_log__"] and m.disc_vars == []
    assert list(m.named_vars) == ["mu", "s_log__", "s", "y", "d", "p"]
    assert m.ndim == 2 and m.size == 2 and m.prefix == "" and m.theano_config == {}
    assert m["s"].transformed is m["s_log__"]
    assert m["mu"].total_size is None


def test_dict_to_array_bijection_and_flatten(m):
    pt = {"mu": np.array(0.25), "s_log__": np.array(-1.0)}
    assert np.array_equal(m.dict_to_array(pt), [0.25, -1.0])
    back = m.bijection.rmap(np.array([0.5, 2.0]))
    assert float(back["mu"]) == 0.5 and float(back["s_log__"]) == 2.0
    fv = m.flatten()
    assert [fv.view[n].slc for n in ("mu", "s_log__")] == [slice(0, 1), slice(1, 2)]
    f = arignote.function([fv.input], m.logpt, givens=list(fv.replacements.items()))
    assert np.isclose(f(np.array([0.2, np.log(1.5)])), m.logp({"mu": 0.2, "s_log__": np.log(1.5)}))


def test_update_start_vals_transforms(m):
    a = {"s": 2.0}
    m.update_start_vals(a, {"mu": 1.0, "s": 3.0})
    assert a["mu"] == 1.0 and a["s"] == 2.0
    assert np.isclose(a["s_log__"], np.log(2.0))


def test_check_test_point_and_profile(m):
    ctp = m.check_test_point()
    assert list(ctp.index) == ["mu", "s_log__", "y"]
    assert ctp["mu"] == np.round(stats.norm.logpdf(0.0), 2)
    prof = m.profile(m.logpt, n=5)
    assert prof.fct_callcount == 5 and prof.fct_call_time > 0
    out = io.StringIO()
    prof.summary(file=out)
    assert "Time in 5 calls to Function.__call__" in out.getvalue()


def test_rv_random_and_printing(m):
    mu = m["mu"]
    draws = mu.random(size=2000)
    assert draws.shape == (2000,) and abs(draws.mean()) < 0.15
    assert str(mu) == "mu ~ Normal" and repr(mu) == "mu ~ Normal"
    assert str(m["s_log__"]) == "s_log__ ~ TransformedDistribution"
    assert str(m["y"]) == "y ~ Normal"
    assert m["s"]._repr_latex_() == r"$\text{s} \sim \text{HalfNormal}$"
    assert np.isclose(m["s"].init_value, m["s"].tag.test_value)


def test_total_size_scales_the_terms():
    data = np.array([0.1, -0.4, 0.9, 1.3])
    with pm.Model() as model:
        mu = pm.Normal("mu", 0, 1)
        y = pm.Normal("y", mu, 1, observed=data, total_size=100)
        z = pm.Normal("z", 0, 1, shape=(2, 3), total_size=[10, ..., 6])
    assert y.total_size == 100 and mu.scaling == 1.0
    pt = {"mu": 0.2, "z": np.zeros((2, 3))}
    assert np.isclose(y.logp(pt), 25 * stats.norm.logpdf(data, 0.2, 1).sum())
    assert np.isclose(model.fn(y.logp_sum_unscaledt)(pt), stats.norm.logpdf(data, 0.2, 1).sum())
    assert np.isclose(z.logp(pt), 5 * 2 * 6 * stats.norm.logpdf(0.0))
    with pm.Model():
        with pytest.raises(TypeError, match="total_size"):
            pm.Normal("w", 0, 1, total_size="ten")


def test_value_grad_function_weights_and_extra_vars():
    from arignote.ppl.model import ValueGradFunction

    with pm.Model() as model:
        a = pm.Normal("a", 0, 1)
        b = pm.Normal("b", 0, 2)
    f = ValueGradFunction([a.logpt, b.logpt], [a], extra_vars=[b])
    assert [v.name for v in f.grad_vars] == ["a"] and f.size == 1
    f.set_extra_values({"b": 1.0})
    lp, g = f(np.array([0.5]))
    assert np.isclose(lp, stats.norm.logpdf(0.5) + stats.norm.logpdf(1.0, 0, 2))
    assert np.allclose(g, [-0.5])
    f.set_weights([0.0])
    assert np.isclose(f(np.array([0.5]))[0], stats.norm.logpdf(0.5))
    with pytest.raises(ValueError, match="Invalid shape"):
        f.set_weights([1.0, 1.0])
    with pytest.raises(ValueError, match="scalar"):
        ValueGradFunction([a.logp_elemwiset * np.ones(2)], [a])
    assert model.logp_dlogp_function().grad_vars == model.cont_vars
    assert pm.Factor is type(model).__mro__[1]


def test_model_printing_aligns_on_tilde(m):
    assert str(m).splitlines() == ["     mu ~ Normal", "s_log__ ~ TransformedDistribution", "      s ~ HalfNormal",
                                   "      d ~ Deterministic", "      y ~ Normal"]
    assert repr(m) == str(m)
    assert r"\text{s} &\sim & \text{HalfNormal}" in m._repr_latex_()
    assert str(pm.Model()) == "<empty Model>"
