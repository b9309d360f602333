"""PyMC3's "LKJ Cholesky Covariance Priors for Multivariate Normal Models" notebook:
LKJCholeskyCov with ``compute_corr=True`` on 2-d and 3-d Gaussian data, recovering the
covariance, the correlations, the standard deviations and the mean.

References: with N observations and weak priors, the posterior of the covariance is close
to the sample covariance S (Wishart-like, entry sd sqrt((S_ij^2 + S_ii S_jj) / N)) and the
posterior of the mean to the sample mean (sd sqrt(S_ii / N)); tolerances are those sds.
Deliberate differences from PyMC3: N = 300 (the notebook has 10,000), 2 x 300 draws, cores=1.
"""
import numpy as np

import arignote.ppl as pm

FAST = dict(progressbar=False, compute_convergence_checks=False, cores=1)


def _data(sigmas, corr, mu, n, seed):
    cov = np.diag(sigmas) @ corr @ np.diag(sigmas)
    return np.random.default_rng(seed).multivariate_normal(mu, cov, size=n)


def _fit(x, seed):
    k = x.shape[1]
    with pm.Model() as model:
        chol, corr, stds = pm.LKJCholeskyCov("chol", n=k, eta=2.0, sd_dist=pm.Exponential.dist(1.0),
                                             compute_corr=True)
        cov = pm.Deterministic("cov", chol.dot(chol.T))
        mu = pm.Normal("mu", 0.0, 1.5, shape=k, testval=x.mean(axis=0))
        pm.MvNormal("obs", mu, chol=chol, observed=x)
        trace = pm.sample(300, tune=300, chains=2, random_seed=[seed, seed + 1], init="adapt_diag", **FAST)
    return model, trace


def _check_recovery(x, trace):
    n, k = x.shape
    S = np.cov(x.T)
    sd_cov = np.sqrt((S ** 2 + np.outer(np.diag(S), np.diag(S))) / n)
    assert np.all(np.abs(trace["cov"].mean(0) - S) < 3 * sd_cov)
    # the posterior spread of the covariance is the sampling spread of S
    np.testing.assert_allclose(trace["cov"].std(0), sd_cov, rtol=0.35)
    assert np.all(np.abs(trace["mu"].mean(0) - x.mean(0)) < 0.5 * np.sqrt(np.diag(S) / n))
    r = S / np.sqrt(np.outer(np.diag(S), np.diag(S)))
    sd_r = (1 - r ** 2) / np.sqrt(n)
    off = ~np.eye(k, dtype=bool)
    assert np.all(np.abs(trace["chol_corr"].mean(0) - r)[off] < 3 * sd_r[off])
    assert np.all(np.abs(trace["chol_stds"].mean(0) - np.sqrt(np.diag(S))) < 3 * np.sqrt(np.diag(S) / (2 * n)))


def test_lkj_2d_names_shapes_and_recovery():
    x = _data(np.array([0.7, 1.5]), np.array([[1.0, -0.4], [-0.4, 1.0]]), np.array([1.0, -2.0]), 300, 8924)
    model, trace = _fit(x, 10)
    # PyMC3's names: the packed factor is sampled under its transform's name; chol, stds and
    # corr are deterministics of it
    assert [v.name for v in model.free_RVs] == ["chol_cholesky-cov-packed__", "mu"]
    assert trace.varnames == ["chol_cholesky-cov-packed__", "mu", "chol", "chol_stds", "chol_corr", "cov"]
    assert trace["chol"].shape == (600, 3) and trace["chol_corr"].shape == (600, 2, 2)
    assert trace["chol_stds"].shape == (600, 2)
    np.testing.assert_allclose(trace["chol_corr"][:, [0, 1], [0, 1]], 1.0)
    np.testing.assert_allclose(trace["chol_corr"][:, 0, 1], trace["chol_corr"][:, 1, 0])
    # the packed factor rows: [L00, L10, L11]; cov = L L^T
    L = trace["chol"]
    np.testing.assert_allclose(trace["cov"][:, 1, 1], L[:, 1] ** 2 + L[:, 2] ** 2)
    assert np.all(L[:, [0, 2]] > 0)
    _check_recovery(x, trace)


def test_lkj_3d_recovery():
    corr = np.array([[1.0, 0.5, -0.2], [0.5, 1.0, 0.3], [-0.2, 0.3, 1.0]])
    x = _data(np.array([0.5, 1.0, 2.0]), corr, np.array([0.0, 1.0, -1.0]), 300, 77)
    _, trace = _fit(x, 30)
    assert trace["chol"].shape == (600, 6)
    _check_recovery(x, trace)
