"""PyMC3's ``pymc3.step_methods.mlda`` import path (``extract_Q_estimate`` lives there)."""

from arignote.plugins.samplers.mlda import MLDA, RecursiveDAProposal
from arignote.plugins.samplers.mlda_base import DEMetropolisZMLDA, MetropolisMLDA
from arignote.plugins.samplers.mlda_estimates import RecursiveSampleMoments, extract_Q_estimate

__all__ = ["MLDA", "MetropolisMLDA", "DEMetropolisZMLDA", "RecursiveDAProposal", "RecursiveSampleMoments",
           "extract_Q_estimate"]
