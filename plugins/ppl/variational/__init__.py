"""Variational inference as PyMC3 3.11 provided it: ``fit``, ``ADVI``, ``FullRankADVI``,
the ``MeanField``/``FullRank`` approximations, the optimisers and ``callbacks``."""
from . import callbacks, updates
from .approximations import Approximation, FullRank, MeanField, ParametrizationError
from .inference import ADVI, FullRankADVI, Inference, fit, sample_approx
from .updates import adadelta, adagrad, adagrad_window, adam, adamax, momentum, nesterov_momentum, rmsprop, sgd

__all__ = ["ADVI", "Approximation", "FullRank", "FullRankADVI", "Inference", "MeanField", "ParametrizationError",
           "adadelta", "adagrad", "adagrad_window", "adam", "adamax", "callbacks", "fit", "momentum", "nesterov_momentum",
           "rmsprop", "sample_approx", "sgd", "updates"]
