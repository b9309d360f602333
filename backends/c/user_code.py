"""User C code of an op (Theano's ``c_code``), compiled into a small CPython extension.

An op whose class defines ``c_code(node, name, inputs, outputs, sub)`` runs that C code on
the c backend instead of its NumPy ``perform``, as in Theano: the code sees its inputs and
outputs as C variables named by ``inputs``/``outputs`` (``PyArrayObject*`` for tensors,
or what a user Type's ``c_declare``/``c_extract``/``c_sync`` say), allocates its outputs,
and jumps to ``sub['fail']`` after setting a Python exception.  ``c_support_code``,
``c_support_code_apply``, ``c_init_code`` (run when the extension loads), ``c_headers``,
``c_header_dirs``, ``c_libraries``, ``c_lib_dirs``
and ``c_compile_args`` are honoured.  Code that does not compile is reported once
(``UserCCodeWarning``, with the compiler's output) and the op's ``perform`` runs instead;
an op with neither raises.
"""
from __future__ import annotations

import hashlib
import os
import warnings

import numpy as np

from . import build, cache


class UserCCodeWarning(UserWarning):
    """An op's C code did not compile; its NumPy perform runs instead."""


_failed: dict = {}  # source key -> the compile error (reported once)


def has_c_code(op):
    return callable(getattr(type(op), "c_code", None))


def _opt(op, method, *args, default=()):
    fn = getattr(op, method, None)
    if fn is None:
        return default
    try:
        return fn(*args)
    except NotImplementedError:
        return default


class _TensorC:
    """Theano's C view of a tensor: a ``PyArrayObject*`` (NULL for an output not made yet)."""

    @staticmethod
    def declare(name, sub):
        return f"PyArrayObject* {name} = NULL;"

    @staticmethod
    def extract(name, sub):
        return (f"if (py_{name} != Py_None) {{ {name} = (PyArrayObject*)py_{name}; Py_INCREF({name}); }}")

    @staticmethod
    def sync(name, sub):
        return (f"Py_XDECREF(py_{name}); py_{name} = {name} ? (PyObject*){name} : Py_None; "
                f"Py_INCREF(py_{name});")

    @staticmethod
    def cleanup(name, sub):
        return f"Py_XDECREF({name}); {name} = NULL;"


class _TypeC:
    """A user Type's C view (Theano's CType methods)."""

    def __init__(self, t):
        self.t = t

    def declare(self, name, sub):
        return self.t.c_declare(name, sub) + "\n" + (_opt(self.t, "c_init", name, sub, default="") or "")

    def extract(self, name, sub):
        return f"if (py_{name} != Py_None) {{\n{self.t.c_extract(name, sub)}\n}}"

    def sync(self, name, sub):
        return self.t.c_sync(name, sub)

    def cleanup(self, name, sub):
        return _opt(self.t, "c_cleanup", name, sub, default="") or ""


class _ObjectC:
    """A Python object (Theano's Generic type): a ``PyObject*``."""

    @staticmethod
    def declare(name, sub):
        return f"PyObject* {name} = NULL;"

    @staticmethod
    def extract(name, sub):
        return f"{name} = py_{name}; Py_INCREF({name});"

    @staticmethod
    def sync(name, sub):
        return f"Py_XDECREF(py_{name}); py_{name} = {name} ? {name} : Py_None; Py_INCREF(py_{name});"

    @staticmethod
    def cleanup(name, sub):
        return f"Py_XDECREF({name}); {name} = NULL;"


_SCALAR_C = {"float64": ("npy_float64", "PyFloat_AsDouble", "PyFloat_FromDouble"),
             "float32": ("npy_float32", "PyFloat_AsDouble", "PyFloat_FromDouble"),
             "int64": ("npy_int64", "PyLong_AsLongLong", "PyLong_FromLongLong"),
             "int32": ("npy_int32", "PyLong_AsLongLong", "PyLong_FromLongLong"),
             "int16": ("npy_int16", "PyLong_AsLongLong", "PyLong_FromLongLong"),
             "int8": ("npy_int8", "PyLong_AsLongLong", "PyLong_FromLongLong")}


class _ScalarC:
    """A symbolic scalar (arignote.scalar): a C number, as Theano's Scalar type."""

    def __init__(self, dtype):
        self.ctype, self.get, self.make = _SCALAR_C[dtype]

    def declare(self, name, sub):
        return f"{self.ctype} {name} = 0;"

    def extract(self, name, sub):
        return (f"if (py_{name} != Py_None) {{ {name} = ({self.ctype}){self.get}(py_{name}); "
                f"if (PyErr_Occurred()) {sub['fail']} }}")

    def sync(self, name, sub):
        return f"Py_XDECREF(py_{name}); py_{name} = {self.make}({name}); if (!py_{name}) {sub['fail']}"

    @staticmethod
    def cleanup(name, sub):
        return ""


def _c_view(t):
    from arignote.scalar import ScalarType

    if all(callable(getattr(t, m, None)) for m in ("c_declare", "c_extract", "c_sync")):
        return _TypeC(t)
    if isinstance(t, ScalarType):
        if t.dtype not in _SCALAR_C:
            raise TypeError(f"scalars of {t.dtype} have no C representation here")
        return _ScalarC(t.dtype)
    if hasattr(t, "numpy_dtype") and hasattr(t, "ndim"):
        return _TensorC()
    return _ObjectC()


def _has_params(op):
    return callable(getattr(op, "get_params", None))


def source(node, modname):
    """The extension's C source for ``node``."""
    op = node.op
    ins = [f"V_in{k}" for k in range(len(node.inputs))]
    outs = [f"V_out{k}" for k in range(len(node.outputs))]
    sub = {"fail": "{ goto __arignote_fail; }", "id": 1, "struct_id": 1, "params": "NULL"}
    views = [_c_view(v.type) for v in node.inputs]
    if _has_params(op):  # Theano's op params: one more input, named by sub['params']
        ins.append("V_params")
        views.append(_c_view(getattr(op, "params_type", None)))
        sub["params"] = "V_params"
    views += [_c_view(v.type) for v in node.outputs]
    names = ins + outs
    headers = "".join(f"#include {h if h.startswith(('<', chr(34))) else '<' + h + '>'}\n"
                      for h in _opt(op, "c_headers"))
    support = (_opt(op, "c_support_code", default="") or "") + "\n" + \
              (_opt(op, "c_support_code_apply", node, "node", default="") or "")
    body = op.c_code(node, "node", ins, outs, sub)
    init = "\n".join(list(_opt(op, "c_init_code")) + [_opt(op, "c_init_code_apply", node, "node", default="") or ""])
    lines = [f"PyObject* py_{n} = Py_None;" for n in names]
    lines += [f"py_{n} = PyTuple_GET_ITEM(args, {k});" for k, n in enumerate(ins)]
    lines += [f"Py_INCREF(py_{n});" for n in names]
    lines += [v.declare(n, sub) for v, n in zip(views, names)]
    lines += [v.extract(n, sub) for v, n in zip(views, names)]
    code = "\n".join(lines)
    sync = "\n".join(v.sync(n, sub) for v, n in zip(views[len(ins):], outs))
    cleanup = "\n".join(v.cleanup(n, sub) for v, n in zip(views, names))
    n_in = len(ins)
    result = "\n".join(f"PyTuple_SET_ITEM(result, {k}, py_{n}); py_{n} = NULL;" for k, n in enumerate(outs))
    release = "\n".join(f"Py_XDECREF(py_{n});" for n in names)
    return f"""#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>
#include <stdbool.h>
{headers}
{support}

static PyObject* run(PyObject* self, PyObject* args) {{
    PyObject* result = NULL;
    if (!PyTuple_Check(args) || PyTuple_GET_SIZE(args) != {n_in}) {{
        PyErr_SetString(PyExc_TypeError, "wrong number of inputs");
        return NULL;
    }}
    {{
{code}
    {{
{body}
    }}
{sync}
    result = PyTuple_New({len(outs)});
    if (result) {{
{result}
    }}
    goto __arignote_done;
__arignote_fail:
    if (!PyErr_Occurred())
        PyErr_SetString(PyExc_RuntimeError, "the op's C code failed without setting an exception");
__arignote_done:
{cleanup}
{release}
    }}
    return result;
}}

static PyMethodDef methods[] = {{{{"run", run, METH_VARARGS, NULL}}, {{NULL, NULL, 0, NULL}}}};
static struct PyModuleDef moddef = {{PyModuleDef_HEAD_INIT, "{modname}", NULL, -1, methods}};
PyMODINIT_FUNC PyInit_{modname}(void) {{
    import_array();
    {{
{init}
    }}
    return PyModule_Create(&moddef);
}}
"""


def _compile(node):
    """The compiled ``run(*inputs) -> tuple of outputs`` of node's C code (raises build.CompileError)."""
    op = node.op
    probe = source(node, "MODNAME")
    extra = repr((_opt(op, "c_compile_args"), _opt(op, "c_libraries"), _opt(op, "c_lib_dirs"),
                  _opt(op, "c_header_dirs"), np.__version__, build.identity()))
    key = "user_" + hashlib.sha256((probe + extra).encode()).hexdigest()[:32]
    if key in _failed:
        raise _failed[key]
    modname = "arignote_" + key
    src = probe.replace("MODNAME", modname)
    filename = modname + build.ext_suffix()

    def do_build(tmp):
        c_path = os.path.join(tmp, modname + ".c")
        with open(c_path, "w") as f:
            f.write(src)
        flags = ["-O2", "-fPIC", "-shared", "-w", *_opt(op, "c_compile_args")]
        link = [*(f"-L{d}" for d in _opt(op, "c_lib_dirs")), *(f"-l{lib}" for lib in _opt(op, "c_libraries"))]
        includes = [build.python_include(), np.get_include(), *_opt(op, "c_header_dirs")]
        try:
            build.compile_shared(build.compiler(), c_path, os.path.join(tmp, filename), flags, link,
                                 includes=includes)
        except build.CompileError as exc:
            kept = cache.keep_failed_source(key, c_path)
            raise build.CompileError(f"{exc}\n(source kept in {kept})") from None

    try:
        mod, _ = cache.load_or_build(key, filename, do_build, cache.import_extension(modname))
    except build.CompileError as exc:
        _failed[key] = exc
        raise
    return mod.run


def perform_for(node):
    """A ``perform(node, inputs, storage)`` running node's C code, or None: the op has no C
    code, or it does not compile (reported) and the op has a NumPy perform to run instead."""
    if not has_c_code(node.op):
        return None
    try:
        run = _compile(node)
    except (build.CompileError, NotImplementedError, TypeError) as exc:
        from arignote.graph import Op

        if type(node.op).perform is Op.perform:
            raise build.CompileError(f"the C code of {node.op} does not compile and the op has no NumPy "
                                     f"perform to fall back on:\n{exc}") from exc
        warnings.warn(f"the C code of {node.op} does not compile; its NumPy perform runs instead:\n{exc}",
                      UserCCodeWarning, stacklevel=2)
        return None

    if _has_params(node.op):
        from arignote.op_compat import op_params

        params = op_params(node.op, node)
        call = lambda inputs: run(*inputs, params)  # noqa: E731
    else:
        call = lambda inputs: run(*inputs)  # noqa: E731

    def perform(node_, inputs, storage):
        for cell, value in zip(storage, call(inputs)):
            cell[0] = value

    return perform
