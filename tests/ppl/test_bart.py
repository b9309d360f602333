"""BART (PyMC3 3.11's ``pm.BART``) and its particle Gibbs sampler ``PGBART``: recovery of a
step and a smooth function, variable inclusion, trace shapes, seeds and bad input."""
import numpy as np
import pytest

import arignote.ppl as pm
from arignote.plugins.samplers import CompoundStep
from arignote.plugins.samplers.bart_tree import Tree, split_probabilities


def _data(f, n=120, p=1, noise=0.2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0.0, 1.0, (n, p))
    truth = f(X[:, 0])
    return X, truth + rng.normal(0.0, noise, n), truth


def _fit(X, Y, m=20, draws=200, tune=200, chains=1, seed=1, **kw):
    with pm.Model() as model:
        mu = pm.BART("mu", X, Y, m=m, **kw)
        sigma = pm.HalfNormal("sigma", 1.0)
        pm.Normal("y", mu, sigma, observed=Y)
        trace = pm.sample(draws, tune=tune, chains=chains, cores=1, random_seed=seed,
                          progressbar=False, compute_convergence_checks=False)
    return model, mu, trace


def _rmse(a, b):
    return float(np.sqrt(np.mean((a - b) ** 2)))


def test_step_function_recovered():
    X, Y, truth = _data(lambda x: np.where(x > 0.5, 1.0, -1.0))
    _, _, trace = _fit(X, Y)
    post = trace["mu"].mean(0)
    constant = _rmse(np.full_like(truth, Y.mean()), truth)  # ~1
    assert _rmse(post, truth) < 0.25
    assert _rmse(post, truth) < 0.25 * constant
    assert 0.1 < trace["sigma"].mean() < 0.35  # the noise is 0.2


def test_smooth_function_recovered():
    X, Y, truth = _data(lambda x: np.sin(2 * np.pi * x), n=150, noise=0.15, seed=3)
    _, _, trace = _fit(X, Y, m=30)
    post = trace["mu"].mean(0)
    constant = _rmse(np.full_like(truth, Y.mean()), truth)  # ~0.7
    assert _rmse(post, truth) < 0.2
    assert _rmse(post, truth) < 0.3 * constant


def test_variable_inclusion_favours_the_informative_column():
    X, Y, _ = _data(lambda x: 2.0 * np.where(x > 0.4, 1.0, 0.0) + x, n=120, p=4, seed=5)
    _, _, trace = _fit(X, Y, draws=150, tune=100)
    inclusion = trace.get_sampler_stats("variable_inclusion")
    assert inclusion.shape == (150, 4) and inclusion.dtype == np.int64
    totals = inclusion.sum(0)
    assert totals[0] > 1.5 * totals[1:].max(), totals


def test_sample_assigns_pgbart_and_nuts():
    X, Y, _ = _data(np.cos, n=30)
    with pm.Model() as model:
        mu = pm.BART("mu", X, Y, m=5)
        sigma = pm.HalfNormal("sigma", 1.0)
        pm.Normal("y", mu, sigma, observed=Y)
        step, _ = pm.assign_step_methods(model)
    assert isinstance(step, CompoundStep)
    kinds = {type(m).__name__: [v.name for v in m.vars] for m in step.methods}
    assert kinds == {"PGBART": ["mu"], "NUTS": ["sigma_log__"]}
    assert isinstance(mu.distribution, pm.BART)
    assert mu.tag.test_value.shape == (30,) and np.allclose(mu.tag.test_value, Y.mean())


def test_trace_shapes_dtypes_and_stored_trees():
    X, Y, _ = _data(lambda x: x ** 2, n=40, p=2)
    _, mu, trace = _fit(X, Y, m=10, draws=30, tune=20, chains=2)
    assert trace.nchains == 2
    assert trace["mu"].shape == (60, 40) and trace["mu"].dtype == np.float64
    assert trace.get_values("mu", combine=False)[1].shape == (30, 40)
    inc = trace.get_sampler_stats("variable_inclusion", combine=False)
    assert len(inc) == 2 and inc[0].shape == (30, 2) and inc[0].dtype == np.int64
    # chunk 'auto' = 1 tree per step for m=10: each kept draw replaces one tree and counts its splits
    assert np.mean(inc[0].sum(1) >= 1) > 0.8  # a kept stump would count nothing
    # a full sweep over the 10 trees ends every 10 draws; the stored trees give that draw's mu
    bart = mu.distribution
    assert len(bart.all_trees) == 2 * 3 and all(len(t) == 10 for t in bart.all_trees)
    chain1 = trace.get_values("mu", chains=1)
    np.testing.assert_allclose(bart.predict(X)[3:], chain1[9::10], rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match=r"shape \(rows, 2\)"):
        bart.predict(np.zeros((3, 5)))


def test_seeds_reproduce_draws():
    X, Y, _ = _data(np.sin, n=30)
    a = _fit(X, Y, m=5, draws=20, tune=10, seed=7)[2]
    b = _fit(X, Y, m=5, draws=20, tune=10, seed=7)[2]
    c = _fit(X, Y, m=5, draws=20, tune=10, seed=8)[2]
    np.testing.assert_array_equal(a["mu"], b["mu"])
    np.testing.assert_array_equal(a.get_sampler_stats("variable_inclusion"),
                                  b.get_sampler_stats("variable_inclusion"))
    assert not np.array_equal(a["mu"], c["mu"])


def test_missing_x_values_and_explicit_step():
    X, Y, truth = _data(lambda x: np.where(x > 0.5, 1.0, -1.0), n=80, p=2, seed=2)
    X[::7, 1] = np.nan
    with pm.Model():
        mu = pm.BART("mu", X, Y, m=10, alpha=0.3, split_prior=[2, 1])
        sigma = pm.HalfNormal("sigma", 1.0)
        pm.Normal("y", mu, sigma, observed=Y)
        step = pm.PGBART([mu], num_particles=6, max_stages=20, chunk=3)
        trace = pm.sample(60, tune=60, step=[step], chains=1, cores=1, random_seed=3,
                          progressbar=False, compute_convergence_checks=False)
    assert step.chunk == 3 and mu.distribution.missing_data
    assert np.all(np.isfinite(trace["mu"]))
    assert trace.get_sampler_stats("variable_inclusion").sum(1).max() >= 3  # 3 trees per step
    assert _rmse(trace["mu"].mean(0), truth) < 0.5


@pytest.mark.parametrize("kwargs, match", [
    (dict(X=np.zeros((5, 2)), Y=np.zeros(4)), "X has 5 rows but Y has 4"),
    (dict(X=np.zeros(5), Y=np.zeros(5)), "X must have two dimensions"),
    (dict(X=np.zeros((5, 1)), Y=np.zeros((5, 1))), "Y must have one dimension"),
    (dict(X=np.zeros((5, 1)), Y=np.zeros(5), alpha=0.0), r"alpha .* interval \(0, 1\)"),
    (dict(X=np.zeros((5, 1)), Y=np.zeros(5), alpha=1.0), r"alpha .* interval \(0, 1\)"),
    (dict(X=np.zeros((5, 1)), Y=np.zeros(5), alpha=-0.5), r"alpha .* interval \(0, 1\)"),
    (dict(X=np.zeros((5, 1)), Y=np.zeros(5), m=0), "m must be greater than zero"),
    (dict(X=np.zeros((5, 1)), Y=np.zeros(5), m=2.5), "m must be an int"),
    (dict(X=np.zeros((5, 2)), Y=np.zeros(5), split_prior=[1.0]), "one entry per column"),
    (dict(X=np.zeros((5, 1)), Y=np.array([0, 1, np.nan, 0, 0.0])), "Y has missing"),
])
def test_bad_input(kwargs, match):
    with pm.Model():
        with pytest.raises(ValueError, match=match):
            pm.BART("mu", **kwargs)


def test_pandas_inputs():
    pd = pytest.importorskip("pandas")
    X, Y, _ = _data(np.sin, n=12, p=2)
    with pm.Model():
        mu = pm.BART("mu", pd.DataFrame(X, columns=["a", "b"]), pd.Series(Y), m=3)
    bart = mu.distribution
    np.testing.assert_array_equal(bart.X, X)
    np.testing.assert_array_equal(bart.Y, Y)
    assert (bart.m, bart.alpha, bart.num_variates) == (3, 0.25, 2)
    np.testing.assert_array_equal(bart.split_prior, [1.0, 1.0])


def test_pgbart_bad_arguments():
    X, Y, _ = _data(np.sin, n=20)
    with pm.Model():
        mu = pm.BART("mu", X, Y, m=4)
        other = pm.Normal("other", 0.0, 1.0)
        pm.Normal("y", mu + other, 1.0, observed=Y)
        with pytest.raises(ValueError, match="one BART variable"):
            pm.PGBART([other])
        assert [v.name for v in pm.PGBART().vars] == ["mu"]  # vars=None: the BART variables
        with pytest.raises(ValueError, match="num_particles"):
            pm.PGBART([mu], num_particles=2)
        with pytest.raises(ValueError, match="chunk"):
            pm.PGBART([mu], chunk=0)


def test_star_import_and_tree_pieces():
    ns = {}
    exec("from arignote.ppl import *", ns)
    assert "BART" in ns and "PGBART" in ns
    probs = split_probabilities(0.25)
    assert probs[0] == 1.0 and np.allclose(probs[1:4], [0.25, 0.0625, 0.015625])
    # the table ends at the last depth whose probability still counts against 1: the next one would not
    assert probs[-1] > np.finfo(float).eps / 2 and 1.0 - 0.25 ** len(probs) == 1.0
    X = np.array([[0.1, 5.0], [0.7, np.nan], [0.4, 1.0], [0.9, 2.0]])
    tree = Tree.stump(0.5, 4)
    tree.split(0, 0, 0.4, np.array([0, 2]), np.array([1, 3]), -1.0, 2.0)
    tree.split(2, 1, 2.5, np.array([3]), np.array([1]), 3.0, 4.0)  # NaN goes right
    np.testing.assert_array_equal(tree.output, [-1.0, 4.0, -1.0, 3.0])
    np.testing.assert_array_equal(tree.predict(X), tree.output)
    assert sorted(tree.used_variables()) == [0, 1] and sorted(tree.leaves) == [1, 5, 6]


def test_prior_draws_match_the_leaf_prior():
    # every row's prior mu is a sum of m leaves, each N(mean(Y)/m, (range(Y)/(4 sqrt m))^2)
    X, Y, _ = _data(np.sin, n=40, p=3, seed=4)
    with pm.Model():
        pm.BART("mu", X, Y, m=8, split_prior=[1, 0, 1])
        prior = pm.sample_prior_predictive(3000, random_seed=3)
    draws = prior["mu"]
    assert draws.shape == (3000, 40) and draws.dtype == np.float64
    sd = np.ptp(Y) / 4
    assert abs(draws.mean() - Y.mean()) < 0.05 * sd
    np.testing.assert_allclose(draws.std(0), sd, rtol=0.08)
    # rows share leaves, so their prior draws are correlated
    assert np.corrcoef(draws[:, 0], draws[:, 1])[0, 1] > 0.05


def test_split_prior_and_posterior_predictive():
    X, Y, truth = _data(lambda x: np.where(x > 0.5, 1.0, -1.0), n=60, p=3, seed=6)
    with pm.Model():
        mu = pm.BART("mu", X, Y, m=8, split_prior=[1, 0, 1])  # column 1 is never split on
        sigma = pm.HalfNormal("sigma", 1.0)
        pm.Normal("y", mu, sigma, observed=Y)
        trace = pm.sample(40, tune=40, chains=1, cores=1, random_seed=2, progressbar=False,
                          compute_convergence_checks=False)
        ppc = pm.sample_posterior_predictive(trace, progressbar=False, random_seed=1)
    inclusion = trace.get_sampler_stats("variable_inclusion").sum(0)
    assert inclusion[1] == 0 and inclusion[0] > 0
    assert not any(1 in tree.used_variables() for trees in mu.distribution.all_trees for tree in trees)
    assert ppc["y"].shape == (40, 60)
    assert _rmse(ppc["y"].mean(0), truth) < 0.5


def test_two_bart_variables_get_one_step_each():
    X, Y, _ = _data(np.sin, n=20)
    with pm.Model() as model:
        a = pm.BART("a", X, Y, m=3)
        b = pm.BART("b", X, Y, m=4)
        pm.Normal("y", a + b, 1.0, observed=2 * Y)
        step = pm.PGBART()
        assert isinstance(step, CompoundStep)
        assert [(type(m).__name__, m.vars[0].name, m.bart.m) for m in step.methods] == [
            ("PGBART", "a", 3), ("PGBART", "b", 4)]
        trace = pm.sample(10, tune=5, chains=1, cores=1, random_seed=1, progressbar=False,
                          compute_convergence_checks=False)
    assert trace["a"].shape == (10, 20) and trace["b"].shape == (10, 20)
    inclusion = trace.get_sampler_stats("variable_inclusion")  # one column per step, as PyMC3 stacks
    assert inclusion.shape == (10, 1, 2)
    assert np.all(inclusion.sum(0) >= 1)  # both steps grew trees (a kept stump counts nothing)
