"""Theano's ``theano.compile.function_module``: Function, and the DeepCopyOp it puts on outputs."""
from ..deep_copy import DeepCopyOp, deep_copy_op  # noqa: F401
from ..function import Function, function  # noqa: F401
