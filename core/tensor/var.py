"""Theano's ``theano.tensor.var``: the tensor variable classes (``type(x)`` shows this path)."""
from .variable import TensorConstant, TensorVariable, _TensorMixin  # noqa: F401

for _cls in (TensorVariable, TensorConstant):
    _cls.__module__ = __name__  # pickles find them here too
del _cls
