"""PyMC3's "Sampler Statistics" notebook: the statistics NUTS records per draw (names, dtypes,
shapes per chain and combined, ``burn=``), what they mean (model_logp is the log-density at the
draw, energy = -model_logp + a non-negative kinetic energy, the step size is frozen after tuning at
the tuned ``step_size_bar``), and the statistics of two Metropolis-type samplers side by side,
in the MultiTrace and in the InferenceData (``return_inferencedata=True``).

References: the target is an iid standard normal (10-d) and Bernoulli(0.8) x Normal(0, 1).
Deliberate differences from PyMC3 3.11: 2 x 1000 draws (the notebook takes 2000 and 10000),
cores=1.  PyMC3 3.11's timing statistics (process_time_diff, perf_counter_diff,
perf_counter_start) are recorded per draw; their CPU time is the sampling thread's.
"""
import numpy as np
from scipy import stats

import arignote.ppl as pm

FAST = dict(progressbar=False, compute_convergence_checks=False, cores=1)
NUTS_DTYPES = {"depth": np.int64, "diverging": np.bool_, "energy": np.float64, "energy_error": np.float64,
               "max_energy_error": np.float64, "mean_tree_accept": np.float64, "model_logp": np.float64,
               "step_size": np.float64, "step_size_bar": np.float64, "tree_size": np.float64, "tune": np.bool_,
               "process_time_diff": np.float64, "perf_counter_diff": np.float64,
               "perf_counter_start": np.float64}


def _nuts_trace():
    with pm.Model() as model:
        pm.Normal("mu1", mu=0, sigma=1, shape=10)
    with model:
        step = pm.NUTS()
        trace = pm.sample(1000, tune=1000, init=None, step=step, chains=2, random_seed=[41, 42],
                          discard_tuned_samples=False, **FAST)
    return model, step, trace


def test_nuts_statistics_names_dtypes_shapes_and_meaning():
    model, step, trace = _nuts_trace()
    assert trace.stat_names == set(NUTS_DTYPES)
    assert [set(d) for d in step.stats_dtypes] == [set(NUTS_DTYPES)]
    for name, dtype in NUTS_DTYPES.items():
        combined = trace.get_sampler_stats(name)
        assert combined.dtype == dtype and combined.shape == (4000,), name
        np.testing.assert_array_equal(trace[name], combined)
    sizes1, sizes2 = trace.get_sampler_stats("depth", combine=False)
    assert sizes1.shape == sizes2.shape == (2000,)
    accept = trace.get_sampler_stats("mean_tree_accept", burn=1000)
    assert accept.shape == (2000,) and np.all((accept >= 0) & (accept <= 1))
    assert abs(accept.mean() - 0.8) < 0.1  # the dual-averaging target
    div = trace["diverging"].nonzero()[0]
    assert np.all(div % 2000 < 1000)  # early tuning may diverge; the kept draws of a normal do not
    # tune marks the first 1000 draws of each chain; the step size is frozen afterwards at the
    # final averaged step size of the tuning phase
    for c in (0, 1):
        tune = trace.get_sampler_stats("tune", chains=c)
        assert tune[:1000].all() and not tune[1000:].any()
        eps = trace.get_sampler_stats("step_size", chains=c)
        bar = trace.get_sampler_stats("step_size_bar", chains=c)
        assert np.all(eps[1000:] == eps[1000]) and np.isclose(eps[1000], bar[999])
    # tree sizes fit the depths: a tree of depth d holds at most 2**d - 1 leapfrog steps
    assert np.all(trace["tree_size"] <= 2.0 ** trace["depth"] - 1) and np.all(trace["tree_size"] >= 1)
    # model_logp is the log-density at the draw; energy adds a non-negative kinetic energy
    x = trace["mu1"]
    logp = stats.norm.logpdf(x).sum(axis=1)
    np.testing.assert_allclose(trace["model_logp"], logp, rtol=1e-10)
    assert np.all(trace["energy"] >= -trace["model_logp"] - 1e-12)
    # the notebook's energy plot: the energy's changes are about as wide as its marginal (BFMI ~ 1)
    energy = trace.get_sampler_stats("energy", burn=1000, combine=False)
    bfmi = [np.var(np.diff(e)) / np.var(e) for e in energy]
    assert all(0.5 < b < 2.0 for b in bfmi)
    # the draws themselves: iid N(0, 1)
    post = x[np.concatenate([np.arange(1000, 2000), np.arange(3000, 4000)])]
    assert abs(post.mean()) < 0.1 and abs(post.var() - 1) < 0.1


def test_two_samplers_statistics_in_trace_and_inferencedata():
    coords = {"step": ["BinaryMetropolis", "Metropolis"], "obs": ["mu1"]}
    with pm.Model(coords=coords) as model:
        mu1 = pm.Bernoulli("mu1", p=0.8)
        mu2 = pm.Normal("mu2", mu=0, sigma=1, dims="obs")
    with model:
        step1 = pm.BinaryMetropolis([mu1])
        step2 = pm.Metropolis([mu2])
        trace = pm.sample(1000, init=None, step=[step1, step2], chains=2, tune=500, random_seed=[1, 2], **FAST)
        idata = pm.sample(1000, init=None, step=[step1, step2], chains=2, tune=500, random_seed=[1, 2],
                          return_inferencedata=True, **FAST)
    assert [set(d) for d in step1.stats_dtypes] == [{"accept", "tune", "p_jump"}]
    assert [set(d) for d in step2.stats_dtypes] == [{"accept", "accepted", "tune", "scaling"}]
    assert trace.get_sampler_stats("accept").shape == (2000, 2)  # one column per sampler
    assert trace.get_sampler_stats("scaling").shape == (2000,)
    ss = idata.sample_stats
    assert ss["accept"].dims == ("chain", "draw", "accept_dim_0") and ss["accept"].shape == (2, 1000, 2)
    assert ss["tune"].shape == (2, 1000, 2) and ss["scaling"].dims == ("chain", "draw")
    np.testing.assert_array_equal(ss["accept"].values.reshape(2000, 2), trace.get_sampler_stats("accept"))
    assert idata.posterior["mu2"].dims == ("chain", "draw", "obs")
    # targets: Bernoulli(0.8) and N(0, 1), with a Monte Carlo error from the effective sample size
    import arviz as az

    for name, mean in (("mu1", 0.8), ("mu2", 0.0)):
        x = np.asarray(idata.posterior[name]).reshape(2, 1000).astype(float)
        se = x.std() / np.sqrt(float(az.ess(x)))
        assert abs(x.mean() - mean) < 4 * se, (name, x.mean(), se)
