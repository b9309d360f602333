"""Ops on typed lists (Theano's ``theano.typed_list.basic``); none changes its input list."""
from __future__ import annotations

import numpy as np

from ..graph import Apply, Op, Variable
from ..types import TensorType
from .type import TypedListType, TypedListVariable


def _as_list(x):
    if isinstance(x, Variable):
        if not isinstance(x.type, TypedListType):
            raise TypeError(f"{x} is a {x.type}, not a typed list")
        return x
    raise TypeError(f"expected a typed list variable, got {type(x).__name__}")


def _as_item(lst, x):
    """``x`` as a variable of the list's item type."""
    if isinstance(x, Variable):
        v = x
    else:
        from ..tensor.variable import as_tensor_variable

        v = as_tensor_variable(x)
    if v.type != lst.ttype:
        raise TypeError(f"the item {v} has type {v.type}, but the list holds {lst.ttype}")
    return v


def _as_index(i):
    from ..tensor.variable import as_tensor_variable

    i = as_tensor_variable(i)
    if i.ndim != 0 or i.dtype[0] not in "iu":
        raise TypeError(f"a typed-list index must be an integer scalar, got {i.type}")
    return i


def _same(a, b):
    return a is b or (np.shape(a) == np.shape(b) and bool(np.all(a == b)))


class _ListOp(Op):
    def __str__(self):
        return type(self).__name__


class GetItem(_ListOp):
    """``l[i]`` (an item) or ``l[a:b]`` (a list)."""

    def make_node(self, x, index):
        x = _as_list(x)
        if isinstance(index, slice):
            from ..tensor.variable import constant

            parts = [constant(-1 if v is None else v, dtype="int64") for v in (index.start, index.stop, index.step)]
            flags = tuple(v is None for v in (index.start, index.stop, index.step))
            return Apply(_SliceItems(flags), [x] + parts, [x.type()])
        return Apply(self, [x, _as_index(index)], [x.ttype()])

    def perform(self, node, inputs, out):
        x, i = inputs
        out[0][0] = x[int(i)]


class _SliceItems(_ListOp):
    __props__ = ("none_flags",)

    def __init__(self, none_flags):
        self.none_flags = tuple(none_flags)

    def perform(self, node, inputs, out):
        x, *parts = inputs
        bounds = [None if none else int(p) for p, none in zip(parts, self.none_flags)]
        out[0][0] = list(x[slice(*bounds)])

    def __str__(self):
        return "GetItem{slice}"


getitem = GetItem()


class Append(_ListOp):
    """``l + [item]``."""

    def make_node(self, x, toAppend):
        x = _as_list(x)
        return Apply(self, [x, _as_item(x, toAppend)], [x.type()])

    def perform(self, node, inputs, out):
        x, item = inputs
        out[0][0] = list(x) + [item]


append = Append()


class Extend(_ListOp):
    """``l + other``."""

    def make_node(self, x, toAppend):
        x, other = _as_list(x), _as_list(toAppend)
        if other.type != x.type:
            raise TypeError(f"cannot extend a {x.type} with a {other.type}")
        return Apply(self, [x, other], [x.type()])

    def perform(self, node, inputs, out):
        out[0][0] = list(inputs[0]) + list(inputs[1])


extend = Extend()


class Insert(_ListOp):
    """``l`` with ``item`` inserted at ``index``."""

    def make_node(self, x, index, toInsert):
        x = _as_list(x)
        return Apply(self, [x, _as_index(index), _as_item(x, toInsert)], [x.type()])

    def perform(self, node, inputs, out):
        x, i, item = inputs
        y = list(x)
        y.insert(int(i), item)
        out[0][0] = y


insert = Insert()


class Remove(_ListOp):
    """``l`` without the first item equal to ``toRemove`` (ValueError when none)."""

    def make_node(self, x, toRemove):
        x = _as_list(x)
        return Apply(self, [x, _as_item(x, toRemove)], [x.type()])

    def perform(self, node, inputs, out):
        x, item = inputs
        y = list(x)
        for k, v in enumerate(y):
            if _same(v, item):
                del y[k]
                break
        else:
            raise ValueError("typed_list.remove(l, x): x is not in the list")
        out[0][0] = y


remove = Remove()


class Reverse(_ListOp):
    """``l`` in reverse order."""

    def make_node(self, x):
        x = _as_list(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, out):
        out[0][0] = list(reversed(inputs[0]))


reverse = Reverse()


class _Search(_ListOp):
    def make_node(self, x, elem):
        x = _as_list(x)
        return Apply(self, [x, _as_item(x, elem)], [TensorType("int64", ())()])


class Index(_Search):
    """The position of the first item equal to ``elem`` (ValueError when none)."""

    def perform(self, node, inputs, out):
        x, elem = inputs
        for k, v in enumerate(x):
            if _same(v, elem):
                out[0][0] = np.asarray(k, dtype="int64")
                return
        raise ValueError("typed_list.index_(l, x): x is not in the list")


index_ = Index()


class Count(_Search):
    """How many items equal ``elem``."""

    def perform(self, node, inputs, out):
        x, elem = inputs
        out[0][0] = np.asarray(sum(1 for v in x if _same(v, elem)), dtype="int64")


count = Count()


class Length(_ListOp):
    """The number of items."""

    def make_node(self, x):
        return Apply(self, [_as_list(x)], [TensorType("int64", ())()])

    def perform(self, node, inputs, out):
        out[0][0] = np.asarray(len(inputs[0]), dtype="int64")


length = Length()


class MakeList(_ListOp):
    """A typed list of the given variables (all of one type)."""

    def make_node(self, a):
        items = list(a)
        if not items:
            raise TypeError("make_list needs at least one item (its type gives the list's type)")
        from ..tensor.variable import as_tensor_variable

        items = [v if isinstance(v, Variable) else as_tensor_variable(v) for v in items]
        t = items[0].type
        for v in items[1:]:
            if v.type != t:
                raise TypeError(f"make_list: items must share one type; {v} is {v.type}, not {t}")
        return Apply(self, items, [TypedListType(t)()])

    def perform(self, node, inputs, out):
        out[0][0] = list(inputs)


make_list = MakeList()

__all__ = ["TypedListType", "TypedListVariable", "GetItem", "getitem", "Append", "append", "Extend", "extend",
           "Insert", "insert", "Remove", "remove", "Reverse", "reverse", "Index", "index_", "Count", "count",
           "Length", "length", "MakeList", "make_list"]
