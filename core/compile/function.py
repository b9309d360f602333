"""Theano's ``theano.compile.function``."""
from ..function import Function, function  # noqa: F401
