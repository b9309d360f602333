"""Traces of sampled values: one :class:`NDArray` per chain, gathered in a
:class:`MultiTrace` with PyMC3's interface (``trace['x']``, ``trace[1000:]``,
``get_values``, ``get_sampler_stats``, ``varnames``, ``nchains``, ...)."""

from __future__ import annotations

import itertools
import warnings

import numpy as np

__all__ = ["NDArray", "MultiTrace", "SamplerReport", "SamplerWarning", "merge_traces",
           "trace_to_dataframe"]


def _name(var) -> str:
    return var if isinstance(var, str) else getattr(var, "name", str(var))


class SamplerWarning:
    """One problem noticed while sampling (a divergence count, a low ESS, ...)."""

    def __init__(self, kind, message, level="warn", chain=None, extra=None):
        self.kind, self.message, self.level, self.chain, self.extra = kind, message, level, chain, extra

    def __repr__(self):
        return f"SamplerWarning({self.kind!r}, {self.message!r}, chain={self.chain})"


class SamplerReport:
    """What went wrong or looked suspicious in a run; ``ok`` when nothing serious."""

    def __init__(self):
        self._chain_warnings = {}
        self._global_warnings = []
        self.n_tune = None
        self.n_draws = None
        self.t_sampling = None
        self.failed_chains = {}
        self.interrupted = False

    @property
    def ok(self) -> bool:
        levels = [w.level for w in self._warnings()]
        return not self.failed_chains and not any(lv in ("error", "critical") for lv in levels)

    def _warnings(self):
        return list(itertools.chain(self._global_warnings, *self._chain_warnings.values()))

    def _add_warnings(self, items, chain=None):
        if chain is None:
            self._global_warnings.extend(items)
        else:
            self._chain_warnings.setdefault(chain, []).extend(items)

    def _slice(self, start, stop, step):
        return self

    def __repr__(self):
        return f"<SamplerReport ok={self.ok} warnings={len(self._warnings())}>"


class NDArray:
    """The draws of one chain: ``samples`` (name -> array (draws, *shape))
    and per step method ``stats`` (name -> array (draws,))."""

    def __init__(self, chain, varnames, samples, stats=(), model=None):
        self.chain = chain
        self.varnames = list(varnames)
        self.samples = dict(samples)
        self._stats = [dict(s) for s in stats]
        self.model = model
        lengths = {len(v) for v in self.samples.values()}
        if len(lengths) > 1:
            raise ValueError(f"chain {chain}: variables have different numbers of draws {lengths}")
        self.draw_idx = lengths.pop() if lengths else 0

    @property
    def sampler_vars(self):
        return [{k: v.dtype for k, v in s.items()} for s in self._stats] or None

    def __len__(self):
        return self.draw_idx

    def get_values(self, varname, burn=0, thin=1):
        name = _name(varname)
        if name not in self.samples:
            raise KeyError(f"Unknown variable {name}")
        return self.samples[name][burn::thin]

    def get_sampler_stats(self, stat_name, sampler_idx=None, burn=0, thin=1):
        if sampler_idx is not None:
            return self._stats[sampler_idx][stat_name][burn::thin]
        cols = [s[stat_name][burn::thin] for s in self._stats if stat_name in s]
        if not cols:
            raise KeyError(f"Unknown sampler statistic {stat_name}")
        return cols[0] if len(cols) == 1 else np.stack(cols, axis=-1)

    def _slice(self, idx):
        samples = {k: v[idx] for k, v in self.samples.items()}
        stats = [{k: v[idx] for k, v in s.items()} for s in self._stats]
        return NDArray(self.chain, self.varnames, samples, stats, self.model)

    def point(self, idx):
        idx = int(idx)
        return {k: v[idx] for k, v in self.samples.items()}

    def __iter__(self):
        return (self.point(i) for i in range(len(self)))


class MultiTrace:
    """Several chains' draws; indexing follows PyMC3:

    * ``trace['x']`` / ``trace.x``: the values of all chains, concatenated;
    * ``trace['x', 1000:]``: with burn-in and thinning;
    * ``trace[1000:]``: a new MultiTrace of the sliced draws;
    * ``trace[5]``: the point at draw 5 of the last chain;
    * a sampler statistic's name gives its values (see ``get_sampler_stats``).
    """

    _attrs = {"_straces", "varnames", "chains", "stat_names", "_report"}

    def __init__(self, straces):
        self._straces = {}
        for s in straces:
            if s.chain in self._straces:
                raise ValueError("Chains are not unique.")
            self._straces[s.chain] = s
        self._report = SamplerReport()

    def __repr__(self):
        return (f"<{type(self).__name__}: {self.nchains} chains, {len(self)} iterations, "
                f"{len(self.varnames)} variables>")

    @property
    def nchains(self) -> int:
        return len(self._straces)

    @property
    def chains(self) -> list:
        return sorted(self._straces)

    @property
    def report(self) -> SamplerReport:
        return self._report

    @property
    def varnames(self) -> list:
        return self._straces[self.chains[-1]].varnames if self._straces else []

    @property
    def stat_names(self) -> set:
        names = set()
        for s in self._straces.values():
            for stats in s._stats:
                names.update(stats)
        return names

    def __len__(self):
        return len(self._straces[self.chains[-1]]) if self._straces else 0

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return self._slice(idx)
        if isinstance(idx, (int, np.integer)) and not isinstance(idx, bool):
            return self.point(int(idx))
        burn, thin = 0, 1
        if isinstance(idx, tuple):
            if len(idx) != 2 or not isinstance(idx[1], slice):
                raise IndexError(f"trace[name, slice] expected, got {idx!r}")
            idx, vslice = idx
            burn, thin = vslice.start or 0, vslice.step or 1
        name = _name(idx)
        if name in self.varnames:
            if name in self.stat_names:
                warnings.warn("Attribute access on a trace object is ambiguous: a sampler statistic "
                              "and a model variable share a name. Use trace.get_values or "
                              "trace.get_sampler_stats.")
            return self.get_values(name, burn=burn, thin=thin)
        if name in self.stat_names:
            return self.get_sampler_stats(name, burn=burn, thin=thin)
        raise KeyError(f"Unknown variable {name}")

    def __getattr__(self, name):
        if name in self._attrs or name.startswith("__"):
            raise AttributeError(name)
        if name in self.varnames:
            return self.get_values(name)
        if name in self.stat_names:
            return self.get_sampler_stats(name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __contains__(self, name):
        return _name(name) in self.varnames

    def _chain_list(self, chains):
        if chains is None:
            return self.chains
        if isinstance(chains, (int, np.integer)):
            return [int(chains)]
        return list(chains)

    def get_values(self, varname, burn=0, thin=1, combine=True, chains=None, squeeze=True):
        """Values of ``varname``: concatenated over ``chains`` when ``combine``,
        else a list (one array per chain)."""
        name = _name(varname)
        if name not in self.varnames:
            raise KeyError(f"Unknown variable {name}")
        results = [self._straces[c].get_values(name, burn, thin) for c in self._chain_list(chains)]
        return _squeeze_cat(results, combine, squeeze)

    def get_sampler_stats(self, stat_name, burn=0, thin=1, combine=True, chains=None, squeeze=True):
        """A sampler statistic; shape (draws, n_samplers) when several step
        methods report it."""
        if stat_name not in self.stat_names:
            raise KeyError(f"Unknown sampler statistic {stat_name}")
        results = [self._straces[c].get_sampler_stats(stat_name, None, burn, thin)
                   for c in self._chain_list(chains)]
        return _squeeze_cat(results, combine, squeeze)

    def _slice(self, idx):
        new = MultiTrace([s._slice(idx) for s in self._straces.values()])
        new._report = self._report
        return new

    def point(self, idx, chain=None):
        chain = self.chains[-1] if chain is None else chain
        return self._straces[chain].point(idx)

    def points(self, chains=None):
        return itertools.chain.from_iterable(self._straces[c] for c in self._chain_list(chains))

    def add_values(self, vals, overwrite=False) -> None:
        """Add variables given as arrays of ``nchains * len(trace)`` values."""
        for name, value in vals.items():
            if name in self.varnames and not overwrite:
                raise ValueError(f"Variable name {name} already exists.")
            value = np.asarray(value)
            total = len(self) * self.nchains
            if len(value) != total:
                raise ValueError(f"add_values: {name!r} has {len(value)} values, the trace holds "
                                 f"{total} draws (chains * iterations)")
            parts = value.reshape((self.nchains, len(self)) + value.shape[1:])
            for part, s in zip(parts, (self._straces[c] for c in self.chains)):
                if name not in s.varnames:
                    s.varnames.append(name)
                s.samples[name] = part

    def remove_values(self, name) -> None:
        if name not in self.varnames:
            raise KeyError(f"Unknown variable {name}")
        for s in self._straces.values():
            s.varnames.remove(name)
            del s.samples[name]


def _squeeze_cat(results, combine, squeeze):
    if combine:
        out = np.concatenate(results) if results else np.zeros(0)
        return out if squeeze else [out]
    if squeeze and len(results) == 1:
        return results[0]
    return results


def merge_traces(mtraces) -> MultiTrace:
    """One MultiTrace holding the chains of several (chain numbers must differ)."""
    if not mtraces:
        raise ValueError("Cannot merge an empty set of traces.")
    straces = []
    for t in mtraces:
        straces.extend(t._straces.values())
    if len({len(s) for s in straces}) > 1:
        raise ValueError("Chains are of different lengths.")
    return MultiTrace(straces)


def _flat_columns(name, values):
    """Columns of one variable: ``x`` for a scalar, ``x__0_1``-style names for arrays (PyMC3's)."""
    flat = values.reshape(len(values), -1)
    if values.ndim == 1:
        return {name: values}
    shape = values.shape[1:]
    return {f"{name}__{'_'.join(map(str, idx))}": flat[:, k]
            for k, idx in enumerate(np.ndindex(*shape))}


def trace_to_dataframe(trace, chains=None, varnames=None, include_transformed=False):
    """A pandas DataFrame with one column per scalar element of each variable."""
    import pandas as pd

    names = varnames or [n for n in trace.varnames if include_transformed or not n.endswith("__")]
    columns = {}
    for name in names:
        columns.update(_flat_columns(name, np.asarray(trace.get_values(name, chains=chains))))
    return pd.DataFrame(columns)
