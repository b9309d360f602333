"""PyMC3 3.x documentation examples (getting started, API docs), with pymc3 renamed to arignote.ppl."""
import numpy as np
import pandas as pd
import pytest
from scipy import stats

import arignote.ppl as pm


def test_getting_started_basic_model_map():
    np.random.seed(123)
    alpha, sigma = 1, 1
    beta = [1, 2.5]
    size = 100
    X1 = np.random.randn(size)
    X2 = np.random.randn(size) * 0.2
    Y = alpha + beta[0] * X1 + beta[1] * X2 + np.random.randn(size) * sigma

    basic_model = pm.Model()
    with basic_model:
        alpha = pm.Normal("alpha", mu=0, sigma=10)
        beta = pm.Normal("beta", mu=0, sigma=10, shape=2)
        sigma = pm.HalfNormal("sigma", sigma=1)
        mu = alpha + beta[0] * X1 + beta[1] * X2
        Y_obs = pm.Normal("Y_obs", mu=mu, sigma=sigma, observed=Y)

    map_estimate = pm.find_MAP(model=basic_model)
    assert set(map_estimate) == {"alpha", "beta", "sigma_log__", "sigma"}
    A = np.column_stack([np.ones(size), X1, X2])
    coef = np.linalg.lstsq(A, Y, rcond=None)[0]
    np.testing.assert_allclose(np.r_[map_estimate["alpha"], map_estimate["beta"]], coef, atol=0.02)
    assert map_estimate["beta"].shape == (2,)
    powell = pm.find_MAP(model=basic_model, method="powell")
    np.testing.assert_allclose(np.r_[powell["alpha"], powell["beta"]], coef, atol=0.05)
    assert Y_obs.name == "Y_obs"


def test_getting_started_coal_mining_with_missing_data():
    # fmt: off
    disaster_data = pd.Series([4, 5, 4, 0, 1, 4, 3, 4, 0, 6, 3, 3, 4, 0, 2, 6,
                               3, 3, 5, 4, 5, 3, 1, 4, 4, 1, 5, 5, 3, 4, 2, 5,
                               2, 2, 3, 4, 2, 1, 3, np.nan, 2, 1, 1, 1, 1, 3, 0, 0,
                               1, 0, 1, 1, 0, 0, 3, 1, 0, 3, 2, 2, 0, 1, 1, 1,
                               0, 1, 0, 1, 0, 0, 0, 2, 1, 0, 0, 0, 1, 1, 0, 2,
                               3, 3, 1, np.nan, 2, 1, 1, 1, 1, 2, 4, 2, 0, 0, 1, 4,
                               0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1])
    # fmt: on
    years = np.arange(1851, 1962)
    with pm.Model() as disaster_model:
        switchpoint = pm.DiscreteUniform("switchpoint", lower=years.min(), upper=years.max(), testval=1900)
        early_rate = pm.Exponential("early_rate", 1.0)
        late_rate = pm.Exponential("late_rate", 1.0)
        rate = pm.math.switch(switchpoint >= years, early_rate, late_rate)
        disasters = pm.Poisson("disasters", rate, observed=disaster_data)
    assert [v.name for v in disaster_model.free_RVs] == [
        "switchpoint", "early_rate_log__", "late_rate_log__", "disasters_missing"]
    tp = disaster_model.test_point
    assert tp["switchpoint"] == 1900 and tp["disasters_missing"].shape == (2,)
    assert np.isfinite(disaster_model.logp(tp))
    assert disasters.distribution.__class__.__name__ == "Poisson"


def test_getting_started_stochastic_volatility_model():
    np.random.seed(0)
    returns = pd.Series(np.random.standard_t(4, 300) * 0.02)
    with pm.Model() as sp500_model:
        change_returns = pm.Data("returns", returns, dims="date", export_index_as_coords=True)
        nu = pm.Exponential("nu", 1 / 10.0, testval=5.0)
        sigma = pm.Exponential("sigma", 2.0, testval=0.1)
        s = pm.GaussianRandomWalk("s", sigma=sigma, shape=len(returns))
        volatility_process = pm.Deterministic("volatility_process", pm.math.exp(-2 * s) ** 0.5)
        r = pm.StudentT("r", nu=nu, sigma=volatility_process, observed=change_returns)
    assert [v.name for v in sp500_model.free_RVs] == ["nu_log__", "sigma_log__", "s"]
    assert [v.name for v in sp500_model.deterministics] == ["nu", "sigma", "volatility_process"]
    f = sp500_model.logp_dlogp_function()
    assert f.size == 302
    pt = sp500_model.test_point
    want = (stats.expon.logpdf(5.0, scale=10) + np.log(5.0) + stats.expon.logpdf(0.1, scale=0.5) + np.log(0.1)
            + stats.norm.logpdf(np.zeros(299), 0, 0.1).sum() + stats.t.logpdf(returns, 5.0, 0, 1.0).sum())
    assert np.isclose(f(f.dict_to_array(pt))[0], want)
    assert r.name == "r"


def test_densitydist_and_potential_docs():
    data = np.random.default_rng(1).normal(1.0, 1.0, 50)
    with pm.Model() as model:
        mu = pm.Normal("mu", 0, 1)
        normal_dist = pm.Normal.dist(mu, 1)
        pm.DensityDist("density_dist", normal_dist.logp, observed=data)
    want = stats.norm.logpdf(0.3) + stats.norm.logpdf(data, 0.3, 1).sum()
    assert np.isclose(model.logp({"mu": 0.3}), want)

    def logp(failure, value):
        return (failure * pm.math.log(value) - value).sum()

    with pm.Model() as m2:
        lam = pm.Exponential("lam", 1.0)
        pm.DensityDist("x", lambda failure: logp(failure, lam), observed={"failure": np.array([1.0, 0.0, 1.0])})
    assert np.isclose(m2.logp({"lam_log__": 0.0}), -1.0 + 0.0 + 2 * 0.0 - 3.0)


def test_data_container_docs():
    x = np.random.default_rng(0).normal(size=100)
    y = x + np.random.default_rng(1).normal(size=100)
    with pm.Model() as model:
        data = pm.Data("data", x)
        obs = pm.Data("obs", y)
        coef = pm.Normal("coef", 0, 1)
        pm.Normal("y", coef * data, 1, observed=obs)
    f = model.logp_dlogp_function()
    a = f(np.array([0.4]))[0]
    with model:
        pm.set_data({"data": 2 * x, "obs": 2 * y})
    b = f(np.array([0.4]))[0]
    assert np.isclose(a, stats.norm.logpdf(0.4) + stats.norm.logpdf(y, 0.4 * x).sum())
    assert np.isclose(b, stats.norm.logpdf(0.4) + stats.norm.logpdf(2 * y, 0.8 * x).sum())
    with pytest.raises(TypeError, match="not a Data container"):
        with model:
            pm.set_data({"coef": 1.0})


def test_bound_docs():
    with pm.Model() as model:
        BoundedNormal = pm.Bound(pm.Normal, lower=0.0)
        x = BoundedNormal("x", mu=1.0, sigma=3.0)
        BoundedPoisson = pm.Bound(pm.Poisson, upper=6)
        k = BoundedPoisson("k", mu=2.0)
    assert [v.name for v in model.free_RVs] == ["x_lowerbound__", "k"]
    assert model.test_point["x_lowerbound__"] == 0.0 and model.test_point["k"] == 5
    pt = {"x_lowerbound__": np.log(2.5), "k": np.array(3)}
    want = stats.norm.logpdf(2.5, 1, 3) + np.log(2.5) + stats.poisson.logpmf(3, 2.0)
    assert np.isclose(model.logp(pt), want)
    assert model.logp({"x_lowerbound__": 0.0, "k": np.array(7)}) == -np.inf
    np.random.seed(0)
    d = x.distribution.random(size=2000)
    assert d.min() >= 0 and stats.kstest(d, stats.truncnorm(-1 / 3, np.inf, 1, 3).cdf).pvalue > 1e-3


def test_coords_and_dims():
    with pm.Model(coords={"city": ["a", "b", "c"]}) as model:
        z = pm.Normal("z", 0, 1, dims="city")
    assert z.type.shape == (3,) and model.coords["city"] == ["a", "b", "c"]
    with pytest.raises(ValueError, match="have no coords"):
        with model:
            pm.Normal("w", 0, 1, dims="town")


def test_docs_ppl_md_code_blocks_run():
    """The python blocks of docs/ppl.md run in order in one namespace."""
    import os
    import re

    path = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "ppl.md")
    with open(path) as fh:
        blocks = re.findall(r"```python\n(.*?)```", fh.read(), re.S)
    assert len(blocks) >= 3
    ns = {}
    for b in blocks:
        exec(compile(b, "docs/ppl.md", "exec"), ns)
    assert [v.name for v in ns["model"].free_RVs] == ["mu", "sigma_log__"]
    assert ns["f"].size == 2 and ns["g"].name == "g"


def test_mvnormal_lkj_docstring_examples():
    import arignote.tensor as tt

    np.random.seed(0)
    mu = np.zeros(3)
    true_cov = np.array([[1.0, 0.5, 0.1], [0.5, 2.0, 0.2], [0.1, 0.2, 1.0]])
    data = np.random.multivariate_normal(mu, true_cov, 10)
    with pm.Model() as model:
        sd_dist = pm.Exponential.dist(1.0, shape=3)
        chol, corr, stds = pm.LKJCholeskyCov("chol_cov", n=3, eta=2, sd_dist=sd_dist, compute_corr=True)
        vals = pm.MvNormal("vals", mu=mu, chol=chol, observed=data)
    pt = model.test_point
    assert list(pt) == ["chol_cov_cholesky-cov-packed__"]
    L = np.zeros((3, 3))
    L[np.tril_indices(3)] = pt["chol_cov_cholesky-cov-packed__"]
    L[np.diag_indices(3)] = np.exp(np.diag(L))
    assert np.isclose(model.fn(vals.logpt)(pt), stats.multivariate_normal(mu, L @ L.T).logpdf(data).sum())
    pp = pm.sample_prior_predictive(20, model=model, random_seed=0)
    assert pp["vals"].shape == (20, 10, 3) and pp["chol_cov_corr"].shape == (20, 3, 3)
    np.testing.assert_allclose(np.diagonal(pp["chol_cov_corr"], axis1=1, axis2=2), 1.0)

    with pm.Model() as model2:
        chol, _, _ = pm.LKJCholeskyCov("chol_cov", n=3, eta=2, sd_dist=pm.Exponential.dist(1.0), compute_corr=True)
        vals_raw = pm.Normal("vals_raw", mu=0, sigma=1, shape=(5, 3))
        vals = pm.Deterministic("vals", tt.dot(chol, vals_raw.T).T)
    assert model2.fn(vals)(model2.test_point).shape == (5, 3)
