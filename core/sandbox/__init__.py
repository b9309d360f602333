"""Theano's ``sandbox`` names kept for code written against them (``sandbox.rng_mrg``)."""
from . import rng_mrg  # noqa: F401  (``arignote.sandbox.rng_mrg.MRG_RandomStreams`` after ``import arignote``)
