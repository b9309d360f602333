"""DEMetropolis (population), DEMetropolisZ and EllipticalSlice: posterior recovery
against closed forms, PyMC3 3.11's stats names and dtypes, tuning, and wrong use."""
import numpy as np
import pytest

import arignote.ppl as pm

MU = np.array([1.0, -1.0])
COV = np.array([[1.0, 0.8], [0.8, 2.0]])
STATS = {"accept": np.float64, "accepted": np.bool_, "tune": np.bool_, "scaling": np.float64,
         "lambda": np.float64}


def _gaussian():
    with pm.Model() as m:
        pm.MvNormal("x", mu=MU, cov=COV, shape=2)
    return m


@pytest.mark.parametrize("cls", [pm.DEMetropolis, pm.DEMetropolisZ])
def test_correlated_gaussian_recovery_and_stats(cls):
    with _gaussian():
        trace = pm.sample(3000, tune=1000, step=cls(), chains=4, cores=1, random_seed=3,
                          progressbar=False, compute_convergence_checks=False)
    x = trace["x"]
    assert x.shape == (12000, 2)
    np.testing.assert_allclose(x.mean(0), MU, atol=0.12)
    np.testing.assert_allclose(np.cov(x.T), COV, atol=0.25)
    assert trace.stat_names == set(STATS)
    for name, dtype in STATS.items():
        values = trace.get_sampler_stats(name)
        assert values.dtype == dtype and values.shape == (12000,), name
    assert not trace.get_sampler_stats("tune").any()
    assert 0.05 < trace.get_sampler_stats("accepted").mean() < 0.9


def test_demetropolis_needs_three_chains_and_a_population():
    with _gaussian():
        step = pm.DEMetropolis()
        with pytest.raises(ValueError, match="at least 3 chains"):
            pm.sample(10, tune=0, step=step, chains=2, cores=1, progressbar=False)
        with pytest.raises(ValueError, match="population"):
            step.astep(np.zeros(2))


def test_de_tuning_targets():
    with _gaussian():
        with pytest.raises(ValueError, match="tune"):
            pm.DEMetropolis(tune="both")
        fixed = pm.sample(300, tune=300, step=pm.DEMetropolis(tune=None, lamb=0.5, scaling=0.01), chains=3,
                          cores=1, random_seed=1, progressbar=False, compute_convergence_checks=False)
        scaled = pm.sample(300, tune=300, step=pm.DEMetropolis(tune="scaling"), chains=3, cores=1,
                           random_seed=1, progressbar=False, compute_convergence_checks=False,
                           discard_tuned_samples=False)
    assert np.all(fixed.get_sampler_stats("lambda") == 0.5)
    assert np.all(fixed.get_sampler_stats("scaling") == 0.01)
    lam = scaled.get_sampler_stats("lambda")
    assert np.all(lam == 2.38 / np.sqrt(4))  # PyMC3's default 2.38 / sqrt(2 d)
    assert len(np.unique(scaled.get_sampler_stats("scaling", chains=[0]))) > 1


def test_demetropolisz_drops_tuning_history():
    with _gaussian():
        step = pm.DEMetropolisZ(tune_drop_fraction=0.75)
        step.reset_tuning(100)
        q = np.zeros(2)
        for _ in range(100):
            q, _ = step.astep(q)
        assert len(step._history) == 100
        step.stop_tuning()
        assert len(step._history) == 25 and step.tune is False
        with pytest.raises(ValueError, match="tune_drop_fraction"):
            pm.DEMetropolisZ(tune_drop_fraction=1.5)


def _gp_like():
    # f ~ N(0, K) given through prior_cov, obs ~ N(f, noise I): closed-form posterior
    n, noise = 3, 0.1
    X = np.linspace(0, 1, n)[:, None]
    K = np.exp(-0.5 * (X - X.T) ** 2)
    obs = np.array([-0.1, 0.5, 1.1])
    Kn = K + noise * np.eye(n)
    mean = K @ np.linalg.solve(Kn, obs)
    cov = K - K @ np.linalg.solve(Kn, K)
    with pm.Model() as m:
        f = pm.Flat("f", shape=n)
        pm.MvNormal("obs", mu=f, cov=noise * np.eye(n), observed=obs)
    return m, K, mean, cov


@pytest.mark.parametrize("given", ["prior_cov", "prior_chol"])
def test_elliptical_slice_closed_form(given):
    m, K, mean, cov = _gp_like()
    arg = K if given == "prior_cov" else np.linalg.cholesky(K)
    with m:
        step = pm.EllipticalSlice(**{given: arg})
        trace = pm.sample(4000, tune=0, step=step, chains=2, cores=1, random_seed=1, progressbar=False,
                          compute_convergence_checks=False)
    f = trace["f"]
    np.testing.assert_allclose(f.mean(0), mean, atol=0.03)
    np.testing.assert_allclose(np.cov(f.T), cov, atol=0.02)
    assert trace.stat_names == set()


def test_elliptical_slice_wrong_use():
    m, K, _, _ = _gp_like()
    with m:
        with pytest.raises(ValueError, match="exactly one of cov or chol"):
            pm.EllipticalSlice()
        with pytest.raises(ValueError, match="exactly one of cov or chol"):
            pm.EllipticalSlice(prior_cov=K, prior_chol=np.linalg.cholesky(K))
        with pytest.raises(ValueError, match="Cholesky factor has shape"):
            pm.EllipticalSlice(prior_cov=np.eye(2))


def test_registered_as_sampler_plugins():
    from arignote import plugin_manager

    records = plugin_manager.samplers()
    assert records["DEMetropolis"].factory is pm.DEMetropolis
    assert records["DEMetropolisZ"].factory is pm.DEMetropolisZ
    assert records["EllipticalSlice"].factory is pm.EllipticalSlice
    with pm.Model():
        pm.Normal("x", 0.0, 1.0)
        pm.Poisson("k", 2.0)
        assert pm.DEMetropolisZ.competence(pm.modelcontext(None)["k"], False) == 0


def test_seeds_reproducible():
    def run(cls, chains, cores):
        with _gaussian():
            return pm.sample(100, tune=50, step=cls(), chains=chains, cores=cores, random_seed=4,
                             progressbar=False, compute_convergence_checks=False)["x"]

    np.testing.assert_array_equal(run(pm.DEMetropolis, 3, 1), run(pm.DEMetropolis, 3, 2))
    np.testing.assert_array_equal(run(pm.DEMetropolisZ, 2, 1), run(pm.DEMetropolisZ, 2, 2))
