"""The seed tutorial's coal-mining models, written exactly as the seed writes them."""
import numpy as np
from scipy import special, stats

from arignote.ppl import (DiscreteUniform, Exponential, Model, Poisson, Potential, exp, log, sum as tsum,
                          switch)

disasters_data = np.array([4, 5, 4, 0, 1, 4, 3, 4, 0, 6, 3, 3, 4, 0, 2, 6,
                           3, 3, 5, 4, 5, 3, 1, 4, 4, 1, 5, 5, 3, 4, 2, 5,
                           2, 2, 3, 4, 2, 1, 3, 2, 2, 1, 1, 1, 1, 3, 0, 0,
                           1, 0, 1, 1, 0, 0, 3, 1, 0, 3, 2, 2, 0, 1, 1, 1,
                           0, 1, 0, 1, 0, 0, 0, 2, 1, 0, 0, 0, 1, 1, 0, 2,
                           3, 3, 1, 1, 2, 1, 1, 1, 1, 2, 4, 2, 0, 0, 1, 4,
                           0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1])
years = len(disasters_data)


def log_sum_exp(x):
    return log(tsum(exp(x)))


def marginal_model():
    with Model() as marginal_model:
        early_mean = Exponential('early_mean', lam=1.)
        late_mean = Exponential('late_mean', lam=1.)
        year_idx = np.arange(years)
        s, t = np.array([(t, s) for t in year_idx for s in year_idx]).T
        log_like = log_sum_exp(-log(years) + Poisson.dist(switch(t < s, early_mean, late_mean))
                               .logp(disasters_data[t]).reshape((years, years)).sum(1))
        Potential('disasters', log_like)
    return marginal_model


def scipy_marginal(e, l_):
    """log p(early_mean, late_mean, data) with the switchpoint summed out, by SciPy."""
    idx = np.arange(years)
    ll = np.array([stats.poisson.logpmf(disasters_data, np.where(idx < s, e, l_)).sum() for s in idx])
    return (stats.expon.logpdf(e) + stats.expon.logpdf(l_) + np.log(e) + np.log(l_)
            + special.logsumexp(ll - np.log(years)))


def scipy_marginal_grad(e, l_, eps=1e-6):
    g = []
    for d in (np.array([eps, 0]), np.array([0, eps])):
        le, ll = np.log([e, l_])
        up = scipy_marginal(*np.exp([le, ll] + d))
        dn = scipy_marginal(*np.exp([le, ll] - d))
        g.append((up - dn) / (2 * eps))
    return np.array(g)


def test_marginal_coal_mining_on_every_backend(backend):
    m = marginal_model()
    assert [v.name for v in m.free_RVs] == ["early_mean_log__", "late_mean_log__"]
    assert [p.name for p in m.potentials] == ["disasters"]
    f = m.logp_dlogp_function(backend=backend)
    rng = np.random.default_rng(11)
    for _ in range(3):
        e, l_ = rng.uniform(0.3, 5.0, size=2)
        lp, g = f(np.log([e, l_]))
        assert np.isclose(lp, scipy_marginal(e, l_), rtol=1e-10)
        np.testing.assert_allclose(g, scipy_marginal_grad(e, l_), rtol=1e-5)
    pt = {"early_mean_log__": np.log(2.0), "late_mean_log__": np.log(0.7)}
    assert np.isclose(m.logp(pt), scipy_marginal(2.0, 0.7))


def test_original_coal_mining_model():
    with Model() as original_model:
        switchpoint = DiscreteUniform('switchpoint', lower=0, upper=years)
        early_mean = Exponential('early_mean', lam=1.)
        late_mean = Exponential('late_mean', lam=1.)
        idx = np.arange(years)
        rate = switch(switchpoint >= idx, early_mean, late_mean)
        disasters = Poisson('disasters', rate, observed=disasters_data)
    assert [v.name for v in original_model.free_RVs] == ["switchpoint", "early_mean_log__", "late_mean_log__"]
    assert disasters.distribution.__class__.__name__ == "Poisson"
    pt = {"switchpoint": np.array(40), "early_mean_log__": np.log(3.0), "late_mean_log__": np.log(1.0)}
    r = np.where(40 >= np.arange(years), 3.0, 1.0)
    want = (stats.randint.logpmf(40, 0, years + 1) + stats.expon.logpdf(3.0) + np.log(3.0)
            + stats.expon.logpdf(1.0) + stats.poisson.logpmf(disasters_data, r).sum())
    assert np.isclose(original_model.logp(pt), want)
