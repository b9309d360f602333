"""arignote's step methods (NUTS, HMC, Metropolis, Slice, discrete Gibbs,
compound steps), registered as plugins through ``arignote_register_samplers``.

The pieces of the Hamiltonian samplers are separate modules of pure
functions on flat float64 vectors: :mod:`.integration` (leapfrog),
:mod:`.trajectory` (NUTS tree), :mod:`.step_size` and :mod:`.mass_matrix`
(adaptation).
"""

from .base import ArrayStep, BlockedStep, Competence, SamplingError
from .compound import CompoundStep
from .demetropolis import DEMetropolis, DEMetropolisZ
from .elliptical_slice import EllipticalSlice
from .elemwise_categorical import ElemwiseCategorical
from .gibbs import BinaryGibbsMetropolis, CategoricalGibbsMetropolis
from .hmc import HMC
from .metropolis import (BinaryMetropolis, CauchyProposal, LaplaceProposal, Metropolis,
                         MultivariateNormalProposal, NormalProposal, PoissonProposal, UniformProposal)
from .mlda import MLDA, RecursiveDAProposal
from .mlda_base import DEMetropolisZMLDA, MetropolisMLDA
from .mlda_estimates import extract_Q_estimate
from .nuts import NUTS
from .pgbart import PGBART
from .slice import Slice

__all__ = ["ElemwiseCategorical", "ArrayStep", "BlockedStep", "Competence", "SamplingError", "CompoundStep",
           "BinaryGibbsMetropolis", "BinaryMetropolis", "CategoricalGibbsMetropolis", "HMC",
           "Metropolis", "NUTS",
           "Slice", "NormalProposal", "UniformProposal", "CauchyProposal", "LaplaceProposal",
           "PoissonProposal", "MultivariateNormalProposal", "DEMetropolis", "DEMetropolisZ", "EllipticalSlice",
           "MLDA", "MetropolisMLDA", "DEMetropolisZMLDA", "RecursiveDAProposal", "extract_Q_estimate",
           "PGBART"]
