"""One SMC run (PyMC3 3.11's algorithm): tempering from the prior (beta = 0)
to the posterior (beta = 1).  Each stage picks the next beta by bisection so
that the importance weights' effective sample size is ``threshold * N``,
adds the stage's term to the log marginal likelihood, resamples, and moves
every particle with ``n_steps`` independent Metropolis-Hastings steps whose
Gaussian proposal is fitted (weighted mean and covariance) to the particles.
``n_steps`` is tuned from the previous stage's acceptance rate.

Discrete variables move by a symmetric rounded random walk inside the same
accept step, so the acceptance ratio stays exact.
"""
from __future__ import annotations

import math

import numpy as np


def logsumexp(a):
    """log(sum(exp(a))) of a 1-d array, stable; -inf for all -inf (SciPy's import costs a cold start)."""
    m = np.max(a)
    if not np.isfinite(m):
        return float(m)  # +inf, nan, or -inf when every term is -inf
    return float(m + np.log(np.sum(np.exp(a - m))))


__all__ = ["SMCRun", "next_beta"]


def next_beta(beta, loglik, threshold):
    """The next inverse temperature and the unnormalised log-weights."""
    target = int(len(loglik) * threshold)
    low, high = beta, 2.0
    new = beta
    while high - low > 1e-6:
        new = (low + high) / 2.0
        logw = (new - beta) * loglik
        ess = int(np.exp(-logsumexp(2.0 * (logw - logsumexp(logw)))))
        if ess == target:
            break
        if ess < target:
            high = new
        else:
            low = new
    new = min(new, 1.0)
    return new, (new - beta) * loglik


class _Proposal:
    """Gaussian over the continuous coordinates (independent of the current
    particle), rounded random walk over the discrete ones."""

    def __init__(self, particles, weights, discrete):
        self.discrete = discrete
        self.cont = ~discrete
        mean = weights @ particles
        centred = particles - mean
        cov = np.atleast_2d((centred * weights[:, None]).T @ centred)
        cov += 1e-6 * np.eye(len(cov))
        if not np.all(np.isfinite(cov)):
            raise ValueError("Sample covariances not valid! Likely caused by a bad model or prior "
                             "specification (non-finite particles)")
        cc = cov[np.ix_(self.cont, self.cont)]
        self.mean = mean[self.cont]
        self.chol = np.linalg.cholesky(cc) if cc.size else cc
        self.chol_inv = np.linalg.inv(self.chol) if cc.size else cc  # NumPy: SciPy's threaded solves are slow on tiny matrices
        self.log_norm = -np.log(np.diag(self.chol)).sum() - 0.5 * len(cc) * math.log(2 * math.pi)
        self.walk_sd = np.maximum(np.sqrt(np.diag(cov)[discrete]), 0.5)

    def logq(self, x):
        if not self.cont.any():
            return np.zeros(len(x))
        z = (x[:, self.cont] - self.mean) @ self.chol_inv.T
        return self.log_norm - 0.5 * np.sum(z * z, axis=1)

    def draw(self, current, rng):
        out = np.array(current)
        n = len(current)
        if self.cont.any():
            out[:, self.cont] = self.mean + rng.standard_normal((n, len(self.mean))) @ self.chol.T
        if self.discrete.any():
            out[:, self.discrete] += np.round(rng.standard_normal((n, len(self.walk_sd))) * self.walk_sd)
        return out


class SMCRun:
    """The particles of one chain and their stage-by-stage history."""

    def __init__(self, densities, particles, discrete, rng, n_steps=25, tune_steps=True, p_acc_rate=0.99,
                 threshold=0.5, log=None):
        self.densities = densities
        self.particles = np.array(particles, dtype=float)
        self.discrete = np.asarray(discrete, dtype=bool)
        self.rng = rng
        self.max_steps = self.n_steps = int(n_steps)
        self.tune_steps = tune_steps
        self.p_acc_rate = p_acc_rate
        self.threshold = threshold
        self.log = log
        self.beta = 0.0
        self.log_marginal_likelihood = 0.0
        self.betas, self.accept_rates, self.steps = [], [], []

    def run(self):
        n = len(self.particles)
        self.prior, self.loglik, self.extras = self.densities(self.particles)
        self.loglik[np.isnan(self.loglik)] = -np.inf
        if not np.isfinite(self.loglik).any():
            raise ValueError(f"sample_smc: the likelihood is -inf or nan at all {n} initial particles "
                             "(the data are impossible under every prior draw)")
        if not np.all(np.isfinite(self.prior)):
            bad = int(np.sum(~np.isfinite(self.prior)))
            raise ValueError(f"sample_smc: {bad} of {n} initial particles have a non-finite prior "
                             "log-density (check start= and the priors)")
        acc_rate, stage = 1.0, 0
        while self.beta < 1.0:
            beta, logw = next_beta(self.beta, self.loglik, self.threshold)
            self.log_marginal_likelihood += logsumexp(logw) - math.log(n)
            weights = np.exp(logw - logsumexp(logw))
            weights /= weights.sum()
            proposal = _Proposal(self.particles, weights, self.discrete)
            self._resample(self.rng.choice(n, size=n, p=weights))
            self.beta = beta
            if stage > 0 and self.tune_steps:
                self._tune_steps(acc_rate)
            acc_rate = self._mutate(proposal)
            self.betas.append(beta)
            self.accept_rates.append(acc_rate)
            self.steps.append(self.n_steps)
            if self.log is not None:
                self.log(f"Stage: {stage:3d} Beta: {beta:.3f} Steps: {self.n_steps:3d} Acc: {acc_rate:.3f}")
            stage += 1
        return self

    def _resample(self, idx):
        self.particles = self.particles[idx]
        self.prior, self.loglik = self.prior[idx], self.loglik[idx]
        self.extras = {k: v[idx] for k, v in self.extras.items()}

    def _tune_steps(self, acc_rate):
        acc = max(1.0 / (len(self.particles) * self.n_steps), acc_rate)
        if acc >= 1.0:
            self.n_steps = min(self.max_steps, 2)
            return
        steps = int(math.log(1.0 - self.p_acc_rate) / math.log(1.0 - acc))
        self.n_steps = min(self.max_steps, max(2, steps))

    def _mutate(self, proposal):
        rng = self.rng
        n = len(self.particles)
        logq = proposal.logq(self.particles)
        post = self.prior + self.beta * self.loglik
        accepted_total = 0
        for _ in range(self.n_steps):
            new = proposal.draw(self.particles, rng)
            new_logq = proposal.logq(new)
            prior, loglik, extras = self.densities(new)
            new_post = prior + self.beta * loglik
            with np.errstate(invalid="ignore"):
                log_alpha = (new_post - new_logq) - (post - logq)
                accept = np.log(rng.random(n)) < np.nan_to_num(log_alpha, nan=-np.inf)
            self.particles[accept] = new[accept]
            self.prior[accept], self.loglik[accept] = prior[accept], loglik[accept]
            post[accept], logq[accept] = new_post[accept], new_logq[accept]
            for k, v in extras.items():
                self.extras[k][accept] = v[accept]
            accepted_total += int(accept.sum())
        return accepted_total / (n * self.n_steps)
