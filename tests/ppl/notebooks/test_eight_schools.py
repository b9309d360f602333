"""PyMC3's "Diagnosing biased inference with divergences" notebook (eight schools),
centred and non-centred, with the sampler statistics it inspects.

The reference is exact: with theta integrated out, y_j ~ N(mu, sigma_j^2 + tau^2),
so the posterior of (mu, tau) is a 2-D density evaluated on a grid.
Deliberate differences from PyMC3: 2 x 400 draws instead of 2 x 5000 and cores=1;
the centred model's divergences are checked to occur, not counted.
"""
import numpy as np
from scipy import stats

import arignote.ppl as pm

FAST = dict(progressbar=False, compute_convergence_checks=False, cores=1)
J = 8
Y = np.array([28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0])
SIGMA = np.array([15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0])


def _exact_moments():
    mu = np.linspace(-30, 40, 701)[:, None]
    tau = np.linspace(1e-3, 60, 1200)[None, :]
    logp = stats.norm.logpdf(mu, 0, 5) + stats.halfcauchy.logpdf(tau, scale=5)
    for y, s in zip(Y, SIGMA):
        logp = logp + stats.norm.logpdf(y, mu, np.sqrt(s ** 2 + tau ** 2))
    w = np.exp(logp - logp.max())
    w /= w.sum()
    return (w * mu).sum(), (w * tau).sum(), np.sqrt((w * (mu - (w * mu).sum()) ** 2).sum())


def test_non_centered_model_matches_the_exact_marginals():
    with pm.Model(coords={"school": [f"s{i}" for i in range(J)]}):
        mu = pm.Normal("mu", mu=0, sigma=5)
        tau = pm.HalfCauchy("tau", beta=5)
        theta_tilde = pm.Normal("theta_t", mu=0, sigma=1, shape=J)
        theta = pm.Deterministic("theta", mu + tau * theta_tilde, dims="school")
        pm.Normal("obs", mu=theta, sigma=SIGMA, observed=Y)
        trace = pm.sample(400, tune=400, chains=2, random_seed=[20, 21], target_accept=0.9, **FAST)
    mu_mean, tau_mean, mu_sd = _exact_moments()
    assert abs(trace["mu"].mean() - mu_mean) < 5 * mu_sd / np.sqrt(200)
    assert abs(trace["tau"].mean() - tau_mean) < 1.5
    diverging = trace.get_sampler_stats("diverging")
    assert diverging.shape == (800,) and diverging.dtype == bool
    assert trace["diverging"].sum() == diverging.sum()
    assert trace["theta"].shape == (800, J)
    idata = pm.from_pymc3(trace)
    assert idata.posterior["theta"].dims == ("chain", "draw", "school")
    assert "diverging" in idata.sample_stats and "tree_depth" in idata.sample_stats


def test_centered_model_reports_divergences_per_chain():
    with pm.Model():
        mu = pm.Normal("mu", mu=0, sigma=5)
        tau = pm.HalfCauchy("tau", beta=5)
        theta = pm.Normal("theta", mu=mu, sigma=tau, shape=J)
        pm.Normal("obs", mu=theta, sigma=SIGMA, observed=Y)
        trace = pm.sample(300, tune=200, chains=2, random_seed=[1, 2], **FAST)
    per_chain = trace.get_sampler_stats("diverging", combine=False)
    assert [len(c) for c in per_chain] == [300, 300]
    assert sum(int(c.sum()) for c in per_chain) > 0  # the funnel makes NUTS diverge
    assert set(trace.stat_names) >= {"diverging", "tree_size", "depth", "step_size", "energy",
                                     "mean_tree_accept"}
