"""Indexing from Python: ``x[idx]`` (``getitem``) classified into basic and advanced indexing,
``set_subtensor`` / ``inc_subtensor`` and ``take``; the ops themselves are in ``subtensor``."""
from __future__ import annotations

import numpy as np

from ..graph import Variable
from .elemwise import DimShuffle
from .variable import _TensorMixin, as_tensor_variable, constant
from . import basic, shape_ops
from .subtensor import (_INT_KINDS, AdvancedIncSubtensor, AdvancedSubtensor, IncSubtensor, Subtensor, _const_value,
                        _describe, _int64, _is_int_dtype, _scalar_input)

__all__ = ["getitem", "set_subtensor", "inc_subtensor", "take"]


# ------------------------------------------------------------- front end


def _classify(x, idx):
    """Turn a user index into a list of (kind, payload) entries.

    kinds: 'int' (symbolic int scalar), 'slice' (tuple of 3 symbolic-or-None),
    'newaxis', 'ellipsis', 'array' (int tensor), 'bool' (bool tensor).
    """
    if not isinstance(idx, tuple):
        idx = (idx,)
    entries = []
    for i in idx:
        if i is None:
            entries.append(("newaxis", None))
        elif i is Ellipsis:
            entries.append(("ellipsis", None))
        elif isinstance(i, slice):
            parts = []
            for name in ("start", "stop", "step"):
                v = getattr(i, name)
                if v is None:
                    parts.append(None)
                else:
                    parts.append(_scalar_input(v, x, f"slice {name}"))
            if parts[2] is not None and _const_value(parts[2]) == 0:
                raise ValueError(f"slice step cannot be zero (indexing {_describe(x)})")
            entries.append(("slice", tuple(parts)))
        elif isinstance(i, (bool, np.bool_)):
            entries.append(("bool", constant(np.asarray(bool(i)))))
        elif isinstance(i, (int, np.integer)):
            entries.append(("int", _int64(int(i))))
        elif isinstance(i, (float, np.floating, complex, np.complexfloating, str, bytes)):
            raise TypeError(
                f"index {i!r} ({type(i).__name__}) for {_describe(x)} is not valid: only integers, "
                f"slices, None, Ellipsis and integer or boolean arrays are valid indices"
            )
        elif isinstance(i, _TensorMixin):
            entries.append(_classify_tensor(x, i))
        elif isinstance(i, Variable):
            raise TypeError(f"index {i} of type {i.type} for {_describe(x)} is not a tensor; it cannot index")
        elif isinstance(i, (list, tuple, np.ndarray)):
            if isinstance(i, np.ndarray):
                a = i
            else:
                try:
                    a = np.asarray(i)
                except ValueError:
                    a = None
                if a is None or a.dtype == object:
                    entries.append(_classify_tensor(x, _stack_index(i)))
                    continue
            if a.size == 0 and a.dtype.kind == "f":
                a = a.astype("int64")
            if a.dtype.kind in _INT_KINDS and a.ndim == 0:
                entries.append(("int", _int64(int(a))))
            elif a.dtype.kind in _INT_KINDS or a.dtype.kind == "b":
                entries.append(_classify_tensor(x, constant(a)))
            else:
                raise TypeError(
                    f"array index of dtype {a.dtype} for {_describe(x)} is not valid: arrays used as "
                    f"indices must be of integer or boolean type"
                )
        else:
            raise TypeError(
                f"index {i!r} ({type(i).__name__}) for {_describe(x)} is not valid: only integers, "
                f"slices, None, Ellipsis and integer or boolean arrays are valid indices"
            )
    return entries


def _stack_index(seq):
    """A list/tuple holding symbolic scalars (maybe nested) as one symbolic array."""
    if isinstance(seq, (list, tuple)):
        if not any(isinstance(e, Variable) for e in _flatten_seq(seq)):
            return constant(np.asarray(seq))
        parts = [_stack_index(e) for e in seq]
        dt = np.result_type(*[np.dtype(p.dtype) for p in parts]).name
        from . import math as tm

        return basic.stack([tm.cast(p, dt) for p in parts])
    return as_tensor_variable(seq)


def _flatten_seq(seq):
    for e in seq:
        if isinstance(e, (list, tuple)):
            yield from _flatten_seq(e)
        else:
            yield e


def _classify_tensor(x, t):
    if t.dtype == "bool":
        return ("bool", t)
    if not _is_int_dtype(t.dtype):
        raise TypeError(
            f"index {t} of type {t.type} for {_describe(x)} is not valid: indices must be integers "
            f"(or boolean masks); cast it with T.cast(..., 'int64')"
        )
    if t.ndim == 0:
        return ("int", t)
    return ("array", t)


def _expand(x, entries):
    """Replace Ellipsis by full slices; check the number of indexed dimensions."""
    consumed = 0
    n_ell = 0
    for kind, p in entries:
        if kind in ("int", "slice", "array"):
            consumed += 1
        elif kind == "bool":
            consumed += p.ndim
        elif kind == "ellipsis":
            n_ell += 1
    if n_ell > 1:
        raise IndexError(f"an index can only have a single ellipsis ('...'), indexing {_describe(x)}")
    if consumed > x.ndim:
        raise IndexError(
            f"too many indices for {_describe(x)}: it is {x.ndim}-dimensional, but {consumed} were indexed"
        )
    out = []
    full = ("slice", (None, None, None))
    for kind, p in entries:
        if kind == "ellipsis":
            if x.ndim == consumed:
                # NumPy: an Ellipsis standing for no axis still separates advanced indices
                out.append(("ellipsis", None))
            out.extend([full] * (x.ndim - consumed))
        else:
            out.append((kind, p))
    # trailing full slices change nothing (unless an empty Ellipsis is kept: NumPy would
    # then stretch it over the axes they stood for)
    while out and out[-1] == full and ("ellipsis", None) not in out:
        out.pop()
    return out


def _to_idx_list(entries):
    idx_list, inputs = [], []
    for kind, p in entries:
        if kind == "int":
            idx_list.append("int")
            inputs.append(p)
        elif kind == "slice":
            idx_list.append(("slice",) + tuple(v is not None for v in p))
            inputs.extend(v for v in p if v is not None)
        elif kind in ("newaxis", "ellipsis"):
            idx_list.append(kind)
        else:
            idx_list.append((kind, p.ndim))
            inputs.append(p)
    return tuple(idx_list), inputs


def getitem(x, idx):
    """``x[idx]`` with NumPy's semantics (basic or advanced indexing)."""
    x = as_tensor_variable(x)
    entries = _expand(x, _classify(x, idx))
    if any(k in ("array", "bool") for k, _ in entries):
        idx_list, inputs = _to_idx_list(entries)
        return AdvancedSubtensor(idx_list)(x, *inputs)
    real = [(k, p) for k, p in entries if k not in ("newaxis", "ellipsis")]
    idx_list, inputs = _to_idx_list(real)
    out = Subtensor(idx_list)(x, *inputs)
    if not any(k == "newaxis" for k, _ in entries):
        return out
    # newaxis: a DimShuffle inserting broadcastable axes into the Subtensor's result
    order, j = [], 0
    for k, _ in entries:
        if k == "newaxis":
            order.append("x")
        elif k == "slice":
            order.append(j)
            j += 1
    order.extend(range(j, out.ndim))
    return DimShuffle(out.type.broadcastable, order)(out)


# ---------------------------------------------------------- set / inc


def _indexed_parts(v, fname):
    """(kind, op, x, index inputs, newaxis axes) of an indexed expression ``x[idx]``."""
    if not isinstance(v, Variable) or v.owner is None:
        raise TypeError(
            f"{fname}: the first argument must be an indexed expression such as x[1:3] "
            f"(its owner is the indexing op); got {v!r}" + (f" of type {v.type}" if isinstance(v, Variable) else "")
        )
    node = v.owner
    op = node.op
    if isinstance(op, (Subtensor, AdvancedSubtensor)):
        return op, node.inputs[0], node.inputs[1:], ()
    if isinstance(op, DimShuffle):
        inner = node.inputs[0]
        kept = [o for o in op.new_order if o != "x"]
        if (
            inner.owner is not None
            and isinstance(inner.owner.op, Subtensor)
            and not op.drop
            and kept == list(range(inner.ndim))
        ):
            aug = tuple(i for i, o in enumerate(op.new_order) if o == "x")
            return inner.owner.op, inner.owner.inputs[0], inner.owner.inputs[1:], aug
    raise TypeError(
        f"{fname}: the first argument must be an indexed expression such as x[1:3] or x[[0, 2]]; "
        f"{v} is the output of {op}, not of an indexing op"
    )


def _drop_new_axes(y, ndim_outer, aug):
    """Turn y (broadcastable to the newaxis-expanded region) into y for the inner region."""
    from . import math as tm

    y = as_tensor_variable(y)
    if y.ndim < ndim_outer:
        y = DimShuffle(y.broadcastable, ["x"] * (ndim_outer - y.ndim) + list(range(y.ndim)))(y)
    for a in aug:
        if y.type.shape[a] not in (1, None):
            raise ValueError(f"value {y} of type {y.type} cannot be broadcast to size 1 on new axis {a}")
    # axes of unknown size on a new axis must be 1 at run time: summing over them is exact then
    unknown = [a for a in aug if y.type.shape[a] is None]
    if unknown:
        y = tm.sum(y, axis=unknown, keepdims=True)
    order = [i for i in range(y.ndim) if i not in aug]
    return DimShuffle(y.broadcastable, order)(y)


def inc_subtensor(x, y, inplace=False, set_instead_of_inc=False, tolerate_inplace_aliasing=False,
                  ignore_duplicates=False):
    """``x`` is an indexed expression ``a[idx]``: return ``a`` with ``a[idx] += y``.

    Repeated indices accumulate (like ``numpy.add.at``) unless ``ignore_duplicates``.
    """
    fname = "set_subtensor" if set_instead_of_inc else "inc_subtensor"
    op, base, index, aug = _indexed_parts(x, fname)
    if aug:
        y = _drop_new_axes(y, x.ndim, aug)
    if isinstance(op, Subtensor):
        return IncSubtensor(op.idx_list, set_instead_of_inc=set_instead_of_inc)(base, y, *index)
    return AdvancedIncSubtensor(op.idx_list, set_instead_of_inc=set_instead_of_inc,
                                ignore_duplicates=ignore_duplicates)(base, y, *index)


def set_subtensor(x, y, inplace=False, tolerate_inplace_aliasing=False):
    """``x`` is an indexed expression ``a[idx]``: return ``a`` with ``a[idx] = y``."""
    return inc_subtensor(x, y, inplace=inplace, set_instead_of_inc=True,
                         tolerate_inplace_aliasing=tolerate_inplace_aliasing)


def take(a, indices, axis=None, mode="raise"):
    """``numpy.take``: elements of ``a`` at ``indices`` along ``axis`` (flattened when None)."""
    if mode != "raise":
        raise ValueError(f"take: only mode='raise' is supported, got {mode!r}")
    a = as_tensor_variable(a)
    if axis is None:
        a = shape_ops.flatten(a, 1) if a.ndim != 1 else a
        axis = 0
    if not isinstance(axis, (int, np.integer)):
        raise TypeError(f"take: axis must be an integer or None, got {axis!r}")
    axis = int(axis)
    if not -a.ndim <= axis < a.ndim:
        raise ValueError(f"take: axis {axis} is out of bounds for {_describe(a)}")
    axis %= a.ndim
    if isinstance(indices, (list, tuple)) and not any(isinstance(e, Variable) for e in indices):
        indices = np.asarray(indices)
        if indices.size == 0:
            indices = indices.astype("int64")
    if not isinstance(indices, Variable):
        arr = np.asarray(indices)
        if arr.dtype.kind not in _INT_KINDS:
            raise TypeError(f"take: indices must be integers, got dtype {arr.dtype}")
    else:
        indices = as_tensor_variable(indices)
        if not _is_int_dtype(indices.dtype):
            raise TypeError(f"take: indices {indices} of type {indices.type} must be integers")
    return getitem(a, (slice(None),) * axis + (indices,))


