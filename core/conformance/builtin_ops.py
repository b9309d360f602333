"""arignote's own ops and their conformance samples, registered through
``arignote_register_ops`` like any op pack's.

Elementwise ops take their samples from their scalar op's row (``conformance``
in arignote.scalar); reductions and casts are declared here (the runner
generates the cases from both);
shape and indexing ops take their cases from shape_table.py and index_table.py
(NumPy references, shared with the test suite); linear-algebra and nnet ops
list hand-written cases.  Ops
usable in the random-graph fuzzer say how (``fuzz``).
"""
from __future__ import annotations

import numpy as np

from ..hookspecs import OpRecord, hookimpl
from ..scalar_domain import F
from ..tensor import basic, extra_ops, shape_ops
from . import fuzzops as fz
from .specs import Elementwise, Explicit, Reduction
from .values import edge_values, random_array

# clip is applied through T.clip (which casts the bounds to x's dtype), not through its Elemwise
_APPLY = {"clip": lambda: _tm().clip}


def _tm():
    from ..tensor import math as tm

    return tm


def elementwise_records():
    """One OpRecord per registered scalar op whose row carries a conformance domain (arignote's
    own and any a plugin defines): the op's Elemwise with its row's samples."""
    from .. import scalar as ps

    out = []
    for name, op in ps.all_scalar_ops().items():
        if op.conformance is not None:
            apply = _APPLY[name]() if name in _APPLY else _tm().elemwise(name)
            out.append(OpRecord(name, apply, Elementwise.of(op.conformance, op.nin)))
    return out


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


def _mk(name, kind, build, inputs, dtype=None, grad=False, ref=None, **kw):
    from .harness import OpCase

    dtype = dtype or np.asarray(inputs[0]).dtype.name
    return OpCase(f"{name}[{dtype}]:{kind}", build, inputs, ref, grad=grad, op=name, dtype=dtype, **kw)


def _type(dtype, shape):
    from ..types import TensorType

    return TensorType(dtype, shape=shape)



def _table_cases(rng):
    """The shape and indexing ops' cases: the tables in shape_table.py and index_table.py."""
    from . import index_table, shape_table

    out = {}
    for c in shape_table.CASES + index_table.CASES:
        if c.dtype is None:
            c.dtype = ",".join(sorted({np.asarray(a).dtype.name for a in c.inputs})) or "-"
        out.setdefault(c.op, []).append(c)
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


def _signed(d, rng):
    """Random values in [-3, 3] with ±0, ±1, 0.5, -2.5 and tiny/large finite values (no overflow when squared)."""
    tiny = 1e-150 if d == "float64" else 1e-18
    extra = [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, tiny, -tiny, 1e-10, -1e-10, 1e15, -1e15]
    return np.concatenate([random_array(rng, d, (12,)), np.array(extra, d)])


def _identity_cases(rng):
    """Expressions that rewrites target, compiled with every rewrite (FAST_RUN) and compared
    with their mathematical value computed by NumPy: a rewrite that changes a value (e.g.
    sqrt(x**2) -> x, dropping the abs) is reported here whatever the backend."""
    from ..tensor import math as tm

    def mk(kind, build, ref, d, inputs):
        return _mk("identities", kind, build, inputs, dtype=d, ref=ref, mode="FAST_RUN")

    out = []
    for d in F:
        x = _signed(d, rng)
        pos = np.abs(x)
        pos[pos == 0] = 0.25
        y = random_array(rng, d, x.shape, (0.5, 3.0))
        out += [
            mk("sqrt-of-square", lambda v: tm.sqrt(v ** 2), np.abs, d, [x]),
            mk("sqrt-of-sqr", lambda v: tm.sqrt(tm.sqr(v)), np.abs, d, [x]),
            mk("sqr-of-sqrt", lambda v: tm.sqr(tm.sqrt(v)), lambda v: np.square(np.sqrt(v)), d, [x]),
            mk("abs-of-neg", lambda v: abs(-v), np.abs, d, [x]),
            mk("neg-of-neg", lambda v: -(-v), lambda v: v.copy(), d, [x]),
            mk("pow-2", lambda v: v ** 2, np.square, d, [x]),
            mk("pow-3", lambda v: v ** 3, lambda v: v * v * v, d, [random_array(rng, d, (8,))]),
            mk("pow-half", lambda v: v ** 0.5, lambda v: np.power(v, v.dtype.type(0.5)), d, [x]),
            mk("pow-minus-one", lambda v: v ** -1, lambda v: np.power(v, v.dtype.type(-1)), d, [x]),
            mk("pow-zero", lambda v: v ** 0, lambda v: np.ones_like(v), d, [x]),
            mk("log-of-exp", lambda v: tm.log(tm.exp(v)), lambda v: v.copy(), d, [random_array(rng, d, (12,))]),
            mk("exp-of-log", lambda v: tm.exp(tm.log(v)), lambda v: np.exp(np.log(v)), d, [x]),
            mk("log-one-plus", lambda v: tm.log(1 + v), np.log1p, d, [np.abs(x)]),
            mk("exp-minus-one", lambda v: tm.exp(v) - 1, np.expm1, d, [x]),
            mk("div-by-self", lambda v: v / v, lambda v: np.ones_like(v), d, [pos]),
            mk("mul-div", lambda v, w: (v * w) / w, lambda v, w: (v * w) / w, d, [x, y]),
            mk("div-div", lambda v, w: v / (1 / w), lambda v, w: v * w, d, [x, y]),
            mk("reciprocal-of-reciprocal", lambda v: 1 / (1 / v), lambda v: v.copy(), d, [pos]),
            mk("div-of-neg", lambda v, w: (-v) / (-w), lambda v, w: v / w, d, [x, y]),
        ]
    return {"identities": out}


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
        "shape": lambda x: shape_ops.shape(x),
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
        "identities": lambda *xs, expr: expr(*xs),
    }


def records():
    """The OpRecords of arignote's own ops."""
    out = elementwise_records()
    out += [OpRecord(f"cast_{d}", Cast(d), spec) for d, spec in CASTS.items()]
    out += [OpRecord(name, fn, spec) for name, (fn, spec) in _reductions().items()]
    rng = np.random.default_rng(20240611)
    explicit = {}
    for table in (_table_cases, _linalg_cases, _nnet_cases, _composite_cases, _identity_cases):
        explicit.update(table(rng))
    builders = _builders()
    for name, cases in explicit.items():
        out.append(OpRecord(name, builders[name], Explicit(cases, fuzz=_FUZZ.get(name))))
    return out


@hookimpl
def arignote_register_ops():
    return records()


def _row_added(name):
    from .. import plugin_manager

    plugin_manager.forget("arignote_register_ops")


def _listen():
    from .. import scalar as ps

    ps.on_new_row(_row_added)


_listen()
