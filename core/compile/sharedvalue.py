"""Theano's ``theano.compile.sharedvalue``."""
from ..shared import SharedVariable, shared  # noqa: F401
