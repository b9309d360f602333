"""What MLDA estimates besides the draws: the Gaussian bias between two
levels' forward models (adaptive error model, Cui et al. 2012) and the
variance-reduced multilevel estimate of a quantity of interest."""

from __future__ import annotations

import numpy as np

__all__ = ["RecursiveSampleMoments", "extract_Q_estimate"]


class RecursiveSampleMoments:
    """Running mean and (unbiased) covariance of the samples seen, starting
    from ``mu_0``/``sigma_0`` counted as ``t`` samples."""

    def __init__(self, mu_0, sigma_0, t=1):
        self.mu = np.array(mu_0, dtype=float)
        self.sigma = np.array(sigma_0, dtype=float)
        self.t = int(t)

    def __call__(self):
        return self.mu, self.sigma

    def get_mu(self):
        return self.mu

    def get_sigma(self):
        return self.sigma

    def update(self, x) -> None:
        """Add the sample ``x`` (Welford's update)."""
        x = np.asarray(x, dtype=float)
        d = x - self.mu
        t = self.t
        self.sigma = (t - 1) / t * self.sigma + np.outer(d, d).reshape(self.sigma.shape) / (t + 1)
        self.mu = self.mu + d / (t + 1)
        self.t = t + 1


def _stacked(trace, name):
    rows = trace.get_sampler_stats(name)
    return np.concatenate([np.atleast_1d(np.asarray(r, dtype=float)) for r in rows])


def _mean_and_var_of_mean(values):
    """The mean of a chain of values and its squared Monte Carlo error (variance / ESS)."""
    import arviz as az

    ess = float(np.asarray(az.ess(values.reshape(1, -1))))
    return values.mean(), values.var() / ess


def extract_Q_estimate(trace, levels):
    """``(mean, standard error)`` of the quantity of interest from a trace of
    ``MLDA(variance_reduction=True)`` with ``levels`` levels: the mean of the
    coarsest level's Q plus the mean difference between each pair of levels
    (the telescoping sum), the errors from each term's effective sample size."""
    levels = int(levels)
    if levels < 2:
        raise ValueError(f"levels must be at least 2 (a fine and a coarse model), got {levels}")
    names = trace.stat_names
    missing = [n for n in ["Q_0"] + [f"Q_{k}_{k - 1}" for k in range(1, levels)] if n not in names]
    if missing:
        raise KeyError(f"the trace has no statistics {missing}: sample with "
                       f"MLDA(variance_reduction=True) and {levels} levels")
    mean, var = _mean_and_var_of_mean(_stacked(trace, "Q_0"))
    for k in range(1, levels):
        m, v = _mean_and_var_of_mean(_stacked(trace, f"Q_{k}_{k - 1}"))
        mean, var = mean + m, var + v
    return mean, np.sqrt(var)
