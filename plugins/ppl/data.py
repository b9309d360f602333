"""Observed data and ``Data`` containers (shared variables the model can swap)."""
from __future__ import annotations

import numpy as np

import arignote
import arignote.tensor as T
from arignote.graph import Variable
from arignote.shared import SharedVariable

from .context import modelcontext


def pandas_to_array(data):
    """NumPy view of pandas objects, lists and scalars; symbolic values pass through."""
    if isinstance(data, Variable):
        return data
    if hasattr(data, "to_numpy"):
        return data.to_numpy()
    if hasattr(data, "values") and not isinstance(data, dict):
        return np.asarray(data.values)
    if isinstance(data, np.ma.MaskedArray):
        return data
    return np.asarray(data)


def _data_dtype(arr, dist):
    want = np.dtype(dist.dtype)
    if want.kind in "iub" and arr.dtype.kind == "f":
        if not np.all(np.isnan(arr) | (arr == np.round(arr))):
            raise TypeError(f"observed data of a discrete distribution ({type(dist).__name__}) has non-integer values")
        return want
    if want.kind == "f":
        return np.dtype(arignote.config.floatX) if arr.dtype.kind in "iubf" else arr.dtype
    return want


def as_observed(data, dist, name):
    """(symbolic value, NumPy array or None, mask of missing entries or None) of ``observed=`` data."""
    data = pandas_to_array(data)
    mask = None
    if isinstance(data, Variable):
        value = data
        shape = tuple(data.type.shape)
        if hasattr(data, "distribution") and not isinstance(data, SharedVariable):
            raise TypeError(f"observed data of {name!r} must be data (array, pandas, shared), "
                            f"got the random variable {data.name}")
        arr = None
    else:
        if np.ma.isMaskedArray(data):
            mask = np.ma.getmaskarray(data)
            arr = np.asarray(data.filled(0) if data.dtype.kind != "O" else data)
        else:
            arr = np.asarray(data)
            if arr.dtype.kind == "f" and np.isnan(arr).any():
                mask = np.isnan(arr)
                arr = np.where(mask, 0, arr)
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"observed data of {name!r} must be numeric, got dtype {arr.dtype}")
        if mask is not None and not mask.any():
            mask = None
        arr = arr.astype(_data_dtype(arr, dist), copy=False)
        value = T.constant(arr)
        shape = arr.shape
    _check_shape(name, dist, shape)
    return value, arr, mask


def _check_shape(name, dist, shape):
    """Observed data must match an explicit ``shape=`` and broadcast with the parameters."""
    shape = tuple(shape)
    if dist.ndim_supp:
        k = dist.shape[-1] if dist.shape else None
        if k is not None and shape and shape[-1] is not None and shape[-1] != k:
            raise ValueError(f"observed data of {name!r} has shape {shape} but {type(dist).__name__} "
                             f"draws vectors of length {k}")
        return
    if dist.shape_given and tuple(dist.shape) != shape and all(s is not None for s in shape):
        raise ValueError(f"observed data of {name!r} has shape {shape} but the distribution "
                         f"{type(dist).__name__} was given shape={tuple(dist.shape)}")
    core = getattr(dist, "param_core_ndims", {})
    for pname, p in dist.param_items():
        ps = tuple(p.type.shape)
        ps = ps[: len(ps) - core.get(pname, 0)]  # a trailing axis of categories does not broadcast
        ok = len(ps) <= len(shape) and all(a is None or b is None or a in (b, 1)
                                            for a, b in zip(reversed(ps), reversed(shape)))
        if not ok:
            raise ValueError(f"observed data of {name!r} has shape {shape}, which does not "
                             f"broadcast with parameter {pname!r} of {type(dist).__name__} (shape {ps})")


def Data(name, value, model=None, dims=None, export_index_as_coords=False):
    """A named shared container of data in the model; change it with ``set_data``."""
    model = modelcontext(model)
    if export_index_as_coords:
        dims = _export_pandas_coords(model, name, value, dims)
    arr = pandas_to_array(value)
    arr = np.asarray(arr)
    if arr.dtype.kind in "iub":
        arr = arr.astype(np.int64) if arr.dtype.kind != "b" else arr
    elif arr.dtype.kind == "f":
        arr = arr.astype(arignote.config.floatX)
    sv = arignote.shared(arr, name=model.name_for(name))
    sv.model = model
    model._check_name(sv.name)
    model._record_dims(sv.name, dims)
    model.add_random_variable(sv)
    return sv


def _export_pandas_coords(model, name, value, dims):
    """Coords named after a pandas object's index (and columns); returns the dims they name."""
    axes = [getattr(value, "index", None), getattr(value, "columns", None)]
    axes = [a for a in axes if a is not None]
    if not axes:
        raise TypeError(f"Data {name!r}: export_index_as_coords needs a pandas Series or DataFrame, "
                        f"got {type(value).__name__}")
    dims = list(dims) if dims is not None else [a.name or f"{name}_dim_{i}" for i, a in enumerate(axes)]
    for dim, axis in zip(dims, axes):
        model.add_coord(dim, list(axis))
    return tuple(dims)


class MutableData:
    def __new__(cls, name, value, model=None, dims=None, **kwargs):
        return Data(name, value, model=model, dims=dims)


class ConstantData:
    def __new__(cls, name, value, model=None, dims=None, **kwargs):
        return Data(name, value, model=model, dims=dims)
