"""``save_trace`` / ``load_trace`` (PyMC3 3.x's NumPy trace folders) and ``point_list_to_multitrace``.

A saved trace is a folder with one sub-folder per chain, each holding ``samples.npz``
(the variables and sampler statistics, stored by position, so any variable name is safe)
and ``metadata.json`` (names, chain number, statistics per step method).  Nothing is
pickled: loading runs no code from the files.
"""
from __future__ import annotations

import json
import os
import shutil
import warnings

import numpy as np

from .exceptions import TraceDirectoryError
from .trace import MultiTrace, NDArray

__all__ = ["save_trace", "load_trace", "point_list_to_multitrace"]

_FORMAT = "arignote-ppl-ndarray-1"


def _free_directory():
    idx = 1
    while os.path.exists(f".pymc_{idx}.trace"):
        idx += 1
    return f".pymc_{idx}.trace"


def save_trace(trace, directory=None, overwrite=False) -> str:
    """Save ``trace`` under ``directory`` (default ``.pymc_<n>.trace``); returns the folder.

    An existing folder is replaced only with ``overwrite=True`` (else OSError).  PyMC3 deprecated
    this format for ``arviz.to_netcdf``, which works on ``pm.from_pymc3(trace)``.
    """
    warnings.warn("save_trace is deprecated (as in PyMC3 3.11): prefer arviz.to_netcdf(pm.from_pymc3(trace), path)",
                  DeprecationWarning, stacklevel=2)
    if not isinstance(trace, MultiTrace):
        raise TypeError(f"save_trace needs a MultiTrace, got {type(trace).__name__}")
    directory = _free_directory() if directory is None else os.fspath(directory)
    if os.path.isdir(directory):
        if not overwrite:
            raise OSError(f"Cautiously refusing to overwrite the existing trace folder {directory!r}; "
                          "pass another directory or overwrite=True")
        shutil.rmtree(directory)
    os.makedirs(directory)
    for chain in trace.chains:
        _save_chain(trace._straces[chain], os.path.join(directory, str(chain)))
    return directory


def _save_chain(strace, folder):
    os.makedirs(folder)
    arrays, meta = [], {"format": _FORMAT, "chain": int(strace.chain), "varnames": list(strace.varnames),
                        "draws": len(strace), "stats": []}
    for name in strace.varnames:
        arrays.append(np.asarray(strace.samples[name]))
    for stats in strace._stats:
        meta["stats"].append(list(stats))
        arrays.extend(np.asarray(v) for v in stats.values())
    np.savez(os.path.join(folder, "samples.npz"), *arrays)
    with open(os.path.join(folder, "metadata.json"), "w") as fh:
        json.dump(meta, fh)


def load_trace(directory, model=None) -> MultiTrace:
    """The MultiTrace saved by ``save_trace`` in ``directory``."""
    warnings.warn("load_trace is deprecated (as in PyMC3 3.11): prefer arviz.from_netcdf",
                  DeprecationWarning, stacklevel=2)
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        raise TraceDirectoryError(f"load_trace: {directory!r} is not a folder")
    chains = sorted((d for d in os.listdir(directory) if os.path.isdir(os.path.join(directory, d))), key=str)
    if not chains:
        raise TraceDirectoryError(f"load_trace: {directory!r} holds no chain folders")
    if model is None:
        from .context import modelcontext

        try:
            model = modelcontext(None)
        except TypeError:
            model = None
    return MultiTrace([_load_chain(os.path.join(directory, c), model) for c in chains])


def _load_chain(folder, model):
    try:
        with open(os.path.join(folder, "metadata.json")) as fh:
            meta = json.load(fh)
        npz = np.load(os.path.join(folder, "samples.npz"), allow_pickle=False)
    except (OSError, ValueError) as e:
        raise TraceDirectoryError(f"load_trace: {folder!r} is not a saved chain ({e})") from None
    if meta.get("format") != _FORMAT:
        raise TraceDirectoryError(f"load_trace: {folder!r} was not written by save_trace")
    with npz:
        arrays = [npz[f"arr_{i}"] for i in range(len(npz.files))]
    names = meta["varnames"]
    samples = dict(zip(names, arrays[: len(names)]))
    pos, stats = len(names), []
    for stat_names in meta["stats"]:
        stats.append(dict(zip(stat_names, arrays[pos: pos + len(stat_names)])))
        pos += len(stat_names)
    return NDArray(meta["chain"], names, samples, stats, model)


def point_list_to_multitrace(point_list, model=None) -> MultiTrace:
    """A one-chain MultiTrace of a list of points (dicts name -> value), e.g. posterior predictive draws."""
    point_list = list(point_list)
    if not point_list:
        raise ValueError("point_list_to_multitrace: the list of points is empty")
    names = list(point_list[0])
    samples = {n: np.stack([np.asarray(p[n]) for p in point_list]) for n in names}
    return MultiTrace([NDArray(0, names, samples, (), model)])
