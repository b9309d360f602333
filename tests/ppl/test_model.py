"""Models: registration, transforms and names, log-densities, compiled functions, data, errors."""
import pickle

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import arignote
import arignote.ppl as pm
from arignote import plugin_manager

Y = np.array([0.3, -1.2, 2.2, 0.7, 1.1])


def linear_model():
    rng = np.random.default_rng(0)
    x = np.linspace(0, 1, 100)
    y = 1 + 2 * x + rng.normal(0, 0.5, 100)
    with pm.Model() as m:
        a = pm.Normal("Intercept", 0, sigma=20)
        b = pm.Normal("x", 0, sigma=20)
        s = pm.HalfCauchy("sigma", beta=10, testval=1.0)
        pm.Normal("y", mu=a + b * x, sigma=s, observed=y)
    return m, x, y


def linear_logp(x, y, a, b, s):
    return (stats.norm.logpdf(a, 0, 20) + stats.norm.logpdf(b, 0, 20) + stats.halfcauchy.logpdf(s, scale=10)
            + np.log(s) + stats.norm.logpdf(y, a + b * x, s).sum())


def test_registration_and_pymc3_names():
    with pm.Model() as m:
        mu = pm.Normal("mu", 0, 1)
        sigma = pm.HalfNormal("sigma", 1)
        u = pm.Uniform("u", -1, 3)
        p = pm.Beta("p", 2, 2)
        w = pm.Dirichlet("w", a=np.ones(3))
        k = pm.Poisson("k", 3.0)
        tn = pm.TruncatedNormal("tn", 0, 1, lower=0.0)
        obs = pm.Normal("obs", mu, sigma, observed=Y)
    assert [v.name for v in m.free_RVs] == ["mu", "sigma_log__", "u_interval__", "p_logodds__",
                                             "w_stickbreaking__", "k", "tn_lowerbound__"]
    assert [v.name for v in m.deterministics] == ["sigma", "u", "p", "w", "tn"]
    assert [v.name for v in m.observed_RVs] == ["obs"]
    assert m.vars == m.free_RVs
    assert [v.name for v in m.cont_vars] == ["mu", "sigma_log__", "u_interval__", "p_logodds__",
                                             "w_stickbreaking__", "tn_lowerbound__"]
    assert [v.name for v in m.disc_vars] == ["k"]
    assert [v.name for v in m.unobserved_RVs] == [v.name for v in m.free_RVs + m.deterministics]
    assert m["sigma"] is sigma and m["sigma_log__"] is sigma.transformed
    assert type(k.distribution).__name__ == "Poisson" and k.dtype == "int64"
    assert type(sigma.distribution).__name__ == "HalfNormal"
    assert mu.model is m and obs.model is m
    tp = m.test_point
    assert list(tp) == [v.name for v in m.free_RVs]
    assert list(m.initial_point) == list(tp) and list(m.initial_point()) == list(tp)
    np.testing.assert_allclose(tp["sigma_log__"], np.log(stats.halfnorm.median()))
    np.testing.assert_allclose(tp["u_interval__"], 0.0)
    np.testing.assert_allclose(tp["p_logodds__"], 0.0)
    assert tp["w_stickbreaking__"].shape == (2,)
    assert tp["k"] == 3 and tp["k"].dtype == np.int64
    assert pm.Model.get_context is not None and pm.modelcontext(m) is m


def test_model_logp_matches_scipy_and_jacobians():
    with pm.Model() as m:
        mu = pm.Normal("mu", 0, 1)
        sigma = pm.HalfNormal("sigma", 2)
        u = pm.Uniform("u", -1, 3)
        pm.Normal("obs", mu, sigma, observed=Y)
    pt = {"mu": np.array(0.4), "sigma_log__": np.array(0.2), "u_interval__": np.array(-0.5)}
    s = np.exp(0.2)
    uu = -1 + 4 / (1 + np.exp(0.5))
    jac_u = np.log(4) + np.log(uu + 1) - np.log(4) + np.log(3 - uu) - np.log(4)
    want = (stats.norm.logpdf(0.4) + stats.halfnorm.logpdf(s, scale=2) + 0.2 + stats.uniform.logpdf(uu, -1, 4)
            + jac_u + stats.norm.logpdf(Y, 0.4, s).sum())
    assert np.isclose(m.logp(pt), want)
    assert np.isclose(m.fastlogp(pt), want)
    assert np.isclose(m.compile_logp()(pt), want)
    nojac = want - 0.2 - jac_u
    assert np.isclose(m.compile_logp(jacobian=False)(pt), nojac)
    assert np.isclose(m.fastlogp_nojac(pt), nojac)
    # graph forms
    assert m.logpt.ndim == 0 and m.logp().ndim == 0
    parts = m.fn([m.varlogpt, m.datalogpt])(pt)
    assert np.isclose(parts[1], stats.norm.logpdf(Y, 0.4, s).sum())
    assert np.isclose(parts[0] + parts[1], want)


def _fd(f, x, eps=1e-6):
    g = np.zeros_like(x)
    for i in range(len(x)):
        e = np.zeros_like(x)
        e[i] = eps
        g[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return g


def test_logp_dlogp_function_on_every_backend(backend):
    m, x, y = linear_model()
    f = m.logp_dlogp_function(backend=backend)
    assert f.size == 3 and [v.name for v in f.vars] == ["Intercept", "x", "sigma_log__"]
    np.testing.assert_allclose(f.initial_point, [0.0, 0.0, 0.0])
    q = np.array([0.8, 1.7, np.log(0.6)])
    lp, g = f(q)
    assert isinstance(lp, float) and g.dtype == np.float64 and g.shape == (3,)
    assert np.isclose(lp, linear_logp(x, y, 0.8, 1.7, 0.6))
    np.testing.assert_allclose(g, _fd(lambda z: f(z)[0], q), rtol=1e-5)
    np.testing.assert_allclose(m.fastdlogp()(f.array_to_dict(q)), g, rtol=1e-10)
    dl = m.dlogp()
    assert isinstance(dl, arignote.Variable) and dl.ndim == 1  # the graph (PyMC >= 4) ...
    np.testing.assert_allclose(dl(f.array_to_dict(q)), g, rtol=1e-10)  # ... callable on a point (PyMC3)
    np.testing.assert_allclose(m.compile_dlogp()(f.array_to_dict(q)), g, rtol=1e-10)
    d = f.array_to_dict(q)
    assert set(d) == {"Intercept", "x", "sigma_log__"} and d["x"].shape == ()
    np.testing.assert_array_equal(f.dict_to_array(d), q)
    out = np.empty(3)
    assert np.isclose(f(q, grad_out=out), lp)
    np.testing.assert_array_equal(out, g)
    kept = g.copy()
    f(q + 0.5)  # a sampler keeps gradients across calls: they must not share a buffer
    np.testing.assert_array_equal(g, kept)
    f2 = m.logp_dlogp_function(vars=["sigma", "x"], backend=backend)
    assert [v.name for v in f2.vars] == ["sigma_log__", "x"] and [v.name for v in f2.extra_vars] == ["Intercept"]


def test_logp_dlogp_function_pickles():
    m, x, y = linear_model()
    f = m.logp_dlogp_function()
    q = np.array([0.1, 0.2, 0.3])
    g = pickle.loads(pickle.dumps(f))
    assert g(q)[0] == f(q)[0]
    np.testing.assert_array_equal(g(q)[1], f(q)[1])
    m2 = pickle.loads(pickle.dumps(m))
    assert [v.name for v in m2.free_RVs] == [v.name for v in m.free_RVs]
    assert np.isclose(m2.logp(m2.test_point), m.logp(m.test_point))


def test_extra_values_for_discrete_variables():
    data = np.array([4, 5, 4, 0, 1, 4, 3, 4, 0, 6, 3, 3, 1, 0, 0, 1, 0, 1, 1, 0])
    with pm.Model() as m:
        sp = pm.DiscreteUniform("switchpoint", lower=0, upper=len(data))
        e = pm.Exponential("early_mean", lam=1.0)
        l_ = pm.Exponential("late_mean", lam=1.0)
        rate = pm.switch(sp >= np.arange(len(data)), e, l_)
        pm.Poisson("disasters", rate, observed=data)
    f = m.logp_dlogp_function()
    assert [v.name for v in f.vars] == ["early_mean_log__", "late_mean_log__"]
    assert [v.name for v in f.extra_vars] == ["switchpoint"]
    q = np.log([3.0, 1.0])
    for s in (3, 12):
        f.set_extra_values({"switchpoint": s})
        r = np.where(s >= np.arange(len(data)), 3.0, 1.0)
        want = (stats.randint.logpmf(s, 0, len(data) + 1) + stats.expon.logpdf(3.0) + np.log(3.0)
                + stats.expon.logpdf(1.0) + stats.poisson.logpmf(data, r).sum())
        assert np.isclose(f(q)[0], want)
    assert m.test_point["switchpoint"] == len(data) // 2


def test_potential_and_deterministic():
    with pm.Model() as m:
        a = pm.Normal("a", 0, 1)
        d = pm.Deterministic("d", 2 * a + 1)
        pot = pm.Potential("pot", -a ** 2)
    assert m.deterministics == [d] and m.potentials == [pot] and m["pot"] is pot
    assert np.isclose(m.logp({"a": 0.5}), stats.norm.logpdf(0.5) - 0.25)
    assert np.isclose(m.fn(d)({"a": 0.5}), 2.0)
    assert d.name == "d" and pot.name == "pot"


def test_seed_cell_model_with_pandas_and_shared_observed():
    df = pd.DataFrame({"x": np.linspace(0, 1, 5), "y": Y})
    ys = arignote.shared(Y)
    with pm.Model() as m:
        mu = pm.Normal("mu", 0, 1)
        pm.Normal("a", mu, 1, observed=df["y"])
        pm.Normal("b", mu, 1, observed=df[["y"]])
        pm.Normal("c", mu, 1, observed=ys)
    want = stats.norm.logpdf(0.0) + 3 * stats.norm.logpdf(Y).sum()
    assert np.isclose(m.logp(m.test_point), want)
    ys.set_value(Y + 1)
    assert np.isclose(m.logp(m.test_point), want - stats.norm.logpdf(Y).sum() + stats.norm.logpdf(Y + 1).sum())


def test_data_and_set_data_without_recompiling():
    with pm.Model() as m:
        xd = pm.Data("xd", np.array([1.0, 2.0, 3.0]))
        b = pm.Normal("b", 0, 1)
        pm.Normal("y", b * xd, 1.0, observed=np.array([1.0, 2.0, 2.0]))
    f = m.logp_dlogp_function()
    fn = f._fn
    lp1 = f(np.array([0.5]))[0]
    pm.set_data({"xd": np.array([2.0, 2.0, 2.0])}, model=m)
    lp2, g2 = f(np.array([0.5]))
    assert f._fn is fn
    assert np.isclose(lp1, stats.norm.logpdf(0.5) + stats.norm.logpdf([1, 2, 2], 0.5 * np.array([1, 2, 3])).sum())
    assert np.isclose(lp2, stats.norm.logpdf(0.5) + stats.norm.logpdf([1, 2, 2], 1.0).sum())
    assert np.isclose(g2[0], -0.5 + np.sum(2.0 * (np.array([1, 2, 2]) - 1.0)))
    assert m["xd"] is xd


def test_nested_model_prefixes_and_parent_registration():
    with pm.Model() as outer:
        a = pm.Normal("a", 0, 1)
        with pm.Model("inner") as inner:
            b = pm.Normal("b", a, 1)
    assert b.name == "inner_b"
    assert outer["inner_b"] is b and inner["b"] is b
    assert [v.name for v in outer.free_RVs] == ["a", "inner_b"]
    assert [v.name for v in inner.free_RVs] == ["inner_b"]


def test_shape_and_testval():
    with pm.Model() as m:
        x = pm.Normal("x", mu=np.arange(3.0), sigma=1.0, shape=3)
        z = pm.Normal("z", 0, 1, shape=(2, 2), testval=np.ones((2, 2)))
        e = pm.Exponential("e", 1.0, shape=2, testval=np.array([0.5, 2.0]))
    assert x.type.shape == (3,) and m.test_point["x"].tolist() == [0.0, 1.0, 2.0]
    np.testing.assert_array_equal(m.test_point["z"], np.ones((2, 2)))
    np.testing.assert_allclose(m.test_point["e_log__"], np.log([0.5, 2.0]))
    assert np.isclose(m.logp(m.test_point),
                      stats.norm.logpdf(0, 0, 1) * 3 + stats.norm.logpdf(1.0) * 4 + stats.expon.logpdf([0.5, 2.0]).sum()
                      + np.log([0.5, 2.0]).sum())


def test_transform_none_keeps_the_variable_untransformed():
    with pm.Model() as m:
        s = pm.HalfNormal("s", 1.0, transform=None)
    assert [v.name for v in m.free_RVs] == ["s"] and m.deterministics == []
    assert m.logp({"s": np.array(-1.0)}) == -np.inf


def test_find_map_closed_form():
    with pm.Model() as m:
        mu = pm.Normal("mu", 0, sigma=10.0)
        pm.Normal("obs", mu, 1.0, observed=Y)
    est = pm.find_MAP(progressbar=False, model=m)
    n = len(Y)
    assert np.isclose(est["mu"], Y.sum() / (n + 0.01), atol=1e-5)
    with pm.Model():
        s = pm.HalfNormal("s", 100.0)
        pm.Normal("obs", 0.0, s, observed=Y)
        est = pm.find_MAP()
    # PyMC3 3.x maximises the density of s itself (fastlogp_nojac): no log-Jacobian term
    assert set(est) == {"s_log__", "s"} and np.isclose(np.exp(est["s_log__"]), est["s"])
    ss = np.sum(Y ** 2)
    grid = np.linspace(0.3, 5, 200001)
    obj = stats.halfnorm.logpdf(grid, scale=100) + stats.norm.logpdf(Y[:, None], 0, grid).sum(0)
    assert abs(est["s"] - grid[np.argmax(obj)]) < 1e-3
    assert ss > 0


def test_find_map_linear_model_and_powell():
    m, x, y = linear_model()
    with m:
        est = pm.find_MAP()
        est2 = pm.find_MAP(method="Powell")
    A = np.column_stack([np.ones_like(x), x])
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    np.testing.assert_allclose([est["Intercept"], est["x"]], coef, atol=2e-3)
    np.testing.assert_allclose([est2["Intercept"], est2["x"]], coef, atol=2e-2)
    assert "sigma" in est and "sigma_log__" in est


def test_sample_prior_predictive():
    with pm.Model() as m:
        mu = pm.Normal("mu", 1.0, 2.0)
        s = pm.HalfNormal("s", 1.0)
        pm.Deterministic("twice", 2 * mu)
        pm.Normal("obs", mu, s, observed=Y)
    pp = pm.sample_prior_predictive(2000, model=m, random_seed=1)
    assert pp["mu"].shape == (2000,) and pp["obs"].shape == (2000, 5) and pp["s"].shape == (2000,)
    np.testing.assert_allclose(pp["twice"], 2 * pp["mu"])
    assert abs(pp["mu"].mean() - 1.0) < 0.15 and abs(pp["mu"].std() - 2.0) < 0.15
    assert stats.kstest(pp["s"], stats.halfnorm.cdf).pvalue > 1e-3
    # the observed draws scatter around each draw of mu with scale s
    z = (pp["obs"] - pp["mu"][:, None]) / pp["s"][:, None]
    assert abs(z.std() - 1.0) < 0.05
    pp2 = pm.sample_prior_predictive(2000, model=m, random_seed=1)
    np.testing.assert_array_equal(pp["obs"], pp2["obs"])


def test_random_with_point():
    with pm.Model() as m:
        mu = pm.Normal("mu", 0, 1)
        y = pm.Normal("y", mu, 0.1, observed=Y)
    np.random.seed(0)
    d = y.distribution.random(point={"mu": np.array(5.0)}, size=100)
    assert d.shape == (100, 5) and abs(d.mean() - 5.0) < 0.05


def test_external_distribution_through_the_hook():
    import ext_dist_plugin

    plugin_manager.register(ext_dist_plugin, name="ext_dist_test")
    try:
        assert "ExtGumbel" in plugin_manager.distributions()
        Gumbel = pm.ExtGumbel
        with pm.Model() as m:
            g = Gumbel("g", mu=1.0, beta=2.0)
            Gumbel("obs", mu=g, beta=1.5, observed=Y)
        assert m.free_RVs == [g]
        assert np.isclose(m.test_point["g"], 1.0 + 2.0 * np.euler_gamma)
        pt = {"g": np.array(0.7)}
        want = stats.gumbel_r.logpdf(0.7, 1.0, 2.0) + stats.gumbel_r.logpdf(Y, 0.7, 1.5).sum()
        assert np.isclose(m.logp(pt), want)
        f = m.logp_dlogp_function()
        np.testing.assert_allclose(f(np.array([0.7]))[1], _fd(lambda z: f(z)[0], np.array([0.7])), rtol=1e-5)
        with pytest.raises(ValueError, match="ExtGumbel: parameter 'beta' must be positive"):
            Gumbel.dist(0.0, -1.0)
        np.random.seed(0)
        assert stats.kstest(Gumbel.dist(1.0, 2.0).random(size=3000), stats.gumbel_r(1.0, 2.0).cdf).pvalue > 1e-3
    finally:
        plugin_manager.unregister("ext_dist_test")
    assert "ExtGumbel" not in plugin_manager.distributions()


def test_builtin_distributions_are_registered():
    reg = plugin_manager.distributions()
    for name in ("Normal", "HalfNormal", "Poisson", "Categorical", "MvNormal", "Dirichlet"):
        assert reg[name].factory is getattr(pm, name)


# ------------------------------------------------------------------ bad input
def test_variable_outside_a_model():
    with pytest.raises(TypeError, match="No model on context stack"):
        pm.Normal("x", 0, 1)


def test_duplicate_name():
    with pm.Model():
        pm.Normal("x", 0, 1)
        with pytest.raises(ValueError, match="Variable name x already exists"):
            pm.Normal("x", 0, 1)
        with pytest.raises(ValueError, match="Variable name x already exists"):
            pm.Deterministic("x", pm.exp(1.0))


def test_negative_scale_constant_in_model():
    with pm.Model():
        with pytest.raises(ValueError, match="Normal: parameter 'sigma' must be positive, got -1"):
            pm.Normal("x", 0, -1)


def test_observed_wrong_shape():
    with pm.Model():
        with pytest.raises(ValueError, match=r"observed data of 'y' has shape \(5,\) but .*shape=\(3,\)"):
            pm.Normal("y", 0, 1, shape=3, observed=Y)
        with pytest.raises(ValueError, match=r"does not broadcast with parameter 'mu'"):
            pm.Normal("z", np.zeros(3), 1, observed=Y)


def test_bad_names_and_observed():
    with pm.Model():
        with pytest.raises(TypeError, match="Name needs to be a string"):
            pm.Normal(3, 0, 1)
        with pytest.raises(TypeError, match="observed data of 's' must be numeric, got dtype <U1"):
            pm.Normal("s", 0, 1, observed=np.array(["a", "b"]))
        with pytest.raises(TypeError, match="non-integer"):
            pm.Poisson("k", 1.0, observed=np.array([1.5, 2.0]))


def test_glm_from_formula_and_seed_example():
    from arignote.ppl.examples import glm_linear

    m = glm_linear.model
    assert [v.name for v in m.free_RVs] == ["Intercept", "x", "sd_log__"]
    assert [v.name for v in m.observed_RVs] == ["y"]
    assert type(m["Intercept"].distribution).__name__ == "Flat"
    with m:
        est = pm.find_MAP()
    A = np.column_stack([np.ones(glm_linear.size), glm_linear.x])
    coef = np.linalg.lstsq(A, glm_linear.y, rcond=None)[0]
    np.testing.assert_allclose([est["Intercept"], est["x"]], coef, atol=2e-3)
    df = pd.DataFrame({"x": glm_linear.x, "k": np.random.default_rng(0).poisson(np.exp(glm_linear.x))})
    with pm.Model() as mp:
        pm.glm.GLM.from_formula("k ~ x", df, family="poisson")
    assert [v.name for v in mp.free_RVs] == ["Intercept", "x"]
    assert type(mp["y"].distribution).__name__ == "Poisson"
    with pm.Model() as mold:
        pm.glm.glm("y ~ x", glm_linear.data)
    assert [v.name for v in mold.free_RVs] == ["Intercept", "x", "sd_log__"]


def test_missing_observed_values_are_imputed():
    """NaN (pandas) or masked entries become a free variable ``<name>_missing`` as in PyMC3."""
    d = pd.Series([4, 5, np.nan, 0, 1, 4, 3, np.nan, 0, 6])
    years = np.arange(10)
    with pm.Model() as m:
        sp = pm.DiscreteUniform("switchpoint", lower=0, upper=9, testval=5)
        e = pm.Exponential("early_rate", 1.0)
        l_ = pm.Exponential("late_rate", 1.0)
        pm.Poisson("disasters", pm.switch(sp >= years, e, l_), observed=d)
    assert [v.name for v in m.free_RVs][-1] == "disasters_missing"
    assert [v.name for v in m.missing_values] == ["disasters_missing"]
    miss = m["disasters_missing"]
    assert miss.dtype == "int64" and miss.type.shape == (2,) and m.disc_vars[-1] is miss
    pt = dict(m.test_point, disasters_missing=np.array([2, 7]))
    r = np.where(5 >= years, np.exp(pt["early_rate_log__"]), np.exp(pt["late_rate_log__"]))
    full = np.array([4, 5, 2, 0, 1, 4, 3, 7, 0, 6])
    want = (stats.randint.logpmf(5, 0, 10) + 2 * (stats.expon.logpdf(np.exp(-0.36651292)) - 0.36651292)
            + stats.poisson.logpmf(full, r).sum())
    assert np.isclose(m.logp(pt), want, rtol=1e-6)
    with pm.Model() as m2:
        mu = pm.Normal("mu", 0, 1)
        pm.Normal("y", mu, 1, observed=np.ma.masked_invalid(np.array([1.0, np.nan, 2.0])))
    f = m2.logp_dlogp_function()
    assert [v.name for v in f.vars] == ["mu", "y_missing"]
    lp, g = f(np.array([0.5, 1.5]))
    assert np.isclose(lp, stats.norm.logpdf(0.5) + stats.norm.logpdf([1, 1.5, 2], 0.5).sum())
    np.testing.assert_allclose(g, [-0.5 + (0.5 + 1.0 + 1.5), -1.0])


def test_categorical_observed_vector():
    data = np.array([0, 2, 1, 1, 2])
    with pm.Model() as m:
        p = pm.Dirichlet("p", a=np.ones(3))
        pm.Categorical("y", p=p, observed=data)
    pt = {"p_stickbreaking__": np.array([0.2, -0.4])}
    pv = m.fn(m["p"])(pt)
    assert np.isclose(m.fn(m["y"].logpt)(pt), np.log(pv[data]).sum())
    assert m["p"].distribution.__class__.__name__ == "Dirichlet"


def test_logp_dlogp_function_bad_vectors():
    """The compiled function trusts its input; the wrapper keeps wrong vectors away from it."""
    m, x, y = linear_model()
    f = m.logp_dlogp_function()
    with pytest.raises(ValueError, match=r"x must be a flat vector of length 3 \(Intercept \(\), x \(\), "
                                         r"sigma_log__ \(\)\), got shape \(5,\)"):
        f(np.zeros(5))
    with pytest.raises(ValueError, match=r"got shape \(3, 1\)"):
        f(np.zeros((3, 1)))
    with pytest.raises(TypeError, match="must be numeric"):
        f(np.array(["a", "b", "c"]))
    q = np.array([0.8, 1.7, -0.5])
    lp, g = f(q)
    for other in (list(q), np.repeat(q, 2)[::2], q.astype(np.longdouble)):
        lp2, g2 = f(other)
        assert lp2 == lp
        np.testing.assert_array_equal(g2, g)
    with pytest.raises(KeyError, match="the point has no value for the free variable 'Intercept'"):
        m.logp({})
