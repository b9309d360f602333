"""Registers the built-in step methods through ``arignote_register_samplers``."""

from __future__ import annotations

from arignote.hookspecs import SamplerRecord, hookimpl

from .demetropolis import DEMetropolis, DEMetropolisZ
from .elliptical_slice import EllipticalSlice
from .elemwise_categorical import ElemwiseCategorical
from .gibbs import BinaryGibbsMetropolis, CategoricalGibbsMetropolis
from .hmc import HMC
from .metropolis import BinaryMetropolis, Metropolis
from .mlda import MLDA
from .nuts import NUTS
from .pgbart import PGBART
from .slice import Slice


@hookimpl
def arignote_register_samplers():
    return [
        SamplerRecord("NUTS", NUTS, ("continuous", "gradient")),
        SamplerRecord("HMC", HMC, ("continuous", "gradient")),
        SamplerRecord("Metropolis", Metropolis, ("continuous", "discrete")),
        SamplerRecord("Slice", Slice, ("continuous",)),
        SamplerRecord("BinaryGibbsMetropolis", BinaryGibbsMetropolis, ("discrete",)),
        SamplerRecord("BinaryMetropolis", BinaryMetropolis, ("discrete",)),
        SamplerRecord("CategoricalGibbsMetropolis", CategoricalGibbsMetropolis, ("discrete",)),
        SamplerRecord("ElemwiseCategorical", ElemwiseCategorical, ("discrete",)),
        SamplerRecord("DEMetropolis", DEMetropolis, ("continuous", "population")),
        SamplerRecord("DEMetropolisZ", DEMetropolisZ, ("continuous",)),
        SamplerRecord("EllipticalSlice", EllipticalSlice, ("continuous",)),
        SamplerRecord("MLDA", MLDA, ("continuous",)),
        SamplerRecord("PGBART", PGBART, ("continuous",)),
    ]
