"""What generated code needs from CPython and NumPy: C-API functions, struct offsets, type pointers.

The native entry of a compiled graph is a METH_O builtin: it reads ndarray
fields directly (data, nd, dimensions, strides, descr at the offsets below,
stable across NumPy 1.x and 2.x and checked at start-up), creates arrays
through NumPy's C-API table (``PyArray_NewFromDescr``) and returns a list.
``check()`` verifies all of this on the running interpreter; the backend is
unavailable when it fails.
"""
from __future__ import annotations

import ctypes
import sys
import sysconfig

import numpy as np

# PyArrayObject_fields / PyArray_Descr offsets on 64-bit CPython (non free-threaded)
OB_TYPE = 8
AR_DATA = 16
AR_ND = 24
AR_DIMS = 32
AR_STRIDES = 40
AR_BASE = 48
AR_DESCR = 56
AR_FLAGS = 64
DESCR_BYTEORDER = 26
DESCR_TYPE_NUM = 28
NPY_ARRAY_WRITEABLE = 0x0400

API_NEW_FROM_DESCR = 94
API_SET_BASE_OBJECT = 282

# CPython functions the generated code calls: name -> (restype, argtypes) for ctypes look-up
PY_FUNCS = ("PyList_New", "PyList_GetItem", "PyList_SetItem", "PyList_Size", "Py_IncRef", "Py_DecRef",
            "PyErr_SetString", "PyErr_Format", "PyErr_NoMemory", "PyErr_Occurred", "PyObject_CallFunctionObjArgs")
EXCEPTIONS = ("ValueError", "TypeError", "IndexError", "MemoryError", "RuntimeError")


def _array_api():
    mod = getattr(np, "_core", None) or np.core
    cap = mod._multiarray_umath._ARRAY_API
    get = ctypes.pythonapi.PyCapsule_GetPointer
    get.restype = ctypes.c_void_p
    get.argtypes = [ctypes.py_object, ctypes.c_char_p]
    return get(cap, None)


def api_function(index):
    """Address of entry ``index`` of NumPy's C-API table."""
    table = (ctypes.c_void_p * (index + 1)).from_address(_array_api())
    return table[index]


def pyfunc_address(name):
    return ctypes.cast(getattr(ctypes.pythonapi, name), ctypes.c_void_p).value


def exception_address(name):
    return ctypes.c_void_p.in_dll(ctypes.pythonapi, f"PyExc_{name}").value


def descr_address(dtype):
    """The canonical PyArray_Descr of ``dtype`` (kept alive by NumPy)."""
    return id(np.dtype(dtype))


def type_num(dtype):
    return np.dtype(dtype).num


def array_type_address():
    return id(np.ndarray)


def check():
    """(ok, reason): can generated code use these offsets and functions here?"""
    if sys.maxsize != 2**63 - 1:
        return False, "needs a 64-bit Python"
    if sysconfig.get_config_var("Py_GIL_DISABLED"):
        return False, "free-threaded CPython is not supported (object layout differs)"
    try:
        a = np.arange(6, dtype=np.float64).reshape(2, 3)[:, ::2]
        base = id(a)
        rd = lambda off, t=ctypes.c_void_p: t.from_address(base + off).value  # noqa: E731
        assert rd(OB_TYPE) == id(np.ndarray)
        assert rd(AR_DATA) == a.__array_interface__["data"][0]
        assert rd(AR_ND, ctypes.c_int) == 2
        dims = (ctypes.c_int64 * 2).from_address(rd(AR_DIMS))
        strides = (ctypes.c_int64 * 2).from_address(rd(AR_STRIDES))
        assert tuple(dims) == a.shape and tuple(strides) == a.strides
        assert rd(AR_DESCR) == id(a.dtype)
        d = id(a.dtype)
        assert ctypes.c_int.from_address(d + DESCR_TYPE_NUM).value == a.dtype.num
        assert ctypes.c_char.from_address(d + DESCR_BYTEORDER).value in (b"=", b"<", b">", b"|")
        assert rd(AR_FLAGS, ctypes.c_int) & NPY_ARRAY_WRITEABLE
        api_function(API_NEW_FROM_DESCR)
        for f in PY_FUNCS:
            pyfunc_address(f)
        for e in EXCEPTIONS:
            exception_address(e)
    except Exception as e:  # pragma: no cover - depends on the interpreter
        return False, f"NumPy/CPython object layout check failed: {type(e).__name__} {e}"
    return True, ""


class _MethodDef(ctypes.Structure):
    _fields_ = [("ml_name", ctypes.c_char_p), ("ml_meth", ctypes.c_void_p), ("ml_flags", ctypes.c_int),
                ("ml_doc", ctypes.c_char_p)]


METH_O = 0x0008

_new_cfunc = ctypes.pythonapi.PyCFunction_NewEx
_new_cfunc.restype = ctypes.py_object
_new_cfunc.argtypes = [ctypes.c_void_p, ctypes.py_object, ctypes.py_object]


_decref = ctypes.pythonapi.Py_DecRef
_decref.argtypes = [ctypes.c_void_p]
_decref.restype = None
_free = ctypes.CDLL(None).free
_free.argtypes = [ctypes.c_void_p]
_free.restype = None


def keep_cells(n):
    """Zeroed pointer-sized cells where generated code keeps buffers between calls."""
    return (ctypes.c_void_p * max(n, 1))()


def address_of(cells):
    return ctypes.addressof(cells)


class _Owner:
    """Keeps the JIT engine and method definition of a builtin alive (the builtin's ``self``),
    and releases the buffers its code keeps between calls: ``cells`` (Python-owned memory, so
    this works whatever order a garbage cycle is finalised in) of ``kinds`` 'obj' (an array: a
    reference), 'mem' (malloc'd scratch) or 'cap' (a size)."""

    __slots__ = ("engine", "methoddef", "keep", "cells", "kinds", "__weakref__")

    def __init__(self, engine, methoddef, keep, cells, kinds):
        self.engine, self.methoddef, self.keep, self.cells, self.kinds = engine, methoddef, keep, cells, kinds

    def __del__(self):
        release_cells(self.cells, self.kinds)


def release_cells(cells, kinds):
    """Drop what ``cells`` hold: a reference ('obj') or a malloc'd block ('mem')."""
    for i, kind in enumerate(kinds):
        v = cells[i]
        if v and kind != "cap":
            cells[i] = None
            try:
                (_decref if kind == "obj" else _free)(v)
            except Exception:  # pragma: no cover - interpreter shutdown
                pass


class ScratchCells:
    """The cells one caller of a native entry keeps its scratch blocks in (one per thread:
    the entry takes a block out of its cell and puts it back); freed with this object."""

    __slots__ = ("cells", "kinds", "address")

    def __init__(self, n, kinds):
        self.cells, self.kinds = keep_cells(n), tuple(kinds)
        self.address = address_of(self.cells)

    def __del__(self):
        release_cells(self.cells, self.kinds)


def make_builtin(address, name, engine, keep=(), cells=None, kinds=()):
    """A Python builtin calling the METH_O function at ``address`` (its ``__self__`` owns the code)."""
    md = _MethodDef(name.encode(), address, METH_O, None)
    owner = _Owner(engine, md, tuple(keep), cells if cells is not None else keep_cells(0), tuple(kinds))
    return _new_cfunc(ctypes.addressof(md), owner, None)


_blas: dict | None = None


#: the Fortran BLAS routines DotStep calls: gemm and gemv in float64, float32, complex128, complex64
BLAS_NAMES = ("dgemm", "sgemm", "dgemv", "sgemv", "zgemm", "cgemm", "zgemv", "cgemv")


def blas_functions():
    """Addresses of SciPy's exported Fortran BLAS (BLAS_NAMES), or None without SciPy."""
    global _blas
    if _blas is None:
        try:
            from scipy.linalg import cython_blas

            caps = cython_blas.__pyx_capi__
            name = ctypes.pythonapi.PyCapsule_GetName
            name.restype = ctypes.c_char_p
            name.argtypes = [ctypes.py_object]
            get = ctypes.pythonapi.PyCapsule_GetPointer
            get.restype = ctypes.c_void_p
            get.argtypes = [ctypes.py_object, ctypes.c_char_p]
            _blas = {n: get(caps[n], name(caps[n])) for n in BLAS_NAMES}
            _blas["_keep"] = cython_blas
        except Exception:
            _blas = {}
    return _blas or None
