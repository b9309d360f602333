"""arignote.ppl.glm: formulas, families, default and given priors, against least squares and SciPy MLEs."""
import numpy as np
import pandas as pd
import pytest
from scipy import optimize, special, stats

import arignote.ppl as pm
from arignote.ppl import glm


def _mle(nll, k, h=1e-4):
    """SciPy's maximum-likelihood estimate and its standard errors (from a finite-difference Hessian)."""
    res = optimize.minimize(nll, np.zeros(k), method="Nelder-Mead",
                            options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000})
    assert res.success, res.message
    e = np.eye(k) * h
    hess = np.array([[(nll(res.x + a + b) - nll(res.x + a - b) - nll(res.x - a + b) + nll(res.x - a - b))
                      / (4 * h * h) for b in e] for a in e])
    return res.x, np.sqrt(np.diag(np.linalg.inv(hess)))


def _map(model, names):
    with model:
        est = pm.find_MAP(progressbar=False)
    return np.array([est[n] for n in names])


def _posterior_means(model, names, seed):
    with model:
        trace = pm.sample(400, tune=400, chains=2, cores=1, random_seed=seed, progressbar=False,
                          compute_convergence_checks=False)
    return np.array([trace[n].mean() for n in names])


@pytest.fixture(scope="module")
def logistic_data():
    rng = np.random.default_rng(5)
    x = rng.normal(size=200)
    p = special.expit(-0.5 + 1.5 * x)
    return pd.DataFrame({"x": x, "y": rng.binomial(1, p)})


def test_linear_posterior_means_are_least_squares():
    from arignote.ppl.examples import glm_linear

    m = glm_linear.model
    assert [v.name for v in m.free_RVs] == ["Intercept", "x", "sd_log__"]
    assert [v.name for v in m.observed_RVs] == ["y"]
    assert [type(m[n].distribution).__name__ for n in ("Intercept", "x", "sd", "y")] == \
        ["Flat", "Normal", "HalfCauchy", "Normal"]
    A = np.column_stack([np.ones(glm_linear.size), glm_linear.x])
    coef, rss = np.linalg.lstsq(A, glm_linear.y, rcond=None)[:2]
    np.testing.assert_allclose(_map(m, ["Intercept", "x"]), coef, atol=2e-3)
    sigma = np.sqrt(rss[0] / (glm_linear.size - 2))
    se = sigma * np.sqrt(np.diag(np.linalg.inv(A.T @ A)))
    means = _posterior_means(m, ["Intercept", "x", "sd"], seed=1)
    # posterior means within 4 Monte Carlo errors (about ESS 300 each) of the least-squares answer
    assert np.all(np.abs(means[:2] - coef) < 4 * se / np.sqrt(300) + 1e-3), (means, coef)
    assert abs(means[2] - sigma) < 0.05 * sigma


def test_logistic_glm_matches_scipy_mle(logistic_data):
    x, y = logistic_data["x"].to_numpy(), logistic_data["y"].to_numpy()

    def nll(b):
        eta = b[0] + b[1] * x
        return -np.sum(y * eta - np.logaddexp(0, eta))

    mle, se = _mle(nll, 2)
    with pm.Model() as m:
        g = glm.GLM.from_formula("y ~ x", logistic_data, family="binomial")
    assert [v.name for v in m.free_RVs] == ["Intercept", "x"]
    assert type(m["y"].distribution).__name__ == "Binomial" and g.family.parent == "p"
    np.testing.assert_allclose(_map(m, ["Intercept", "x"]), mle, atol=1e-4)
    means = _posterior_means(m, ["Intercept", "x"], seed=2)
    assert np.all(np.abs(means - mle) < 0.5 * se), (means, mle, se)


def test_binomial_family_with_trials_matches_scipy_mle():
    dose = np.array([-0.86, -0.3, -0.05, 0.73])
    deaths = np.array([0, 1, 3, 5])

    def nll(b):
        return -stats.binom.logpmf(deaths, 5, special.expit(b[0] + b[1] * dose)).sum()

    mle, _ = _mle(nll, 2)
    with pm.Model() as m:
        glm.glm("deaths ~ dose", {"dose": dose, "deaths": deaths},
                family=glm.families.Binomial(priors={"n": 5}))
    np.testing.assert_allclose(_map(m, ["Intercept", "dose"]), mle, rtol=1e-4)
    pt = {"Intercept": np.array(0.8), "dose": np.array(7.0)}
    assert np.isclose(m.logp(pt), -nll([0.8, 7.0]) + stats.norm.logpdf(7.0, 0, 1000), rtol=1e-10)


def test_poisson_glm_matches_scipy_mle():
    rng = np.random.default_rng(7)
    x = rng.uniform(0, 2, size=150)
    k = rng.poisson(np.exp(0.3 + 0.8 * x))

    def nll(b):
        return -stats.poisson.logpmf(k, np.exp(b[0] + b[1] * x)).sum()

    mle, se = _mle(nll, 2)
    with pm.Model() as m:
        glm.GLM.from_formula("k ~ x", {"x": x, "k": k}, family=glm.families.Poisson())
    assert [v.name for v in m.free_RVs] == ["Intercept", "x"] and [v.name for v in m.observed_RVs] == ["y"]
    assert type(m["y"].distribution).__name__ == "Poisson"
    np.testing.assert_allclose(_map(m, ["Intercept", "x"]), mle, atol=1e-4)
    means = _posterior_means(m, ["Intercept", "x"], seed=3)
    assert np.all(np.abs(means - mle) < 0.5 * se), (means, mle, se)


def test_categoricals_interactions_and_transforms():
    rng = np.random.default_rng(9)
    n = 60
    df = pd.DataFrame({"x": rng.uniform(1, 3, n), "z": rng.normal(size=n), "g": rng.choice(["a", "b", "c"], n)})
    df["y"] = 1 + np.log(df.x) - 2 * (df.g == "b") + 0.5 * df.x * df.z + rng.normal(scale=0.1, size=n)
    with pm.Model() as m:
        g = glm.GLM.from_formula("y ~ np.log(x) + g + x:z", df)
    labels = ["Intercept", "np.log(x)", "g[T.b]", "g[T.c]", "x:z"]
    assert g.labels == labels
    assert [v.name for v in m.free_RVs] == labels + ["sd_log__"]
    X = np.column_stack([np.ones(n), np.log(df.x), df.g == "b", df.g == "c", df.x * df.z]).astype(float)
    np.testing.assert_allclose(g.x, X)
    coef = np.linalg.lstsq(X, df.y, rcond=None)[0]
    np.testing.assert_allclose(_map(m, labels), coef, atol=1e-3)
    # the log-density at a point, by SciPy
    b = np.array([0.5, 1.0, -1.0, 0.2, 0.3])
    pt = dict(zip(labels, map(np.array, b)), sd_log__=np.log(0.7))
    want = (stats.norm.logpdf(df.y, X @ b, 0.7).sum() + stats.norm.logpdf(b[1:], 0, 1000).sum()
            + stats.halfcauchy.logpdf(0.7, scale=10) + np.log(0.7))
    assert np.isclose(m.logp(pt), want, rtol=1e-10)


def test_dict_and_dataframe_give_the_same_model():
    d = {"x": np.linspace(0, 1, 20), "y": np.linspace(1, 3, 20) ** 2}
    pt = {"Intercept": np.array(0.3), "x": np.array(1.2), "sd_log__": np.array(0.1)}
    lps = []
    for data in (d, pd.DataFrame(d)):
        with pm.Model() as m:
            glm.glm("y ~ x", data)
        lps.append(m.logp(pt))
    assert lps[0] == lps[1]


def test_priors_replace_the_defaults():
    d = {"x": np.linspace(0, 1, 20), "w": np.linspace(2, 1, 20), "y": np.linspace(1, 3, 20)}
    with pm.Model() as m:
        glm.GLM.from_formula("y ~ x + w", d, priors={"Intercept": pm.Normal.dist(0, 10),
                                                      "Regressor": pm.Laplace.dist(0, 1), "w": pm.Cauchy.dist(0, 2)},
                             family=glm.families.Normal(priors={"sd": pm.HalfNormal.dist(1.0)}))
    kinds = {n: type(m[n].distribution).__name__ for n in ("Intercept", "x", "w", "sd")}
    assert kinds == {"Intercept": "Normal", "x": "Laplace", "w": "Cauchy", "sd": "HalfNormal"}
    assert glm.families.Normal.priors["sd"].__class__.__name__ == "HalfCauchy"  # the class default is kept


def test_student_t_family():
    d = {"x": np.linspace(0, 1, 30), "y": np.sin(np.linspace(0, 3, 30))}
    with pm.Model() as m:
        glm.glm("y ~ x", d, family="student")
    assert [v.name for v in m.free_RVs] == ["Intercept", "x", "lam_log__"]
    pt = {"Intercept": np.array(0.2), "x": np.array(0.5), "lam_log__": np.log(4.0)}
    want = (stats.t.logpdf(d["y"], 1, 0.2 + 0.5 * d["x"], 1 / np.sqrt(4.0)).sum() + stats.norm.logpdf(0.5, 0, 1000)
            + stats.halfcauchy.logpdf(4.0, scale=10) + np.log(4.0))
    assert np.isclose(m.logp(pt), want, rtol=1e-10)


def test_named_glm_prefixes_its_variables():
    d = {"x": np.linspace(0, 1, 10), "y": np.linspace(0, 1, 10)}
    with pm.Model() as m:
        glm.glm("y ~ x", d, name="lin_")
    assert [v.name for v in m.free_RVs] == ["lin_Intercept", "lin_x", "lin_sd_log__"]
    assert [v.name for v in m.observed_RVs] == ["lin_y"]


def test_formula_errors_name_the_culprit():
    d = {"x": np.arange(5.0), "y": np.arange(5.0)}
    with pm.Model() as m:
        with pytest.raises(ValueError, match=r"unknown column 'w' \(the data has columns x, y\)"):
            glm.glm("y ~ x + w", d)
        with pytest.raises(ValueError, match=r"unknown columns 'q', 'w'"):
            glm.glm("q ~ np.log(w)", pd.DataFrame(d))
        with pytest.raises(ValueError, match="has no response"):
            glm.glm("~ x", d)
        with pytest.raises(ValueError, match="unknown glm family 'gamma'"):
            glm.glm("y ~ x", d, family="gamma")
        with pytest.raises(TypeError, match="data must be a dict or a pandas DataFrame, got list"):
            glm.glm("y ~ x", [1, 2, 3])
        with pytest.raises(ValueError, match="poisson: the response must be non-negative whole numbers"):
            glm.glm("y ~ x", {"x": np.arange(3.0), "y": np.array([0.5, 1, 2])}, family="poisson")
    assert list(m.free_RVs) == [] and list(m.observed_RVs) == []  # no half-built GLM left behind


def test_plot_posterior_predictive_glm_draws_one_line_per_sample():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from arignote.ppl.examples import glm_linear

    with glm_linear.model:
        trace = pm.sample(50, tune=50, chains=1, cores=1, random_seed=4, progressbar=False,
                          compute_convergence_checks=False)
    plt.figure()
    pm.plot_posterior_predictive_glm(trace, samples=12, label="posterior predictive regression lines",
                                     random_seed=0)
    lines = plt.gca().get_lines()
    assert len(lines) == 12 and [ln.get_label() for ln in lines].count("posterior predictive regression lines") == 1
    x0, y0 = lines[0].get_data()
    assert len(x0) == 100 and x0[0] == 0 and x0[-1] == 1
    # each line is Intercept + x * slope of one draw
    slopes = (y0[-1] - y0[0]) / (x0[-1] - x0[0])
    assert np.isclose(slopes, trace["x"], rtol=1e-12).any()
    assert plt.gca().get_title() == "Posterior predictive"
    plt.close("all")


def test_negative_binomial_family_and_a_formula_without_intercept():
    k = np.array([0, 3, 1, 7, 2, 12, 4, 9])
    x = np.linspace(0, 1, 8)
    with pm.Model() as m:
        glm.glm("k ~ 0 + x", {"x": x, "k": k}, family="negative_binomial")
    assert [v.name for v in m.free_RVs] == ["x", "alpha_log__"]
    pt = {"x": np.array(2.0), "alpha_log__": np.log(3.0)}
    mu = np.exp(2.0 * x)
    want = (stats.nbinom.logpmf(k, 3.0, 3.0 / (3.0 + mu)).sum() + stats.norm.logpdf(2.0, 0, 1000)
            + stats.halfcauchy.logpdf(3.0, scale=10) + np.log(3.0))
    assert np.isclose(m.logp(pt), want, rtol=1e-10)
