"""Empirical, SVGD/ASVGD (RBF kernel, median bandwidth) and normalizing flows (NFVI) against
NumPy, closed-form posteriors and numerical Jacobians."""
import warnings

import numpy as np
import pytest

import arignote
import arignote.tensor as T
import arignote.ppl as pm
from arignote.ppl.variational import flows
from arignote.ppl.variational.approximations import ParametrizationError
from arignote.ppl.variational.stein import rbf

Y = np.random.RandomState(0).normal(1.0, 1.0, 20)
PREC = 1 / 100 + Y.size  # Normal(0, 10) prior, unit-variance likelihood
POST_MEAN, POST_SD = Y.sum() / PREC, PREC ** -0.5


def normal_normal():
    with pm.Model() as m:
        mu = pm.Normal("mu", 0.0, 10.0)
        pm.Normal("y", mu, 1.0, observed=Y)
    return m


def gaussian_2d():
    with pm.Model() as m:
        pm.Normal("x", mu=np.array([1.0, -2.0]), sigma=np.array([0.5, 2.0]), shape=2)
    return m


def test_star_import_has_the_new_names():
    ns = {}
    exec("from arignote.ppl import *", ns)
    names = "Empirical SVGD ASVGD NFVI NormalizingFlow Minibatch align_minibatches ode".split()
    assert [n for n in names if n not in ns] == []


# ------------------------------------------------------------------ Empirical
def test_empirical_from_particles_mean_cov_and_draws():
    rng = np.random.RandomState(3)
    parts = rng.normal(size=(50, 2)) @ np.array([[1.0, 0.4], [0.0, 0.7]]) + [1.0, -1.0]
    with gaussian_2d():
        approx = pm.Empirical(parts)
    np.testing.assert_allclose(approx.mean.eval(), parts.mean(0))
    np.testing.assert_allclose(approx.cov.eval(), np.cov(parts.T, bias=True))
    np.testing.assert_allclose(approx.std.eval(), parts.std(0))
    draws = approx.sample(300).get_values("x")
    assert draws.shape == (300, 2)
    assert all(any(np.array_equal(d, p) for p in parts) for d in draws[:20])  # draws are particles
    assert repr(approx) == "Empirical[50, 2]"


def test_empirical_from_a_trace_maps_to_the_transformed_space():
    with pm.Model() as m:
        pm.Normal("mu", 0.0, 1.0)
        pm.HalfNormal("s", 1.0)
    with m:
        trace = pm.MeanField(random_seed=1).sample(40, include_transformed=False)
        approx = pm.Empirical(trace)
    hist = approx.histogram.get_value()
    assert hist.shape == (40, 2)
    np.testing.assert_allclose(hist[:, 0], trace.get_values("mu"))
    np.testing.assert_allclose(hist[:, 1], np.log(trace.get_values("s")))
    again = approx.sample(10)
    assert np.all(again.get_values("s") > 0)


def test_empirical_bad_input():
    with gaussian_2d():
        with pytest.raises(ParametrizationError, match="trace` or `size"):
            pm.Empirical()
        with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
            pm.Empirical(np.zeros((5, 3)))
        with pytest.raises(ParametrizationError):
            pm.Empirical(size=5, local_rv={})
    with normal_normal():
        with pytest.raises(ValueError, match="trace has not all FreeRV"):
            pm.Empirical(gaussian_2d_trace())


def gaussian_2d_trace():
    with gaussian_2d():
        return pm.MeanField(random_seed=0).sample(5)


def test_empirical_jittered_start():
    with gaussian_2d():
        approx = pm.Empirical(size=2000, jitter=0.5, start={"x": np.array([3.0, 4.0])}, random_seed=2)
    np.testing.assert_allclose(approx.mean.eval(), [3.0, 4.0], atol=0.05)
    np.testing.assert_allclose(approx.std.eval(), [0.5, 0.5], atol=0.03)


# ----------------------------------------------------------------------- SVGD
def test_rbf_kernel_matches_numpy():
    X = np.random.RandomState(5).normal(size=(7, 3))
    Xs = T.dmatrix("X")
    K, dK = arignote.function([Xs], list(rbf(Xs)))(X)
    H = ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1)
    h = 0.5 * np.median(H) / np.log(X.shape[0] + 1)
    K_ref = np.exp(-H / h / 2)
    # dK[i] = sum_j d k(x_j, x_i) / d x_j = sum_j k_ij (x_i - x_j) / h
    dK_ref = (K_ref[:, :, None] * (X[:, None, :] - X[None, :, :])).sum(1) / h
    np.testing.assert_allclose(K, K_ref, rtol=1e-10)
    np.testing.assert_allclose(dK, dK_ref, rtol=1e-10, atol=1e-12)


def test_svgd_recovers_the_normal_normal_posterior():
    with normal_normal():
        approx = pm.fit(2000, method="svgd", inf_kwargs=dict(n_particles=100), random_seed=1,
                        obj_optimizer=pm.adam(learning_rate=0.05), progressbar=False)
    assert isinstance(approx, pm.Empirical)
    assert float(approx.mean.eval()[0]) == pytest.approx(POST_MEAN, abs=0.02)
    assert float(approx.std.eval()[0]) == pytest.approx(POST_SD, rel=0.1)
    assert approx.hist.size == 0  # SVGD has no loss to record


def test_svgd_class_interface_and_score_warning():
    with gaussian_2d():
        inference = pm.SVGD(n_particles=40, jitter=1, random_seed=3)
        with pytest.warns(UserWarning, match="does not return loss"):
            approx = inference.fit(1000, score=True, obj_optimizer=pm.adam(learning_rate=0.05), progressbar=False)
    np.testing.assert_allclose(approx.mean.eval(), [1.0, -2.0], atol=0.1)
    np.testing.assert_allclose(approx.std.eval(), [0.5, 2.0], rtol=0.15)
    with pytest.raises(NotImplementedError):
        pm.SVGD(local_rv={}, model=normal_normal())


@pytest.mark.slow
def test_asvgd_fits_a_full_rank_gaussian():
    with normal_normal():
        with pytest.warns(UserWarning, match="experimental"):
            inference = pm.ASVGD(random_seed=1)
        approx = inference.fit(600, obj_optimizer=pm.adam(learning_rate=0.05), progressbar=False)
    assert isinstance(approx, pm.FullRank)
    assert float(approx.mean.eval()[0]) == pytest.approx(POST_MEAN, abs=0.03)
    assert float(approx.std.eval()[0]) == pytest.approx(POST_SD, rel=0.15)


# ---------------------------------------------------------------------- flows
@pytest.mark.parametrize("cls", [flows.LocFlow, flows.ScaleFlow, flows.HouseholderFlow, flows.PlanarFlow,
                                 flows.RadialFlow])
def test_flow_logdet_matches_numerical_jacobian(cls):
    d = 3
    flow = cls(d, 0.7, np.random.RandomState(11))
    z = T.dmatrix("z")
    fwd = arignote.function([z], flow.forward(z))
    logdet = arignote.function([z], flow.logdet(z))
    pts = np.random.RandomState(12).normal(size=(4, d))
    got = logdet(pts)
    assert got.shape == (4,)
    eps = 1e-6
    for k, p in enumerate(pts):
        J = np.stack([(fwd((p + eps * e)[None])[0] - fwd((p - eps * e)[None])[0]) / (2 * eps) for e in np.eye(d)], 1)
        assert got[k] == pytest.approx(np.log(abs(np.linalg.det(J))), abs=1e-6)


def test_formula_parsing():
    f = flows.Formula("scale-hh*2-loc")
    assert [c.short_name for c in f.flows] == ["scale", "hh", "hh", "loc"]
    assert flows.Formula(" Planar*3 ").formula == "planar*3"
    with pytest.raises(KeyError, match="No such flow"):
        flows.Formula("foo")
    with pytest.raises(ValueError, match="Wrong format"):
        flows.Formula("planar*x")
    with pytest.raises(TypeError, match="expected Formula or string"):
        flows.Formula(3)


def test_nfvi_scale_loc_matches_mean_field_advi():
    with gaussian_2d():
        nf = pm.fit(12000, method="nfvi", random_seed=4, obj_optimizer=pm.adam(learning_rate=0.01),
                    progressbar=False)
        advi = pm.fit(12000, method="advi", random_seed=4, obj_optimizer=pm.adam(learning_rate=0.01),
                      progressbar=False)
    assert isinstance(nf, pm.NormalizingFlow) and nf.formula.formula == "scale-loc"
    loc, rho = nf.flows[1].loc.get_value(), nf.flows[0].rho.get_value()
    sd = np.array([0.5, 2.0])  # tolerances in posterior sds: both fits end in the optimiser's noise
    assert np.all(np.abs(loc - advi.mean.eval()) < 0.1 * sd)
    np.testing.assert_allclose(np.log1p(np.exp(rho)), advi.std.eval(), rtol=0.08)
    assert np.all(np.abs(loc - [1.0, -2.0]) < 0.1 * sd)
    np.testing.assert_allclose(np.log1p(np.exp(rho)), sd, rtol=0.08)
    # -ELBO -> -log Z = 0 for a normalised target at the optimum
    assert np.mean(nf.hist[-1000:]) == pytest.approx(0.0, abs=0.05)


@pytest.mark.slow
def test_nfvi_planar_formula_recovers_the_posterior():
    with normal_normal():
        approx = pm.fit(20000, method="nfvi=planar*2-scale-loc", random_seed=1,
                        obj_optimizer=pm.adam(learning_rate=0.01), progressbar=False)
    draws = approx.sample(4000).get_values("mu")
    assert [type(f).__name__ for f in approx.flows] == ["PlanarFlow", "PlanarFlow", "ScaleFlow", "LocFlow"]
    assert draws.mean() == pytest.approx(POST_MEAN, abs=0.03)
    assert draws.std() == pytest.approx(POST_SD, rel=0.1)


def test_nfvi_class_and_bad_method():
    with gaussian_2d():
        inference = pm.NFVI("planar-loc", random_seed=0)
        assert [f.short_name for f in inference.approx.flows] == ["planar", "loc"]
        with pytest.raises(KeyError, match="method should be one of"):
            pm.fit(10, method="nope")
        with pytest.raises(KeyError, match="No such flow"):
            pm.fit(10, method="nfvi=nope")


# --------------------------------------------------- KLqp and the update helpers
def test_klqp_with_a_given_approximation():
    with normal_normal():
        approx = pm.MeanField(random_seed=2)
        out = pm.KLqp(approx).fit(8000, obj_optimizer=pm.adam(learning_rate=0.005), progressbar=False)
    assert out is approx
    assert float(approx.mean.eval()[0]) == pytest.approx(POST_MEAN, abs=0.05)  # adam's noise: ~0.1 sd
    assert float(approx.std.eval()[0]) == pytest.approx(POST_SD, rel=0.1)
    with pytest.raises(TypeError, match="not both"):
        pm.ADVI(approx=approx, start={"mu": 1.0})


@pytest.mark.parametrize("nesterov", [False, True])
def test_apply_momentum_rules(nesterov):
    p = arignote.shared(np.array([1.0, -2.0]))
    g = np.array([0.5, 0.25])
    updates = pm.sgd([T.constant(g)], [p], learning_rate=0.1)
    apply = pm.apply_nesterov_momentum if nesterov else pm.apply_momentum
    step = arignote.function([], [], updates=apply(updates, momentum=0.8))
    x, v = np.array([1.0, -2.0]), np.zeros(2)
    for _ in range(4):
        step()
        u = x - 0.1 * g
        if nesterov:
            v = 0.8 * v + u - x
            x = 0.8 * v + u
        else:
            v, x = 0.8 * v + u - x, 0.8 * v + u
    np.testing.assert_allclose(p.get_value(), x)


def test_norm_constraints_match_numpy():
    W = np.random.RandomState(4).normal(size=(3, 5)) * 3
    Ws = T.dmatrix("W")
    out = arignote.function([Ws], pm.norm_constraint(Ws, 2.0))(W)
    norms = np.sqrt((W ** 2).sum(0, keepdims=True))
    np.testing.assert_allclose(out, W * (np.clip(norms, 0, 2.0) / (1e-7 + norms)))
    with pytest.raises(ValueError, match="norm_axes"):
        pm.norm_constraint(T.dvector("v"), 1.0)
    a, b = T.dvector("a"), T.dmatrix("b")
    scaled, norm = pm.total_norm_constraint([a, b], 1.5, return_norm=True)
    av, bv = np.array([3.0, 4.0]), np.ones((2, 2))
    sa, sb, n = arignote.function([a, b], scaled + [norm])(av, bv)
    total = np.sqrt(25.0 + 4.0)
    assert n == pytest.approx(total)
    np.testing.assert_allclose(sa, av * 1.5 / (1e-7 + total))
    np.testing.assert_allclose(sb, bv * 1.5 / (1e-7 + total))


def test_stein_gradients_see_one_minibatch_per_step():
    from arignote.ppl.variational.stein import batched_dlogp

    data = np.arange(100.0)
    x = pm.Minibatch(data, batch_size=5)
    with pm.Model():
        pm.Normal("mu", 0.0, 10.0)
        pm.Normal("y", pm.Model.get_context()["mu"], 1.0, observed=x, total_size=100)
        particles = pm.Empirical(np.array([[0.0], [0.0], [1.0]]))
    f = arignote.function([], [batched_dlogp(particles, particles.histogram), x])
    g1, b1 = f()
    g2, b2 = f()
    # d/dmu at mu: -mu/100 + 20 * sum(batch - mu): the same batch for every particle of a step
    np.testing.assert_allclose(g1[:, 0], [20 * b1.sum(), 20 * b1.sum(), -0.01 + 20 * (b1.sum() - 5)])
    np.testing.assert_allclose(g2[:, 0], [20 * b2.sum(), 20 * b2.sum(), -0.01 + 20 * (b2.sum() - 5)])
    assert not np.array_equal(b1, b2)


# ------------------------------------------------------------- local_rv (AEVB)
def _aevb_model(N=1000, B=50):
    rng = np.random.RandomState(0)
    y = rng.normal(1.5, 1.0, N) + rng.normal(0, 0.5, N)
    yb = pm.Minibatch(y, batch_size=B)
    with pm.Model() as m:
        mu = pm.Normal("mu", 0.0, 10.0)
        z = pm.Normal("z", mu, 1.0, shape=B, total_size=N)
        pm.Normal("y", z, 0.5, observed=yb, total_size=N)
    return m, y, yb, z


@pytest.mark.slow
def test_local_rv_amortised_encoder_reaches_the_mean_field_optimum():
    # z_i ~ N(mu, 1), y_i ~ N(z_i, 0.5): with q(mu) q(z_i | y_i) and the encoder N(a y_i + b, sd),
    # the optimum is a = 0.8, sd = sqrt(1/5), b = mu/5 with mu at the data mean.
    m, y, yb, z = _aevb_model()
    a, b, c = (arignote.shared(0.0, name=n) for n in "abc")
    with m:
        approx = pm.fit(40000, local_rv={z: (a * yb + b, c + 0 * yb)}, more_obj_params=[a, b, c],
                        obj_optimizer=pm.adam(learning_rate=0.002), random_seed=1, progressbar=False)
    assert [v.name for v in approx.vars] == ["mu"]
    assert a.get_value() == pytest.approx(0.8, abs=0.03)
    assert np.log1p(np.exp(c.get_value())) == pytest.approx(0.2 ** 0.5, abs=0.02)
    assert float(approx.mean.eval()[0]) == pytest.approx(y.mean(), abs=0.03)
    assert b.get_value() == pytest.approx(y.mean() / 5, abs=0.02)
    trace = approx.sample(4)
    assert trace.get_values("z").shape == (4, 50)


def test_local_rv_bad_input():
    m, y, yb, z = _aevb_model(N=100, B=10)
    with m:
        with pytest.raises(ValueError, match="'mu' and 'rho'"):
            pm.fit(1, local_rv={z: {"mu": yb}}, progressbar=False)
        with pytest.raises(ValueError, match="not a free variable"):
            pm.fit(1, local_rv={T.dvector("w"): (yb, yb)}, progressbar=False)
        with pytest.raises(TypeError, match="local_rv must be a dict"):
            pm.fit(1, local_rv=[(z, yb)], progressbar=False)
        with pytest.raises(NotImplementedError):
            pm.fit(1, method="svgd", local_rv={z: (yb, yb)}, progressbar=False)
        with pytest.raises(NotImplementedError):
            pm.fit(1, method="nfvi", local_rv={z: (yb, yb)}, progressbar=False)
    with pm.Model():
        w = pm.Normal("w", 0.0, 1.0, shape=3)
        with pytest.raises(ParametrizationError, match="global"):
            pm.MeanField(local_rv={w: (np.zeros(3), np.zeros(3))})
