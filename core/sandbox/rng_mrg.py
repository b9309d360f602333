"""Theano's ``sandbox.rng_mrg.MRG_RandomStreams``, with its interface.

The interface is Theano's (``rstate``, ``seed``, ``state_updates``,
``uniform(size, low, high, ndim, dtype, nstreams)``, ``normal(..., truncate=)``,
``binomial``, ``multinomial`` and ``choice`` over rows of a probability
matrix); the generator underneath is not MRG31k3p but NumPy's PCG64 (a
``numpy.random.Generator`` per draw), the same generator on every backend.
``rstate`` is the seed source: each new draw takes its generator's seed from
it and advances it, so copying ``rstate`` between streams (as Theano's
tutorial does) makes their later draws alike.  ``nstreams`` is accepted and
ignored: a PCG64 generator has no sub-streams to choose.
"""
from __future__ import annotations

import numpy as np

from ..tensor.random.streams import StreamsBase

__all__ = ["MRG_RandomStreams"]

M2 = 2147462579  # MRG31k3p's second modulus: seeds must stay below it, as in Theano


class MRG_RandomStreams(StreamsBase):
    """Random streams with Theano's MRG interface (see the module docstring for the generator)."""

    def __init__(self, seed=12345, use_cuda=None):
        super().__init__(seed)  # use_cuda: Theano's old flag, accepted and ignored (one generator everywhere)

    # -- seeds
    def set_rstate(self, seed):
        """Set the seed source from an int (0 < seed < M2) or 6 ints."""
        if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
            if seed == 0:
                raise ValueError("MRG_RandomStreams: seed should not be 0")
            if not 0 < seed < M2:
                raise ValueError(f"MRG_RandomStreams: seed should be in (0, {M2}), got {seed}")
            self.rstate = np.full(6, seed, dtype="int32")
            return
        arr = np.asarray(seed)
        if arr.shape != (6,) or arr.dtype.kind not in "iu":
            raise TypeError(f"MRG_RandomStreams: seed must be an int or 6 ints, got {seed!r}")
        self.rstate = arr.astype("int32")

    def _reset_seeds(self, seed):
        self.set_rstate(seed)

    def inc_rstate(self):
        """Advance the seed source (as Theano's jump to the next sub-stream block)."""
        seq = np.random.SeedSequence([int(v) & 0xFFFFFFFF for v in self.rstate])
        self.rstate = (seq.generate_state(6, np.uint32) % M2).astype("int32")

    def _next_generator(self):
        seq = np.random.SeedSequence([int(v) & 0xFFFFFFFF for v in self.rstate])
        self.inc_rstate()
        return np.random.default_rng(seq)

    def gen(self, dist, size=None, params=(), ndim=None, dtype=None, **options):
        out = super().gen(dist, size, params, ndim, dtype, **options)
        out.rstate = out.rng  # Theano's name for a draw's state variable
        return out

    # -- draws (Theano's signatures)
    def uniform(self, size=None, low=0.0, high=1.0, ndim=None, dtype=None, nstreams=None, **kwargs):
        """Draws from the uniform distribution on [low, high)."""
        return self.gen("uniform", size, (low, high), ndim, dtype)

    def normal(self, size=None, avg=0.0, std=1.0, ndim=None, dtype=None, nstreams=None, truncate=False,
               loc=None, scale=None, **kwargs):
        """Draws from the normal distribution (mean ``avg`` or ``loc``, deviation ``std`` or ``scale``);
        ``truncate=True``: redrawn beyond two deviations."""
        avg = avg if loc is None else loc
        std = std if scale is None else scale
        if truncate:
            return self.truncated_normal(size, avg, std, ndim, dtype)
        return self.gen("normal", size, (avg, std), ndim, dtype)

    def truncated_normal(self, size=None, avg=0.0, std=1.0, ndim=None, dtype=None, nstreams=None, **kwargs):
        """Normal draws of mean ``avg`` and deviation ``std`` kept within two deviations of the
        underlying normal (Theano's: the draws' own deviation is ``std``)."""
        return self.gen("truncated_normal", size, (avg, std), ndim, dtype)

    def binomial(self, size=None, p=1, ndim=None, dtype="int64", nstreams=None, n=1, **kwargs):
        """Successes of ``n`` (default 1) trials of probability ``p``."""
        return self.gen("binomial", size, (n, p), ndim, dtype)

    def multinomial(self, size=None, n=1, pvals=None, ndim=None, dtype="int64", nstreams=None, **kwargs):
        """Per row of the probability matrix ``pvals``: the counts of ``n`` draws (same shape as pvals)."""
        if pvals is None:
            raise TypeError("MRG_RandomStreams.multinomial: you have to specify pvals")
        return self.gen("multinomial", size, (n, pvals), ndim, dtype)

    def choice(self, size=1, a=None, replace=True, p=None, ndim=None, dtype="int64", nstreams=None, **kwargs):
        """Per row of the probability matrix ``p``: ``size`` column indices, with or without replacement
        (a matrix of shape (p.shape[0], size)).  ``a`` must be None: the choices are p's columns."""
        if a is not None:
            raise TypeError("MRG_RandomStreams.choice: a must be None (the choices are the columns of p)")
        if p is None:
            raise TypeError("MRG_RandomStreams.choice: you have to specify p")
        if not isinstance(size, (int, np.integer)) or isinstance(size, bool) or size < 1:
            raise ValueError(f"MRG_RandomStreams.choice: size must be a positive int, got {size!r}")
        return self.gen("rows_choice", None, (p,), None, dtype, k=int(size), replace=bool(replace))

    def multinomial_wo_replacement(self, size=None, n=1, pvals=None, ndim=None, dtype="int64", nstreams=None,
                                   **kwargs):
        """Theano's old name for ``choice(size=n, p=pvals, replace=False)``."""
        return self.choice(size=n, p=pvals, replace=False, dtype=dtype)
