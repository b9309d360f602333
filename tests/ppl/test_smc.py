"""sample_smc (PyMC3 3.11's tempered SMC with an independent Metropolis-Hastings kernel)
and ABC with pm.Simulator: conjugate posteriors and marginal likelihoods against closed
forms, a discrete variable against exact enumeration, a bimodal target, seeds, bad input."""
import numpy as np
import pytest
from scipy import stats

import arignote.ppl as pm

Y = np.array([1.9, 0.2, 3.1, 1.4, -0.8, 2.6, 1.1, 0.5, 2.2, 1.7])
PRIOR_SD, NOISE_SD = 3.0, 2.0


def _normal_normal():
    with pm.Model() as m:
        mu = pm.Normal("mu", 0.0, PRIOR_SD)
        pm.Deterministic("mu2", 2 * mu)
        pm.Normal("y", mu, NOISE_SD, observed=Y)
    return m


def _exact_posterior():
    prec = 1 / PRIOR_SD**2 + len(Y) / NOISE_SD**2
    return (Y.sum() / NOISE_SD**2) / prec, prec**-0.5


def _exact_log_evidence():
    cov = NOISE_SD**2 * np.eye(len(Y)) + PRIOR_SD**2
    return stats.multivariate_normal(np.zeros(len(Y)), cov).logpdf(Y)


@pytest.fixture(scope="module")
def normal_trace():
    with _normal_normal():
        return pm.sample_smc(2000, chains=2, cores=1, random_seed=11)


def test_conjugate_normal_posterior(normal_trace):
    mean, sd = _exact_posterior()
    draws = normal_trace["mu"]
    assert draws.shape == (4000,) and draws.dtype == np.float64
    assert normal_trace.nchains == 2 and len(normal_trace) == 2000
    assert abs(draws.mean() - mean) < 0.05
    assert abs(draws.std() / sd - 1) < 0.08
    np.testing.assert_allclose(normal_trace["mu2"], 2 * draws)


def test_log_marginal_likelihood_matches_closed_form(normal_trace):
    report = normal_trace.report
    lml = np.asarray(report.log_marginal_likelihood)
    assert lml.shape == (2,)
    np.testing.assert_allclose(lml, _exact_log_evidence(), atol=0.15)
    assert report.betas[0][-1] == 1.0 and all(0 < b < 1 for b in report.betas[0][:-1])
    assert report.n_draws == 2000 and report.t_sampling > 0


def test_correlated_posterior_and_transformed_variable():
    # y ~ MvNormal(x, C) with x ~ N(0, 4 I): posterior covariance (I/4 + C^-1)^-1
    C = np.array([[1.0, 0.9], [0.9, 1.0]])
    obs = np.array([1.0, 2.0])
    post_cov = np.linalg.inv(np.eye(2) / 4 + np.linalg.inv(C))
    post_mean = post_cov @ np.linalg.solve(C, obs)
    with pm.Model():
        x = pm.Normal("x", 0.0, 2.0, shape=2)
        pm.HalfNormal("s", 1.0)  # a free, log-transformed variable untouched by the data
        pm.MvNormal("y", mu=x, cov=C, observed=obs)
        trace = pm.sample_smc(2000, chains=1, random_seed=3)
    np.testing.assert_allclose(trace["x"].mean(0), post_mean, atol=0.08)
    np.testing.assert_allclose(np.cov(trace["x"].T), post_cov, atol=0.08)
    s = trace["s"]
    assert np.all(s > 0) and abs(s.mean() - np.sqrt(2 / np.pi)) < 0.06
    np.testing.assert_allclose(trace["s_log__"], np.log(s))


def test_discrete_variable_against_enumeration():
    obs = 2.5
    ks = np.arange(60)
    logpost = stats.poisson(3.0).logpmf(ks) + stats.norm(ks, 1.0).logpdf(obs)
    post = np.exp(logpost - logpost.max())
    post /= post.sum()
    with pm.Model():
        k = pm.Poisson("k", 3.0)
        pm.Normal("y", k, 1.0, observed=obs)
        trace = pm.sample_smc(3000, chains=1, random_seed=4)
    draws = trace["k"]
    assert draws.dtype.kind == "i"
    freq = np.bincount(draws, minlength=60) / len(draws)
    np.testing.assert_allclose(freq[:7], post[:7], atol=0.03)


def test_bimodal_mixture_finds_both_modes():
    with pm.Model():
        x = pm.Uniform("x", -10.0, 10.0)
        bumps = pm.math.stack([-0.5 * ((x - 3.0) / 0.5) ** 2, -0.5 * ((x + 3.0) / 0.5) ** 2])
        pm.Potential("mixture", pm.math.logsumexp(bumps))
        trace = pm.sample_smc(2000, chains=1, random_seed=5)
    x = trace["x"]
    assert abs((x > 0).mean() - 0.5) < 0.06
    assert abs(x[x > 0].mean() - 3.0) < 0.05 and abs(x[x < 0].mean() + 3.0) < 0.05
    assert abs(x[x > 0].std() - 0.5) < 0.05


def test_seeds_reproducible_and_processes_agree():
    with _normal_normal():
        a = pm.sample_smc(300, chains=2, cores=1, random_seed=7)
        b = pm.sample_smc(300, chains=2, cores=2, random_seed=7)
        c = pm.sample_smc(300, chains=2, cores=1, random_seed=8)
        d = pm.sample_smc(300, chains=2, cores=1, random_seed=[7, 9])
    np.testing.assert_array_equal(a["mu"], b["mu"])
    np.testing.assert_array_equal(a.report.log_marginal_likelihood, b.report.log_marginal_likelihood)
    assert not np.array_equal(a["mu"], c["mu"])
    assert not np.array_equal(a.get_values("mu", chains=[0]), a.get_values("mu", chains=[1]))
    assert d.nchains == 2


def test_start_and_fixed_steps():
    with _normal_normal():
        trace = pm.sample_smc(500, chains=1, start={"mu": np.linspace(-1, 1, 500)}, n_steps=5,
                              tune_steps=False, random_seed=1)
    assert trace.report.n_steps[0] == [5] * len(trace.report.betas[0])


def test_bad_arguments():
    with _normal_normal():
        with pytest.raises(ValueError, match="kernel"):
            pm.sample_smc(100, kernel="nuts")
        with pytest.raises(ValueError, match="threshold"):
            pm.sample_smc(100, threshold=1.5)
        with pytest.raises(ValueError, match="draws"):
            pm.sample_smc(1)
        with pytest.raises(ValueError, match="save_sim_data"):
            pm.sample_smc(100, save_sim_data=True)
        with pytest.raises(ValueError, match="ABC"):
            pm.sample_smc(100, kernel="ABC", chains=1)
        with pytest.raises(ValueError, match="random_seed"):
            pm.sample_smc(100, chains=2, random_seed=[1, 2, 3])
        with pytest.warns(DeprecationWarning, match="parallel"):
            pm.sample_smc(50, parallel=False, chains=1, random_seed=1)


def test_impossible_data_is_a_clear_error():
    with pm.Model():
        x = pm.Uniform("x", 0.0, 1.0)
        pm.Uniform("y", x + 5.0, x + 6.0, observed=0.0)
        with pytest.raises(ValueError, match="-inf or nan at all 100 initial particles"):
            pm.sample_smc(100, chains=1, random_seed=1)


# ---------------------------------------------------------------- ABC

DATA = np.random.default_rng(0).normal(2.0, 1.0, 300)


def _normal_sim(mu, sd):
    return np.random.normal(mu, sd, 300)


def test_abc_recovers_mu_and_saves_simulations():
    with pm.Model() as m:
        mu = pm.Normal("mu", 0.0, 5.0)
        pm.Simulator("s", _normal_sim, mu, 1.0, sum_stat="sort", epsilon=1, observed=DATA)
        trace, sim = pm.sample_smc(500, kernel="ABC", chains=1, random_seed=2, save_sim_data=True)
        again = pm.sample_smc(500, kernel="ABC", chains=1, random_seed=2)
    assert abs(trace["mu"].mean() - DATA.mean()) < 0.15
    assert trace["mu"].std() < 0.3
    assert sim["s"].shape == (1, 500, 300)
    lpl = trace.report.log_pseudolikelihood[0]
    assert lpl.shape == (500, 300) and np.all(lpl <= 0)
    np.testing.assert_array_equal(trace["mu"], again["mu"])
    with m:
        with pytest.raises(ValueError, match="Simulator"):
            pm.sample_smc(100, chains=1)


@pytest.mark.parametrize("distance, sum_stat", [("laplace", "mean"), ("kullback_leibler", "identity")])
def test_abc_other_distances(distance, sum_stat):
    with pm.Model():
        mu = pm.Normal("mu", 0.0, 5.0)
        pm.Simulator("s", _normal_sim, params=[mu, 1.0], distance=distance, sum_stat=sum_stat,
                     epsilon=0.1, observed=DATA)
        trace = pm.sample_smc(400, kernel="abc", chains=1, random_seed=3, save_log_pseudolikelihood=False)
    assert abs(trace["mu"].mean() - DATA.mean()) < 0.3
    assert not hasattr(trace.report, "log_pseudolikelihood")


def test_simulator_bad_input_and_prior_predictive():
    with pm.Model():
        mu = pm.Normal("mu", 0.0, 1.0)
        with pytest.raises(NameError, match="distance metric"):
            pm.Simulator("a", _normal_sim, mu, 1.0, distance="manhattan", observed=DATA)
        with pytest.raises(NameError, match="summary statistic"):
            pm.Simulator("b", _normal_sim, mu, 1.0, sum_stat="mode", observed=DATA)
        with pytest.raises(TypeError, match="callable"):
            pm.Simulator("c", "not a function", mu, observed=DATA)
        with pytest.raises(ValueError, match="epsilon"):
            pm.Simulator("d", _normal_sim, mu, 1.0, epsilon=0, observed=DATA)
        pm.Simulator("s", _normal_sim, mu, 1.0, observed=DATA)
        prior = pm.sample_prior_predictive(4, random_seed=1)
    assert prior["s"].shape == (4, 300)


def test_star_import_exports_the_new_names():
    ns = {}
    exec("from arignote.ppl import *", ns)
    for name in ("sample_smc", "Simulator", "DEMetropolis", "DEMetropolisZ", "EllipticalSlice", "smc"):
        assert name in ns, name
