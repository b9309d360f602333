"""Gaussian processes as PyMC3 3.11's ``pm.gp``: covariance and mean functions, GP classes
(``Latent``, ``Marginal``, ``MarginalSparse``, ``TP``, ``LatentKron``, ``MarginalKron``), helpers."""
from . import cov, mean, util
from .gp import TP, Latent, LatentKron, Marginal, MarginalKron, MarginalSparse

__all__ = ["cov", "mean", "util", "Latent", "Marginal", "TP", "MarginalSparse", "LatentKron", "MarginalKron"]
