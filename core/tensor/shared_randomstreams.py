"""Theano's ``shared_randomstreams``: ``RandomStreams(seed)``, a symbolic stand-in for
``numpy.random.RandomState``.

Every draw (``srng.uniform((2, 2))``) gets its own ``numpy.random.RandomState``
held by a shared variable (``rv.rng``), seeded as Theano seeded it: a seed
generator ``RandomState(seed)`` gives each new draw the seed
``randint(2**30)``.  So the draws are Theano's own for one seed (with
``floatX=float64``), and ``rv.rng.get_value()`` is a RandomState with
``seed``/``get_state``/``set_state`` as in Theano's tutorial.
"""
from __future__ import annotations

import numpy as np

from .random.streams import SizeFirstMethods, StreamsBase
from .random import type as _type

__all__ = ["RandomStreams", "RandomStateSharedVariable"]


class RandomStreams(SizeFirstMethods, StreamsBase):
    """Random variables of many distributions (see :class:`SizeFirstMethods`), each with its own
    shared ``RandomState``; ``seed(n)`` reseeds them all, ``updates()`` lists their updates."""

    def _reset_seeds(self, seed):
        self.gen_seedgen = np.random.RandomState(seed)

    def _next_generator(self):
        return np.random.RandomState(int(self.gen_seedgen.randint(2 ** 30)))


def __getattr__(name):
    if name == "RandomStateSharedVariable":  # defined by arignote.shared, a layer above
        return _type.shared_class
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
