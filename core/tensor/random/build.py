"""From user arguments (size, parameters, dtype) to a RandomVariable node."""
from __future__ import annotations

import numpy as np

from ...graph import Variable, _set_trace, user_frame
from ..variable import _TensorMixin, as_tensor_variable, constant
from .distributions import get
from .op import RandomVariable


def _empty_size():
    return constant(np.zeros(0, dtype="int64"))


def size_vector(size, ndim=None):
    """(int64 size vector, whether a size was given) from ``size``: None, an int, a tuple of
    ints/integer scalars, or an integer vector (``x.shape``)."""
    from ..shape_ops import _as_int_vector, _shape_entries, make_vector

    if size is None:
        return _empty_size(), False
    if isinstance(size, _TensorMixin) and size.ndim == 1:
        v = _as_int_vector(size, "size")
        if v.type.shape[0] is None:
            if ndim is None:
                raise ValueError(f"size {size} is a symbolic vector of unknown length: pass ndim= to say how "
                                 "many dimensions the draw has")
            v = make_vector(*[v[k] for k in range(int(ndim))], dtype="int64")
        n = v.type.shape[0]
        return v, n > 0
    if isinstance(size, Variable) and not isinstance(size, _TensorMixin):
        raise TypeError(f"size must be a shape, got {size} of type {size.type}")
    if isinstance(size, (list, tuple)) and any(e is None for e in size):
        raise TypeError(f"size {size!r} has an entry None; give every length (an int or an integer scalar)")
    entries = _shape_entries(size, "size")
    if not entries:
        return _empty_size(), False
    if all(getattr(e, "data", None) is not None for e in entries):
        vals = [int(e.data) for e in entries]
        if any(v < 0 for v in vals):
            raise ValueError(f"size {tuple(vals)} has a negative length")
        return constant(np.array(vals, dtype="int64")), True
    return make_vector(*entries, dtype="int64"), True


def _as_param(x, name, dist):
    if isinstance(x, Variable) and not isinstance(x, _TensorMixin):
        raise TypeError(f"{dist}: parameter {name!r} must be a tensor, got {x} of type {x.type}")
    try:
        return as_tensor_variable(x)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{dist}: parameter {name!r} must be a number, an array or a tensor, got {x!r}: {e}") from None


def output_dtype(dist, raw_params, params, dtype):
    """Theano's rule: continuous draws are ``config.floatX`` upcast with the parameters' dtypes
    (Python numbers do not widen it); discrete ones int64; an explicit ``dtype`` wins."""
    from ...config import config

    if dtype is not None:
        return config.floatX if dtype == "floatX" else np.dtype(dtype).name
    d = get(dist)
    if d.dtype != "floatX":
        return d.dtype
    out = np.dtype(config.floatX)
    for raw, p in zip(raw_params, params):
        if isinstance(raw, (Variable, np.ndarray, np.generic)):
            out = np.promote_types(out, p.dtype)
    return out.name


def random_variable(dist, rng, size=None, params=(), ndim=None, dtype=None, options=()):
    """(new generator, draw) for ``dist`` drawn from the generator variable ``rng``."""
    d = get(dist)
    vars_ = [_as_param(p, n, dist) for p, n in zip(params, d.params)]
    dt = output_dtype(dist, params, vars_, dtype)
    size_var, has_size = size_vector(size, ndim)
    op = RandomVariable(dist, dt, has_size, tuple(sorted(dict(options).items())))
    node = op.make_node(rng, size_var, *vars_)
    _set_trace(node, user_frame())  # errors at run time name the user's line
    out = node.outputs[1]
    if ndim is not None and out.ndim != ndim + d.ndim_supp and out.ndim != ndim:
        raise ValueError(f"{dist}: ndim={ndim} disagrees with the size {size} and parameters, which give "
                         f"a draw of {out.ndim} dimension(s)")
    return node.outputs[0], out
