"""PyMC3's ``pymc3.step_methods`` import path: the step methods of
:mod:`arignote.plugins.samplers` under the module names PyMC3 code imports."""

from arignote.plugins.samplers import (BinaryGibbsMetropolis, BinaryMetropolis, CategoricalGibbsMetropolis,
                                       CauchyProposal, CompoundStep, DEMetropolis, DEMetropolisZ,
                                       DEMetropolisZMLDA, ElemwiseCategorical, EllipticalSlice, HMC,
                                       LaplaceProposal, Metropolis, MetropolisMLDA, MLDA,
                                       MultivariateNormalProposal, NormalProposal, NUTS, PoissonProposal,
                                       RecursiveDAProposal, Slice, UniformProposal)

from . import mlda

HamiltonianMC = HMC

__all__ = ["BinaryGibbsMetropolis", "BinaryMetropolis", "CategoricalGibbsMetropolis", "CauchyProposal",
           "CompoundStep", "DEMetropolis", "DEMetropolisZ", "DEMetropolisZMLDA", "ElemwiseCategorical",
           "EllipticalSlice", "HamiltonianMC", "LaplaceProposal", "Metropolis", "MetropolisMLDA", "MLDA",
           "MultivariateNormalProposal", "NormalProposal", "NUTS", "PoissonProposal", "RecursiveDAProposal",
           "Slice", "UniformProposal", "mlda"]
