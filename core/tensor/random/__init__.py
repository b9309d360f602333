"""Random variables in graphs (``arignote.tensor.random``).

* :class:`RandomStream` -- the modern stream: ``srng.normal(0, 1, size=(2, 2))``;
* :class:`~.op.RandomVariable` -- the op drawing from a distribution (the
  distributions are records in :mod:`.distributions`);
* :mod:`.type` -- generator types and the shared variables holding them.

Theano's spellings live in ``arignote.tensor.shared_randomstreams``
(``RandomStreams``) and ``arignote.sandbox.rng_mrg`` (``MRG_RandomStreams``).
"""
from __future__ import annotations

from .op import RandomVariable
from .streams import RandomStream, SizeFirstMethods, StreamsBase
from . import type as _type
from .type import RandomType, random_generator_type, random_shared, random_state_type

__all__ = [
    "RandomStream", "RandomVariable", "RandomType", "RandomStateSharedVariable", "random_shared",
    "random_state_type", "random_generator_type", "SizeFirstMethods", "StreamsBase",
]


def __getattr__(name):
    if name == "RandomStateSharedVariable":  # defined by arignote.shared, a layer above
        return _type.shared_class
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
