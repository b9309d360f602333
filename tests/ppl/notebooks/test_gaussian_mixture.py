"""PyMC3 3.x's gaussian_mixture_model notebook: a latent-assignment mixture sampled
with Metropolis for the continuous parameters and the (deprecated) vectorised
``ElemwiseCategorical`` Gibbs step for the assignments; and the marginalised
``NormalMixture`` form.

Deliberate differences from PyMC3: 300 draws instead of 10000; well-separated
clusters so that short chains suffice. ``ElemwiseCategorical`` is checked exactly
against the full conditional of each assignment (Bayes' rule with SciPy).
"""
import warnings

import numpy as np
import pytest
from scipy import stats

import arignote.ppl as pm
import arignote.tensor as tt

FAST = dict(progressbar=False, compute_convergence_checks=False, cores=1)


def _data(n=60):
    rng = np.random.default_rng(0)
    centers = np.array([-6.0, 0.0, 6.0])
    labels = rng.integers(0, 3, n)
    return centers[labels] + rng.normal(0, 1.0, n), labels


def _elemwise(var, values):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return pm.ElemwiseCategorical(vars=[var], values=values)


def test_elemwise_categorical_draws_the_exact_full_conditional():
    data, _ = _data(12)
    means, w = np.array([-6.0, 0.0, 6.0]), np.array([0.2, 0.3, 0.5])
    with pm.Model():
        category = pm.Categorical("category", p=w, shape=len(data))
        pm.Normal("obs", mu=tt.as_tensor_variable(means)[category], sigma=3.0, observed=data)
        trace = pm.sample(3000, tune=0, step=_elemwise(category, [0, 1, 2]), chains=1, random_seed=3, **FAST)
    lik = w * stats.norm.pdf(data[:, None], means, 3.0)
    exact = lik / lik.sum(1, keepdims=True)
    freq = np.stack([(trace["category"] == k).mean(0) for k in range(3)], axis=1)
    np.testing.assert_allclose(freq, exact, atol=4 * np.sqrt(0.25 / 3000) + 1e-3)


def test_elemwise_categorical_is_deprecated_and_checks_its_variable():
    with pm.Model():
        c = pm.Categorical("c", p=np.ones(3) / 3, shape=4)
        x = pm.Normal("x", 0, 1)
        pm.Normal("y", mu=x, sigma=1.0, observed=np.zeros(2))
        with pytest.warns(DeprecationWarning, match="CategoricalGibbsMetropolis"):
            step = pm.ElemwiseCategorical(vars=[c])
        np.testing.assert_array_equal(step.values, [0, 1, 2])
    with pm.Model():
        c = pm.Categorical("c", p=np.ones(3) / 3, shape=4)
        pm.Potential("pot", tt.sum(c))  # a scalar term: the elements are not independent term by term
        pm.Normal("y", mu=tt.sum(c), sigma=1.0, observed=np.zeros(2))
        with pytest.raises(ValueError, match="'y'.*not conditionally independent"):
            _elemwise(c, [0, 1, 2])


def test_notebook_model_with_metropolis_and_elemwise_categorical():
    data, labels = _data()
    k = 3
    with pm.Model():
        p = pm.Dirichlet("p", a=np.array([1.0, 1.0, 1.0]), shape=k)
        pm.Potential("p_min_potential", tt.switch(tt.min(p) < 0.1, -np.inf, 0))
        means = pm.Normal("means", mu=[0, 0, 0], sigma=15, shape=k)
        pm.Potential("order_means_potential",
                     tt.switch(means[1] - means[0] < 0, -np.inf, 0) + tt.switch(means[2] - means[1] < 0, -np.inf, 0))
        sd = pm.Uniform("sd", lower=0, upper=20)
        category = pm.Categorical("category", p=p, shape=len(data))
        pm.Normal("obs", mu=means[category], sigma=sd, observed=data)
        step1 = pm.Metropolis(vars=[p, sd, means])
        step2 = _elemwise(category, [0, 1, 2])
        trace = pm.sample(300, tune=300, step=[step1, step2], chains=1, random_seed=5,
                          start={"means": np.array([-3.0, 0.0, 3.0]), "sd": 2.0}, **FAST)
    post = slice(150, None)
    # with the clusters separated the assignments are known; the means are the cluster means
    np.testing.assert_allclose(trace["means"][post].mean(0),
                               [data[labels == j].mean() for j in range(3)], atol=0.8)
    assert (trace["category"][-1] == labels).mean() > 0.95
    assert 0.6 < trace["sd"][post].mean() < 1.6


def test_marginal_normal_mixture_logp_and_map_against_scipy():
    data, labels = _data()
    with pm.Model() as model:
        w = pm.Dirichlet("w", a=np.ones(3))
        mu = pm.Normal("mu", mu=np.array([-5.0, 0.0, 5.0]), sigma=10, shape=3)
        pm.NormalMixture("obs", w=w, mu=mu, sigma=1.0, observed=data)
    point = {"w_stickbreaking__": np.array([0.1, -0.2]), "mu": np.array([-6.0, 0.5, 5.5])}
    w_val = model["w"].transformation.backward(tt.as_tensor_variable(point["w_stickbreaking__"])).eval()
    lik = np.log((w_val * stats.norm.pdf(data[:, None], point["mu"], 1.0)).sum(1)).sum()
    exact = stats.dirichlet.logpdf(w_val, np.ones(3)) + stats.norm.logpdf(point["mu"], [-5, 0, 5], 10).sum() + lik
    assert np.isclose(model.fn(model.logp_nojact)(point), exact)
    est = pm.find_MAP(model=model)
    np.testing.assert_allclose(est["mu"], [data[labels == j].mean() for j in range(3)], atol=0.3)
