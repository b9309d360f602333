"""The distributions a random variable can draw from: one record per distribution.

A record says what the parameters are (their names and core dimensions),
what one draw looks like (``ndim_supp``: 0 for a scalar, 1 for a vector such
as a multinomial count vector), the default dtype, how NumPy draws it from
either generator kind, and, for the location/scale families where
reparameterisation defines it, the pathwise derivative of a draw with
respect to its parameters.

Draws with parameters that carry batch dimensions beyond what NumPy's
function accepts (a batch of multinomial probability vectors, of Dirichlet
concentrations, ...) loop over the batch in C order, so the stream is the
same whatever the batch layout.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Dist:
    """One distribution: parameters, support dimension, dtype and its NumPy draw."""

    name: str
    params: tuple              # parameter names, in call order
    ndims_params: tuple        # core dimensions of each parameter (0: scalar, 1: vector, ...)
    ndim_supp: int = 0         # dimensions of one draw
    dtype: str = "floatX"      # default output dtype: "floatX" (upcast with the parameters) or a dtype
    draw: Callable = None      # (rng, params, size tuple or None, options dict) -> ndarray
    supp_shape: Callable = None  # (param variables, options) -> static ints/None of one draw's shape
    supp_len: Callable = None  # (params, options) -> lengths of one draw's shape (arrays or variables)
    pathwise: Callable = None  # (params, draw, output grad) -> grads per parameter, or None
    batched_core: bool = False  # NumPy's function takes the core params only: loop over batches
    vector_size: bool = False  # ... but vectorises over ``size`` when the params have no batch dims


REGISTRY: dict = {}


def register(dist):
    """Add ``dist`` (a :class:`Dist`) to the distributions RandomVariable can draw from."""
    REGISTRY[dist.name] = dist
    return dist


def get(name):
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown distribution {name!r}; known: {', '.join(sorted(REGISTRY))}") from None


def _is_generator(rng):
    return isinstance(rng, np.random.Generator)


def _call(method):
    """A draw that calls ``rng.<method>(*params, size=size)`` (both generator kinds spell it alike)."""
    def draw(rng, params, size, options):
        return getattr(rng, method)(*params, size=size)

    return draw


def _integers(rng, params, size, options):
    low, high = params
    if _is_generator(rng):
        return rng.integers(low, high, size=size, dtype=np.int64)
    return rng.randint(low, high, size=size, dtype=np.int64)


def _unit_uniform(rng, size):
    return rng.random(size) if _is_generator(rng) else rng.random_sample(size)


def _categorical(rng, params, size, options):
    (p,) = params
    batch = tuple(size) if size is not None else p.shape[:-1]
    p = np.broadcast_to(p, batch + p.shape[-1:])
    cdf = np.cumsum(p, axis=-1)
    cdf /= cdf[..., -1:]
    u = _unit_uniform(rng, batch)
    idx = (cdf < np.asarray(u)[..., None]).sum(axis=-1)
    return np.minimum(idx, p.shape[-1] - 1)


def _bernoulli(rng, params, size, options):
    (p,) = params
    return rng.binomial(1, p, size=size)


def _choice(rng, params, size, options):
    a, p = params if len(params) == 2 else (params[0], None)
    a = a.item() if a.ndim == 0 else a
    return rng.choice(a, size=size, replace=options["replace"], p=p)


def _rows_choice(rng, params, size, options):
    """Per row of ``p``: ``k`` draws of column indices (MRG's choice on a matrix of probabilities)."""
    (p,) = params
    return rng.choice(p.shape[-1], size=options["k"], replace=options["replace"], p=p)


def _permutation(rng, params, size, options):
    (n,) = params
    return rng.permutation(int(n))


TRUNC_STD = 0.87962566103423978  # the deviation of a standard normal truncated to [-2, 2]


def _truncated_normal(rng, params, size, options):
    """Normal draws redrawn while beyond two deviations, scaled so that ``scale`` is their deviation."""
    loc, scale = params
    shape = tuple(size) if size is not None else np.broadcast_shapes(loc.shape, scale.shape)
    z = np.array(rng.standard_normal(shape), dtype=np.float64)
    bad = np.abs(z) > 2
    while bad.any():
        z[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(z) > 2
    return loc + (scale / TRUNC_STD) * z


def _normal_pathwise(params, x, g):
    loc, scale = params
    return [g, g * (x - loc) / scale]


def _uniform_pathwise(params, x, g):
    low, high = params
    u = (x - low) / (high - low)
    return [g * (1 - u), g * u]


def _last_len(k):
    return lambda params, opts: [params[k].type.shape[-1]]


def _last_dim(k):
    return lambda params, opts: [params[k].shape[-1]]


def _perm_len(params, opts):
    from ..shape_ops import _const_int

    return [_const_int(params[0])]


for _d in (
    Dist("uniform", ("low", "high"), (0, 0), draw=_call("uniform"), pathwise=_uniform_pathwise),
    Dist("normal", ("loc", "scale"), (0, 0), draw=_call("normal"), pathwise=_normal_pathwise),
    Dist("truncated_normal", ("loc", "scale"), (0, 0), draw=_truncated_normal, pathwise=_normal_pathwise),
    Dist("gamma", ("shape", "scale"), (0, 0), draw=_call("gamma")),
    Dist("beta", ("a", "b"), (0, 0), draw=_call("beta")),
    Dist("exponential", ("scale",), (0,), draw=_call("exponential")),
    Dist("binomial", ("n", "p"), (0, 0), dtype="int64", draw=_call("binomial")),
    Dist("poisson", ("lam",), (0,), dtype="int64", draw=_call("poisson")),
    Dist("integers", ("low", "high"), (0, 0), dtype="int64", draw=_integers),
    Dist("bernoulli", ("p",), (0,), dtype="int64", draw=_bernoulli),
    Dist("categorical", ("p",), (1,), dtype="int64", draw=_categorical),
    Dist("multinomial", ("n", "p"), (0, 1), ndim_supp=1, dtype="int64", draw=_call("multinomial"),
         supp_shape=_last_len(1), supp_len=_last_dim(1), batched_core=True, vector_size=True),
    Dist("dirichlet", ("alpha",), (1,), ndim_supp=1, draw=_call("dirichlet"),
         supp_shape=_last_len(0), supp_len=_last_dim(0), batched_core=True, vector_size=True),
    Dist("multivariate_normal", ("mean", "cov"), (1, 2), ndim_supp=1, draw=_call("multivariate_normal"),
         supp_shape=_last_len(0), supp_len=_last_dim(0), batched_core=True, vector_size=True),
    Dist("permutation", ("n",), (0,), ndim_supp=1, dtype="int64", draw=_permutation,
         supp_shape=_perm_len, supp_len=lambda params, opts: [params[0]], batched_core=True),
    # choice: ``a`` is a count (0-d) or the values to pick from (1-d); ``p`` is optional
    Dist("choice", ("a", "p"), (1, 1), dtype="int64", draw=_choice),
    Dist("rows_choice", ("p",), (1,), ndim_supp=1, dtype="int64", draw=_rows_choice,
         supp_shape=lambda params, opts: [opts["k"]], supp_len=lambda params, opts: [opts["k"]],
         batched_core=True),
):
    register(_d)


def draw_batched(dist, rng, params, size, options):
    """Draw with ``dist`` for output batch shape ``size`` (None: the parameters' batch shape)."""
    if not dist.batched_core:
        return dist.draw(rng, params, size, options)
    batches = [p.shape[:p.ndim - k] for p, k in zip(params, dist.ndims_params)]
    if not any(batches) and (size is None or dist.vector_size):
        return dist.draw(rng, params, size, options)
    batch = tuple(size) if size is not None else np.broadcast_shapes(*batches)
    full = [np.broadcast_to(p, batch + p.shape[p.ndim - k:]) for p, k in zip(params, dist.ndims_params)]
    if 0 in batch:
        supp = tuple(int(np.max(n, initial=0)) for n in dist.supp_len(params, options))
        return np.empty(batch + supp, dtype=np.float64 if dist.dtype == "floatX" else dist.dtype)
    draws = [dist.draw(rng, [f[idx] for f in full], None, options) for idx in np.ndindex(*batch)]
    return np.stack(draws).reshape(batch + draws[0].shape)
