"""Theano's ``raw_random``: draws from an explicit generator variable.

``post_r, out = uniform(rng, (4,), -2.0, 2.0)`` draws from the generator
variable ``rng`` (a ``random_state_type()`` input, or a shared generator) and
returns the advanced generator with the draw; the caller decides what
becomes of ``post_r`` (an update, an ``In(..., update=post_r)``, nothing).
``RandomStreamsBase`` is the size-first method set the streams share.
"""
from __future__ import annotations

from .random.build import random_variable
from .random.op import RandomVariable as RandomFunction
from .random.streams import SizeFirstMethods as RandomStreamsBase
from .random.streams import _plus_one
from .random.type import RandomType, random_state_type

RandomStateType = RandomType

__all__ = ["RandomStreamsBase", "RandomStateType", "RandomFunction", "random_state_type", "uniform", "normal",
           "binomial", "random_integers", "choice", "poisson", "permutation", "multinomial"]


def uniform(random_state, size=None, low=0.0, high=1.0, ndim=None, dtype=None):
    """(new generator, draws from the uniform distribution on [low, high))."""
    return random_variable("uniform", random_state, size, (low, high), ndim, dtype)


def normal(random_state, size=None, avg=0.0, std=1.0, ndim=None, dtype=None):
    """(new generator, normal draws of mean ``avg`` and deviation ``std``)."""
    return random_variable("normal", random_state, size, (avg, std), ndim, dtype)


def binomial(random_state, size=None, n=1, p=0.5, ndim=None, dtype="int64", prob=None):
    """(new generator, successes of ``n`` trials of probability ``p``)."""
    return random_variable("binomial", random_state, size, (n, p if prob is None else prob), ndim, dtype)


def random_integers(random_state, size=None, low=0, high=1, ndim=None, dtype="int64"):
    """(new generator, integers in [low, high], both ends included)."""
    return random_variable("integers", random_state, size, (low, _plus_one(high)), ndim, dtype)


def choice(random_state, size=None, a=2, replace=True, p=None, ndim=None, dtype="int64"):
    """(new generator, picks from ``a``: a count or a vector of values)."""
    params = (a,) if p is None else (a, p)
    return random_variable("choice", random_state, size, params, ndim, dtype, {"replace": bool(replace)})


def poisson(random_state, size=None, lam=1.0, ndim=None, dtype="int64"):
    """(new generator, Poisson draws of rate ``lam``)."""
    return random_variable("poisson", random_state, size, (lam,), ndim, dtype)


def permutation(random_state, size=None, n=1, ndim=None, dtype="int64"):
    """(new generator, permutations of 0..n-1, shape ``size + (n,)``)."""
    return random_variable("permutation", random_state, size, (n,), ndim, dtype)


def multinomial(random_state, size=None, n=1, pvals=(0.5, 0.5), ndim=None, dtype="int64"):
    """(new generator, multinomial counts of ``n`` draws, shape ``size + (len(pvals),)``)."""
    return random_variable("multinomial", random_state, size, (n, pvals), ndim, dtype)
