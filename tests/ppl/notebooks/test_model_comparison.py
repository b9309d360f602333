"""PyMC3 3.11's model_comparison notebook: the eight schools, pooled and hierarchical,
compared by ``pm.waic``, ``pm.loo`` and ``pm.compare`` (ArviZ's, on the pointwise
log-likelihood ``from_pymc3`` adds).

The reference is WAIC computed here from the draws with SciPy's normal density.
Deliberate differences from PyMC3: 2 x 300 draws and cores=1.
"""
import arviz as az
import numpy as np
from scipy import special, stats

import arignote.ppl as pm

FAST = dict(progressbar=False, compute_convergence_checks=False, cores=1)
Y = np.array([28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0])
SIGMA = np.array([15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0])


def _pooled():
    with pm.Model():
        mu = pm.Normal("mu", 0, sigma=1e6)
        pm.Normal("obs", mu, sigma=SIGMA, observed=Y)
        return pm.sample(300, tune=300, chains=2, random_seed=[1, 2], **FAST)


def _hierarchical():
    with pm.Model():
        eta = pm.Normal("eta", 0, 1, shape=8)
        mu = pm.Normal("mu", 0, sigma=10)
        tau = pm.HalfNormal("tau", 10)
        theta = pm.Deterministic("theta", mu + tau * eta)
        pm.Normal("obs", theta, sigma=SIGMA, observed=Y)
        return pm.sample(300, tune=300, chains=2, random_seed=[3, 4], target_accept=0.9, **FAST)


def test_waic_loo_and_compare_against_the_draws():
    pooled, hierarchical = _pooled(), _hierarchical()
    idata = pm.from_pymc3(pooled)
    loglik = idata.log_likelihood["obs"].values
    assert loglik.shape == (2, 300, 8)
    mu = pooled.get_values("mu", combine=False)
    np.testing.assert_allclose(loglik, stats.norm.logpdf(Y, np.stack(mu)[..., None], SIGMA))
    flat = loglik.reshape(-1, 8)
    lppd = special.logsumexp(flat, axis=0) - np.log(len(flat))
    elpd_waic = (lppd - flat.var(axis=0)).sum()  # ArviZ: the variance with ddof=0
    w = pm.waic(pooled)
    assert np.isclose(w.elpd_waic, elpd_waic, rtol=1e-6)
    assert np.isclose(az.waic(pooled).elpd_waic, elpd_waic, rtol=1e-6)
    loo = pm.loo(pooled)
    assert abs(loo.elpd_loo - elpd_waic) < 1.0  # the two estimates agree closely on this model
    table = pm.compare({"pooled": pooled, "hierarchical": hierarchical}, ic="waic")
    assert set(table.index) == {"pooled", "hierarchical"}
    assert np.isclose(table.loc["pooled", "elpd_waic"], elpd_waic, rtol=1e-6)
    assert abs(table.loc["pooled", "elpd_waic"] - table.loc["hierarchical", "elpd_waic"]) < 3


def test_log_likelihood_can_be_left_out():
    with pm.Model():
        mu = pm.Normal("mu", 0, 1)
        pm.Normal("obs", mu, 1.0, observed=Y / 10)
        trace = pm.sample(20, tune=20, chains=1, random_seed=1, **FAST)
    assert "log_likelihood" not in pm.from_pymc3(trace, log_likelihood=False).groups()
    assert "log_likelihood" in pm.from_pymc3(trace).groups()
