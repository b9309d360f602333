"""sample(): posterior recovery on models with known posteriors, automatic
step assignment, parallel chains, Ctrl-C, failing chains and bad input."""

import math
import os
import signal
import threading
import warnings

import arviz as az
import numpy as np
import pytest
from scipy import special, stats

import arignote.ppl as pm
from linear_model import linear_model
from arignote import plugin_manager
from arignote.hookspecs import SamplerRecord, hookimpl
from arignote.ppl import parallel

FAST = dict(progressbar=False, compute_convergence_checks=False)

DISASTERS = np.array([4, 5, 4, 0, 1, 4, 3, 4, 0, 6, 3, 3, 4, 0, 2, 6, 3, 3, 5, 4, 5, 3, 1, 4, 4, 1,
                      5, 5, 3, 4, 2, 5, 2, 2, 3, 4, 2, 1, 3, 2, 2, 1, 1, 1, 1, 3, 0, 0, 1, 0, 1, 1,
                      0, 0, 3, 1, 0, 3, 2, 2, 0, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 2, 1, 0, 0, 0, 1, 1,
                      0, 2, 3, 3, 1, 1, 2, 1, 1, 1, 1, 2, 4, 2, 0, 0, 1, 4, 0, 0, 0, 1, 0, 0, 0, 0,
                      0, 1, 0, 0, 1, 0, 1])


def _within_mc_error(draws, mean, sd, z=4.5):
    """|sample mean - exact mean| within z Monte-Carlo standard errors (ESS-based)."""
    draws = np.asarray(draws)
    ess = float(az.ess(draws))
    assert ess > 50, f"ESS only {ess:.0f}"
    se = sd / math.sqrt(ess)
    assert abs(draws.mean() - mean) < z * se, (draws.mean(), mean, se)
    assert abs(draws.std() / sd - 1) < 0.25, (draws.std(), sd)


@pytest.fixture(scope="module")
def linear():
    return linear_model()


@pytest.fixture(scope="module")
def linear_nuts(linear):
    model = linear[0]
    with model:
        return pm.sample(500, tune=500, chains=2, cores=1, random_seed=1, **FAST)


def test_linear_model_matches_least_squares(linear, linear_nuts):
    _, x, y = linear
    X = np.column_stack([np.ones_like(x), x])
    beta, res, *_ = np.linalg.lstsq(X, y, rcond=None)
    sigma2 = res[0] / (len(y) - 2)
    cov = sigma2 * np.linalg.inv(X.T @ X)
    trace = linear_nuts
    _within_mc_error(trace["Intercept"], beta[0], math.sqrt(cov[0, 0]))
    _within_mc_error(trace["x"], beta[1], math.sqrt(cov[1, 1]))
    assert abs(np.median(trace["sd"]) - math.sqrt(sigma2)) < 0.05


def test_trace_interface(linear_nuts):
    trace = linear_nuts
    assert trace.nchains == 2 and trace.chains == [0, 1] and len(trace) == 500
    assert trace.varnames == ["Intercept", "x", "sd_log__", "sd"]
    assert trace["x"].shape == (1000,) and trace["x"].dtype == np.float64
    np.testing.assert_allclose(trace["sd"], np.exp(trace["sd_log__"]))
    assert len(trace[100:]) == 400 and trace[100:]["x"].shape == (800,)
    np.testing.assert_array_equal(trace["x", 100::2], trace.get_values("x", burn=100, thin=2))
    per_chain = trace.get_values("x", combine=False)
    assert isinstance(per_chain, list) and len(per_chain) == 2
    np.testing.assert_array_equal(trace.get_values("x", chains=1), per_chain[1])
    assert trace.point(-1)["x"] == per_chain[1][-1]
    assert {"depth", "step_size", "tree_size", "diverging", "energy", "mean_tree_accept",
            "model_logp", "tune"} <= trace.stat_names
    assert trace.get_sampler_stats("diverging").dtype == bool
    assert not trace.get_sampler_stats("tune").any()
    assert trace.get_sampler_stats("depth", combine=False)[0].shape == (500,)
    np.testing.assert_array_equal(trace.diverging, trace["diverging"])
    with pytest.raises(KeyError, match="Unknown variable nope"):
        trace["nope"]
    import pickle

    again = pickle.loads(pickle.dumps(trace))
    np.testing.assert_array_equal(again["x"], trace["x"])
    assert again.stat_names == trace.stat_names and again.varnames == trace.varnames


def test_inference_data_and_diagnostics(linear, linear_nuts):
    model = linear[0]
    idata = pm.to_inference_data(linear_nuts)
    assert set(idata.posterior.data_vars) == {"Intercept", "x", "sd"}
    assert idata.posterior["x"].shape == (2, 500)
    assert {"acceptance_rate", "tree_depth", "n_steps", "lp", "diverging"} <= set(idata.sample_stats.data_vars)
    assert "y" in idata.observed_data
    ess = pm.effective_n(linear_nuts)
    assert set(ess) == {"Intercept", "x", "sd"} and all(v > 100 for v in ess.values())
    np.testing.assert_allclose(ess["x"], float(az.ess(idata, var_names=["x"])["x"]))
    rhat = pm.gelman_rubin(linear_nuts)
    assert all(abs(v - 1) < 0.05 for v in rhat.values())
    df = pm.summary(linear_nuts)
    assert list(df.index) == ["Intercept", "x", "sd"] and {"mean", "sd", "ess_bulk", "r_hat"} <= set(df.columns)
    with model:
        idata2 = pm.sample(20, tune=20, chains=1, cores=1, random_seed=3, return_inferencedata=True, **FAST)
    assert isinstance(idata2, az.InferenceData) and idata2.posterior["x"].shape == (1, 20)


def test_plots_through_arviz(linear_nuts):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    axes = pm.traceplot(linear_nuts)
    assert np.shape(axes) == (3, 2)
    assert np.size(pm.plot_posterior(linear_nuts[100:])) == 3
    assert pm.forestplot(linear_nuts, var_names=["x"]) is not None
    assert pm.autocorrplot(linear_nuts, var_names=["x"]) is not None
    assert pm.energyplot(linear_nuts) is not None
    plt.close("all")


def test_metropolis_mixes_far_worse_than_nuts(linear, linear_nuts):
    with linear[0]:
        trace = pm.sample(500, step=pm.Metropolis(), tune=500, chains=2, cores=1, random_seed=2, **FAST)
    assert trace.stat_names == {"accept", "accepted", "tune", "scaling"}
    assert trace.get_sampler_stats("accepted").shape == (1000, 3)  # one Metropolis per variable
    ess_m = pm.effective_n(trace)
    ess_n = pm.effective_n(linear_nuts)
    assert ess_n["x"] > 4 * ess_m["x"], (ess_n, ess_m)


def test_beta_binomial_conjugate():
    with pm.Model():
        p = pm.Beta("p", alpha=2.0, beta=3.0)
        pm.Binomial("k", n=20, p=p, observed=7)
        trace = pm.sample(1000, tune=500, chains=2, cores=1, random_seed=4, **FAST)
    post = stats.beta(2 + 7, 3 + 13)
    _within_mc_error(trace["p"], post.mean(), post.std())


def test_poisson_gamma_conjugate():
    counts = np.array([3, 1, 4, 1, 5, 9, 2, 6])
    with pm.Model():
        lam = pm.Gamma("lam", alpha=2.0, beta=1.0)
        pm.Poisson("n", mu=lam, observed=counts)
        trace = pm.sample(1000, tune=500, chains=2, cores=1, random_seed=5, **FAST)
    post = stats.gamma(2 + counts.sum(), scale=1 / (1 + counts.size))
    _within_mc_error(trace["lam"], post.mean(), post.std())


def _switchpoint_posterior(y):
    """Exact p(switchpoint) of the seed's model: Exponential(1) rates integrated out."""
    years = len(y)
    taus = np.arange(years + 1)  # DiscreteUniform(0, years)
    logp = []
    for t in taus:
        early, late = y[: t + 1], y[t + 1:]
        lp = special.gammaln(early.sum() + 1) - (early.sum() + 1) * math.log(early.size + 1)
        lp += special.gammaln(late.sum() + 1) - (late.sum() + 1) * math.log(late.size + 1)
        logp.append(lp)
    logp = np.array(logp)
    return taus, np.exp(logp - special.logsumexp(logp))


def test_coal_mining_switchpoint_with_automatic_compound_step(capsys):
    years = len(DISASTERS)
    with pm.Model():
        switchpoint = pm.DiscreteUniform("switchpoint", lower=0, upper=years)
        early = pm.Exponential("early_mean", lam=1.0)
        late = pm.Exponential("late_mean", lam=1.0)
        rate = pm.math.switch(switchpoint >= np.arange(years), early, late)
        pm.Poisson("disasters", rate, observed=DISASTERS)
        trace = pm.sample(1500, tune=500, chains=2, cores=1, random_seed=6, progressbar=False)
    err = capsys.readouterr().err
    assert "CompoundStep" in err and ">Metropolis: [switchpoint]" in err
    assert ">NUTS: [late_mean, early_mean]" in err
    sp = trace["switchpoint"]
    assert sp.dtype.kind == "i"
    taus, probs = _switchpoint_posterior(DISASTERS)
    mean = (taus * probs).sum()
    sd = math.sqrt(((taus - mean) ** 2 * probs).sum())
    _within_mc_error(sp, mean, sd, z=5)
    freq = np.bincount(sp, minlength=taus.size) / sp.size
    assert 0.5 * np.abs(freq - probs).sum() < 0.12  # total variation distance


def test_binary_and_categorical_variables_get_gibbs_steps(capsys):
    with pm.Model():
        z = pm.Bernoulli("z", p=0.3)
        c = pm.Categorical("c", p=np.array([0.2, 0.5, 0.3]))
        trace = pm.sample(2000, tune=100, chains=2, cores=1, random_seed=7, progressbar=False)
    err = capsys.readouterr().err
    assert ">BinaryGibbsMetropolis: [z]" in err and ">CategoricalGibbsMetropolis: [c]" in err
    assert abs(trace["z"].mean() - 0.3) < 0.05
    np.testing.assert_allclose(np.bincount(trace["c"], minlength=3) / trace["c"].size,
                               [0.2, 0.5, 0.3], atol=0.05)


def test_same_seed_same_draws_with_one_or_two_processes(linear):
    with linear[0]:
        one = pm.sample(60, tune=60, chains=2, cores=1, random_seed=11, **FAST)
        two = pm.sample(60, tune=60, chains=2, cores=2, random_seed=11, **FAST)
        other = pm.sample(60, tune=60, chains=2, cores=1, random_seed=12, **FAST)
    for name in one.varnames:
        np.testing.assert_array_equal(one[name], two[name])
    np.testing.assert_array_equal(one["tree_size"], two["tree_size"])
    assert not np.array_equal(one["x"], other["x"])
    assert not np.array_equal(one.get_values("x", chains=0), one.get_values("x", chains=1))


def test_ctrl_c_returns_the_draws_so_far(linear, monkeypatch):
    original = parallel._collect

    def interrupt_soon(*args, **kwargs):
        threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT)).start()
        return original(*args, **kwargs)

    monkeypatch.setattr(parallel, "_collect", interrupt_soon)
    with linear[0], pytest.warns(UserWarning, match="interrupted"):
        trace = pm.sample(10**6, tune=10, chains=2, cores=2, random_seed=1, **FAST)
    assert trace.nchains == 2 and 0 < len(trace) < 10**6
    assert trace.report.interrupted
    assert np.isfinite(trace["x"]).all()


class Exploding(pm.NUTS):
    """Fails after 70 draws (20 after tuning) when started far out (only chain 1 is)."""

    def reset_tuning(self, n_tune=1000):
        super().reset_tuning(n_tune)
        self.count, self.far = 0, None

    def astep(self, q):
        if self.far is None:
            self.far = q[1] > 50
        self.count += 1
        if self.far and self.count > 70:
            raise ValueError("chain exploded on purpose")
        return super().astep(q)


def test_a_failing_chain_is_reported_and_the_others_kept(linear):
    with linear[0]:
        step = Exploding()
        starts = [{"Intercept": 0.0, "x": 0.0, "sd_log__": 0.0}, {"Intercept": 0.0, "x": 100.0, "sd_log__": 0.0}]
        with pytest.warns(RuntimeWarning, match="(?s)Chain 1 failed.*chain exploded on purpose"):
            trace = pm.sample(50, tune=50, step=step, start=starts, chains=2, cores=2, random_seed=1, **FAST)
    assert trace.chains == [0] and len(trace) == 50
    assert "chain exploded on purpose" in trace.report.failed_chains[1]
    assert not trace.report.ok
    with linear[0]:
        with pytest.raises(pm.SamplingError, match="(?s)All 1 chains failed.*exploded"), \
                pytest.warns(RuntimeWarning):
            pm.sample(50, tune=50, step=Exploding(), start=starts[1], chains=1, cores=1, **FAST)


@pytest.mark.slow
def test_dask_executor_with_a_local_cluster(linear):
    distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        with linear[0]:
            remote = pm.sample(40, tune=40, chains=2, random_seed=9, executor=client.get_executor(), **FAST)
    with linear[0]:
        local = pm.sample(40, tune=40, chains=2, cores=1, random_seed=9, **FAST)
    np.testing.assert_array_equal(remote["x"], local["x"])


def test_bad_input(linear):
    model = linear[0]
    with model:
        with pytest.raises(ValueError, match="draws must be an integer >= 0, got -1"):
            pm.sample(-1)
        with pytest.raises(ValueError, match="tune"):
            pm.sample(10, tune=-5)
        with pytest.raises(TypeError, match="unexpected keyword.*'drawz'"):
            pm.sample(10, drawz=3)
        with pytest.raises(ValueError, match="init must be one of"):
            pm.sample(10, init="advi-magic")
    with pm.Model():
        other = pm.Normal("other", 0, 1)
    with model, pytest.raises(ValueError, match="'other'.*not a free random variable"):
        pm.Metropolis(vars=[other])
    with pm.Model(), pytest.raises(ValueError, match="does not contain any free variables"):
        pm.Normal("obs", 0, 1, observed=np.zeros(3))
        pm.sample(10)
    with pm.Model():
        mu = pm.Normal("mu", 0, 10)
        pm.Normal("y", mu, sigma=mu, observed=np.ones(3))
        with pytest.raises(pm.SamplingError, match="(?s)Initial evaluation.*'y' is not finite"):
            pm.sample(10, start={"mu": -1.0}, chains=1, **FAST)


def test_njobs_is_cores_and_step_options_pass_through(linear):
    with linear[0], pytest.warns(DeprecationWarning, match="njobs"):
        trace = pm.sample(30, tune=300, njobs=1, chains=1, target_accept=0.95, random_seed=3, **FAST)
    assert trace.nchains == 1
    with linear[0]:
        trace2 = pm.sample(30, tune=300, chains=1, cores=1, target_accept=0.6, random_seed=3, **FAST)
    assert trace.step_size[-1] < trace2.step_size[-1]


class _Walker(pm.Metropolis):
    """A third-party step method: Metropolis under another name."""


class _ThirdParty:
    @hookimpl
    def arignote_register_samplers(self):
        return [SamplerRecord("Walker", _Walker, ("continuous",))]


def test_third_party_sampler_by_name():
    plugin_manager.register(_ThirdParty(), name="walker-test")
    try:
        with pm.Model():
            pm.Normal("w", 0, 1)
            trace = pm.sample(300, tune=100, step="walker", chains=1, cores=1, random_seed=2, **FAST)
        assert trace.stat_names == {"accept", "accepted", "tune", "scaling"}
        assert abs(trace["w"].mean()) < 0.5
    finally:
        plugin_manager.unregister("walker-test")


def test_posterior_predictive(linear, linear_nuts):
    model, x, y = linear
    with model:
        ppc = pm.sample_posterior_predictive(linear_nuts, samples=50, random_seed=1)
        kept = pm.sample_posterior_predictive(linear_nuts[:10], keep_size=True)
    assert ppc["y"].shape == (50, 100)
    assert kept["y"].shape == (2, 10, 100)
    assert abs(ppc["y"].mean() - y.mean()) < 0.3


def test_ctrl_c_in_sequential_sampling_keeps_the_draws(linear):
    class Interrupted(pm.NUTS):
        calls = 0

        def astep(self, q):
            type(self).calls += 1
            if type(self).calls == 80:
                raise KeyboardInterrupt
            return super().astep(q)

    with linear[0]:
        with pytest.warns(UserWarning, match="interrupted"):
            trace = pm.sample(100, tune=20, step=Interrupted(), chains=2, cores=1, random_seed=1, **FAST)
    assert trace.chains == [0] and len(trace) == 59  # draws 20..78 of the first chain
    assert trace.report.interrupted


def test_explicit_steps_and_untransformed_names(linear, capsys):
    model = linear[0]
    with model:
        trace = pm.sample(50, tune=50, step=[pm.Metropolis(vars=[model["sd"]]), pm.Slice(vars=["x"])],
                          chains=1, cores=1, random_seed=2, **FAST)
    err = capsys.readouterr().err
    assert ">Metropolis: [sd]" in err and ">Slice: [x]" in err and ">NUTS: [Intercept]" in err
    assert {"nstep_out", "accept", "depth"} <= trace.stat_names
    df = pm.trace_to_dataframe(trace)
    assert list(df.columns) == ["Intercept", "x", "sd"] and len(df) == 50


@pytest.mark.parametrize("init", ["adapt_diag", "jitter+adapt_diag_grad"])
def test_init_options(linear, init):
    with linear[0]:
        trace = pm.sample(200, tune=300, init=init, chains=1, cores=1, random_seed=3, **FAST)
    assert abs(trace["x"].mean() - 2.0) < 0.5
    assert trace["mean_tree_accept"].mean() > 0.5


def test_start_values_by_untransformed_name(linear):
    with linear[0]:
        trace = pm.sample(1, tune=0, start={"sd": 2.0, "x": 0.5, "Intercept": 0.1}, step=pm.Slice(),
                          chains=1, cores=1, random_seed=4, **FAST)
    assert trace["sd"].shape == (1,)
    with linear[0], pytest.raises(ValueError, match="'nope', which is not a free variable"):
        pm.sample(1, tune=0, start={"nope": 1.0}, chains=1, **FAST)


def test_divergences_are_counted_and_reported(capsys):
    with pm.Model():
        x = pm.Normal("x", 0, 1, shape=3)
        pm.Potential("cliff", pm.math.switch(x[0] > 1.0, -2000.0, 0.0))
        trace = pm.sample(300, tune=100, chains=2, cores=1, random_seed=8, progressbar=False)
    assert trace["x"].shape == (600, 3)
    n_div = trace["diverging"].sum()
    assert n_div > 0
    assert (trace["x"][:, 0] <= 1.0).all()
    err = capsys.readouterr().err
    assert "divergences after tuning" in err
    kinds = [w.kind for w in trace.report._warnings()]
    assert "divergence" in kinds and not trace.report.ok


def test_compound_steps_reproducible_with_one_or_two_processes():
    with pm.Model():
        z = pm.Bernoulli("z", p=0.4)
        k = pm.DiscreteUniform("k", lower=0, upper=5)
        pm.Normal("mu", mu=z + k, sigma=1.0)
        one = pm.sample(80, tune=40, chains=2, cores=1, random_seed=21, **FAST)
        two = pm.sample(80, tune=40, chains=2, cores=2, random_seed=21, **FAST)
    for name in ("z", "k", "mu"):
        np.testing.assert_array_equal(one[name], two[name])
    assert one["k"].dtype.kind == "i" and set(np.unique(one["k"])) <= set(range(6))


@pytest.mark.parametrize("cores", [1, 2])
def test_progress_bars_per_chain_on_a_terminal(linear, monkeypatch, capsys, cores):
    import sys

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    with linear[0]:
        pm.sample(40, tune=40, chains=2, cores=cores, random_seed=1, compute_convergence_checks=False)
    err = capsys.readouterr().err
    assert "chain 0" in err and "chain 1" in err and "80/80" in err
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    with linear[0]:
        pm.sample(40, tune=40, chains=2, cores=cores, random_seed=1, compute_convergence_checks=False)
    assert "80/80" not in capsys.readouterr().err
