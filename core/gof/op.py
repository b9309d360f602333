"""Theano's ``theano.gof.op``: the Op base classes."""
from ..graph import Op  # noqa: F401

PureOp = Op
