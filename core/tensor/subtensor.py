"""Indexing: basic (Subtensor), advanced (AdvancedSubtensor), and their set/inc forms.

``x[idx]`` goes through :func:`getitem`:

* basic indices -- integers (Python, NumPy or symbolic 0-d integer tensors),
  slices whose start/stop/step are constants or symbolic scalars, ``None``
  (``np.newaxis``) and ``Ellipsis`` -- become one :class:`Subtensor` node (a
  view of x), followed by a DimShuffle when ``None`` inserts axes;
* as soon as one entry is an integer array (list, ndarray, symbolic vector,
  ...) or a boolean mask, the whole index becomes one
  :class:`AdvancedSubtensor` node with NumPy's exact semantics (where the
  broadcast index dimensions go, boolean masks as ``nonzero()``).

The structure of an index is the op's prop ``idx_list`` (hashable, with no
values in it); the values are extra inputs after ``x``.  One op instance
therefore serves ``x[i]`` for every ``i`` and identical indexing merges.

``idx_list`` entries:

``"int"``                                   an integer scalar (one input)
``("slice", has_start, has_stop, has_step)`` a slice; one input per present bound
``"newaxis"``                               (advanced only) ``None``
``("array", ndim)``                         (advanced only) an integer array
``("bool", ndim)``                          (advanced only) a boolean mask

``set_subtensor(x[idx], y)`` / ``inc_subtensor(x[idx], y)`` (Theano's API:
the first argument is the indexed expression) build :class:`IncSubtensor` /
:class:`AdvancedIncSubtensor`; ``inc`` accumulates repeated indices exactly
as ``numpy.add.at``, ``set`` keeps NumPy's last write.
"""
from __future__ import annotations

import numpy as np

from ..graph import Apply, Constant, Op, Variable
from ..types import DISCRETE_DTYPES, INT_DTYPES, TensorType
from .elemwise import broadcast_static_shapes
from .variable import _TensorMixin, as_tensor_variable, constant

__all__ = ["Subtensor", "IncSubtensor", "AdvancedSubtensor", "AdvancedIncSubtensor", "SliceLength"]

_INT_KINDS = "iu"


# ----------------------------------------------------------------- helpers


def _int64(v):
    return constant(np.int64(v))


def _is_int_dtype(dtype):
    return dtype in INT_DTYPES


def _describe(x):
    return f"{x} of type {x.type}"


def _scalar_input(v, x, what):
    """An index scalar (Python/NumPy int or 0-d integer tensor) as a symbolic int scalar."""
    if isinstance(v, (bool, np.bool_)):
        v = int(v)
    if isinstance(v, (int, np.integer)):
        return _int64(int(v))
    if isinstance(v, np.ndarray) and v.ndim == 0 and v.dtype.kind in _INT_KINDS:
        return _int64(int(v))
    if isinstance(v, _TensorMixin):
        if v.ndim != 0 or not _is_int_dtype(v.dtype):
            raise TypeError(
                f"{what} for {_describe(x)} must be an integer scalar, got {v} of type {v.type}"
            )
        return v
    if isinstance(v, Variable):
        raise TypeError(f"{what} for {_describe(x)} must be an integer scalar, got {v} of type {v.type}")
    if isinstance(v, (float, np.floating, complex, np.complexfloating)) or (
        isinstance(v, np.ndarray) and v.ndim == 0
    ):
        raise TypeError(
            f"{what} for {_describe(x)} must be an integer, got {type(v).__name__} {v!r} "
            f"(only integers, slices, None, Ellipsis and integer or boolean arrays are valid indices)"
        )
    raise TypeError(f"{what} for {_describe(x)} must be an integer, got {type(v).__name__} {v!r}")


def _const_value(v):
    """The Python int held by a constant scalar input, or None when symbolic."""
    if isinstance(v, Constant):
        return int(np.asarray(v.data))
    return None


def _slice_len_static(n, start, stop, step):
    return len(range(*slice(start, stop, step).indices(n)))


def _slice_static_size(x_size, entry, comps):
    """Static length of a slice entry on an axis of static size x_size (or None)."""
    _, hs, he, hk = entry
    if not (hs or he or hk):
        return x_size
    vals = [_const_value(c) for c in comps]
    if any(v is None for v in vals):
        return None
    it = iter(vals)
    start = next(it) if hs else None
    stop = next(it) if he else None
    step = next(it) if hk else None
    if step == 0:
        raise ValueError("slice step cannot be zero")
    if x_size is None:
        # a few cases are known without the size: x[a:b] with 0 <= a <= b, or both negative
        if (step is None or step == 1) and start is not None and stop is not None and (
            (start >= 0 and stop >= 0 and stop <= start) or (start < 0 and stop < 0 and stop <= start)
        ):
            return 0
        return None
    return _slice_len_static(x_size, start, stop, step)


def _n_comps(entry):
    if entry == "int":
        return 1
    if isinstance(entry, tuple) and entry[0] == "slice":
        return sum(entry[1:])
    if entry in ("newaxis", "ellipsis"):
        return 0
    return 1  # array / bool


def _group(idx_list, values):
    """Split the flat list of index inputs into one list per entry."""
    out, i = [], 0
    for e in idx_list:
        n = _n_comps(e)
        out.append(list(values[i:i + n]))
        i += n
    if i != len(values):
        raise TypeError(f"index structure {idx_list} needs {i} index inputs, got {len(values)}")
    return out


def _rebuild(idx_list, values):
    """The NumPy index tuple from idx_list and the run-time index values."""
    out, i = [], 0
    for e in idx_list:
        if e == "int":
            out.append(int(values[i]))
            i += 1
        elif e == "newaxis":
            out.append(None)
        elif e == "ellipsis":
            out.append(Ellipsis)
        elif e[0] == "slice":
            parts = []
            for has in e[1:]:
                if has:
                    parts.append(int(values[i]))
                    i += 1
                else:
                    parts.append(None)
            out.append(slice(*parts))
        else:
            out.append(values[i])
            i += 1
    return tuple(out)


def _entry_str(e):
    if e == "int":
        return "int"
    if e in ("newaxis", "ellipsis"):
        return "..." if e == "ellipsis" else e
    if e[0] == "slice":
        s = ("start" if e[1] else "") + ":" + ("stop" if e[2] else "")
        if e[3]:
            s += ":step"
        return s
    return f"{e[0]}{e[1]}d"


def _check_int_bounds(idx_list, values, shape, x_var):
    """Run-time check of integer indices with a message naming index, axis and size."""
    axis = 0
    i = 0
    for e in idx_list:
        if e == "int":
            v = int(values[i])
            n = shape[axis]
            if not -n <= v < n:
                raise IndexError(
                    f"index {v} is out of bounds for axis {axis} with size {n} "
                    f"(indexing {x_var} of type {x_var.type}, shape {tuple(shape)})"
                )
            i += 1
            axis += 1
        elif e in ("newaxis", "ellipsis"):
            pass
        elif e[0] == "slice":
            if e[3] and int(values[i + e[1] + e[2]]) == 0:
                raise ValueError(f"slice step cannot be zero (indexing {x_var} of type {x_var.type})")
            i += sum(e[1:])
            axis += 1
        elif e[0] == "bool":
            i += 1
            axis += e[1]
        else:
            i += 1
            axis += 1


def _zero_grad(x):
    from . import math as tm

    return tm.zeros_like(x, dtype=x.dtype if x.dtype.startswith(("float", "complex")) else "float64")


def _one():
    return _int64(1)




# ------------------------------------------------------------ SliceLength


class SliceLength(Op):
    """The length of ``range(*slice(start, stop, step).indices(n))`` (an int64 scalar).

    Inputs: n, then the present bounds among start/stop/step.
    """

    __props__ = ("has_start", "has_stop", "has_step")

    def __init__(self, has_start, has_stop, has_step):
        self.has_start, self.has_stop, self.has_step = bool(has_start), bool(has_stop), bool(has_step)

    def make_node(self, n, *comps):
        n = as_tensor_variable(n)
        comps = [as_tensor_variable(c) for c in comps]
        if len(comps) != self.has_start + self.has_stop + self.has_step:
            raise TypeError(f"{self} takes {1 + self.has_start + self.has_stop + self.has_step} inputs")
        for v in [n, *comps]:
            if v.ndim != 0 or not _is_int_dtype(v.dtype):
                raise TypeError(f"{self}: {v} of type {v.type} is not an integer scalar")
        return Apply(self, [n, *comps], [TensorType("int64", shape=()).make_variable()])

    def perform(self, node, inputs, output_storage):
        n, *comps = (int(c) for c in inputs)
        it = iter(comps)
        start = next(it) if self.has_start else None
        stop = next(it) if self.has_stop else None
        step = next(it) if self.has_step else None
        if step == 0:
            raise ValueError("slice step cannot be zero")
        output_storage[0][0] = np.asarray(_slice_len_static(n, start, stop, step), dtype="int64")

    def infer_shape(self, fgraph, node, input_shapes):
        return [()]

    def L_op(self, inputs, outputs, output_grads):
        return [None] * len(inputs)


def _slice_length(n, entry, comps):
    _, hs, he, hk = entry
    if not (hs or he or hk):
        return n
    nv = _const_value(n) if isinstance(n, Variable) else None
    if nv is not None:
        s = _slice_static_size(nv, entry, comps)
        if s is not None:
            return _int64(s)
    return SliceLength(hs, he, hk)(n, *comps)


# ------------------------------------------------------------- Subtensor


def _check_idx_list_basic(idx_list):
    for e in idx_list:
        if e != "int" and not (isinstance(e, tuple) and len(e) == 4 and e[0] == "slice"):
            raise ValueError(f"invalid basic index entry {e!r}")


def _basic_out_shape(x, idx_list, groups):
    shape = []
    for d, (e, comps) in enumerate(zip(idx_list, groups)):
        size = x.type.shape[d]
        if e == "int":
            v = _const_value(comps[0])
            if v is not None and size is not None and not -size <= v < size:
                raise IndexError(
                    f"index {v} is out of bounds for axis {d} with size {size} "
                    f"(indexing {_describe(x)})"
                )
            continue
        shape.append(_slice_static_size(size, e, comps))
    shape.extend(x.type.shape[len(idx_list):])
    return shape


class _IndexedRead:
    """What basic and advanced indexing share: only ``x`` is differentiable, its gradient scatters
    ``gz`` into zeros through the matching increment op (``inc_op``), and the forward derivative
    indexes the tangent the same way."""

    inc_op = None  # IncSubtensor / AdvancedIncSubtensor, set once both are defined

    def L_op(self, inputs, outputs, output_grads):
        from . import math as tm

        x, *index = inputs
        (gz,) = output_grads
        if x.dtype in DISCRETE_DTYPES:
            return [_zero_grad(x)] + [None] * len(index)
        if gz.dtype != x.dtype:
            gz = tm.cast(gz, x.dtype)
        gx = self.inc_op(self.idx_list, set_instead_of_inc=False)(tm.zeros_like(x), gz, *index)
        return [gx] + [None] * len(index)

    def R_op(self, inputs, eval_points):
        if eval_points[0] is None:
            return [None]
        return [self(eval_points[0], *inputs[1:])]

    def connection_pattern(self, node):
        return [[True]] + [[False]] * (len(node.inputs) - 1)


class Subtensor(_IndexedRead, Op):
    """Basic indexing ``x[i, a:b:c, ...]``: a view of x.

    Inputs: x, then the integer scalars of ``idx_list`` in order.
    """

    __props__ = ("idx_list",)
    view_map = {0: [0]}

    def __init__(self, idx_list):
        self.idx_list = tuple(idx_list)
        _check_idx_list_basic(self.idx_list)

    def __str__(self):
        return "Subtensor{" + ", ".join(map(_entry_str, self.idx_list)) + "}"

    def make_node(self, x, *index):
        x = as_tensor_variable(x)
        if len(self.idx_list) > x.ndim:
            raise IndexError(
                f"too many indices for {_describe(x)}: it is {x.ndim}-dimensional, "
                f"but {len(self.idx_list)} were indexed"
            )
        index = [_scalar_input(v, x, "index") for v in index]
        groups = _group(self.idx_list, index)
        shape = _basic_out_shape(x, self.idx_list, groups)
        return Apply(self, [x, *index], [TensorType(x.dtype, shape=shape).make_variable()])

    def perform(self, node, inputs, output_storage):
        x, *index = inputs
        _check_int_bounds(self.idx_list, index, x.shape, node.inputs[0])
        r = x[_rebuild(self.idx_list, index)]
        if type(r) is not np.ndarray:
            r = np.asarray(r)
        output_storage[0][0] = r

    def infer_shape(self, fgraph, node, input_shapes):
        xshp = input_shapes[0]
        groups = _group(self.idx_list, node.inputs[1:])
        out = []
        for d, (e, comps) in enumerate(zip(self.idx_list, groups)):
            if e == "int":
                continue
            out.append(_slice_length(xshp[d], e, comps))
        out.extend(xshp[len(self.idx_list):])
        return [tuple(out)]



# ---------------------------------------------------------- IncSubtensor


def _prepare_y(x, y, region_type, opname):
    """y as a tensor of x's dtype that broadcasts to the indexed region's static shape."""
    from . import math as tm

    y = as_tensor_variable(y)
    if y.dtype != x.dtype:
        if not np.can_cast(np.dtype(y.dtype), np.dtype(x.dtype), "same_kind"):
            raise TypeError(
                f"{opname}: cannot write values {y} of type {y.type} into {_describe(x)} "
                f"without losing data; cast them explicitly"
            )
        y = tm.cast(y, x.dtype)
    rshape = region_type.shape
    if y.ndim > len(rshape):
        raise ValueError(
            f"{opname}: the value {y} of type {y.type} has more dimensions ({y.ndim}) than the "
            f"indexed region of {_describe(x)} ({len(rshape)})"
        )
    for k, ys in enumerate(y.type.shape):
        rs = rshape[len(rshape) - y.ndim + k]
        if ys is not None and rs is not None and ys != rs and ys != 1:
            raise ValueError(
                f"{opname}: the value {y} of shape {y.type.shape} cannot be broadcast to the "
                f"indexed region's shape {rshape} of {_describe(x)}"
            )
    return y


def _check_y_runtime(y, region_shape, y_var, opname):
    """NumPy broadcasting of y to the region, refusing run-time broadcast of non-broadcastable axes."""
    rshape = tuple(region_shape)
    if y.ndim > len(rshape):
        raise ValueError(f"{opname}: value of shape {y.shape} cannot be broadcast to the indexed shape {rshape}")
    off = len(rshape) - y.ndim
    for k, ys in enumerate(y.shape):
        rs = rshape[off + k]
        if ys == rs:
            continue
        if ys == 1 and y_var.type.shape[k] == 1:
            continue
        if ys == 1:
            raise ValueError(
                f"{opname}: value of shape {y.shape} would need run-time broadcasting of its axis {k} "
                f"to the indexed shape {rshape}, but that axis is not marked broadcastable in its type "
                f"{y_var.type}; declare it broadcastable (e.g. with dimshuffle/T.row/T.col)"
            )
        raise ValueError(f"{opname}: value of shape {y.shape} cannot be broadcast to the indexed shape {rshape}")


def _inc_grads(op, inputs, output_grads, inc_cls, get_cls):
    """Gradients of set/inc_subtensor (basic or advanced): x gets gz, zeroed in the region when
    setting; y gets the region of gz, summed back to y's broadcast shape; indices get none."""
    from . import math as tm

    x, y, *index = inputs
    (gz,) = output_grads
    nidx = [None] * len(index)
    if x.dtype in DISCRETE_DTYPES:
        return [_zero_grad(x), _zero_grad(y)] + nidx
    if gz.dtype != x.dtype:
        gz = tm.cast(gz, x.dtype)
    gx = gz
    if op.set_instead_of_inc:
        gx = inc_cls(op.idx_list, set_instead_of_inc=True)(gz, constant(np.zeros((), dtype=x.dtype)), *index)
    region = get_cls(op.idx_list)(gz, *index)
    return [gx, _gy_from_region(region, y)] + nidx


def _gy_from_region(region, y):
    """Sum the indexed gradient over the axes along which y was broadcast, to y's pattern."""
    from . import math as tm

    g = region
    extra = g.ndim - y.ndim
    if extra:
        g = tm.sum(g, axis=list(range(extra)))
    axes = [i for i, (yb, gb) in enumerate(zip(y.type.broadcastable, g.type.broadcastable)) if yb and not gb]
    if axes:
        g = tm.sum(g, axis=axes, keepdims=True)
    if g.dtype != y.dtype:
        g = tm.cast(g, y.dtype)
    return g


class IncSubtensor(Op):
    """``x`` with ``x[idx]`` incremented by (or, with ``set_instead_of_inc``, set to) ``y``.

    Inputs: x, y, then the integer scalars of the basic ``idx_list``.
    """

    __props__ = ("idx_list", "set_instead_of_inc")

    def __init__(self, idx_list, set_instead_of_inc=False):
        self.idx_list = tuple(idx_list)
        _check_idx_list_basic(self.idx_list)
        self.set_instead_of_inc = bool(set_instead_of_inc)

    def __str__(self):
        kind = "Set" if self.set_instead_of_inc else "Inc"
        return f"{kind}Subtensor{{" + ", ".join(map(_entry_str, self.idx_list)) + "}"

    def make_node(self, x, y, *index):
        x = as_tensor_variable(x)
        sub = Subtensor(self.idx_list).make_node(x, *index)
        index = sub.inputs[1:]
        y = _prepare_y(x, y, sub.outputs[0].type, str(self))
        return Apply(self, [x, y, *index], [x.type.make_variable()])

    def perform(self, node, inputs, output_storage):
        x, y, *index = inputs
        _check_int_bounds(self.idx_list, index, x.shape, node.inputs[0])
        idx = _rebuild(self.idx_list, index)
        out = x.copy()
        region = out[idx]
        _check_y_runtime(y, np.shape(region), node.inputs[1], str(self))
        if self.set_instead_of_inc:
            out[idx] = y
        else:
            out[idx] += y
        output_storage[0][0] = out

    def infer_shape(self, fgraph, node, input_shapes):
        return [input_shapes[0]]

    def L_op(self, inputs, outputs, output_grads):
        return _inc_grads(self, inputs, output_grads, IncSubtensor, Subtensor)

    def connection_pattern(self, node):
        return [[True], [True]] + [[False]] * (len(node.inputs) - 2)


# ------------------------------------------------------ AdvancedSubtensor


def _adv_out_static(x, idx_list, groups):
    """Static output shape of advanced indexing, by NumPy's rules."""
    basic = []  # output dims from basic entries, in order; a marker where advanced ones sit
    adv_shapes = []
    adv_positions = []  # entry positions of advanced entries (ints count as advanced here)
    axis = 0
    for pos, (e, comps) in enumerate(zip(idx_list, groups)):
        if e == "newaxis":
            basic.append(1)
            continue
        if e == "ellipsis":  # an Ellipsis standing for no axis still separates advanced indices
            continue
        if e == "int":
            v = _const_value(comps[0])
            size = x.type.shape[axis]
            if v is not None and size is not None and not -size <= v < size:
                raise IndexError(
                    f"index {v} is out of bounds for axis {axis} with size {size} (indexing {_describe(x)})"
                )
            adv_positions.append(pos)
            adv_shapes.append(())
            basic.append("ADV")
            axis += 1
            continue
        if e[0] == "slice":
            basic.append(_slice_static_size(x.type.shape[axis], e, comps))
            axis += 1
            continue
        (arr,) = comps
        adv_positions.append(pos)
        basic.append("ADV")
        if e[0] == "array":
            adv_shapes.append(arr.type.shape)
            axis += 1
        else:  # bool mask over e[1] axes
            k = e[1]
            xs = x.type.shape[axis:axis + k]
            for j, (ms, s) in enumerate(zip(arr.type.shape, xs)):
                if ms is not None and s is not None and ms != s:
                    raise IndexError(
                        f"boolean index {arr} of shape {arr.type.shape} does not match {_describe(x)} "
                        f"along axis {axis + j}: size {s}, mask size {ms}"
                    )
            if isinstance(arr, Constant):
                adv_shapes.append((int(np.count_nonzero(arr.data)),))
            else:
                adv_shapes.append((None,))
            axis += k
    trailing = list(x.type.shape[axis:])
    nd = max((len(s) for s in adv_shapes), default=0)
    padded = [(1,) * (nd - len(s)) + tuple(s) for s in adv_shapes]
    bshape = list(broadcast_static_shapes(padded, "advanced indexing")) if padded else []
    adjacent = adv_positions == list(range(adv_positions[0], adv_positions[-1] + 1))
    out = []
    if adjacent:
        placed = False
        for b in basic:
            if b == "ADV":
                if not placed:
                    out.extend(bshape)
                    placed = True
            else:
                out.append(b)
    else:
        out = bshape + [b for b in basic if b != "ADV"]
    return out + trailing


def _numpy_ndim(x_ndim, idx_list):
    """Output ndim by NumPy itself, indexing a dummy array (a cross-check)."""
    dummy = np.zeros((1,) * x_ndim)
    idx = []
    for e in idx_list:
        if e == "int":
            idx.append(0)
        elif e == "newaxis":
            idx.append(None)
        elif e == "ellipsis":
            idx.append(Ellipsis)
        elif e[0] == "slice":
            idx.append(slice(None))
        elif e[0] == "array":
            idx.append(np.zeros((1,) * e[1], dtype="int64"))
        else:
            idx.append(np.ones((1,) * e[1], dtype=bool))
    return dummy[tuple(idx)].ndim


class AdvancedSubtensor(_IndexedRead, Op):
    """Advanced (NumPy "fancy") indexing: integer arrays and boolean masks mixed with
    integers, slices and ``None``.

    Inputs: x, then the scalars and arrays of ``idx_list`` in order.
    """

    __props__ = ("idx_list",)

    def __init__(self, idx_list):
        self.idx_list = tuple(idx_list)

    def __str__(self):
        return "AdvancedSubtensor{" + ", ".join(map(_entry_str, self.idx_list)) + "}"

    def make_node(self, x, *index):
        x = as_tensor_variable(x)
        index = list(index)
        groups = _group(self.idx_list, index)
        new_index = []
        consumed = 0
        for e, comps in zip(self.idx_list, groups):
            if e in ("newaxis", "ellipsis"):
                continue
            if e == "int" or e[0] == "slice":
                new_index.extend(_scalar_input(c, x, "index") for c in comps)
                consumed += 1
            else:
                (a,) = comps
                a = as_tensor_variable(a)
                kind, nd = e
                if a.ndim != nd:
                    raise TypeError(f"{self}: index {a} of type {a.type} should be {nd}-d")
                if kind == "array" and not _is_int_dtype(a.dtype):
                    raise TypeError(f"array index {a} of type {a.type} for {_describe(x)} must have an integer dtype")
                if kind == "bool" and a.dtype != "bool":
                    raise TypeError(f"mask {a} of type {a.type} for {_describe(x)} must be boolean")
                new_index.append(a)
                consumed += nd if kind == "bool" else 1
        if consumed > x.ndim:
            raise IndexError(
                f"too many indices for {_describe(x)}: it is {x.ndim}-dimensional, but {consumed} were indexed"
            )
        groups = _group(self.idx_list, new_index)
        shape = _adv_out_static(x, self.idx_list, groups)
        assert len(shape) == _numpy_ndim(x.ndim, self.idx_list), (self.idx_list, shape)
        return Apply(self, [x, *new_index], [TensorType(x.dtype, shape=shape).make_variable()])

    def perform(self, node, inputs, output_storage):
        x, *index = inputs
        _check_int_bounds(self.idx_list, index, x.shape, node.inputs[0])
        try:
            r = x[_rebuild(self.idx_list, index)]
        except IndexError as e:
            raise IndexError(f"{e} (indexing {node.inputs[0]} of type {node.inputs[0].type}, shape {x.shape})") from None
        if type(r) is not np.ndarray:
            r = np.asarray(r)
        if r.base is not None and np.shares_memory(r, x):
            r = r.copy()
        output_storage[0][0] = r

    def infer_shape(self, fgraph, node, input_shapes):
        from . import math as tm

        xshp = input_shapes[0]
        groups = _group(self.idx_list, node.inputs[1:])
        sgroups = _group(self.idx_list, input_shapes[1:])
        basic, adv_shapes, adv_positions = [], [], []
        axis = 0
        for pos, (e, comps, shps) in enumerate(zip(self.idx_list, groups, sgroups)):
            if e == "newaxis":
                basic.append(_one())
            elif e == "ellipsis":
                pass
            elif e == "int":
                adv_positions.append(pos)
                adv_shapes.append(((), ()))
                basic.append("ADV")
                axis += 1
            elif e[0] == "slice":
                basic.append(_slice_length(xshp[axis], e, comps))
                axis += 1
            elif e[0] == "array":
                adv_positions.append(pos)
                adv_shapes.append((tuple(shps[0]), comps[0].type.shape))
                basic.append("ADV")
                axis += 1
            else:
                m = comps[0]
                adv_positions.append(pos)
                cnt = tm.cast(tm.sum(tm.cast(m, "int64")), "int64")
                adv_shapes.append(((cnt,), (None,)))
                basic.append("ADV")
                axis += e[1]
        trailing = list(xshp[axis:])
        nd = max(len(s[0]) for s in adv_shapes)
        bshape = []
        for d in range(nd):
            dim = None
            for sym, stat in adv_shapes:
                off = nd - len(sym)
                if d < off:
                    continue
                if stat[d - off] == 1:
                    continue
                s = sym[d - off]
                dim = s if dim is None else tm.switch(tm.eq(dim, 1), s, dim)
            bshape.append(dim if dim is not None else _one())
        adjacent = adv_positions == list(range(adv_positions[0], adv_positions[-1] + 1))
        if adjacent:
            out, placed = [], False
            for b in basic:
                if isinstance(b, str):
                    if not placed:
                        out.extend(bshape)
                        placed = True
                else:
                    out.append(b)
        else:
            out = bshape + [b for b in basic if not isinstance(b, str)]
        out = [tm.cast(s, "int64") if s.dtype != "int64" else s for s in out + trailing]
        return [tuple(out)]



class AdvancedIncSubtensor(Op):
    """``x`` with ``x[idx]`` (advanced) incremented by / set to ``y``.

    Increments accumulate over repeated indices exactly like ``numpy.add.at``
    (unless ``ignore_duplicates``, which is NumPy's ``x[idx] += y``); setting
    keeps NumPy's last write.  Inputs: x, y, then the index inputs.
    """

    __props__ = ("idx_list", "set_instead_of_inc", "ignore_duplicates")

    def __init__(self, idx_list, set_instead_of_inc=False, ignore_duplicates=False):
        self.idx_list = tuple(idx_list)
        self.set_instead_of_inc = bool(set_instead_of_inc)
        self.ignore_duplicates = bool(ignore_duplicates)

    def __str__(self):
        kind = "Set" if self.set_instead_of_inc else "Inc"
        return f"Advanced{kind}Subtensor{{" + ", ".join(map(_entry_str, self.idx_list)) + "}"

    def make_node(self, x, y, *index):
        x = as_tensor_variable(x)
        sub = AdvancedSubtensor(self.idx_list).make_node(x, *index)
        y = _prepare_y(x, y, sub.outputs[0].type, str(self))
        return Apply(self, [x, y, *sub.inputs[1:]], [x.type.make_variable()])

    def perform(self, node, inputs, output_storage):
        x, y, *index = inputs
        _check_int_bounds(self.idx_list, index, x.shape, node.inputs[0])
        idx = _rebuild(self.idx_list, index)
        out = x.copy()
        try:
            region_shape = x[idx].shape
        except IndexError as e:
            raise IndexError(f"{e} (indexing {node.inputs[0]} of type {node.inputs[0].type}, shape {x.shape})") from None
        _check_y_runtime(y, region_shape, node.inputs[1], str(self))
        if self.set_instead_of_inc:
            out[idx] = y
        elif self.ignore_duplicates:
            out[idx] += y
        else:
            np.add.at(out, idx, y)
        output_storage[0][0] = out

    def infer_shape(self, fgraph, node, input_shapes):
        return [input_shapes[0]]

    def L_op(self, inputs, outputs, output_grads):
        return _inc_grads(self, inputs, output_grads, AdvancedIncSubtensor, AdvancedSubtensor)

    def connection_pattern(self, node):
        return [[True], [True]] + [[False]] * (len(node.inputs) - 2)


Subtensor.inc_op = IncSubtensor
AdvancedSubtensor.inc_op = AdvancedIncSubtensor


# ------------------------------------------------------------ forward mode
def _rop_inc(self, inputs, eval_points):
    """set/inc_subtensor are linear in (x, y) jointly."""
    from . import math as tm

    x, y, *index = inputs
    ex, ey = eval_points[:2]
    if ex is None and ey is None:
        return [None]
    return [self(ex if ex is not None else tm.zeros_like(x), ey if ey is not None else tm.zeros_like(y), *index)]


IncSubtensor.R_op = AdvancedIncSubtensor.R_op = _rop_inc


def __getattr__(name):
    """``subtensor.set_subtensor`` and the other Python-facing functions live in ``indexing``
    (Theano's import path keeps working)."""
    if name in ("getitem", "set_subtensor", "inc_subtensor", "take"):
        from . import indexing

        return getattr(indexing, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
