"""Variational inference as PyMC3 3.11 provided it: ``fit``, ``ADVI``, ``FullRankADVI``,
the ``MeanField``/``FullRank`` approximations, the optimisers and ``callbacks``."""
from . import callbacks, updates
from .approximations import Approximation, FullRank, MeanField, ParametrizationError
from .inference import ADVI, FullRankADVI, Inference, fit
from .updates import adagrad_window, adam, adamax, momentum, sgd

__all__ = ["ADVI", "Approximation", "FullRank", "FullRankADVI", "Inference", "MeanField", "ParametrizationError",
           "adagrad_window", "adam", "adamax", "callbacks", "fit", "momentum", "sgd", "updates"]
