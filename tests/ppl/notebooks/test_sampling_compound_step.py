"""PyMC3's "Compound Steps in Sampling" notebook: a Beta success rate ``p`` and a Bernoulli
choice ``ni`` of the number of trials (10 or 15), 4 successes observed; sampled by
Metropolis on ``ni`` and NUTS on ``p``, given as a list or as a CompoundStep, and by the
automatic assignment (NUTS + BinaryGibbsMetropolis).

The reference is exact: integrating p out, P(ni = j) is proportional to 1 / (n_j + 1), so
P(ni = 1) = 11/27, and E[p] = sum_j P(ni = j) (4 + 1) / (n_j + 2).
Deliberate differences from PyMC3: 2 x 1000 draws, cores=1; with Metropolis on ``ni`` the
number of trials is picked by ``switch`` rather than by indexing ``n_[ni]``, since a Metropolis
proposal of ni = 2 indexes past the end (an IndexError, as in Theano); the automatic
assignment keeps the notebook's ``n_[ni]``.
"""
import numpy as np

import arignote
import arignote.ppl as pm

FAST = dict(progressbar=False, compute_convergence_checks=False, cores=1)
P_NI1 = (1 / 16) / (1 / 11 + 1 / 16)
E_P = (1 - P_NI1) * 5 / 12 + P_NI1 * 5 / 17
NUTS_STATS = {"depth": np.int64, "step_size": np.float64, "tune": np.bool_, "mean_tree_accept": np.float64,
              "step_size_bar": np.float64, "tree_size": np.float64, "diverging": np.bool_,
              "energy_error": np.float64, "energy": np.float64, "max_energy_error": np.float64,
              "model_logp": np.float64, "process_time_diff": np.float64, "perf_counter_diff": np.float64,
              "perf_counter_start": np.float64}
METROPOLIS_STATS = {"accept": np.float64, "accepted": np.bool_, "tune": np.bool_, "scaling": np.float64}


def _model():
    with pm.Model() as m:
        p = pm.Beta("p", 1.0, 1.0)
        ni = pm.Bernoulli("ni", 0.5)
        pm.Binomial("k", p=p, n=pm.math.switch(pm.math.eq(ni, 0), 10, 15), observed=4)
    return m, p, ni


def _check_recovery(trace):
    for name, want in (("ni", P_NI1), ("p", E_P)):
        x = trace.get_values(name, combine=False)
        ess = _ess(np.stack(x))
        se = np.std(np.concatenate(x)) / np.sqrt(ess)
        assert abs(np.concatenate(x).mean() - want) < 4 * se, (name, np.concatenate(x).mean(), want, se)


def _ess(chains):
    import arviz as az

    return az.ess(np.asarray(chains, dtype=float))


def test_metropolis_and_nuts_as_a_list():
    m, p, ni = _model()
    with m:
        step1 = pm.Metropolis([ni])
        step2 = pm.NUTS([p])
        trace = pm.sample(1000, tune=500, step=[step1, step2], chains=2, random_seed=[3, 4],
                          discard_tuned_samples=False, **FAST)
    assert trace.varnames == ["p_logodds__", "ni", "p"]
    assert trace["ni"].dtype == np.int64 and set(np.unique(trace["ni"])) == {0, 1}
    assert trace.stat_names == set(NUTS_STATS) | set(METROPOLIS_STATS)
    # per step method, in the order of the steps: Metropolis first, then NUTS
    st = trace._straces[0]._stats
    assert [set(s) for s in st] == [set(METROPOLIS_STATS), set(NUTS_STATS)]
    for s, declared in zip(st, (METROPOLIS_STATS, NUTS_STATS)):
        for name, dtype in declared.items():
            assert s[name].dtype == dtype and s[name].shape == (1500,), name
    # a statistic both methods report has one column per method; the others one column
    tune = trace.get_sampler_stats("tune")
    assert tune.shape == (3000, 2) and tune.dtype == bool
    per_chain = trace.get_sampler_stats("tune", combine=False)
    assert len(per_chain) == 2 and all(t.shape == (1500, 2) for t in per_chain)
    assert per_chain[0][:500].all() and not per_chain[0][500:].any()
    assert trace.get_sampler_stats("accept").shape == (3000,)
    assert trace.get_sampler_stats("depth", chains=1).shape == (1500,)
    assert trace.get_sampler_stats("tune", burn=500, combine=False)[1].shape == (1000, 2)
    # Metropolis' acceptance of a 0/1 proposal: accepted moves change ni (or propose the same value)
    acc = trace.get_sampler_stats("accepted", chains=0)[501:]
    moved = np.diff(trace.get_values("ni", chains=0))[500:] != 0
    assert np.all(acc[moved])
    # NUTS' model_logp is the model's log-density at the drawn point (NUTS runs last)
    pts = [trace.point(i, chain=1) for i in (600, 900, 1400)]
    lps = trace.get_sampler_stats("model_logp", chains=1)[[600, 900, 1400]]
    np.testing.assert_allclose([m.logp(q) for q in pts], lps, rtol=1e-10)
    _check_recovery(trace[500:])


def test_compound_step_object_and_automatic_assignment():
    m, p, ni = _model()
    with m:
        step = pm.CompoundStep([pm.NUTS([p]), pm.Metropolis([ni])])
        trace = pm.sample(1000, tune=500, step=step, chains=2, random_seed=[5, 6], **FAST)
    st = trace._straces[1]._stats
    assert [set(s) for s in st] == [set(NUTS_STATS), set(METROPOLIS_STATS)]
    assert trace.get_sampler_stats("tune").shape == (2000, 2)
    _check_recovery(trace)

    n_ = arignote.shared(np.asarray([10, 15]))
    with pm.Model():
        p = pm.Beta("p", 1.0, 1.0)
        ni = pm.Bernoulli("ni", 0.5)
        pm.Binomial("k", p=p, n=n_[ni], observed=4)
        auto = pm.sample(1000, tune=500, chains=2, random_seed=[7, 8], **FAST)
    # NUTS on p, BinaryGibbsMetropolis (no statistics, as in PyMC3) on ni
    assert [set(s) for s in auto._straces[0]._stats] == [set(NUTS_STATS), set()]
    assert auto.get_sampler_stats("tune").shape == (2000,)
    _check_recovery(auto)
