"""arignote.ppl.variational: ADVI/FullRankADVI against exact Gaussian posteriors and quadrature,
reproducibility, the loss history, traces of draws, the optimisers and bad input."""
import numpy as np
import pytest
from scipy import integrate, stats

import arignote
import arignote.ppl as pm

Y = np.array([1.2, 0.3, 2.1, 1.5, 0.9, 1.7, 0.4, 1.1])


def _normal_normal():
    with pm.Model() as m:
        mu = pm.Normal("mu", 0.0, 1.0)
        pm.Normal("y", mu, 1.0, observed=Y)
    return m


def _exact_normal_normal():
    prec = 1.0 + len(Y)
    return Y.sum() / prec, 1.0 / np.sqrt(prec)


def test_meanfield_advi_recovers_conjugate_normal():
    mean, sd = _exact_normal_normal()
    with _normal_normal():
        approx = pm.fit(n=6000, method="advi", random_seed=3, progressbar=False,
                        obj_optimizer=pm.adagrad_window(learning_rate=0.01))
    assert isinstance(approx, pm.MeanField)
    assert approx.mean.eval().shape == (1,)
    assert abs(approx.mean.eval()[0] - mean) < 0.08
    assert abs(approx.std.eval()[0] - sd) < 0.05
    trace = approx.sample(4000)
    assert abs(trace["mu"].mean() - mean) < 0.1
    assert abs(trace["mu"].std() - sd) < 0.06
    # the loss estimates -ELBO, which equals -log p(y) at the exact posterior
    log_evidence = stats.multivariate_normal.logpdf(Y, np.zeros(len(Y)), np.eye(len(Y)) + 1.0)
    assert abs(approx.hist[-1000:].mean() + log_evidence) < 0.15


def _correlated(rho=0.9):
    cov = np.array([[1.0, rho], [rho, 1.0]])
    with pm.Model() as m:
        pm.MvNormal("x", mu=np.zeros(2), cov=cov, shape=2)
    return m


def test_fullrank_recovers_correlation_meanfield_underestimates_variance():
    m = _correlated(0.9)
    with m:
        full = pm.fit(n=8000, method="fullrank_advi", random_seed=1, progressbar=False,
                      obj_optimizer=pm.adam(learning_rate=0.01))
        mf = pm.fit(n=8000, method="advi", random_seed=1, progressbar=False,
                    obj_optimizer=pm.adam(learning_rate=0.01))
    assert isinstance(full, pm.FullRank)
    cov = full.cov.eval()
    corr = cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1])
    assert abs(corr - 0.9) < 0.05
    np.testing.assert_allclose(np.diag(cov), [1.0, 1.0], atol=0.2)
    draws = full.sample(3000)["x"]
    assert draws.shape == (3000, 2)
    assert abs(np.corrcoef(draws.T)[0, 1] - 0.9) < 0.05
    # the mean-field optimum matches the conditional sd sqrt(1 - rho^2), well under the marginal 1
    np.testing.assert_allclose(mf.std.eval(), np.sqrt(1 - 0.81), atol=0.08)
    assert abs(np.corrcoef(mf.sample(3000)["x"].T)[0, 1]) < 0.1


def test_positive_variable_samples_positive_and_mean_matches_quadrature():
    data = np.random.RandomState(0).normal(0.0, 1.5, size=40)

    def log_post(s):
        return stats.halfnorm.logpdf(s, scale=2.0) + stats.norm.logpdf(data, 0.0, s).sum()

    z = integrate.quad(lambda s: np.exp(log_post(s) - log_post(1.5)), 0, 10)[0]
    exact = integrate.quad(lambda s: s * np.exp(log_post(s) - log_post(1.5)), 0, 10)[0] / z
    with pm.Model():
        sigma = pm.HalfNormal("sigma", sigma=2.0)
        pm.Normal("y", 0.0, sigma, observed=data)
        approx = pm.fit(n=6000, random_seed=2, progressbar=False,
                        obj_optimizer=pm.adagrad_window(learning_rate=0.01))
    trace = approx.sample(4000)
    assert (trace["sigma"] > 0).all()
    np.testing.assert_allclose(np.log(trace["sigma"]), trace["sigma_log__"], rtol=1e-10)
    assert abs(trace["sigma"].mean() - exact) / exact < 0.04


def test_random_seed_reproduces_the_fit():
    runs = []
    for seed in (5, 5, 6):
        with _normal_normal():
            approx = pm.fit(n=300, random_seed=seed, progressbar=False)
        runs.append((approx.hist.copy(), approx.mean.eval().copy(), pm.sample_approx(approx, 10)["mu"]))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    np.testing.assert_array_equal(runs[0][2], runs[1][2])
    assert not np.array_equal(runs[0][0], runs[2][0])


def test_hist_has_n_losses_and_decreases_on_average():
    with _normal_normal():
        inference = pm.ADVI(random_seed=0)
        approx = inference.fit(n=2000, progressbar=False)
    assert approx.hist.shape == (2000,)
    assert inference.hist is approx.hist
    assert np.isfinite(approx.hist).all()
    assert approx.hist[:200].mean() > approx.hist[-200:].mean() + 1.0
    inference.refine(100, progressbar=False)
    assert approx.hist.shape == (2100,)


def test_sample_shapes_names_and_arviz():
    import arviz as az

    with pm.Model() as m:
        mu = pm.Normal("mu", 0.0, 1.0, shape=3)
        sigma = pm.HalfNormal("sigma", 1.0)
        pm.Deterministic("total", mu.sum() * sigma)
        pm.Normal("y", mu, sigma, observed=np.ones((5, 3)))
        approx = pm.fit(n=200, random_seed=0, progressbar=False)
    assert approx.mean.eval().shape == (4,) and approx.std.eval().shape == (4,)
    trace = approx.sample(draws=50)
    assert len(trace) == 50 and trace.nchains == 1
    assert set(trace.varnames) == {"mu", "sigma_log__", "sigma", "total"}
    assert trace["mu"].shape == (50, 3) and trace["sigma"].shape == (50,)
    np.testing.assert_allclose(trace["total"], trace["mu"].sum(axis=1) * trace["sigma"])
    assert "sigma_log__" not in approx.sample(5, include_transformed=False).varnames
    idata = pm.to_inference_data(trace, model=m)
    assert idata.posterior["mu"].shape == (1, 50, 3)
    assert "sigma" in az.summary(idata).index


def test_bad_method_and_bad_input_raise_clear_errors():
    with _normal_normal():
        with pytest.raises(KeyError, match="advi"):
            pm.fit(n=10, method="nuts")
        with pytest.raises(TypeError, match="Inference"):
            pm.fit(n=10, method=3)
        with pytest.raises(ValueError, match="draws"):
            pm.fit(n=5, progressbar=False).sample(0)
        with pytest.raises(ValueError, match="obj_n_mc"):
            pm.fit(n=5, progressbar=False, obj_n_mc=0)
    with pm.Model():
        pm.Poisson("k", 3.0)
        with pytest.raises(ValueError, match="Discrete variables.*k"):
            pm.fit(n=5, progressbar=False)


def test_check_parameters_convergence_stops_early_and_start_is_used():
    with _normal_normal():
        cb = pm.callbacks.CheckParametersConvergence(every=50, tolerance=0.5, diff="absolute")
        approx = pm.fit(n=5000, random_seed=0, progressbar=False, callbacks=[cb])
        assert 50 < len(approx.hist) < 5000
        started = pm.ADVI(start={"mu": 2.5}).approx
    assert started.mean.eval()[0] == 2.5
    with pytest.raises(ValueError, match="diff"):
        pm.callbacks.CheckParametersConvergence(diff="ratio")


def test_obj_n_mc_averages_several_draws():
    mean, _ = _exact_normal_normal()
    with _normal_normal():
        approx = pm.fit(n=2000, random_seed=4, progressbar=False, obj_n_mc=5,
                        obj_optimizer=pm.adam(learning_rate=0.02))
    assert abs(approx.mean.eval()[0] - mean) < 0.1


@pytest.mark.parametrize("name, kwargs", [("sgd", dict(learning_rate=0.1)), ("momentum", dict(learning_rate=0.05)),
                                          ("adam", dict(learning_rate=0.1)), ("adamax", dict(learning_rate=0.1)),
                                          ("adagrad_window", dict(learning_rate=0.3)),
                                          ("nesterov_momentum", dict(learning_rate=0.05)),
                                          ("adagrad", dict(learning_rate=0.5)), ("rmsprop", dict(learning_rate=0.05)),
                                          ("adadelta", dict(learning_rate=1.0, epsilon=1e-2))])
def test_optimisers_minimise_a_quadratic(name, kwargs):
    target = np.array([1.0, -2.0, 0.5])
    p = arignote.shared(np.zeros(3), name="p")
    loss = ((p - target) ** 2).sum()
    opt = getattr(pm, name)
    bound = opt(**kwargs)  # PyMC3's partial form
    step = arignote.function([], loss, updates=bound(loss, [p]))
    for _ in range(400):
        step()
    np.testing.assert_allclose(p.get_value(), target, atol=0.05)


def test_optimiser_first_steps_match_their_formulas():
    g = np.array([2.0, -4.0])
    for name, expected in [("sgd", -0.1 * g), ("adam", -0.1 * np.sign(g)), ("adamax", -0.1 * np.sign(g)),
                           ("momentum", -0.1 * g), ("adagrad_window", -0.1 * g / np.sqrt(g ** 2 + 0.1)),
                           ("nesterov_momentum", -0.19 * g), ("adagrad", -0.1 * g / np.sqrt(g ** 2 + 1e-6)),
                           ("rmsprop", -0.1 * g / np.sqrt(0.1 * g ** 2 + 1e-6)),
                           ("adadelta", -0.1 * g * np.sqrt(1e-6) / np.sqrt(0.05 * g ** 2 + 1e-6))]:
        p = arignote.shared(np.zeros(2))
        updates = getattr(pm, name)([arignote.tensor.constant(g)], [p], learning_rate=0.1)
        arignote.function([], [], updates=updates)()
        np.testing.assert_allclose(p.get_value(), expected, rtol=1e-6, err_msg=name)
    with pytest.raises(ValueError, match="both"):
        pm.sgd(None, [p])


def test_star_import_exports_the_variational_api():
    ns = {}
    exec("from arignote.ppl import *", ns)
    for name in ("fit", "sample_approx", "rmsprop", "adagrad", "adadelta", "nesterov_momentum", "ADVI", "FullRankADVI", "MeanField", "FullRank", "adam", "adagrad_window", "sgd",
                 "adamax", "momentum", "callbacks", "Approximation", "Inference"):
        assert name in ns, name


@pytest.mark.parametrize("init", ["advi", "advi+adapt_diag", "advi_map"])
def test_sample_initialised_by_advi(init):
    data = np.random.RandomState(0).normal(1.0, 1.5, size=50)
    with pm.Model():
        mu = pm.Normal("mu", 0.0, 10.0)
        sigma = pm.HalfNormal("sigma", 5.0)
        pm.Normal("y", mu, sigma, observed=data)
        trace = pm.sample(300, tune=300, chains=2, cores=1, init=init, n_init=3000, random_seed=3,
                          progressbar=False, compute_convergence_checks=False)
    assert trace["mu"].shape == (600,)
    assert abs(trace["mu"].mean() - data.mean()) < 0.15
    assert abs(trace["sigma"].mean() - data.std()) < 0.25
    with pm.Model():
        pm.Normal("x", 0.0, 1.0)
        with pytest.raises(ValueError, match="init must be one of"):
            pm.sample(10, init="advi_full", progressbar=False)


@pytest.mark.parametrize("init", ["advi", "advi+adapt_diag", "advi_map"])
def test_advi_init_starts_the_mass_matrix_at_the_advi_variances(init):
    """PyMC3's init_nuts: the diagonal mass matrix is the ADVI posterior variances, fixed for
    'advi'/'advi_map', the start of the warm-up's adaptation for 'advi+adapt_diag'."""
    from arignote.ppl.sampling import chain_seeds
    from arignote.ppl.variational.nuts_init import advi_init

    data = np.random.RandomState(0).normal(1.0, 1.5, size=50)
    with pm.Model() as model:
        pm.Normal("mu", 0.0, 10.0)
        pm.Normal("nu", 0.0, 3.0, shape=2)  # no data: its posterior is its prior N(0, 9)
        pm.Normal("y", model["mu"], 1.5, observed=data)
        starts, step = pm.init_nuts(init=init, chains=2, n_init=5000, random_seed=3)
        seed = int(chain_seeds(3, 2)[0].generate_state(1)[0])  # the fit's seed, as init_nuts takes it
        _, variance = advi_init(init, 2, model, random_seed=seed, n_init=5000)
    assert [v.name for v in step.vars] == [v.name for v in model.free_RVs] == ["mu", "nu"]
    assert len(starts) == 2
    np.testing.assert_array_equal(step._initial_inv_mass, variance)
    assert step._adapt_mass is (init == "advi+adapt_diag")
    step.reset_tuning(100)  # every chain starts from it
    np.testing.assert_array_equal(step.inv_mass, variance)
    # the fit (stopped by PyMC3's convergence checks) moved from its unit start toward the
    # posterior: mu's variance shrinks (posterior 0.045), nu's grows (posterior 9)
    assert np.isfinite(variance).all() and variance[0] < 0.5 < 1.0 < variance[1:].min()


def test_tracker_records_the_mean_each_step():
    with _normal_normal():
        advi = pm.ADVI(random_seed=0)
        tracker = pm.callbacks.Tracker(mean=advi.approx.mean.eval, std=advi.approx.std.eval)
        advi.fit(50, callbacks=[tracker], progressbar=False)
    assert len(tracker["mean"]) == 50 and len(tracker["std"]) == 50
    np.testing.assert_array_equal(tracker["mean"][-1], advi.approx.mean.eval())
    np.testing.assert_allclose(tracker["std"][-1], advi.approx.std.eval())
    assert not np.array_equal(tracker["mean"][0], tracker["mean"][-1])


def test_divergent_optimisation_raises_floating_point_error_and_keeps_the_history():
    with pm.Model():
        s = pm.HalfNormal("s", 1.0)
        pm.Normal("y", 0.0, s, observed=np.array([0.1, 5.0]))
        advi = pm.ADVI(random_seed=0)
        with pytest.raises(FloatingPointError, match="NaN occurred in optimization at iteration"):
            advi.fit(200, progressbar=False, obj_optimizer=pm.sgd(learning_rate=1e3))
    assert 0 < len(advi.hist) < 200 and np.isfinite(advi.hist).all()


def test_total_grad_norm_constraint_bounds_each_sgd_step():
    with _normal_normal():
        advi = pm.ADVI(random_seed=0)
        before = np.concatenate([p.get_value().ravel() for p in advi.approx.params])
        advi.fit(1, progressbar=False, obj_optimizer=pm.sgd(learning_rate=1.0), total_grad_norm_constraint=0.5)
        after = np.concatenate([p.get_value().ravel() for p in advi.approx.params])
    assert np.linalg.norm(after - before) == pytest.approx(0.5, rel=1e-6)  # the raw gradient is larger
