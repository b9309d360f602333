"""PyMC3 3.11's gp and KroneckerNormal documentation examples (import renamed), and fitting a
GP model end to end (find_MAP against SciPy on the closed-form marginal likelihood; NUTS)."""
import warnings

import numpy as np
import pytest
import scipy.optimize as so
import scipy.stats as st

import arignote.ppl as pm

X = np.linspace(0, 1, 10)[:, None]
Xnew = np.linspace(-1, 2, 50)[:, None]
y = np.sin(6 * X.ravel()) + 0.1 * np.random.default_rng(0).normal(size=10)


def test_latent_and_marginal_examples():
    with pm.Model() as model:
        cov_func = pm.gp.cov.ExpQuad(1, ls=0.1)
        gp = pm.gp.Latent(cov_func=cov_func)
        f = gp.prior("f", X=X)
    with model:
        fcond = gp.conditional("fcond", Xnew=Xnew)
    assert f.name == "f" and fcond.name == "fcond" and tuple(fcond.distribution.shape) == (50,)
    with pm.Model() as model:
        gp = pm.gp.Marginal(cov_func=pm.gp.cov.ExpQuad(1, ls=0.1))
        sigma = pm.HalfCauchy("sigma", beta=3)
        gp.marginal_likelihood("y", X=X, y=y, noise=sigma)
    with model:
        fcond = gp.conditional("fcond", Xnew=Xnew)
    assert tuple(fcond.distribution.shape) == (50,)


def test_marginal_sparse_example():
    Xu = np.linspace(0, 1, 5)[:, None]
    with pm.Model() as model:
        gp = pm.gp.MarginalSparse(cov_func=pm.gp.cov.ExpQuad(1, ls=0.1), approx="FITC")
        sigma = pm.HalfCauchy("sigma", beta=3)
        with pytest.warns(DeprecationWarning):
            gp.marginal_likelihood("y", X=X, Xu=Xu, y=y, sigma=sigma)
    with model:
        fcond = gp.conditional("fcond", Xnew=Xnew)
    assert np.isfinite(model.logp(model.test_point))
    assert tuple(fcond.distribution.shape) == (50,)


def test_kron_examples():
    X1 = np.linspace(0, 1, 10)[:, None]
    X2 = np.linspace(0, 2, 5)[:, None]
    Xs = [X1, X2]
    yk = np.random.default_rng(1).normal(size=len(X1) * len(X2))
    Xnew1 = np.linspace(-1, 2, 10)[:, None]
    Xnew2 = np.linspace(0, 3, 10)[:, None]
    with pm.Model() as model:
        gp = pm.gp.MarginalKron(cov_funcs=[pm.gp.cov.ExpQuad(1, ls=0.1), pm.gp.cov.ExpQuad(1, ls=0.3)])
        sigma = pm.HalfCauchy("sigma", beta=3)
        gp.marginal_likelihood("y", Xs=Xs, y=yk, sigma=sigma)
    for Xn in (np.concatenate((Xnew1, Xnew2), axis=1), pm.math.cartesian(Xnew1, Xnew2)):
        with model:
            fcond = gp.conditional(f"fcond{len(Xn)}", Xnew=Xn)
        assert tuple(fcond.distribution.shape) == (len(Xn),)
    with pm.Model() as model:
        gp = pm.gp.LatentKron(cov_funcs=[pm.gp.cov.ExpQuad(1, ls=0.1), pm.gp.cov.ExpQuad(1, ls=0.3)])
        gp.prior("f", Xs=Xs)
    with model:
        fcond = gp.conditional("fcond", Xnew=np.concatenate((Xnew1, Xnew2), axis=1))
    assert tuple(fcond.distribution.shape) == (10,)


def test_kronecker_normal_examples():
    K1 = np.array([[1.0, 0.5], [0.5, 2]])
    K2 = np.array([[1.0, 0.4, 0.2], [0.4, 2, 0.3], [0.2, 0.3, 1]])
    covs, N, mu = [K1, K2], 6, np.zeros(6)
    chols = [np.linalg.cholesky(Ki) for Ki in covs]
    evds = [np.linalg.eigh(Ki) for Ki in covs]
    v = np.random.default_rng(2).normal(size=N)
    for sigma in (None, 0.1):
        with pm.Model() as model:
            a = pm.KroneckerNormal("vals", mu=mu, covs=covs, sigma=sigma, shape=N)
            b = pm.KroneckerNormal("vals2", mu=mu, chols=chols, sigma=sigma, shape=N)
            c = pm.KroneckerNormal("vals3", mu=mu, evds=evds, sigma=sigma, shape=N)
        ref = st.multivariate_normal(mu, np.kron(K1, K2) + (sigma or 0) ** 2 * np.eye(N)).logpdf(v)
        pt = {"vals": v, "vals2": v, "vals3": v}
        for rv in (a, b, c):
            assert float(model.fn(rv.logpt)(pt)) == pytest.approx(ref, rel=1e-10)


def test_find_map_matches_scipy_on_the_marginal_likelihood():
    with pm.Model():
        ls = pm.Gamma("ls", alpha=2, beta=4)
        sigma = pm.HalfNormal("sigma", 1.0)
        gp = pm.gp.Marginal(cov_func=pm.gp.cov.ExpQuad(1, ls=ls))
        gp.marginal_likelihood("y", X=X, y=y, noise=sigma)
        mp = pm.find_MAP(progressbar=False)

    def neg(theta):  # the same posterior density, without the transforms' Jacobians (as PyMC3's find_MAP)
        l, s = np.exp(theta)
        K = np.exp(-0.5 * (X - X.T) ** 2 / l ** 2) + s ** 2 * np.eye(10)
        return -(st.multivariate_normal(np.zeros(10), K).logpdf(y) + st.gamma.logpdf(l, 2, scale=0.25)
                 + st.halfnorm.logpdf(s))

    ref = so.minimize(neg, np.log([0.3, 0.3]), method="Nelder-Mead", options={"xatol": 1e-8, "fatol": 1e-10}).x
    np.testing.assert_allclose([mp["ls"], mp["sigma"]], np.exp(ref), rtol=1e-3)


def test_nuts_on_a_latent_gp():
    with pm.Model():
        gp = pm.gp.Latent(cov_func=pm.gp.cov.Matern32(1, ls=0.3))
        f = gp.prior("f", X=X)
        pm.Normal("obs", mu=f, sigma=0.3, observed=y)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            trace = pm.sample(200, tune=200, chains=1, cores=1, random_seed=5, progressbar=False,
                              return_inferencedata=False)
    fs = trace.get_values("f")
    assert fs.shape == (200, 10) and np.all(np.isfinite(fs))
    # the posterior mean follows the data's shape (correlation with y well above chance)
    assert np.corrcoef(fs.mean(0), y)[0, 1] > 0.9


def test_star_import_has_gp_and_kronecker_normal():
    ns = {}
    exec("from arignote.ppl import *", ns)
    assert ns["gp"] is pm.gp and ns["KroneckerNormal"] is pm.KroneckerNormal
    for name in ("Latent", "Marginal", "MarginalSparse", "TP", "LatentKron", "MarginalKron"):
        assert hasattr(ns["gp"], name)
    import arignote.ppl.gp.cov as cov_module

    assert set(cov_module.__all__) >= {"ExpQuad", "RatQuad", "Exponential", "Matern52", "Matern32", "Matern12",
                                       "Linear", "Polynomial", "Cosine", "Periodic", "WarpedInput", "Gibbs",
                                       "Coregion", "ScaledCov", "Kron", "WhiteNoise", "Constant"}
