"""The Gaussian-process classes of ``pm.gp`` (PyMC3 3.11): ``Latent``, ``Marginal``,
``MarginalSparse``, ``TP``, ``LatentKron`` and ``MarginalKron``."""
from __future__ import annotations

import functools
import warnings

import numpy as np

import arignote.tensor as T
from arignote.tensor import nlinalg

from ..distributions import ChiSquared, DensityDist, KroneckerNormal, MvNormal, MvStudentT, Normal, draw_values
from ..math import cartesian, kron_diag, kron_dot, kron_solve_lower, kron_solve_upper
from ..model import Deterministic
from .cov import Constant, Covariance, Kron, WhiteNoise
from .mean import Zero
from .util import cholesky, conditioned_vars, infer_shape, solve_lower, solve_upper, stabilize

__all__ = ["Latent", "Marginal", "TP", "MarginalSparse", "LatentKron", "MarginalKron"]


class Base:
    """A GP's mean and covariance functions; GPs of one kind add (their sum is the GP of the sums)."""

    def __init__(self, mean_func=None, cov_func=None):
        self.mean_func = Zero() if mean_func is None else mean_func
        self.cov_func = Constant(0.0) if cov_func is None else cov_func

    def __add__(self, other):
        if not isinstance(self, type(other)) or set(self.__dict__) != set(other.__dict__):
            raise TypeError("Cannot add different GP types")
        return self.__class__(self.mean_func + other.mean_func, self.cov_func + other.cov_func)

    def prior(self, name, X, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} has no prior")

    def marginal_likelihood(self, name, X, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} has no marginal_likelihood")

    def conditional(self, name, Xnew, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} has no conditional")

    def predict(self, Xnew, point=None, given=None, diag=False):
        raise NotImplementedError(f"{type(self).__name__} has no predict")

    def _totals(self, given):
        """(covariance, mean) of the whole GP: ``given['gp']``'s when conditioning one term of a sum."""
        gp = (given or {}).get("gp")
        return (self.cov_func, self.mean_func) if gp is None else (gp.cov_func, gp.mean_func)


def _project(L, Kxs, r):
    """``A = L^-1 Kxs`` and ``v = L^-1 r``: what a Cholesky-based conditional needs."""
    return solve_lower(L, Kxs), solve_lower(L, r)


@conditioned_vars(["X", "f"])
class Latent(Base):
    """A GP over latent function values f (no noise): ``prior`` places f ~ GP(mean, cov) at X,
    ``conditional`` gives f at new points given f at X."""

    def __init__(self, mean_func=None, cov_func=None):
        super().__init__(mean_func, cov_func)

    def _build_prior(self, name, X, reparameterize=True, jitter=1e-6, **kwargs):
        mu = self.mean_func(X)
        cov = stabilize(self.cov_func(X), jitter)
        shape = infer_shape(X, kwargs.pop("shape", None))
        if reparameterize:
            v = Normal(name + "_rotated_", mu=0.0, sigma=1.0, shape=shape, **kwargs)
            return Deterministic(name, mu + T.dot(cholesky(cov), v))
        return MvNormal(name, mu=mu, cov=cov, shape=shape, **kwargs)

    def prior(self, name, X, reparameterize=True, jitter=1e-6, **kwargs):
        """f at X (``reparameterize``: as ``mean + L v`` with v standard normal, ``name_rotated_``);
        ``jitter`` is added to the covariance's diagonal."""
        f = self._build_prior(name, X, reparameterize, jitter, **kwargs)
        self.X, self.f = X, f
        return f

    def _get_given_vals(self, given):
        given = given or {}
        cov_total, mean_total = self._totals(given)
        X, f = (given["X"], given["f"]) if all(k in given for k in ("X", "f")) else (self.X, self.f)
        return X, f, cov_total, mean_total

    def _build_conditional(self, Xnew, X, f, cov_total, mean_total, jitter=1e-6):
        L = cholesky(stabilize(cov_total(X), jitter))
        A, v = _project(L, self.cov_func(X, Xnew), f - mean_total(X))
        mu = self.mean_func(Xnew) + T.dot(A.T, v)
        return mu, self.cov_func(Xnew) - T.dot(A.T, A)

    def conditional(self, name, Xnew, given=None, jitter=1e-6, **kwargs):
        """f at ``Xnew`` given f at X (an MvNormal); ``given`` may hold ``X``, ``f`` and ``gp``."""
        mu, cov = self._build_conditional(Xnew, *self._get_given_vals(given), jitter=jitter)
        shape = infer_shape(Xnew, kwargs.pop("shape", None))
        return MvNormal(name, mu=mu, cov=cov, shape=shape, **kwargs)


@conditioned_vars(["X", "f", "nu"])
class TP(Latent):
    """Student's t process with ``nu`` degrees of freedom (Shah et al. 2014); not additive."""

    def __init__(self, mean_func=None, cov_func=None, nu=None):
        if nu is None:
            raise ValueError("Student's T process requires a degrees of freedom parameter, 'nu'")
        self.nu = nu
        super().__init__(mean_func, cov_func)

    def __add__(self, other):
        raise TypeError("Student's T processes aren't additive")

    def _build_prior(self, name, X, reparameterize=True, jitter=1e-6, **kwargs):
        mu = self.mean_func(X)
        cov = stabilize(self.cov_func(X), jitter)
        shape = infer_shape(X, kwargs.pop("shape", None))
        if reparameterize:
            # f = mu + sqrt(nu / chi2) L v: a multivariate t (PyMC3 3.11 scaled by sqrt(nu) / chi2)
            chi2 = ChiSquared(name + "_chi2_", self.nu)
            v = Normal(name + "_rotated_", mu=0.0, sigma=1.0, shape=shape, **kwargs)
            return Deterministic(name, mu + T.sqrt(self.nu / chi2) * T.dot(cholesky(cov), v))
        return MvStudentT(name, nu=self.nu, mu=mu, cov=cov, shape=shape, **kwargs)

    def _build_conditional(self, Xnew, X, f):
        L = cholesky(stabilize(self.cov_func(X)))
        A, v = _project(L, self.cov_func(X, Xnew), f - self.mean_func(X))
        cov = self.cov_func(Xnew) - T.dot(A.T, A)
        mu = self.mean_func(Xnew) + T.dot(A.T, v)
        nu2 = self.nu + T.as_tensor_variable(X).shape[0]
        return nu2, mu, (self.nu + T.dot(v, v) - 2) / (nu2 - 2) * cov

    def conditional(self, name, Xnew, **kwargs):
        """f at ``Xnew`` given f at X: a multivariate t with ``nu + n`` degrees of freedom."""
        nu2, mu, cov = self._build_conditional(Xnew, self.X, self.f)
        shape = infer_shape(Xnew, kwargs.pop("shape", None))
        return MvStudentT(name, nu=nu2, mu=mu, cov=stabilize(cov), shape=shape, **kwargs)


def _as_noise(noise):
    return noise if isinstance(noise, Covariance) else WhiteNoise(noise)


@conditioned_vars(["X", "y", "noise"])
class Marginal(Base):
    """A GP plus Gaussian noise with f integrated out: ``marginal_likelihood`` of data y,
    ``conditional``/``predict`` of f (or of new data, ``pred_noise``) at new points."""

    def _build_marginal_likelihood(self, X, noise, jitter=0.0):
        return self.mean_func(X), stabilize(self.cov_func(X), jitter) + noise(X)

    def marginal_likelihood(self, name, X, y, noise, is_observed=True, jitter=0.0, **kwargs):
        """y ~ MvNormal(mean(X), cov(X) + noise(X)); ``noise`` is the noise sd (or a Covariance),
        ``jitter`` an optional extra on the diagonal."""
        noise = _as_noise(noise)
        mu, cov = self._build_marginal_likelihood(X, noise, jitter)
        self.X, self.y, self.noise = X, y, noise
        if is_observed:
            return MvNormal(name, mu=mu, cov=cov, observed=y, **kwargs)
        shape = infer_shape(X, kwargs.pop("shape", None))
        return MvNormal(name, mu=mu, cov=cov, shape=shape, **kwargs)

    def _get_given_vals(self, given):
        given = given or {}
        cov_total, mean_total = self._totals(given)
        if all(k in given for k in ("X", "y", "noise")):
            X, y, noise = given["X"], given["y"], _as_noise(given["noise"])
        else:
            X, y, noise = self.X, self.y, self.noise
        return X, y, noise, cov_total, mean_total

    def _build_conditional(self, Xnew, pred_noise, diag, X, y, noise, cov_total, mean_total, jitter=1e-6):
        L = cholesky(stabilize(cov_total(X), jitter) + noise(X))
        A, v = _project(L, self.cov_func(X, Xnew), y - mean_total(X))
        mu = self.mean_func(Xnew) + T.dot(A.T, v)
        if diag:
            var = self.cov_func(Xnew, diag=True) - T.sum(T.square(A), 0)
            return mu, var + noise(Xnew, diag=True) if pred_noise else var
        cov = self.cov_func(Xnew) - T.dot(A.T, A)
        return mu, cov + noise(Xnew) if pred_noise else stabilize(cov, jitter)

    def conditional(self, name, Xnew, pred_noise=False, given=None, jitter=1e-6, **kwargs):
        """f (``pred_noise``: y) at ``Xnew`` given the data (an MvNormal)."""
        mu, cov = self._build_conditional(Xnew, pred_noise, False, *self._get_given_vals(given), jitter=jitter)
        shape = infer_shape(Xnew, kwargs.pop("shape", None))
        return MvNormal(name, mu=mu, cov=cov, shape=shape, **kwargs)

    def predict(self, Xnew, point=None, diag=False, pred_noise=False, given=None, jitter=1e-6):
        """NumPy mean and covariance (``diag``: variances) of the conditional at ``point``."""
        mu, cov = self.predictt(Xnew, diag, pred_noise, given, jitter)
        return draw_values([mu, cov], point=point)

    def predictt(self, Xnew, diag=False, pred_noise=False, given=None, jitter=1e-6):
        """The conditional's mean and covariance (``diag``: variances) as graphs."""
        return self._build_conditional(Xnew, pred_noise, diag, *self._get_given_vals(given), jitter=jitter)


@conditioned_vars(["X", "Xu", "y", "sigma"])
class MarginalSparse(Marginal):
    """Marginal GP approximated through inducing points Xu: ``approx`` 'FITC' (fully independent
    training conditional), 'VFE' (Titsias' variational free energy) or 'DTC' (deterministic
    training conditional), after Quinonero-Candela and Rasmussen (2005)."""

    _available_approx = ("FITC", "VFE", "DTC")

    def __init__(self, mean_func=None, cov_func=None, approx="FITC"):
        if approx not in self._available_approx:
            raise NotImplementedError(f"approx must be one of {self._available_approx}, got {approx!r}")
        self.approx = approx
        super().__init__(mean_func, cov_func)

    def __add__(self, other):
        if getattr(other, "approx", None) != self.approx:
            raise TypeError("Cannot add GPs with different approximations")
        new_gp = super().__add__(other)
        new_gp.approx = self.approx
        return new_gp

    def _factors(self, cov, mean, X, Xu, y, sigma):
        """The shared factorisation: Luu, A = Luu^-1 Kuf, the diagonal Lambda, L_B, c, r/Lambda."""
        sigma2 = T.square(sigma)
        Luu = cholesky(stabilize(cov(Xu)))
        A = solve_lower(Luu, cov(Xu, X))
        Qffd = T.sum(A * A, 0)
        if self.approx == "FITC":
            Lamd = T.clip(cov(X, diag=True) - Qffd, 0.0, np.inf) + sigma2
        else:
            Lamd = T.ones_like(Qffd) * sigma2
        nu = T.as_tensor_variable(Xu).shape[0]
        L_B = cholesky(T.eye(nu) + T.dot(A / Lamd, A.T))
        r = y - mean(X)
        c = solve_lower(L_B, T.dot(A, r / Lamd))
        return Luu, A, Lamd, L_B, r, c

    def _build_marginal_likelihood_logp(self, y, X, Xu, sigma):
        _, A, Lamd, L_B, r, c = self._factors(self.cov_func, self.mean_func, X, Xu, y, sigma)
        n = T.as_tensor_variable(X).shape[0]
        logdet = 0.5 * T.sum(T.log(Lamd)) + T.sum(T.log(T.diagonal(L_B)))
        quad = 0.5 * (T.dot(r, r / Lamd) - T.dot(c, c))
        trace = 0.0
        if self.approx == "VFE":
            trace = (T.sum(self.cov_func(X, diag=True)) - T.sum(A * A)) / (2.0 * T.square(sigma))
        return -(0.5 * n * np.log(2.0 * np.pi) + logdet + quad + trace)

    def marginal_likelihood(self, name, X, Xu, y, noise=None, is_observed=True, **kwargs):
        """The approximate marginal likelihood of y at X with inducing points Xu (a DensityDist);
        ``noise`` is the noise sd (``sigma=`` is its deprecated spelling)."""
        if noise is None:
            noise = kwargs.pop("sigma", None)
            if noise is None:
                raise ValueError("noise argument must be specified")
            warnings.warn("The 'sigma' argument has been deprecated. Use 'noise' instead.", DeprecationWarning,
                          stacklevel=2)
        self.X, self.Xu, self.y, self.sigma = X, Xu, y, noise
        logp = functools.partial(self._build_marginal_likelihood_logp, X=X, Xu=Xu, sigma=noise)
        if is_observed:
            return DensityDist(name, logp, observed=y, **kwargs)
        shape = infer_shape(X, kwargs.pop("shape", None))
        return DensityDist(name, logp, shape=shape, **kwargs)

    def _get_given_vals(self, given):
        given = given or {}
        cov_total, mean_total = self._totals(given)
        keys = ("X", "Xu", "y", "sigma")
        vals = [given[k] for k in keys] if all(k in given for k in keys) else [getattr(self, k) for k in keys]
        return (*vals, cov_total, mean_total)

    def _build_conditional(self, Xnew, pred_noise, diag, X, Xu, y, sigma, cov_total, mean_total, jitter=1e-6):
        Luu, _, _, L_B, _, c = self._factors(cov_total, mean_total, X, Xu, y, sigma)
        As = solve_lower(Luu, self.cov_func(Xu, Xnew))
        mu = self.mean_func(Xnew) + T.dot(As.T, solve_upper(L_B.T, c))
        C = solve_lower(L_B, As)
        sigma2 = T.square(sigma)
        if diag:
            var = self.cov_func(Xnew, diag=True) - T.sum(T.square(As), 0) + T.sum(T.square(C), 0)
            return mu, var + sigma2 if pred_noise else var
        cov = self.cov_func(Xnew) - T.dot(As.T, As) + T.dot(C.T, C)
        return mu, cov + sigma2 * T.identity_like(cov) if pred_noise else stabilize(cov, jitter)


def _kron_funcs(cov_funcs):
    try:
        return list(cov_funcs)
    except TypeError:
        return [cov_funcs]


@conditioned_vars(["Xs", "f"])
class LatentKron(Base):
    """A latent GP on the full grid ``cartesian(*Xs)`` whose covariance is the Kronecker product
    of ``cov_funcs`` (one per input ``Xs[i]``)."""

    def __init__(self, mean_func=None, cov_funcs=None):
        self.cov_funcs = _kron_funcs(Constant(0.0) if cov_funcs is None else cov_funcs)
        super().__init__(mean_func, Kron(self.cov_funcs))

    def __add__(self, other):
        raise TypeError("Additive, Kronecker-structured processes not implemented")

    def prior(self, name, Xs, **kwargs):
        """f on the grid of ``Xs`` as ``mean + kron(L_1, ..., L_k) v`` (v standard normal)."""
        if len(Xs) != len(self.cov_funcs):
            raise ValueError("Must provide a covariance function for each X")
        self.N = int(np.prod([len(X) for X in Xs]))
        mu = self.mean_func(cartesian(*Xs))
        chols = [cholesky(stabilize(cov(X))) for cov, X in zip(self.cov_funcs, Xs)]
        v = Normal(name + "_rotated_", mu=0.0, sigma=1.0, shape=self.N, **kwargs)
        f = Deterministic(name, mu + T.flatten(kron_dot(chols, v)))
        self.Xs, self.f = Xs, f
        return f

    def _build_conditional(self, Xnew):
        X = cartesian(*self.Xs)
        chols = [cholesky(stabilize(cov(Xi))) for cov, Xi in zip(self.cov_funcs, self.Xs)]
        Kxs = self.cov_func(X, Xnew)
        alpha = kron_solve_upper([L.T for L in chols], kron_solve_lower(chols, self.f - self.mean_func(X)))
        mu = T.flatten(T.dot(Kxs.T, alpha)) + self.mean_func(Xnew)
        A = kron_solve_lower(chols, Kxs)
        return mu, stabilize(self.cov_func(Xnew) - T.dot(A.T, A))

    def conditional(self, name, Xnew, **kwargs):
        """f at ``Xnew`` (any rows, split by columns between the factors) given f on the grid."""
        mu, cov = self._build_conditional(Xnew)
        shape = infer_shape(Xnew, kwargs.pop("shape", None))
        return MvNormal(name, mu=mu, cov=cov, shape=shape, **kwargs)


@conditioned_vars(["Xs", "y", "sigma"])
class MarginalKron(Base):
    """A Kronecker-structured GP plus white noise on the full grid ``cartesian(*Xs)``, with f
    integrated out (a KroneckerNormal)."""

    def __init__(self, mean_func=None, cov_funcs=None):
        self.cov_funcs = _kron_funcs(Constant(0.0) if cov_funcs is None else cov_funcs)
        super().__init__(mean_func, Kron(self.cov_funcs))

    def __add__(self, other):
        raise TypeError("Additive, Kronecker-structured processes not implemented")

    def _check_inputs(self, Xs, y):
        N = int(np.prod([len(X) for X in Xs]))
        if len(Xs) != len(self.cov_funcs):
            raise ValueError("Must provide a covariance function for each X")
        if np.shape(y) and N != len(y):
            raise ValueError(f"Length of y ({len(y)}) must match length of cartesian product of Xs ({N})")

    def marginal_likelihood(self, name, Xs, y, sigma, is_observed=True, **kwargs):
        """y ~ KroneckerNormal(mean, [cov_i(Xs[i])], sigma) on the grid of ``Xs``."""
        self._check_inputs(Xs, y)
        self.X = cartesian(*Xs)
        mu = self.mean_func(self.X)
        covs = [f(X) for f, X in zip(self.cov_funcs, Xs)]
        self.Xs, self.y, self.sigma = Xs, y, sigma
        if is_observed:
            return KroneckerNormal(name, mu=mu, covs=covs, sigma=sigma, observed=y, **kwargs)
        shape = int(np.prod([len(X) for X in Xs]))
        return KroneckerNormal(name, mu=mu, covs=covs, sigma=sigma, shape=shape, **kwargs)

    def _build_conditional(self, Xnew, pred_noise, diag):
        X = cartesian(*self.Xs)
        eigs_sep, Qs = zip(*[nlinalg.eigh(f(x)) for f, x in zip(self.cov_funcs, self.Xs)])
        QTs = [Q.T for Q in Qs]
        sigma2 = T.square(self.sigma)
        eigs = kron_diag(*eigs_sep) + sigma2
        Knm = self.cov_func(X, Xnew)
        alpha = kron_dot(Qs, kron_dot(QTs, self.y - self.mean_func(X)) / eigs.dimshuffle(0, "x"))
        mu = T.flatten(T.dot(Knm.T, alpha)) + self.mean_func(Xnew)
        A = kron_dot(QTs, Knm) / T.sqrt(eigs).dimshuffle(0, "x")
        if diag:
            var = self.cov_func(Xnew, diag=True) - T.sum(T.square(A), 0)
            return mu, var + sigma2 if pred_noise else var
        cov = self.cov_func(Xnew) - T.dot(A.T, A)
        return mu, cov + sigma2 * T.identity_like(cov) if pred_noise else stabilize(cov)

    def conditional(self, name, Xnew, pred_noise=False, **kwargs):
        """f (``pred_noise``: y) at ``Xnew`` given the data on the grid (an MvNormal)."""
        mu, cov = self._build_conditional(Xnew, pred_noise, False)
        shape = infer_shape(Xnew, kwargs.pop("shape", None))
        return MvNormal(name, mu=mu, cov=cov, shape=shape, **kwargs)

    def predict(self, Xnew, point=None, diag=False, pred_noise=False):
        """NumPy mean and covariance (``diag``: variances) of the conditional at ``point``."""
        mu, cov = self._build_conditional(Xnew, pred_noise, diag)
        return draw_values([mu, cov], point=point)

    def predictt(self, Xnew, diag=False, pred_noise=False):
        """The conditional's mean and covariance (``diag``: variances) as graphs."""
        return self._build_conditional(Xnew, pred_noise, diag)
