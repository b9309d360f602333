"""Theano's ``theano.compile.io``: function inputs and outputs."""
from ..function_io import In, Out  # noqa: F401

SymbolicInput = In
SymbolicOutput = Out
