"""The typed list type: a Python list whose items all have one Type."""
from __future__ import annotations

from ..graph import Constant, Variable
from ..types import Type


class TypedListType(Type):
    """A list of values of ``ttype`` (``depth`` > 1: lists of lists)."""

    def __init__(self, ttype, depth=0):
        if depth < 0:
            raise ValueError("TypedListType: depth must be >= 0")
        if not isinstance(ttype, Type):
            raise TypeError(f"TypedListType takes a Type (e.g. arignote.tensor.fvector), got {ttype!r}")
        self.ttype = ttype if depth == 0 else TypedListType(ttype, depth - 1)
        self.depth = depth

    def __eq__(self, other):
        return type(other) is type(self) and other.ttype == self.ttype

    def __hash__(self):
        return hash((TypedListType, self.ttype))

    def __str__(self):
        return f"TypedList <{self.ttype}>"

    __repr__ = __str__

    def filter(self, value, strict=False, allow_downcast=None, name=None):
        if not isinstance(value, (list, tuple)):
            what = f" for {name}" if name else ""
            raise TypeError(f"expected a list of {self.ttype}{what}, got {type(value).__name__}")
        return [self._filter_item(v, k, strict, allow_downcast, name) for k, v in enumerate(value)]

    def _filter_item(self, v, k, strict, allow_downcast, name):
        from ..function_io import named_filter

        return named_filter(self.ttype)(v, strict=strict, allow_downcast=allow_downcast,
                                        name=f"item {k} of {name or 'a typed list'}")

    def make_variable(self, name=None):
        return TypedListVariable(self, name=name)

    def get_depth(self):
        return self.depth

    def values_eq(self, a, b):
        import numpy as np

        return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))

    def format_constant(self, data):
        return f"TypedListConstant{{{len(data)} items}}"

    def constant_signature(self, data):
        return (self, id(data))


class _ListMethods:
    """List-like methods building typed-list ops (see :mod:`arignote.typed_list.basic`).

    ``index`` is a Variable's output position, so the search is ``typed_list.index_(l, x)``."""

    def _b(self):
        from . import basic

        return basic

    def __getitem__(self, index):
        return self._b().getitem(self, index)

    def __len__(self):
        raise TypeError("len() of a symbolic typed list is unknown; use typed_list.length(l)")

    def append(self, toAppend):
        return self._b().append(self, toAppend)

    def extend(self, toAppend):
        return self._b().extend(self, toAppend)

    def insert(self, index, toInsert):
        return self._b().insert(self, index, toInsert)

    def remove(self, toRemove):
        return self._b().remove(self, toRemove)

    def reverse(self):
        return self._b().reverse(self)

    def count(self, elem):
        return self._b().count(self, elem)

    @property
    def ttype(self):
        return self.type.ttype

    __hash__ = Variable.__hash__


class TypedListVariable(_ListMethods, Variable):
    """A symbolic typed list."""


class TypedListConstant(_ListMethods, Constant):
    """A fixed typed list."""
