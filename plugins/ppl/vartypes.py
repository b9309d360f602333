"""PyMC3's dtype groups (``pymc3.vartypes``): which variables are continuous or discrete."""
from __future__ import annotations

import inspect

__all__ = ["bool_types", "int_types", "float_types", "complex_types", "continuous_types",
           "discrete_types", "typefilter", "isgenerator"]

bool_types = {"int8"}
int_types = {"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"}
float_types = {"float32", "float64"}
complex_types = {"complex64", "complex128"}
continuous_types = float_types | complex_types
discrete_types = bool_types | int_types


def typefilter(vars, types):
    """The variables among ``vars`` whose dtype is in ``types``."""
    return [v for v in vars if v.dtype in types]


def isgenerator(obj):
    """True for a generator object (``data`` given as a generator)."""
    return inspect.isgenerator(obj)
