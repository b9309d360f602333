"""Elemwise (a scalar op mapped with broadcasting) and DimShuffle (axis reorder/add/drop)."""
from __future__ import annotations

import math

import numpy as np

from ..errors import NoGradError
from ..grad_markers import DisconnectedType
from ..graph import Apply, Op, Variable
from ..labels import composite_formula
from ..types import TensorType
from .. import scalar as ps
from .variable import _TensorMixin, as_tensor_variable, constant_of_array


class Elemwise(Op):
    """Apply ``scalar_op`` elementwise with NumPy broadcasting.

    Inputs of fewer dimensions are padded on the left with broadcastable
    axes.  A non-broadcastable axis is never broadcast at run time (as in
    Theano): sizes must then match, or the call fails naming the shapes.
    """

    __props__ = ("scalar_op",)

    def __init__(self, scalar_op, name=None):
        self.scalar_op = scalar_op
        if name == scalar_op.name or (isinstance(scalar_op, ps.Cast) and name == f"Cast{{{scalar_op.dtype}}}"):
            name = None  # pickles from before Theano's spelling carried these defaults
        self._given_name = name
        self._name = name
        # the op never changes: its hash is computed once (merge hashes every node's op), and
        # output types are remembered per tuple of input types (they depend on nothing else)
        self._hash = hash((Elemwise, (scalar_op,)))
        self._out_types = {}

    @property
    def name(self):
        """Theano's name: ``Elemwise{mul,no_inplace}``, ``Elemwise{Cast{float32}}``,
        ``Elemwise{Composite{...}}`` (made on first use), unless one was given."""
        if self._name is None:
            self._name = _theano_name(self.scalar_op)
        return self._name

    def __eq__(self, other):
        return other is self or (type(other) is type(self) and other.scalar_op == self.scalar_op)

    def __hash__(self):
        return self._hash

    def __str__(self):
        return self.name

    def __reduce__(self):
        return (Elemwise, (self.scalar_op, self._given_name))

    @property
    def nout(self):
        if isinstance(self.scalar_op, ps.Composite):
            return len(self.scalar_op.outputs)
        return 1

    def make_node(self, *inputs):
        sop = self.scalar_op
        if sop.nin != -1 and len(inputs) != sop.nin:
            raise TypeError(f"{self.name} takes {sop.nin} inputs, got {len(inputs)}")
        if sop.nin == -1 and not inputs:
            raise TypeError(f"{self.name} needs at least one input")
        inputs = weak_convert(inputs, self)  # the op: its name is only formatted in an error
        key = tuple([i.type for i in inputs])
        plan = self._out_types.get(key)
        if plan is None:
            inputs, plan = self._plan(inputs)
            if len(self._out_types) > _CACHE_SIZE:
                self._out_types.clear()
            self._out_types[key] = plan
        else:
            ndim = plan[0]
            for t in key:
                if t.ndim != ndim:
                    inputs = [pad_left(i, ndim) for i in inputs]
                    break
        return Apply(self, inputs, [t.make_variable() for t in plan[1]])

    def _plan(self, inputs):
        """Padded inputs, and (ndim, output types): checks broadcasting and dtypes."""
        sop = self.scalar_op
        ndim = max(i.ndim for i in inputs)
        inputs = [pad_left(i, ndim) for i in inputs]
        out_shape = broadcast_static_shapes([i.type.shape for i in inputs], self.name, inputs)
        in_dtypes = [i.dtype for i in inputs]
        if isinstance(sop, ps.Composite):
            out_dtypes = sop.output_dtypes()
        else:
            _check_dtypes(sop, in_dtypes, self.name)
            out_dtypes = [sop.output_dtype(*in_dtypes)]
        return inputs, (ndim, tuple(TensorType(dt, shape=out_shape) for dt in out_dtypes))

    def perform(self, node, inputs, output_storage):
        sop = self.scalar_op
        if len(inputs) > 1:
            s0 = inputs[0].shape
            for a in inputs[1:]:
                if a.shape != s0:
                    check_runtime_broadcast(node, inputs)
                    break
        if isinstance(sop, ps.Composite):
            outs = sop.impl_multi(*inputs)
            for cell, o, v in zip(output_storage, node.outputs, outs):
                cell[0] = np.asarray(v, dtype=o.type.dtype)
        else:
            output_storage[0][0] = sop.impl(node.outputs[0].type.numpy_dtype, *inputs)

    def infer_shape(self, fgraph, node, input_shapes):
        out = []
        for d in range(node.outputs[0].ndim):
            dim = None
            for inp, shp in zip(node.inputs, input_shapes):
                if not inp.type.broadcastable[d]:
                    dim = shp[d]
                    break
            out.append(dim if dim is not None else _one())
        return [tuple(out)] * len(node.outputs)

    def L_op(self, inputs, outputs, output_grads):
        from . import math as tm

        grads = self.scalar_op.L_op(inputs, outputs, output_grads)
        _theano_grad_form(grads, set(inputs) | set(outputs) | set(output_grads))
        result = []
        for inp, g in zip(inputs, grads):
            if g is None or isinstance(g.type, DisconnectedType):
                result.append(g)
                continue
            result.append(tm.sum_to_broadcast(g, inp))
        return result

    def R_op(self, inputs, eval_points):
        """Forward derivative: sum over inputs of (d out / d input, from the scalar
        gradient with a unit output gradient) * eval point."""
        from . import math as tm

        if isinstance(self.scalar_op, ps.Composite):
            raise NoGradError(f"{self} (a fused Composite) has no R_op; take Rop before fusion")
        out = self.make_node(*inputs).outputs[0]
        if not out.dtype.startswith(("float", "complex")):
            return [None]
        zero = [ev is not None and is_zeros_fill(ev) for ev in eval_points]
        # a zero evaluation point (Rop's for an input that wrt does not reach) adds no term: exact,
        # where partial * 0 would be nan for an infinite partial (log(0) * 0)
        evs = [None if z else ev for ev, z in zip(eval_points, zero)]
        partials = self.scalar_op.L_op(inputs, [out], [tm.ones_like(out)])
        r = None
        for ev, p in zip(evs, partials):
            if ev is None or p is None or isinstance(p.type, DisconnectedType):
                continue
            r = p * ev if r is None else r + p * ev
        if r is None:
            return [tm.zeros_like(out)] if any(zero) else [None]
        if any(zero) or r.type.broadcastable != out.type.broadcastable:
            r = tm.second(out, r)  # keeps the product a function of every input, as the zero terms would
        return [tm.cast(r, out.dtype)]


def is_zeros_fill(v):
    """True when ``v`` is ``zeros_like(x)``: ``second(x, 0)``, the zero possibly padded by DimShuffles."""
    node = v.owner
    if node is None or not isinstance(node.op, Elemwise) or node.op.scalar_op.name != "second":
        return False
    z = node.inputs[1]
    while z.owner is not None and isinstance(z.owner.op, DimShuffle):
        z = z.owner.inputs[0]
    data = getattr(z, "data", None)
    return isinstance(data, np.ndarray) and data.size == 1 and not data.any()


_GRAD_OPS = {}  # scalar op -> its Elemwise named as Theano names the ops of a gradient


def _theano_grad_form(grads, frontier):
    """Give the nodes a scalar op's gradient formula built the form of Theano's gradients:
    the Elemwise ops unnamed (``Elemwise{mul}``, Theano's ``Elemwise(scalar_op)``) and a
    fresh 0-d constant behind a ``DimShuffle{}``.  Only nodes made by the formula (between
    the gradients and ``frontier``) are touched; their values are unchanged."""
    stack, seen = [g for g in grads if g is not None and g.owner is not None and g not in frontier], set()
    while stack:
        node = stack.pop().owner
        if node in seen:
            continue
        seen.add(node)
        op = node.op
        if type(op) is Elemwise and op._given_name is None and not isinstance(op.scalar_op, (ps.Composite, ps.Cast)):
            named = _GRAD_OPS.get(op.scalar_op)
            if named is None:
                named = _GRAD_OPS[op.scalar_op] = Elemwise(op.scalar_op, f"Elemwise{{{op.scalar_op.name}}}")
            node.op = named
            if node.outputs[0].ndim == 0:
                node.inputs = [DimShuffle((), ())(v) if v.owner is None and v not in frontier
                               and getattr(v, "data", None) is not None and v.ndim == 0 else v
                               for v in node.inputs]
        stack.extend(v for v in node.inputs if v.owner is not None and v not in frontier)


def user_form(op):
    """The op user code builds (``Elemwise{mul,no_inplace}``) for a gradient formula's
    unnamed ``Elemwise{mul}``; None for any other op."""
    if type(op) is Elemwise and _GRAD_OPS.get(op.scalar_op) is op:
        from .math import elemwise

        return elemwise(op.scalar_op.name)
    return None


def _theano_name(sop):
    """Theano's name of the Elemwise of scalar op ``sop``."""
    if isinstance(sop, ps.Composite):
        return f"Elemwise{{Composite{{{composite_formula(sop)}}}}}"
    if isinstance(sop, ps.Cast):
        return f"Elemwise{{Cast{{{sop.dtype}}}}}"
    return f"Elemwise{{{sop.name},no_inplace}}"


def _one():
    from .variable import constant

    return constant(np.int64(1))


def _check_dtypes(sop, dtypes, name):
    if sop.name in ("and_", "or_", "xor", "invert") and any(d.startswith(("float", "complex")) for d in dtypes):
        raise TypeError(f"{name} needs integer or boolean inputs, got {', '.join(dtypes)}")
    if sop.name in _REAL_ONLY and any(d.startswith("complex") for d in dtypes):
        raise TypeError(f"{name} is not defined for complex inputs ({', '.join(dtypes)})")
    # bool inputs of neg/sub/sgn: the scalar op's dtype rule raises TypeError (bools="error")


# ops with no complex meaning (ordering, rounding) or whose special function is real-only
_REAL_ONLY = frozenset((
    "int_div", "mod", "maximum", "minimum", "floor", "ceil", "trunc", "round_half_away_from_zero", "lt", "gt",
    "le", "ge", "clip", "arctan2", "sigmoid", "softplus", "erf", "erfc", "erfinv", "gammaln", "psi",
    "tri_gamma",
))


def weak_convert(inputs, opname="op"):
    """Convert inputs to tensors, giving Python scalars NumPy 2's weak promotion (``opname``, a
    name or the op itself, names the culprit in errors)."""
    tensors = [i for i in inputs if isinstance(i, _TensorMixin)]
    if len(tensors) == len(inputs):
        return list(inputs)
    strong = tuple([t.type.dtype for t in tensors])
    out = []
    for i in inputs:
        if isinstance(i, _TensorMixin):
            out.append(i)
        elif isinstance(i, Variable):
            raise TypeError(f"{opname}: input {i} of type {i.type} is not a tensor")
        elif isinstance(i, _PY_SCALARS) and not isinstance(i, np.generic) and strong:
            out.append(_weak_constant(i, _weak_dtype(strong, i)))
        else:
            out.append(as_tensor_variable(i))
    return out


_PY_SCALARS = (bool, int, float, complex)
_weak_dtypes: dict = {}  # (strong dtypes, Python type) -> result dtype name


def _weak_dtype(strong, value):
    """The dtype a Python scalar takes beside tensors of dtypes ``strong`` (NEP 50 weak promotion).

    NumPy's answer depends on the scalar's type only, never on its value, so it is remembered.
    """
    key = (strong, type(value))
    dt = _weak_dtypes.get(key)
    if dt is None:
        sd = [np.dtype(d) for d in strong]
        try:
            dt = np.result_type(*sd, value)
        except (OverflowError, TypeError):
            return np.result_type(*sd, np.min_scalar_type(value)).name  # not remembered: value-dependent
        if isinstance(value, bool):
            dt = np.dtype("bool") if all(s == np.dtype("bool") for s in sd) else dt
        dt = _weak_dtypes[key] = dt.name
    return dt


_weak_values: dict = {}  # (dtype, Python type, value, sign) -> (scalar TensorType, read-only array)


def _weak_constant(value, dtype):
    """A scalar constant of ``dtype`` holding ``value``; type and array are shared between equal
    values (the array is read-only), so each use costs one small object.  The constant
    remembers ``value`` as written (``tag.literal``: ``x ** 2`` prints ``TensorConstant{2}``)."""
    tv = type(value)
    if tv is float:
        key = (dtype, tv, value, math.copysign(1.0, value))  # keeps -0.0 apart from 0.0
    elif tv is int or tv is bool:
        key = (dtype, tv, value)
    else:
        key = None
    hit = _weak_values.get(key) if key is not None else None
    if hit is None:
        arr = np.asarray(value, dtype=dtype)  # out-of-range ints raise OverflowError, as in NumPy
        arr.setflags(write=False)
        hit = (TensorType(dtype, shape=()), arr)
        if key is not None:
            if len(_weak_values) > 4096:
                _weak_values.clear()
            _weak_values[key] = hit
    c = constant_of_array(hit[0], hit[1])
    c._literal = value
    return c


def pad_left(x, ndim):
    """``x`` with broadcastable axes added on the left up to ``ndim`` dimensions."""
    if x.ndim == ndim:
        return x
    key = (x.broadcastable, ndim)
    op = _pad_ops.get(key)
    if op is None:
        op = _pad_ops[key] = DimShuffle(x.broadcastable, ["x"] * (ndim - x.ndim) + list(range(x.ndim)))
    return op(x)


_pad_ops: dict = {}  # (input broadcastable pattern, ndim) -> the DimShuffle that pads it
_CACHE_SIZE = 4096  # per-op caches of output types are emptied beyond this many entries


def broadcast_static_shapes(shapes, opname="op", inputs=None):
    out = []
    for d, dims in enumerate(zip(*shapes)):
        known = {s for s in dims if s is not None and s != 1}
        if len(known) > 1:
            desc = ", ".join(f"{i} {i.type}" if inputs else str(s) for i, s in zip(inputs or shapes, shapes))
            raise ValueError(
                f"{opname}: input shapes {[tuple('?' if s is None else s for s in sh) for sh in shapes]} "
                f"cannot be broadcast together (axis {d}; inputs: {desc})"
            )
        if known:
            out.append(known.pop())
        elif all(s == 1 for s in dims):
            out.append(1)
        else:
            out.append(None)
    return tuple(out)


def check_runtime_broadcast(node, inputs):
    """Raise when arrays cannot broadcast, or a non-broadcastable axis would be broadcast."""
    try:
        out_shape = np.broadcast_shapes(*[a.shape for a in inputs])
    except ValueError:
        raise ValueError(
            f"shape mismatch: input shapes {[a.shape for a in inputs]} cannot be broadcast together"
        ) from None
    for a, v in zip(inputs, node.inputs):
        if a.shape == out_shape:
            continue
        bc = v.type.broadcastable
        for d, (s, o) in enumerate(zip(a.shape, out_shape)):
            if s != o and not bc[d]:
                raise ValueError(
                    f"input shapes {[a.shape for a in inputs]} would need run-time broadcasting of "
                    f"axis {d}, which is not marked broadcastable in the input types "
                    f"{[str(v.type) for v in node.inputs]}; declare it broadcastable (e.g. T.row / T.col, "
                    f"or x.dimshuffle) to broadcast it"
                )


def insert_axes_order(axes, ndim):
    """The DimShuffle order of an ``ndim``-d result with new broadcastable axes at ``axes`` and the
    input's axes, in order, everywhere else (keepdims after a reduction, expand_dims)."""
    order, j = [], 0
    for i in range(ndim):
        if i in axes:
            order.append("x")
        else:
            order.append(j)
            j += 1
    return tuple(order)


class DimShuffle(Op):
    """Reorder axes, insert broadcastable axes ('x') and drop broadcastable ones.

    ``new_order`` lists input axes in their new positions, with 'x' for a new
    axis of length 1; input axes left out must be broadcastable.
    """

    __props__ = ("input_broadcastable", "new_order")
    view_map = {0: [0]}

    def __init__(self, input_broadcastable, new_order):
        self.input_broadcastable = tuple(bool(b) for b in input_broadcastable)
        nd = len(self.input_broadcastable)
        order = []
        for o in new_order:
            if o == "x":
                order.append("x")
            else:
                o = int(o)
                if o < 0:
                    o += nd
                if not 0 <= o < nd:
                    raise ValueError(f"dimshuffle: axis {o} out of range for a {nd}-d input")
                order.append(o)
        self.new_order = tuple(order)
        kept = [o for o in order if o != "x"]
        if len(set(kept)) != len(kept):
            raise ValueError(f"dimshuffle: repeated axis in {new_order}")
        self.drop = tuple(i for i in range(nd) if i not in kept)
        for i in self.drop:
            if not self.input_broadcastable[i]:
                raise ValueError(
                    f"dimshuffle{tuple(new_order)}: cannot drop axis {i}, it is not broadcastable"
                )
        self.shuffle = tuple(kept)
        self.augment = tuple(i for i, o in enumerate(order) if o == "x")
        ranks = sorted(kept)
        perm = tuple(ranks.index(k) for k in kept)
        self.perm = None if perm == tuple(range(len(perm))) else perm
        self._hash = hash((DimShuffle, (self.input_broadcastable, self.new_order)))
        self._out_types = {}  # input type -> output type

    def __eq__(self, other):
        return other is self or (type(other) is type(self) and other.new_order == self.new_order
                                 and other.input_broadcastable == self.input_broadcastable)

    def __hash__(self):
        return self._hash

    def __reduce__(self):
        return (type(self), (self.input_broadcastable, self.new_order))

    def __setstate__(self, d):
        """Pickles made before ``__reduce__`` carried the ``__dict__``: rebuild the derived fields."""
        self.__init__(d["input_broadcastable"], d["new_order"])

    def __str__(self):
        return "InplaceDimShuffle{" + ",".join(map(str, self.new_order)) + "}"  # Theano: a view, inplace by default

    def make_node(self, x):
        x = as_tensor_variable(x)
        t = self._out_types.get(x.type)
        if t is None:
            if len(self._out_types) > _CACHE_SIZE:
                self._out_types.clear()
            t = self._out_types[x.type] = self._out_type(x)
        return Apply(self, [x], [t.make_variable()])

    def _out_type(self, x):
        """The output type for input ``x`` (checking that it fits this shuffle)."""
        if x.type.broadcastable != self.input_broadcastable:
            if len(x.type.broadcastable) != len(self.input_broadcastable):
                raise TypeError(
                    f"{self} expects a {len(self.input_broadcastable)}-d input, got {x.type}"
                )
            for i in self.drop:
                if not x.type.broadcastable[i]:
                    raise TypeError(f"{self}: input axis {i} of {x.type} is not broadcastable")
        shape = [1 if o == "x" else x.type.shape[o] for o in self.new_order]
        return TensorType(x.dtype, shape=shape)

    def perform(self, node, inputs, output_storage):
        (x,) = inputs
        res = x
        if self.drop:
            res = res.reshape([s for i, s in enumerate(res.shape) if i not in self.drop])
        if self.perm is not None:
            res = np.transpose(res, self.perm)
        if self.augment:
            shp = list(res.shape)
            for i in self.augment:
                shp.insert(i, 1)
            res = res.reshape(shp)
        output_storage[0][0] = res if type(res) is np.ndarray else np.asarray(res)

    def infer_shape(self, fgraph, node, input_shapes):
        (ishp,) = input_shapes
        return [tuple(_one() if o == "x" else ishp[o] for o in self.new_order)]

    def L_op(self, inputs, outputs, output_grads):
        (x,), (gz,) = inputs, output_grads
        # invert: drop the augmented axes, transpose back, re-insert the dropped ones
        gz_b = gz.type.broadcastable
        kept_positions = [i for i, o in enumerate(self.new_order) if o != "x"]
        from . import math as tm

        g = gz
        aug = [i for i, o in enumerate(self.new_order) if o == "x"]
        if aug and not all(gz_b[i] for i in aug):
            g = tm.sum(g, axis=aug, keepdims=True)
        inv = [None] * len(self.input_broadcastable)
        for pos, axis in zip(kept_positions, self.shuffle):
            inv[axis] = pos
        order = ["x" if inv[a] is None else inv[a] for a in range(len(self.input_broadcastable))]
        g = DimShuffle(g.type.broadcastable, order)(g)
        if g.dtype != x.dtype and x.dtype.startswith(("float", "complex")):
            g = tm.cast(g, x.dtype)
        return [g]

    def R_op(self, inputs, eval_points):
        return [self(eval_points[0])] if eval_points[0] is not None else [None]
