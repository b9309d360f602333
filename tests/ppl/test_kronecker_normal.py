"""KroneckerNormal against the dense MvNormal it stands for, and the pm.math Kronecker helpers."""
import numpy as np
import pytest
import scipy.stats as st

import arignote.ppl as pm
import arignote.tensor as T

R = np.random.default_rng(11)


def spd(n):
    A = R.normal(size=(n, n))
    return A @ A.T + n * np.eye(n)


COVS = [spd(2), spd(3), spd(2)]
DENSE = np.kron(np.kron(COVS[0], COVS[1]), COVS[2])
MU = R.normal(size=12)
VALUES = R.normal(size=(4, 12))


def logp(dist, value):
    return dist.logp(T.as_tensor_variable(value)).eval()


@pytest.mark.parametrize("kind", ["covs", "chols", "evds"])
def test_logp_matches_dense_mvnormal(kind):
    arg = {"covs": COVS, "chols": [np.linalg.cholesky(c) for c in COVS],
           "evds": [np.linalg.eigh(c) for c in COVS]}[kind]
    dist = pm.KroneckerNormal.dist(mu=MU, **{kind: arg})
    assert tuple(dist.shape) == (12,)
    ref = st.multivariate_normal(MU, DENSE)
    assert float(logp(dist, VALUES[0])) == pytest.approx(ref.logpdf(VALUES[0]), rel=1e-10)
    np.testing.assert_allclose(logp(dist, VALUES), ref.logpdf(VALUES), rtol=1e-10)


@pytest.mark.parametrize("kind", ["covs", "chols", "evds"])
def test_logp_with_white_noise(kind):
    arg = {"covs": COVS, "chols": [np.linalg.cholesky(c) for c in COVS],
           "evds": [np.linalg.eigh(c) for c in COVS]}[kind]
    dist = pm.KroneckerNormal.dist(mu=MU, sigma=0.7, **{kind: arg})
    ref = st.multivariate_normal(MU, DENSE + 0.49 * np.eye(12)).logpdf(VALUES)
    np.testing.assert_allclose(logp(dist, VALUES), ref, rtol=1e-10)


def test_in_a_model_with_gradient():
    y = R.normal(size=12)
    with pm.Model() as model:
        s = pm.HalfNormal("s", 1.0)
        pm.KroneckerNormal("y", mu=0.0, covs=COVS, sigma=s, observed=y)
    f = model.logp
    pt = {"s_log__": np.log(0.4)}
    ref = (st.multivariate_normal(np.zeros(12), DENSE + 0.16 * np.eye(12)).logpdf(y)
           + st.halfnorm.logpdf(0.4) + np.log(0.4))
    assert f(pt) == pytest.approx(ref, rel=1e-10)
    g = model.dlogp()(pt)[0]
    h = 1e-6
    fd = (f({"s_log__": np.log(0.4) + h}) - f({"s_log__": np.log(0.4) - h})) / (2 * h)
    assert g == pytest.approx(fd, rel=1e-5)


@pytest.mark.parametrize("sigma", [None, 0.5])
def test_random_covariance(sigma):
    dist = pm.KroneckerNormal.dist(mu=MU, covs=COVS, sigma=sigma)
    draws = dist.random(size=20000)
    assert draws.shape == (20000, 12)
    target = DENSE + (0 if sigma is None else sigma ** 2) * np.eye(12)
    np.testing.assert_allclose(draws.mean(0), MU, atol=0.15 * np.sqrt(np.diag(target).max()) / 2)
    emp = np.cov(draws, rowvar=False)
    np.testing.assert_allclose(emp, target, atol=0.06 * np.abs(target).max())


def test_errors():
    with pytest.raises(ValueError, match="exactly one of covs, chols, or evds"):
        pm.KroneckerNormal.dist(mu=0.0)
    with pytest.raises(ValueError, match="exactly one of covs, chols, or evds"):
        pm.KroneckerNormal.dist(mu=0.0, covs=COVS, chols=COVS)
    with pytest.raises(ValueError, match="does not match"):
        pm.KroneckerNormal.dist(mu=0.0, covs=COVS, shape=10)
    with pytest.raises(ValueError, match=r"covs\[1\] must be a matrix"):
        pm.KroneckerNormal.dist(mu=0.0, covs=[COVS[0], np.ones(3)])


def test_math_kron_helpers():
    A, B = R.normal(size=(2, 2)), R.normal(size=(3, 3))
    m = R.normal(size=(6, 4))
    np.testing.assert_allclose(pm.math.kron_dot([A, B], m).eval(), np.kron(A, B) @ m)
    np.testing.assert_allclose(pm.math.kronecker(A, B).eval(), np.kron(A, B))
    La, Lb = np.tril(A) + 3 * np.eye(2), np.tril(B) + 3 * np.eye(3)
    np.testing.assert_allclose(pm.math.kron_solve_lower([La, Lb], m).eval(), np.linalg.solve(np.kron(La, Lb), m))
    np.testing.assert_allclose(pm.math.kron_solve_upper([La.T, Lb.T], m[:, 0]).eval().ravel(),
                               np.linalg.solve(np.kron(La.T, Lb.T), m[:, 0]))
    np.testing.assert_allclose(pm.math.kron_diag(np.arange(1.0, 3.0), np.arange(3.0)).eval(),
                               np.kron(np.arange(1.0, 3.0), np.arange(3.0)))
    np.testing.assert_allclose(pm.math.cartesian([1, 2], [3, 4, 5]),
                               [[1, 3], [1, 4], [1, 5], [2, 3], [2, 4], [2, 5]])
