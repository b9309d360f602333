"""The shape ops' cases (shape, reshape, alloc, arange, join/split/stack, repeat, tile, ...) with
NumPy references: the conformance runner's samples of these ops and the test suite's table."""
from __future__ import annotations

import numpy as np

from ..config import config
from ..tensor import basic, extra_ops, shape_ops
from ..tensor import math as tm
from ..types import TensorType
from .harness import OpCase

_rng = np.random.default_rng(7)


def _f(*shape, dtype="float64"):
    return _rng.standard_normal(shape).astype(dtype)


def _i(*shape, dtype="int64", lo=-5, hi=6):
    return _rng.integers(lo, hi, size=shape).astype(dtype)


def _l(v):
    return np.asarray(v, dtype="int64")


M = _f(3, 4)
V = _f(6)
T3 = _f(2, 3, 4)
S = np.asarray(1.25)
E0 = np.zeros((0, 3))

CASES = []


# the registered op each case samples, by the start of its id (first match)
_OPS = (("shape_pad", "dimshuffle"), ("squeeze", "dimshuffle"), ("shape", "shape"), ("reshape", "reshape"),
        ("flatten", "flatten"), ("alloc", "alloc"), ("zeros", "alloc"), ("ones", "alloc"), ("full", "alloc"),
        ("empty", "alloc"), ("broadcast", "alloc"), ("arange", "arange"), ("concat", "concatenate"),
        ("join", "concatenate"), ("split", "split"), ("stack", "stack"), ("as_tensor", "stack"),
        ("expand_dims", "expand_dims"), ("transpose", "transpose"), ("swapaxes", "transpose"),
        ("moveaxis", "transpose"), ("repeat", "repeat"), ("tile", "tile"), ("roll", "roll"), ("diag", "diag"),
        ("eye", "eye"), ("identity", "eye"))


def op_of(case_id):
    return next(op for start, op in _OPS if case_id.startswith(start))


def case(id, build, inputs, ref, **kw):
    CASES.append(OpCase(id, build, inputs, ref, op=op_of(id), **kw))


def _t(dtype, shape):
    return TensorType(dtype, shape=shape)


# ----------------------------------------------------------------- shape
case("shape_matrix", lambda x: shape_ops.shape(x), [M], lambda x: _l(x.shape))
case("shape_scalar", lambda x: shape_ops.shape(x), [S], lambda x: np.zeros(0, "int64"))
case("shape_empty", lambda x: x.shape, [E0], lambda x: _l(x.shape))
case("shape_i_neg", lambda x: shape_ops.shape_i(x, -1), [T3], lambda x: _l(x.shape[-1]))
case("shape_tuple_sum", lambda x: tm.add(*shape_ops.shape_tuple(x)), [T3], lambda x: _l(sum(x.shape)))
case("shape_getitem", lambda x: x.shape[1], [M], lambda x: _l(x.shape[1]))
case("shape_int32", lambda x: x.shape, [_i(2, 5, dtype="int32")], lambda x: _l(x.shape))

# --------------------------------------------------------------- reshape
case("reshape_tuple", lambda x: shape_ops.reshape(x, (4, 3)), [M], lambda x: x.reshape(4, 3))
case("reshape_minus1_first", lambda x: shape_ops.reshape(x, (-1, 2)), [M], lambda x: x.reshape(-1, 2))
case("reshape_minus1_last", lambda x: x.reshape((2, -1)), [M], lambda x: x.reshape(2, -1))
case("reshape_varargs", lambda x: x.reshape(2, 2, 3), [M], lambda x: x.reshape(2, 2, 3))
case("reshape_to_vector", lambda x: shape_ops.reshape(x, (-1,)), [T3], lambda x: x.reshape(-1))
case("reshape_int", lambda x: shape_ops.reshape(x, 12), [M], lambda x: x.reshape(12))
case("reshape_to_scalar", lambda x: shape_ops.reshape(x, ()), [_f(1, 1)], lambda x: x.reshape(()))
case("reshape_from_scalar", lambda x: shape_ops.reshape(x, (1, 1, 1)), [S], lambda x: x.reshape(1, 1, 1))
case("reshape_symbolic_entry", lambda x: shape_ops.reshape(x, (x.shape[1], x.shape[0])), [M],
     lambda x: x.reshape(x.shape[1], x.shape[0]))
case("reshape_symbolic_entry_minus1", lambda x: shape_ops.reshape(x, (x.shape[0] * x.shape[1], -1)), [T3],
     lambda x: x.reshape(6, 4))
case("reshape_symbolic_vector", lambda x, s: shape_ops.reshape(x, s, ndim=2), [M, _l([2, 6])],
     lambda x, s: x.reshape(2, 6))
case("reshape_symbolic_vector_minus1", lambda x, s: shape_ops.reshape(x, s, ndim=3), [T3, _l([3, -1, 2])],
     lambda x, s: x.reshape(3, -1, 2))
case("reshape_symbolic_vector_int32", lambda x, s: shape_ops.reshape(x, s, ndim=2), [M, np.asarray([6, 2], "int32")],
     lambda x, s: x.reshape(6, 2))
case("reshape_shape_of_other", lambda x, y: shape_ops.reshape(x, y.shape), [V, _f(2, 3)],
     lambda x, y: x.reshape(2, 3))
case("reshape_empty", lambda x: shape_ops.reshape(x, (3, 0)), [E0], lambda x: x.reshape(3, 0))
case("reshape_empty_minus1", lambda x: shape_ops.reshape(x, (-1, 3)), [E0], lambda x: x.reshape(-1, 3))
case("reshape_float32", lambda x: shape_ops.reshape(x, (2, -1)), [_f(3, 4, dtype="float32")],
     lambda x: x.reshape(2, -1))
case("reshape_int8", lambda x: shape_ops.reshape(x, (-1,)), [_i(3, 4, dtype="int8")], lambda x: x.reshape(-1))
case("reshape_bool", lambda x: shape_ops.reshape(x, (2, 6)), [_i(3, 4, lo=0, hi=2).astype(bool)],
     lambda x: x.reshape(2, 6))
case("reshape_then_op", lambda x: shape_ops.reshape(x * 2, (4, 3)) + 1, [M], lambda x: (x * 2).reshape(4, 3) + 1)

# --------------------------------------------------------------- flatten
case("flatten_1", lambda x: shape_ops.flatten(x), [T3], lambda x: x.reshape(-1))
case("flatten_2", lambda x: x.flatten(2), [T3], lambda x: x.reshape(2, 12))
case("flatten_3_noop", lambda x: x.flatten(3), [T3], lambda x: x)
case("flatten_matrix", lambda x: x.flatten(), [M], lambda x: x.reshape(-1))
case("flatten_scalar", lambda x: shape_ops.flatten(x), [S], lambda x: x.reshape(1))
case("flatten_empty", lambda x: shape_ops.flatten(x, 2), [np.zeros((2, 0, 3))], lambda x: x.reshape(2, 0))
case("flatten_empty_lead", lambda x: shape_ops.flatten(x, 2), [np.zeros((0, 4, 3))], lambda x: x.reshape(0, 12))
case("flatten_int", lambda x: shape_ops.flatten(x), [_i(2, 3, dtype="int32")], lambda x: x.reshape(-1))

# ----------------------------------------------------- alloc / zeros / ones
case("alloc_scalar", lambda v: basic.alloc(v, 2, 3), [S], lambda v: np.full((2, 3), v))
case("alloc_vector", lambda v: basic.alloc(v, 3, 4), [_f(4)], lambda v: np.broadcast_to(v, (3, 4)).copy())
case("alloc_symbolic_shape", lambda v, x: basic.alloc(v, x.shape[0], 2, x.shape[1]), [_f(1, 1), M],
     lambda v, x: np.broadcast_to(v, (3, 2, 4)).copy(), input_types=[_t("float64", (1, 1)), None], wrt=[0])
case("alloc_row_broadcast", lambda v: basic.alloc(v, 3, 4), [_f(1, 4)],
     lambda v: np.broadcast_to(v, (3, 4)).copy(), input_types=[_t("float64", (1, None))])
case("alloc_shape_vector", lambda v, x: basic.alloc(v, x.shape), [S, M], lambda v, x: np.full(x.shape, v), wrt=[0])
case("alloc_empty", lambda v: basic.alloc(v, 0, 3), [S], lambda v: np.full((0, 3), v))
case("alloc_int", lambda v: basic.alloc(v, 2, 2), [np.asarray(3, "int16")], lambda v: np.full((2, 2), v, "int16"))
case("zeros_tuple", lambda: basic.zeros((2, 3)), [], lambda: np.zeros((2, 3), config.floatX))
case("zeros_int_dtype", lambda: basic.zeros(4, dtype="int32"), [], lambda: np.zeros(4, "int32"))
case("zeros_like_shape", lambda x: basic.zeros(x.shape) + x, [M], lambda x: x.copy())
case("ones_symbolic", lambda x: basic.ones((x.shape[0], 2), dtype="float32"), [M], lambda x: np.ones((3, 2), "float32"))
case("full_float", lambda: basic.full((2, 2), 2.5), [], lambda: np.full((2, 2), 2.5, config.floatX))
case("full_int", lambda: basic.full((3,), 7), [], lambda: np.full((3,), 7, "int64"))
case("full_bool", lambda: basic.full((2,), True), [], lambda: np.full((2,), True))
case("full_symbolic_value", lambda v: basic.full((2, 3), v), [S], lambda v: np.full((2, 3), v))
case("full_cast", lambda v: basic.full((2,), v, dtype="float32"), [S], lambda v: np.full((2,), v, "float32"), grad=False)
case("empty_shape", lambda x: basic.empty(x.shape).shape, [M], lambda x: _l(x.shape))
case("broadcast_to", lambda x: extra_ops.broadcast_to(x, (2, 3, 4)), [_f(4)],
     lambda x: np.broadcast_to(x, (2, 3, 4)).copy())
case("broadcast_to_col", lambda x: extra_ops.broadcast_to(x, (3, 5)), [_f(3, 1)],
     lambda x: np.broadcast_to(x, (3, 5)).copy(), input_types=[_t("float64", (None, 1))])

# ---------------------------------------------------------------- arange
case("arange_stop", lambda: basic.arange(5), [], lambda: np.arange(5))
case("arange_start_stop_step", lambda: basic.arange(2, 11, 3), [], lambda: np.arange(2, 11, 3))
case("arange_negative_step", lambda: basic.arange(5, -3, -2), [], lambda: np.arange(5, -3, -2))
case("arange_empty", lambda: basic.arange(5, 2), [], lambda: np.arange(5, 2))
case("arange_float", lambda: basic.arange(0.0, 1.0, 0.25), [], lambda: np.arange(0.0, 1.0, 0.25, dtype=config.floatX))
case("arange_float_dtype", lambda: basic.arange(3, dtype="float32"), [], lambda: np.arange(3, dtype="float32"))
case("arange_symbolic_int", lambda n: basic.arange(n), [_l(4)], lambda n: np.arange(n))
case("arange_symbolic_int32", lambda a, b: basic.arange(a, b), [np.asarray(-2, "int32"), np.asarray(3, "int32")],
     lambda a, b: np.arange(a, b).astype("int32"))
case("arange_symbolic_step", lambda a, b, s: basic.arange(a, b, s), [_l(10), _l(-1), _l(-3)],
     lambda a, b, s: np.arange(a, b, s))
case("arange_symbolic_float", lambda a, b: basic.arange(a, b, 0.5), [np.asarray(0.25), np.asarray(2.0)],
     lambda a, b: np.arange(a, b, 0.5), grad=False)
case("arange_shape", lambda x: basic.arange(x.shape[0]), [M], lambda x: np.arange(x.shape[0]))
case("arange_grad_start", lambda a: basic.arange(a, a + 3.0, 1.0) * 2.0, [np.asarray(0.5)],
     lambda a: np.arange(a, a + 3.0, 1.0) * 2.0)

# ------------------------------------------------------ join / concatenate
case("concat_axis0", lambda x, y: basic.concatenate([x, y]), [M, _f(2, 4)], lambda x, y: np.concatenate([x, y]))
case("concat_axis1", lambda x, y: basic.concatenate([x, y], axis=1), [M, _f(3, 2)],
     lambda x, y: np.concatenate([x, y], axis=1))
case("concat_axis_neg", lambda x, y, z: basic.concatenate([x, y, z], axis=-1), [T3, _f(2, 3, 1), _f(2, 3, 2)],
     lambda x, y, z: np.concatenate([x, y, z], axis=-1))
case("join_theano", lambda x, y: basic.join(0, x, y), [V, _f(3)], lambda x, y: np.concatenate([x, y]))
case("join_single", lambda x: basic.join(0, x), [V], lambda x: x)
case("join_empty_piece", lambda x, y: basic.concatenate([x, y]), [E0, _f(2, 3)], lambda x, y: np.concatenate([x, y]))
case("join_mixed_dtype", lambda x, y: basic.concatenate([x, y]), [_f(2, dtype="float32"), _i(3, dtype="int32")],
     lambda x, y: np.concatenate([x, y]))
case("join_int", lambda x, y: basic.concatenate([x, y], axis=1), [_i(2, 2), _i(2, 3)],
     lambda x, y: np.concatenate([x, y], axis=1))
case("join_float32", lambda x, y: basic.concatenate([x, y]), [_f(2, 2, dtype="float32"), _f(1, 2, dtype="float32")],
     lambda x, y: np.concatenate([x, y]))
case("join_same_twice", lambda x: basic.concatenate([x, x * 2], axis=1), [M], lambda x: np.concatenate([x, x * 2], 1))
case("split_outputs", lambda x: basic.split(x, [1, 3, 2], axis=0), [V], lambda x: np.split(x, [1, 4]))
case("split_axis_neg", lambda x: basic.split(x, [3, 1], axis=-1), [M], lambda x: np.split(x, [3], axis=-1))
case("split_empty_piece", lambda x: basic.split(x, [0, 4], axis=1), [M], lambda x: np.split(x, [0], axis=1))
case("split_symbolic_sizes", lambda x, s: basic.split(x, s, 2, axis=0), [V, _l([4, 2])], lambda x, s: np.split(x, [4]))
case("split_one_output_used", lambda x: basic.split(x, [2, 4])[1] * 3, [V], lambda x: x[2:] * 3)

# ---------------------------------------------------------------- stack
case("stack_vectors", lambda x, y: basic.stack([x, y]), [V, _f(6)], lambda x, y: np.stack([x, y]))
case("stack_axis1", lambda x, y: basic.stack([x, y], axis=1), [M, _f(3, 4)], lambda x, y: np.stack([x, y], axis=1))
case("stack_axis_neg", lambda x, y: basic.stack([x, y], axis=-1), [M, _f(3, 4)], lambda x, y: np.stack([x, y], axis=-1))
case("stack_positional_axis", lambda x, y: basic.stack([x, y], 2), [M, _f(3, 4)], lambda x, y: np.stack([x, y], 2))
case("stack_scalars", lambda a, b: basic.stack([a, b, a]), [S, np.asarray(-0.5)], lambda a, b: np.stack([a, b, a]))
case("stack_theano_varargs", lambda a, b: basic.stack(a, b), [V, _f(6)], lambda a, b: np.stack([a, b]))
case("stack_empty", lambda x, y: basic.stack([x, y]), [E0, np.zeros((0, 3))], lambda x, y: np.stack([x, y]))
case("stack_int", lambda a, b: basic.stack([a, b]), [_l(2), _l(5)], lambda a, b: np.stack([a, b]))
case("as_tensor_list", lambda a, b: tm.mul(basic.stack([a, b]), 2.0), [S, np.asarray(3.0)],
     lambda a, b: np.stack([a, b]) * 2.0)

# --------------------------------------------------- dimshuffle helpers
case("squeeze_all", lambda x: shape_ops.squeeze(x), [_f(1, 3, 1)], lambda x: np.squeeze(x),
     input_types=[_t("float64", (1, None, 1))])
case("squeeze_axis", lambda x: x.squeeze(axis=-1), [_f(1, 3, 1)], lambda x: np.squeeze(x, axis=-1),
     input_types=[_t("float64", (1, None, 1))])
case("squeeze_none_dropped", lambda x: shape_ops.squeeze(x), [M], lambda x: x)
case("expand_dims_0", lambda x: shape_ops.expand_dims(x, 0), [M], lambda x: np.expand_dims(x, 0))
case("expand_dims_neg", lambda x: shape_ops.expand_dims(x, -1), [M], lambda x: np.expand_dims(x, -1))
case("expand_dims_tuple", lambda x: shape_ops.expand_dims(x, (0, 2)), [V], lambda x: np.expand_dims(x, (0, 2)))
case("shape_padleft", lambda x: shape_ops.shape_padleft(x, 2), [V], lambda x: x[None, None])
case("shape_padright", lambda x: shape_ops.shape_padright(x), [M], lambda x: x[..., None])
case("shape_padaxis", lambda x: shape_ops.shape_padaxis(x, 1), [M], lambda x: x[:, None])
case("transpose_default", lambda x: shape_ops.transpose(x), [T3], lambda x: x.T)
case("transpose_T", lambda x: x.T, [M], lambda x: x.T)
case("transpose_axes", lambda x: x.transpose(1, 2, 0), [T3], lambda x: x.transpose(1, 2, 0))
case("transpose_neg_axes", lambda x: shape_ops.transpose(x, (-1, 0, 1)), [T3], lambda x: x.transpose(2, 0, 1))
case("transpose_vector", lambda x: x.T, [V], lambda x: x)
case("swapaxes", lambda x: shape_ops.swapaxes(x, 0, -1), [T3], lambda x: np.swapaxes(x, 0, -1))
case("moveaxis", lambda x: shape_ops.moveaxis(x, 0, -1), [T3], lambda x: np.moveaxis(x, 0, -1))
case("moveaxis_multi", lambda x: shape_ops.moveaxis(x, [0, 1], [2, 0]), [T3], lambda x: np.moveaxis(x, [0, 1], [2, 0]))

# --------------------------------------------------------------- repeat
case("repeat_flat", lambda x: extra_ops.repeat(x, 2), [M], lambda x: np.repeat(x, 2))
case("repeat_axis0", lambda x: extra_ops.repeat(x, 3, axis=0), [M], lambda x: np.repeat(x, 3, axis=0))
case("repeat_axis_neg", lambda x: x.repeat(2, axis=-1), [T3], lambda x: np.repeat(x, 2, axis=-1))
case("repeat_zero", lambda x: extra_ops.repeat(x, 0, axis=1), [M], lambda x: np.repeat(x, 0, axis=1))
case("repeat_vector", lambda x: extra_ops.repeat(x, [1, 0, 3], axis=0), [M], lambda x: np.repeat(x, [1, 0, 3], axis=0))
case("repeat_vector_trailing_zero", lambda x: extra_ops.repeat(x, [2, 1, 0, 0], axis=1), [M],
     lambda x: np.repeat(x, [2, 1, 0, 0], axis=1))
case("repeat_symbolic_scalar", lambda x, r: extra_ops.repeat(x, r, axis=1), [M, _l(2)], lambda x, r: np.repeat(x, r, axis=1))
case("repeat_symbolic_vector", lambda x, r: extra_ops.repeat(x, r, axis=0), [V, _l([0, 1, 2, 3, 0, 1])],
     lambda x, r: np.repeat(x, r, axis=0))
case("repeat_length1_vector", lambda x, r: extra_ops.repeat(x, r, axis=0), [V, _l([2])], lambda x, r: np.repeat(x, r, axis=0))
case("repeat_int32_data", lambda x: extra_ops.repeat(x, 2), [_i(3, dtype="int32")], lambda x: np.repeat(x, 2))
case("repeat_empty", lambda x: extra_ops.repeat(x, 2, axis=0), [E0], lambda x: np.repeat(x, 2, axis=0))

# ----------------------------------------------------------------- tile
case("tile_int", lambda x: extra_ops.tile(x, 3), [V], lambda x: np.tile(x, 3))
case("tile_2d", lambda x: extra_ops.tile(x, (2, 3)), [M], lambda x: np.tile(x, (2, 3)))
case("tile_more_reps", lambda x: extra_ops.tile(x, (2, 1, 2)), [M], lambda x: np.tile(x, (2, 1, 2)))
case("tile_fewer_reps", lambda x: extra_ops.tile(x, (2,)), [T3], lambda x: np.tile(x, (2,)))
case("tile_ones", lambda x: extra_ops.tile(x, (1, 1)), [M], lambda x: np.tile(x, (1, 1)))
case("tile_zero", lambda x: extra_ops.tile(x, (0, 2)), [M], lambda x: np.tile(x, (0, 2)))
case("tile_symbolic", lambda x, r: extra_ops.tile(x, (r, 2)), [M, _l(2)], lambda x, r: np.tile(x, (int(r), 2)))
case("tile_scalar", lambda x: extra_ops.tile(x, (2, 2)), [S], lambda x: np.tile(x, (2, 2)))
case("tile_int_data", lambda x: extra_ops.tile(x, (2, 1)), [_i(2, 2, dtype="int16")], lambda x: np.tile(x, (2, 1)))

# ----------------------------------------------------------- roll / diag / eye
case("roll_flat", lambda x: extra_ops.roll(x, 2), [M], lambda x: np.roll(x, 2))
case("roll_axis", lambda x: extra_ops.roll(x, -1, axis=1), [M], lambda x: np.roll(x, -1, axis=1))
case("roll_multi", lambda x: extra_ops.roll(x, (1, 2), axis=(0, -1)), [T3], lambda x: np.roll(x, (1, 2), axis=(0, -1)))
case("roll_symbolic", lambda x, s: extra_ops.roll(x, s, axis=0), [V, _l(-4)], lambda x, s: np.roll(x, s, axis=0))
case("diag_vector", lambda v: extra_ops.diag(v), [_f(3)], lambda v: np.diag(v))
case("diag_vector_k", lambda v: extra_ops.diag(v, 1), [_f(3)], lambda v: np.diag(v, 1))
case("diag_vector_neg_k", lambda v: extra_ops.diag(v, -2), [_f(2)], lambda v: np.diag(v, -2))
case("diag_matrix", lambda x: extra_ops.diag(x), [M], lambda x: np.diag(x).copy())
case("diag_matrix_k", lambda x: extra_ops.diag(x, 2), [M], lambda x: np.diag(x, 2).copy())
case("diag_matrix_neg_k", lambda x: extra_ops.diagonal(x, -1), [M], lambda x: np.diagonal(x, -1).copy())
case("diag_matrix_out_of_range_k", lambda x: extra_ops.diag(x, 5), [M], lambda x: np.diag(x, 5).copy())
case("eye", lambda: basic.eye(3), [], lambda: np.eye(3, dtype=config.floatX))
case("eye_rect_k", lambda: basic.eye(3, 4, 1, dtype="int32"), [], lambda: np.eye(3, 4, 1, dtype="int32"))
case("eye_symbolic", lambda n: basic.eye(n, k=-1), [_l(4)], lambda n: np.eye(int(n), k=-1, dtype=config.floatX))
case("identity_like", lambda x: basic.identity_like(x), [M], lambda x: np.eye(3, 4))
case("identity_like_f32", lambda x: basic.identity_like(x) * x, [_f(2, 2, dtype="float32")],
     lambda x: np.eye(2, dtype="float32") * x)

# -------------------------------------------------- inputs passed as strided views
case("reshape_view_reverse", lambda x: shape_ops.reshape(x, (4, 3)), [M], lambda x: x.reshape(4, 3), views=["reverse"])
case("reshape_view_fortran", lambda x: shape_ops.reshape(x, (6, 4)), [T3], lambda x: x.reshape(6, 4), views=["fortran"])
case("transpose_view_step", lambda x: shape_ops.transpose(x) * 1, [M], lambda x: x.T * 1, views=["step"])
case("shape_padaxis_view_reverse", lambda x: x.dimshuffle(1, "x", 0) + 0, [M], lambda x: x.T[:, None, :] + 0,
     views=["reverse"])
case("flatten_view_fortran", lambda x: shape_ops.flatten(x), [M], lambda x: x.reshape(-1), views=["fortran"])
case("concat_views", lambda x, y: basic.concatenate([x, y], axis=-1), [M, M[:, :1].copy()],
     lambda x, y: np.concatenate([x, y], axis=-1), views=["reverse", "step"])
