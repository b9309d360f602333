"""The typed-variable constructors: T.dscalar, T.fmatrix, T.ivectors(...), T.tensor(...)."""
from __future__ import annotations

from ..types import TensorType

_PREFIX = {"b": "int8", "w": "int16", "i": "int32", "l": "int64",
           "f": "float32", "d": "float64", "c": "complex64", "z": "complex128"}
_KINDS = {"scalar": (), "vector": (False,), "matrix": (False, False), "row": (True, False),
          "col": (False, True), "tensor3": (False,) * 3, "tensor4": (False,) * 4,
          "tensor5": (False,) * 5, "tensor6": (False,) * 6, "tensor7": (False,) * 7}

__all__ = ["tensor", "scalar", "vector", "matrix", "row", "col", "tensor3", "tensor4", "tensor5",
           "scalars", "vectors", "matrices", "rows", "cols", "tensor3s", "tensor4s"]


def _plural(kind):
    return "matrices" if kind == "matrix" else kind + "s"


def _plural_names(names):
    """Theano's plural-constructor arguments: an int n (n unnamed variables), several names,
    or one string, whose characters name the variables (``'abc'``: a, b, c) unless it holds
    commas (``'p, q'``).  One name alone gives one variable, not a list.
    """
    if len(names) == 1 and isinstance(names[0], int):
        return [None] * names[0], False
    if len(names) == 1 and isinstance(names[0], str):
        text = names[0]
        if "," in text:
            return [n.strip() for n in text.split(",")], False
        return list(text), len(text) == 1
    return list(names), False


def _make_plural(ttype):
    def plural(*names):
        names, single = _plural_names(names)
        out = [ttype(n) for n in names]
        return out[0] if single else out

    return plural


for _p, _dt in _PREFIX.items():
    for _k, _b in _KINDS.items():
        _t = TensorType(_dt, _b)
        globals()[_p + _k] = _t
        globals()[_p + _plural(_k)] = _make_plural(_t)
        __all__ += [_p + _k, _p + _plural(_k)]


def _generic(kind):
    bc = _KINDS[kind]

    def make(name=None, dtype=None, shape=None):
        from ..config import config

        dtype = dtype or config.floatX
        if shape is not None:
            if len(shape) != len(bc):
                raise ValueError(f"{kind}: shape {shape} must have {len(bc)} entries")
            return TensorType(dtype, shape=shape)(name)
        return TensorType(dtype, bc)(name)

    make.__name__ = kind
    make.__doc__ = f"A {kind} variable of dtype ``config.floatX`` (or ``dtype``)."
    return make


def _generic_plural(kind):
    one = _generic(kind)

    def make(*names, dtype=None):
        names, single = _plural_names(names)
        out = [one(n, dtype=dtype) for n in names]
        return out[0] if single else out

    return make


for _k in ("scalar", "vector", "matrix", "row", "col", "tensor3", "tensor4", "tensor5"):
    globals()[_k] = _generic(_k)
    globals()[_plural(_k)] = _generic_plural(_k)


def tensor(dtype=None, shape=None, name=None, broadcastable=None):
    """A variable of a general tensor type: ``T.tensor('float32', shape=(None, 3))``.

    Theano's order ``tensor(dtype, broadcastable)`` works too.
    """
    from ..config import config

    if isinstance(name, (tuple, list)) and shape is None:
        shape, name = None, None
    if isinstance(shape, str) and name is None:
        shape, name = None, shape
    dtype = dtype or config.floatX
    if shape is not None and all(isinstance(s, bool) for s in shape) and len(shape) and broadcastable is None:
        broadcastable, shape = shape, None
    if shape is None and broadcastable is None:
        raise TypeError("tensor() needs a shape, e.g. tensor('float64', shape=(None, None))")
    return TensorType(dtype, broadcastable=broadcastable, shape=shape)(name)
