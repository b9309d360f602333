"""Variational inference as PyMC3 3.11 provided it: ``fit``, ``ADVI``, ``FullRankADVI``, ``SVGD``,
``ASVGD``, ``NFVI``, the ``MeanField``/``FullRank``/``Empirical``/``NormalizingFlow``
approximations, the optimisers and ``callbacks``."""
from . import callbacks, flows, updates
from .approximations import Approximation, FullRank, MeanField, ParametrizationError
from .empirical import Empirical
from .flows import NFVI, NormalizingFlow
from .inference import ADVI, FullRankADVI, Inference, fit, sample_approx
from .stein import ASVGD, SVGD
from .updates import adadelta, adagrad, adagrad_window, adam, adamax, momentum, nesterov_momentum, rmsprop, sgd

__all__ = ["ADVI", "ASVGD", "Approximation", "Empirical", "FullRank", "FullRankADVI", "Inference", "MeanField", "NFVI",
           "NormalizingFlow", "ParametrizationError", "SVGD", "adadelta", "adagrad", "adagrad_window", "adam",
           "adamax", "callbacks", "fit", "flows", "momentum", "nesterov_momentum", "rmsprop", "sample_approx", "sgd",
           "updates"]
