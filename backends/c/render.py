"""C source for the kernels of a lowered Program (loops and reductions).

Only numbers, dtype names and op names from core/scalar.py reach the
generated text; anything a user chose (variable names) appears at most in
comments, reduced to ``[A-Za-z0-9_]`` by :func:`comment`.
"""
from __future__ import annotations

import math
import os
import re

import numpy as np

from ..scalar_table import kind_of, row_of
from .specs import LoopSpec, ReduceSpec

_HERE = os.path.dirname(os.path.abspath(__file__))

# storage type in memory, compute type in expressions
STORE = {"bool": "ar_bool", "int8": "int8_t", "int16": "int16_t", "int32": "int32_t", "int64": "int64_t",
         "uint8": "uint8_t", "uint16": "uint16_t", "uint32": "uint32_t", "uint64": "uint64_t",
         "float16": "_Float16", "float32": "float", "float64": "double",
         "complex64": "float _Complex", "complex128": "double _Complex"}
COMPUTE = dict(STORE, float16="float")
SUFFIX = {"float16": "f", "float32": "f", "float64": "", "complex64": "f", "complex128": ""}
ITEMSIZE = {k: np.dtype(k).itemsize for k in STORE}


def prelude():
    """The text of kernels.h (helpers shared by every kernel module)."""
    with open(os.path.join(_HERE, "kernels.h"), encoding="utf-8") as f:
        return f.read()


def comment(text):
    """A C comment body that cannot end the comment or carry odd characters."""
    return re.sub(r"[^A-Za-z0-9_ ,.{}()=\[\]-]", "_", str(text))[:200]


# ----------------------------------------------------------------- values


def literal(value, dtype):
    """An exact C literal of ``value`` in the compute type of ``dtype``."""
    v = np.asarray(value, dtype=dtype)[()]
    k = kind_of(dtype)
    if k == "b":
        return "((ar_bool)1)" if v else "((ar_bool)0)"
    if k in "iu":
        iv = int(v)
        if dtype == "int64":
            return "(-INT64_C(9223372036854775807) - 1)" if iv == -(2 ** 63) else f"INT64_C({iv})"
        if dtype == "uint64":
            return f"UINT64_C({iv})"
        return f"(({STORE[dtype]}){iv})"
    if k == "f":
        return _float_lit(float(v), "" if dtype == "float64" else "f")
    re_, im = float(v.real), float(v.imag)
    sfx = "" if dtype == "complex128" else "f"
    mk = "CMPLX" if dtype == "complex128" else "CMPLXF"
    return f"{mk}({_float_lit(re_, sfx)}, {_float_lit(im, sfx)})"


def _float_lit(x, sfx):
    if math.isnan(x):
        return "NAN" if sfx else "((double)NAN)"
    if math.isinf(x):
        s = "-" if x < 0 else ""
        return f"({s}INFINITY)" if sfx else f"({s}(double)INFINITY)"
    return f"({x.hex()}{sfx})"


def cast(expr, src, dst):
    """C conversion of a compute-type expression from dtype ``src`` to ``dst`` with NumPy's rules."""
    if src == dst:
        return expr
    ks, kd = kind_of(src), kind_of(dst)
    if kd == "b":
        return f"((ar_bool)(({expr}) != 0))"
    if ks == "c" and kd != "c":
        expr = f"creal{SUFFIX[src]}({expr})"
    if dst == "float16":
        return f"((float)(_Float16)({expr}))"
    if ks == "f" and kd in ("i", "u"):  # defined for nan, inf and out of range (see kernels.h)
        return f"(({COMPUTE[dst]})ar_f2{dst}({expr}))"
    return f"(({COMPUTE[dst]})({expr}))"


def load(ptr, dtype):
    return f"(({COMPUTE[dtype]})*(const {STORE[dtype]} *)({ptr}))"


def store_value(expr, dtype):
    return f"(({STORE[dtype]})({expr}))" if dtype == "float16" else expr


# ------------------------------------------------------------- loop bodies


#: dtypes whose switch on a bool renders as kernels.h's bit-mask select (it vectorises)
_SELECT = ("float64", "float32", "int64", "uint64", "int32", "uint32")


class BodyRenderer:
    """C statements computing a loop body's values; names each value ``v<j>``.  ``backend`` names
    the column of the scalar table read (the cuda backend renders its bodies through this too)."""

    def __init__(self, body, backend="c"):
        self.body = body
        self.backend = backend
        self.names = {}

    def name(self, j):
        v = self.body[j]
        if v.kind == "lit":
            return literal(v.value, v.dtype)
        return f"v{j}"

    def expr(self, j):
        v = self.body[j]
        args = [self.name(a) for a in v.args]
        if v.name == "cast":
            return cast(args[0], self.body[v.args[0]].dtype, v.dtype)
        if v.name == "switch" and v.dtype in _SELECT and self.body[v.args[0]].dtype == "bool":
            return f"ar_select_{v.dtype}({args[0]}, {args[1]}, {args[2]})"
        arg_dts = [self.body[a].dtype for a in v.args]
        kinds = {kind_of(d) for d in arg_dts}
        kind = "mixed" if len(kinds) > 1 and v.name in ("lt", "gt", "le", "ge", "eq", "neq") else kind_of(arg_dts[0])
        tpl = row_of(v.name).template(self.backend, kind)
        if tpl is None:  # the lowering checked this already
            raise ValueError(f"no {self.backend} rendering of {v.name} for {kind}")
        dt = arg_dts[0] if v.name not in ("switch", "second") else v.dtype
        text = tpl.format(*args, F=SUFFIX.get(dt, ""), T=COMPUTE[v.dtype], dt=dt)
        if v.dtype == "float16":
            text = f"((float)(_Float16)({text}))"
        return text

    def statements(self, skip=()):
        out = []
        for j, v in enumerate(self.body):
            if v.kind != "op" or j in skip:
                continue
            out.append(f"const {COMPUTE[v.dtype]} v{j} = {self.expr(j)};")
        return out


def uses_err(body):
    return any(v.kind == "op" and v.name == "pow" and kind_of(v.dtype) == "i" for v in body)


def render_loop(spec: LoopSpec, fname):
    """C function ``int fname(nd, dims, ptrs, strides)`` running one fused loop."""
    in_dt, out_dt, inv, body = list(spec.in_dtypes), list(spec.out_dtypes), list(spec.invariant), spec.body
    nin, nout = len(in_dt), len(out_dt)
    nops = nin + nout
    operand_val = {v.index: j for j, v in enumerate(body) if v.kind == "in"}
    varying = [k for k in range(nin) if not inv[k]] + list(range(nin, nops))
    br = BodyRenderer(body)
    err = uses_err(body)
    L = [f"/* {comment(', '.join(v.name for v in body if v.kind == 'op'))} */",
         f"int {fname}(int nd, const ar_intp *dims, char **ptrs, const ar_intp *st)", "{"]
    L.append("    const ar_intp n = dims[nd - 1];")
    L.append("    ar_intp idx[32], outer = 1;")
    L.append("    int err = 0;")
    L.append("    for (int d = 0; d < nd - 1; d++) { outer *= dims[d]; idx[d] = 0; }")
    for k in range(nops):
        L.append(f"    char *p{k} = ptrs[{k}];")
    for k in varying:
        L.append(f"    const ar_intp s{k} = st[{k} * nd + nd - 1];")
    dts = in_dt + out_dt
    contig = " && ".join(f"s{k} == {ITEMSIZE[dts[k]]}" for k in varying) or "1"
    L.append(f"    const int contig = {contig};")
    L.append("    for (ar_intp o = 0; o < outer; o++) {")
    for k in range(nin):
        if inv[k] and k in operand_val:
            L.append(f"        const {COMPUTE[in_dt[k]]} v{operand_val[k]} = {load(f'p{k}', in_dt[k])};")
    stmts = br.statements()
    # contiguous path
    L.append("        if (contig) {")
    for k in varying:
        q = "const " if k < nin else ""
        L.append(f"            {q}{STORE[dts[k]]} *restrict a{k} = ({q}{STORE[dts[k]]} *)p{k};")
    if not err:
        L.append("            _Pragma(\"omp simd\")")
    L.append("            for (ar_intp i = 0; i < n; i++) {")
    for k in varying:
        if k < nin and k in operand_val:
            L.append(f"                const {COMPUTE[in_dt[k]]} v{operand_val[k]} = "
                     f"({COMPUTE[in_dt[k]]})a{k}[i];")
    L.extend("                " + s for s in stmts)
    for j in range(nout):
        k = nin + j
        L.append(f"                a{k}[i] = {store_value(br.name(spec.out_vals[j]), out_dt[j])};")
    L.append("            }")
    L.append("        } else {")
    L.append("            for (ar_intp i = 0; i < n; i++) {")
    for k in varying:
        if k < nin and k in operand_val:
            L.append(f"                const {COMPUTE[in_dt[k]]} v{operand_val[k]} = "
                     f"{load(f'p{k} + i * s{k}', in_dt[k])};")
    L.extend("                " + s for s in stmts)
    for j in range(nout):
        k = nin + j
        L.append(f"                *({STORE[out_dt[j]]} *)(p{k} + i * s{k}) = "
                 f"{store_value(br.name(spec.out_vals[j]), out_dt[j])};")
    L.append("            }")
    L.append("        }")
    L.append("        for (int d = nd - 2; d >= 0; d--) {")
    for k in range(nops):
        L.append(f"            p{k} += st[{k} * nd + d];")
    L.append("            if (++idx[d] < dims[d]) break;")
    L.append("            idx[d] = 0;")
    for k in range(nops):
        L.append(f"            p{k} -= st[{k} * nd + d] * dims[d];")
    L.append("        }")
    L.append("    }")
    L.append("    return err;")
    L.append("}")
    return "\n".join(L)


# -------------------------------------------------------------- reductions

_REDUCE_OPS = {
    # kind: (identity per output kind, combine template per output kind)
    "sum": ({"b": "0", "i": "0", "u": "0", "f": "0", "c": "0"},
            {"b": "({0} | {1})", "i": "({0} + {1})", "u": "({0} + {1})", "f": "({0} + {1})", "c": "({0} + {1})"}),
    "prod": ({"b": "1", "i": "1", "u": "1", "f": "1", "c": "1"},
             {"b": "({0} & {1})", "i": "({0} * {1})", "u": "({0} * {1})", "f": "({0} * {1})",
              "c": "ar_cmul{F}({0}, {1})"}),
    "max": ({"b": "0", "i": "{MIN}", "u": "0", "f": "(-INFINITY)"},
            {"b": "({0} | {1})", "i": "({1} > {0} ? {1} : {0})", "u": "({1} > {0} ? {1} : {0})",
             "f": "ar_max_nan{F}({0}, {1})"}),
    "min": ({"b": "1", "i": "{MAX}", "u": "{MAX}", "f": "INFINITY"},
            {"b": "({0} & {1})", "i": "({1} < {0} ? {1} : {0})", "u": "({1} < {0} ? {1} : {0})",
             "f": "ar_min_nan{F}({0}, {1})"}),
    "all": ({"b": "1"}, {"b": "({0} & {1})"}),
    "any": ({"b": "0"}, {"b": "({0} | {1})"}),
}

_LIMITS = {"int8": ("INT8_MIN", "INT8_MAX"), "int16": ("INT16_MIN", "INT16_MAX"), "int32": ("INT32_MIN", "INT32_MAX"),
           "int64": ("INT64_MIN", "INT64_MAX"), "uint8": ("0", "UINT8_MAX"), "uint16": ("0", "UINT16_MAX"),
           "uint32": ("0", "UINT32_MAX"), "uint64": ("0", "UINT64_MAX")}


def render_reduce(spec: ReduceSpec, fname):
    """C function ``int fname(nd, dims, sin, sout, in, out, nout)`` for one reduction."""
    kind, di, do = spec.kind, spec.in_dtype, spec.out_dtype
    ko = kind_of(do)
    ident_t, comb_t = _REDUCE_OPS[kind]
    lo, hi = _LIMITS.get(do, ("0", "0"))
    A = COMPUTE[do]
    ident = f"(({A}){ident_t[ko].format(MIN=lo, MAX=hi)})"

    def comb(a, b):
        return comb_t[ko].format(a, b, F=SUFFIX.get(do, ""))

    conv = lambda e: cast(e, di, do)  # noqa: E731
    pairwise = kind == "sum" and ko in "fc"
    L = [f"/* {kind} {di} -> {do} */"]
    if pairwise:
        L += [f"static {A} {fname}_pw(const char *a, ar_intp n, ar_intp s)", "{",
              "    if (n < 8) {",
              f"        {A} r = ({A})0;",
              f"        for (ar_intp i = 0; i < n; i++) r += {conv(load('a + i * s', di))};",
              "        return r;",
              "    }",
              "    if (n <= 128) {",
              f"        {A} r[8];",
              f"        for (int j = 0; j < 8; j++) r[j] = {conv(load('a + j * s', di))};",
              "        ar_intp i;",
              "        for (i = 8; i < n - (n % 8); i += 8)",
              f"            for (int j = 0; j < 8; j++) r[j] += {conv(load('a + (i + j) * s', di))};",
              f"        {A} res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));",
              f"        for (; i < n; i++) res += {conv(load('a + i * s', di))};",
              "        return res;",
              "    }",
              "    ar_intp n2 = n / 2;",
              "    n2 -= n2 % 8;",
              f"    return {fname}_pw(a, n2, s) + {fname}_pw(a + n2 * s, n - n2, s);",
              "}"]
    so_t, si_t = STORE[do], STORE[di]
    L += [f"int {fname}(int nd, const ar_intp *dims, const ar_intp *sin, const ar_intp *sout, "
          "char *in, char *out, ar_intp nout)", "{",
          f"    for (ar_intp j = 0; j < nout; j++) (({so_t} *)out)[j] = {store_value(ident, do)};",
          "    const ar_intp n = dims[nd - 1], s = sin[nd - 1], so = sout[nd - 1];",
          "    ar_intp idx[32], outer = 1;",
          "    for (int d = 0; d < nd - 1; d++) { outer *= dims[d]; idx[d] = 0; }",
          "    char *pi = in, *po = out;",
          "    for (ar_intp o = 0; o < outer; o++) {",
          "        if (so == 0) {"]
    if pairwise:
        L.append(f"            {A} acc = {fname}_pw(pi, n, s);")
    else:
        L += [f"            {A} acc = {ident};",
              f"            for (ar_intp i = 0; i < n; i++) acc = {comb('acc', conv(load('pi + i * s', di)))};"]
    L += [f"            *({so_t} *)po = {store_value(comb(load('po', do), 'acc'), do)};",
          f"        }} else if (s == {ITEMSIZE[di]} && so == {ITEMSIZE[do]}) {{",
          f"            const {si_t} *restrict x = (const {si_t} *)pi;",
          f"            {so_t} *restrict z = ({so_t} *)po;",
          "            for (ar_intp i = 0; i < n; i++)",
          f"                z[i] = {store_value(comb(f'(({A})z[i])', conv(f'(({COMPUTE[di]})x[i])')), do)};",
          "        } else {",
          "            for (ar_intp i = 0; i < n; i++)",
          f"                *({so_t} *)(po + i * so) = "
          f"{store_value(comb(load('po + i * so', do), conv(load('pi + i * s', di))), do)};",
          "        }",
          "        for (int d = nd - 2; d >= 0; d--) {",
          "            pi += sin[d];",
          "            po += sout[d];",
          "            if (++idx[d] < dims[d]) break;",
          "            idx[d] = 0;",
          "            pi -= sin[d] * dims[d];",
          "            po -= sout[d] * dims[d];",
          "        }",
          "    }",
          "    return 0;",
          "}"]
    return "\n".join(L)


# ------------------------------------------------------------------ module


def render(spec, fname):
    """C source of one kernel (a loop or a reduction) named ``fname``."""
    return render_loop(spec, fname) if isinstance(spec, LoopSpec) else render_reduce(spec, fname)


def render_library(kernels):
    """C source of a kernel library: the prelude, then ``(symbol, spec)`` kernels."""
    return "\n\n".join([prelude()] + [render(spec, sym) for sym, spec in kernels]) + "\n"
