"""PyMC3 3.11's api_quickstart notebook: models and their attributes, distributions
outside models, transformed names, shapes, compound steps and their sampler
statistics, trace slicing, seeds per chain, predictive sampling and
``az.from_pymc3`` with prior and posterior predictive groups.

Deliberate differences from PyMC3: short seeded runs; ``cores=1`` to keep the module
fast; checks against SciPy and conjugate closed forms.
"""
import arviz as az
import numpy as np
import pytest
from scipy import stats

import arignote.ppl as pm

FAST = dict(progressbar=False, compute_convergence_checks=False, cores=1)
DATA = np.random.default_rng(0).standard_normal(100)


def _normal_model():
    with pm.Model() as model:
        mu = pm.Normal("mu", mu=0, sigma=1)
        pm.Normal("obs", mu=mu, sigma=1, observed=DATA)
    return model


def test_model_attributes_and_logp():
    model = _normal_model()
    assert [v.name for v in model.basic_RVs] == ["mu", "obs"]
    assert [v.name for v in model.free_RVs] == ["mu"]
    assert [v.name for v in model.observed_RVs] == ["obs"]
    exact = stats.norm.logpdf(0.5) + stats.norm.logpdf(DATA, 0.5).sum()
    assert np.isclose(model.logp({"mu": 0.5}), exact)


def test_distributions_outside_models_and_shapes():
    assert np.isclose(pm.Normal.dist(mu=0, sigma=1).logp(0.5).eval(), stats.norm.logpdf(0.5))
    np.random.seed(1)
    draws = pm.Normal.dist(mu=0, sigma=1, shape=(3,)).random(size=(1000,))
    assert draws.shape == (1000, 3)
    with pm.Model() as model:
        x = pm.Normal("x", mu=0, sigma=1, shape=(2, 2))
        d = pm.Dirichlet("d", a=np.ones(3))
        pm.Lognormal("ln", mu=0, sd=1)  # the Lognormal spelling and the deprecated sd=
    assert x.tag.test_value.shape == (2, 2) and d.tag.test_value.shape == (3,)
    names = [v.name for v in model.free_RVs]
    assert names == ["x", "d_stickbreaking__", "ln_log__"]
    lp = model.logp({"x": np.zeros((2, 2)), "d_stickbreaking__": np.zeros(2), "ln_log__": np.array(0.0)})
    assert np.isfinite(lp)


def test_transformed_names_in_traces_when_asked_for():
    with pm.Model():
        pm.Uniform("x", 0, 1)
        pm.HalfNormal("tau", 1.0)
        pm.Beta("p", 1, 1)
        trace = pm.sample(50, tune=50, chains=1, random_seed=1, **FAST)
    assert set(trace.varnames) >= {"x_interval__", "tau_log__", "p_logodds__", "x", "tau", "p"}
    np.testing.assert_allclose(np.exp(trace["tau_log__"]), trace["tau"])
    np.testing.assert_allclose(1 / (1 + np.exp(-trace["p_logodds__"])), trace["p"])
    df = pm.trace_to_dataframe(trace)
    assert "x_interval__" not in df.columns and "x" in df.columns
    assert "tau_log__" in pm.trace_to_dataframe(trace, include_transformed=True).columns


def test_compound_step_stats_per_method_slicing_and_seed_list():
    with pm.Model():
        mu = pm.Normal("mu", mu=0, sigma=1)
        sd = pm.HalfNormal("sd", sigma=1)
        pm.Normal("obs", mu=mu, sigma=sd, observed=DATA)
        step1 = pm.Metropolis(vars=[mu])
        step2 = pm.Slice(vars=[sd])
        trace = pm.sample(100, tune=100, step=[step1, step2], chains=2, random_seed=[7, 8], **FAST)
        again = pm.sample(100, tune=100, step=[pm.Metropolis(vars=[mu]), pm.Slice(vars=[sd])],
                          chains=2, random_seed=[7, 8], **FAST)
    np.testing.assert_array_equal(trace["mu"], again["mu"])  # one seed per chain: reproducible
    assert not np.array_equal(trace.get_values("mu", chains=0), trace.get_values("mu", chains=1))
    assert {"accept", "accepted", "tune", "scaling"} <= set(trace.stat_names)
    accepted = trace.get_sampler_stats("accepted")
    assert accepted.shape == (200,) and set(np.unique(accepted)) <= {0, 1, False, True}
    per_chain = trace.get_sampler_stats("accepted", combine=False)
    assert [a.shape for a in per_chain] == [(100,), (100,)]
    # trace slicing with a step, as the notebook's trace[::5]
    thinned = trace[::5]
    assert len(thinned) == 20
    np.testing.assert_array_equal(thinned["mu"], np.concatenate(
        [trace.get_values("mu", chains=c)[::5] for c in trace.chains]))
    np.testing.assert_array_equal(trace.get_values("mu", burn=50, thin=2, combine=False)[0],
                                  trace.get_values("mu", chains=0)[50::2])


def test_compound_stats_reported_by_two_methods_stack_per_method():
    with pm.Model():
        x = pm.Normal("x", 0, 1)
        k = pm.Bernoulli("k", 0.3)
        trace = pm.sample(60, tune=20, step=[pm.Metropolis([x]), pm.BinaryMetropolis([k])],
                          chains=1, random_seed=3, **FAST)
    accept = trace.get_sampler_stats("accept")
    assert accept.shape == (60, 2)  # one column per step method, as PyMC3
    assert 0.1 < trace["k"].mean() < 0.6


def test_predictive_sampling_and_from_pymc3_groups():
    model = _normal_model()
    with model:
        trace = pm.sample(200, tune=200, chains=2, random_seed=[3, 4], **FAST)
        np.random.seed(5)
        prior = pm.sample_prior_predictive(samples=500)
        post_pred = pm.sample_posterior_predictive(trace, samples=300)
        idata = az.from_pymc3(trace, prior=prior, posterior_predictive=post_pred)
    assert prior["mu"].shape == (500,) and prior["obs"].shape == (500, 100)
    assert post_pred["obs"].shape == (300, 100)
    # conjugate posterior of mu: N(sum / (n + 1), 1 / (n + 1))
    n = len(DATA)
    post_mean, post_sd = DATA.sum() / (n + 1), np.sqrt(1 / (n + 1))
    assert abs(trace["mu"].mean() - post_mean) < 5 * post_sd / np.sqrt(100)
    # predictive mean of each observation: the posterior mean, spread sqrt(1 + 1/(n+1))
    pp = post_pred["obs"]
    assert abs(pp.mean() - post_mean) < 5 * np.sqrt(1 + 1 / (n + 1)) / np.sqrt(300)
    assert abs(pp.std() - np.sqrt(1 + 1 / (n + 1))) < 0.05
    assert stats.kstest(prior["mu"], "norm").pvalue > 1e-3
    groups = set(idata.groups())
    assert groups >= {"posterior", "sample_stats", "observed_data", "prior", "prior_predictive",
                      "posterior_predictive"}
    assert "obs" not in idata.prior and "obs" in idata.prior_predictive
    assert idata.posterior["mu"].shape == (2, 200)
    np.testing.assert_array_equal(idata.observed_data["obs"].values, DATA)
    both = az.concat(trace, az.from_pymc3(trace), dim="chain")
    assert both.posterior.sizes["chain"] == 4


def test_arviz_rejects_other_objects_as_before():
    class Foreign:
        pass

    with pytest.raises(ValueError, match="Can only convert"):
        az.convert_to_inference_data(Foreign())
    with pytest.raises(TypeError, match="MultiTrace"):
        az.from_pymc3(Foreign())
