"""Theano's ``sandbox`` names kept for code written against them (``sandbox.rng_mrg``)."""
