"""Shared variables: symbolic variables that carry a value shared by every function using them."""
from __future__ import annotations

import copy
import threading
import weakref

import numpy as np

from .forksafe import after_fork
from . import storage as _storage
from .graph import Variable, user_frame
from .tensor.random import type as _random_type
from .tensor.variable import _TensorMixin
from .types import TensorType


class Container(list):
    """The one-element cell holding a shared variable's value, with the lock that makes
    reading it, computing and writing updates one atomic step (see ``Function.__call__``)."""

    def __init__(self, items=()):
        super().__init__(items)
        self.lock = threading.RLock()
        _containers[id(self)] = self

    def __reduce__(self):
        return Container, ([_storage.to_host(v) for v in self],)  # pickles hold host values


_containers: weakref.WeakValueDictionary = weakref.WeakValueDictionary()  # id -> live Container


@after_fork
def _fresh_locks():
    """A fork child gets new locks: a parent thread may have been inside a call."""
    for c in list(_containers.values()):
        c.lock = threading.RLock()


def lock_order(containers):
    """``containers`` without repeats, in the one order every call locks them in (no deadlock)."""
    return sorted({id(c): c for c in containers}.values(), key=id)


class SharedVariable(Variable):
    """A variable with a persistent value (``get_value`` / ``set_value``)."""

    _is_shared = True

    def __init__(self, type, value, name=None, strict=False, allow_downcast=None):
        super().__init__(type, None, None, name)
        from .function_io import named_filter

        self.container = Container([named_filter(type)(value, strict=strict, allow_downcast=allow_downcast,
                                                       name=name)])
        self.default_update = None
        self.tag.trace = user_frame()

    def get_value(self, borrow=False, return_internal_type=False):
        """The current value (a copy unless ``borrow``)."""
        v = self.container[0]
        return v if borrow else copy.deepcopy(v)

    def set_value(self, value, borrow=False):
        """Replace the value (copied unless ``borrow``); it must fit the variable's type."""
        v = self.type.filter(value, name=self.name or "shared variable")
        if not borrow and v is value:
            v = copy.deepcopy(v)
        with self.container.lock:  # never between a call's read and its updates
            self.container[0] = v

    def clone(self):
        return self  # shared variables keep their identity (their value is the point)

    @property
    def value(self):
        return self.get_value()

    def zero(self, borrow=False):
        with self.container.lock:
            self.container[0] = np.zeros_like(self.container[0])


class TensorSharedVariable(_TensorMixin, SharedVariable):
    """A shared variable holding an ndarray, or a backend's device array (core/storage.py): a
    function compiled for a backend with device storage keeps the value on its device."""

    device_resident = True  # a backend's device storage may hold the value (core/storage.py)

    def set_value(self, value, borrow=False):
        """Replace the value (copied unless ``borrow``): an array-like, or a device array, which
        stays on its device."""
        what = self.name or "shared variable"
        st = _storage.storage_of(value)
        if st is not None:
            arr = _storage.fit(self.type, value, st, what)
            if not borrow and arr is value:
                arr = st.copy(arr)
        else:
            arr = value
            if not isinstance(arr, np.ndarray) or arr.dtype != self.type.numpy_dtype:
                arr = self.type.filter(value, name=what)
            else:
                self.type.filter(arr, name=what)
            if not borrow and arr is value:
                arr = arr.copy()
        with self.container.lock:
            self.container[0] = arr

    def get_value(self, borrow=False, return_internal_type=False, return_cupy=False):
        """The current value as a NumPy array (a copy unless ``borrow`` and the value is on the
        host).  ``return_internal_type=True`` gives the value as it is stored: the device array
        when a device holds it (a copy on the device unless ``borrow``); ``return_cupy=True``
        gives a CuPy array (the 'cuda' backend's device array), moving a copy there if needed."""
        v = self.container[0]
        if return_cupy:
            return self._on_backend("cuda", v, borrow)
        st = _storage.storage_of(v)
        if st is None:
            return v if borrow else v.copy()
        if return_internal_type:
            return v if borrow else st.copy(v)
        return st.to_host(v)

    def _on_backend(self, backend, v, borrow):
        from . import plugin_manager

        target = getattr(plugin_manager.get_backend(backend), "storage", None)
        if target is None:
            raise ValueError(f"backend {backend!r} keeps no values on a device")
        if target.owns(v):
            return v if borrow else target.copy(v)
        return target.from_host(_storage.to_host(v))

    def zero(self, borrow=False):
        with self.container.lock:
            v = self.container[0]
            self.container[0] = np.zeros(v.shape, dtype=v.dtype)


def shared(value, name=None, strict=False, allow_downcast=None, borrow=False, shape=None, broadcastable=None):
    """A shared variable initialised with ``value`` (copied unless ``borrow``).

    Python floats give float64 (``config.floatX`` is not applied, as in
    Theano), ints int64, bools bool; arrays keep their dtype.  The type is
    not broadcastable unless ``shape``/``broadcastable`` say so.
    """
    if isinstance(value, Variable):
        raise TypeError(f"shared() takes a value, not a symbolic variable ({value})")
    if isinstance(value, (np.random.RandomState, np.random.Generator)):
        return _random_shared(value, name=name, borrow=borrow)
    if isinstance(value, bool):
        arr = np.asarray(value, dtype="bool")
    elif isinstance(value, int):
        arr = np.asarray(value, dtype="int64")
    elif isinstance(value, float):
        arr = np.asarray(value, dtype="float64")
    else:
        arr = np.asarray(value)
        if arr.dtype == object:
            raise TypeError(f"shared() cannot hold {type(value).__name__}: only numeric arrays are supported")
        if not borrow and arr is value:
            arr = arr.copy()
    if shape is None:
        if broadcastable is not None:
            shape = tuple(1 if b else None for b in broadcastable)
        else:
            shape = (None,) * arr.ndim
    t = TensorType(arr.dtype, shape=shape)
    return TensorSharedVariable(t, arr, name=name, strict=strict, allow_downcast=allow_downcast)


class RandomStateSharedVariable(SharedVariable):
    """A shared variable holding a NumPy generator (``rv.rng`` of a random variable).

    ``get_value()`` returns a copy (drawing from it leaves the stream alone),
    ``get_value(borrow=True)`` the generator itself; ``set_value`` copies unless
    ``borrow=True``.
    """

    def __str__(self):
        return self.name or f"<{self.type}>"


def _random_shared(value, name=None, borrow=False):
    t = _random_type.type_of_generator(value)
    return RandomStateSharedVariable(t, value if borrow else copy.deepcopy(value), name=name)


_random_type.use_shared_maker(_random_shared, RandomStateSharedVariable)
