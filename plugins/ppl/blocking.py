"""PyMC3's ``pymc3.blocking``: the layout of variables in one flat array, and the maps between a
point dict and that array (or one variable's entry)."""
from __future__ import annotations

import collections

import numpy as np

__all__ = ["ArrayOrdering", "DictToArrayBijection", "DictToVarBijection"]

VarMap = collections.namedtuple("VarMap", "var, slc, shp, dtyp")


def _shape(var):
    shape = getattr(var, "dshape", None)
    if shape is None:
        dist = getattr(var, "distribution", None)
        shape = getattr(dist, "shape", None)
    if shape is None and getattr(var.tag, "test_value", None) is not None:
        shape = np.shape(var.tag.test_value)
    if shape is None:
        raise ValueError(f"Shape of variable not known {var.name}")
    return tuple(int(s) for s in shape)


class ArrayOrdering:
    """Where each of ``vars`` sits in a flat array: ``vmap`` (name, slice, shape, dtype) in order,
    ``by_name``, and the total ``size``."""

    def __init__(self, vars):
        self.vars = list(vars)
        self.vmap, self.by_name, self.size = [], {}, 0
        for var in self.vars:
            name = var.name
            if name is None:
                raise ValueError("Unnamed variable in ArrayOrdering.")
            if name in self.by_name:
                raise ValueError(f"Name of variable not unique: {name}.")
            shape = _shape(var)
            size = int(np.prod(shape, dtype=int))
            vm = VarMap(name, slice(self.size, self.size + size), shape, str(var.dtype))
            self.vmap.append(vm)
            self.by_name[name] = vm
            self.size += size


class DictToArrayBijection:
    """Maps a point dict to the flat array of ``ordering`` (``map``) and back (``rmap``, the other
    entries taken from ``dpoint``); ``mapf(f)`` makes a function of points a function of arrays."""

    def __init__(self, ordering, dpoint):
        self.ordering, self.dpt = ordering, dpoint
        dtypes = {vm.dtyp for vm in ordering.vmap}
        self.array_dtype = dtypes.pop() if len(dtypes) == 1 and dtypes <= {"float16", "float32"} else "float64"

    def map(self, dpt):
        apt = np.empty(self.ordering.size, dtype=self.array_dtype)
        for vm in self.ordering.vmap:
            apt[vm.slc] = np.ravel(dpt[vm.var])
        return apt

    def rmap(self, apt):
        dpt = dict(self.dpt)
        for vm in self.ordering.vmap:
            dpt[vm.var] = np.atleast_1d(apt)[vm.slc].reshape(vm.shp).astype(vm.dtyp)
        return dpt

    def mapf(self, f):
        return lambda apt: f(self.rmap(apt))


class DictToVarBijection:
    """Maps a point dict to entry ``idx`` of variable ``var`` (``map``) and back (``rmap``)."""

    def __init__(self, var, idx, dpoint):
        self.var, self.idx, self.dpt = str(getattr(var, "name", var)), idx, dpoint

    def map(self, dpt):
        return dpt[self.var][self.idx]

    def rmap(self, apt):
        dpt = dict(self.dpt)
        value = np.array(dpt[self.var], copy=True)
        value[self.idx] = apt
        dpt[self.var] = value
        return dpt

    def mapf(self, f):
        return lambda apt: f(self.rmap(apt))
