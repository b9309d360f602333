"""PyMC3's "A Hierarchical model for Rugby prediction" notebook (Six Nations): Poisson scores
with a home advantage, an intercept and attack/defence strengths centred to sum to zero.

The data are synthetic, from a known generating process (6 teams, each pairing played home and
away three times).  References: the maximum likelihood fit of the same Poisson GLM (scipy), whose
inverse Fisher information gives the posterior spread; the flat/weak priors make the posterior
means sit within a fraction of a posterior sd of it, and the truth within a few sds.
Deliberate differences from PyMC3: synthetic scores instead of the 2014 results, 2 x 500 draws.
"""
import numpy as np
from scipy import optimize

import arignote.tensor as tt
import arignote.ppl as pm

FAST = dict(progressbar=False, compute_convergence_checks=False, cores=1)
NT = 6
ATT = np.array([0.15, 0.05, 0.2, -0.1, -0.35, 0.05])
DEF = np.array([-0.1, 0.0, -0.2, 0.1, 0.3, -0.1])
INTERCEPT, HOME = 2.9, 0.15


def _games(seed=2014):
    rng = np.random.default_rng(seed)
    att, dfn = ATT - ATT.mean(), DEF - DEF.mean()
    pairs = [(h, a) for h in range(NT) for a in range(NT) if h != a] * 3
    home_team, away_team = np.array(pairs).T
    home_goals = rng.poisson(np.exp(INTERCEPT + HOME + att[home_team] + dfn[away_team]))
    away_goals = rng.poisson(np.exp(INTERCEPT + att[away_team] + dfn[home_team]))
    return home_team, away_team, home_goals, away_goals, att, dfn


def _design(home_team, away_team):
    """Rows of (intercept, home, atts[0..4], defs[0..4]) with team 5 = -sum of the others."""
    def coded(idx):
        m = np.zeros((len(idx), NT - 1))
        for r, t in enumerate(idx):
            if t < NT - 1:
                m[r, t] = 1.0
            else:
                m[r, :] = -1.0
        return m

    ones = np.ones((len(home_team), 1))
    home_rows = np.hstack([ones, ones, coded(home_team), coded(away_team)])
    away_rows = np.hstack([ones, 0 * ones, coded(away_team), coded(home_team)])
    return np.vstack([home_rows, away_rows])


def _mle(home_team, away_team, home_goals, away_goals):
    X = _design(home_team, away_team)
    y = np.concatenate([home_goals, away_goals])

    def nll(th):
        eta = X @ th
        return -(y * eta - np.exp(eta)).sum(), -(X.T @ (y - np.exp(eta)))

    th = optimize.minimize(nll, np.zeros(X.shape[1]), jac=True, method="BFGS", options={"gtol": 1e-10}).x
    cov = np.linalg.inv(X.T @ (np.exp(X @ th)[:, None] * X))  # inverse Fisher information
    expand = np.vstack([np.eye(NT - 1), -np.ones((1, NT - 1))])  # the 5 free strengths -> all 6
    J = np.zeros((2 + 2 * NT, len(th)))
    J[0, 0] = J[1, 1] = 1.0
    J[2:2 + NT, 2:1 + NT] = expand
    J[2 + NT:, 1 + NT:] = expand
    return J @ th, np.sqrt(np.diag(J @ cov @ J.T))


def test_rugby_hierarchical_poisson():
    home_team, away_team, home_goals, away_goals, att, dfn = _games()
    with pm.Model():
        home = pm.Flat("home")
        sd_att = pm.HalfStudentT("sd_att", nu=3, sigma=2.5)
        sd_def = pm.HalfStudentT("sd_def", nu=3, sigma=2.5)
        intercept = pm.Flat("intercept")
        atts_star = pm.Normal("atts_star", mu=0, sigma=sd_att, shape=NT)
        defs_star = pm.Normal("defs_star", mu=0, sigma=sd_def, shape=NT)
        atts = pm.Deterministic("atts", atts_star - tt.mean(atts_star))
        defs = pm.Deterministic("defs", defs_star - tt.mean(defs_star))
        home_theta = tt.exp(intercept + home + atts[home_team] + defs[away_team])
        away_theta = tt.exp(intercept + atts[away_team] + defs[home_team])
        pm.Poisson("home_points", mu=home_theta, observed=home_goals)
        pm.Poisson("away_points", mu=away_theta, observed=away_goals)
        trace = pm.sample(500, tune=500, chains=2, random_seed=[1, 2], target_accept=0.9, **FAST)

    assert trace["atts"].shape == (1000, NT) and trace["diverging"].sum() == 0
    np.testing.assert_allclose(trace["atts"].sum(1), 0.0, atol=1e-12)
    np.testing.assert_allclose(trace["defs"].sum(1), 0.0, atol=1e-12)
    post = np.concatenate([[trace["intercept"].mean(), trace["home"].mean()],
                           trace["atts"].mean(0), trace["defs"].mean(0)])
    post_sd = np.concatenate([[trace["intercept"].std(), trace["home"].std()],
                              trace["atts"].std(0), trace["defs"].std(0)])
    mle, mle_sd = _mle(home_team, away_team, home_goals, away_goals)
    assert np.all(np.abs(post - mle) < 0.6 * mle_sd), (post - mle) / mle_sd
    np.testing.assert_allclose(post_sd, mle_sd, rtol=0.25)
    truth = np.concatenate([[INTERCEPT, HOME], att, dfn])
    assert np.all(np.abs(post - truth) < 4 * mle_sd)
    assert (trace["home"] > 0).mean() > 0.99  # the home advantage the notebook reports
    # the notebook's ranking of attack strength: the strongest and weakest teams are recovered
    assert np.argmax(post[2:2 + NT]) == np.argmax(att) and np.argmin(post[2:2 + NT]) == np.argmin(att)
