"""PyMC3 3.11's getting_started notebook: the coal-mining model with missing
data, the as_op black-box switchpoint, an arbitrary (user-written) distribution,
find_MAP and the ArviZ calls, with ``pymc3`` -> ``arignote.ppl``.

Deliberate differences from PyMC3: draws are short (tens to hundreds) and seeded;
checks are against SciPy/closed forms rather than the notebook's printed output.
"""
import warnings

import arviz as az
import numpy as np
import pytest
from scipy import optimize, stats

import arignote.ppl as pm
import arignote.tensor as tt
from arignote.compile.ops import as_op

FAST = dict(progressbar=False, compute_convergence_checks=False, cores=1)

# fmt: off
DISASTER_DATA = [4, 5, 4, 0, 1, 4, 3, 4, 0, 6, 3, 3, 4, 0, 2, 6, 3, 3, 5, 4, 5, 3, 1, 4, 4, 1, 5, 5, 3,
                 4, 2, 5, 2, 2, 3, 4, 2, 1, 3, np.nan, 2, 1, 1, 1, 1, 3, 0, 0, 1, 0, 1, 1, 0, 0, 3, 1,
                 0, 3, 2, 2, 0, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 2, 1, 0, 0, 0, 1, 1, 0, 2, 3, 3, 1,
                 np.nan, 2, 1, 1, 1, 1, 2, 4, 2, 0, 0, 1, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1]
# fmt: on
YEARS = np.arange(1851, 1962)


def _masked():
    return np.ma.masked_values([-999 if np.isnan(v) else v for v in DISASTER_DATA], value=-999)


def _coal_model(disasters):
    with pm.Model() as model:
        switchpoint = pm.DiscreteUniform("switchpoint", lower=YEARS.min(), upper=YEARS.max(), testval=1900)
        early_rate = pm.Exponential("early_rate", 1.0)
        late_rate = pm.Exponential("late_rate", 1.0)
        rate = pm.math.switch(switchpoint >= YEARS, early_rate, late_rate)
        pm.Poisson("disasters", rate, observed=disasters)
    return model


def test_coal_mining_missing_values_are_imputed():
    with pytest.warns(pm.ImputationWarning, match="disasters contains missing values"):
        model = _coal_model(_masked())
    names = [v.name for v in model.free_RVs]
    assert names == ["switchpoint", "early_rate_log__", "late_rate_log__", "disasters_missing"]
    assert model["disasters_missing"].tag.test_value.shape == (2,)
    with model:
        trace = pm.sample(300, tune=300, chains=2, random_seed=[11, 12], **FAST)
    assert trace["disasters_missing"].shape == (600, 2)
    # the imputed counts are Poisson draws at the rate of their era (both gaps are in 1890 and 1935)
    sp, early, late = trace["switchpoint"], trace["early_rate"], trace["late_rate"]
    assert 1880 < np.median(sp) < 1900
    rate_1935 = np.where(sp >= 1935, early, late)
    imputed = trace["disasters_missing"][:, 1]
    assert abs(imputed.mean() - rate_1935.mean()) < 4 * np.sqrt(rate_1935.mean() / 60 + 0.01)
    assert np.all(imputed >= 0) and np.all(imputed == np.round(imputed))


def test_coal_mining_nan_array_means_the_same():
    with pytest.warns(pm.ImputationWarning):
        model = _coal_model(np.array(DISASTER_DATA))
    assert "disasters_missing" in model.named_vars


def test_rates_against_conjugate_gamma_given_the_switchpoint():
    """With the switchpoint fixed the rates are Gamma(1 + sum, 1 + n) (Exponential(1) prior)."""
    data = np.array([0 if np.isnan(v) else v for v in DISASTER_DATA])
    with pm.Model():
        early_rate = pm.Exponential("early_rate", 1.0)
        late_rate = pm.Exponential("late_rate", 1.0)
        pm.Poisson("disasters", pm.math.switch(1890 >= YEARS, early_rate, late_rate), observed=data)
        trace = pm.sample(400, tune=200, step=pm.Slice(), chains=1, random_seed=5, **FAST)
    for name, part in (("early_rate", data[YEARS <= 1890]), ("late_rate", data[YEARS > 1890])):
        exact = stats.gamma(1 + part.sum(), scale=1 / (1 + len(part)))
        assert abs(trace[name].mean() - exact.mean()) < 5 * exact.std() / np.sqrt(100)


@as_op(itypes=[tt.lscalar], otypes=[tt.lscalar])
def crazy_modulo3(value):
    if value > 0:
        return value % 3
    return (-value + 1) % 3


def test_as_op_black_box_inside_a_model_sampled_with_metropolis():
    with pm.Model() as model_deterministic:
        a = pm.Poisson("a", 1)
        b = crazy_modulo3(a)
        pm.Deterministic("b", b)
        trace = pm.sample(400, tune=100, step=pm.Metropolis(), chains=1, random_seed=3, **FAST)
    a_draws, b_draws = trace["a"], trace["b"]
    expected = np.where(a_draws > 0, a_draws % 3, (-a_draws + 1) % 3)
    np.testing.assert_array_equal(b_draws, expected)
    assert abs(a_draws.mean() - 1.0) < 0.5


@as_op(itypes=[tt.dscalar], otypes=[tt.dscalar])
def squared(v):
    return np.asarray(v * v)


def test_as_op_in_the_likelihood_with_slice():
    y = np.array([1.0, 1.2, 0.8, 1.1])
    with pm.Model():
        a = pm.Uniform("a", 0.0, 2.0)
        pm.Normal("y", mu=squared(a), sigma=0.2, observed=y)
        trace = pm.sample(400, tune=200, step=pm.Slice(), chains=1, random_seed=4, **FAST)
    grid = np.linspace(1e-4, 2 - 1e-4, 20001)
    dens = np.exp(stats.norm.logpdf(y[:, None], grid ** 2, 0.2).sum(0))
    exact_mean = (grid * dens).sum() / dens.sum()
    exact_sd = np.sqrt(((grid - exact_mean) ** 2 * dens).sum() / dens.sum())
    assert abs(trace["a"].mean() - exact_mean) < 5 * exact_sd / np.sqrt(80)


class Beta(pm.Continuous):
    """getting_started's 'arbitrary distribution' written by a user."""

    def __init__(self, alpha, beta, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.alpha = alpha
        self.beta = beta
        self.mode = (alpha - 1) / (alpha + beta - 2)

    def logp(self, value):
        return tt.log(value) * (self.alpha - 1) + tt.log(1 - value) * (self.beta - 1)

    def random(self, point=None, size=None):
        return np.random.beta(self.alpha, self.beta, size)


def test_user_distribution_logp_random_and_map():
    with pm.Model() as model:
        Beta("slope", alpha=2.0, beta=3.0, transform=pm.transforms.logodds, testval=0.3)
    est = pm.find_MAP(model=model)
    assert set(est) == {"slope", "slope_logodds__"}
    assert np.isclose(est["slope"], 1 / 3, atol=1e-5)  # the Beta(2, 3) mode: no Jacobian, as PyMC3
    assert np.isclose(est["slope_logodds__"], np.log(0.5), atol=1e-4)
    np.random.seed(0)
    prior = pm.sample_prior_predictive(2000, model=model)["slope"]
    assert prior.shape == (2000,)
    assert stats.kstest(prior, stats.beta(2, 3).cdf).pvalue > 1e-3
    with model:
        trace = pm.sample(500, tune=300, chains=1, random_seed=2, **FAST)
    assert abs(trace["slope"].mean() - 0.4) < 5 * stats.beta(2, 3).std() / np.sqrt(100)


def test_find_map_linear_model_against_least_squares():
    rng = np.random.default_rng(123)
    X1, X2 = rng.standard_normal(100), rng.standard_normal(100) * 0.2
    Y = 1 + X1 + 2.5 * X2 + rng.standard_normal(100)
    with pm.Model() as basic_model:
        alpha = pm.Normal("alpha", mu=0, sigma=10)
        beta = pm.Normal("beta", mu=0, sigma=10, shape=2)
        sigma = pm.HalfNormal("sigma", sigma=1)
        pm.Normal("Y_obs", mu=alpha + beta[0] * X1 + beta[1] * X2, sigma=sigma, observed=Y)
    est = pm.find_MAP(model=basic_model)
    powell = pm.find_MAP(model=basic_model, method="powell")
    assert set(est) == {"alpha", "beta", "sigma", "sigma_log__"}

    def neg(theta):
        a, b0, b1, ls = theta
        s = np.exp(ls)
        return -(stats.norm.logpdf([a, b0, b1], 0, 10).sum() + stats.halfnorm.logpdf(s)
                 + stats.norm.logpdf(Y, a + b0 * X1 + b1 * X2, s).sum())

    ref = optimize.minimize(neg, np.zeros(4), method="BFGS").x
    np.testing.assert_allclose(est["alpha"], ref[0], atol=1e-3)
    np.testing.assert_allclose(est["beta"], ref[1:3], atol=1e-3)
    np.testing.assert_allclose(est["sigma"], np.exp(ref[3]), atol=1e-3)
    np.testing.assert_allclose(powell["beta"], ref[1:3], atol=1e-2)


def test_arviz_calls_of_the_notebook_on_a_multitrace():
    with pm.Model():
        mu = pm.Normal("mu", 0, 10)
        pm.Normal("y", mu, 1.0, observed=np.array([0.5, 1.5, 1.0]))
        trace = pm.sample(100, tune=100, chains=2, random_seed=[1, 2], **FAST)
    table = az.summary(trace)
    assert list(table.index) == ["mu"]
    draws = trace["mu"]
    assert np.isclose(table.loc["mu", "mean"], draws.mean(), atol=1e-3)
    assert np.isclose(table.loc["mu", "sd"], draws.std(ddof=1), atol=1e-3)
    pm_table = pm.summary(trace)
    assert np.isclose(pm_table.loc["mu", "mean"], table.loc["mu", "mean"])
    import matplotlib

    matplotlib.use("Agg")
    axes = az.plot_trace(trace)
    assert axes.shape == (1, 2)
    matplotlib.pyplot.close("all")
