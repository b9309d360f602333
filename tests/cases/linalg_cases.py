"""Linear-algebra cases for arignote.testing.run_case: dot over every ndim combination numpy.dot
accepts, matmul/@ with batches and broadcasting, outer, tensordot with int and list axes, batched_dot."""
from __future__ import annotations

import numpy as np

from arignote import tensor as T
from arignote.testing import OpCase
from arignote.types import TensorType

CASES: list[OpCase] = []
_rng = np.random.default_rng(5)


def case(id, build, inputs, ref, **kw):
    kw.setdefault("grad", False)
    CASES.append(OpCase(id, build, inputs, ref, **kw))


def arr(shape, dtype="float64"):
    dt = np.dtype(dtype)
    if dt.kind in "iu":
        return _rng.integers(0 if dt.kind == "u" else -3, 4, shape).astype(dt)
    a = _rng.standard_normal(shape)
    if dt.kind == "c":
        a = a + 1j * _rng.standard_normal(shape)
    return a.astype(dt)


# shapes for every ndim pair numpy.dot accepts (n = 3 on the contracted axis)
DOT_SHAPES = [
    ((), ()), ((), (3,)), ((3,), ()), ((), (2, 3)), ((2, 3), ()), ((), (2, 3, 4)),
    ((3,), (3,)), ((3,), (3, 4)), ((2, 3), (3,)), ((2, 3), (3, 4)),
    ((2, 4, 3), (3,)), ((3,), (2, 3, 4)), ((2, 4, 3), (3, 5)), ((5, 3), (2, 3, 4)),
    ((2, 4, 3), (2, 3, 5)), ((2, 2, 4, 3), (3, 2)), ((2, 3), (2, 2, 3, 4)),
    ((0, 3), (3, 4)), ((2, 0), (0, 4)), ((0,), (0,)), ((2, 3), (3, 0)),
]


def _dot_cases():
    for sa, sb in DOT_SHAPES:
        grad = 0 not in sa + sb
        case(f"dot-{sa}-{sb}", T.dot, [arr(sa), arr(sb)], np.dot, grad=grad)
    for da, db in (("float32", "float32"), ("float32", "float64"), ("int32", "int32"), ("int8", "int16"),
                   ("int64", "float32"), ("complex128", "float64"), ("uint8", "uint8"), ("float16", "float16")):
        kw = dict(rtol=2e-2, atol=2e-2) if "float16" in (da, db) else {}
        case(f"dot-{da}-{db}-matrix", T.dot, [arr((3, 4), da), arr((4, 2), db)], np.dot, **kw)
        case(f"dot-{da}-{db}-vector", T.dot, [arr((4,), da), arr((4,), db)], np.dot, **kw)
    case("dot-method", lambda a, b: a.dot(b), [arr((2, 3)), arr((3,))], np.dot)
    case("dot-constant-array", lambda a: T.dot(a, np.eye(3)), [arr((2, 3))], lambda a: a.dot(np.eye(3)))
    case("dot-static-row", T.dot, [arr((1, 3)), arr((3, 2))], np.dot,
         input_types=[TensorType("float64", shape=(1, None)), TensorType("float64", shape=(None, None))])


MATMUL_SHAPES = [
    ((3,), (3,)), ((3,), (3, 4)), ((2, 3), (3,)), ((2, 3), (3, 4)), ((5, 2, 3), (5, 3, 4)),
    ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)), ((3,), (5, 3, 4)), ((5, 2, 3), (3,)),
    ((2, 4, 2, 3), (4, 3, 2)), ((0, 2, 3), (3, 4)), ((2, 0), (0, 3)),
]


def _matmul_cases():
    for sa, sb in MATMUL_SHAPES:
        grad = 0 not in sa + sb
        case(f"matmul-{sa}-{sb}", T.matmul, [arr(sa), arr(sb)], np.matmul, grad=grad)
        case(f"matmul-operator-{sa}-{sb}", lambda a, b: a @ b, [arr(sa), arr(sb)], lambda a, b: a @ b)
    case("matmul-batch-broadcast-static", T.matmul, [arr((1, 2, 3)), arr((4, 3, 2))], np.matmul,
         input_types=[TensorType("float64", shape=(1, None, None)), TensorType("float64", shape=(None, None, None))],
         grad=True)
    case("matmul-batch-broadcast-4d-static", T.matmul, [arr((2, 1, 2, 3)), arr((4, 3, 2))], np.matmul,
         input_types=[TensorType("float64", shape=(None, 1, None, None)),
                      TensorType("float64", shape=(None, None, None))], grad=True)
    for da, db in (("float32", "float64"), ("int32", "int64"), ("complex64", "complex64")):
        case(f"matmul-{da}-{db}", T.matmul, [arr((2, 2, 3), da), arr((3, 4), db)], np.matmul)
    case("matmul-rmatmul-array", lambda b: np.ones((2, 3)) @ b, [arr((3, 2))], lambda b: np.ones((2, 3)) @ b)


def _outer_cases():
    case("outer-vectors", T.outer, [arr((3,)), arr((4,))], np.outer, grad=True)
    case("outer-matrices-flatten", T.outer, [arr((2, 2)), arr((3,))], np.outer)
    case("outer-int", T.outer, [arr((3,), "int32"), arr((2,), "int8")], np.outer)
    case("outer-empty", T.outer, [arr((0,)), arr((3,))], np.outer)


TENSORDOT = [
    ((3, 4), (4, 5), 1), ((2, 3, 4), (3, 4, 5), 2), ((2, 3), (4, 5), 0), ((2, 3, 4), (2, 3, 4), 3),
    ((2, 3, 4), (4, 3, 2), [[1, 2], [1, 0]]), ((2, 3, 4), (5, 4, 3), [[2], [1]]),
    ((2, 3, 4), (3, 5), [1, 0]), ((2, 3, 4), (5, 4, 3), [[-1, -2], [1, 2]]), ((3, 4), (4, 3), [[0, 1], [1, 0]]),
    ((4,), (4,), 1), ((4,), (4, 2), [[0], [0]]),
]


def _tensordot_cases():
    for sa, sb, axes in TENSORDOT:
        case(f"tensordot-{sa}-{sb}-axes{axes}", lambda a, b, axes=axes: T.tensordot(a, b, axes=axes),
             [arr(sa), arr(sb)], lambda a, b, axes=axes: np.tensordot(a, b, axes=axes), grad=True)
    case("tensordot-default-axes2", T.tensordot, [arr((2, 3, 4)), arr((3, 4, 2))], np.tensordot)
    case("tensordot-int32", lambda a, b: T.tensordot(a, b, axes=1), [arr((2, 3), "int32"), arr((3, 2), "int32")],
         lambda a, b: np.tensordot(a, b, axes=1))


def _batched_dot_cases():
    case("batched_dot-3d-3d", T.batched_dot, [arr((4, 2, 3)), arr((4, 3, 5))], np.matmul)
    case("batched_dot-2d-2d", T.batched_dot, [arr((4, 3)), arr((4, 3))], lambda a, b: np.sum(a * b, axis=1))
    case("batched_dot-3d-2d", T.batched_dot, [arr((4, 2, 3)), arr((4, 3))], lambda a, b: np.einsum("bij,bj->bi", a, b))
    case("batched_dot-2d-3d", T.batched_dot, [arr((4, 3)), arr((4, 3, 5))], lambda a, b: np.einsum("bj,bjk->bk", a, b))


_dot_cases()
_matmul_cases()
_outer_cases()
_tensordot_cases()
_batched_dot_cases()
