"""Log-densities, log-cdfs, gradients and draws of every distribution against SciPy."""
import itertools

import numpy as np
import pytest
from scipy import stats

import arignote
import arignote.tensor as T
import arignote.ppl as pm
from dist_cases import CONTINUOUS, DISCRETE, DISCRETE_DRAWS, DRAWS


def _grid(params):
    names = list(params)
    for combo in itertools.product(*params.values()):
        yield dict(zip(names, combo))


def _compiled(name, params, method, discrete):
    """f(values, *params) -> method(values) of the distribution with symbolic parameters."""
    v = T.lvector("v") if discrete else T.dvector("v")
    ps = {k: (T.lscalar(k) if discrete and isinstance(vals[0], (int, np.integer)) else T.dscalar(k))
          for k, vals in params.items()}
    dist = getattr(pm, name).dist(**ps)
    return arignote.function([v] + list(ps.values()), getattr(dist, method)(v))


def _check(name, params, values, ref, method, discrete):
    f = _compiled(name, params, method, discrete)
    for p in _grid(params):
        with np.errstate(all="ignore"):
            want = np.asarray(ref(values, **p), dtype=float)
        got = f(values.astype(np.int64 if discrete else float), *[np.asarray(x) for x in p.values()])
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-9, err_msg=f"{name}.{method} at {p}")


@pytest.mark.parametrize("name,params,values,ref,cdf", CONTINUOUS, ids=[c[0] for c in CONTINUOUS])
def test_continuous_logp(name, params, values, ref, cdf):
    _check(name, params, values, ref, "logp", False)
    if cdf is not None:
        _check(name, params, values, cdf, "logcdf", False)


@pytest.mark.parametrize("name,params,values,ref,cdf", DISCRETE, ids=[c[0] for c in DISCRETE])
def test_discrete_logp(name, params, values, ref, cdf):
    _check(name, params, values, ref, "logp", True)
    if cdf is not None:
        _check(name, params, values, cdf, "logcdf", True)


def test_categorical_logp():
    p = np.array([0.2, 0.5, 0.3])
    v = T.lvector("v")
    f = arignote.function([v], pm.Categorical.dist(p=p).logp(v))
    np.testing.assert_allclose(f(np.array([-1, 0, 1, 2, 3])), [-np.inf, *np.log(p), -np.inf])
    # unnormalised weights are normalised, as in PyMC3
    g = arignote.function([v], pm.Categorical.dist(p=2 * p).logp(v))
    np.testing.assert_allclose(g(np.array([1])), np.log([0.5]))


def test_categorical_matrix_p():
    p = np.array([[0.2, 0.8], [0.6, 0.4], [0.5, 0.5]])
    v = T.lvector("v")
    f = arignote.function([v], pm.Categorical.dist(p=p).logp(v))
    np.testing.assert_allclose(f(np.array([1, 0, 1])), np.log([0.8, 0.6, 0.5]))


def test_mvnormal_logp_all_parametrisations():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(3, 3))
    cov = a @ a.T + 3 * np.eye(3)
    mu = np.array([0.5, -1.0, 2.0])
    x = rng.normal(size=(4, 3))
    want = stats.multivariate_normal(mu, cov).logpdf(x)
    xv = T.dmatrix("x")
    for kw in ({"cov": cov}, {"tau": np.linalg.inv(cov)}, {"chol": np.linalg.cholesky(cov)}):
        d = pm.MvNormal.dist(mu=mu, **kw)
        np.testing.assert_allclose(arignote.function([xv], d.logp(xv))(x), want, rtol=1e-9)
        v1 = T.dvector("v")
        np.testing.assert_allclose(arignote.function([v1], d.logp(v1))(x[0]), want[0], rtol=1e-9)


def test_dirichlet_logp():
    a = np.array([0.7, 2.0, 3.5])
    x = np.array([0.2, 0.3, 0.5])
    v = T.dvector("v")
    f = arignote.function([v], pm.Dirichlet.dist(a=a).logp(v))
    np.testing.assert_allclose(f(x), stats.dirichlet(a).logpdf(x))
    assert f(np.array([-0.1, 0.6, 0.5])) == -np.inf


def _fd_grad(f, x, eps=1e-6):
    return (f(x + eps) - f(x - eps)) / (2 * eps)


GRAD_CASES = [
    ("Normal", {"mu": 0.3, "sigma": 1.7}, 0.9), ("HalfNormal", {"sigma": 1.3}, 0.8),
    ("HalfCauchy", {"beta": 1.3}, 0.8), ("Cauchy", {"alpha": 0.2, "beta": 1.3}, 0.8),
    ("StudentT", {"nu": 3.0, "mu": 0.2, "sigma": 1.3}, 0.8), ("Exponential", {"lam": 1.3}, 0.8),
    ("Gamma", {"alpha": 2.3, "beta": 1.3}, 0.8), ("InverseGamma", {"alpha": 2.3, "beta": 1.3}, 0.8),
    ("Beta", {"alpha": 2.3, "beta": 1.3}, 0.4), ("Uniform", {"lower": -1.0, "upper": 2.0}, 0.4),
    ("Lognormal", {"mu": 0.2, "sigma": 0.7}, 0.8), ("Laplace", {"mu": 0.2, "b": 0.7}, 0.8),
    ("Logistic", {"mu": 0.2, "s": 0.7}, 0.8), ("Weibull", {"alpha": 1.7, "beta": 0.7}, 0.8),
    ("ChiSquared", {"nu": 3.0}, 0.8), ("TruncatedNormal", {"mu": 0.2, "sigma": 0.7, "lower": -1.0, "upper": 1.5}, 0.8),
    ("HalfStudentT", {"nu": 3.0, "sigma": 1.3}, 0.8), ("Pareto", {"alpha": 2.0, "m": 0.5}, 0.8),
    ("Gumbel", {"mu": 0.2, "beta": 1.3}, 0.8), ("Kumaraswamy", {"a": 2.0, "b": 1.5}, 0.4),
    ("Triangular", {"lower": -1.0, "c": 0.2, "upper": 2.0}, 0.8), ("ExGaussian", {"mu": 0.2, "sigma": 0.7, "nu": 1.3}, 0.8),
    ("Wald", {"mu": 1.2, "lam": 2.0}, 0.8), ("Moyal", {"mu": 0.2, "sigma": 1.3}, 0.8),
    ("LogitNormal", {"mu": 0.2, "sigma": 1.3}, 0.4), ("AsymmetricLaplace", {"b": 1.2, "kappa": 2.0, "mu": 0.2}, 0.8),
    ("SkewNormal", {"mu": 0.2, "sigma": 1.3, "alpha": -2.0}, 0.9), ("VonMises", {"mu": 0.2, "kappa": 1.7}, -2.1),
    ("Rice", {"nu": 1.2, "sigma": 0.7}, 1.4),
]


@pytest.mark.parametrize("name,params,x0", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_gradients_by_finite_differences(name, params, x0):
    """d logp / d value and d logp / d each parameter, against central differences."""
    syms = {k: T.dscalar(k) for k in params}
    v = T.dscalar("v")
    lp = getattr(pm, name).dist(**syms).logp(v)
    ins = [v] + list(syms.values())
    grads = T.grad(lp, ins)
    f = arignote.function(ins, lp)
    g = arignote.function(ins, grads)
    point = [x0] + list(params.values())
    got = g(*point)
    for i, name_i in enumerate(["value"] + list(params)):
        def fi(t, i=i):
            q = list(point)
            q[i] = t
            return f(*q)

        np.testing.assert_allclose(got[i], _fd_grad(fi, point[i]), rtol=1e-5, atol=1e-6, err_msg=f"{name} d/d{name_i}")


@pytest.mark.parametrize("name,params,ref", DRAWS, ids=[f"{c[0]}-{i}" for i, c in enumerate(DRAWS)])
def test_continuous_draws_ks(name, params, ref):
    np.random.seed(123)
    x = getattr(pm, name).dist(**params).random(size=4000)
    assert x.shape == (4000,)
    assert stats.kstest(x, ref.cdf).pvalue > 1e-3


@pytest.mark.parametrize("name,params,ref", DISCRETE_DRAWS, ids=[c[0] for c in DISCRETE_DRAWS])
def test_discrete_draws_moments(name, params, ref):
    np.random.seed(7)
    x = getattr(pm, name).dist(**params).random(size=20000)
    assert x.shape == (20000,)
    assert np.issubdtype(np.asarray(x).dtype, np.integer)
    se = ref.std() / np.sqrt(len(x))
    assert abs(x.mean() - ref.mean()) < 5 * se
    assert abs(x.var() / ref.var() - 1) < 0.1


def test_multivariate_draws():
    np.random.seed(3)
    cov = np.array([[1.0, 0.6], [0.6, 2.0]])
    x = pm.MvNormal.dist(mu=np.array([1.0, -1.0]), cov=cov).random(size=20000)
    assert x.shape == (20000, 2)
    np.testing.assert_allclose(np.cov(x.T), cov, atol=0.08)
    d = pm.Dirichlet.dist(a=np.array([1.0, 2.0, 3.0])).random(size=5000)
    assert d.shape == (5000, 3)
    np.testing.assert_allclose(d.sum(1), 1.0)
    np.testing.assert_allclose(d.mean(0), [1 / 6, 2 / 6, 3 / 6], atol=0.02)
    c = pm.Categorical.dist(p=np.array([0.1, 0.6, 0.3])).random(size=20000)
    np.testing.assert_allclose(np.bincount(c) / 20000, [0.1, 0.6, 0.3], atol=0.02)


def test_random_shape_broadcasts_parameters():
    np.random.seed(0)
    d = pm.Normal.dist(mu=np.zeros(3), sigma=1.0)
    assert d.random().shape == (3,)
    assert d.random(size=5).shape == (5, 3)
    assert pm.Normal.dist(0.0, 1.0, shape=(2, 4)).random(size=(3,)).shape == (3, 2, 4)


@pytest.mark.parametrize("make,msg", [
    (lambda: pm.Normal.dist(0.0, -1.0), "Normal: parameter 'sigma' must be positive, got -1.0"),
    (lambda: pm.HalfNormal.dist(sigma=-2), "HalfNormal: parameter 'sigma' must be positive"),
    (lambda: pm.Exponential.dist(lam=0.0), "Exponential: parameter 'lam' must be positive, got 0.0"),
    (lambda: pm.Beta.dist(alpha=-1.0, beta=1.0), "Beta: parameter 'alpha' must be positive"),
    (lambda: pm.Poisson.dist(mu=-0.5), "Poisson: parameter 'mu' must be non-negative"),
    (lambda: pm.Bernoulli.dist(p=1.5), "Bernoulli: parameter 'p' must lie in [0, 1]"),
    (lambda: pm.Binomial.dist(n=2.5, p=0.5), "Binomial: parameter 'n' must be a non-negative integer"),
    (lambda: pm.Uniform.dist(lower=2.0, upper=1.0), "Uniform: parameter 'lower' must be below 'upper'"),
    (lambda: pm.Normal.dist(0.0, np.array([1.0, -1.0])), "Normal: parameter 'sigma' must be positive"),
    (lambda: pm.MvNormal.dist(mu=np.zeros(2), cov=np.array([[1.0, 2.0], [2.0, 1.0]])),
     "MvNormal: parameter 'cov' must be positive definite"),
    (lambda: pm.Dirichlet.dist(a=np.array([1.0, 0.0])), "Dirichlet: parameter 'a' must be positive"),
])
def test_bad_constant_parameters(make, msg):
    with pytest.raises(ValueError) as e:
        make()
    assert msg in str(e.value)


def test_conflicting_parametrisations():
    with pytest.raises(ValueError, match="tau"):
        pm.Normal.dist(0.0, sigma=1.0, tau=1.0)
    with pytest.raises(ValueError, match="Gamma: incompatible parameterization"):
        pm.Gamma.dist(alpha=1.0)
    with pytest.raises(TypeError, match="'mu' must be numeric"):
        pm.Normal.dist("a", 1.0)


def test_symbolic_bad_parameter_gives_minus_inf():
    s = T.dscalar("s")
    f = arignote.function([s], pm.Normal.dist(0.0, s).logp(0.5))
    assert f(-1.0) == -np.inf
    assert np.isclose(f(2.0), stats.norm.logpdf(0.5, 0, 2.0))


def test_sd_and_tau_aliases():
    for d in (pm.Normal.dist(1.0, sd=2.0), pm.Normal.dist(1.0, tau=0.25)):
        assert np.isclose(pm.evaluate(d.logp(0.3)), stats.norm.logpdf(0.3, 1.0, 2.0))
    assert pm.LogNormal is pm.Lognormal


def test_lkj_cholesky_cov_closed_form_n2():
    """n = 2: the density of L follows from sd ~ sd_dist, r ~ LKJ(eta) and the map (s1, s2, r) -> L."""
    from scipy import special

    with pm.Model() as m:
        pm.LKJCholeskyCov("chol", eta=2.0, n=2, sd_dist=pm.Exponential.dist(1.0))
    assert [v.name for v in m.free_RVs] == ["chol_cholesky-cov-packed__"]
    for L00, L10, L11 in [(1.3, 0.4, 0.9), (0.2, -1.5, 0.3)]:
        s1, s2 = L00, np.hypot(L10, L11)
        r = L10 / s2
        lkj = (2.0 - 1) * np.log(1 - r * r) - np.log(special.beta(0.5, 2.0))
        want = (stats.expon.logpdf(s1) + stats.expon.logpdf(s2) + lkj + 0.5 * np.log(1 - r * r) - np.log(s2)
                + np.log(L00) + np.log(L11))  # + the log-diagonal transform's Jacobian
        y = np.array([np.log(L00), L10, np.log(L11)])
        assert np.isclose(m.logp({"chol_cholesky-cov-packed__": y}), want)


def test_lkj_cholesky_cov_in_a_model_gradient_and_draws():
    np.random.seed(2)
    X = np.random.randn(20, 3)
    with pm.Model() as m:
        chol, corr, stds = pm.LKJCholeskyCov("c", eta=1.5, n=3, sd_dist=pm.HalfNormal.dist(1.0), compute_corr=True)
        pm.MvNormal("x", mu=np.zeros(3), chol=chol, observed=X)
    assert [v.name for v in m.deterministics] == ["c", "c_stds", "c_corr"]
    f = m.logp_dlogp_function()
    q = np.array([0.1, 0.3, -0.2, -0.4, 0.5, 0.2])
    lp, g = f(q)
    L = np.zeros((3, 3))
    L[np.tril_indices(3)] = q
    L[np.diag_indices(3)] = np.exp(np.diag(L))
    assert np.isclose(m.fn(m["x"].logpt)(f.array_to_dict(q)),
                      stats.multivariate_normal(np.zeros(3), L @ L.T).logpdf(X).sum())
    eps = 1e-6
    fd = [(f(q + eps * e)[0] - f(q - eps * e)[0]) / (2 * eps) for e in np.eye(6)]
    np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-6)
    draws = m["c"].distribution.random(size=4000)
    assert draws.shape == (4000, 6)
    Ls = np.zeros((4000, 3, 3))
    Ls[:, np.tril_indices(3)[0], np.tril_indices(3)[1]] = draws
    cov = Ls @ np.transpose(Ls, (0, 2, 1))
    sd = np.sqrt(np.diagonal(cov, axis1=1, axis2=2))
    assert stats.kstest(sd[:, 0], stats.halfnorm.cdf).pvalue > 1e-3
    r = cov[:, 0, 1] / (sd[:, 0] * sd[:, 1])
    b = 1.5 - 1 + 3 / 2  # marginal of one correlation: 2 Beta(b, b) - 1
    assert stats.kstest((r + 1) / 2, stats.beta(b, b).cdf).pvalue > 1e-3


def test_gaussian_random_walk():
    x = np.array([0.3, 0.9, 0.1, -0.4, 0.2])
    d = pm.GaussianRandomWalk.dist(mu=0.1, sigma=0.5, init=pm.Normal.dist(0.0, 2.0), shape=5)
    want = stats.norm.logpdf(0.3, 0, 2.0) + stats.norm.logpdf(np.diff(x), 0.1, 0.5).sum()
    assert np.isclose(pm.evaluate(d.logp(x)), want)
    flat = pm.GaussianRandomWalk.dist(sigma=0.5, shape=5)  # PyMC3's default start: Flat
    assert np.isclose(pm.evaluate(flat.logp(x)), stats.norm.logpdf(np.diff(x), 0, 0.5).sum())
    np.random.seed(4)
    draws = d.random(size=4000)
    assert draws.shape == (4000, 5)
    inc = np.diff(draws, axis=1)
    assert abs(inc.mean() - 0.1) < 0.02 and abs(inc.std() - 0.5) < 0.02
    assert abs(draws[:, 0].std() - 2.0) < 0.1
    with pytest.raises(ValueError, match="needs shape"):
        pm.GaussianRandomWalk.dist(sigma=1.0)


def test_draw():
    with pm.Model():
        mu = pm.Normal("mu", 3.0, 0.5)
        s = pm.HalfNormal("s", 1.0)
    x = pm.draw(mu, draws=3000, random_seed=1)
    assert x.shape == (3000,) and abs(x.mean() - 3.0) < 0.05
    a, b = pm.draw([mu, s], draws=10, random_seed=2)
    assert a.shape == b.shape == (10,) and np.all(b > 0)
    assert np.shape(pm.draw(mu)) == ()
    assert pm.draw(pm.Normal.dist(0.0, 1.0, shape=3), draws=4).shape == (4, 3)


def test_multinomial_constant_ordered_logistic():
    p = np.array([0.2, 0.5, 0.3])
    v = T.lvector("v")
    f = arignote.function([v], pm.Multinomial.dist(n=6, p=p).logp(v))
    for x in ([1, 3, 2], [0, 6, 0]):
        assert np.isclose(f(np.array(x)), stats.multinomial(6, p).logpmf(x))
    assert f(np.array([1, 1, 1])) == -np.inf and f(np.array([-1, 4, 3])) == -np.inf
    np.random.seed(0)
    d = pm.Multinomial.dist(n=6, p=p).random(size=3000)
    assert d.shape == (3000, 3) and np.all(d.sum(1) == 6)
    np.testing.assert_allclose(d.mean(0), 6 * p, atol=0.1)

    c = pm.Constant.dist(3)
    assert pm.evaluate(c.logp(np.array([3, 4]))).tolist() == [0.0, -np.inf]

    cut = np.array([-1.0, 0.5, 2.0])
    ol = pm.OrderedLogistic.dist(eta=0.3, cutpoints=cut)
    cdf = 1 / (1 + np.exp(-(cut - 0.3)))
    probs = np.diff(np.r_[0.0, cdf, 1.0])
    np.testing.assert_allclose(pm.evaluate(ol.logp(np.arange(4))), np.log(probs))
    assert ol.k == 4
    with pm.Model() as m:
        pm.OrderedLogistic("y", eta=0.3, cutpoints=cut, observed=np.array([0, 3, 2]))
    assert np.isclose(m.logp({}), np.log(probs[[0, 3, 2]]).sum())


def test_mixtures():
    w = np.array([0.3, 0.7])
    mu, sd = np.array([-1.0, 2.0]), np.array([0.5, 1.5])
    x = np.array([-2.0, 0.0, 1.0, 4.0])
    want = np.log(w[0] * stats.norm.pdf(x, mu[0], sd[0]) + w[1] * stats.norm.pdf(x, mu[1], sd[1]))
    v = T.dvector("v")
    for d in (pm.NormalMixture.dist(w=w, mu=mu, sigma=sd),
              pm.Mixture.dist(w=w, comp_dists=pm.Normal.dist(mu=mu, sigma=sd)),
              pm.Mixture.dist(w=w, comp_dists=[pm.Normal.dist(mu[0], sd[0]), pm.Normal.dist(mu[1], sd[1])])):
        np.testing.assert_allclose(arignote.function([v], d.logp(v))(x), want)
    with pm.Model() as m:
        wv = pm.Dirichlet("w", a=np.ones(2))
        mus = pm.Normal("mu", 0, 10, shape=2, testval=np.array([-1.0, 1.0]))
        pm.NormalMixture("obs", w=wv, mu=mus, sigma=1.0, observed=x)
    f = m.logp_dlogp_function()
    q = f.initial_point + 0.1
    eps = 1e-6
    fd = [(f(q + eps * e)[0] - f(q - eps * e)[0]) / (2 * eps) for e in np.eye(f.size)]
    np.testing.assert_allclose(f(q)[1], fd, rtol=1e-5, atol=1e-6)
    np.random.seed(5)
    draws = pm.NormalMixture.dist(w=w, mu=mu, sigma=sd).random(size=5000)
    cdf = lambda t: w[0] * stats.norm.cdf(t, mu[0], sd[0]) + w[1] * stats.norm.cdf(t, mu[1], sd[1])  # noqa: E731
    assert draws.shape == (5000,) and stats.kstest(draws, cdf).pvalue > 1e-3
