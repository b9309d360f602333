"""sample()'s ArviZ-free convergence figures against ArviZ's rhat(method="rank") and ess(method="bulk")."""
import numpy as np
import pytest

az = pytest.importorskip("arviz")

from arignote.ppl.convergence import ess_bulk, max_rhat_min_ess, rhat_rank


@pytest.mark.parametrize("shape", [(2, 1000), (4, 37), (2, 5), (3, 200), (1, 50)])
def test_matches_arviz(shape):
    rng = np.random.default_rng(sum(shape))
    a = rng.normal(size=shape).cumsum(axis=1) * 0.1 + rng.normal(size=shape)
    a[0, :3] = a[0, 3]  # ties get average ranks
    expected_rhat = float(az.rhat(a)) if shape[0] > 1 else np.nan
    np.testing.assert_allclose(rhat_rank(a), expected_rhat, rtol=1e-12)
    np.testing.assert_allclose(ess_bulk(a), float(az.ess(a)), rtol=1e-10)


def test_constant_chain_and_nan():
    assert ess_bulk(np.ones((2, 100))) == 200.0
    a = np.random.default_rng(1).normal(size=(2, 100))
    a[1, 5] = np.nan
    assert np.isnan(rhat_rank(a)) and np.isnan(ess_bulk(a))
    assert np.isnan(rhat_rank(np.zeros((2, 3))))  # fewer than 4 draws


def test_reduction_over_variables_matches_arviz():
    rng = np.random.default_rng(2)
    post = {"a": rng.normal(size=(2, 300)), "b": rng.normal(size=(2, 300, 3)).cumsum(axis=1)}
    ds = az.from_dict(posterior=post).posterior
    rhat, ess = az.rhat(ds), az.ess(ds)
    want = (max(float(np.nanmax(rhat[v].values)) for v in rhat.data_vars),
            min(float(np.nanmin(ess[v].values)) for v in ess.data_vars))
    np.testing.assert_allclose(max_rhat_min_ess(post), want, rtol=1e-10)
