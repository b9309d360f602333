"""The C column of the scalar-op renderings: per scalar op (by its name in arignote.scalar) and
per dtype *kind* of the loop inputs ('b' bool, 'i' signed, 'u' unsigned, 'f' float, 'c' complex,
'mixed' for int64/uint64 comparisons), a C expression template.  A kind missing from an op's
entry means "not native here": the node runs its NumPy ``perform``.

Template fields: ``{0}``, ``{1}``, ``{2}`` the argument expressions, ``{F}`` the C math suffix
('f' for float16/float32, '' for float64), ``{T}`` the C type of the result, ``{dt}`` the loop
dtype name.  The column reaches the shared table through the ``arignote_register_renderings``
hook (backends/c/plugin.py); a future CUDA backend starts from these templates.
"""
from __future__ import annotations

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


COLUMN = {
    "add": {"b": "({0} | {1})", **_k("({0} + {1})", _NUM)},
    "sub": _k("({0} - {1})", _NUM),
    "mul": {"b": "({0} & {1})", **_k("({0} * {1})", ("i", "u", "f")),
        "c": "ar_cmul{F}({0}, {1})"},
    "true_div": {"f": "({0} / {1})", "c": "ar_cdiv{F}({0}, {1})"},
    "int_div": {"i": "ar_floordiv_{dt}({0}, {1})", "u": "ar_udiv_{dt}({0}, {1})",
        "f": "ar_floordiv{F}({0}, {1})"},
    "mod": {"i": "ar_mod_{dt}({0}, {1})", "u": "ar_umod_{dt}({0}, {1})",
        "f": "ar_fmod{F}({0}, {1})"},
    "pow": {"f": "pow{F}({0}, {1})", "i": "ar_ipow_{dt}({0}, {1}, &err)",
        "u": "ar_upow_{dt}({0}, {1})", "c": "ar_cpow{F}({0}, {1})"},
    "neg": _k("(-{0})", _NUM),
    "abs": {"b": "{0}", "u": "{0}", "i": "({0} < 0 ? -{0} : {0})", "f": "fabs{F}({0})",
        "c": "ar_cabs{F}({0})"},
    "sgn": {"i": "(({0} > 0) - ({0} < 0))", "u": "({0} > 0)",
        "f": "({0} > 0 ? ({T})1 : ({0} < 0 ? ({T})-1 : ({0} == 0 ? ({T})0 : {0})))",
        "c": "ar_csgn{F}({0})"},
    # equal zeros keep NumPy's sign per dtype (kernels.h: float16 keeps the first, the others the second)
    "maximum": {**_k("({0} > {1} ? {0} : {1})", ("b", "i", "u")), "f": "ar_max_nan_{dt}({0}, {1})"},
    "minimum": {**_k("({0} < {1} ? {0} : {1})", ("b", "i", "u")), "f": "ar_min_nan_{dt}({0}, {1})"},
    "clip": {**_k("({0} > {1} ? ({0} < {2} ? {0} : {2}) : ({1} < {2} ? {1} : {2}))", ("b", "i", "u")),
        "f": "ar_min_nan{F}(ar_max_nan{F}({0}, {1}), {2})"},
    "floor": _unary_math("floor"),
    "ceil": _unary_math("ceil"),
    "trunc": _unary_math("trunc"),
    "round_half_to_even": {"b": "{0}", "i": "{0}", "u": "{0}", "f": "rint{F}({0})", "c": "ar_crint{F}({0})"},
    "round_half_away_from_zero": {"b": "{0}", "i": "{0}", "u": "{0}",
        "f": "({0} >= 0 ? floor{F}({0} + ({T})0.5) : ceil{F}({0} - ({T})0.5))"},
    "sqr": {**_k("({0} * {0})", ("i", "u", "f")), "c": "ar_cmul{F}({0}, {0})"},
    "sqrt": _unary_math("sqrt", "csqrt"),
    "reciprocal": {"f": "(({T})1 / {0})", "c": "ar_crecip{F}({0})"},
    "exp": _unary_math("exp", "cexp"),
    "exp2": _unary_math("exp2", "ar_cexp2"),
    "expm1": _unary_math("expm1", "ar_cexpm1"),
    "log": _unary_math("log", "clog"),
    "log2": _unary_math("log2", "ar_clog2"),
    "log10": _unary_math("log10", "ar_clog10"),
    "log1p": _unary_math("log1p", "ar_clog1p"),
    "sin": _unary_math("sin", "csin"),
    "cos": _unary_math("cos", "ccos"),
    "tan": _unary_math("tan", "ctan"),
    "arcsin": _unary_math("asin", "casin"),
    "arccos": _unary_math("acos", "cacos"),
    "arctan": _unary_math("atan", "catan"),
    "arctan2": {"f": "atan2{F}({0}, {1})"},
    "sinh": _unary_math("sinh", "csinh"),
    "cosh": _unary_math("cosh", "ccosh"),
    "tanh": _unary_math("tanh", "ctanh"),
    "arcsinh": _unary_math("asinh", "casinh"),
    "arccosh": _unary_math("acosh", "cacosh"),
    "arctanh": _unary_math("atanh", "catanh"),
    "sigmoid": {"f": "ar_sigmoid{F}({0})"},
    "softplus": {"f": "ar_softplus{F}({0})"},
    "erf": _unary_math("erf"),
    "erfc": _unary_math("erfc"),
    "erfinv": {"f": "(({T})ar_erfinv((double){0}))"},
    "gammaln": {"f": "(({T})ar_lgamma((double){0}))"},
    "psi": {"f": "(({T})ar_digamma((double){0}))"},
    "tri_gamma": {"f": "(({T})ar_trigamma((double){0}))"},
    "lt": _cmp("<"),
    "gt": _cmp(">"),
    "le": _cmp("<="),
    "ge": _cmp(">="),
    "eq": _cmp("=="),
    "neq": _cmp("!="),
    "isnan": {**_k("0", ("b", "i", "u")), "f": "(isnan({0}) != 0)",
        "c": "(isnan(creal{F}({0})) || isnan(cimag{F}({0})))"},
    "isinf": {**_k("0", ("b", "i", "u")), "f": "(isinf({0}) != 0)",
        "c": "(isinf(creal{F}({0})) || isinf(cimag{F}({0})))"},
    "and_": _k("({0} & {1})", ("b", "i", "u")),
    "or_": _k("({0} | {1})", ("b", "i", "u")),
    "xor": _k("({0} ^ {1})", ("b", "i", "u")),
    "invert": {"b": "(!{0})", "i": "(~{0})", "u": "(~{0})"},
    "logical_and": _k("(({0} != 0) & ({1} != 0))", _ALL),
    "logical_or": _k("(({0} != 0) | ({1} != 0))", _ALL),
    "logical_xor": _k("(({0} != 0) != ({1} != 0))", _ALL),
    "logical_not": _k("({0} == 0)", _ALL),
    "switch": _k("({0} ? {1} : {2})", _ALL),
    "second": _k("{1}", _ALL),
    "identity": _k("{0}", _ALL),
    "real": {**_k("{0}", ("b", "i", "u", "f")), "c": "creal{F}({0})"},
    "imag": {**_k("(({T})0)", ("b", "i", "u", "f")), "c": "cimag{F}({0})"},
    "conj": {**_k("{0}", ("b", "i", "u", "f")), "c": "conj{F}({0})"},
}

#: scalar ops this backend leaves to NumPy on purpose (op name -> why); a test fails for any other
#: scalar op without an entry in COLUMN
NUMPY_FALLBACK: dict = {}
