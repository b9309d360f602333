"""The step methods on flat NumPy targets (no model): leapfrog, NUTS tree,
adaptation, and posterior recovery within Monte-Carlo error."""

import math

import arviz as az
import numpy as np
import pytest

from arignote import plugin_manager
from arignote.plugins.samplers import (HMC, NUTS, BinaryGibbsMetropolis, CategoricalGibbsMetropolis,
                                       Metropolis, Slice)
from arignote.plugins.samplers.chain import Layout, run_chain
from arignote.plugins.samplers.integration import coefficients, initial_leaf, leapfrog
from arignote.plugins.samplers.mass_matrix import DiagMassAdapt, adaptation_windows
from arignote.plugins.samplers.metropolis import tune_scaling
from arignote.plugins.samplers.step_size import DualAverage
from arignote.plugins.samplers.trajectory import nuts_trajectory

from sampler_targets import DiscreteTarget, GaussianTarget

MU = np.array([1.0, -2.0])
COV = np.array([[1.0, 1.8], [1.8, 4.0]])  # correlation 0.9


def _run(step, target, draws=1000, tune=1000, seed=0, chains=2, x0=None):
    layout = Layout([target.vars[0].name], [(target.size,)], [target.vars[0].dtype])
    out = []
    for c in range(chains):
        r = run_chain(step, layout, np.zeros(target.size) if x0 is None else x0, draws, tune,
                      np.random.default_rng([seed, c]), chain=c)
        assert r.error is None, r.error
        out.append(r)
    return out


def _check_moments(draws, mu, cov, z=4.5):
    """Means within z Monte-Carlo standard errors (ESS-based), variances within 30%."""
    for i in range(draws.shape[-1]):
        x = draws[..., i]
        ess = float(az.ess(x))
        assert ess > 30, ess
        se = math.sqrt(cov[i, i] / ess)
        assert abs(x.mean() - mu[i]) < z * se, (i, x.mean(), mu[i], se)
        assert abs(x.var() / cov[i, i] - 1) < 0.3, (i, x.var(), cov[i, i])


def test_leapfrog_is_reversible_and_nearly_conserves_energy():
    f = GaussianTarget(MU, COV)
    q0 = np.array([0.3, 0.1])
    logp, grad = f(q0)
    inv_mass = np.array([1.0, 2.0])
    root = initial_leaf(q0, np.array([0.5, -0.2]), logp, grad, inv_mass)
    leaf = root
    for _ in range(20):
        leaf = leapfrog(f, leaf, coefficients(0.05, inv_mass), inv_mass)
    assert abs(leaf.energy - root.energy) < 1e-2
    back = leaf
    for _ in range(20):
        back = leapfrog(f, back, coefficients(-0.05, inv_mass), inv_mass)
    np.testing.assert_allclose(back.q, q0, atol=1e-12)
    np.testing.assert_allclose(back.p, root.p, atol=1e-12)


def test_stan_adaptation_windows():
    start, ends = adaptation_windows(1000)
    assert start == 75 and ends == [100, 150, 250, 450, 950]
    start, ends = adaptation_windows(100)  # short warm-ups: 15% / 75% / 10%
    assert start == 15 and ends[-1] == 90
    assert adaptation_windows(10) == (10, [])


def test_mass_matrix_estimates_variances():
    rng = np.random.default_rng(1)
    sd = np.array([0.1, 3.0])
    for estimator in ("stan", "grad"):
        adapt = DiagMassAdapt(2, 1000, estimator)
        changed = []
        for i in range(1000):
            q = rng.standard_normal(2) * sd
            changed.append(adapt.update(i, q, -q / sd**2))
        assert sum(changed) == 5
        np.testing.assert_allclose(adapt.inv_mass, sd**2, rtol=0.25)


def test_dual_averaging_reaches_target():
    da = DualAverage(1.0, target=0.8)
    for _ in range(500):
        eps = da.current(True)
        da.update(math.exp(-eps))  # acceptance falls with the step size
    assert abs(da.averaged - (-math.log(0.8))) < 0.03


def test_nuts_trajectory_stops_at_a_u_turn_and_detects_divergence():
    f = GaussianTarget(np.zeros(2), np.eye(2))
    rng = np.random.default_rng(0)
    q = np.array([1.0, 0.0])
    logp, grad = f(q)
    root = initial_leaf(q, np.array([0.0, 1.0]), logp, grad, np.ones(2))
    tree = nuts_trajectory(f, root, 0.1, np.ones(2), rng, max_treedepth=10)
    # half an orbit of a unit-variance Gaussian takes ~31 steps of 0.1
    assert 3 <= tree.depth <= 7 and not tree.diverging
    assert tree.n_steps < 2**7
    tree = nuts_trajectory(f, root, 50.0, np.ones(2), rng, max_treedepth=10, max_energy=1000.0)
    assert tree.diverging and tree.depth == 1


@pytest.mark.parametrize("cls,kwargs", [(NUTS, {}), (NUTS, {"mass_matrix": "grad"}), (HMC, {}),
                                        (Slice, {})])
def test_recovers_correlated_gaussian(cls, kwargs):
    f = GaussianTarget(MU, COV)
    runs = _run(cls(logp_dlogp_func=f, **kwargs), f)
    draws = np.stack([r.samples[r.n_tune:] for r in runs])
    _check_moments(draws, MU, COV)
    corr = np.corrcoef(draws.reshape(-1, 2).T)[0, 1]
    assert abs(corr - 0.9) < 0.05


def test_nuts_stats_and_tuning():
    f = GaussianTarget(MU, COV)
    runs = _run(NUTS(logp_dlogp_func=f), f)
    st = runs[0].stats[0]
    assert set(st) == set(NUTS.stat_names)
    assert st["tune"][:1000].all() and not st["tune"][1000:].any()
    assert st["depth"].dtype.kind == "i" and st["diverging"].dtype == bool
    assert np.ptp(st["step_size"][1000:]) == 0  # fixed after tuning
    assert 0.7 < st["mean_tree_accept"][1000:].mean() < 0.99
    assert not st["diverging"][1000:].any()
    np.testing.assert_allclose(st["model_logp"], [f(x)[0] for x in runs[0].samples])


def test_metropolis_recovers_gaussian_and_tunes_scale():
    f = GaussianTarget(MU, np.diag([1.0, 4.0]))
    runs = _run(Metropolis(logp_dlogp_func=f), f, draws=4000, tune=1000)
    draws = np.stack([r.samples[r.n_tune:] for r in runs])
    _check_moments(draws, MU, np.diag([1.0, 4.0]))
    st = runs[0].stats[0]
    assert 0.15 < st["accepted"][1000:].mean() < 0.7
    assert st["scaling"][0] == 1.0 and st["scaling"][-1] != 1.0


def test_tune_scaling_follows_pymc3_table():
    table = [(0.0, 0.1), (0.01, 0.5), (0.1, 0.9), (0.3, 1.0), (0.6, 1.1), (0.8, 2.0), (0.99, 10.0)]
    for rate, factor in table:
        assert tune_scaling(1.0, rate) == factor


def test_metropolis_on_a_discrete_variable():
    logps = np.log([0.1, 0.2, 0.3, 0.4])
    f = DiscreteTarget(logps)
    runs = _run(Metropolis(logp_dlogp_func=f), f, draws=6000, tune=500, x0=np.array([1.0]))
    draws = np.concatenate([r.samples[r.n_tune:, 0] for r in runs])
    assert set(np.unique(draws)) <= {0.0, 1.0, 2.0, 3.0}
    freq = np.bincount(draws.astype(int), minlength=4) / draws.size
    np.testing.assert_allclose(freq, np.exp(logps), atol=0.04)


def test_categorical_gibbs_both_proposals():
    logps = np.log([0.5, 0.1, 0.15, 0.25])
    for proposal in ("uniform", "proportional"):
        f = DiscreteTarget(logps)
        step = CategoricalGibbsMetropolis(logp_dlogp_func=f, proposal=proposal, k=4)
        runs = _run(step, f, draws=4000, tune=0, x0=np.array([0.0]))
        draws = np.concatenate([r.samples[:, 0] for r in runs])
        freq = np.bincount(draws.astype(int), minlength=4) / draws.size
        np.testing.assert_allclose(freq, np.exp(logps), atol=0.03)


def test_binary_gibbs():
    f = DiscreteTarget(np.log([0.3, 0.7]))
    runs = _run(BinaryGibbsMetropolis(logp_dlogp_func=f), f, draws=4000, tune=0,
                x0=np.array([0.0]))
    draws = np.concatenate([r.samples[:, 0] for r in runs])
    assert abs(draws.mean() - 0.7) < 0.03


def test_same_seed_same_draws():
    f = GaussianTarget(MU, COV)
    a = _run(NUTS(logp_dlogp_func=f), f, draws=50, tune=50, seed=3, chains=1)[0].samples
    b = _run(NUTS(logp_dlogp_func=f), f, draws=50, tune=50, seed=3, chains=1)[0].samples
    c = _run(NUTS(logp_dlogp_func=f), f, draws=50, tune=50, seed=4, chains=1)[0].samples
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


class _Broken(GaussianTarget):
    """Raises after ``limit`` evaluations."""

    limit = 300

    def __call__(self, x):
        if self.calls >= self.limit:
            raise FloatingPointError("boom in the likelihood")
        return super().__call__(x)


def test_a_failing_logp_is_reported_with_the_draws_so_far():
    f = _Broken(MU, COV)
    layout = Layout(["x"], [(2,)], ["float64"])
    r = run_chain(NUTS(logp_dlogp_func=f), layout, np.zeros(2), 100, 100, np.random.default_rng(0))
    assert r.error is not None and "boom in the likelihood" in r.error
    assert 0 < r.n_done < 200 and r.samples.shape == (r.n_done, 2)
    assert all(len(v) == r.n_done for v in r.stats[0].values())


def test_bad_arguments():
    f = GaussianTarget(MU, COV)
    with pytest.raises(ValueError, match="target_accept"):
        NUTS(logp_dlogp_func=f, target_accept=1.5)
    with pytest.raises(ValueError, match="max_treedepth"):
        NUTS(logp_dlogp_func=f, max_treedepth=0)
    with pytest.raises(TypeError, match="unexpected keyword"):
        NUTS(logp_dlogp_func=f, step_sise=0.1)
    with pytest.raises(ValueError, match="scaling"):
        Metropolis(logp_dlogp_func=f, scaling=-1.0)
    with pytest.raises(ValueError, match="estimator"):
        NUTS(logp_dlogp_func=f, mass_matrix="dense")


def test_samplers_are_registered_plugins_with_capabilities():
    records = plugin_manager.samplers()
    assert {"NUTS", "HMC", "Metropolis", "Slice", "BinaryGibbsMetropolis",
            "CategoricalGibbsMetropolis"} <= set(records)
    assert "gradient" in records["NUTS"].capabilities
    assert "discrete" in records["Metropolis"].capabilities
    assert records["NUTS"].factory is NUTS


def test_scaling_from_a_point_uses_the_hessian_diagonal():
    f = GaussianTarget(MU, np.diag([0.25, 9.0]))
    step = NUTS(logp_dlogp_func=f, scaling={"x": np.array([0.3, 0.1])})
    np.testing.assert_allclose(step.inv_mass, [0.25, 9.0], rtol=1e-6)
    step = NUTS(logp_dlogp_func=f, scaling=np.array([2.0, 4.0]), is_cov=True)
    np.testing.assert_allclose(step.inv_mass, [2.0, 4.0])
    step = NUTS(logp_dlogp_func=f, scaling=np.array([2.0, 4.0]))  # a precision
    np.testing.assert_allclose(step.inv_mass, [0.5, 0.25])


def test_binary_metropolis():
    from arignote.plugins.samplers import BinaryMetropolis

    f = DiscreteTarget(np.log([0.3, 0.7]))
    runs = _run(BinaryMetropolis(logp_dlogp_func=f), f, draws=4000, tune=200, x0=np.array([0.0]))
    draws = np.concatenate([r.samples[r.n_tune:, 0] for r in runs])
    assert set(np.unique(draws)) <= {0.0, 1.0}
    assert abs(draws.mean() - 0.7) < 0.04
    assert set(runs[0].stats[0]) == {"accept", "tune", "p_jump"}
