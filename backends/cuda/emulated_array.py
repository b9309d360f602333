"""The emulation's device memory: ``EmulatedArray``, an array only kernels and its own methods
touch, and ``EmulatedStorage``, the 'cuda-emulated' backend's device storage (core/storage.py).

An ``EmulatedArray`` wraps host memory, but behaves like a CuPy array where it matters for
checking the device-resident paths without a GPU: it is a distinct type, NumPy's implicit
conversion (``np.asarray``) raises TypeError as CuPy's does, and the only ways between it and
NumPy are ``upload`` and ``download`` (``get()``), which count what they move in ``TRANSFERS``
(launch metadata and views are not transfers).  Kernels read and write its memory directly.
"""
from __future__ import annotations

import threading
from collections import Counter

import numpy as np

from .common import CudaStorage

#: {'to_device': n, 'to_host': n, 'to_device_bytes': b, 'to_host_bytes': b} since the process started
TRANSFERS: Counter = Counter()
_count_lock = threading.Lock()


def _count(direction, a):
    with _count_lock:
        TRANSFERS[direction] += 1
        TRANSFERS[direction + "_bytes"] += a.nbytes


class EmulatedArray:
    """An array in the emulated device's memory (see the module docstring)."""

    __slots__ = ("_a",)

    def __init__(self, memory):
        self._a = memory  # a NumPy array only this class and the kernels touch

    shape = property(lambda self: self._a.shape)
    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    nbytes = property(lambda self: self._a.nbytes)
    strides = property(lambda self: self._a.strides)
    flags = property(lambda self: self._a.flags)
    ptr = property(lambda self: self._a.ctypes.data, doc="the address of the first element (CuPy: data.ptr)")
    T = property(lambda self: EmulatedArray(self._a.T))

    def __len__(self):
        return len(self._a)

    def reshape(self, *shape):
        return EmulatedArray(self._a.reshape(*shape))

    def transpose(self, *axes):
        return EmulatedArray(self._a.transpose(*axes))

    def __getitem__(self, idx):
        return EmulatedArray(np.asarray(self._a[idx]))  # a view (0-d for a single element)

    def copy(self):
        return EmulatedArray(self._a.copy())

    def astype(self, dtype, copy=True):
        return EmulatedArray(self._a.astype(dtype, copy=copy))

    def get(self):
        """A NumPy copy (a device->host transfer), as CuPy's ``ndarray.get()``."""
        return download(self)

    def item(self):
        return self._a.item()

    def __int__(self):
        return int(self._a)

    def __float__(self):
        return float(self._a)

    def __bool__(self):
        return bool(self._a)

    def __array__(self, *args, **kwargs):
        raise TypeError("Implicit conversion of an emulated device array to a NumPy array is not allowed: "
                        "use .get() (as with CuPy)")

    def __reduce__(self):
        return upload, (download(self),)

    def __repr__(self):
        return f"EmulatedArray(shape={self.shape}, dtype={self.dtype})"


def upload(a):
    """A new device array holding the NumPy array ``a`` (a counted host->device transfer)."""
    a = np.asarray(a)
    _count("to_device", a)
    return EmulatedArray(np.array(a, copy=True))


def download(x):
    """A new NumPy array holding the device array ``x`` (a counted device->host transfer)."""
    _count("to_host", x._a)
    return np.array(x._a, copy=True)


class EmulatedXP:
    """The array-library calls the runner makes (CuPy's names), on emulated device memory."""

    ndarray = EmulatedArray

    @staticmethod
    def empty(shape, dtype):
        return EmulatedArray(np.empty(shape, dtype=dtype))

    @staticmethod
    def zeros(shape, dtype):
        return EmulatedArray(np.zeros(shape, dtype=dtype))

    @staticmethod
    def asarray(x):
        """``x`` on the device: launch metadata built on the host is placed there uncounted."""
        return x if isinstance(x, EmulatedArray) else EmulatedArray(np.array(x, copy=True))

    @staticmethod
    def dot(x, y):
        """cuBLAS's part, played by NumPy's dot on the device memory."""
        return EmulatedArray(np.asarray(np.dot(x._a, y._a)))

    @staticmethod
    def matmul(x, y):
        """cuBLAS's batched product, played by NumPy's matmul on the device memory."""
        return EmulatedArray(np.asarray(np.matmul(x._a, y._a)))


class EmulatedStorage(CudaStorage):
    """'cuda-emulated' shared values: ``EmulatedArray``s, moved by the counted transfers."""

    name = "cuda-emulated"
    array_types = (EmulatedArray,)
    upload, download = staticmethod(upload), staticmethod(download)


def to_host_value(v):
    """``v`` on the host: device arrays downloaded, anything else unchanged."""
    return download(v) if isinstance(v, EmulatedArray) else v
