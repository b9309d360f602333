"""RandomVariable: the op that draws from a distribution.

Inputs are the generator, the requested size (an int64 vector; empty when
the draw takes its shape from the parameters) and the parameters; outputs
are the advanced generator and the draw.  The op never mutates the generator
it is given: it draws from a copy and returns that copy, so a function
compiled with ``no_default_updates`` leaves the shared generator as it was,
and a function's state update is one assignment like any other shared update.

Copying a generator costs more than most draws (about 230 us for a
RandomState, 25 us for a Generator), so when a function's only use of a
shared generator is to draw from it and store the advanced generator back
(its default update), the ``random_inplace`` rewrite switches the node to
``inplace=True``: it then advances the shared generator itself, as Theano's
in-place RandomFunction did.  Such a function's generator has advanced even
when a later node of the same call fails.
"""
from __future__ import annotations

import copy

import numpy as np

from ...graph import Apply, Op, Variable
from ...types import TensorType
from .distributions import REGISTRY, draw_batched, get
from .type import RandomType


class RandomVariable(Op):
    """Draw from ``dist`` (a name in :mod:`.distributions`) into an array of ``dtype``.

    ``has_size``: the size input gives the batch shape (else the parameters'
    broadcast shape does); ``options``: (name, value) pairs the draw needs
    (``replace`` for choice).  Printed as Theano printed it,
    ``RandomFunction{uniform}``.
    """

    __props__ = ("dist", "dtype", "has_size", "options", "inplace")
    default_output = 1
    constant_foldable = False  # a draw is not a constant even when its inputs are

    def __init__(self, dist, dtype, has_size, options=(), inplace=False):
        self.dist = get(dist).name
        self.dtype = np.dtype(dtype).name
        self.has_size = bool(has_size)
        self.options = tuple(options)
        self._opts = dict(self.options)
        self.inplace = bool(inplace)
        self.destroy_map = {0: [0]} if self.inplace else {}

    def __str__(self):
        return f"RandomFunction{{{self.dist}{',inplace' if self.inplace else ''}}}"

    __repr__ = __str__

    def clone_inplace(self):
        """This op, advancing the generator it is given instead of a copy."""
        return type(self)(self.dist, self.dtype, self.has_size, self.options, inplace=True)

    @property
    def _dist(self):
        return get(self.dist)

    def make_node(self, rng, size, *params):
        d = self._dist
        if not isinstance(rng, Variable) or not isinstance(rng.type, RandomType):
            raise TypeError(f"{self}: the first input must be a random generator variable, got {rng!r}")
        n_opt = 1 if d.name == "choice" else 0
        if not len(d.params) - n_opt <= len(params) <= len(d.params):
            raise TypeError(f"{self} takes the parameters ({', '.join(d.params)}), got {len(params)}")
        for name, p, k in zip(d.params, params, d.ndims_params):
            if not isinstance(getattr(p, "type", None), TensorType):
                raise TypeError(f"{self}: parameter {name!r} must be a tensor, got {p!r}")
            if p.ndim < k and not (d.name == "choice" and name == "a"):
                raise ValueError(f"{self}: parameter {name!r} needs at least {k} dimension(s), "
                                 f"got {p} of type {p.type}")
        batch = _static_batch(size, params, d, self.has_size)
        supp = list(d.supp_shape(params, self._opts)) if d.supp_shape else []
        out = TensorType(self.dtype, shape=batch + supp).make_variable()
        return Apply(self, [rng, size, *params], [rng.type.make_variable(), out])

    def perform(self, node, inputs, output_storage):
        rng, size, *params = inputs
        if not self.inplace:
            rng = copy.deepcopy(rng)
        size = tuple(size.tolist()) if self.has_size else None
        d = REGISTRY[self.dist]
        params = [np.asarray(p) for p in params]
        if any(p.ndim for p in params):
            _check_broadcast(self, node, params, size, d)
        try:
            x = draw_batched(d, rng, params, size, self._opts)
        except ValueError as e:
            args = ", ".join(f"{n}={_brief(p)}" for n, p in zip(d.params, params))
            raise ValueError(f"{self}: cannot draw with {args}" + (f", size={size}" if size else "") + f": {e}") from e
        output_storage[0][0] = rng
        output_storage[1][0] = np.asarray(x, dtype=self.dtype)

    def infer_shape(self, fgraph, node, input_shapes):
        from ..shape_ops import _vector_entries

        d = self._dist
        params = node.inputs[2:]
        if self.has_size:
            batch = list(_vector_entries(node.inputs[1], "size"))
        else:
            batch = _symbolic_batch(params, input_shapes[2:], d)
        supp = list(d.supp_len(params, self._opts)) if d.supp_len else []
        return [None, tuple(batch + supp)]

    def connection_pattern(self, node):
        return [[True, True], [False, True]] + [[False, True]] * (len(node.inputs) - 2)

    def L_op(self, inputs, outputs, output_grads):
        from ...grad_markers import _is_disconnected, grad_undefined

        params = inputs[2:]
        g = output_grads[1]
        none = [None, None]
        if _is_disconnected(g):
            return none + [None] * len(params)
        d = self._dist
        floats = [p.dtype.startswith("float") for p in params]
        if d.pathwise is None:
            why = (f"A draw from {self.dist!r} has no reparameterisation here: only draws from normal and "
                   "uniform are differentiable with respect to their (floating-point) parameters.")
            return none + [grad_undefined(self, 2 + k, p, why) if f else None
                           for k, (p, f) in enumerate(zip(params, floats))]
        grads = d.pathwise(params, outputs[1], g)
        return none + [_sum_to(gp, p) if f else None for gp, p, f in zip(grads, params, floats)]


def _sum_to(g, v):
    """``g`` summed over the axes ``v`` was broadcast along, with v's dtype."""
    from .. import math as tm

    lead = g.ndim - v.ndim
    if lead:
        g = tm.sum(g, axis=list(range(lead)))
    axes = [k for k in range(v.ndim) if v.type.broadcastable[k] and not g.type.broadcastable[k]]
    if axes:
        g = tm.sum(g, axis=axes, keepdims=True)
    return tm.cast(g, v.dtype) if g.dtype != v.dtype else g


def _batch_shapes(params, d):
    return [p.type.shape[:p.ndim - k] if p.ndim >= k else () for p, k in zip(params, d.ndims_params)]


def _static_batch(size, params, d, has_size):
    """Static batch shape of the draw: ints where known, else None."""
    if has_size:
        from ..shape_ops import _static_vector_values

        vals = _static_vector_values(size)
        if vals is None:
            raise ValueError("a random variable's size must have a known length; pass ndim= with a symbolic size")
        if d.name != "choice":
            _check_static_batch(d, params, list(vals))
        return list(vals)
    if d.name == "choice":
        return []
    shapes = _batch_shapes(params, d)
    n = max((len(s) for s in shapes), default=0)
    out = []
    for k in range(n):
        dims = [s[len(s) - n + k] for s in shapes if len(s) - n + k >= 0]
        known = [x for x in dims if x is not None and x != 1]
        if known:
            if len(set(known)) > 1:
                raise ValueError(f"the parameters' shapes {shapes} do not broadcast together")
            out.append(known[0])
        else:
            out.append(1 if all(x == 1 for x in dims) else None)
    return out


def _check_static_batch(d, params, size):
    """Each parameter's batch shape must broadcast to ``size`` (as far as the types tell)."""
    for name, b in zip(d.params, _batch_shapes(params, d)):
        if len(b) > len(size):
            raise ValueError(f"{d.name}: parameter {name!r} has {len(b)} batch dimension(s), more than "
                             f"size={_shape_str(size)} has")
        for j, n in enumerate(b):
            s = size[len(size) - len(b) + j]
            if n is not None and s is not None and n != 1 and n != s:
                raise ValueError(f"{d.name}: parameter {name!r} of batch shape {_shape_str(b)} does not "
                                 f"broadcast to size={_shape_str(size)}")


def _shape_str(s):
    return "(" + ", ".join("?" if e is None else str(e) for e in s) + ("," if len(s) == 1 else "") + ")"


def _symbolic_batch(params, shapes, d):
    """Symbolic batch shape when no size is given: the broadcast of the parameters' batch shapes."""
    from ..variable import constant

    if d.name == "choice":
        return []
    batches = [(s[:len(s) - k], p.type.broadcastable[:p.ndim - k]) for p, s, k in zip(params, shapes, d.ndims_params)]
    n = max((len(s) for s, _ in batches), default=0)
    out = []
    for k in range(n):
        pick = None
        for s, b in batches:
            j = len(s) - n + k
            if j >= 0 and not b[j]:
                pick = s[j]
                break
        out.append(pick if pick is not None else constant(np.int64(1)))
    return out


def _check_broadcast(op, node, params, size, d):
    """A parameter axis of length 1 that is not broadcastable in its type may not broadcast at run time."""
    if d.name == "choice":
        return
    batches = [p.shape[:p.ndim - k] for p, k in zip(params, d.ndims_params)]
    try:
        target = size if size is not None else np.broadcast_shapes(*batches)
    except ValueError:
        raise ValueError(f"{op}: the parameters' batch shapes {batches} do not broadcast together") from None
    for name, b, var, k in zip(d.params, batches, node.inputs[2:], d.ndims_params):
        lead = len(target) - len(b)
        if lead < 0:
            raise ValueError(f"{op}: parameter {name!r} of shape {b} has more batch dimensions than size={size}")
        for j, n in enumerate(b):
            if n == 1 and target[lead + j] != 1 and not var.type.broadcastable[j]:
                raise ValueError(
                    f"{op}: parameter {name!r} of shape {b} would need run-time broadcasting of axis {j} to "
                    f"{target}; that axis is not broadcastable in its type {var.type} (declare it broadcastable)")


def _brief(a):
    a = np.asarray(a)
    return repr(a.item()) if a.size == 1 else f"<array {a.shape}>"
