"""Random streams: factories of random variables whose generators live in shared variables.

Each draw gets its own generator, held by a shared variable (``rv.rng``)
whose ``default_update`` is the advanced generator, so ``function([], rv)``
returns new draws on every call without the user writing updates.
``seed(n)`` reseeds every generator the stream made, deterministically.

Two spellings of the methods exist: Theano's (``srng.normal(size, avg,
std)``: size first, :class:`SizeFirstMethods`) and the modern one
(``srng.normal(loc, scale, size=...)``: :class:`RandomStream`).
"""
from __future__ import annotations

import numpy as np

from .build import random_variable
from .type import random_shared


class StreamsBase:
    """Makes generators, registers draws (``state_updates``) and reseeds them."""

    def __init__(self, seed=None):
        self.state_updates = []
        self.default_instance_seed = seed
        self._reset_seeds(seed)

    # -- what a subclass chooses: the generator kind and how seeds are derived
    def _reset_seeds(self, seed):
        raise NotImplementedError

    def _next_generator(self):
        raise NotImplementedError

    # -- shared behaviour
    def gen(self, dist, size=None, params=(), ndim=None, dtype=None, **options):
        """A draw from ``dist`` with a fresh generator of this stream (``rv.rng``, ``rv.update``)."""
        rng = random_shared(self._next_generator(), borrow=True)
        rng.tag.is_rng = True
        new_rng, out = random_variable(dist, rng, size, params, ndim=ndim, dtype=dtype, options=options)
        rng.default_update = new_rng
        out.rng = rng
        out.update = (rng, new_rng)
        self.state_updates.append(out.update)
        return out

    def seed(self, seed=None):
        """Reseed every generator made so far from ``seed`` (default: the stream's own seed), in order;
        later draws continue from the same seed sequence, so the whole stream is reproducible."""
        if seed is None:
            seed = self.default_instance_seed
        self._reset_seeds(seed)
        for old_r, _ in self.state_updates:
            old_r.set_value(self._next_generator(), borrow=True)

    def updates(self):
        """Every (generator, advanced generator) pair of this stream, for ``function(updates=...)``."""
        return list(self.state_updates)

    def __getitem__(self, item):
        """``srng[rv.rng]``: the generator held by one of this stream's shared variables."""
        return item.get_value(borrow=True)

    def __setitem__(self, item, val):
        item.set_value(val, borrow=True)


class SizeFirstMethods:
    """Theano's ``RandomStreamsBase`` methods: ``size`` first, then the parameters."""

    def uniform(self, size=None, low=0.0, high=1.0, ndim=None, dtype=None):
        """Draws from the uniform distribution on [low, high)."""
        return self.gen("uniform", size, (low, high), ndim, dtype)

    def normal(self, size=None, avg=0.0, std=1.0, ndim=None, dtype=None, loc=None, scale=None):
        """Draws from the normal distribution with mean ``avg`` (``loc``) and deviation ``std`` (``scale``)."""
        avg = avg if loc is None else loc
        std = std if scale is None else scale
        return self.gen("normal", size, (avg, std), ndim, dtype)

    def binomial(self, size=None, n=1, p=0.5, ndim=None, dtype="int64", prob=None):
        """The number of successes in ``n`` trials of probability ``p`` (``prob`` is Theano's old name)."""
        return self.gen("binomial", size, (n, p if prob is None else prob), ndim, dtype)

    def bernoulli(self, size=None, p=0.5, ndim=None, dtype="int64"):
        """1 with probability ``p``, else 0."""
        return self.gen("bernoulli", size, (p,), ndim, dtype)

    def poisson(self, size=None, lam=1.0, ndim=None, dtype="int64"):
        """Draws from the Poisson distribution of rate ``lam``."""
        return self.gen("poisson", size, (lam,), ndim, dtype)

    def random_integers(self, size=None, low=0, high=1, ndim=None, dtype="int64"):
        """Integers between ``low`` and ``high``, both inclusive."""
        return self.gen("integers", size, (low, _plus_one(high)), ndim, dtype)

    def integers(self, size=None, low=0, high=None, ndim=None, dtype="int64"):
        """Integers in [low, high) (in [0, low) when ``high`` is None)."""
        low, high = (0, low) if high is None else (low, high)
        return self.gen("integers", size, (low, high), ndim, dtype)

    def choice(self, size=None, a=2, replace=True, p=None, ndim=None, dtype=None):
        """Picks from ``a`` (a count: 0..a-1, or a vector of values), with or without replacement,
        uniformly or with probabilities ``p``."""
        return _choice(self, size, a, replace, p, ndim, dtype)

    def permutation(self, size=None, n=1, ndim=None, dtype="int64"):
        """Permutations of 0..n-1, one per element of ``size`` (output shape ``size + (n,)``)."""
        return self.gen("permutation", size, (n,), ndim, dtype)

    def multinomial(self, size=None, n=1, pvals=(0.5, 0.5), ndim=None, dtype="int64"):
        """Counts of ``n`` draws over the categories of ``pvals`` (output shape ``size + (len(pvals),)``)."""
        return self.gen("multinomial", size, (n, pvals), ndim, dtype)

    def categorical(self, size=None, p=(0.5, 0.5), ndim=None, dtype="int64"):
        """The index of one category drawn with probabilities ``p`` (the last axis)."""
        return self.gen("categorical", size, (p,), ndim, dtype)

    def gamma(self, size=None, shape=1.0, scale=1.0, ndim=None, dtype=None):
        """Draws from the gamma distribution of ``shape`` and ``scale``."""
        return self.gen("gamma", size, (shape, scale), ndim, dtype)

    def beta(self, size=None, a=1.0, b=1.0, ndim=None, dtype=None):
        """Draws from the beta distribution of ``a`` and ``b``."""
        return self.gen("beta", size, (a, b), ndim, dtype)

    def exponential(self, size=None, scale=1.0, ndim=None, dtype=None):
        """Draws from the exponential distribution of ``scale`` (1 / rate)."""
        return self.gen("exponential", size, (scale,), ndim, dtype)

    def dirichlet(self, size=None, alpha=(1.0, 1.0), ndim=None, dtype=None):
        """Draws from the Dirichlet distribution of concentrations ``alpha`` (the last axis)."""
        return self.gen("dirichlet", size, (alpha,), ndim, dtype)

    def multivariate_normal(self, size=None, mean=(0.0,), cov=((1.0,),), ndim=None, dtype=None):
        """Draws from the multivariate normal distribution of ``mean`` and covariance ``cov``."""
        return self.gen("multivariate_normal", size, (mean, cov), ndim, dtype)

    def shuffle_row_elements(self, input):
        """``input`` with the elements of every row (the last axis) shuffled; the permutations
        used are the result's ``.permutation``."""
        from ..variable import as_tensor_variable

        x = as_tensor_variable(input)
        perm = self.permutation(size=x.shape[:-1], n=x.shape[-1], ndim=x.ndim - 1)
        out = _take_along_last(x, perm)
        out.permutation = perm
        return out


class RandomStream(StreamsBase):
    """The modern random stream (PyTensor's ``RandomStream``): parameters first, ``size=`` after.

    Every draw gets a ``numpy.random.Generator`` (``rng_ctor``, default
    ``numpy.random.default_rng``) seeded from a ``numpy.random.SeedSequence``
    of ``seed``, so the draws of one stream are independent of each other,
    of other streams with other seeds and of NumPy's global state.
    """

    def __init__(self, seed=None, namespace=None, rng_ctor=np.random.default_rng):
        self.rng_ctor = rng_ctor
        self.namespace = namespace
        super().__init__(seed)

    def _reset_seeds(self, seed):
        self._seedseq = np.random.SeedSequence(seed)

    def _next_generator(self):
        return self.rng_ctor(self._seedseq.spawn(1)[0])

    def uniform(self, low=0.0, high=1.0, size=None, dtype=None, ndim=None):
        return self.gen("uniform", size, (low, high), ndim, dtype)

    def normal(self, loc=0.0, scale=1.0, size=None, dtype=None, ndim=None):
        return self.gen("normal", size, (loc, scale), ndim, dtype)

    def binomial(self, n, p, size=None, dtype="int64", ndim=None):
        return self.gen("binomial", size, (n, p), ndim, dtype)

    def bernoulli(self, p, size=None, dtype="int64", ndim=None):
        return self.gen("bernoulli", size, (p,), ndim, dtype)

    def poisson(self, lam=1.0, size=None, dtype="int64", ndim=None):
        return self.gen("poisson", size, (lam,), ndim, dtype)

    def integers(self, low, high=None, size=None, dtype="int64", ndim=None):
        low, high = (0, low) if high is None else (low, high)
        return self.gen("integers", size, (low, high), ndim, dtype)

    def random_integers(self, low=0, high=1, size=None, dtype="int64", ndim=None):
        return self.gen("integers", size, (low, _plus_one(high)), ndim, dtype)

    def choice(self, a, size=None, replace=True, p=None, dtype=None, ndim=None):
        return _choice(self, size, a, replace, p, ndim, dtype)

    def permutation(self, x, dtype=None, ndim=None):
        """A permutation of 0..x-1 for an integer ``x``, or of the first axis of the tensor ``x``."""
        from ..variable import as_tensor_variable

        if isinstance(x, (int, np.integer)) or getattr(x, "ndim", 1) == 0:
            return self.gen("permutation", None, (x,), ndim, dtype or "int64")
        x = as_tensor_variable(x)
        return x[self.gen("permutation", None, (x.shape[0],), None, "int64")]

    def multinomial(self, n, p, size=None, dtype="int64", ndim=None):
        return self.gen("multinomial", size, (n, p), ndim, dtype)

    def categorical(self, p, size=None, dtype="int64", ndim=None):
        return self.gen("categorical", size, (p,), ndim, dtype)

    def gamma(self, shape, scale=1.0, size=None, dtype=None, ndim=None):
        return self.gen("gamma", size, (shape, scale), ndim, dtype)

    def beta(self, a, b, size=None, dtype=None, ndim=None):
        return self.gen("beta", size, (a, b), ndim, dtype)

    def exponential(self, scale=1.0, size=None, dtype=None, ndim=None):
        return self.gen("exponential", size, (scale,), ndim, dtype)

    def dirichlet(self, alphas, size=None, dtype=None, ndim=None):
        return self.gen("dirichlet", size, (alphas,), ndim, dtype)

    def multivariate_normal(self, mean, cov, size=None, dtype=None, ndim=None):
        return self.gen("multivariate_normal", size, (mean, cov), ndim, dtype)


def _plus_one(high):
    return high + 1


def _choice(stream, size, a, replace, p, ndim, dtype):
    from ..variable import as_tensor_variable

    av = as_tensor_variable(a)
    if av.ndim > 1:
        raise ValueError(f"choice: a must be a count or a vector of values, got {av} of type {av.type}")
    if dtype is None:
        dtype = av.dtype if av.ndim == 1 else "int64"
    params = (av,) if p is None else (av, p)
    return stream.gen("choice", size, params, ndim, dtype, replace=bool(replace))


def _take_along_last(x, idx):
    """``x`` with its last axis reordered by the index array ``idx`` (same shape as x)."""
    from .. import math as tm
    from ..basic import arange
    from ..shape_ops import reshape

    n = x.shape[-1]
    flat_x = reshape(x, (-1,))
    rows = arange(flat_x.shape[0] // n) * n
    flat_idx = reshape(idx, (-1, n)) + rows.dimshuffle(0, "x")
    return reshape(flat_x[tm.cast(reshape(flat_idx, (-1,)), "int64")], x.shape)
