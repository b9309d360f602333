"""MLDA (multi-level delayed acceptance): the fine posterior is recovered whatever the
coarse models (closed-form conjugate posteriors), PyMC3 3.11's stats, variance
reduction and the adaptive error model, seeds, and wrong use."""
import arviz as az
import numpy as np
import pytest

import arignote.tensor as T
import arignote.ppl as pm
from arignote.compile.ops import as_op
from arignote.plugins.samplers.mlda_estimates import RecursiveSampleMoments

KW = dict(progressbar=False, compute_convergence_checks=False)

# -- linear regression: the coarse model sees every 2nd point, noise inflated to match ----------
RNG = np.random.default_rng(0)
X = np.linspace(-1.0, 1.0, 60)
SIGMA, PRIOR_SD = 0.5, 10.0
Y = 1.0 + 2.0 * X + RNG.normal(0.0, SIGMA, X.size)


def _regression(x, y, sigma):
    with pm.Model() as m:
        a = pm.Normal("a", 0.0, PRIOR_SD)
        b = pm.Normal("b", 0.0, PRIOR_SD)
        pm.Normal("y", a + b * x, sigma, observed=y)
    return m


def _conjugate(x, y, sigma):
    A = np.column_stack([np.ones_like(x), x])
    prec = A.T @ A / sigma ** 2 + np.eye(2) / PRIOR_SD ** 2
    cov = np.linalg.inv(prec)
    return cov @ A.T @ y / sigma ** 2, cov


def _check_posterior(draws, mean, cov, chains):
    """Means and variances within 4 Monte Carlo errors (from ArviZ's ESS)."""
    for k in range(draws.shape[1]):
        col = draws[:, k].reshape(chains, -1)
        ess = float(az.ess(col))
        mcse = np.sqrt(cov[k, k] / ess)
        assert abs(col.mean() - mean[k]) < 4 * mcse + 1e-3, (k, col.mean(), mean[k], mcse)
        assert abs(col.var() / cov[k, k] - 1) < 4 * np.sqrt(2 / ess) + 0.02, (k, col.var(), cov[k, k], ess)


@pytest.mark.parametrize("base", ["DEMetropolisZ", "Metropolis"])
def test_linear_regression_recovers_fine_conjugate_posterior(base):
    coarse = _regression(X[::2], Y[::2], SIGMA * np.sqrt(2))
    mean, cov = _conjugate(X, Y, SIGMA)
    with _regression(X, Y, SIGMA):
        step = pm.MLDA(coarse_models=[coarse], subsampling_rates=3, base_sampler=base)
        trace = pm.sample(3000, tune=500, step=step, chains=2, cores=1, random_seed=5, **KW)
    draws = np.column_stack([trace["a"], trace["b"]])
    _check_posterior(draws, mean, cov, 2)
    assert 0.15 < trace.get_sampler_stats("accepted").mean() < 1.0


def _gaussian(obs, sigma=0.5):
    with pm.Model() as m:
        pm.Normal("x", 0.0, 1.0)
        pm.Normal("y", pm.modelcontext(None)["x"], sigma, observed=obs)
    return m


def _gaussian_posterior(obs, sigma=0.5):
    var = 1.0 / (1.0 + 1.0 / sigma ** 2)
    return np.array([var * obs / sigma ** 2]), np.array([[var]])


def test_biased_coarse_models_still_target_the_fine_posterior():
    # coarse means 1.8 and 1.4 against the fine 0.8: delayed acceptance corrects the proposals
    mean, cov = _gaussian_posterior(1.0)
    coarse = [_gaussian(2.25), _gaussian(1.75)]
    with _gaussian(1.0):
        step = pm.MLDA(coarse, subsampling_rates=[2, 3], base_sampler="Metropolis")
        trace = pm.sample(3000, tune=500, step=step, chains=2, cores=1, random_seed=2, **KW)
    _check_posterior(trace["x"][:, None], mean, cov, 2)
    assert abs(trace["x"].mean() - 0.8) < abs(trace["x"].mean() - 1.4)
    assert trace.get_sampler_stats("accepted").mean() < 0.9  # the bias makes it reject some


def test_stats_names_dtypes_and_tuning():
    coarse = _gaussian(1.2)
    with _gaussian(1.0):
        de = pm.sample(200, tune=200, step=pm.MLDA([coarse]), chains=1, cores=1, random_seed=1,
                       discard_tuned_samples=False, **KW)
        mh = pm.sample(50, tune=0, step=pm.MLDA([coarse], base_sampler="Metropolis"), chains=1,
                       cores=1, random_seed=1, **KW)
    want = {"accept": np.float64, "accepted": np.bool_, "tune": np.bool_, "base_scaling": np.object_,
            "base_lambda": np.float64}
    assert de.stat_names == set(want)
    for name, dtype in want.items():
        values = de.get_sampler_stats(name)
        assert values.dtype == dtype and values.shape == (400,), name
    assert de.get_sampler_stats("tune")[:200].all() and not de.get_sampler_stats("tune")[200:].any()
    accept = de.get_sampler_stats("accept")
    assert np.all((accept >= 0) & (accept <= 1))
    lam = de.get_sampler_stats("base_lambda")
    assert lam[0] == pytest.approx(2.38 / np.sqrt(2)) and len(np.unique(lam[:200])) > 1
    assert len(np.unique(lam[200:])) == 1  # tuning stops with the fine chain's
    assert de.get_sampler_stats("base_scaling")[0].shape == (1,)
    assert mh.stat_names == set(want) - {"base_lambda"}
    assert float(mh.get_sampler_stats("base_scaling")[0][0]) == 1.0  # tune=0: the initial scaling stays


def test_non_blocked_metropolis_base_scaling_per_variable():
    coarse = _regression(X[::5], Y[::5], SIGMA * np.sqrt(5))
    with _regression(X, Y, SIGMA):
        step = pm.MLDA([coarse], base_sampler="Metropolis", base_blocked=False)
        trace = pm.sample(20, tune=0, step=step, chains=1, cores=1, random_seed=1, **KW)
        blocked = pm.MLDA([coarse], base_sampler="Metropolis", base_blocked=True)
    assert trace.get_sampler_stats("base_scaling")[0].shape == (2, 1)
    assert len(step.step_method_below.methods) == 2
    assert type(blocked.step_method_below).__name__ == "MetropolisMLDA"


def test_seeds_reproducible_across_processes():
    def run(cores, seed=7):
        coarse = [_gaussian(0.5), _gaussian(1.5)]
        with _gaussian(1.0):
            step = pm.MLDA(coarse, subsampling_rates=2)
            return pm.sample(60, tune=40, step=step, chains=2, cores=cores, random_seed=seed, **KW)["x"]

    first = run(1)
    np.testing.assert_array_equal(first, run(1))
    np.testing.assert_array_equal(first, run(2))
    assert not np.array_equal(first, run(1, seed=8))


# -- variance reduction: the forward model Op stores Q, as PyMC3's documentation says ------------------


def _q_model(obs, c):
    """Q = x + c x**2, stored by the forward model Op: the levels differ in Q, not in the posterior."""
    with pm.Model() as m:
        Q = pm.Data("Q", 0.0)
        x = pm.Normal("x", 0.0, 1.0)

        @as_op(itypes=[T.dscalar], otypes=[T.dscalar])
        def forward(value):
            Q.set_value(np.float64(value + c * value ** 2))
            return np.float64(value)

        pm.Normal("y", forward(x), 0.5, observed=obs)
    return m


def test_variance_reduction_and_store_Q_fine():
    coarse = _q_model(1.0, 0.1)
    with _q_model(1.0, 0.3):
        step = pm.MLDA([coarse], subsampling_rates=4, variance_reduction=True, store_Q_fine=True,
                       base_sampler="Metropolis", base_blocked=True)
        trace = pm.sample(1500, tune=300, step=step, chains=2, cores=1, random_seed=3, **KW)
    names = {"Q_1_0", "Q_0", "Q_1"}
    assert names <= trace.stat_names
    for name in names:
        assert trace.get_sampler_stats(name).dtype == np.object_
    assert trace.get_sampler_stats("Q_1_0")[0].shape == (1,)
    assert trace.get_sampler_stats("Q_0")[0].shape == (4,)
    x = trace["x"]
    q1 = np.asarray(trace.get_sampler_stats("Q_1"), dtype=float)
    np.testing.assert_allclose(q1, x + 0.3 * x ** 2)  # the fine Q at the fine chain's state
    diff = np.concatenate(list(trace.get_sampler_stats("Q_1_0")))
    np.testing.assert_allclose(diff, 0.2 * x ** 2)  # fine minus coarse Q at the accepted pair
    q0 = np.concatenate(list(trace.get_sampler_stats("Q_0")))
    assert np.all(np.isfinite(q0)) and q0.size == 4 * x.size
    estimate, se = pm.extract_Q_estimate(trace, 2)
    exact = 0.8 + 0.3 * (0.8 ** 2 + 0.2)  # E[x] + 0.3 E[x^2] under the fine posterior N(0.8, 0.2)
    assert 0 < se < 0.05
    assert abs(estimate - exact) < 4 * se + 0.01
    assert abs(q0.mean() - exact) > 0.1  # the coarse Q alone misses it


def test_variance_reduction_three_levels_stats():
    coarse = [_q_model(1.0, 0.1), _q_model(1.0, 0.2)]
    with _q_model(1.0, 0.3):
        step = pm.MLDA(coarse, subsampling_rates=[2, 3], variance_reduction=True)
        trace = pm.sample(30, tune=10, step=step, chains=1, cores=1, random_seed=3, **KW)
    assert trace.get_sampler_stats("Q_2_1")[0].shape == (1,)
    assert trace.get_sampler_stats("Q_1_0")[0].shape == (3,)
    assert trace.get_sampler_stats("Q_0")[0].shape == (6,)


# -- adaptive error model: the coarse forward model is off by +0.5; MLDA learns the bias ------------------


def _aem_model(shift, coarse):
    with pm.Model() as m:
        out = pm.Data("model_output", np.zeros(1))
        x = pm.Normal("x", 0.0, 1.0, shape=1)

        @as_op(itypes=[T.dvector], otypes=[T.dvector])
        def forward(value):
            result = np.asarray(value, dtype=float) + shift
            out.set_value(result)
            return result

        mu = forward(x)
        cov = 0.25 * np.eye(1)
        if coarse:
            mu_B = pm.Data("mu_B", np.zeros(1))
            Sigma_B = pm.Data("Sigma_B", np.zeros((1, 1)))
            mu, cov = mu + mu_B, cov + Sigma_B
        pm.MvNormal("y", mu, cov=cov, shape=1, observed=np.array([1.0]))
    return m


def test_adaptive_error_model_learns_the_bias():
    results = {}
    for aem in (False, True):
        coarse = _aem_model(0.5, coarse=True)
        with _aem_model(0.0, coarse=False):
            step = pm.MLDA([coarse], subsampling_rates=3, adaptive_error_model=aem, base_sampler="Metropolis",
                           base_blocked=True)
            trace = pm.sample(1500, tune=500, step=step, chains=1, cores=1, random_seed=4, **KW)
        results[aem] = (trace, coarse["mu_B"].get_value(), coarse["Sigma_B"].get_value())
    trace, mu_B, Sigma_B = results[True]
    assert mu_B == pytest.approx([-0.5], abs=0.01)  # fine minus coarse output
    assert 0 <= Sigma_B[0, 0] < 1e-3  # the spread of a constant bias shrinks like 1/t
    np.testing.assert_array_equal(results[False][1], [0.0])  # untouched without the error model
    _check_posterior(trace["x"], *_gaussian_posterior(1.0), 1)
    acc = {k: v[0].get_sampler_stats("accepted").mean() for k, v in results.items()}
    assert acc[True] > acc[False] + 0.1


def test_adaptive_error_model_three_levels_corrects_towards_the_finest():
    coarsest, middle = _aem_model(0.5, coarse=True), _aem_model(0.3, coarse=True)
    with _aem_model(0.0, coarse=False):
        step = pm.MLDA([coarsest, middle], subsampling_rates=[2, 2], adaptive_error_model=True)
        trace = pm.sample(300, tune=300, step=step, chains=1, cores=1, random_seed=6, **KW)
    assert middle["mu_B"].get_value() == pytest.approx([-0.3], abs=0.01)
    assert coarsest["mu_B"].get_value() == pytest.approx([-0.5], abs=0.01)  # -0.3 plus its own -0.2
    assert np.isfinite(trace["x"]).all()


def test_recursive_sample_moments_match_numpy():
    rng = np.random.default_rng(1)
    xs = rng.normal(size=(50, 3))
    m = RecursiveSampleMoments(xs[0], np.zeros((3, 3)))
    for x in xs[1:]:
        m.update(x)
    np.testing.assert_allclose(m.get_mu(), xs.mean(0))
    np.testing.assert_allclose(m.get_sigma(), np.cov(xs.T))


# -- wrong use -----------------------------------------------------------------------------------


def test_wrong_use_errors():
    coarse = _gaussian(1.0)
    with _gaussian(1.0):
        with pytest.raises(ValueError, match="not a list"):
            pm.MLDA(coarse)
        with pytest.raises(ValueError, match="not a list"):
            pm.MLDA((coarse,))
        with pytest.raises(ValueError, match="empty list of coarse models"):
            pm.MLDA([])
        with pytest.raises(ValueError, match="same length as list of coarse models but the lengths were 2, 1"):
            pm.MLDA([coarse], subsampling_rates=[3, 3])
        with pytest.raises(ValueError, match="positive integers"):
            pm.MLDA([coarse], subsampling_rates=0)
        with pytest.raises(ValueError, match="base_sampler"):
            pm.MLDA([coarse], base_sampler="NUTS")
        with pytest.raises(ValueError, match="'DEMetropolisZ' tune needs to be True"):
            pm.MLDA([coarse], tune=False)
        with pytest.raises(AttributeError, match="'Q'"):
            pm.MLDA([coarse], variance_reduction=True)
        with pytest.raises(AttributeError, match="'model_output'"):
            pm.MLDA([coarse], adaptive_error_model=True)
    with pm.Model() as renamed:
        pm.Normal("z", 0.0, 1.0)
    with pm.Model() as reshaped:
        pm.Normal("x", 0.0, 1.0, shape=2)
    with pm.Model() as extra:
        pm.Normal("x", 0.0, 1.0)
        pm.Normal("z", 0.0, 1.0)
    with _gaussian(1.0):
        with pytest.raises(ValueError, match=r"coarse model 0 .*has no variables \['x'\]"):
            pm.MLDA([renamed])
        with pytest.raises(ValueError, match="'x' has shape \\(\\) in the finer model but \\(2,\\)"):
            pm.MLDA([reshaped])
        with pytest.raises(ValueError, match=r"coarse model 0 .*has no variables"):
            pm.MLDA([renamed, coarse])  # the coarsest model is checked too
        with pytest.raises(ValueError, match=r"coarse model 0 .*has free variables \['z'\] that the finer"):
            pm.MLDA([extra])
        with pytest.raises(TypeError, match=r"coarse_models\[1\] are not models"):
            pm.MLDA([coarse, "fine"])
    with pm.Model() as no_shared_q:
        pm.Normal("x", 0.0, 1.0)
        pm.Deterministic("Q", pm.modelcontext(None)["x"] * 2)
        with pytest.raises(TypeError, match="'Q' .* not a shared variable"):
            pm.MLDA([coarse], store_Q_fine=True)
    with pm.Model():
        pm.Normal("x", 0.0, 1.0)
        pm.Poisson("k", 3.0)
        with pytest.raises(ValueError, match=r"continuous variables only; \['k'\]"):
            pm.MLDA([coarse], vars=["k"])


def test_exported_and_registered():
    ns = {}
    exec("from arignote.ppl import *", ns)
    for name in ("MLDA", "MetropolisMLDA", "DEMetropolisZMLDA", "RecursiveDAProposal"):
        assert name in ns, name
    from arignote import plugin_manager
    from arignote.ppl.step_methods import RecursiveDAProposal
    from arignote.ppl.step_methods.mlda import extract_Q_estimate  # PyMC3's import paths

    assert RecursiveDAProposal is pm.RecursiveDAProposal and extract_Q_estimate is pm.extract_Q_estimate
    assert plugin_manager.samplers()["MLDA"].factory is pm.MLDA
    with _gaussian(1.0) as m:
        assert pm.MLDA.competence(m["x"], False) == 1
        step, _ = pm.assign_step_methods(m, None, {})  # never chosen automatically
        assert not isinstance(step, pm.MLDA)
