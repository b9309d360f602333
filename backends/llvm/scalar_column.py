"""The LLVM column of the scalar-op renderings: per scalar op and input kind, the name of a recipe of
scalar_ir.py ('libm.<fn>' calls libm/libmvec, 'helper.<fn>' an IR helper, 'icmp.<pred>'/'fcmp.<pred>'
comparisons, 'wcmp.<pred>' exact signed/unsigned comparisons, 'clib.<fn>' complex library calls).
It reaches the shared table through the ``arignote_register_renderings`` hook (llvm/plugin.py).
"""
from __future__ import annotations


def _k(template, kinds):
    return {k: template for k in kinds}


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
                "logical_and": "land", "logical_or": "lor",
                "logical_xor": "lxor", "logical_not": "lnot", "switch": "select", "second": "arg1",
                "identity": "id"}
    for op, spec in (("pow", "cpow"), ("sgn", "csgn"), ("exp2", "cexp2"), ("expm1", "cexpm1"), ("log2", "clog2"),
                     ("log10", "clog10"), ("log1p", "clog1p"), ("round_half_to_even", "crint")):
        complex_[op] = spec  # complex_ir.py: NumPy's formulas
    for op in ("sqrt", "exp", "log", "sin", "cos", "tan", "sinh", "cosh", "tanh"):
        complex_[op] = f"clib.{op}"
    for op, fn in (("arcsin", "asin"), ("arccos", "acos"), ("arctan", "atan"), ("arcsinh", "asinh"),
                   ("arccosh", "acosh"), ("arctanh", "atanh")):
        complex_[op] = f"clib.{fn}"
    for op, spec in complex_.items():
        col[op] = {**col[op], "c": spec}
    return col


COLUMN = _llvm_column()

#: scalar ops this backend leaves to NumPy on purpose (op name -> why); a test fails for any other
#: scalar op without an entry in COLUMN
NUMPY_FALLBACK: dict = {}
