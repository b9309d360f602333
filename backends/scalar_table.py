"""One table of scalar-op renderings, keyed by the ``name`` of core/scalar.py's ops.

Each row says how NumPy picks the loop dtypes for the op (the ``numpy``
column: a ufunc whose ``resolve_dtypes`` is the reference, or a rule name)
and how each backend renders one application of it.  A rendering column maps
the dtype *kind* of the loop inputs ('b' bool, 'i' signed, 'u' unsigned,
'f' float, 'c' complex, 'mixed' for int64/uint64 comparisons) to a template,
or is one template for every kind.  A kind missing from a column means "not
native here": the node then runs its NumPy ``perform``.

Template fields: ``{0}``, ``{1}``, ``{2}`` the argument expressions, ``{F}``
the C math suffix ('f' for float16/float32, '' for float64), ``{T}`` the C
type of the result, ``{dt}`` the loop dtype name.  Adding a scalar op means
one row here (the LLVM and CUDA backends add their own ``llvm``/``cuda``
columns to the same rows).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

_umath = getattr(np, "_core", None) or np.core  # numpy 2 / numpy 1


@dataclass(frozen=True)
class Rendering:
    """How one scalar op resolves its dtypes and renders on each backend."""

    name: str
    numpy: Any  # a ufunc, or one of the rule names in RULES
    c: Any = None
    llvm: Any = None
    cuda: Any = None
    extra: dict = field(default_factory=dict)

    def template(self, backend, kind):
        """The template of ``backend`` for inputs of ``kind``, or None."""
        col = getattr(self, backend)
        if col is None or isinstance(col, str):
            return col
        return col.get(kind)


RULES = ("same", "float_same", "switch", "second", "int_same")

_ALL = ("b", "i", "u", "f", "c")
_NUM = ("i", "u", "f", "c")


def _k(template, kinds):
    return {k: template for k in kinds}


def _cmp(sym):
    return {**_k(f"({{0}} {sym} {{1}})", ("b", "i", "u", "f")),
            "mixed": f"((__int128)({{0}}) {sym} (__int128)({{1}}))",
            **({"c": f"({{0}} {sym} {{1}})"} if sym in ("==", "!=") else {})}


def _unary_math(cname, cplx=None):
    col = {"f": f"{cname}{{F}}({{0}})"}
    if cplx:
        col["c"] = f"{cplx}{{F}}({{0}})"
    return col


def _rows():
    u = np
    R = Rendering
    rows = [
        R("add", u.add, {"b": "({0} | {1})", **_k("({0} + {1})", _NUM)}),
        R("sub", u.subtract, _k("({0} - {1})", _NUM)),
        R("mul", u.multiply, {"b": "({0} & {1})", **_k("({0} * {1})", ("i", "u", "f")),
                              "c": "ar_cmul{F}({0}, {1})"}),
        R("true_div", u.true_divide, {"f": "({0} / {1})", "c": "ar_cdiv{F}({0}, {1})"}),
        R("int_div", u.floor_divide, {"i": "ar_floordiv_{dt}({0}, {1})", "u": "ar_udiv_{dt}({0}, {1})",
                                      "f": "ar_floordiv{F}({0}, {1})"}),
        R("mod", u.remainder, {"i": "ar_mod_{dt}({0}, {1})", "u": "ar_umod_{dt}({0}, {1})",
                               "f": "ar_fmod{F}({0}, {1})"}),
        R("pow", u.power, {"f": "pow{F}({0}, {1})", "i": "ar_ipow_{dt}({0}, {1}, &err)",
                           "u": "ar_upow_{dt}({0}, {1})"}),
        R("neg", u.negative, _k("(-{0})", _NUM)),
        R("abs", u.absolute, {"b": "{0}", "u": "{0}", "i": "({0} < 0 ? -{0} : {0})", "f": "fabs{F}({0})",
                              "c": "ar_cabs{F}({0})"}),
        R("sgn", u.sign, {"i": "(({0} > 0) - ({0} < 0))", "u": "({0} > 0)",
                          "f": "({0} > 0 ? ({T})1 : ({0} < 0 ? ({T})-1 : ({0} == 0 ? ({T})0 : {0})))"}),
        R("maximum", u.maximum, {**_k("({0} > {1} ? {0} : {1})", ("b", "i", "u")), "f": "ar_max_nan_{dt}({0}, {1})"}),
        R("minimum", u.minimum, {**_k("({0} < {1} ? {0} : {1})", ("b", "i", "u")), "f": "ar_min_nan_{dt}({0}, {1})"}),
        R("clip", _umath.umath.clip if hasattr(_umath, "umath") else _umath.clip,
          {**_k("({0} > {1} ? ({0} < {2} ? {0} : {2}) : ({1} < {2} ? {1} : {2}))", ("b", "i", "u")),
           "f": "ar_min_nan{F}(ar_max_nan{F}({0}, {1}), {2})"}),
        R("floor", u.floor, _unary_math("floor")),
        R("ceil", u.ceil, _unary_math("ceil")),
        R("trunc", u.trunc, _unary_math("trunc")),
        R("round_half_to_even", "same", {"b": "{0}", "i": "{0}", "u": "{0}", "f": "rint{F}({0})"}),
        R("round_half_away_from_zero", "same",
          {"b": "{0}", "i": "{0}", "u": "{0}", "c": "{0}",
           "f": "({0} >= 0 ? floor{F}({0} + ({T})0.5) : ceil{F}({0} - ({T})0.5))"}),
        R("sqr", u.square, {**_k("({0} * {0})", ("i", "u", "f")), "c": "ar_cmul{F}({0}, {0})"}),
        R("sqrt", u.sqrt, _unary_math("sqrt", "csqrt")),
        R("reciprocal", u.reciprocal, {"f": "(({T})1 / {0})", "c": "ar_crecip{F}({0})"}),
        R("exp", u.exp, _unary_math("exp", "cexp")),
        R("exp2", u.exp2, _unary_math("exp2")),
        R("expm1", u.expm1, _unary_math("expm1")),
        R("log", u.log, _unary_math("log", "clog")),
        R("log2", u.log2, _unary_math("log2")),
        R("log10", u.log10, _unary_math("log10")),
        R("log1p", u.log1p, _unary_math("log1p")),
        R("sin", u.sin, _unary_math("sin", "csin")),
        R("cos", u.cos, _unary_math("cos", "ccos")),
        R("tan", u.tan, _unary_math("tan", "ctan")),
        R("arcsin", u.arcsin, _unary_math("asin", "casin")),
        R("arccos", u.arccos, _unary_math("acos", "cacos")),
        R("arctan", u.arctan, _unary_math("atan", "catan")),
        R("arctan2", u.arctan2, {"f": "atan2{F}({0}, {1})"}),
        R("sinh", u.sinh, _unary_math("sinh", "csinh")),
        R("cosh", u.cosh, _unary_math("cosh", "ccosh")),
        R("tanh", u.tanh, _unary_math("tanh", "ctanh")),
        R("arcsinh", u.arcsinh, _unary_math("asinh", "casinh")),
        R("arccosh", u.arccosh, _unary_math("acosh", "cacosh")),
        R("arctanh", u.arctanh, _unary_math("atanh", "catanh")),
        R("sigmoid", "float_same", {"f": "ar_sigmoid{F}({0})"}),
        R("softplus", "float_same", {"f": "ar_softplus{F}({0})"}),
        R("erf", "float_same", _unary_math("erf")),
        R("erfc", "float_same", _unary_math("erfc")),
        R("erfinv", "float_same", {"f": "(({T})ar_erfinv((double){0}))"}),
        R("gammaln", "float_same", {"f": "(({T})ar_lgamma((double){0}))"}),
        R("psi", "float_same", {"f": "(({T})ar_digamma((double){0}))"}),
        R("tri_gamma", "float_same", {"f": "(({T})ar_trigamma((double){0}))"}),
        R("lt", u.less, _cmp("<")),
        R("gt", u.greater, _cmp(">")),
        R("le", u.less_equal, _cmp("<=")),
        R("ge", u.greater_equal, _cmp(">=")),
        R("eq", u.equal, _cmp("==")),
        R("neq", u.not_equal, _cmp("!=")),
        R("isnan", u.isnan, {**_k("0", ("b", "i", "u")), "f": "(isnan({0}) != 0)",
                             "c": "(isnan(creal{F}({0})) || isnan(cimag{F}({0})))"}),
        R("isinf", u.isinf, {**_k("0", ("b", "i", "u")), "f": "(isinf({0}) != 0)",
                             "c": "(isinf(creal{F}({0})) || isinf(cimag{F}({0})))"}),
        R("and_", u.bitwise_and, _k("({0} & {1})", ("b", "i", "u"))),
        R("or_", u.bitwise_or, _k("({0} | {1})", ("b", "i", "u"))),
        R("xor", u.bitwise_xor, _k("({0} ^ {1})", ("b", "i", "u"))),
        R("invert", u.invert, {"b": "(!{0})", "i": "(~{0})", "u": "(~{0})"}),
        R("logical_and", u.logical_and, _k("(({0} != 0) & ({1} != 0))", _ALL)),
        R("logical_or", u.logical_or, _k("(({0} != 0) | ({1} != 0))", _ALL)),
        R("logical_xor", u.logical_xor, _k("(({0} != 0) != ({1} != 0))", _ALL)),
        R("logical_not", u.logical_not, _k("({0} == 0)", _ALL)),
        R("switch", "switch", _k("({0} ? {1} : {2})", _ALL)),
        R("second", "second", _k("{1}", _ALL)),
        R("identity", "same", _k("{0}", _ALL)),
        R("real", "same", {**_k("{0}", ("b", "i", "u", "f")), "c": "creal{F}({0})"}),
        R("imag", "same", {**_k("(({T})0)", ("b", "i", "u", "f")), "c": "cimag{F}({0})"}),
        R("conj", "same", {**_k("{0}", ("b", "i", "u", "f")), "c": "conj{F}({0})"}),
    ]
    return {r.name: r for r in rows}


TABLE: dict[str, Rendering] = _rows()
_plugin_rows: dict = {}   # name -> repr of a row a plugin registered (part of the LLVM cache key)
_fingerprint: list = []   # fingerprint() of _plugin_rows, until a row is registered
_listeners: list = []     # callables clearing caches derived from TABLE


def register(row, replace=False):
    """Add (or with ``replace``, change) the renderings of one scalar op, e.g. from a plugin.

    ``row`` is a Rendering keyed by the scalar op's ``name``.  A different row
    already registered under that name raises ValueError unless ``replace``;
    the same row again is a no-op.  Caches derived from the table are cleared.
    """
    if not isinstance(row, Rendering):
        raise TypeError(f"register() takes a scalar_table.Rendering, not {type(row).__name__}")
    known = TABLE.get(row.name)
    if known == row:
        return
    if known is not None and not replace:
        raise ValueError(f"scalar op {row.name!r} already has renderings ({known!r}); "
                         "pass replace=True to change them")
    TABLE[row.name] = row
    _plugin_rows[row.name] = repr(row)
    table_changed()


def table_changed():
    """Forget everything derived from TABLE (loop dtypes, recipes looked up by name, the fingerprint)."""
    _fingerprint.clear()
    _loop_dtypes.cache_clear()
    for forget in _listeners:
        forget()


def fingerprint():
    """A digest of the rows plugins registered: compiled code depending on them is keyed by it."""
    if not _fingerprint:
        import hashlib

        _fingerprint.append(hashlib.sha256(repr(sorted(_plugin_rows.items())).encode()).hexdigest()[:16])
    return _fingerprint[0]


@functools.lru_cache(maxsize=None)
def kind_of(dtype):
    """'b', 'i', 'u', 'f' or 'c' for a dtype name."""
    return np.dtype(dtype).kind


class NotRenderable(Exception):
    """A scalar op (with these dtypes) has no native rendering; run its perform instead."""


def loop_dtypes(name, in_dtypes):
    """NumPy's loop dtypes for op ``name`` on ``in_dtypes``: (loop input dtypes, loop output dtype).

    Raises NotRenderable when NumPy has no loop (the reference would fail too)
    or the op is not in the table.
    """
    res = _loop_dtypes(name, tuple(in_dtypes))
    if isinstance(res, str):
        raise NotRenderable(res)
    return list(res[0]), res[1]


@functools.lru_cache(maxsize=4096)
def _loop_dtypes(name, in_dtypes):
    try:
        ins, out = _resolve(name, list(in_dtypes))
    except NotRenderable as e:
        return str(e)
    return tuple(ins), out


def _resolve(name, in_dtypes):
    row = TABLE.get(name)
    if row is None:
        raise NotRenderable(f"scalar op {name} is not in the rendering table")
    rule = row.numpy
    if isinstance(rule, str):
        return _rule_dtypes(rule, name, list(in_dtypes))
    try:
        res = rule.resolve_dtypes(tuple(np.dtype(d) for d in in_dtypes) + (None,) * rule.nout)
    except (TypeError, ValueError) as e:
        raise NotRenderable(f"{name}{tuple(in_dtypes)}: {e}") from None
    return [d.name for d in res[: rule.nin]], res[rule.nin].name


def _rule_dtypes(rule, name, dts):
    if rule == "same":
        if len(set(dts)) != 1:
            raise NotRenderable(f"{name} needs one input dtype, got {dts}")
        return dts, dts[0]
    if rule == "float_same":
        if kind_of(dts[0]) != "f":
            raise NotRenderable(f"{name} is only native for real floats, got {dts}")
        return dts, dts[0]
    if rule == "switch":
        out = np.result_type(*[np.dtype(d) for d in dts[1:]]).name
        return ["bool", out, out], out
    if rule == "second":
        return dts, dts[1]
    raise NotRenderable(f"unknown dtype rule {rule!r} for {name}")


# --------------------------------------------------------------- llvm column
# Added by the LLVM backend: per op, input kind -> a recipe name of
# backends/llvm/scalar_ir.py ('libm.<fn>' calls libm/libmvec, 'helper.<fn>' an
# IR helper, 'icmp.<pred>'/'fcmp.<pred>' comparisons, 'wcmp.<pred>' exact
# signed/unsigned comparisons).  Complex kinds have no LLVM rendering (their
# nodes run through NumPy).
def _llvm_column():
    cmp = {"lt": "lt", "gt": "gt", "le": "le", "ge": "ge", "eq": "eq", "neq": "ne"}
    fpred = {"lt": "olt", "gt": "ogt", "le": "ole", "ge": "oge", "eq": "oeq", "neq": "une"}
    col = {
        "add": {"b": "or", "i": "add", "u": "add", "f": "fadd"},
        "sub": {"i": "sub", "u": "sub", "f": "fsub"},
        "mul": {"b": "and", "i": "mul", "u": "mul", "f": "fmul"},
        "true_div": {"f": "fdiv"},
        "int_div": {"i": "floordiv_s", "u": "floordiv_u", "f": "floordiv_f"},
        "mod": {"i": "mod_s", "u": "mod_u", "f": "mod_f"},
        "pow": {"f": "libm.pow", "i": "ipow_s", "u": "ipow_u"},
        "neg": {"i": "neg", "u": "neg", "f": "fneg"},
        "abs": {"b": "id", "u": "id", "i": "abs_s", "f": "fabs"},
        "sgn": {"i": "sgn_s", "u": "sgn_u", "f": "sgn_f"},
        "maximum": {"b": "or", "i": "max_s", "u": "max_u", "f": "max_f"},
        "minimum": {"b": "and", "i": "min_s", "u": "min_u", "f": "min_f"},
        "clip": {"b": "clip_u", "i": "clip_s", "u": "clip_u", "f": "clip_f"},
        "floor": {"f": "floor"}, "ceil": {"f": "ceil"}, "trunc": {"f": "trunc"},
        "round_half_to_even": {"b": "id", "i": "id", "u": "id", "f": "roundeven"},
        "round_half_away_from_zero": {"b": "id", "i": "id", "u": "id", "f": "round_away"},
        "sqr": {"i": "sqr", "u": "sqr", "f": "fsqr"},
        "sqrt": {"f": "sqrt"},
        "reciprocal": {"f": "recip"},
        "sigmoid": {"f": "sigmoid"}, "softplus": {"f": "softplus"},
        "erfinv": {"f": "helper.erfinv"}, "gammaln": {"f": "helper.lgamma"},
        "psi": {"f": "helper.digamma"}, "tri_gamma": {"f": "helper.trigamma"},
        "isnan": {"b": "false", "i": "false", "u": "false", "f": "isnan"},
        "isinf": {"b": "false", "i": "false", "u": "false", "f": "isinf"},
        "and_": _k("and", ("b", "i", "u")), "or_": _k("or", ("b", "i", "u")), "xor": _k("xor", ("b", "i", "u")),
        "invert": {"b": "not", "i": "invert", "u": "invert"},
        "logical_and": _k("land", ("b", "i", "u", "f")), "logical_or": _k("lor", ("b", "i", "u", "f")),
        "logical_xor": _k("lxor", ("b", "i", "u", "f")), "logical_not": _k("lnot", ("b", "i", "u", "f")),
        "switch": _k("select", ("b", "i", "u", "f")), "second": _k("arg1", ("b", "i", "u", "f")),
        "identity": _k("id", ("b", "i", "u", "f")), "real": _k("id", ("b", "i", "u", "f")),
        "imag": _k("zero", ("b", "i", "u", "f")), "conj": _k("id", ("b", "i", "u", "f")),
    }
    libm = {"exp": "exp", "exp2": "exp2", "expm1": "expm1", "log": "log", "log2": "log2", "log10": "log10",
            "log1p": "log1p", "sin": "sin", "cos": "cos", "tan": "tan", "arcsin": "asin", "arccos": "acos",
            "arctan": "atan", "arctan2": "atan2", "sinh": "sinh", "cosh": "cosh", "tanh": "tanh",
            "arcsinh": "asinh", "arccosh": "acosh", "arctanh": "atanh", "erf": "erf", "erfc": "erfc"}
    for op, fn in libm.items():
        col[op] = {"f": f"libm.{fn}"}
    for op, pred in cmp.items():
        s = "s" + pred if pred not in ("eq", "ne") else pred
        u = "u" + pred if pred not in ("eq", "ne") else pred
        col[op] = {"b": f"icmp.{u}", "i": f"icmp.{s}", "u": f"icmp.{u}", "f": f"fcmp.{fpred[op]}",
                   "mixed": f"wcmp.{s}"}
    complex_ = {"add": "cadd", "sub": "csub", "mul": "cmul", "true_div": "cdiv", "neg": "cneg", "abs": "cabs",
                "sqr": "csqr", "reciprocal": "crecip", "eq": "ceq", "neq": "cne", "isnan": "cisnan",
                "isinf": "cisinf", "real": "creal", "imag": "cimag", "conj": "cconj",
                "round_half_away_from_zero": "id", "logical_and": "land", "logical_or": "lor",
                "logical_xor": "lxor", "logical_not": "lnot", "switch": "select", "second": "arg1",
                "identity": "id"}
    for op in ("sqrt", "exp", "log", "sin", "cos", "tan", "sinh", "cosh", "tanh"):
        complex_[op] = f"clib.{op}"
    for op, fn in (("arcsin", "asin"), ("arccos", "acos"), ("arctan", "atan"), ("arcsinh", "asinh"),
                   ("arccosh", "acosh"), ("arctanh", "atanh")):
        complex_[op] = f"clib.{fn}"
    for op, spec in complex_.items():
        col[op] = {**col[op], "c": spec}
    return col


def _attach(backend, column):
    import dataclasses

    for _name, _col in column.items():
        if _name in TABLE:
            TABLE[_name] = dataclasses.replace(TABLE[_name], **{backend: _col})


_attach("llvm", _llvm_column())
