"""Values a backend keeps off the host (a GPU's memory): the backend-neutral hook.

A backend whose object has a ``storage`` attribute (a :class:`DeviceStorage`) keeps the values of
its functions on its device.  For such a backend, ``function`` (core/function.py):

* hands the thunk each shared variable's value in device form: a host value is moved once, on
  first use, and the shared variable keeps the device value (``placed``);
* stores the update values the thunk returns as they are: updates stay on the device;
* lets the storage's own arrays through as inputs (no copy), and converts the plain outputs to
  NumPy unless ``storage.device_outputs``.

A shared variable's ``get_value()`` returns a NumPy copy of a device value, and
``get_value(return_internal_type=True)`` the device value itself; ``set_value`` takes device
arrays.  Every storage registers itself (:func:`register`), so any code can tell a device value
from a host one (:func:`storage_of`) without knowing the backend.  Pickles hold host values.
"""
from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np


class DeviceStorage(ABC):
    """How one backend keeps arrays on its device (subclassed by the backend)."""

    #: a short name for messages ('cuda')
    name = "device"
    #: the classes of the device arrays this storage owns
    array_types: tuple = ()
    #: whether the plain outputs of this backend's functions stay device arrays
    device_outputs = False

    def owns(self, value):
        return isinstance(value, self.array_types)

    def accepts(self, value):
        """Whether the host value ``value`` may live on the device (ndarrays of numeric dtypes)."""
        return type(value) is np.ndarray and value.dtype.kind in "biufc"

    @abstractmethod
    def to_host(self, value):
        """A new NumPy array holding the device array ``value`` (one device->host copy)."""

    @abstractmethod
    def from_host(self, array):
        """A new device array holding the NumPy array ``array`` (one host->device copy)."""

    def copy(self, value):
        """A new device array equal to ``value`` (a copy on the device)."""
        return value.copy()

    def astype(self, value, dtype):
        """``value`` cast to ``dtype`` on the device (a new array)."""
        return value.astype(dtype)


_STORAGES: list = []


def register(storage):
    """Make ``storage``'s arrays known as device values (returns ``storage``).

    A storage of the same class registered earlier (by a backend instance since dropped, e.g.
    when plugins are re-registered) is replaced, so that the live backend owns its arrays."""
    _STORAGES[:] = [s for s in _STORAGES if type(s) is not type(storage)]
    _STORAGES.append(storage)
    return storage


def storage_of(value):
    """The registered storage that owns ``value``, or None for a host value."""
    if type(value) is np.ndarray or not _STORAGES:
        return None
    for s in _STORAGES:
        if s.owns(value):
            return s
    return None


def to_host(value):
    """``value`` as a host value: a device array copied to NumPy, anything else unchanged."""
    st = storage_of(value)
    return value if st is None else st.to_host(value)


def placed(cell, storage):
    """The value of the one-element ``cell`` where ``storage`` (None: the host) computes on it,
    moved there (once: the cell keeps the moved value) when it lives elsewhere."""
    v = cell[0]
    if storage is None:
        if type(v) is np.ndarray:
            return v
        st = storage_of(v)
        if st is not None:
            v = cell[0] = st.to_host(v)
        return v
    if storage.owns(v):
        return v
    st = storage_of(v)
    if st is not None:
        v = st.to_host(v)
    if storage.accepts(v):
        v = storage.from_host(v)
    if v is not cell[0]:
        cell[0] = v
    return v


def fit(t, value, storage, what="value", strict=False, allow_downcast=None):
    """The device array ``value`` checked against the tensor type ``t`` like ``t.filter`` checks a
    host one (dtype, number of dimensions, fixed sizes): returned as it is, or cast on the device
    when its dtype differs and the cast is allowed."""
    t.cast_check(value.dtype, what, strict, allow_downcast)
    t.check_shape(value.shape, what)
    return value if value.dtype == t.numpy_dtype else storage.astype(value, t.numpy_dtype)
