"""arignote's own ops and their conformance samples, registered through
``arignote_register_ops`` like any op pack's.

Elementwise ops and reductions are declared (the runner generates the cases);
shape, indexing, linear-algebra and nnet ops list hand-written cases.  Ops
usable in the random-graph fuzzer say how (``fuzz``).
"""
from __future__ import annotations

import numpy as np

from ..hookspecs import OpRecord, hookimpl
from ..tensor import basic, extra_ops, shape_ops
from . import fuzzops as fz
from .specs import Elementwise, Explicit, Reduction
from .values import edge_values, random_array

F = ("float64", "float32")
FI = ("float64", "float32", "int64")
FLOAT_EXTRA = ("float16", "int64", "int8")
INT_EXTRA = ("int8", "uint8", "int32", ("int32", "float32"), "float16")
SPECIAL_RTOL = {"float64": 1e-9, "float32": 1e-5}

# name -> Elementwise declaration (op: the Elemwise of the scalar op with that name)
ELEMWISE = {
    # arithmetic: integer overflow wraps as in NumPy
    "add": Elementwise(2, FI, INT_EXTRA, extremes=True, fuzz_kinds="fiu"),
    "sub": Elementwise(2, FI, INT_EXTRA, extremes=True, fuzz_kinds="fiu"),
    "mul": Elementwise(2, FI, INT_EXTRA, extremes=True, fuzz_kinds="fiu"),
    "true_div": Elementwise(2, FI, INT_EXTRA, nonzero=(1,), grad_domain=((-3, 3), (0.5, 3))),
    "int_div": Elementwise(2, FI, ("int8", "uint8"), nonzero=(1,), discontinuous=True, exact=True),
    "mod": Elementwise(2, FI, ("int8", "uint8"), nonzero=(1,), discontinuous=True, exact=True),
    "pow": Elementwise(2, FI, ("int8",), domain=((-3, 3), (0, 4)), grad_domain=((0.5, 2.5), (-2, 2))),
    "neg": Elementwise(1, FI, INT_EXTRA[:3], extremes=True, exact=True, fuzz_kinds="fiu"),
    "abs": Elementwise(1, FI, INT_EXTRA[:3], extremes=True, exact=True, fuzz_kinds="fiu"),
    "sgn": Elementwise(1, FI, ("int8",), discontinuous=True, exact=True, fuzz_kinds="fiu"),
    "maximum": Elementwise(2, FI, INT_EXTRA, extremes=True, exact=True, fuzz_kinds="fiu"),
    "minimum": Elementwise(2, FI, INT_EXTRA, extremes=True, exact=True, fuzz_kinds="fiu"),
    "sqr": Elementwise(1, FI, INT_EXTRA[:3], extremes=True),
    "sqrt": Elementwise(1, F, FLOAT_EXTRA, domain=(0.1, 4)),
    "reciprocal": Elementwise(1, F, FLOAT_EXTRA, nonzero=(0,), grad_domain=(0.5, 3)),
    # rounding
    "floor": Elementwise(1, F, FLOAT_EXTRA, discontinuous=True, exact=True),
    "ceil": Elementwise(1, F, FLOAT_EXTRA, discontinuous=True, exact=True),
    "trunc": Elementwise(1, F, FLOAT_EXTRA, discontinuous=True, exact=True),
    "round_half_to_even": Elementwise(1, F, ("float16",), discontinuous=True, exact=True),
    "round_half_away_from_zero": Elementwise(1, F, ("float16",), discontinuous=True, exact=True),
    # exponentials and logarithms
    "exp": Elementwise(1, F, FLOAT_EXTRA),
    "exp2": Elementwise(1, F, FLOAT_EXTRA),
    "expm1": Elementwise(1, F, FLOAT_EXTRA),
    "log": Elementwise(1, F, FLOAT_EXTRA, domain=(0.1, 5)),
    "log2": Elementwise(1, F, FLOAT_EXTRA, domain=(0.1, 5)),
    "log10": Elementwise(1, F, FLOAT_EXTRA, domain=(0.1, 5)),
    "log1p": Elementwise(1, F, FLOAT_EXTRA, domain=(-0.9, 3)),
    # trigonometric and hyperbolic
    "sin": Elementwise(1, F, FLOAT_EXTRA),
    "cos": Elementwise(1, F, FLOAT_EXTRA),
    "tan": Elementwise(1, F, FLOAT_EXTRA, domain=(-1.4, 1.4)),
    "arcsin": Elementwise(1, F, FLOAT_EXTRA, domain=(-0.95, 0.95)),
    "arccos": Elementwise(1, F, FLOAT_EXTRA, domain=(-0.95, 0.95)),
    "arctan": Elementwise(1, F, FLOAT_EXTRA),
    "arctan2": Elementwise(2, F, FLOAT_EXTRA, nonzero=(0, 1)),
    "sinh": Elementwise(1, F, FLOAT_EXTRA),
    "cosh": Elementwise(1, F, FLOAT_EXTRA),
    "tanh": Elementwise(1, F, FLOAT_EXTRA),
    "arcsinh": Elementwise(1, F, FLOAT_EXTRA),
    "arccosh": Elementwise(1, F, FLOAT_EXTRA, domain=(1.1, 4)),
    "arctanh": Elementwise(1, F, FLOAT_EXTRA, domain=(-0.9, 0.9)),
    # special functions
    "sigmoid": Elementwise(1, F, FLOAT_EXTRA),
    "softplus": Elementwise(1, F, FLOAT_EXTRA),
    "erf": Elementwise(1, F, FLOAT_EXTRA, rtol=SPECIAL_RTOL),
    "erfc": Elementwise(1, F, FLOAT_EXTRA, rtol=SPECIAL_RTOL),
    "erfinv": Elementwise(1, F, FLOAT_EXTRA, domain=(-0.9, 0.9), rtol=SPECIAL_RTOL),
    "gammaln": Elementwise(1, F, FLOAT_EXTRA, domain=(0.5, 5), rtol=SPECIAL_RTOL),
    "psi": Elementwise(1, F, FLOAT_EXTRA, domain=(0.5, 5), rtol=SPECIAL_RTOL),
    "tri_gamma": Elementwise(1, F, FLOAT_EXTRA, domain=(0.5, 5), grad=False, rtol=SPECIAL_RTOL),
    # predicates: bool results, compared exactly
    "isnan": Elementwise(1, F, ("float16",), grad=False, discontinuous=True, exact=True),
    "isinf": Elementwise(1, F, ("float16",), grad=False, discontinuous=True, exact=True),
    "logical_and": Elementwise(2, ("bool", "int64"), ("float64",), grad=False, fuzz_kinds="b", exact=True),
    "logical_or": Elementwise(2, ("bool", "int64"), ("float64",), grad=False, fuzz_kinds="b", exact=True),
    "logical_xor": Elementwise(2, ("bool", "int64"), ("float64",), grad=False, fuzz_kinds="b", exact=True),
    "logical_not": Elementwise(1, ("bool", "int64"), ("float64",), grad=False, fuzz_kinds="b", exact=True),
    # bitwise
    "and_": Elementwise(2, ("int64", "bool"), ("uint8", "int8"), extremes=True, grad=False, fuzz_kinds="biu",
                        exact=True),
    "or_": Elementwise(2, ("int64", "bool"), ("uint8", "int8"), extremes=True, grad=False, fuzz_kinds="biu",
                       exact=True),
    "xor": Elementwise(2, ("int64", "bool"), ("uint8", "int8"), extremes=True, grad=False, fuzz_kinds="biu",
                       exact=True),
    "invert": Elementwise(1, ("int64", "bool"), ("uint8", "int8"), extremes=True, grad=False, fuzz_kinds="biu",
                          exact=True),
    # selection and plumbing
    "switch": Elementwise(3, [("bool", "float64", "float64"), ("bool", "float32", "float32"),
                              ("bool", "int64", "int64")], [("int64", "float64", "int64")],
                          fuzz_kinds=("b", "fiub", "fiub"), exact=True, exact_args=(0,)),
    "identity": Elementwise(1, ("float64", "int64", "bool"), ("float32", "uint8"), exact=True, fuzz_kinds="fiub"),
    "second": Elementwise(2, ("float64", "int64"), (("float32", "float64"),), exact=True, fuzz_kinds="fiub"),
    "real": Elementwise(1, ("complex128",), ("complex64",), grad=False, fuzz=False),
    "imag": Elementwise(1, ("complex128",), ("complex64",), grad=False, fuzz=False),
    "conj": Elementwise(1, ("complex128", "float64"), ("complex64",), grad=False, fuzz=False),
}

for _cmp in ("lt", "gt", "le", "ge", "eq", "neq"):
    ELEMWISE[_cmp] = Elementwise(2, ("float64", "float32", "int64", "bool", ("int64", "float64")), INT_EXTRA[:3],
                                 extremes=True, grad=False, discontinuous=True, exact=True, fuzz_kinds="fiub")

# clip is applied through T.clip (which casts the bounds to x's dtype), not through its Elemwise
CLIP = Elementwise(3, FI, INT_EXTRA[:3], extremes=True, exact=True)


class Cast:
    """``x`` cast to ``dtype`` (the op_or_factory of the cast records)."""

    def __init__(self, dtype):
        self.dtype = dtype

    def __call__(self, x):
        from ..tensor import math as tm

        return tm.cast(x, self.dtype)

    def __repr__(self):
        return f"Cast({self.dtype!r})"


CASTS = {
    "float64": Elementwise(1, ("float32", "int64", "bool"), ("int8", "uint8", "float16"), grad=False, exact=True,
                           fuzz_kinds="fiub"),
    "float32": Elementwise(1, ("float64", "int64", "bool"), ("int8", "float16"), grad=False, exact=True,
                           fuzz_kinds="fiub"),
    "int64": Elementwise(1, ("float64", "int32", "bool"), ("uint8", "float32"), grad=False, edge=False,
                         domain=(-100, 100), discontinuous=True, exact=True, fuzz_kinds="iub"),
    "int8": Elementwise(1, ("int64", "bool"), ("uint8",), grad=False, extremes=True, exact=True, fuzz_kinds="iub"),
    "uint8": Elementwise(1, ("int64",), ("int8",), grad=False, extremes=True, exact=True, fuzz_kinds="iub"),
    "bool": Elementwise(1, ("float64", "int64"), ("float32", "uint8"), grad=False, discontinuous=True, exact=True,
                        fuzz_kinds="fiub"),
}


def _reductions():
    from ..tensor import reduction as rd

    every = ("float64", "float32", "int64", "bool")
    floats_ints = ("float64", "float32", "int64")
    red_rtol = {"float32": 1e-4}
    return {
        "sum": (rd.sum, Reduction(every, rtol=red_rtol)),
        "prod": (rd.prod, Reduction(every, rtol=red_rtol)),
        "max": (rd.max, Reduction(every, empty_ok=False, exact=True)),
        "min": (rd.min, Reduction(every, empty_ok=False, exact=True)),
        "all": (rd.all, Reduction(("bool", "float64", "int64"), grad=False, exact=True, discontinuous=True)),
        "any": (rd.any, Reduction(("bool", "float64", "int64"), grad=False, exact=True, discontinuous=True)),
        "argmax": (rd.argmax, Reduction(floats_ints, empty_ok=False, grad=False, exact=True, discontinuous=True)),
        "argmin": (rd.argmin, Reduction(floats_ints, empty_ok=False, grad=False, exact=True, discontinuous=True)),
        "mean": (rd.mean, Reduction(floats_ints, rtol=red_rtol)),
        "var": (rd.var, Reduction(F, rtol={"float32": 1e-3, "float64": 1e-9}, atol={"float32": 1e-5})),
        "std": (rd.std, Reduction(F, rtol={"float32": 1e-3, "float64": 1e-9}, atol={"float32": 1e-5})),
        "logsumexp": (rd.logsumexp, Reduction(F, rtol=red_rtol)),
        "cumsum": (rd.cumsum, Reduction(floats_ints, axes=(None, 0, 1, -1), keepdims=False, fuzz=False,
                                        rtol=red_rtol)),
        "cumprod": (rd.cumprod, Reduction(floats_ints, axes=(None, 0, 1, -1), keepdims=False, fuzz=False,
                                          rtol=red_rtol)),
    }


# ------------------------------------------------------------- explicit cases


def _mk(name, kind, build, inputs, dtype=None, grad=False, **kw):
    from ..testing import OpCase

    dtype = dtype or np.asarray(inputs[0]).dtype.name
    return OpCase(f"{name}[{dtype}]:{kind}", build, inputs, None, grad=grad, op=name, dtype=dtype, **kw)


def _type(dtype, shape):
    from ..types import TensorType

    return TensorType(dtype, shape=shape)



def _shape_cases(rng):
    out = {}
    for d in ("float64", "float32", "int64"):
        m = random_array(rng, d, (3, 4))
        t3 = random_array(rng, d, (2, 3, 4))
        g = d == "float64"
        out.setdefault("reshape", []).extend([
            _mk("reshape", "2d-to-1d", lambda x: shape_ops.reshape(x, (12,)), [m], grad=g),
            _mk("reshape", "minus-one", lambda x: shape_ops.reshape(x, (2, -1, 2)), [t3], grad=g),
            _mk("reshape", "view-reverse", lambda x: shape_ops.reshape(x, (4, 3)), [m], views=["reverse"]),
            _mk("reshape", "view-fortran", lambda x: shape_ops.reshape(x, (6, 4)), [t3], views=["fortran"]),
            _mk("reshape", "empty", lambda x: shape_ops.reshape(x, (3, 0)), [np.zeros((0, 3), d)]),
            _mk("reshape", "0d-to-1x1", lambda x: shape_ops.reshape(x, (1, 1)), [m[0, 0].copy()]),
        ])
        out.setdefault("transpose", []).extend([
            _mk("transpose", "2d", lambda x: shape_ops.transpose(x), [m], grad=g),
            _mk("transpose", "3d-perm", lambda x: shape_ops.transpose(x, (1, 2, 0)), [t3], grad=g),
            _mk("transpose", "view-step", lambda x: shape_ops.transpose(x) * 1, [m], views=["step"]),
            _mk("transpose", "empty", lambda x: shape_ops.transpose(x), [np.zeros((0, 3), d)]),
        ])
        out.setdefault("expand_dims", []).extend([
            _mk("expand_dims", "front", lambda x: shape_ops.expand_dims(x, 0), [m], grad=g),
            _mk("expand_dims", "back-of-0d", lambda x: shape_ops.expand_dims(x, 0), [m[1, 1].copy()]),
        ])
        out.setdefault("dimshuffle", []).extend([
            _mk("dimshuffle", "drop-broadcastable", lambda x: x.dimshuffle(2, "x", 0), [t3[:, :1, :].copy()],
                input_types=[_type(d, (None, 1, None))], grad=g),
            _mk("dimshuffle", "views", lambda x: x.dimshuffle(1, "x", 0) + 0, [m], views=["reverse"]),
        ])
        out.setdefault("flatten", []).extend([
            _mk("flatten", "3d-to-2d", lambda x: shape_ops.flatten(x, 2), [t3], grad=g),
            _mk("flatten", "view-fortran", lambda x: shape_ops.flatten(x), [m], views=["fortran"]),
        ])
        out.setdefault("concatenate", []).extend([
            _mk("concatenate", "axis0", lambda x, y: basic.concatenate([x, y], axis=0), [m, m[:2].copy()], grad=g),
            _mk("concatenate", "axis-1-views", lambda x, y: basic.concatenate([x, y], axis=-1), [m, m[:, :1].copy()],
                views=["reverse", "step"]),
            _mk("concatenate", "with-empty", lambda x, y: basic.concatenate([x, y], axis=0), [m, np.zeros((0, 4), d)]),
        ])
        out.setdefault("stack", []).append(
            _mk("stack", "axis1", lambda x, y: basic.stack([x, y], axis=1), [m, m[::-1].copy()], grad=g))
        out.setdefault("split", []).append(
            _mk("split", "axis1", lambda x: basic.split(x, [1, 3], 2, axis=1), [m], grad=g))
        out.setdefault("repeat", []).append(
            _mk("repeat", "axis0", lambda x: extra_ops.repeat(x, 2, axis=0), [m], grad=g))
        out.setdefault("tile", []).append(_mk("tile", "2x1", lambda x: extra_ops.tile(x, (2, 1)), [m], grad=g))
        out.setdefault("roll", []).append(_mk("roll", "axis1", lambda x: extra_ops.roll(x, -1, axis=1), [m], grad=g))
        out.setdefault("alloc", []).append(
            _mk("alloc", "broadcast-row", lambda v: basic.alloc(v, 3, 4), [m[:1].copy()],
                input_types=[_type(d, (1, None))], grad=g))
        out.setdefault("diag", []).extend([
            _mk("diag", "extract", lambda x: extra_ops.diag(x), [m], grad=g),
            _mk("diag", "build", lambda v: extra_ops.diag(v), [m[0].copy()], grad=g),
        ])
    out["arange"] = [_mk("arange", "int", lambda n: basic.arange(n), [np.asarray(5, "int64")]),
                     _mk("arange", "float-step", lambda a, b: basic.arange(a, b, 0.5),
                         [np.asarray(-1.0), np.asarray(2.0)]),
                     _mk("arange", "empty", lambda n: basic.arange(n), [np.asarray(0, "int64")])]
    out["eye"] = [_mk("eye", "offset", lambda n: basic.eye(n, n + 1, 1), [np.asarray(3, "int64")])]
    return out


def _index_cases(rng):
    from ..tensor import indexing as st

    out = {}
    for d in ("float64", "float32", "int64", "bool"):
        m = random_array(rng, d, (4, 5))
        v = random_array(rng, d, (6,))
        g = d == "float64"
        out.setdefault("subtensor", []).extend([
            _mk("subtensor", "slices", lambda x: x[1:3, ::2], [m], grad=g),
            _mk("subtensor", "negative-steps", lambda x: x[::-1, -2::-2], [m], grad=g),
            _mk("subtensor", "int", lambda x: x[-1], [m]),
            _mk("subtensor", "0d-result", lambda x: x[1, -2], [m]),
            _mk("subtensor", "empty-slice", lambda x: x[3:1], [m]),
            _mk("subtensor", "view-input", lambda x: x[1:, 1:4], [m], views=["reverse"]),
            _mk("subtensor", "symbolic", lambda x, i: x[i:], [v, np.asarray(-4, "int64")]),
        ])
        out.setdefault("advanced_subtensor", []).extend([
            _mk("advanced_subtensor", "ints", lambda x: x[[3, -1, 0, 3]], [m], grad=g),
            _mk("advanced_subtensor", "int-vector-input", lambda x, i: x[:, i], [m, np.array([4, 0, -5], "int64")],
                grad=g, wrt=[0] if g else None),
            _mk("advanced_subtensor", "bool-mask", lambda x, b: x[b], [v, np.array([1, 0, 0, 1, 1, 0], bool)]),
            _mk("advanced_subtensor", "view-input", lambda x: x[[2, 0]], [m], views=["fortran"]),
        ])
        if d == "bool":
            continue
        y = random_array(rng, d, (2, 5))
        out.setdefault("set_subtensor", []).extend([
            _mk("set_subtensor", "rows", lambda x, y: st.set_subtensor(x[1:3], y), [m, y], grad=g),
            _mk("set_subtensor", "broadcast-0d", lambda x, y: st.set_subtensor(x[:, ::2], y),
                [m, y[0, 0].copy()], grad=g),
        ])
        out.setdefault("inc_subtensor", []).extend([
            _mk("inc_subtensor", "rows", lambda x, y: st.inc_subtensor(x[::-2], y), [m, y], grad=g),
            _mk("inc_subtensor", "views", lambda x, y: st.inc_subtensor(x[1:3], y), [m, y],
                views=["fortran", "reverse"]),
        ])
        out.setdefault("advanced_inc_subtensor", []).extend([
            _mk("advanced_inc_subtensor", "duplicates", lambda x, y: st.inc_subtensor(x[[0, 2, 0]], y),
                [m, random_array(rng, d, (3, 5))], grad=g),
            _mk("advanced_inc_subtensor", "set", lambda x, y: st.set_subtensor(x[[3, 1]], y), [m, y], grad=g),
        ])
    return out


def _linalg_cases(rng):
    from ..tensor import linalg as la

    out = {}
    for d in ("float64", "float32", "int64"):
        a, b = random_array(rng, d, (3, 4)), random_array(rng, d, (4, 2))
        v, w = random_array(rng, d, (4,)), random_array(rng, d, (3,))
        g = d == "float64"
        tol = {"rtol": 1e-5} if d == "float32" else {}
        out.setdefault("dot", []).extend([
            _mk("dot", "matrix-matrix", la.dot, [a, b], grad=g, **tol),
            _mk("dot", "matrix-vector", la.dot, [a, v], grad=g, **tol),
            _mk("dot", "vector-vector", la.dot, [v, v.copy()], grad=g, **tol),
            _mk("dot", "views", la.dot, [a, b], views=["fortran", "reverse"], **tol),
            _mk("dot", "empty-inner", la.dot, [np.zeros((3, 0), d), np.zeros((0, 2), d)]),
            _mk("dot", "empty-outer", la.dot, [np.zeros((0, 4), d), b]),
        ])
        out.setdefault("matmul", []).extend([
            _mk("matmul", "batched", la.matmul, [random_array(rng, d, (2, 3, 4)), random_array(rng, d, (2, 4, 2))],
                grad=g, **tol),
            _mk("matmul", "broadcast-batch", la.matmul, [random_array(rng, d, (1, 3, 4)), b],
                input_types=[_type(d, (1, None, None)), None], grad=g, **tol),
            _mk("matmul", "views", la.matmul, [a, b], views=["step", "fortran"], **tol),
        ])
        out.setdefault("outer", []).append(_mk("outer", "vectors", la.outer, [v, w], grad=g, **tol))
        out.setdefault("tensordot", []).append(
            _mk("tensordot", "axes1", lambda x, y: la.tensordot(x, y, axes=1), [a, b], grad=g, **tol))
        out.setdefault("batched_dot", []).append(
            _mk("batched_dot", "3d", la.batched_dot, [random_array(rng, d, (2, 3, 4)),
                                                       random_array(rng, d, (2, 4, 5))], grad=g, **tol))
    for d in F:
        e = edge_values(d)[:12].reshape(3, 4)
        out["dot"].append(_mk("dot", "edge-values", la.dot, [e, e.T.copy()], dtype=d))
    return out


def _nnet_cases(rng):
    from ..tensor import nnet

    out = {"softmax": [], "log_softmax": []}
    for name, fn in (("softmax", nnet.softmax), ("log_softmax", nnet.log_softmax)):
        for d in F:
            m = random_array(rng, d, (3, 4))
            tol = {"rtol": 1e-5} if d == "float32" else {}
            out[name].extend([
                _mk(name, "last-axis", fn, [m], grad=d == "float64", **tol),
                _mk(name, "axis0", lambda x, fn=fn: fn(x, axis=0), [m], grad=d == "float64", **tol),
                _mk(name, "views", fn, [m], views=["reverse"], **tol),
                _mk(name, "edge-rows", fn, [np.array([[0, -np.inf, 1, 2], [np.inf, 0, 1, 2], [-1e30, 1e30, 0, 0]],
                                                     dtype=d)], **tol),
                _mk(name, "empty", fn, [np.zeros((0, 4), d)]),
            ])
    return out


def _composite_cases(rng):
    """Fused scalar DAGs built directly, so NO_REWRITES runs them too."""
    from .. import scalar as ps
    from ..tensor.elemwise import Elemwise

    comp = ps.Composite(["float64", "float64"],
                        [(ps.exp, [("i", 0)], "float64"), (ps.mul, [("n", 0), ("i", 1)], "float64"),
                         (ps.sin, [("i", 0)], "float64"), (ps.add, [("n", 1), ("n", 2)], "float64")], [3, 1])
    op = Elemwise(comp)
    x, y = random_array(rng, "float64", (3, 4)), random_array(rng, "float64", (3, 4))
    e = edge_values("float64")
    return {"composite": [
        _mk("composite", "two-outputs", lambda a, b: op(a, b), [x, y]),
        _mk("composite", "views", lambda a, b: op(a, b), [x, y], views=["reverse", "fortran"]),
        _mk("composite", "edge", lambda a, b: op(a, b), [e[:, None], e[None, :]],
            input_types=[_type("float64", (None, 1)), _type("float64", (1, None))]),
    ]}


_FUZZ = {
    "reshape": fz.FuzzOp("reshape", "shape", fz.select_reshape, exact=True),
    "transpose": fz.FuzzOp("transpose", "shape", fz.select_transpose, exact=True),
    "expand_dims": fz.FuzzOp("expand_dims", "shape", fz.select_expand_dims, exact=True),
    "concatenate": fz.FuzzOp("concatenate", "shape", fz.select_concatenate, exact=True),
    "subtensor": fz.FuzzOp("subtensor", "index", fz.select_basic_index, exact=True),
    "advanced_subtensor": fz.FuzzOp("advanced_subtensor", "index", fz.select_advanced_index, exact=True),
    "set_subtensor": fz.FuzzOp("set_subtensor", "index", fz.select_set_subtensor, exact=True),
}


def _builders():
    """name -> f(*inputs, **params), as the fuzzer and ``apply_op`` call them."""
    from ..tensor import linalg as la
    from ..tensor import nnet
    from ..tensor import indexing as st

    return {
        "reshape": lambda x, shape: shape_ops.reshape(x, shape),
        "transpose": lambda x, axes=None: shape_ops.transpose(x, axes),
        "expand_dims": lambda x, axis: shape_ops.expand_dims(x, axis),
        "dimshuffle": lambda x, pattern: x.dimshuffle(*pattern),
        "flatten": lambda x, ndim=1: shape_ops.flatten(x, ndim),
        "concatenate": lambda *xs, axis=0: basic.concatenate(list(xs), axis=axis),
        "stack": lambda *xs, axis=0: basic.stack(list(xs), axis=axis),
        "split": lambda x, splits, n, axis=0: basic.split(x, splits, n, axis=axis),
        "repeat": lambda x, repeats, axis=None: extra_ops.repeat(x, repeats, axis=axis),
        "tile": lambda x, reps: extra_ops.tile(x, reps),
        "roll": lambda x, shift, axis=None: extra_ops.roll(x, shift, axis=axis),
        "alloc": lambda v, *shape: basic.alloc(v, *shape),
        "diag": lambda x, k=0: extra_ops.diag(x, k),
        "arange": lambda *a, **k: basic.arange(*a, **k),
        "eye": lambda *a, **k: basic.eye(*a, **k),
        "subtensor": lambda x, idx: x[idx],
        "advanced_subtensor": lambda x, idx: x[idx],
        "set_subtensor": lambda x, y, idx: st.set_subtensor(x[idx], y),
        "inc_subtensor": lambda x, y, idx: st.inc_subtensor(x[idx], y),
        "advanced_inc_subtensor": lambda x, y, idx: st.inc_subtensor(x[idx], y),
        "dot": la.dot, "matmul": la.matmul, "outer": la.outer, "batched_dot": la.batched_dot,
        "tensordot": lambda x, y, axes=2: la.tensordot(x, y, axes=axes),
        "softmax": nnet.softmax, "log_softmax": nnet.log_softmax,
        "composite": lambda *xs, op: op(*xs),
    }


def records():
    """The OpRecords of arignote's own ops."""
    from ..tensor import math as tm

    out = [OpRecord(name, tm.elemwise(name), spec) for name, spec in ELEMWISE.items()]
    out.append(OpRecord("clip", tm.clip, CLIP))
    out += [OpRecord(f"cast_{d}", Cast(d), spec) for d, spec in CASTS.items()]
    out += [OpRecord(name, fn, spec) for name, (fn, spec) in _reductions().items()]
    rng = np.random.default_rng(20240611)
    explicit = {}
    for table in (_shape_cases, _index_cases, _linalg_cases, _nnet_cases, _composite_cases):
        explicit.update(table(rng))
    builders = _builders()
    for name, cases in explicit.items():
        out.append(OpRecord(name, builders[name], Explicit(cases, fuzz=_FUZZ.get(name))))
    return out


@hookimpl
def arignote_register_ops():
    return records()
