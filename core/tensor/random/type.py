"""The types of random generator values, and shared variables that hold them.

A random variable's generator is a value like any other: it flows into the
draw and a new (advanced) generator flows out.  Two kinds exist, as NumPy
has two: ``numpy.random.RandomState`` (Theano's ``RandomStreams`` and the
tutorial's ``rng.get_state()``/``set_state()``/``seed()``) and
``numpy.random.Generator`` (the modern ``RandomStream``).
"""
from __future__ import annotations

import numpy as np

from ...types import Type

_KINDS = {"RandomState": np.random.RandomState, "Generator": np.random.Generator}


class RandomType(Type):
    """Values are NumPy generators of one kind ('RandomState' or 'Generator')."""

    def __init__(self, kind):
        if kind not in _KINDS:
            raise ValueError(f"unknown random generator kind {kind!r}; expected one of {', '.join(_KINDS)}")
        self.kind = kind
        self.value_class = _KINDS[kind]

    def __eq__(self, other):
        return type(other) is type(self) and other.kind == self.kind

    def __hash__(self):
        return hash((RandomType, self.kind))

    def __str__(self):
        return "RandomStateType" if self.kind == "RandomState" else "RandomGeneratorType"

    __repr__ = __str__

    def __reduce__(self):
        return (RandomType, (self.kind,))

    def filter(self, value, strict=False, allow_downcast=None, name=None):
        if isinstance(value, self.value_class):
            return value
        what = f"input {name!r}" if name else "value"
        raise TypeError(f"{what} must be a numpy.random.{self.kind} for {self}, got {type(value).__name__}")

    def format_constant(self, data):
        return f"<{self.kind}>"

    def constant_signature(self, data):
        return (self, id(data))


random_state_type = RandomType("RandomState")
random_generator_type = RandomType("Generator")


def type_of_generator(value):
    """The RandomType for a NumPy generator ``value`` (TypeError for anything else)."""
    if isinstance(value, np.random.RandomState):
        return random_state_type
    if isinstance(value, np.random.Generator):
        return random_generator_type
    raise TypeError(f"expected a numpy.random.RandomState or numpy.random.Generator, got {type(value).__name__}")


_shared = None  # ``arignote.shared``'s maker of generator-holding shared variables, installed by that module
shared_class = None  # the class of those (``RandomStateSharedVariable``)


def use_shared_maker(make, cls):
    """Install the maker ``random_shared`` calls and its class (the shared-variable layer, above
    this one, hands them down when ``arignote`` is imported)."""
    global _shared, shared_class
    _shared, shared_class = make, cls


def random_shared(value, name=None, borrow=False):
    """A shared variable holding the generator ``value`` (copied unless ``borrow``): a
    ``RandomStateSharedVariable`` of ``arignote.shared``."""
    type_of_generator(value)
    return _shared(value, name=name, borrow=borrow)


def _state(g):
    return g.get_state(legacy=False) if isinstance(g, np.random.RandomState) else g.bit_generator.state


def _same(a, b):
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(a, b)
    return a == b


def same_generator_state(a, b):
    """Whether the generators ``a`` and ``b`` are of one kind and in one state (will draw alike)."""
    return type(a) is type(b) and _same(_state(a), _state(b))
