"""Example models (PyMC3's ``pymc3.examples``)."""
