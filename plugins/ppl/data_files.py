"""PyMC3's ``get_data``: the example data files its notebooks read (``pm.get_data('radon.csv')``).

arignote ships none of PyMC3's data files.  ``get_data`` reads them from the folders named in
``ARIGNOTE_PPL_DATA`` (``os.pathsep``-separated), then from an installed ``pymc3`` package's
``examples/data``, and says where it looked when the file is in none of them.
"""
from __future__ import annotations

import importlib.util
import io
import os

__all__ = ["get_data"]


def _folders():
    found = [p for p in os.environ.get("ARIGNOTE_PPL_DATA", "").split(os.pathsep) if p]
    spec = importlib.util.find_spec("pymc3")
    if spec is not None and spec.submodule_search_locations:
        found += [os.path.join(p, "examples", "data") for p in spec.submodule_search_locations]
    return found


def get_data(filename):
    """The bytes of the example data file ``filename`` as a ``BytesIO`` (PyMC3's return type)."""
    if os.path.basename(filename) != filename or filename in ("", ".", ".."):
        raise ValueError(f"get_data takes a file name, not a path: {filename!r}")
    folders = _folders()
    for folder in folders:
        path = os.path.join(folder, filename)
        if os.path.isfile(path):
            with open(path, "rb") as fh:
                return io.BytesIO(fh.read())
    where = (f"is in none of {', '.join(folders)}" if folders else
             "cannot be looked up: ARIGNOTE_PPL_DATA is unset and pymc3 is not installed")
    raise FileNotFoundError(f"get_data: {filename!r} {where}; arignote ships none of PyMC3's data files "
                            "(name a folder holding them in ARIGNOTE_PPL_DATA)")
