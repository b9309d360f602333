"""``Model.flatten``: several variables seen as slices of one flat vector (PyMC3's FlatView)."""
from __future__ import annotations

import collections

import arignote.tensor as T

from .blocking import ArrayOrdering

FlatView = collections.namedtuple("FlatView", "input, replacements, view")


def flatten(vars, order=None, inputvar=None):
    """``FlatView(input, replacements, view)`` for ``vars`` laid out by ``order`` (an ArrayOrdering)."""
    order = ArrayOrdering(vars) if order is None else order
    if inputvar is None:
        inputvar = T.vector("flat_view", dtype="float64")
    by_name = {v.name: v for v in vars}
    replacements = {}
    for vm in order.vmap:
        piece = T.reshape(inputvar[vm.slc], vm.shp) if vm.shp else inputvar[vm.slc.start]
        replacements[by_name[vm.var]] = T.cast(piece, vm.dtyp) if vm.dtyp != inputvar.dtype else piece
    return FlatView(inputvar, replacements, {vm.var: vm for vm in order.vmap})
