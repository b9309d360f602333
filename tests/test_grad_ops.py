"""Every differentiable op's gradient against central finite differences (verify_grad).

Elementwise scalar ops (float64 and float32, several broadcast patterns),
reductions, dot/matmul/outer/tensordot, switch/clip/maximum/minimum, casts,
shape ops, indexing ops and the nnet ops; plus the exact values finite
differences cannot decide (ties of max/min, repeated indices, piecewise
constant ops).  Gradients are backend-independent graphs, so these run on
the NumPy reference backend; the conformance suite runs gradients on every
backend.
"""
from __future__ import annotations

import numpy as np
import pytest

import arignote
from arignote import function
from arignote import scalar as ps
from arignote import tensor as T
from arignote.config import config
from arignote.gradient import NoGradError, grad, verify_grad
from arignote.ifelse import ifelse
from arignote.tensor import nnet


@pytest.fixture(autouse=True)
def _py_backend():
    with config.change_flags(backend="py"):
        yield


def _rng(seed=0):
    return np.random.default_rng(seed)


# ------------------------------------------------------- elementwise ops


def _u(lo, hi):
    return lambda r, shape: r.uniform(lo, hi, size=shape)


def _away_from_int(scale=1.0):
    # values whose ratio to ``scale`` sits at least 0.2 away from an integer
    return lambda r, shape: scale * (r.integers(-2, 3, size=shape) + r.uniform(0.2, 0.8, size=shape))


def _pair_apart(r, s1, s2):
    x = r.uniform(-2, 2, size=s1)
    y = np.broadcast_to(x, np.broadcast_shapes(s1, s2)).mean() + 0 * r.uniform(size=s2)
    y = y + r.choice([-1, 1], size=s2) * r.uniform(0.3, 1.0, size=s2)
    return x, y


# name -> sampler(s) per input; 'pair' = special sampler for both inputs at once
UNARY = {
    "neg": _u(-2, 2), "abs": lambda r, s: r.choice([-1, 1], size=s) * r.uniform(0.2, 2, size=s),
    "sqr": _u(-2, 2), "sqrt": _u(0.3, 3), "reciprocal": _u(0.4, 2), "exp": _u(-2, 2), "exp2": _u(-2, 2),
    "expm1": _u(-2, 2), "log": _u(0.3, 3), "log2": _u(0.3, 3), "log10": _u(0.3, 3), "log1p": _u(-0.6, 2),
    "sin": _u(-3, 3), "cos": _u(-3, 3), "tan": _u(-1.2, 1.2), "arcsin": _u(-0.8, 0.8),
    "arccos": _u(-0.8, 0.8), "arctan": _u(-3, 3), "sinh": _u(-2, 2), "cosh": _u(-2, 2), "tanh": _u(-2, 2),
    "arcsinh": _u(-3, 3), "arccosh": _u(1.2, 3), "arctanh": _u(-0.8, 0.8), "sigmoid": _u(-4, 4),
    "softplus": _u(-4, 4), "erf": _u(-2, 2), "erfc": _u(-2, 2), "erfinv": _u(-0.8, 0.8),
    "gammaln": _u(0.5, 4), "psi": _u(0.5, 4), "identity": _u(-2, 2),
    # piecewise constant: zero gradient, checked away from the jumps
    "floor": _away_from_int(), "ceil": _away_from_int(), "trunc": _away_from_int(),
    "round_half_to_even": lambda r, s: r.integers(-3, 3, size=s) + r.uniform(-0.3, 0.3, size=s),
    "round_half_away_from_zero": lambda r, s: r.integers(-3, 3, size=s) + r.uniform(-0.3, 0.3, size=s),
    "sgn": lambda r, s: r.choice([-1, 1], size=s) * r.uniform(0.2, 2, size=s),
}
BINARY = {
    "add": (_u(-2, 2), _u(-2, 2)), "sub": (_u(-2, 2), _u(-2, 2)), "mul": (_u(-2, 2), _u(-2, 2)),
    "true_div": (_u(-2, 2), _u(0.5, 2)), "pow": (_u(0.5, 2), _u(-1.5, 1.5)),
    "arctan2": (_u(-2, 2), _u(0.5, 2)),
    "int_div": (_away_from_int(1.7), lambda r, s: np.full(s, 1.7)),
    "mod": (_away_from_int(1.7), lambda r, s: np.full(s, 1.7)),
    "maximum": "pair", "minimum": "pair",
}
BOOL_OUT = ["lt", "gt", "le", "ge", "eq", "neq", "isnan", "isinf", "logical_and", "logical_or",
            "logical_xor", "logical_not"]
INT_ONLY = ["and_", "or_", "xor", "invert"]
SPECIAL = ["switch", "clip", "second"]  # tested below with their own inputs
NO_GRAD = ["tri_gamma", "real", "imag", "conj"]
SHAPES_1 = [(3,), (2, 3)]
SHAPES_2 = [((2, 3), (2, 3)), ((2, 3), (1, 3)), ((2, 1), (1, 3)), ((), (2, 3))]
DTYPES = ["float64", "float32"]


def test_every_scalar_op_is_covered():
    """A new scalar op of arignote.scalar must be added to one of the tables above (with a domain)."""
    known = set(UNARY) | set(BINARY) | set(BOOL_OUT) | set(INT_ONLY) | set(SPECIAL) | set(NO_GRAD)
    # arignote's own ops (plugins register theirs in the same table, but not in the module)
    ops = {n for n, op in ps.all_scalar_ops().items()
           if getattr(ps, n, None) is op and not isinstance(op, (ps.Cast, ps.Composite))}
    assert ops - known == set(), f"scalar ops without a gradient test: {sorted(ops - known)}"


def _elemwise(name):
    return T.elemwise(name)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES_1, ids=str)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary(name, shape, dtype):
    x = UNARY[name](_rng(hash(name) % 1000), shape).astype(dtype)
    verify_grad(_elemwise(name), [x], rng=_rng())


def _binary_inputs(name, s1, s2, dtype):
    r = _rng(hash((name, s1, s2)) % 1000)
    if BINARY[name] == "pair":
        a, b = _pair_apart(r, s1, s2)
    else:
        a, b = BINARY[name][0](r, s1), BINARY[name][1](r, s2)
    return [np.asarray(a, dtype=dtype), np.asarray(b, dtype=dtype)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shapes", SHAPES_2, ids=str)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary(name, shapes, dtype):
    verify_grad(_elemwise(name), _binary_inputs(name, *shapes, dtype), rng=_rng())


@pytest.mark.parametrize("name", ["add", "mul"])
def test_variadic(name):
    r = _rng(3)
    pt = [r.uniform(-2, 2, (2, 3)), r.uniform(-2, 2, (1, 3)), np.asarray(r.uniform(-2, 2))]
    verify_grad(lambda a, b, c: _elemwise(name)(a, b, c), pt, rng=_rng())


@pytest.mark.parametrize("dtype", DTYPES)
def test_switch(dtype):
    r = _rng(4)
    cond = r.uniform(size=(2, 3)) > 0.5
    a, b = r.uniform(-2, 2, (2, 3)).astype(dtype), r.uniform(-2, 2, (1, 3)).astype(dtype)
    verify_grad(T.switch, [cond, a, b], wrt=[1, 2], rng=_rng())
    # the gradient goes to the chosen branch only
    c, x, y = T.bmatrix("c"), T.matrix("x", dtype=dtype), T.matrix("y", dtype=dtype)
    gx, gy = grad(T.sum(T.switch(c, x, y)), [x, y])
    vx, vy = function([c, x, y], [gx, gy])(cond.astype("int8"), a, np.repeat(b, 2, 0))
    np.testing.assert_array_equal(vx, cond.astype(dtype))
    np.testing.assert_array_equal(vy, (~cond).astype(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_clip(dtype):
    x = np.array([-1.5, -0.8, -0.2, 0.1, 0.3, 0.9, 1.7], dtype=dtype)
    lo, hi = np.asarray(-0.5, dtype=dtype), np.asarray(0.6, dtype=dtype)
    verify_grad(lambda a, b, c: _elemwise("clip")(a, b, c), [x, lo, hi], rng=_rng())
    verify_grad(lambda a: T.clip(a, -0.5, 0.6), [x], rng=_rng())
    # inside: 1, outside: 0; the bounds get what falls outside them
    xs, l, h = T.vector("x", dtype=dtype), T.scalar("l", dtype=dtype), T.scalar("h", dtype=dtype)
    g = function([xs, l, h], grad(T.sum(T.clip(xs, l, h)), [xs, l, h]))(x, lo, hi)
    np.testing.assert_array_equal(g[0], [0, 0, 1, 1, 1, 0, 0])
    assert g[1] == 2 and g[2] == 2


def test_second_routes_to_its_second_input():
    x, y = T.dmatrix("x"), T.dvector("y")
    verify_grad(lambda a, b: T.second(a, b), [np.ones((2, 3)), np.array([0.3, -1.0, 2.0])], rng=_rng())
    # second(x, y) uses only x's shape: x is disconnected (Theano's rule)
    with pytest.raises(arignote.gradient.DisconnectedInputError, match="wrt\\[0\\]"):
        grad(T.sum(T.second(x, y)), [x, y])
    assert np.all(function([x], grad(T.sum(T.ones_like(x) * 2 + x), x))(np.zeros((2, 2))) == 1)


@pytest.mark.parametrize("name", BOOL_OUT)
def test_boolean_outputs_pass_zero(name):
    """Comparisons and predicates are piecewise constant: a connected, zero gradient."""
    x, y = T.dvector("x"), T.dvector("y")
    op = _elemwise(name)
    ins = [T.gt(x, 0), T.lt(y, 0)] if name.startswith("logical") else [x, y]
    out = op(*ins[: op.scalar_op.nin])
    gx = grad(T.sum(T.cast(out, "float64") * 3.0), x)
    np.testing.assert_array_equal(function([x, y], gx, on_unused_input="ignore")(
        np.array([-1.0, 0.5]), np.array([0.2, -0.3])), [0.0, 0.0])


@pytest.mark.parametrize("name", INT_ONLY)
def test_integer_only_ops_give_zero_float_gradients(name):
    i, j = T.lvector("i"), T.lvector("j")
    op = _elemwise(name)
    out = op(*[i, j][: op.scalar_op.nin])
    cost = T.sum(T.cast(out, "float64"))
    gi = grad(cost, i)
    assert gi.dtype == config.floatX
    np.testing.assert_array_equal(gi.eval({i: np.array([3, 5])}), [0.0, 0.0])


@pytest.mark.parametrize("name", NO_GRAD)
def test_ops_without_gradient_raise_naming_the_op(name):
    x = T.zvector("x") if name in ("real", "imag", "conj") else T.dvector("x")
    out = _elemwise(name)(x)
    cost = T.sum(T.real(out) if out.dtype.startswith("complex") else out)
    with pytest.raises(NoGradError, match=name):
        grad(cost, x)


@pytest.mark.parametrize("src,dst", [("float64", "float32"), ("float32", "float64"), ("float32", "float16"),
                                     ("float16", "float64")])
def test_cast_between_floats(src, dst):
    x = np.array([0.5, -1.25, 2.0], dtype=src)
    verify_grad(lambda a: T.cast(a, dst) * 3, [x], rng=_rng(), abs_tol=5e-2, rel_tol=5e-2)
    xs = T.vector("x", dtype=src)
    g = grad(T.sum(T.cast(xs, dst) * 3), xs)
    assert g.dtype == src
    np.testing.assert_allclose(g.eval({xs: x}), [3, 3, 3])


def test_cast_to_integer_is_zero_not_disconnected():
    x = T.dvector("x")
    g = grad(T.sum(T.cast(T.cast(x * 3, "int64"), "float64")), x)
    np.testing.assert_array_equal(g.eval({x: np.array([0.4, 1.6])}), [0.0, 0.0])


# ------------------------------------------------------------- reductions

_X3 = _rng(7).uniform(-2, 2, (2, 3, 4))
AXES = [None, 0, 1, -1, (0, 2)]


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("kind", ["sum", "prod", "max", "min", "mean", "var", "std", "logsumexp"])
def test_reductions(kind, axis, keepdims):
    fn = getattr(T, kind)
    verify_grad(lambda a: fn(a, axis=axis, keepdims=keepdims), [_X3], rng=_rng())


@pytest.mark.parametrize("dtype", DTYPES)
def test_reductions_dtypes(dtype):
    x = _X3.astype(dtype)
    for kind in ["sum", "prod", "max", "mean", "var", "std", "logsumexp"]:
        verify_grad(lambda a: getattr(T, kind)(a, axis=1), [x], rng=_rng())


def test_var_std_ddof():
    verify_grad(lambda a: T.var(a, axis=0, ddof=1), [_X3[:, :, 0]], rng=_rng())
    verify_grad(lambda a: T.std(a, ddof=1), [_X3[0]], rng=_rng())


@pytest.mark.parametrize("zeros", [0, 1, 2])
def test_prod_with_zeros(zeros):
    """prod is multilinear, so finite differences are exact even at zeros."""
    x = np.array([[1.5, -0.5, 2.0, 0.7], [0.3, 1.1, -1.2, 2.5]])
    x[0, :zeros] = 0.0
    verify_grad(lambda a: T.prod(a, axis=1), [x], rng=_rng())
    verify_grad(lambda a: T.prod(a), [x], rng=_rng())
    xs = T.dvector("x")
    g = grad(T.prod(xs), xs).eval({xs: x[0]})
    want = [np.prod(np.delete(x[0], i)) for i in range(4)]
    np.testing.assert_allclose(g, want)


@pytest.mark.parametrize("kind", ["max", "min"])
def test_max_min_ties_route_to_every_extreme(kind):
    """Theano's rule: each position holding the max (min) gets the output gradient."""
    x = T.dmatrix("x")
    v = np.array([[1.0, 3.0, 3.0, 2.0], [-1.0, -1.0, 0.5, -1.0]])
    out = getattr(T, kind)(x, axis=1)
    g = grad(T.sum(out * np.array([2.0, 5.0])), x).eval({x: v})
    ext = (v == (v.max(1) if kind == "max" else v.min(1))[:, None])
    np.testing.assert_array_equal(g, ext * np.array([[2.0], [5.0]]))


def test_logsumexp_gradient_is_softmax_and_stable():
    x = T.dvector("x")
    g = grad(T.logsumexp(x), x)
    v = np.array([1000.0, 1000.0, 999.0])
    e = np.exp(v - v.max())
    np.testing.assert_allclose(g.eval({x: v}), e / e.sum())


def test_argmax_gives_zero_gradient():
    x = T.dvector("x")
    # d/dx sum(argmax(x) * x) = argmax(x): the argmax itself contributes nothing
    g = grad(T.sum(T.cast(T.argmax(x), "float64") * x), x)
    np.testing.assert_array_equal(g.eval({x: np.array([0.1, 0.3, 0.9])}), [2, 2, 2])


@pytest.mark.parametrize("axis", [None, 0, 1])
def test_cumsum_cumprod(axis):
    x = _rng(8).uniform(0.5, 2, (3, 4))
    verify_grad(lambda a: T.cumsum(a, axis=axis), [x], rng=_rng())
    verify_grad(lambda a: T.cumprod(a, axis=axis), [x], rng=_rng())


# ------------------------------------------------- dimshuffle and products


@pytest.mark.parametrize("pattern,shape", [((1, 0), (2, 3)), (("x", 0, "x", 1), (2, 3)), ((2, 0, 1), (2, 3, 4)),
                                           ((1,), (1, 3)), ((0, "x"), (3,)), ((), ()), (("x",), ())])
def test_dimshuffle(pattern, shape):
    x = _rng(9).uniform(-1, 1, shape)
    verify_grad(lambda a: a.dimshuffle(*pattern) * 2, [x], rng=_rng())


DOT_SHAPES = [((), ()), ((), (3,)), ((3,), ()), ((), (2, 3)), ((3,), (3,)), ((3,), (3, 4)), ((2, 3), (3,)),
              ((2, 3), (3, 4)), ((2, 2, 3), (3,)), ((2, 2, 3), (3, 4)), ((2, 3), (2, 3, 4)),
              ((2, 1, 3), (2, 3, 2)), ((3,), (2, 3, 4)), ((1, 3), (3, 1))]


@pytest.mark.parametrize("sx,sy", DOT_SHAPES, ids=str)
def test_dot(sx, sy):
    r = _rng(10)
    verify_grad(T.dot, [r.uniform(-1, 1, sx), r.uniform(-1, 1, sy)], rng=_rng())


MATMUL_SHAPES = [((3,), (3,)), ((3,), (3, 2)), ((2, 3), (3,)), ((2, 3), (3, 2)), ((2, 2, 3), (2, 3, 4)),
                 ((2, 2, 3), (3, 4)), ((2, 3), (2, 3, 4)), ((1, 2, 3), (4, 3, 2)), ((3,), (2, 3, 4)),
                 ((2, 2, 3), (3,)), ((2, 1, 2, 3), (3, 3, 2))]


@pytest.mark.parametrize("sx,sy", MATMUL_SHAPES, ids=str)
def test_matmul(sx, sy):
    r = _rng(11)
    verify_grad(T.matmul, [r.uniform(-1, 1, sx), r.uniform(-1, 1, sy)], rng=_rng())


def test_outer_and_batched_dot():
    r = _rng(12)
    verify_grad(T.outer, [r.uniform(-1, 1, 3), r.uniform(-1, 1, 4)], rng=_rng())
    verify_grad(T.outer, [r.uniform(-1, 1, (2, 2)), r.uniform(-1, 1, 2)], rng=_rng())
    verify_grad(T.batched_dot, [r.uniform(-1, 1, (2, 3, 4)), r.uniform(-1, 1, (2, 4, 2))], rng=_rng())
    verify_grad(T.batched_dot, [r.uniform(-1, 1, (2, 3)), r.uniform(-1, 1, (2, 3))], rng=_rng())


@pytest.mark.parametrize("sa,sb,axes", [((2, 3, 4), (3, 4, 2), 2), ((2, 3), (3, 4), 1), ((2, 3), (4,), 0),
                                        ((2, 3, 4), (4, 2, 3), [[1, 2], [2, 0]]), ((3, 2), (3, 4), [[0], [0]])],
                         ids=str)
def test_tensordot(sa, sb, axes):
    r = _rng(13)
    verify_grad(lambda a, b: T.tensordot(a, b, axes=axes), [r.uniform(-1, 1, sa), r.uniform(-1, 1, sb)],
                rng=_rng())


# -------------------------------------------------------------- shape ops

_M = _rng(14).uniform(-1, 1, (2, 3))

SHAPE_FUNS = {
    "reshape": lambda a: a.reshape((3, 2)),
    "reshape_neg": lambda a: T.reshape(a, (-1,)),
    "flatten": lambda a: a.flatten(),
    "transpose": lambda a: a.T,
    "swapaxes": lambda a: T.swapaxes(a, 0, 1),
    "expand_squeeze": lambda a: T.squeeze(T.expand_dims(a, 1)) * 2,
    "concatenate": lambda a: T.concatenate([a, 2 * a, a[:, :1]], axis=1),
    "join0": lambda a: T.join(0, a, a * a),
    "stack": lambda a: T.stack([a, a * 3], axis=1),
    "stack_scalars": lambda a: T.stack([a[0, 0], a[1, 2] * 2]),
    "split": lambda a: T.split(a, [1, 2], 2, axis=1)[1] * T.split(a, [1, 2], 2, axis=1)[0],
    "alloc": lambda a: T.alloc(a[0], 4, 3),
    "broadcast_to": lambda a: T.broadcast_to(a[0], (4, 3)),
    "tile": lambda a: T.tile(a, (2, 1)),
    "repeat_scalar": lambda a: T.repeat(a, 2, axis=1),
    "repeat_vector": lambda a: T.repeat(a, np.array([1, 0, 3]), axis=1),
    "roll": lambda a: T.roll(a, 1, axis=1),
    "diag": lambda a: T.diag(a[0]),
    "diagonal": lambda a: T.diagonal(a, 1),
    "arange_mul": lambda a: T.arange(3, dtype="float64") * a,
}


@pytest.mark.parametrize("name", sorted(SHAPE_FUNS))
def test_shape_ops(name):
    verify_grad(SHAPE_FUNS[name], [_M], rng=_rng())


# ------------------------------------------------------------ indexing ops

INDEX_FUNS = {
    "int": lambda a: a[1],
    "slice": lambda a: a[:, 1:],
    "neg_step": lambda a: a[::-1, ::-2],
    "newaxis": lambda a: a[None, 1:, :, None],
    "adv_int": lambda a: a[[0, 1, 1, 0]],
    "adv_2d": lambda a: a[[0, 1, 0], [2, 2, 0]],
    "adv_mixed": lambda a: a[1:, [0, 2, 2]],
    "bool_mask": lambda a: a[a > 0],
    "take": lambda a: T.take(a, [2, 0, 2], axis=1),
    "set_subtensor": lambda a: T.set_subtensor(a[:, 1], a[:, 0] * 3),
    "inc_subtensor": lambda a: T.inc_subtensor(a[1:, ::2], a[:1, 1:] ** 2),
    "adv_inc_repeated": lambda a: T.inc_subtensor(a[[0, 0, 1]], a[[1, 0, 1]] * 2),
    "adv_set": lambda a: T.set_subtensor(a[[1, 0], [0, 2]], a[0, :2] * 5),
}


@pytest.mark.parametrize("name", sorted(INDEX_FUNS))
def test_indexing_ops(name):
    verify_grad(INDEX_FUNS[name], [_M], rng=_rng())


def test_inc_subtensor_gradient_accumulates_repeated_indices():
    x, w = T.dvector("x"), T.dvector("w")
    g = grad(T.sum(x[[0, 0, 2, 0]] * w), x)
    np.testing.assert_array_equal(g.eval({x: np.zeros(4), w: np.array([1.0, 2.0, 3.0, 4.0])}), [7, 0, 3, 0])
    y = T.dvector("y")
    gx, gy = grad(T.sum(T.inc_subtensor(x[[1, 1, 3]], y) * w), [x, y])
    f = function([x, y, w], [gx, gy])
    vx, vy = f(np.zeros(4), np.ones(3), np.array([1.0, 2.0, 3.0, 4.0]))
    np.testing.assert_array_equal(vx, [1, 2, 3, 4])
    np.testing.assert_array_equal(vy, [2, 2, 4])


def test_set_subtensor_blocks_the_overwritten_part():
    x, y = T.dvector("x"), T.dscalar("y")
    gx, gy = grad(T.sum(T.set_subtensor(x[1:3], y) * np.arange(1.0, 5.0)), [x, y])
    vx, vy = function([x, y], [gx, gy])(np.zeros(4), 2.0)
    np.testing.assert_array_equal(vx, [1, 0, 0, 4])
    assert vy == 5


# ----------------------------------------------------------- nnet, ifelse


@pytest.mark.parametrize("name,fun", [
    ("softmax", lambda a: nnet.softmax(a)),
    ("softmax_axis0", lambda a: nnet.softmax(a, axis=0)),
    ("log_softmax", lambda a: nnet.log_softmax(a)),
    ("relu", lambda a: nnet.relu(a + 0.05)),
    ("softsign", lambda a: nnet.softsign(a)),
    ("elu", lambda a: nnet.elu(a + 0.05)),
    ("bce", lambda a: nnet.binary_crossentropy(T.sigmoid(a), np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]))),
    ("categorical_1hot", lambda a: nnet.categorical_crossentropy(nnet.softmax(a), np.array([2, 0]))),
])
def test_nnet_ops(name, fun):
    verify_grad(fun, [_M], rng=_rng())


@pytest.mark.parametrize("cond", [1, 0])
def test_ifelse(cond):
    verify_grad(lambda c, a, b: ifelse(c, a * 2, T.exp(b)), [np.asarray(cond, dtype="int8"), _M, _M[::-1]],
                wrt=[1, 2], rng=_rng())


# ------------------------------------------------------ gradient-control ops


def test_gradient_control_ops():
    x = T.dvector("x")
    v = np.array([0.5, -2.0, 3.0])
    g = function([x], grad(T.sum(arignote.gradient.grad_clip(x * 10, -1.0, 2.0) ** 2), x))(v)
    np.testing.assert_allclose(g, np.clip(2 * v * 10, -1, 2) * 10)
    g = function([x], grad(T.sum(arignote.gradient.grad_scale(x ** 2, 3.0)), x))(v)
    np.testing.assert_allclose(g, 6 * v)
    g = function([x], grad(T.sum(arignote.gradient.zero_grad(x) * x), x))(v)
    np.testing.assert_allclose(g, v)
    g = function([x], grad(T.sum(T.disconnected_grad(x ** 2) * x), x))(v)
    np.testing.assert_allclose(g, v ** 2)
    with pytest.raises(arignote.gradient.DisconnectedInputError, match="x"):
        grad(T.sum(T.disconnected_grad(x)), x)
    np.testing.assert_allclose(grad(T.sum(T.zero_grad(x)), x).eval({x: v}), 0 * v)
