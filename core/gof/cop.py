"""Theano's ``gof.COp``: an op whose C code lives in external ``.c`` files.

The files are split by ``#section <tag>`` lines; each tag feeds the ``c_<tag>``
method of the op (``support_code``, ``support_code_apply``, ``init_code``,
``init_code_apply``, ``code``, ``code_cleanup``).  With ``func_name`` the op's
C code is a call ``func_name(input0, ..., &output0, ..., [params])`` returning 0
on success; without it the ``code`` section is the body.  Apply-specific code
sees Theano's macros: ``APPLY_SPECIFIC(str)``, ``DTYPE_INPUT_{i}``,
``TYPENUM_INPUT_{i}``, ``ITEMSIZE_INPUT_{i}`` (and ``_OUTPUT_``), and in the
body ``INPUT_{i}``, ``OUTPUT_{i}``, ``FAIL``, ``PARAMS``.  Relative paths are
taken from the folder of the module defining the op's class.

The c backend builds this code; other backends run the op's ``perform``, and
so does the c backend (with a warning) when the code does not compile.  The
``_struct`` sections (code kept in Theano's per-node C struct) are refused
when the code is built: the op's ``perform`` runs instead.
"""
from __future__ import annotations

import inspect
import os
import re

import numpy as np

from ..graph import Op

SECTIONS = ("init_code", "init_code_apply", "init_code_struct", "support_code", "support_code_apply",
            "support_code_struct", "cleanup_code_struct", "code", "code_cleanup")
_SECTION = re.compile(r"^#section ([a-zA-Z0-9_]+)$", re.MULTILINE)


def split_sections(text, filename="<C code>"):
    """{tag: code} of a file's ``#section`` blocks (a repeated tag's blocks joined in order)."""
    parts = _SECTION.split(text)
    if parts[0].strip():
        raise ValueError(f"{filename}: C code before the first '#section' line")
    out = {}
    for tag, code in zip(parts[1::2], parts[2::2]):
        if tag not in SECTIONS:
            raise ValueError(f"{filename}: unknown section '#section {tag}' (known: {', '.join(SECTIONS)})")
        out[tag] = out.get(tag, "") + code
    return out


class COp(Op):
    """An Op implemented by C code in files (``func_files``), as Theano's COp."""

    def __init__(self, func_files, func_name=None):
        if isinstance(func_files, str):
            func_files = [func_files]
        self.func_files = [self._resolve(f) for f in func_files]
        self.func_name = func_name
        self.code_sections = {}
        for path in self.func_files:
            with open(path, encoding="utf-8") as fh:
                for tag, code in split_sections(fh.read(), path).items():
                    self.code_sections[tag] = self.code_sections.get(tag, "") + code
        if not self.code_sections:
            raise ValueError(f"no '#section' found in the C files of {type(self).__name__}: {self.func_files}")
        if func_name is not None and ("code" in self.code_sections or "code_cleanup" in self.code_sections):
            raise ValueError(f"{type(self).__name__}: a 'code' section and func_name={func_name!r} both "
                             "give the op's body; keep one")
        if func_name is None and "code" not in self.code_sections:
            raise ValueError(f"{type(self).__name__}: give func_name or a '#section code' in {self.func_files}")

    def _resolve(self, path):
        if os.path.isabs(path):
            return path
        try:
            base = os.path.dirname(os.path.abspath(inspect.getfile(type(self))))
        except (TypeError, OSError):  # a class defined interactively or in a doctest: the working folder
            base = os.getcwd()
        found = os.path.join(base, path)
        return found if os.path.exists(found) or not os.path.exists(path) else os.path.abspath(path)

    # ------------------------------------------------------------- Theano's C methods
    def c_support_code(self):
        return self.code_sections.get("support_code", "")

    def c_init_code(self):
        code = self.code_sections.get("init_code")
        return [code] if code else []

    def c_support_code_apply(self, node, name):
        self._refuse_struct()
        return self._macros(node, name) + "\n" + self.code_sections.get("support_code_apply", "")

    def c_init_code_apply(self, node, name):
        return self.code_sections.get("init_code_apply", "")

    def c_code(self, node, name, inputs, outputs, sub):
        self._refuse_struct()
        if self.func_name is not None:
            args = list(inputs) + [f"&{o}" for o in outputs]
            if sub.get("params") not in (None, "NULL"):
                args.append(sub["params"])
            args += ["NULL"] * (getattr(self, "_cop_num_inputs", len(inputs)) - len(inputs))
            return (f"{{ int __cop_err = {self.func_name}({', '.join(args)});\n"
                    f"  if (__cop_err != 0) {sub['fail']} }}")
        defines = [f"#define INPUT_{i} {v}" for i, v in enumerate(inputs)]
        defines += [f"#define OUTPUT_{i} {v}" for i, v in enumerate(outputs)]
        defines += [f"#define FAIL {sub['fail']}", f"#define PARAMS {sub.get('params', 'NULL')}"]
        undef = [f"#undef {d.split()[1]}" for d in defines]
        body = self.code_sections["code"] + "\n" + self.code_sections.get("code_cleanup", "")
        return "\n".join(defines) + "\n" + body + "\n" + "\n".join(undef)

    def _refuse_struct(self):
        used = [t for t in ("init_code_struct", "support_code_struct", "cleanup_code_struct") if t in self.code_sections]
        if used:
            raise NotImplementedError(f"{type(self).__name__}: the sections {used} (code of Theano's per-node C "
                                      "struct) are not supported by arignote's c backend")

    @staticmethod
    def _macros(node, name):
        lines = [f"#define APPLY_SPECIFIC(str) str##_##{name}"]
        for kind, vars_ in (("INPUT", node.inputs), ("OUTPUT", node.outputs)):
            for i, v in enumerate(vars_):
                dtype = getattr(v.type, "dtype", None)
                if dtype is None:
                    continue
                dt = np.dtype(dtype)
                lines += [f"#define DTYPE_{kind}_{i} npy_{dt.name}", f"#define TYPENUM_{kind}_{i} NPY_{dt.name.upper()}",
                          f"#define ITEMSIZE_{kind}_{i} {dt.itemsize}"]
        return "\n".join(lines)
