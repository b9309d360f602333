"""Rank-normalised split R-hat and bulk ESS (Vehtari et al. 2021) in NumPy alone.

``sample()``'s convergence checks need two numbers per parameter; importing ArviZ for
them costs about 2.5 s of a cold run (xarray, scipy.stats, matplotlib), far more than
sampling a small model. These follow ArviZ's ``rhat(method="rank")`` and
``ess(method="bulk")`` step for step, so the warnings and ``trace.report`` figures are
the same; ``pm.rhat``/``pm.ess`` and ``summary`` still go through ArviZ itself.
"""
from __future__ import annotations

import warnings
from statistics import NormalDist

import numpy as np

__all__ = ["rhat_rank", "ess_bulk", "max_rhat_min_ess"]

_ppf = np.frompyfunc(NormalDist().inv_cdf, 1, 1)


def _ranks(a):
    """Average ranks (1-based, ties share their mean rank) of the flattened array."""
    flat = a.ravel()
    order = np.argsort(flat, kind="mergesort")
    s = flat[order]
    first = np.r_[True, s[1:] != s[:-1]]
    group = np.cumsum(first)
    bounds = np.r_[np.nonzero(first)[0], s.size]
    ranks = np.empty(s.size)
    ranks[order] = 0.5 * (bounds[group] + bounds[group - 1] + 1)
    return ranks


def _z_scale(a):
    r = (_ranks(a) - 0.375) / (a.size + 0.25)  # Blom's offset, c = 3/8
    return _ppf(r).astype(float).reshape(a.shape)


def _split(a):
    half = a.shape[1] // 2
    return np.vstack([a[:, :half], a[:, a.shape[1] - half:]])


def _rhat(a):
    n = a.shape[1]
    between = n * np.var(a.mean(axis=1), ddof=1)
    within = np.mean(np.var(a, axis=1, ddof=1))
    return float(np.sqrt((between / within + n - 1) / n))


def _valid(a, min_chains):
    return a.ndim == 2 and a.shape[0] >= min_chains and a.shape[1] >= 4 and not np.isnan(a).any()


def rhat_rank(a):
    """Rank-normalised split R-hat of one (chains, draws) array: max of bulk and tail."""
    a = np.asarray(a, dtype=float)
    if not _valid(a, 2):
        return np.nan
    s = _split(a)
    return max(_rhat(_z_scale(s)), _rhat(_z_scale(np.abs(s - np.median(s)))))


def _autocov(a):
    n = a.shape[1]
    m = 1 << (2 * n - 1).bit_length()
    centred = a - a.mean(axis=1, keepdims=True)
    f = np.fft.rfft(centred, n=m, axis=1)
    f *= np.conjugate(f)
    return np.fft.irfft(f, n=m, axis=1)[:, :n] / n


def _ess(a):
    if np.max(a) - np.min(a) < np.finfo(float).resolution:
        return float(a.size)
    n_chain, n_draw = a.shape
    acov = _autocov(a)
    mean_var = np.mean(acov[:, 0]) * n_draw / (n_draw - 1.0)
    var_plus = mean_var * (n_draw - 1.0) / n_draw
    if n_chain > 1:
        var_plus += np.var(a.mean(axis=1), ddof=1)
    rho = 1.0 - (mean_var - acov.mean(axis=0)) / var_plus
    rho_t = np.zeros(n_draw)
    even, odd = 1.0, rho[1]
    rho_t[0], rho_t[1] = even, odd
    t = 1
    while t < n_draw - 3 and even + odd > 0.0:  # Geyer's initial positive sequence
        even, odd = rho[t + 1], rho[t + 2]
        if even + odd >= 0:
            rho_t[t + 1], rho_t[t + 2] = even, odd
        t += 2
    max_t = t - 2
    if even > 0:
        rho_t[max_t + 1] = even
    t = 1
    while t <= max_t - 2:  # Geyer's initial monotone sequence
        if rho_t[t + 1] + rho_t[t + 2] > rho_t[t - 1] + rho_t[t]:
            rho_t[t + 1] = rho_t[t + 2] = (rho_t[t - 1] + rho_t[t]) / 2.0
        t += 2
    total = n_chain * n_draw
    tau = -1.0 + 2.0 * np.sum(rho_t[:max_t + 1]) + np.sum(rho_t[max_t + 1:max_t + 2])
    tau = max(tau, 1 / np.log10(total))
    return np.nan if np.isnan(rho_t).any() else float(total / tau)


def ess_bulk(a):
    """Bulk effective sample size of one (chains, draws) array."""
    a = np.asarray(a, dtype=float)
    if not _valid(a, 1):
        return np.nan
    return _ess(_z_scale(_split(a)))


def _per_variable(fn, values, reduce):
    v = np.asarray(values, dtype=float)
    flat = v.reshape(v.shape[0], v.shape[1], -1)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(reduce(np.array([fn(flat[:, :, i]) for i in range(flat.shape[2])])))


def max_rhat_min_ess(posterior):
    """(largest R-hat, smallest bulk ESS) over ``posterior``'s ``(chains, draws, ...)`` arrays,
    reduced as ``sample()`` reduced ArviZ's datasets: nanmax/nanmin per variable, then over them."""
    max_rhat = max((_per_variable(rhat_rank, v, np.nanmax) for v in posterior.values()), default=1.0)
    min_ess = min((_per_variable(ess_bulk, v, np.nanmin) for v in posterior.values()), default=np.inf)
    return max_rhat, min_ess
