"""Theano's ``theano.tensor.inplace``: elementwise functions that overwrite their first input.

``add_inplace(a, b)`` computes ``a + b`` into ``a``'s storage (Theano's
``inplace_pattern={0: 0}``, a ``destroy_map`` of ``{0: [0]}``).  The result must
fit ``a``: same dtype, and no axis broadcast in ``a`` that the result does not
broadcast.  ``function()`` accepts such graphs only with ``accept_inplace=True``
and overwrites a function input only when it is marked ``In(x, mutable=True)``;
otherwise the node writes into a copy (see ``arignote.destroy``).  The py
backend runs the nodes in place; compiled backends compute them like their
out-of-place twins (allowed: a destroy_map permits overwriting, it does not
oblige it).

Theano's functions of scalar ops arignote lacks (deg2rad, rad2deg, erfcx,
gamma, chi2sf, the Bessel functions) are left out.
"""
from __future__ import annotations

import numpy as np

from .. import scalar as ps
from .elemwise import DimShuffle, Elemwise

_OPERATORS = {"add": "+=", "sub": "-=", "mul": "*=", "true_div": "/=", "int_div": "//=", "pow": "**="}


class InplaceElemwise(Elemwise):
    """An Elemwise writing its result into its first input."""

    destroy_map = {0: [0]}

    def __init__(self, scalar_op, name=None):
        super().__init__(scalar_op, name or f"Elemwise{{{scalar_op.name},inplace}}")
        self._hash = hash((InplaceElemwise, scalar_op))

    def __eq__(self, other):
        return other is self or (type(other) is type(self) and other.scalar_op == self.scalar_op)

    def __hash__(self):
        return self._hash

    def __reduce__(self):
        return (InplaceElemwise, (self.scalar_op, self._given_name))

    @property
    def pp_symbol(self):
        """How pp writes it: Theano's ``+=`` operators, ``exp=(x)`` for the functions."""
        name = self.scalar_op.name
        return _OPERATORS.get(name, f"{_PP_NAMES.get(name, name)}=")

    def make_node(self, *inputs):
        node = super().make_node(*inputs)
        target, out = node.inputs[0], node.outputs[0]
        if target.type.dtype != out.type.dtype:
            raise TypeError(f"{self}: cannot overwrite input 0 ({target}, {target.type.dtype}) with a "
                            f"{out.type.dtype} result; cast it first or use the out-of-place op")
        if any(ib and not ob for ib, ob in zip(target.type.broadcastable, out.type.broadcastable)):
            raise ValueError(f"{self}: cannot work in place on input 0 ({target}, {target.type}): it has "
                             f"broadcastable dimensions the result {out.type} does not")
        return node

    def perform(self, node, inputs, output_storage):
        cell = [None]
        super().perform(node, inputs, [cell])
        target = inputs[0]
        if isinstance(target, np.ndarray) and target.flags.writeable and target.shape == np.shape(cell[0]):
            np.copyto(target, cell[0], casting="unsafe")
            output_storage[0][0] = target
        else:  # a read-only buffer (a view NumPy will not let us write): the result goes to new storage
            output_storage[0][0] = cell[0]


_PP_NAMES = {"second": "fill", "reciprocal": "inv"}
# Theano's names whose scalar op arignote names otherwise
_SCALAR_NAMES = {"inv": "reciprocal", "abs_": "abs", "and_": "and_", "or_": "or_"}
_THEANO_NAMES = (
    "lt gt le ge eq neq and_ or_ xor invert abs_ exp exp2 expm1 neg inv log log1p log2 log10 sgn ceil floor "
    "trunc round_half_to_even round_half_away_from_zero sqr sqrt cos arccos sin arcsin tan arctan arctan2 "
    "cosh arccosh sinh arcsinh tanh arctanh erf erfc gammaln psi tri_gamma second maximum minimum add sub "
    "mul true_div int_div mod pow conj sigmoid softplus").split()


def _scalar_op(name):
    for candidate in (_SCALAR_NAMES.get(name, name), name.rstrip("_")):
        try:
            return ps.get_scalar_op(candidate)
        except (KeyError, ValueError, LookupError):
            continue
    return None


def _define():
    made = {}
    for name in _THEANO_NAMES:
        sop = _scalar_op(name)
        if sop is not None:
            op = InplaceElemwise(sop, f"{name}_inplace")
            op.__doc__ = f"Elementwise {name}, written into the first input's storage."
            made[f"{name}_inplace"] = op
    return made


globals().update(_define())
fill_inplace = globals()["second_inplace"]


def transpose_inplace(x, **kwargs):
    """The transpose of ``x`` as a view of its storage (arignote's DimShuffle is always a view)."""
    from .variable import as_tensor_variable

    x = as_tensor_variable(x)
    return DimShuffle(x.broadcastable, list(range(x.ndim - 1, -1, -1)))(x)


__all__ = sorted(n for n in globals() if n.endswith("_inplace")) + ["InplaceElemwise"]
