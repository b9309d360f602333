"""``pm.ode.DifferentialEquation`` against closed forms, SciPy's solve_ivp and finite differences."""
import numpy as np
import pytest
from scipy.integrate import solve_ivp

import arignote
import arignote.tensor as T
import arignote.ppl as pm
from arignote.ppl.exceptions import ShapeError


def decay(y, t, p):
    return -p[0] * y[0]


def lotka_volterra(y, t, p):
    # p = (alpha, beta, gamma, delta)
    return [p[0] * y[0] - p[1] * y[0] * y[1], p[3] * y[0] * y[1] - p[2] * y[1]]


def _lv_numpy(t, y, p):
    return [p[0] * y[0] - p[1] * y[0] * y[1], p[3] * y[0] * y[1] - p[2] * y[1]]


TIMES = np.linspace(0.5, 5.0, 10)
LV_TIMES = np.linspace(0.2, 6.0, 15)
LV_P = np.array([1.0, 0.5, 0.8, 0.3])


def _compiled(ode_model, n_states, n_theta, grad_of=None):
    y0, theta = T.dvector("y0"), T.dvector("theta")
    sol = ode_model(y0=y0, theta=theta)
    outs = [sol]
    if grad_of is not None:
        cost = grad_of(sol)
        outs += T.grad(cost, [y0, theta]) + [cost]
    return arignote.function([y0, theta], outs)


def test_exponential_decay_matches_closed_form():
    ode_model = pm.ode.DifferentialEquation(decay, TIMES, n_states=1, n_theta=1)
    (sol,) = _compiled(ode_model, 1, 1)([2.0], [0.7])
    assert sol.shape == (10, 1) and sol.dtype == np.float64
    np.testing.assert_allclose(sol[:, 0], 2.0 * np.exp(-0.7 * TIMES), rtol=1e-6)


def test_t0_shifts_the_start():
    ode_model = pm.ode.DifferentialEquation(decay, TIMES, n_states=1, n_theta=1, t0=0.25)
    (sol,) = _compiled(ode_model, 1, 1)([1.0], [1.3])
    np.testing.assert_allclose(sol[:, 0], np.exp(-1.3 * (TIMES - 0.25)), rtol=1e-6)


def test_lotka_volterra_matches_solve_ivp():
    ode_model = pm.ode.DifferentialEquation(lotka_volterra, LV_TIMES, n_states=2, n_theta=4)
    (sol,) = _compiled(ode_model, 2, 4)([2.0, 1.0], LV_P)
    ref = solve_ivp(_lv_numpy, (0.0, LV_TIMES[-1]), [2.0, 1.0], t_eval=LV_TIMES, args=(LV_P,),
                    rtol=1e-10, atol=1e-12)
    assert sol.shape == (15, 2)
    np.testing.assert_allclose(sol, ref.y.T, rtol=1e-5, atol=1e-7)


def test_gradient_matches_finite_differences():
    ode_model = pm.ode.DifferentialEquation(lotka_volterra, LV_TIMES, n_states=2, n_theta=4)
    w = np.random.RandomState(0).normal(size=(15, 2))
    f = _compiled(ode_model, 2, 4, grad_of=lambda s: (s * w).sum() + (s ** 2).sum())
    y0 = np.array([2.0, 1.0])
    _, g_y0, g_theta, _ = f(y0, LV_P)

    def cost(y, p):
        return f(y, p)[-1]

    eps = 1e-6
    fd_y0 = [(cost(y0 + eps * e, LV_P) - cost(y0 - eps * e, LV_P)) / (2 * eps) for e in np.eye(2)]
    fd_th = [(cost(y0, LV_P + eps * e) - cost(y0, LV_P - eps * e)) / (2 * eps) for e in np.eye(4)]
    np.testing.assert_allclose(g_y0, fd_y0, rtol=1e-4)
    np.testing.assert_allclose(g_theta, fd_th, rtol=1e-4)


def test_sensitivities_output_of_decay():
    ode_model = pm.ode.DifferentialEquation(decay, TIMES, n_states=1, n_theta=1)
    y0, theta = T.dvector("y0"), T.dvector("theta")
    sol, sens = ode_model(y0, theta, return_sens=True)
    s = arignote.function([y0, theta], sens)([2.0], [0.7])
    assert s.shape == (10, 1, 2)
    np.testing.assert_allclose(s[:, 0, 0], np.exp(-0.7 * TIMES), rtol=1e-5)  # d y / d y0
    np.testing.assert_allclose(s[:, 0, 1], -2.0 * TIMES * np.exp(-0.7 * TIMES), rtol=1e-5)  # d y / d k


def test_bad_arguments():
    with pytest.raises(ValueError, match="callable"):
        pm.ode.DifferentialEquation(3, TIMES, n_states=1, n_theta=1)
    with pytest.raises(ValueError, match="n_states"):
        pm.ode.DifferentialEquation(decay, TIMES, n_states=0, n_theta=1)
    with pytest.raises(ValueError, match="n_theta"):
        pm.ode.DifferentialEquation(decay, TIMES, n_states=1, n_theta=0)
    with pytest.raises(TypeError):
        pm.ode.DifferentialEquation(decay, TIMES, 1, 1)  # n_states and n_theta are keyword-only
    ode_model = pm.ode.DifferentialEquation(decay, TIMES, n_states=1, n_theta=1)
    with pytest.raises(ShapeError, match="Length of y0"):
        ode_model(y0=[1.0, 2.0], theta=[0.5])
    with pytest.raises(ShapeError, match="Length of theta"):
        ode_model(y0=[1.0], theta=[0.5, 1.0])


@pytest.mark.slow
def test_model_recovers_decay_rate_with_nuts():
    rng = np.random.RandomState(42)
    k_true, sigma = 0.6, 0.05
    data = 3.0 * np.exp(-k_true * TIMES) + rng.normal(0, sigma, TIMES.size)
    ode_model = pm.ode.DifferentialEquation(decay, TIMES, n_states=1, n_theta=1)
    with pm.Model():
        k = pm.HalfNormal("k", 2.0)
        sol = ode_model(y0=[3.0], theta=[k])
        pm.Normal("y", mu=sol[:, 0], sigma=sigma, observed=data)
        trace = pm.sample(300, tune=300, chains=1, cores=1, random_seed=3, progressbar=False,
                          compute_convergence_checks=False)
    # least squares on the closed form gives the reference estimate
    ks = np.linspace(0.4, 0.8, 4001)
    sse = [((data - 3.0 * np.exp(-kk * TIMES)) ** 2).sum() for kk in ks]
    k_hat = ks[int(np.argmin(sse))]
    post = trace.get_values("k")
    assert abs(post.mean() - k_hat) < 0.01
    assert 0.001 < post.std() < 0.02


def test_pickled_op_solves_again():
    import pickle

    ode_model = pm.ode.DifferentialEquation(decay, TIMES, n_states=1, n_theta=1)
    (sol,) = _compiled(ode_model, 1, 1)([2.0], [0.7])
    clone = pickle.loads(pickle.dumps(ode_model))
    assert clone == ode_model and clone._system_fn is None
    (again,) = _compiled(clone, 1, 1)([2.0], [0.7])
    np.testing.assert_allclose(again, sol)


def test_func_with_the_wrong_number_of_derivatives():
    ode_model = pm.ode.DifferentialEquation(lambda y, t, p: [-p[0] * y[0]], TIMES, n_states=2, n_theta=1)
    with pytest.raises(ShapeError, match="wrong number of derivatives"):
        ode_model(y0=[1.0, 2.0], theta=[0.5])
