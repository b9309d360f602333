"""Variational inference as PyMC3 3.11 provided it: ``fit``, ``ADVI``, ``FullRankADVI``, ``SVGD``,
``ASVGD``, ``NFVI``, the ``MeanField``/``FullRank``/``Empirical``/``NormalizingFlow``
approximations, the optimisers and ``callbacks``."""
from . import approximations, callbacks, flows, inference, updates
from .approximations import Approximation, FullRank, MeanField, ParametrizationError
from .empirical import Empirical
from .flows import NFVI, NormalizingFlow
from .inference import ADVI, FullRankADVI, Inference, KLqp, fit, sample_approx
from .stein import ASVGD, SVGD, ImplicitGradient
from .updates import (adadelta, adagrad, adagrad_window, adam, adamax, apply_momentum, apply_nesterov_momentum, momentum,
                      nesterov_momentum, norm_constraint, rmsprop, sgd, total_norm_constraint)

__all__ = ["ADVI", "ASVGD", "Approximation", "Empirical", "FullRank", "FullRankADVI", "ImplicitGradient", "Inference",
           "KLqp", "MeanField", "NFVI", "NormalizingFlow", "ParametrizationError", "SVGD", "adadelta", "adagrad",
           "adagrad_window", "adam", "adamax", "apply_momentum", "apply_nesterov_momentum", "approximations",
           "callbacks", "fit", "flows", "inference", "momentum", "nesterov_momentum", "norm_constraint", "rmsprop",
           "sample_approx", "sgd", "total_norm_constraint", "updates"]
