"""Sequential Monte Carlo (PyMC3 3.11's ``sample_smc``), with ABC through ``pm.Simulator``."""
from .sample_smc import sample_smc

__all__ = ["sample_smc"]
