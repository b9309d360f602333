"""Theano's ``theano.gof.type``: the Type base classes."""
from ..types import GenericType as Generic, Type, generic  # noqa: F401

PureType = Type
