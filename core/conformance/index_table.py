"""The indexing ops' cases (basic, advanced, set/inc, take) with NumPy references: the
conformance runner's samples of these ops and the test suite's table."""
from __future__ import annotations

import numpy as np

from ..tensor.indexing import inc_subtensor, set_subtensor, take
from ..types import TensorType
from .harness import OpCase

_rng = np.random.default_rng(42)


def _f(*shape, dtype="float64"):
    return _rng.standard_normal(shape).astype(dtype)


def _add_at(a, idx, y):
    out = a.copy()
    np.add.at(out, idx, y)
    return out


def _set(a, idx, y):
    out = a.copy()
    out[idx] = y
    return out


M = _f(4, 5)
V = _f(6)
T3 = _f(3, 4, 5)
S = np.asarray(1.5)

CASES = []


def op_of(case_id):
    """The registered op a case samples: basic or advanced indexing, setting or incrementing."""
    advanced = case_id.startswith(("adv", "mask", "mixed", "take")) or "_adv" in case_id or "_mask" in case_id
    if case_id.startswith(("set", "inc")):
        if advanced:
            return "advanced_inc_subtensor"
        return "set_subtensor" if case_id.startswith("set") else "inc_subtensor"
    return "advanced_subtensor" if advanced else "subtensor"


def case(id, build, inputs, ref, **kw):
    CASES.append(OpCase(id, build, inputs, ref, op=op_of(id), **kw))


# ------------------------------------------------------------ basic: ints
case("int", lambda x: x[1], [M], lambda x: x[1])
case("int_neg", lambda x: x[-1], [M], lambda x: x[-1])
case("int_int_0d", lambda x: x[1, -2], [M], lambda x: np.asarray(x[1, -2]))
case("int_np_int64", lambda x: x[np.int64(2)], [V], lambda x: np.asarray(x[2]))
case("int_np_0d_array", lambda x: x[np.array(3)], [V], lambda x: np.asarray(x[3]))
case("int_symbolic", lambda x, i: x[i], [M, np.asarray(2, dtype="int64")], lambda x, i: x[i])
case("int_symbolic_neg_int32", lambda x, i: x[:, i], [M, np.asarray(-2, dtype="int32")], lambda x, i: x[:, i])
case("int_t3_middle", lambda x: x[:, 2], [T3], lambda x: x[:, 2])

# ---------------------------------------------------------- basic: slices
case("slice", lambda x: x[1:3], [M], lambda x: x[1:3])
case("slice_2d", lambda x: x[1:, :-1], [M], lambda x: x[1:, :-1])
case("slice_step", lambda x: x[::2, 1::3], [M], lambda x: x[::2, 1::3])
case("slice_rev", lambda x: x[::-1], [M], lambda x: x[::-1])
case("slice_rev_both", lambda x: x[1:, ::-1], [M], lambda x: x[1:, ::-1])
case("slice_neg_step_bounds", lambda x: x[4:0:-2], [V], lambda x: x[4:0:-2])
case("slice_neg_bounds_neg_step", lambda x: x[-1:-4:-1, -2::-2], [M], lambda x: x[-1:-4:-1, -2::-2])
case("slice_past_end", lambda x: x[2:100], [V], lambda x: x[2:100])
case("slice_before_start", lambda x: x[-100:2], [V], lambda x: x[-100:2])
case("slice_empty", lambda x: x[3:1], [M], lambda x: x[3:1])
case("slice_empty_past_end", lambda x: x[:, 7:], [M], lambda x: x[:, 7:])
case("slice_rev_empty", lambda x: x[1:3:-1], [V], lambda x: x[1:3:-1])
case("slice_full", lambda x: x[:], [M], lambda x: x[:])
case("slice_symbolic", lambda x, a, b: x[a:b], [V, np.asarray(1), np.asarray(-1)], lambda x, a, b: x[a:b])
case("slice_symbolic_step", lambda x, k: x[::k], [V, np.asarray(-2)], lambda x, k: x[::k])
case("slice_symbolic_all", lambda x, a, b, k: x[a:b:k, a:],
     [M, np.asarray(3, dtype="int32"), np.asarray(0, dtype="int16"), np.asarray(-1, dtype="int8")],
     lambda x, a, b, k: x[a:b:k, a:])
case("slice_then_int", lambda x: x[1:][::-1][0], [M], lambda x: x[1:][::-1][0])
case("slice_overlap_sum", lambda x: x[1:] + x[:-1], [V], lambda x: x[1:] + x[:-1])

# --------------------------------------------------- basic: None, Ellipsis
case("newaxis_front", lambda x: x[None], [M], lambda x: x[None])
case("newaxis_mid", lambda x: x[:, None, 1], [M], lambda x: x[:, None, 1])
case("newaxis_many", lambda x: x[None, 1, None, 1:3, None], [M], lambda x: x[None, 1, None, 1:3, None])
case("newaxis_ellipsis", lambda x: x[None, ..., None], [M], lambda x: x[None, ..., None])
case("ellipsis_last", lambda x: x[..., 1], [T3], lambda x: x[..., 1])
case("ellipsis_first", lambda x: x[1, ...], [T3], lambda x: x[1, ...])
case("ellipsis_mid", lambda x: x[1, ..., ::-2], [T3], lambda x: x[1, ..., ::-2])
case("ellipsis_only", lambda x: x[...], [M], lambda x: x[...])
case("ellipsis_0d", lambda x: x[...], [S], lambda x: x[...])
case("newaxis_0d", lambda x: x[None], [S], lambda x: x[None])

# ------------------------------------------------------- basic: dtypes
for dt in ("int8", "int32", "int64", "uint16", "float32", "bool", "complex128"):
    arr = (np.arange(20).reshape(4, 5) % 3).astype(dt)
    case(f"dtype_{dt}", lambda x: x[1:, ::-2], [arr], lambda x: x[1:, ::-2])
    case(f"dtype_{dt}_adv", lambda x: x[[0, 0, 3], 1:], [arr], lambda x: x[[0, 0, 3], 1:])

# ----------------------------------------------------- advanced: int arrays
case("adv_list_repeat", lambda x: x[[0, 0, 2]], [M], lambda x: x[[0, 0, 2]])
case("adv_list_neg", lambda x: x[[-1, 0, -1]], [V], lambda x: x[[-1, 0, -1]])
case("adv_np_array_2d", lambda x: x[np.array([[0, 1], [1, 5]])], [V], lambda x: x[np.array([[0, 1], [1, 5]])])
case("adv_symbolic_vector", lambda x, i: x[i], [M, np.array([3, 1, 3, 3])], lambda x, i: x[i])
case("adv_symbolic_matrix", lambda x, i: x[i], [V, np.array([[0, 5, 5], [2, 2, 1]], dtype="int32")],
     lambda x, i: x[i])
case("adv_two_arrays", lambda x: x[[0, 2, 2], [1, 1, 4]], [M], lambda x: x[[0, 2, 2], [1, 1, 4]])
case("adv_broadcast_arrays", lambda x, i, j: x[i, j],
     [M, np.array([[0], [3]]), np.array([1, 2, 2])], lambda x, i, j: x[i, j])
case("adv_empty_list", lambda x: x[[]], [M], lambda x: x[np.array([], dtype=int)])
case("adv_empty_symbolic", lambda x, i: x[i], [V, np.array([], dtype="int64")], lambda x, i: x[i])

# --------------------------------------------------------- advanced: masks
MASK_ROWS = np.array([True, False, True, True])
MASK_2D = M > 0.2
case("mask_rows_const", lambda x: x[MASK_ROWS], [M], lambda x: x[MASK_ROWS])
case("mask_2d_symbolic", lambda x, m: x[m], [M, MASK_2D], lambda x, m: x[m])
case("mask_expr", lambda x: x[x > 0.1], [np.array([-1.0, 0.5, 2.0, -0.3, 0.9])], lambda x: x[x > 0.1])
case("mask_all_false", lambda x, m: x[m], [M, np.zeros(4, dtype=bool)], lambda x, m: x[m])
case("mask_then_slice", lambda x, m: x[m, 1:], [M, MASK_ROWS], lambda x, m: x[m, 1:])
case("mask_middle_t3", lambda x, m: x[:, m], [T3, np.array([True, False, False, True])],
     lambda x, m: x[:, m])
case("mask_2d_of_t3", lambda x, m: x[m], [T3, T3[:, :, 0] > 0], lambda x, m: x[m])
case("mask_0d_true", lambda x: x[True], [V], lambda x: x[True])

# ----------------------------------------------- advanced mixed with basic
case("mixed_adjacent", lambda x: x[:, [0, 1, 1], [1, 2, 4]], [T3], lambda x: x[:, [0, 1, 1], [1, 2, 4]])
case("mixed_int_adjacent", lambda x: x[:, 0, [0, 1]], [T3], lambda x: x[:, 0, [0, 1]])
case("mixed_separated", lambda x: x[[0, 2], :, [1, 3]], [T3], lambda x: x[[0, 2], :, [1, 3]])
case("mixed_int_separated", lambda x: x[[0, 1, 1], :, 0], [T3], lambda x: x[[0, 1, 1], :, 0])
case("mixed_newaxis_separates", lambda x: x[[0, 1], None, 0], [T3], lambda x: x[[0, 1], None, 0])
case("mixed_newaxis_front", lambda x: x[None, [0, 2], ::-1, 0], [T3], lambda x: x[None, [0, 2], ::-1, 0])
case("mixed_empty_ellipsis_separates", lambda x: x[None, [0, 0], ..., 0, 0], [T3],
     lambda x: x[None, [0, 0], ..., 0, 0])
case("mixed_empty_ellipsis_trailing_slice", lambda x: x[..., [0], 0, :], [T3], lambda x: x[..., [0], 0, :])
case("mixed_ellipsis", lambda x: x[..., [0, 4, 4]], [T3], lambda x: x[..., [0, 4, 4]])
case("mixed_slice_rev_array", lambda x, i: x[::-1, i], [M, np.array([4, 0, 4])], lambda x, i: x[::-1, i])
case("mixed_symbolic_int", lambda x, i, j: x[i, :, j],
     [T3, np.asarray(2), np.array([[1, 0], [3, 3]])], lambda x, i, j: x[i, :, j])
case("mixed_mask_and_array", lambda x, m: x[m, [0, 1, 4]], [M, MASK_ROWS], lambda x, m: x[m, [0, 1, 4]])

# ------------------------------------------------------------- set / inc basic
case("set_slice", lambda x, y: set_subtensor(x[1:, ::-1], y), [M, _f(3, 5)], lambda x, y: _set(x, (slice(1, None), slice(None, None, -1)), y))
case("inc_slice", lambda x, y: inc_subtensor(x[1:3], y), [M, _f(2, 5)], lambda x, y: _add_at(x, slice(1, 3), y))
case("inc_int_const", lambda x: inc_subtensor(x[1], 2.5), [M], lambda x: _add_at(x, 1, 2.5))
case("set_int_const", lambda x: set_subtensor(x[1, 2], 0.0), [M], lambda x: _set(x, (1, 2), 0.0))
case("inc_leading_broadcast", lambda x, y: inc_subtensor(x[1:3], y), [M, _f(5)], lambda x, y: _add_at(x, slice(1, 3), y))
case("set_row_broadcast", lambda x, y: set_subtensor(x[::2], y), [M, _f(1, 5)],
     lambda x, y: _set(x, slice(None, None, 2), y), input_types=[None, TensorType("float64", shape=(1, None))])
case("inc_col_broadcast", lambda x, y: inc_subtensor(x[:, 1:4], y), [M, _f(4, 1)],
     lambda x, y: _add_at(x, (slice(None), slice(1, 4)), y), input_types=[None, TensorType("float64", shape=(None, 1))])
case("inc_scalar_y", lambda x, y: inc_subtensor(x[-1, ::-1], y), [M, np.asarray(0.7)],
     lambda x, y: _add_at(x, (-1, slice(None, None, -1)), y))
case("inc_newaxis", lambda x, y: inc_subtensor(x[None, 1:], y), [M, _f(3, 5)],
     lambda x, y: _add_at(x, slice(1, None), y))
case("set_symbolic_index", lambda x, y, i: set_subtensor(x[i:, i], y), [M, _f(2), np.asarray(2)],
     lambda x, y, i: _set(x, (slice(i, None), i), y))
case("inc_empty_region", lambda x: inc_subtensor(x[2:2], 1.0), [M], lambda x: x.copy())
case("set_int32", lambda x: set_subtensor(x[0], 5), [np.arange(6, dtype="int32")], lambda x: _set(x, 0, 5))
case("inc_float32_from_float", lambda x: inc_subtensor(x[1:], 0.5),
     [M.astype("float32")], lambda x: _add_at(x, slice(1, None), np.float32(0.5)))
case("set_then_get", lambda x, y: set_subtensor(x[1], y)[1:3], [M, _f(5)], lambda x, y: _set(x, 1, y)[1:3])

# ---------------------------------------------------------- set / inc advanced
case("inc_adv_repeat", lambda x, y: inc_subtensor(x[[0, 0, 2]], y), [M, _f(3, 5)],
     lambda x, y: _add_at(x, [0, 0, 2], y))
case("inc_adv_repeat_symbolic", lambda x, y, i: inc_subtensor(x[i], y), [V, _f(4), np.array([1, 1, 1, 3])],
     lambda x, y, i: _add_at(x, i, y))
case("inc_adv_repeat_scalar", lambda x: inc_subtensor(x[[5, 5, -1]], 1.0), [V],
     lambda x: _add_at(x, [5, 5, -1], 1.0))
case("inc_adv_two_arrays_repeat", lambda x, y: inc_subtensor(x[[1, 1, 3], [2, 2, 0]], y), [M, _f(3)],
     lambda x, y: _add_at(x, ([1, 1, 3], [2, 2, 0]), y))
case("inc_adv_mixed", lambda x, y: inc_subtensor(x[:, [0, 0], 1], y), [T3, _f(3, 2)],
     lambda x, y: _add_at(x, (slice(None), [0, 0], 1), y))
case("inc_adv_separated", lambda x, y: inc_subtensor(x[[0, 0], :, [1, 1]], y), [T3, _f(2, 4)],
     lambda x, y: _add_at(x, ([0, 0], slice(None), [1, 1]), y))
case("set_adv_repeat_last_wins", lambda x, y: set_subtensor(x[[1, 1, 3]], y), [V, _f(3)],
     lambda x, y: _set(x, [1, 1, 3], y), wrt=[0])
case("set_adv_unique", lambda x, y: set_subtensor(x[[4, 0, 2]], y), [V, _f(3)],
     lambda x, y: _set(x, [4, 0, 2], y))
case("set_adv_mixed", lambda x, y: set_subtensor(x[:, [0, 1], 1], y), [T3, _f(3, 2)],
     lambda x, y: _set(x, (slice(None), [0, 1], 1), y))
case("inc_mask", lambda x, m: inc_subtensor(x[m], 1.0), [M, MASK_2D], lambda x, m: _add_at(x, m, 1.0))
case("set_mask_rows", lambda x, y, m: set_subtensor(x[m], y), [M, _f(5), MASK_ROWS],
     lambda x, y, m: _set(x, m, y))
case("inc_adv_broadcast_y", lambda x, y: inc_subtensor(x[[0, 0, 1]], y), [M, _f(1, 5)],
     lambda x, y: _add_at(x, [0, 0, 1], y), input_types=[None, TensorType("float64", shape=(1, None))])
case("inc_adv_empty", lambda x, i: inc_subtensor(x[i], 1.0), [V, np.array([], dtype="int64")],
     lambda x, i: x.copy())
case("inc_adv_int64_dtype", lambda x: inc_subtensor(x[[0, 0]], 3), [np.arange(4, dtype="int64")],
     lambda x: _add_at(x, [0, 0], 3))
case("inc_adv_newaxis", lambda x, y: inc_subtensor(x[None, [1, 1]], y), [M, _f(1, 2, 5)],
     lambda x, y: _add_at(x, (None, [1, 1]), y), input_types=[None, TensorType("float64", shape=(1, None, None))])
case("inc_adv_ignore_duplicates", lambda x: inc_subtensor(x[[2, 2]], 1.0, ignore_duplicates=True), [V],
     lambda x: _set(x, [2, 2], x[[2, 2]] + 1.0))

# ------------------------------------------------------------------- take
case("take_axis1", lambda x: take(x, [2, 0, 2], axis=1), [M], lambda x: np.take(x, [2, 0, 2], axis=1))
case("take_axis_neg_scalar", lambda x: take(x, -1, axis=-1), [T3], lambda x: np.take(x, -1, axis=-1))
case("take_symbolic", lambda x, i: take(x, i, axis=0), [M, np.array([[1, 1], [0, 3]])],
     lambda x, i: np.take(x, i, axis=0))
case("take_vector_none", lambda x: take(x, [5, 0]), [V], lambda x: np.take(x, [5, 0]))
case("take_flat", lambda x: take(x, [7, 0, 19]), [M], lambda x: np.take(x, [7, 0, 19]))

# -------------------------------------------------- inputs passed as strided views
case("slice_view_reverse", lambda x: x[1:, 1:4], [M], lambda x: x[1:, 1:4], views=["reverse"])
case("adv_view_fortran", lambda x: x[[2, 0]], [M], lambda x: x[[2, 0]], views=["fortran"])
case("inc_slice_views", lambda x, y: inc_subtensor(x[1:3], y), [M, _f(2, 5)], lambda x, y: _add_at(x, np.s_[1:3], y),
     views=["fortran", "reverse"])
