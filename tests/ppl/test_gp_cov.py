"""pm.gp.cov, pm.gp.mean and pm.gp.util against NumPy closed forms."""
import warnings

import numpy as np
import pytest

import arignote
import arignote.ppl as pm
import arignote.tensor as T

R = np.random.default_rng(42)
X = R.uniform(-2, 2, size=(6, 3))
Xs = R.uniform(-2, 2, size=(4, 3))


def ev(*graphs):
    return arignote.function([], list(graphs))()


def sqd(A, B, ls):
    d = (A[:, None, :] - B[None, :, :]) / ls
    return np.sum(d * d, -1)


LS = np.array([0.7, 1.3])
STATIONARY = [
    (pm.gp.cov.ExpQuad, {}, lambda r2: np.exp(-0.5 * r2)),
    (pm.gp.cov.RatQuad, {"alpha": 1.7}, lambda r2: (1 + r2 / (2 * 1.7)) ** -1.7),
    (pm.gp.cov.Exponential, {}, lambda r2: np.exp(-0.5 * np.sqrt(r2))),
    (pm.gp.cov.Matern52, {}, lambda r2: (1 + np.sqrt(5 * r2) + 5 * r2 / 3) * np.exp(-np.sqrt(5 * r2))),
    (pm.gp.cov.Matern32, {}, lambda r2: (1 + np.sqrt(3 * r2)) * np.exp(-np.sqrt(3 * r2))),
    (pm.gp.cov.Matern12, {}, lambda r2: np.exp(-np.sqrt(r2))),
    (pm.gp.cov.Cosine, {}, lambda r2: np.cos(2 * np.pi * np.sqrt(r2))),
]


@pytest.mark.parametrize("cls,kw,ref", STATIONARY, ids=lambda v: getattr(v, "__name__", ""))
def test_stationary_kernels_on_active_dims(cls, kw, ref):
    k = cls(3, ls=LS, active_dims=[0, 2], **kw)
    K, Kxs, d = ev(k(X), k(X, Xs), k(X, diag=True))
    cols = [0, 2]
    np.testing.assert_allclose(K, ref(sqd(X[:, cols], X[:, cols], LS)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(Kxs, ref(sqd(X[:, cols], Xs[:, cols], LS)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(d, np.diag(K), atol=1e-5)
    assert K.shape == (6, 6) and Kxs.shape == (6, 4) and d.shape == (6,)


def test_ls_inv_is_the_inverse_lengthscale():
    a = pm.gp.cov.ExpQuad(1, ls_inv=2.0)(X[:, :1])
    b = pm.gp.cov.ExpQuad(1, ls=0.5)(X[:, :1])
    c = pm.gp.cov.ExpQuad(2, ls_inv=[2.0, 4.0])(X[:, :2])
    Ka, Kb, Kc = ev(a, b, c)
    np.testing.assert_allclose(Ka, Kb)
    np.testing.assert_allclose(Kc, np.exp(-0.5 * sqd(X[:, :2], X[:, :2], np.array([0.5, 0.25]))))
    with pytest.raises(ValueError, match="Only one of 'ls' or 'ls_inv'"):
        pm.gp.cov.ExpQuad(1, ls=1.0, ls_inv=1.0)
    with pytest.raises(ValueError, match="Only one of 'ls' or 'ls_inv'"):
        pm.gp.cov.ExpQuad(1)


def test_periodic_kernel():
    k = pm.gp.cov.Periodic(1, period=1.5, ls=0.8)
    x = X[:, :1]
    d = x - x.T
    np.testing.assert_allclose(ev(k(x))[0], np.exp(-0.5 * (np.sin(np.pi * d / 1.5) / 0.8) ** 2), rtol=1e-10)
    np.testing.assert_allclose(ev(k(x, diag=True))[0], np.ones(6))


def test_linear_polynomial_constant_whitenoise():
    lin = pm.gp.cov.Linear(3, c=0.5)
    poly = pm.gp.cov.Polynomial(3, c=0.5, d=3, offset=1.2)
    G = (X - 0.5) @ (Xs - 0.5).T
    K1, K2, d1, d2 = ev(lin(X, Xs), poly(X, Xs), lin(X, diag=True), poly(X, diag=True))
    np.testing.assert_allclose(K1, G)
    np.testing.assert_allclose(K2, (G + 1.2) ** 3)
    np.testing.assert_allclose(d1, np.sum((X - 0.5) ** 2, 1))
    np.testing.assert_allclose(d2, (np.sum((X - 0.5) ** 2, 1) + 1.2) ** 3)
    c, w = pm.gp.cov.Constant(2.5), pm.gp.cov.WhiteNoise(0.3)
    Kc, Kcs, Kw, Kws, dw = ev(c(X), c(X, Xs), w(X), w(X, Xs), w(X, diag=True))
    np.testing.assert_allclose(Kc, np.full((6, 6), 2.5))
    np.testing.assert_allclose(Kcs, np.full((6, 4), 2.5))
    np.testing.assert_allclose(Kw, 0.09 * np.eye(6))
    np.testing.assert_allclose(Kws, np.zeros((6, 4)))
    np.testing.assert_allclose(dw, np.full(6, 0.09))


def test_arithmetic_on_covariances():
    k1, k2 = pm.gp.cov.ExpQuad(3, ls=1.1), pm.gp.cov.Matern32(3, ls=0.6)
    A = R.normal(size=(6, 6))
    E1, E2 = ev(k1(X), k2(X))
    combos = {
        "sum": (k1 + k2, E1 + E2),
        "prod": (k1 * k2, E1 * E2),
        "scalar": (3.0 * k1 + 1.5, 3.0 * E1 + 1.5),
        "array_left": (A * k1, A * E1),
        "array_add": (A + k1, A + E1),
        "pow": (k1 ** 2, E1 ** 2),
        "nested": ((k1 + k2) * k1 ** 0.5, (E1 + E2) * E1 ** 0.5),
        "tensor": (k1 * T.as_tensor_variable(2.0), 2.0 * E1),
    }
    outs = ev(*[c(X) for c, _ in combos.values()])
    for (name, (_, ref)), out in zip(combos.items(), outs):
        np.testing.assert_allclose(out, ref, rtol=1e-10, err_msg=name)
    # the diagonal of a combination takes the diagonal of array factors
    d = ev((A * k1 + k2)(X, diag=True))[0]
    np.testing.assert_allclose(d, np.diag(A * E1 + E2))
    with pytest.raises(ValueError, match="exponentiated by a scalar"):
        k1 ** np.ones(3)
    with pytest.raises(ValueError, match="exponentiated by a scalar"):
        k1 ** T.vector()
    p_shared, p_tensor = arignote.shared(np.array([3.0])), T.as_tensor_variable(0.5)
    Kp, Kt = ev((k1 ** p_shared)(X), (k1 ** p_tensor)(X))
    np.testing.assert_allclose(Kp, E1 ** 3)
    np.testing.assert_allclose(Kt, E1 ** 0.5)
    assert (k1 + k2).input_dim == 3


def test_warped_gibbs_scaled():
    base = pm.gp.cov.ExpQuad(1, ls=0.7)
    x, xs = X[:, :1], Xs[:, :1]
    warp = pm.gp.cov.WarpedInput(1, cov_func=base, warp_func=lambda x, a: a * T.sin(x), args=(2.0,))
    Kw = ev(warp(x, xs))[0]
    np.testing.assert_allclose(Kw, np.exp(-0.5 * sqd(2 * np.sin(x), 2 * np.sin(xs), 0.7)))
    gibbs = pm.gp.cov.Gibbs(1, lambda x, a: a + 0.5 * T.flatten(x) ** 2, args=1.0)
    l1, l2 = 1 + 0.5 * x.ravel() ** 2, 1 + 0.5 * xs.ravel() ** 2
    s2 = l1[:, None] ** 2 + l2[None, :] ** 2
    ref = np.sqrt(2 * np.outer(l1, l2) / s2) * np.exp(-((x - xs.T) ** 2) / s2)
    np.testing.assert_allclose(ev(gibbs(x, xs))[0], ref, rtol=1e-10)
    sc = pm.gp.cov.ScaledCov(1, base, lambda x: T.exp(T.flatten(x)))
    Ks, ds = ev(sc(x, xs), sc(x, diag=True))
    np.testing.assert_allclose(Ks, np.outer(np.exp(x), np.exp(xs)) * np.exp(-0.5 * sqd(x, xs, 0.7)))
    np.testing.assert_allclose(ds, np.exp(2 * x.ravel()))
    with pytest.raises(TypeError, match="callable"):
        pm.gp.cov.WarpedInput(1, base, warp_func=3)
    with pytest.raises(TypeError, match="Covariance"):
        pm.gp.cov.ScaledCov(1, "not a kernel", np.exp)
    with pytest.raises(NotImplementedError):
        pm.gp.cov.Gibbs(2, np.exp)


def test_coregion_and_kron():
    W, kappa = R.normal(size=(3, 2)), np.array([0.5, 1.0, 1.5])
    B = W @ W.T + np.diag(kappa)
    idx = np.array([[0], [2], [1], [2]], float)
    co = pm.gp.cov.Coregion(1, W=W, kappa=kappa)
    K, d = ev(co(idx), co(idx, diag=True))
    np.testing.assert_allclose(K, B[idx.astype(int).ravel()][:, idx.astype(int).ravel()])
    np.testing.assert_allclose(d, np.diag(B)[idx.astype(int).ravel()])
    np.testing.assert_allclose(ev(pm.gp.cov.Coregion(1, B=B)(idx))[0], K)
    with pytest.raises(ValueError, match="Exactly one of"):
        pm.gp.cov.Coregion(1, W=W, kappa=kappa, B=B)
    with pytest.raises(ValueError, match="exactly one dimension"):
        pm.gp.cov.Coregion(2, B=B)
    k1, k2 = pm.gp.cov.ExpQuad(1, ls=0.4), pm.gp.cov.Matern52(2, ls=[0.5, 0.9])
    x1, x2 = np.linspace(0, 1, 3)[:, None], R.uniform(size=(2, 2))
    kron = pm.gp.cov.Kron([k1, k2])
    assert kron.input_dim == 3
    grid = np.hstack([np.repeat(x1, 2, 0), np.tile(x2, (3, 1))])
    Kk, K1, K2 = ev(kron(grid), k1(x1), k2(x2))
    np.testing.assert_allclose(Kk, np.kron(K1, K2), rtol=1e-6)


def test_circular_kernel():
    k = pm.gp.cov.Circular(1, period=4.0, tau=5)
    x = np.array([[0.1], [1.0], [3.9]])
    t = np.abs((x - x.T + 2) % 4 - 2)
    np.testing.assert_allclose(ev(k(x))[0], (1 + 5 * t / 2) * np.clip(1 - t / 2, 0, None) ** 5)


def test_symbolic_inputs_and_input_dim_warning():
    Xt = T.matrix("X")
    k = pm.gp.cov.ExpQuad(2, ls=0.9, active_dims=[1, 2])
    f = arignote.function([Xt], k(Xt))
    np.testing.assert_allclose(f(X), np.exp(-0.5 * sqd(X[:, 1:], X[:, 1:], 0.9)))
    with pytest.warns(UserWarning, match="Only 1 column"):
        pm.gp.cov.ExpQuad(1, ls=1.0)(X)
    with pytest.raises(TypeError, match="input_dim"):
        pm.gp.cov.ExpQuad(0.5, ls=1.0)


def test_mean_functions():
    b, a = np.array([0.5, -1.0, 2.0]), 0.3
    zero, const, lin = pm.gp.mean.Zero(), pm.gp.mean.Constant(1.7), pm.gp.mean.Linear(coeffs=b, intercept=a)
    outs = ev(zero(X), const(X), lin(X), (lin + const)(X), (lin * const)(X))
    np.testing.assert_allclose(outs[0], np.zeros(6))
    np.testing.assert_allclose(outs[1], np.full(6, 1.7))
    np.testing.assert_allclose(outs[2], X @ b + a)
    np.testing.assert_allclose(outs[3], X @ b + a + 1.7)
    np.testing.assert_allclose(outs[4], (X @ b + a) * 1.7)


def test_util():
    K = np.ones((3, 3))
    np.testing.assert_allclose(ev(pm.gp.util.stabilize(T.as_tensor_variable(K)))[0], K + 1e-6 * np.eye(3))
    pts = np.vstack([R.normal(0, 0.1, (30, 2)), R.normal(5, 0.1, (30, 2))])
    Xu = pm.gp.util.kmeans_inducing_points(2, pts)
    assert Xu.shape == (2, 2)
    np.testing.assert_allclose(np.sort(Xu[:, 0]), [0, 5], atol=0.1)
    with pytest.raises(TypeError, match="K-means"):
        pm.gp.util.kmeans_inducing_points(2, T.matrix())
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    x = np.linspace(0, 1, 20)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = pm.gp.util.plot_gp_dist(ax, R.normal(size=(50, 20)), x)
    assert out is ax and len(ax.collections) == 40 and len(ax.lines) == 30
    plt.close(fig)


def test_bad_inputs_name_the_culprit():
    k = pm.gp.cov.ExpQuad(2, ls=1.0, active_dims=[0, 3])
    with pytest.raises(ValueError, match=r"active_dims \[0, 3\] go beyond the 3 column"):
        k(X)
    with pytest.raises(ValueError, match="2-d array"):
        pm.gp.cov.ExpQuad(1, ls=1.0)(np.linspace(0, 1, 5))
    with pytest.raises(TypeError, match="Kron takes covariance functions"):
        pm.gp.cov.Kron([pm.gp.cov.ExpQuad(1, ls=1.0), np.eye(2)])


def test_coregion_times_a_kernel_on_another_column():
    B = np.array([[2.0, 0.5], [0.5, 1.0]])
    Xt = np.column_stack([np.linspace(0, 1, 4).repeat(2), np.tile([0.0, 1.0], 4)])
    k = pm.gp.cov.ExpQuad(2, ls=0.5, active_dims=[0]) * pm.gp.cov.Coregion(2, B=B, active_dims=[1])
    idx = Xt[:, 1].astype(int)
    ref = np.exp(-0.5 * (Xt[:, :1] - Xt[:, :1].T) ** 2 / 0.25) * B[idx][:, idx]
    K, d = ev(k(Xt), k(Xt, diag=True))
    np.testing.assert_allclose(K, ref)
    np.testing.assert_allclose(d, np.diag(ref))
