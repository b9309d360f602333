"""Every distribution of the random streams against SciPy: moments, and a Kolmogorov-Smirnov
(continuous) or chi-square (discrete) test.

Seeds are fixed, so each test sees the same draws every run and cannot flake; the
thresholds (p > 1e-3, moments within 5 standard errors) still fail on a wrong
parameterisation, a wrong support or a biased draw at these sample sizes.
"""
from __future__ import annotations

import numpy as np
import pytest

scipy_stats = pytest.importorskip("scipy.stats")

import arignote.tensor as T  # noqa: E402
from arignote import function  # noqa: E402
from arignote.sandbox.rng_mrg import MRG_RandomStreams  # noqa: E402
from arignote.tensor.random import RandomStream  # noqa: E402
from arignote.tensor.shared_randomstreams import RandomStreams  # noqa: E402

N = 4000
P_MIN = 1e-3


def draw(rv, **kw):
    return function([], rv, **kw)()


def check_continuous(x, dist):
    """KS against SciPy's frozen ``dist`` and the mean/variance within 5 standard errors."""
    x = np.asarray(x, dtype=np.float64).ravel()
    assert scipy_stats.kstest(x, dist.cdf).pvalue > P_MIN
    m, v = dist.mean(), dist.var()
    assert abs(x.mean() - m) < 5 * np.sqrt(v / x.size)
    fourth = dist.moment(4) - 4 * m * dist.moment(3) + 6 * m ** 2 * dist.moment(2) - 3 * m ** 4
    assert abs(x.var() - v) < 5 * np.sqrt(max(fourth - v ** 2, 1e-12) / x.size)


def check_discrete(x, support, pmf):
    """Chi-square on ``support`` (categories with expected count < 5 merged into one) + the mean."""
    x = np.asarray(x).ravel()
    assert np.isin(x, support).all(), f"draws outside the support: {np.setdiff1d(x, support)}"
    p = np.asarray([pmf(k) for k in support], dtype=np.float64)
    p = p / p.sum()
    obs = np.array([(x == k).sum() for k in support], dtype=np.float64)
    exp = p * x.size
    small = exp < 5
    if small.any():
        obs = np.append(obs[~small], obs[small].sum())
        exp = np.append(exp[~small], exp[small].sum())
    if len(obs) > 1:
        assert scipy_stats.chisquare(obs, exp).pvalue > P_MIN
    mean = (p * np.asarray(support)).sum()
    var = (p * (np.asarray(support) - mean) ** 2).sum()
    assert abs(x.mean() - mean) < 5 * np.sqrt(var / x.size) + 1e-12


# ------------------------------------------------------------- continuous


@pytest.mark.parametrize("cls", [RandomStreams, MRG_RandomStreams])
def test_uniform(cls):
    x = draw(cls(1).uniform((N,), low=-2.0, high=3.0))
    assert x.dtype == np.float64 and x.min() >= -2.0 and x.max() < 3.0
    check_continuous(x, scipy_stats.uniform(loc=-2.0, scale=5.0))


@pytest.mark.parametrize("cls", [RandomStreams, MRG_RandomStreams])
def test_normal(cls):
    check_continuous(draw(cls(2).normal((N,), avg=1.5, std=0.5)), scipy_stats.norm(1.5, 0.5))


def test_normal_with_broadcast_symbolic_parameters():
    mu = T.vector("mu")
    rv = RandomStreams(3).normal((N, 2), avg=mu, std=T.as_tensor_variable(np.array([1.0, 3.0])))
    x = function([mu], rv)(np.array([-5.0, 10.0]))
    check_continuous(x[:, 0], scipy_stats.norm(-5.0, 1.0))
    check_continuous(x[:, 1], scipy_stats.norm(10.0, 3.0))


def test_truncated_normal():
    x = draw(MRG_RandomStreams(4).normal((N,), avg=1.0, std=2.0, truncate=True))
    c = 0.87962566103423978
    ref = scipy_stats.truncnorm(-2, 2, loc=1.0, scale=2.0 / c)
    assert np.abs(x - 1.0).max() <= 2 * 2.0 / c
    check_continuous(x, ref)
    assert abs(x.std() - 2.0) < 0.1  # ``std`` is the deviation of the truncated draws, as in Theano


def test_gamma():
    check_continuous(draw(RandomStreams(5).gamma((N,), shape=2.5, scale=1.5)), scipy_stats.gamma(2.5, scale=1.5))
    check_continuous(draw(RandomStream(5).gamma(0.7, 2.0, size=(N,))), scipy_stats.gamma(0.7, scale=2.0))


def test_beta():
    check_continuous(draw(RandomStreams(6).beta((N,), a=2.0, b=5.0)), scipy_stats.beta(2.0, 5.0))


def test_exponential():
    check_continuous(draw(RandomStream(7).exponential(2.0, size=(N,))), scipy_stats.expon(scale=2.0))


def test_dirichlet():
    alpha = np.array([1.0, 2.0, 4.0])
    x = draw(RandomStreams(8).dirichlet((N,), alpha=alpha))
    assert x.shape == (N, 3)
    np.testing.assert_allclose(x.sum(axis=1), 1.0, rtol=1e-12)
    for k in range(3):  # each marginal is Beta(alpha_k, sum - alpha_k)
        check_continuous(x[:, k], scipy_stats.beta(alpha[k], alpha.sum() - alpha[k]))


def test_multivariate_normal():
    mean = np.array([1.0, -2.0])
    cov = np.array([[2.0, 0.6], [0.6, 1.0]])
    x = draw(RandomStream(9).multivariate_normal(mean, cov, size=(N,)))
    assert x.shape == (N, 2)
    for w in (np.array([1.0, 0.0]), np.array([0.0, 1.0]), np.array([1.0, -1.0])):
        proj = x @ w
        check_continuous(proj, scipy_stats.norm(w @ mean, np.sqrt(w @ cov @ w)))


def test_multivariate_normal_with_a_batch_of_means():
    means = np.array([[0.0, 0.0], [100.0, -100.0]])
    x = draw(RandomStream(10).multivariate_normal(means, np.eye(2)))
    assert x.shape == (2, 2) and np.abs(x - means).max() < 6


# --------------------------------------------------------------- discrete


@pytest.mark.parametrize("cls", [RandomStreams, MRG_RandomStreams])
def test_binomial(cls):
    x = draw(cls(11).binomial((N,), n=10, p=0.3))
    assert x.dtype == np.int64
    check_discrete(x, np.arange(11), scipy_stats.binom(10, 0.3).pmf)


def test_binomial_with_a_matrix_of_probabilities():
    p = T.matrix("p")
    rv = RandomStreams(12).binomial(size=p.shape, n=1, p=p)
    pv = np.tile([[0.1, 0.5, 0.9]], (N, 1))
    x = function([p], rv)(pv)
    for k, q in enumerate([0.1, 0.5, 0.9]):
        check_discrete(x[:, k], [0, 1], scipy_stats.bernoulli(q).pmf)


def test_bernoulli():
    check_discrete(draw(RandomStream(13).bernoulli(0.25, size=(N,))), [0, 1], scipy_stats.bernoulli(0.25).pmf)


def test_poisson():
    x = draw(RandomStreams(14).poisson((N,), lam=3.5))
    check_discrete(x, np.arange(x.max() + 1), scipy_stats.poisson(3.5).pmf)


def test_random_integers_inclusive_and_integers_exclusive():
    x = draw(RandomStreams(15).random_integers((N,), low=-2, high=3))
    check_discrete(x, np.arange(-2, 4), lambda k: 1.0)
    y = draw(RandomStream(15).integers(-2, 3, size=(N,)))
    check_discrete(y, np.arange(-2, 3), lambda k: 1.0)


def test_categorical():
    p = np.array([0.1, 0.2, 0.7])
    x = draw(RandomStreams(16).categorical((N,), p=p))
    check_discrete(x, [0, 1, 2], lambda k: p[k])


def test_categorical_batch_of_rows():
    p = np.array([[0.9, 0.1], [0.1, 0.9]])
    x = draw(RandomStream(17).categorical(p, size=(N, 2)))
    check_discrete(x[:, 0], [0, 1], lambda k: p[0, k])
    check_discrete(x[:, 1], [0, 1], lambda k: p[1, k])


def test_choice_with_replacement_and_p():
    p = np.array([0.5, 0.3, 0.2])
    x = draw(RandomStreams(18).choice((N,), a=3, p=p))
    check_discrete(x, [0, 1, 2], lambda k: p[k])
    vals = draw(RandomStream(18).choice(np.array([10, 20, 30]), size=(N,)))
    check_discrete(vals, [10, 20, 30], lambda k: 1.0)


def test_choice_without_replacement():
    f = function([], RandomStreams(19).choice((3,), a=5, replace=False))
    x = np.array([f() for _ in range(N // 4)])
    assert ((x[:, 0] != x[:, 1]) & (x[:, 0] != x[:, 2]) & (x[:, 1] != x[:, 2])).all()
    check_discrete(x[:, 0], np.arange(5), lambda k: 1.0)
    check_discrete(x[:, 2], np.arange(5), lambda k: 1.0)
    with pytest.raises(ValueError, match="RandomFunction{choice.*a=5, size=\\(6,\\)"):
        function([], RandomStreams(19).choice((6,), a=5, replace=False))()


def test_permutation():
    x = draw(RandomStreams(20).permutation((N // 4,), n=6))
    assert x.shape == (N // 4, 6)
    assert (np.sort(x, axis=1) == np.arange(6)).all()
    check_discrete(x[:, 2], np.arange(6), lambda k: 1.0)


def test_multinomial():
    pvals = np.array([0.2, 0.3, 0.5])
    x = draw(RandomStreams(21).multinomial((N,), n=8, pvals=pvals))
    assert x.shape == (N, 3) and (x.sum(axis=1) == 8).all()
    for k in range(3):
        check_discrete(x[:, k], np.arange(9), scipy_stats.binom(8, pvals[k]).pmf)


def test_mrg_multinomial_rows_and_choice_rows():
    pv = np.tile([[0.6, 0.3, 0.1]], (N, 1))
    x = draw(MRG_RandomStreams(22).multinomial(pvals=pv, n=1))
    assert x.shape == pv.shape and (x.sum(axis=1) == 1).all()
    check_discrete(x.argmax(axis=1), [0, 1, 2], lambda k: pv[0, k])
    c = draw(MRG_RandomStreams(23).choice(size=2, p=pv, replace=False))
    assert c.shape == (N, 2) and (c[:, 0] != c[:, 1]).all()
    check_discrete(c[:, 0], [0, 1, 2], lambda k: pv[0, k])
