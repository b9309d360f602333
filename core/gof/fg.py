"""Theano's ``theano.gof.fg``."""
from ..fg import FunctionGraph, InconsistencyError  # noqa: F401
