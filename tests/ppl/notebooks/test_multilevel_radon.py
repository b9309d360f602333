"""PyMC3's multilevel_modeling (radon) notebook, on synthetic data of the same layout
(the radon files are not shipped): the varying-intercept model indexed by county,
with coords/dims, and the pooled model.

Reference: with the scale parameters held fixed (given as constants), the posterior of
(mu_a, a, b) is Gaussian and computed here by linear algebra.
Deliberate differences from PyMC3: synthetic data (12 counties); 2 x 300 draws, cores=1.
"""
import numpy as np

import arignote.ppl as pm

FAST = dict(progressbar=False, compute_convergence_checks=False, cores=1)


def _radon():
    rng = np.random.default_rng(7)
    n_county = 12
    county = np.repeat(np.arange(n_county), rng.integers(3, 12, n_county))
    floor = rng.integers(0, 2, len(county)).astype(float)
    alpha = 1.5 + rng.normal(0, 0.4, n_county)
    log_radon = alpha[county] - 0.6 * floor + rng.normal(0, 0.7, len(county))
    return county, floor, log_radon, n_county


def _exact_gaussian(county, floor, y, n_county, sigma_a, sigma_y):
    """Posterior mean of (mu_a, a_1..a_J, b) with mu_a ~ N(0, 10^2), b ~ N(0, 10^2)."""
    n = len(y)
    dim = 2 + n_county
    X = np.zeros((n, dim))
    X[np.arange(n), 1 + county] = 1.0
    X[:, -1] = floor
    prec = X.T @ X / sigma_y ** 2
    rhs = X.T @ y / sigma_y ** 2
    prec[0, 0] += 1 / 10 ** 2 + n_county / sigma_a ** 2  # mu_a's prior and a_j ~ N(mu_a, sigma_a)
    prec[0, 1:1 + n_county] -= 1 / sigma_a ** 2
    prec[1:1 + n_county, 0] -= 1 / sigma_a ** 2
    prec[1:1 + n_county, 1:1 + n_county] += np.eye(n_county) / sigma_a ** 2
    prec[-1, -1] += 1 / 10 ** 2
    cov = np.linalg.inv(prec)
    return cov @ rhs, np.sqrt(np.diag(cov))


def test_varying_intercept_with_fixed_scales_matches_the_gaussian_posterior():
    county, floor, y, n_county = _radon()
    coords = {"County": [f"c{j}" for j in range(n_county)], "obs_id": np.arange(len(y))}
    with pm.Model(coords=coords) as varying_intercept:
        floor_idx = pm.Data("floor_idx", floor, dims="obs_id")
        county_idx = pm.Data("county_idx", county, dims="obs_id")
        mu_a = pm.Normal("mu_a", mu=0.0, sigma=10.0)
        a = pm.Normal("a", mu=mu_a, sigma=0.4, dims="County")
        b = pm.Normal("b", mu=0.0, sigma=10.0)
        theta = a[county_idx] + b * floor_idx
        pm.Normal("y", theta, sigma=0.7, observed=y, dims="obs_id")
        trace = pm.sample(300, tune=300, chains=2, random_seed=[5, 6], **FAST)
    mean, sd = _exact_gaussian(county, floor, y, n_county, 0.4, 0.7)
    got = np.concatenate([[trace["mu_a"].mean()], trace["a"].mean(0), [trace["b"].mean()]])
    assert np.all(np.abs(got - mean) < 5 * sd / np.sqrt(150))
    idata = pm.from_pymc3(trace, model=varying_intercept)
    assert idata.posterior["a"].dims == ("chain", "draw", "County")
    assert idata.observed_data["y"].dims == ("obs_id",)
    assert idata.log_likelihood["y"].shape == (2, 300, len(y))


def test_full_varying_intercept_model_samples_and_shrinks():
    county, floor, y, n_county = _radon()
    with pm.Model():
        mu_a = pm.Normal("mu_a", mu=0.0, sigma=10.0)
        sigma_a = pm.HalfCauchy("sigma_a", 5)
        a = pm.Normal("a", mu=mu_a, sigma=sigma_a, shape=n_county)
        b = pm.Normal("b", mu=0.0, sigma=10.0)
        sigma_y = pm.HalfCauchy("sigma_y", 5)
        pm.Normal("y", a[county] + b * floor, sigma=sigma_y, observed=y)
        trace = pm.sample(300, tune=300, chains=2, random_seed=[1, 2], target_accept=0.9, **FAST)
    # the county intercepts lie between the no-pooling estimates and their mean (shrinkage)
    resid = y - trace["b"].mean() * floor
    unpooled = np.array([resid[county == j].mean() for j in range(n_county)])
    post = trace["a"].mean(0)
    assert np.all(np.abs(post - trace["mu_a"].mean()) <= np.abs(unpooled - trace["mu_a"].mean()) + 0.05)
    assert 0.5 < trace["sigma_y"].mean() < 0.95 and abs(trace["b"].mean() + 0.6) < 0.3
