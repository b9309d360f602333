"""The rest of PyMC3 3.11's distributions (Interpolated, MvStudentT, Wishart, LKJCorr, the time series
and the Bessel ops under VonMises/Rice) against SciPy, closed forms and NumPy recursions.

SkewNormal, VonMises and Rice are also in dist_cases.py (logp grids, draws, gradients).
"""
import warnings

import numpy as np
import pytest
from scipy import integrate, special, stats

import arignote
import arignote.tensor as T
import arignote.ppl as pm
from arignote.ppl.distributions.bessel import i1_over_i0, log_i0

S3 = np.array([[2.0, 0.5, 0.1], [0.5, 1.0, 0.3], [0.1, 0.3, 1.5]])
MU3 = np.array([1.0, -1.0, 0.0])


def lp(dist, value):
    return np.asarray(pm.evaluate(dist.logp(T.as_tensor_variable(np.asarray(value, dtype=float)))))


def fd(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


def test_bessel_ops_values_and_gradients():
    x = np.array([-30.0, -2.0, 0.0, 1e-3, 0.7, 5.0, 800.0])
    np.testing.assert_allclose(log_i0(x).eval(), np.log(special.i0e(x)) + np.abs(x), rtol=1e-13)
    # I0 overflows at 800: there the asymptotic series 1 - 1/(2x) - 1/(8x^2)
    want = np.append(special.i1(x[:-1]) / special.i0(x[:-1]), 1 - 0.5 / 800 - 1 / (8 * 800 ** 2))
    np.testing.assert_allclose(i1_over_i0(x).eval(), want, rtol=1e-6)
    v = T.dscalar()
    g1 = arignote.function([v], T.grad(log_i0(v), v))
    g2 = arignote.function([v], T.grad(i1_over_i0(v), v))
    for x0 in (-2.0, 0.0, 0.4, 7.0):
        assert np.isclose(g1(x0), fd(lambda t: np.log(special.i0(t)), x0), rtol=1e-6, atol=1e-8)
        assert np.isclose(g2(x0), fd(lambda t: special.i1(t) / special.i0(t), x0), rtol=1e-5, atol=1e-8)


def test_rice_large_bessel_argument_and_mean():
    d = pm.Rice.dist(nu=200.0, sigma=1.5)
    np.testing.assert_allclose(lp(d, [195.0, 199.0, 204.0]), stats.rice.logpdf([195.0, 199.0, 204.0], 200 / 1.5, scale=1.5),
                               rtol=1e-9)
    for nu, sigma in ((0.0, 1.0), (2.0, 1.5), (40.0, 3.0)):
        assert np.isclose(pm.Rice.dist(nu=nu, sigma=sigma).mean.eval(), stats.rice.mean(nu / sigma, scale=sigma))
    assert np.isclose(pm.Rice.dist(b=2.0, sigma=0.5).nu.eval(), 1.0)
    with pytest.raises(ValueError, match="exactly one of nu or b"):
        pm.Rice.dist(nu=1.0, b=1.0, sigma=1.0)


def test_vonmises_and_rice_transforms_in_a_model():
    with pm.Model() as m:
        pm.VonMises("angle", mu=0.5, kappa=2.0)
        pm.Rice("r", nu=1.0, sigma=1.0)
        pm.SkewNormal("s", mu=0.0, sigma=1.0, alpha=3.0)
    assert [v.name for v in m.free_RVs] == ["angle_circular__", "r_log__", "s"]
    # the circular transform wraps to [-pi, pi] with a zero Jacobian
    assert np.isclose(m.fastlogp({"angle_circular__": 0.5 + 2 * np.pi, "r_log__": 0.0, "s": 0.3}),
                      stats.vonmises.logpdf(0.5, 2.0, 0.5) + stats.rice.logpdf(1.0, 1.0) + 0.0
                      + stats.skewnorm.logpdf(0.3, 3.0))
    assert np.isclose(m.test_point["s"], np.sqrt(2 / np.pi) * 3 / np.sqrt(10))  # starts at the mean


def _interp_case():
    xp = np.linspace(-2.0, 3.0, 11)
    pdf = stats.norm.pdf(xp) + 0.05
    return xp, pdf, pdf / np.trapezoid(pdf, xp)


def test_interpolated_logp_mean_draws_and_support():
    xp, pdf, normed = _interp_case()
    d = pm.Interpolated.dist(xp, pdf)
    pts = np.array([-2.5, -2.0, -1.3, 0.1, 2.9, 3.0, 3.1])
    want = np.log(np.where((pts >= -2) & (pts <= 3), np.interp(pts, xp, normed), 0.0), where=(pts >= -2) & (pts <= 3),
                  out=np.full(pts.shape, -np.inf))
    np.testing.assert_allclose(lp(d, pts), want, rtol=1e-12)
    mean = integrate.quad(lambda t: t * np.interp(t, xp, normed), -2, 3, points=xp, limit=200)[0]
    assert np.isclose(d.mean.eval(), mean, rtol=1e-10)

    def cdf(t):
        return np.array([integrate.quad(lambda s: np.interp(s, xp, normed), -2, ti, points=xp[xp < ti], limit=200)[0]
                         for ti in np.atleast_1d(t)])

    assert np.isclose(cdf(float(d.median.eval()))[0], 0.5, atol=1e-10)
    np.random.seed(11)
    draws = d.random(size=3000)
    assert draws.shape == (3000,) and draws.min() >= -2 and draws.max() <= 3
    assert stats.kstest(draws, cdf).pvalue > 1e-3
    with pm.Model() as m:
        pm.Interpolated("z", xp, pdf)
    assert m.free_RVs[0].name == "z_interval__"
    with pytest.raises(ValueError, match="strictly increasing"):
        pm.Interpolated.dist([0.0, 0.0, 1.0], [1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="non-negative"):
        pm.Interpolated.dist([0.0, 1.0], [1.0, -1.0])


@pytest.mark.parametrize("kind", ["cov", "tau", "chol", "Sigma"])
def test_mvstudentt_logp_parametrisations(kind):
    mat = {"cov": S3, "Sigma": S3, "tau": np.linalg.inv(S3), "chol": np.linalg.cholesky(S3)}[kind]
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        d = pm.MvStudentT.dist(nu=4.0, mu=MU3, **{kind: mat})
    assert any(issubclass(x.category, DeprecationWarning) for x in w) == (kind == "Sigma")
    vals = np.random.default_rng(0).normal(size=(5, 3)) * 2
    np.testing.assert_allclose(lp(d, vals), stats.multivariate_t.logpdf(vals, MU3, S3, df=4.0), rtol=1e-10)
    assert np.isclose(lp(d, vals[0]), stats.multivariate_t.logpdf(vals[0], MU3, S3, df=4.0))


def test_mvstudentt_draws():
    np.random.seed(5)
    x = pm.MvStudentT.dist(nu=6.0, mu=MU3, cov=S3).random(size=40000)
    assert x.shape == (40000, 3)
    np.testing.assert_allclose(x.mean(0), MU3, atol=0.03)
    np.testing.assert_allclose(np.cov(x.T), S3 * 6 / 4, rtol=0.1, atol=0.05)
    # the Mahalanobis distance / k follows F(k, nu)
    z = np.einsum("ni,ij,nj->n", x - MU3, np.linalg.inv(S3), x - MU3) / 3
    assert stats.kstest(z, stats.f(3, 6).cdf).pvalue > 1e-3


def test_wishart_warns_logp_support_and_draws():
    with pytest.warns(UserWarning, match="LKJCholeskyCov"):
        d = pm.Wishart.dist(nu=5, V=S3)
    X = stats.wishart(5, S3).rvs(random_state=2)
    assert np.isclose(lp(d, X), stats.wishart(5, S3).logpdf(X), rtol=1e-10)
    asym = X.copy()
    asym[0, 1] += 0.1
    assert lp(d, asym) == -np.inf
    assert lp(d, -X) == -np.inf  # not positive definite
    np.testing.assert_allclose(d.mean.eval(), 5 * S3)
    np.random.seed(1)
    draws = d.random(size=4000)
    assert draws.shape == (4000, 3, 3)
    np.testing.assert_allclose(draws.mean(0), 5 * S3, rtol=0.08, atol=0.1)
    with pytest.warns(UserWarning), pytest.raises(ValueError, match="greater than p - 1"):
        pm.Wishart.dist(nu=1.5, V=S3)


def test_lkjcorr_logp_normalised_draws_and_model():
    # n = 2: r = 2 Beta(eta, eta) - 1
    d2 = pm.LKJCorr.dist(eta=2.5, n=2)
    for r in (-0.9, 0.0, 0.3):
        assert np.isclose(lp(d2, [r]), stats.beta(2.5, 2.5).logpdf((r + 1) / 2) + np.log(0.5))
    # n = 3: the density integrates to 1 over the valid correlation matrices (Monte Carlo, 4 sigma)
    d3 = pm.LKJCorr.dist(eta=2.0, p=3)
    v = T.dvector()
    f = arignote.function([v], d3.logp(v))
    u = np.random.default_rng(3).uniform(-1, 1, size=(20000, 3))
    dens = np.exp([f(row) for row in u]) * 8
    assert abs(dens.mean() - 1) < 4 * dens.std() / np.sqrt(len(dens))
    R = np.array([[1, 0.2, -0.3], [0.2, 1, 0.5], [-0.3, 0.5, 1]])
    want = pm.lkj_log_normalizer(2.0, 3).eval() + np.log(np.linalg.det(R))
    assert np.isclose(lp(d3, R[np.triu_indices(3, 1)]), want)
    assert lp(d3, [0.99, 0.99, -0.99]) == -np.inf  # entries in [-1, 1] but not positive definite
    np.random.seed(2)
    draws = d3.random(size=4000)
    assert draws.shape == (4000, 3)
    b = 2.0 - 1 + 3 / 2  # each correlation's marginal: 2 Beta(b, b) - 1
    for j in range(3):
        assert stats.kstest((draws[:, j] + 1) / 2, stats.beta(b, b).cdf).pvalue > 1e-3
    with pm.Model() as m:
        pm.LKJCorr("C", eta=2.0, n=3)
    assert m.free_RVs[0].name == "C_interval__" and m.test_point["C_interval__"].shape == (3,)


def test_ar1_logp_and_draws():
    x = np.array([0.3, -0.2, 0.5, 0.1])
    k, tau_e = 0.6, 2.0
    want = (stats.norm.logpdf(x[0], 0, (tau_e * (1 - k ** 2)) ** -0.5)
            + stats.norm.logpdf(x[1:], k * x[:-1], tau_e ** -0.5).sum())
    assert np.isclose(lp(pm.AR1.dist(k=k, tau_e=tau_e, shape=4), x), want)
    np.random.seed(0)
    draws = pm.AR1.dist(k=k, tau_e=tau_e, shape=6).random(size=20000)
    assert draws.shape == (20000, 6)
    stationary = 1 / (tau_e * (1 - k ** 2))
    np.testing.assert_allclose(draws.var(0), stationary, rtol=0.05)
    assert np.isclose(np.corrcoef(draws[:, 2], draws[:, 3])[0, 1], k, atol=0.02)


@pytest.mark.parametrize("constant", [False, True])
def test_ar_logp_and_draws(constant):
    x = np.array([0.3, -0.2, 0.5, 0.1, 0.9, -0.4])
    rho = np.array([0.4, 0.5, -0.3]) if constant else np.array([0.5, -0.3])
    c, lags = (rho[0], rho[1:]) if constant else (0.0, rho)
    pred = c + lags[0] * x[1:-1] + lags[1] * x[:-2]
    init = pm.Normal.dist(0.0, 2.0)
    want = stats.norm.logpdf(x[2:] - pred, 0, 0.7).sum() + stats.norm.logpdf(x[:2], 0, 2.0).sum()
    d = pm.AR.dist(rho=rho, sigma=0.7, constant=constant, init=init, shape=6)
    assert d.p == 2 and np.isclose(lp(d, x), want)
    flat = pm.AR.dist(rho=rho, tau=0.7 ** -2, constant=constant, shape=6)  # Flat start (logp 0)
    assert np.isclose(lp(flat, x), stats.norm.logpdf(x[2:] - pred, 0, 0.7).sum())
    np.random.seed(1)
    draws = d.random(size=5000)
    eps = draws[:, 2:] - (c + lags[0] * draws[:, 1:-1] + lags[1] * draws[:, :-2])
    assert abs(eps.std() - 0.7) < 0.02 and abs(eps.mean()) < 0.02
    assert abs(draws[:, :2].std() - 2.0) < 0.1
    assert np.isclose(lp(pm.AR.dist(rho=0.5, sigma=1.0, shape=3), x[:3]),
                      stats.norm.logpdf(x[1:3] - 0.5 * x[:2]).sum())


def _garch_vol(x, omega, a, b, vol0):
    vol = [vol0]
    for t in range(1, len(x)):
        vol.append(np.sqrt(omega + a * x[t - 1] ** 2 + b * vol[-1] ** 2))
    return np.array(vol)


def test_garch11_logp_gradient_and_draws():
    x = np.array([0.3, -1.2, 0.5, 0.1, 2.0])
    params = dict(omega=0.2, alpha_1=0.3, beta_1=0.5, initial_vol=0.8)
    d = pm.GARCH11.dist(shape=5, **params)
    want = stats.norm.logpdf(x, 0, _garch_vol(x, *params.values())).sum()
    assert np.isclose(lp(d, x), want)
    v = T.dvector()
    g = arignote.function([v], T.grad(d.logp(v), v))(x)
    for i in range(5):
        e = np.eye(5)[i]
        num = fd(lambda t: stats.norm.logpdf(x + t * e, 0, _garch_vol(x + t * e, *params.values())).sum(), 0.0)
        assert np.isclose(g[i], num, rtol=1e-5, atol=1e-7)
    np.random.seed(2)
    draws = d.random(size=20000)
    assert draws.shape == (20000, 5)
    assert abs(draws[:, 0].std() - 0.8) < 0.02
    assert abs(draws[:, 1].var() - (0.2 + 0.3 * 0.64 + 0.5 * 0.64)) < 0.03


@pytest.mark.parametrize("walk", ["MvGaussianRandomWalk", "MvStudentTRandomWalk"])
def test_multivariate_random_walks(walk):
    steps = np.random.default_rng(1).normal(size=(4, 3))
    x = np.cumsum(steps, axis=0)
    extra = {"nu": 5.0} if walk == "MvStudentTRandomWalk" else {}
    d = getattr(pm, walk).dist(mu=MU3, cov=S3, init=pm.Normal.dist(0.0, 3.0), shape=(4, 3), **extra)
    ref = (stats.multivariate_t(MU3, S3, df=5.0) if extra else stats.multivariate_normal(MU3, S3))
    want = stats.norm.logpdf(x[0], 0, 3.0).sum() + ref.logpdf(np.diff(x, axis=0)).sum()
    assert np.isclose(lp(d, x), want)
    np.random.seed(3)
    draws = d.random(size=20000)
    assert draws.shape == (20000, 4, 3)
    inc = np.diff(draws, axis=1).reshape(-1, 3)
    scale = 5.0 / 3.0 if extra else 1.0
    np.testing.assert_allclose(inc.mean(0), MU3, atol=0.03)
    np.testing.assert_allclose(np.cov(inc.T), S3 * scale, rtol=0.1, atol=0.05)
    with pytest.raises(ValueError, match="shape=\\(time, k\\)"):
        getattr(pm, walk).dist(cov=S3, shape=4, **extra)


def test_timeseries_in_a_model_sample_short():
    """AR1 and GARCH11 sample with NUTS in a model (the graphs have gradients end to end)."""
    np.random.seed(4)
    y = pm.AR1.dist(k=0.7, tau_e=4.0, shape=60).random()
    with pm.Model():
        k = pm.Uniform("k", -0.99, 0.99)
        pm.AR1("y", k=k, tau_e=4.0, observed=y)
        trace = pm.sample(300, tune=300, chains=1, random_seed=1, progressbar=False, compute_convergence_checks=False)
    kk = trace["k"]
    # the exact posterior of k on a grid (uniform prior)
    grid = np.linspace(-0.98, 0.98, 2001)
    logpost = np.array([stats.norm.logpdf(y[0], 0, (4 * (1 - g ** 2)) ** -0.5) + stats.norm.logpdf(y[1:], g * y[:-1], 0.5).sum()
                        for g in grid])
    post = np.exp(logpost - logpost.max())
    post /= post.sum()
    mean = (grid * post).sum()
    sd = np.sqrt(((grid - mean) ** 2 * post).sum())
    assert abs(kk.mean() - mean) < 4 * sd / np.sqrt(60)


@pytest.mark.parametrize("kind", ["cov", "chol", "tau"])
def test_matrix_normal_logp_and_draws(kind):
    U = np.array([[1.0, 0.3, 0.0], [0.3, 2.0, 0.5], [0.0, 0.5, 1.5]])
    V = np.array([[0.5, -0.1], [-0.1, 1.0]])
    M = np.arange(6.0).reshape(3, 2) / 3
    conv = {"cov": lambda A: A, "chol": np.linalg.cholesky, "tau": np.linalg.inv}[kind]
    d = pm.MatrixNormal.dist(mu=M, **{f"row{kind}": conv(U), f"col{kind}": conv(V)})
    assert d.shape == (3, 2)
    X = np.random.default_rng(0).normal(size=(3, 2))
    assert np.isclose(lp(d, X), stats.matrix_normal(M, U, V).logpdf(X), rtol=1e-10)
    np.random.seed(8)
    draws = d.random(size=20000)
    assert draws.shape == (20000, 3, 2)
    np.testing.assert_allclose(draws.mean(0), M, atol=0.04)
    np.testing.assert_allclose(np.cov(draws.reshape(20000, 6).T), np.kron(U, V), atol=0.06)
    with pytest.raises(ValueError, match="exactly one of rowcov, rowchol or rowtau"):
        pm.MatrixNormal.dist(mu=M, rowcov=U, rowtau=U, colcov=V)


def test_dirichlet_multinomial():
    a = np.array([0.5, 2.0, 3.0])
    d = pm.DirichletMultinomial.dist(n=10, a=a)
    assert d.shape == (3,) and d.dtype == "int64"
    assert d.default().sum() == 10
    for x in ([0, 4, 6], [10, 0, 0], [3, 3, 4]):
        assert np.isclose(lp(d, x), stats.dirichlet_multinomial.logpmf(x, a, 10))
    assert lp(d, [3, 3, 3]) == -np.inf and lp(d, [-1, 5, 6]) == -np.inf
    np.random.seed(9)
    draws = d.random(size=20000)
    assert draws.shape == (20000, 3) and np.all(draws.sum(1) == 10)
    ref = stats.dirichlet_multinomial(a, 10)
    np.testing.assert_allclose(draws.mean(0), ref.mean(), atol=0.05)
    np.testing.assert_allclose(np.cov(draws.T), ref.cov(), rtol=0.06, atol=0.05)


def test_euler_maruyama_ornstein_uhlenbeck():
    def sde(x, theta, s):
        return -theta * x, s

    x = np.array([1.0, 0.8, 0.7, 0.75, 0.5])
    d = pm.EulerMaruyama.dist(dt=0.1, sde_fn=sde, sde_pars=(2.0, 0.5), shape=5)
    want = stats.norm.logpdf(x[1:], x[:-1] - 0.1 * 2.0 * x[:-1], np.sqrt(0.1) * 0.5).sum()
    assert np.isclose(lp(d, x), want)
