"""pm.gp's GP classes against closed-form GP algebra in NumPy/SciPy."""
import numpy as np
import pytest
import scipy.stats as st

import arignote.ppl as pm
import arignote.tensor as T

R = np.random.default_rng(7)
X = np.sort(R.uniform(0, 3, 8))[:, None]
Xnew = np.linspace(-0.5, 3.5, 5)[:, None]
y = np.sin(2 * X.ravel()) + 0.1 * R.normal(size=8)
LS, ETA, SIGMA = 0.7, 1.3, 0.2
JIT = 1e-6


def k_np(A, B, ls=LS, eta=ETA):
    return eta ** 2 * np.exp(-0.5 * (A - B.T) ** 2 / ls ** 2)


def cov_func(ls=LS, eta=ETA):
    return eta ** 2 * pm.gp.cov.ExpQuad(1, ls=ls)


def posterior(Kxx, Kxs, Kss, r, noise_var, jitter=JIT):
    A = np.linalg.solve(Kxx + (noise_var + jitter) * np.eye(len(Kxx)), np.column_stack([r, Kxs]))
    return Kxs.T @ A[:, 0], Kss - Kxs.T @ A[:, 1:]


def logp_of(model, var, point=None):
    return float(model.fn(var.logpt)({**model.test_point, **(point or {})}))


# ------------------------------------------------------------------ Marginal
def test_marginal_likelihood_matches_scipy_with_mean_and_free_noise():
    mean = pm.gp.mean.Linear(coeffs=np.array([0.4]), intercept=-0.2)
    with pm.Model() as model:
        sigma = pm.HalfNormal("sigma", 1.0)
        gp = pm.gp.Marginal(mean_func=mean, cov_func=cov_func())
        y_ = gp.marginal_likelihood("y", X=X, y=y, noise=sigma)
    for s in (0.1, 0.5):
        pt = {"sigma_log__": np.log(s)}
        ref = st.multivariate_normal(0.4 * X.ravel() - 0.2, k_np(X, X) + s ** 2 * np.eye(8)).logpdf(y)
        assert logp_of(model, y_, pt) == pytest.approx(ref, rel=1e-9)


def test_marginal_conditional_predict_and_pred_noise():
    with pm.Model() as model:
        gp = pm.gp.Marginal(cov_func=cov_func())
        gp.marginal_likelihood("y", X=X, y=y, noise=SIGMA)
        fnew = gp.conditional("fnew", Xnew)
        ynew = gp.conditional("ynew", Xnew, pred_noise=True)
    mu_ref, cov_ref = posterior(k_np(X, X), k_np(X, Xnew), k_np(Xnew, Xnew), y, SIGMA ** 2)
    mu, cov = gp.predict(Xnew)
    np.testing.assert_allclose(mu, mu_ref, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(cov, cov_ref + JIT * np.eye(5), rtol=1e-6, atol=1e-8)
    mu_d, var_d = gp.predict(Xnew, diag=True, pred_noise=True)
    np.testing.assert_allclose(var_d, np.diag(cov_ref) + SIGMA ** 2, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(mu_d, mu_ref, rtol=1e-6)
    mu_t, cov_t = gp.predictt(Xnew, pred_noise=True)
    np.testing.assert_allclose(cov_t.eval(), cov_ref + SIGMA ** 2 * np.eye(5), rtol=1e-6, atol=1e-8)
    # the conditional RVs are MvNormals with these moments
    v = R.normal(size=5)
    for rv, c in ((fnew, cov_ref + JIT * np.eye(5)), (ynew, cov_ref + SIGMA ** 2 * np.eye(5))):
        assert logp_of(model, rv, {"fnew": v, "ynew": v}) == pytest.approx(st.multivariate_normal(mu_ref, c).logpdf(v), rel=1e-6)


def test_marginal_additive_given():
    k1, k2 = cov_func(), pm.gp.cov.Linear(1, c=0.0)
    with pm.Model():
        gp1, gp2 = pm.gp.Marginal(cov_func=k1), pm.gp.Marginal(cov_func=k2)
        gp = gp1 + gp2
        gp.marginal_likelihood("y", X=X, y=y, noise=SIGMA)
    Ktot = k_np(X, X) + X @ X.T
    mu_ref, cov_ref = posterior(Ktot, k_np(X, Xnew), k_np(Xnew, Xnew), y, SIGMA ** 2)
    mu, cov = gp1.predict(Xnew, given={"gp": gp, "X": X, "y": y, "noise": SIGMA})
    np.testing.assert_allclose(mu, mu_ref, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(cov, cov_ref + JIT * np.eye(5), rtol=1e-6, atol=1e-7)
    with pytest.raises(TypeError, match="different GP types"):
        gp1 + pm.gp.Latent(cov_func=k1)


def test_marginal_noise_covariance_and_unobserved():
    noise = pm.gp.cov.WhiteNoise(0.3) + 0.05 * pm.gp.cov.ExpQuad(1, ls=2.0)
    with pm.Model() as model:
        gp = pm.gp.Marginal(cov_func=cov_func())
        f = gp.marginal_likelihood("f", X=X, y=None, noise=noise, is_observed=False)
    C = k_np(X, X) + 0.09 * np.eye(8) + 0.05 * np.exp(-0.5 * (X - X.T) ** 2 / 4.0)
    v = R.normal(size=8)
    assert f in model.free_RVs
    assert logp_of(model, f, {"f": v}) == pytest.approx(st.multivariate_normal(np.zeros(8), C).logpdf(v), rel=1e-9)


def test_conditioned_vars_must_be_set():
    gp = pm.gp.Marginal(cov_func=cov_func())
    with pytest.raises(AttributeError, match="'X' not set"):
        gp.predict(Xnew)


# ------------------------------------------------------------------ Latent
def test_latent_prior_covariance_by_sampling():
    with pm.Model():
        gp = pm.gp.Latent(cov_func=cov_func())
        gp.prior("f", X=X)
        pp = pm.sample_prior_predictive(samples=6000, var_names=["f"], random_seed=3)
    draws = pp["f"]
    assert draws.shape == (6000, 8)
    emp = np.cov(draws, rowvar=False)
    np.testing.assert_allclose(emp, k_np(X, X), atol=0.12 * ETA ** 2)
    np.testing.assert_allclose(draws.mean(0), 0.0, atol=0.1)


def test_latent_prior_not_reparameterized_and_conditional():
    with pm.Model() as model:
        gp = pm.gp.Latent(mean_func=pm.gp.mean.Constant(0.5), cov_func=cov_func())
        f = gp.prior("f", X=X, reparameterize=False)
        fc = gp.conditional("fc", Xnew)
    fv = R.normal(size=8)
    K = k_np(X, X) + JIT * np.eye(8)
    assert logp_of(model, f, {"f": fv}) == pytest.approx(st.multivariate_normal(np.full(8, 0.5), K).logpdf(fv),
                                                       rel=1e-7)
    mu_ref, cov_ref = posterior(k_np(X, X), k_np(X, Xnew), k_np(Xnew, Xnew), fv - 0.5, 0.0)
    mu, cov = pm.draw_values([fc.distribution.mu, fc.distribution.cov], point={"f": fv})
    np.testing.assert_allclose(mu, mu_ref + 0.5, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(cov, cov_ref, atol=1e-5)


def test_latent_reparameterized_is_rotation():
    with pm.Model() as model:
        gp = pm.gp.Latent(cov_func=cov_func())
        f = gp.prior("f", X=X)
    assert [v.name for v in model.free_RVs] == ["f_rotated_"]
    v = R.normal(size=8)
    L = np.linalg.cholesky(k_np(X, X) + JIT * np.eye(8))
    np.testing.assert_allclose(pm.draw_values([f], point={"f_rotated_": v})[0], L @ v, rtol=1e-8)
    with pytest.raises(TypeError, match="shape"):
        with pm.Model():
            pm.gp.Latent(cov_func=cov_func()).prior("g", X=T.matrix("X"))


# ------------------------------------------------------------------ TP
def test_tp_prior_logp_is_multivariate_t_and_conditional():
    nu = 5.0
    with pm.Model() as model:
        tp = pm.gp.TP(cov_func=cov_func(), nu=nu)
        f = tp.prior("f", X=X, reparameterize=False)
        fc = tp.conditional("fc", Xnew)
    fv = R.normal(size=8)
    K = k_np(X, X) + JIT * np.eye(8)
    ref = st.multivariate_t(np.zeros(8), K, df=nu).logpdf(fv)
    assert logp_of(model, f, {"f": fv}) == pytest.approx(ref, rel=1e-7)
    mu_ref, cov_ref = posterior(k_np(X, X), k_np(X, Xnew), k_np(Xnew, Xnew), fv, 0.0)
    beta = fv @ np.linalg.solve(K, fv)
    vals = pm.draw_values([fc.distribution.nu, fc.distribution.mu, fc.distribution.cov], point={"f": fv})
    assert float(vals[0]) == nu + 8
    np.testing.assert_allclose(vals[1], mu_ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(vals[2], (nu + beta - 2) / (nu + 8 - 2) * cov_ref, atol=1e-5)
    with pytest.raises(ValueError, match="degrees of freedom"):
        pm.gp.TP(cov_func=cov_func())
    with pytest.raises(TypeError, match="aren't additive"):
        tp + tp


def test_tp_reparameterized_prior_is_scaled_rotation():
    nu = 4.0
    with pm.Model() as model:
        f = pm.gp.TP(cov_func=cov_func(), nu=nu).prior("f", X=X)
    assert sorted(v.name for v in model.free_RVs) == ["f_chi2__log__", "f_rotated_"]
    v, c = R.normal(size=8), 2.5
    L = np.linalg.cholesky(k_np(X, X) + JIT * np.eye(8))
    out = pm.draw_values([f], point={"f_rotated_": v, "f_chi2__log__": np.log(c)})[0]
    np.testing.assert_allclose(out, np.sqrt(nu / c) * (L @ v), rtol=1e-8)


# ------------------------------------------------------------------ MarginalSparse
def _sparse_ref(approx, Xu):
    Kuu = k_np(Xu, Xu) + JIT * np.eye(len(Xu))
    Kuf = k_np(Xu, X)
    Qff = Kuf.T @ np.linalg.solve(Kuu, Kuf)
    lam = np.full(8, SIGMA ** 2)
    if approx == "FITC":
        lam = np.clip(np.diag(k_np(X, X) - Qff), 0, None) + SIGMA ** 2
    lp = st.multivariate_normal(np.zeros(8), Qff + np.diag(lam)).logpdf(y)
    if approx == "VFE":
        lp -= np.trace(k_np(X, X) - Qff) / (2 * SIGMA ** 2)
    S = np.linalg.inv(Kuu + Kuf @ (Kuf.T / lam[:, None]))
    Kus = k_np(Xu, Xnew)
    mu = Kus.T @ S @ Kuf @ (y / lam)
    cov = k_np(Xnew, Xnew) - Kus.T @ np.linalg.solve(Kuu, Kus) + Kus.T @ S @ Kus
    return lp, mu, cov


@pytest.mark.parametrize("approx", ["FITC", "VFE", "DTC"])
def test_marginal_sparse_against_closed_forms(approx):
    Xu = np.linspace(0.2, 2.8, 4)[:, None]
    with pm.Model() as model:
        gp = pm.gp.MarginalSparse(cov_func=cov_func(), approx=approx)
        y_ = gp.marginal_likelihood("y", X=X, Xu=Xu, y=y, noise=SIGMA)
    lp, mu_ref, cov_ref = _sparse_ref(approx, Xu)
    assert logp_of(model, y_) == pytest.approx(lp, rel=1e-6)
    mu, cov = gp.predict(Xnew)
    np.testing.assert_allclose(mu, mu_ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(cov, cov_ref + JIT * np.eye(5), atol=1e-5)
    _, var = gp.predict(Xnew, diag=True, pred_noise=True)
    np.testing.assert_allclose(var, np.diag(cov_ref) + SIGMA ** 2, atol=1e-5)


def test_marginal_sparse_sigma_spelling_and_errors():
    Xu = X[::2]
    with pm.Model():
        gp = pm.gp.MarginalSparse(cov_func=cov_func(), approx="VFE")
        with pytest.warns(DeprecationWarning, match="'sigma' argument has been deprecated"):
            gp.marginal_likelihood("y", X=X, Xu=Xu, y=y, sigma=SIGMA)
        with pytest.raises(ValueError, match="noise argument must be specified"):
            pm.gp.MarginalSparse(cov_func=cov_func()).marginal_likelihood("z", X=X, Xu=Xu, y=y)
    with pytest.raises(NotImplementedError, match="approx"):
        pm.gp.MarginalSparse(cov_func=cov_func(), approx="SoR")
    with pytest.raises(TypeError, match="different approximations"):
        pm.gp.MarginalSparse(cov_func=cov_func(), approx="VFE") + pm.gp.MarginalSparse(cov_func=cov_func())


# ------------------------------------------------------------------ Kronecker GPs
X1 = np.linspace(0, 1, 4)[:, None]
X2 = np.linspace(0, 2, 3)[:, None]
GRID = pm.math.cartesian(X1, X2)


def kron_funcs():
    return [pm.gp.cov.ExpQuad(1, ls=0.4), 1.5 * pm.gp.cov.Matern32(1, ls=0.8)]


def test_cartesian_grid_order():
    assert GRID.shape == (12, 2)
    np.testing.assert_allclose(GRID[:3], [[0, 0], [0, 1], [0, 2]])


def test_marginal_kron_matches_dense_marginal():
    k1, k2 = kron_funcs()
    Kd = pm.gp.cov.Kron([k1, k2])(GRID).eval()
    yk = R.normal(size=12)
    with pm.Model() as model:
        sigma = pm.HalfNormal("sigma", 1.0)
        gp = pm.gp.MarginalKron(cov_funcs=[k1, k2])
        y_ = gp.marginal_likelihood("y", Xs=[X1, X2], y=yk, sigma=sigma)
    pt = {"sigma_log__": np.log(0.3)}
    ref = st.multivariate_normal(np.zeros(12), Kd + 0.09 * np.eye(12)).logpdf(yk)
    assert logp_of(model, y_, pt) == pytest.approx(ref, rel=1e-8)
    Xn = np.column_stack([np.linspace(-0.2, 1.2, 5), np.linspace(0, 2.5, 5)])
    Kxs = pm.gp.cov.Kron([k1, k2])(GRID, Xn).eval()
    Kss = pm.gp.cov.Kron([k1, k2])(Xn).eval()
    mu_ref, cov_ref = posterior(Kd, Kxs, Kss, yk, 0.09, jitter=0.0)
    mu, cov = gp.predict(Xn, point=pt)
    np.testing.assert_allclose(mu, mu_ref, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(cov, cov_ref + JIT * np.eye(5), atol=1e-7)
    _, var = gp.predict(Xn, point=pt, diag=True, pred_noise=True)
    np.testing.assert_allclose(var, np.diag(cov_ref) + 0.09, atol=1e-7)
    with pytest.raises(ValueError, match="Length of y"):
        pm.gp.MarginalKron(cov_funcs=[k1, k2]).marginal_likelihood("z", Xs=[X1, X2], y=yk[:5], sigma=0.1)
    with pytest.raises(TypeError, match="Additive"):
        gp + gp


def test_latent_kron_prior_and_conditional_match_dense():
    k1, k2 = kron_funcs()
    with pm.Model():
        gp = pm.gp.LatentKron(cov_funcs=[k1, k2])
        f = gp.prior("f", Xs=[X1, X2])
        Xn = GRID[::3] + 0.05
        fc = gp.conditional("fc", Xn)
    K1, K2 = k1(X1).eval() + JIT * np.eye(4), k2(X2).eval() + JIT * np.eye(3)
    v = R.normal(size=12)
    fv = pm.draw_values([f], point={"f_rotated_": v})[0]
    np.testing.assert_allclose(fv, np.kron(np.linalg.cholesky(K1), np.linalg.cholesky(K2)) @ v, rtol=1e-8)
    Kd = np.kron(K1, K2)
    Kxs = pm.gp.cov.Kron([k1, k2])(GRID, Xn).eval()
    Kss = pm.gp.cov.Kron([k1, k2])(Xn).eval()
    mu_ref = Kxs.T @ np.linalg.solve(Kd, fv)
    cov_ref = Kss - Kxs.T @ np.linalg.solve(Kd, Kxs)
    mu, cov = pm.draw_values([fc.distribution.mu, fc.distribution.cov], point={"f_rotated_": v})
    np.testing.assert_allclose(mu, mu_ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(cov, cov_ref + JIT * np.eye(len(Xn)), atol=1e-5)
    with pytest.raises(ValueError, match="covariance function for each X"):
        pm.gp.LatentKron(cov_funcs=[k1, k2]).prior("g", Xs=[X1])


# ------------------------------------------------------------------ gradients
def _fd_check(model, point, h=1e-6):
    f, g = model.logp, model.dlogp()
    grad = np.atleast_1d(g(point))
    names = [v.name for v in model.free_RVs]
    assert len(grad) == len(names)
    for i, n in enumerate(names):
        up, down = dict(point), dict(point)
        up[n], down[n] = point[n] + h, point[n] - h
        assert grad[i] == pytest.approx((f(up) - f(down)) / (2 * h), rel=1e-5, abs=1e-6), n


@pytest.mark.parametrize("kind", ["sparse", "kron", "marginal"])
def test_marginal_likelihood_gradients_against_finite_differences(kind):
    with pm.Model() as model:
        ls = pm.HalfNormal("ls", 1.0)
        s = pm.HalfNormal("s", 1.0)
        if kind == "sparse":
            gp = pm.gp.MarginalSparse(cov_func=pm.gp.cov.Matern52(1, ls=ls), approx="VFE")
            gp.marginal_likelihood("y", X=X, Xu=X[::2], y=y, noise=s)
        elif kind == "kron":
            gp = pm.gp.MarginalKron(cov_funcs=[pm.gp.cov.ExpQuad(1, ls=ls), pm.gp.cov.Matern32(1, ls=0.5)])
            gp.marginal_likelihood("y", Xs=[X[:4], X[4:7]], y=np.resize(y, 12), sigma=s)
        else:
            gp = pm.gp.Marginal(cov_func=pm.gp.cov.RatQuad(1, alpha=2.0, ls=ls))
            gp.marginal_likelihood("y", X=X, y=y, noise=s)
    _fd_check(model, {"ls_log__": np.log(0.6), "s_log__": np.log(0.3)})


def test_jitter_keyword():
    with pm.Model() as model:
        gp = pm.gp.Marginal(cov_func=cov_func())
        y_ = gp.marginal_likelihood("y", X=X, y=y, noise=SIGMA, jitter=0.01)
        f = pm.gp.Latent(cov_func=cov_func()).prior("f", X=X, reparameterize=False, jitter=0.05)
    ref = st.multivariate_normal(np.zeros(8), k_np(X, X) + (SIGMA ** 2 + 0.01) * np.eye(8)).logpdf(y)
    assert logp_of(model, y_) == pytest.approx(ref, rel=1e-9)
    fv = R.normal(size=8)
    ref_f = st.multivariate_normal(np.zeros(8), k_np(X, X) + 0.05 * np.eye(8)).logpdf(fv)
    assert logp_of(model, f, {"f": fv}) == pytest.approx(ref_f, rel=1e-9)
    _, cov = gp.predict(Xnew, jitter=0.0)
    _, cov_ref = posterior(k_np(X, X), k_np(X, Xnew), k_np(Xnew, Xnew), y, SIGMA ** 2, jitter=0.0)
    np.testing.assert_allclose(cov, cov_ref, atol=1e-8)
