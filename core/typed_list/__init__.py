"""Theano's ``theano.typed_list``: lists of values of one Type in graphs."""
from .type import TypedListConstant, TypedListType, TypedListVariable  # noqa: F401
from .basic import *  # noqa: F401,F403
from . import basic  # noqa: F401
