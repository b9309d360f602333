"""Covariance functions of ``pm.gp.cov`` (PyMC3 3.11): kernels as objects that build the
covariance graph of inputs ``X`` (and ``Xs``), combined with ``+``, ``*`` and ``**``."""
from __future__ import annotations

import warnings
from functools import reduce
from numbers import Number
from operator import add, mul

import numpy as np

import arignote.tensor as T

__all__ = ["Constant", "WhiteNoise", "ExpQuad", "RatQuad", "Exponential", "Matern52", "Matern32", "Matern12",
           "Linear", "Polynomial", "Cosine", "Periodic", "WarpedInput", "Gibbs", "Coregion", "ScaledCov", "Kron",
           "Circular"]


def _is_tensor(x):
    """A graph variable (tensor, constant or shared), as opposed to a NumPy value."""
    return hasattr(x, "type") and hasattr(x, "owner") and hasattr(x, "ndim")


class Covariance:
    """Base of all kernels: ``input_dim`` columns of X, of which ``active_dims`` are used.
    ``cov(X)`` is the full matrix, ``cov(X, Xs)`` the cross covariance, ``cov(X, diag=True)``
    the diagonal of ``cov(X)``."""

    # NumPy arrays on the left of + and * defer to __radd__/__rmul__ (an array factor)
    __array_ufunc__ = None

    def __init__(self, input_dim, active_dims=None):
        if not isinstance(input_dim, (int, np.integer)) or input_dim < 1:
            raise TypeError(f"input_dim must be a positive integer, got {input_dim!r}")
        self.input_dim = int(input_dim)
        self.active_dims = np.arange(input_dim) if active_dims is None else np.asarray(active_dims, int)
        if self.active_dims.ndim != 1:
            raise ValueError(f"active_dims must be a list of column indices, got {active_dims!r}")

    def __call__(self, X, Xs=None, diag=False):
        return self.diag(X) if diag else self.full(X, Xs)

    def diag(self, X):
        raise NotImplementedError(f"{type(self).__name__} does not define diag")

    def full(self, X, Xs=None):
        raise NotImplementedError(f"{type(self).__name__} does not define full")

    def _slice(self, X, Xs):
        Xa = T.as_tensor_variable(_columns(X, self.active_dims))
        ncol = np.shape(X)[-1] if not _is_tensor(X) else X.type.shape[-1]
        if ncol is not None and ncol != self.input_dim:
            warnings.warn(f"Only {self.input_dim} column(s) out of {ncol} are being used to compute the "
                          "covariance function. If this is not intended, increase 'input_dim' parameter to "
                          "the number of columns to use. Ignore otherwise.", UserWarning, stacklevel=4)
        return Xa, None if Xs is None else T.as_tensor_variable(_columns(Xs, self.active_dims))

    def __add__(self, other):
        return Add([self, other])

    def __mul__(self, other):
        return Prod([self, other])

    __radd__ = __add__
    __rmul__ = __mul__

    def __pow__(self, other):
        if hasattr(other, "get_value") and np.squeeze(other.get_value()).shape == ():
            return Exponentiated(self, T.flatten(other)[0])
        if _is_tensor(other):
            if other.ndim == 0:
                return Exponentiated(self, other)
        elif isinstance(other, Number) or np.asarray(other).squeeze().shape == ():
            return Exponentiated(self, np.squeeze(other))
        raise ValueError("A covariance function can only be exponentiated by a scalar value")


def _columns(X, cols):
    """The columns ``cols`` of the 2-d inputs X (a tensor or an array), checked."""
    if not _is_tensor(X):
        X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"covariance inputs must be a 2-d array of shape (n, input_dim), got {X.ndim} "
                         "dimension(s); pass a column vector X[:, None] for one input dimension")
    ncol = X.type.shape[1] if _is_tensor(X) else X.shape[1]
    if ncol is not None and not isinstance(cols, slice) and np.max(cols, initial=-1) >= ncol:
        raise ValueError(f"active_dims {np.atleast_1d(cols).tolist()} go beyond the {ncol} column(s) of X")
    return X[:, cols]


class Combination(Covariance):
    """Sum or product of covariances and constant factors (scalars, arrays, tensors)."""

    def __init__(self, factor_list):
        dims = [f.input_dim for f in factor_list if isinstance(f, Covariance)]
        super().__init__(input_dim=max(dims))
        self.factor_list = []
        for factor in factor_list:
            self.factor_list.extend(factor.factor_list if isinstance(factor, type(self)) else [factor])

    def merge_factors(self, X, Xs=None, diag=False):
        out = []
        for f in self.factor_list:
            if isinstance(f, Covariance):
                out.append(f(X, Xs, diag))
            elif diag and np.ndim(f) == 2 and not _is_tensor(f):
                out.append(np.diag(f))
            elif diag and _is_tensor(f) and f.ndim == 2:
                out.append(T.diag(f))
            else:
                out.append(f)
        return out


class Add(Combination):
    def __call__(self, X, Xs=None, diag=False):
        return reduce(add, self.merge_factors(X, Xs, diag))


class Prod(Combination):
    def __call__(self, X, Xs=None, diag=False):
        return reduce(mul, self.merge_factors(X, Xs, diag))


class Exponentiated(Covariance):
    """``kernel ** power`` elementwise."""

    def __init__(self, kernel, power):
        self.kernel, self.power = kernel, power
        super().__init__(input_dim=kernel.input_dim, active_dims=kernel.active_dims)

    def __call__(self, X, Xs=None, diag=False):
        return self.kernel(X, Xs, diag=diag) ** self.power


class Kron(Covariance):
    """Kronecker-product covariance: the columns of X are split between the factors by their
    ``input_dim`` (in order), and the factors' covariances of their columns multiplied."""

    def __init__(self, factor_list):
        if not all(isinstance(f, Covariance) for f in factor_list):
            raise TypeError("Kron takes covariance functions only")
        self.input_dims = [f.input_dim for f in factor_list]
        super().__init__(input_dim=sum(self.input_dims))
        self.factor_list = list(factor_list)

    def _split(self, X, Xs):
        edges = np.concatenate([[0], np.cumsum(self.input_dims)])
        parts = [_columns(X, slice(a, b)) for a, b in zip(edges[:-1], edges[1:])]
        sparts = [None] * len(parts) if Xs is None else [_columns(Xs, slice(a, b)) for a, b in zip(edges[:-1], edges[1:])]
        return parts, sparts

    def __call__(self, X, Xs=None, diag=False):
        parts, sparts = self._split(X, Xs)
        return reduce(mul, [c(x, xs, diag) for c, x, xs in zip(self.factor_list, parts, sparts)])


def _nrows(X, Xs=None):
    n = T.as_tensor_variable(X).shape[0]
    return (n,) if Xs is None else (n, T.as_tensor_variable(Xs).shape[0])


class Constant(Covariance):
    """``k(x, x') = c``."""

    def __init__(self, c):
        super().__init__(1, None)
        self.c = c

    def diag(self, X):
        return T.alloc(self.c, *_nrows(X))

    def full(self, X, Xs=None):
        n = _nrows(X)[0]
        return T.alloc(self.c, n, n) if Xs is None else T.alloc(self.c, *_nrows(X, Xs))


class WhiteNoise(Covariance):
    """``k(x, x') = sigma^2`` where ``x`` is ``x'`` (the same row of X), else 0."""

    def __init__(self, sigma):
        super().__init__(1, None)
        self.sigma = sigma

    def diag(self, X):
        return T.alloc(T.square(self.sigma), *_nrows(X))

    def full(self, X, Xs=None):
        return T.diag(self.diag(X)) if Xs is None else T.alloc(0.0, *_nrows(X, Xs))


class Circular(Covariance):
    """Circular (Weinland) kernel on a periodic domain ``[0, period)`` with strength ``tau >= 4``."""

    def __init__(self, input_dim, period, tau=4, active_dims=None):
        super().__init__(input_dim, active_dims)
        self.c = T.as_tensor_variable(period / 2)
        self.tau = tau

    def dist(self, X, Xs):
        Xs = X.T if Xs is None else Xs.T
        return T.abs((X - Xs + self.c) % (self.c * 2) - self.c)

    def weinland(self, t):
        return (1 + self.tau * t / self.c) * T.clip(1 - t / self.c, 0, np.inf) ** self.tau

    def full(self, X, Xs=None):
        X, Xs = self._slice(X, Xs)
        return self.weinland(self.dist(X, Xs))

    def diag(self, X):
        return T.alloc(1.0, *_nrows(X))


class Stationary(Covariance):
    """Kernels of the scaled distance ``|x - x'| / ls``; give exactly one of ``ls`` (a scalar,
    or one per input dimension) or ``ls_inv`` (``1 / ls``)."""

    def __init__(self, input_dim, ls=None, ls_inv=None, active_dims=None):
        super().__init__(input_dim, active_dims)
        if (ls is None) == (ls_inv is None):
            raise ValueError("Only one of 'ls' or 'ls_inv' must be provided")
        if ls_inv is not None:
            ls = 1.0 / np.asarray(ls_inv) if isinstance(ls_inv, (list, tuple)) else 1.0 / ls_inv
        self.ls = T.as_tensor_variable(ls)

    def square_dist(self, X, Xs):
        X = X / self.ls
        X2 = T.sum(T.square(X), 1)
        if Xs is None:
            Xs, Xs2 = X, X2
        else:
            Xs = Xs / self.ls
            Xs2 = T.sum(T.square(Xs), 1)
        sqd = -2.0 * T.dot(X, Xs.T) + (X2.dimshuffle(0, "x") + Xs2.dimshuffle("x", 0))
        return T.clip(sqd, 0.0, np.inf)

    def euclidean_dist(self, X, Xs):
        return T.sqrt(self.square_dist(X, Xs) + 1e-12)

    def diag(self, X):
        return T.alloc(1.0, *_nrows(X))


class Periodic(Stationary):
    """``k = exp(-0.5 sum((sin(pi (x - x') / period) / ls)^2))`` (PyMC3's 0.5 in the exponent)."""

    def __init__(self, input_dim, period, ls=None, ls_inv=None, active_dims=None):
        super().__init__(input_dim, ls, ls_inv, active_dims)
        self.period = period

    def full(self, X, Xs=None):
        X, Xs = self._slice(X, Xs)
        Xs = X if Xs is None else Xs
        r = np.pi * (X.dimshuffle(0, "x", 1) - Xs.dimshuffle("x", 0, 1)) / self.period
        return T.exp(-0.5 * T.sum(T.square(T.sin(r) / self.ls), 2))


class ExpQuad(Stationary):
    """Exponentiated quadratic: ``exp(-r^2 / 2)`` with ``r = |x - x'| / ls``."""

    def full(self, X, Xs=None):
        X, Xs = self._slice(X, Xs)
        return T.exp(-0.5 * self.square_dist(X, Xs))


class RatQuad(Stationary):
    """Rational quadratic: ``(1 + r^2 / (2 alpha))^(-alpha)``."""

    def __init__(self, input_dim, alpha, ls=None, ls_inv=None, active_dims=None):
        super().__init__(input_dim, ls, ls_inv, active_dims)
        self.alpha = alpha

    def full(self, X, Xs=None):
        X, Xs = self._slice(X, Xs)
        return T.power(1.0 + 0.5 * self.square_dist(X, Xs) / self.alpha, -1.0 * self.alpha)


class Matern52(Stationary):
    """Matern nu=5/2: ``(1 + sqrt5 r + 5 r^2 / 3) exp(-sqrt5 r)``."""

    def full(self, X, Xs=None):
        X, Xs = self._slice(X, Xs)
        r = self.euclidean_dist(X, Xs)
        return (1.0 + np.sqrt(5.0) * r + 5.0 / 3.0 * T.square(r)) * T.exp(-np.sqrt(5.0) * r)


class Matern32(Stationary):
    """Matern nu=3/2: ``(1 + sqrt3 r) exp(-sqrt3 r)``."""

    def full(self, X, Xs=None):
        X, Xs = self._slice(X, Xs)
        r = self.euclidean_dist(X, Xs)
        return (1.0 + np.sqrt(3.0) * r) * T.exp(-np.sqrt(3.0) * r)


class Matern12(Stationary):
    """Matern nu=1/2: ``exp(-r)``."""

    def full(self, X, Xs=None):
        X, Xs = self._slice(X, Xs)
        return T.exp(-self.euclidean_dist(X, Xs))


class Exponential(Stationary):
    """PyMC3's exponential kernel: ``exp(-r / 2)``."""

    def full(self, X, Xs=None):
        X, Xs = self._slice(X, Xs)
        return T.exp(-0.5 * self.euclidean_dist(X, Xs))


class Cosine(Stationary):
    """``cos(2 pi r)``."""

    def full(self, X, Xs=None):
        X, Xs = self._slice(X, Xs)
        return T.cos(2.0 * np.pi * self.euclidean_dist(X, Xs))


class Linear(Covariance):
    """``k = (x - c) . (x' - c)``."""

    def __init__(self, input_dim, c, active_dims=None):
        super().__init__(input_dim, active_dims)
        self.c = c

    def full(self, X, Xs=None):
        X, Xs = self._slice(X, Xs)
        Xc = X - self.c
        return T.dot(Xc, (Xc if Xs is None else Xs - self.c).T)

    def diag(self, X):
        X, _ = self._slice(X, None)
        return T.sum(T.square(X - self.c), 1)


class Polynomial(Linear):
    """``k = ((x - c) . (x' - c) + offset)^d``."""

    def __init__(self, input_dim, c, d, offset, active_dims=None):
        super().__init__(input_dim, c, active_dims)
        self.d, self.offset = d, offset

    def full(self, X, Xs=None):
        return T.power(super().full(X, Xs) + self.offset, self.d)

    def diag(self, X):
        return T.power(super().diag(X) + self.offset, self.d)


def handle_args(func, args):
    """``func`` called as ``f(x, args)``: ``args`` (one value or a tuple) are passed after ``x``."""

    def f(x, args):
        if args is None:
            return func(x)
        return func(x, *(args if isinstance(args, tuple) else (args,)))

    return f


def _check_callable(func, what):
    if not callable(func):
        raise TypeError(f"{what} must be callable")


def _check_cov(cov_func):
    if not isinstance(cov_func, Covariance):
        raise TypeError("Must be or inherit from the Covariance class")


class WarpedInput(Covariance):
    """``k(w(x), w(x'))`` for a warping function ``warp_func(X, *args)`` written with tensors."""

    def __init__(self, input_dim, cov_func, warp_func, args=None, active_dims=None):
        super().__init__(input_dim, active_dims)
        _check_callable(warp_func, "warp_func")
        _check_cov(cov_func)
        self.w, self.args, self.cov_func = handle_args(warp_func, args), args, cov_func

    def full(self, X, Xs=None):
        X, Xs = self._slice(X, Xs)
        return self.cov_func(self.w(X, self.args), None if Xs is None else self.w(Xs, self.args))

    def diag(self, X):
        X, _ = self._slice(X, None)
        return self.cov_func(self.w(X, self.args), diag=True)


class Gibbs(Covariance):
    """Gibbs kernel of one input with a lengthscale function ``l(x)``:
    ``sqrt(2 l(x) l(x') / (l(x)^2 + l(x')^2)) exp(-(x - x')^2 / (l(x)^2 + l(x')^2))``."""

    def __init__(self, input_dim, lengthscale_func, args=None, active_dims=None):
        super().__init__(input_dim, active_dims)
        if len(self.active_dims) > 1:
            raise NotImplementedError("Higher dimensional inputs are untested")
        _check_callable(lengthscale_func, "lengthscale_func")
        self.lfunc, self.args = handle_args(lengthscale_func, args), args

    def square_dist(self, X, Xs=None):
        Xs = X if Xs is None else Xs
        X2, Xs2 = T.sum(T.square(X), 1), T.sum(T.square(Xs), 1)
        return T.clip(-2.0 * T.dot(X, Xs.T) + X2.dimshuffle(0, "x") + Xs2.dimshuffle("x", 0), 0.0, np.inf)

    def full(self, X, Xs=None):
        X, Xs = self._slice(X, Xs)
        Xs = X if Xs is None else Xs
        rx, rz = T.flatten(self.lfunc(X, self.args)), T.flatten(self.lfunc(Xs, self.args))
        s2 = T.square(rx).dimshuffle(0, "x") + T.square(rz).dimshuffle("x", 0)
        return T.sqrt(2.0 * T.outer(rx, rz) / s2) * T.exp(-self.square_dist(X, Xs) / s2)

    def diag(self, X):
        return T.alloc(1.0, *_nrows(X))


class ScaledCov(Covariance):
    """``phi(x) k(x, x') phi(x')`` for a scaling function ``scaling_func(X, *args)``."""

    def __init__(self, input_dim, cov_func, scaling_func, args=None, active_dims=None):
        super().__init__(input_dim, active_dims)
        _check_callable(scaling_func, "scaling_func")
        _check_cov(cov_func)
        self.cov_func, self.scaling_func, self.args = cov_func, handle_args(scaling_func, args), args

    def diag(self, X):
        X, _ = self._slice(X, None)
        return self.cov_func(X, diag=True) * T.square(T.flatten(self.scaling_func(X, self.args)))

    def full(self, X, Xs=None):
        X, Xs = self._slice(X, Xs)
        sx = T.flatten(self.scaling_func(X, self.args))
        ss = sx if Xs is None else T.flatten(self.scaling_func(Xs, self.args))
        return T.outer(sx, ss) * self.cov_func(X, Xs)


class Coregion(Covariance):
    """Coregionalisation: ``B[x, x']`` for integer task indices in the one active column, with
    ``B = W W^T + diag(kappa)`` or ``B`` given."""

    def __init__(self, input_dim, W=None, kappa=None, B=None, active_dims=None):
        super().__init__(input_dim, active_dims)
        if len(self.active_dims) != 1:
            raise ValueError("Coregion requires exactly one dimension to be active")
        make_B = W is not None or kappa is not None
        if make_B == (B is not None):
            raise ValueError("Exactly one of (W, kappa) and B must be provided to Coregion")
        if make_B:
            self.W, self.kappa = T.as_tensor_variable(W), T.as_tensor_variable(kappa)
            self.B = T.dot(self.W, self.W.T) + T.diag(self.kappa)
        else:
            self.B = T.as_tensor_variable(B)

    def full(self, X, Xs=None):
        X, Xs = self._slice(X, Xs)
        index = T.cast(X, "int32")
        index2 = index.T if Xs is None else T.cast(Xs, "int32").T
        return self.B[index, index2]

    def diag(self, X):
        X, _ = self._slice(X, None)
        return T.diag(self.B)[T.flatten(T.cast(X, "int32"))]
