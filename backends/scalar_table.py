"""The table of scalar-op renderings every compiled backend reads, keyed by the op's ``name``.

A row joins what lives elsewhere, once: how NumPy picks the loop dtypes comes
from the scalar op itself (``ScalarOp.loop`` in arignote.scalar), and each
backend's rendering comes from its own column in its own folder
(backends/c/scalar_c.py, backends/llvm/scalar_column.py), registered through
the ``arignote_register_renderings`` hook like ops and rewrites.  The table is
assembled on first use.  A rendering column maps the dtype *kind* of the loop
inputs ('b', 'i', 'u', 'f', 'c', 'mixed') to a template, or is one template
for every kind; a kind missing from a column means "not native here": the
node runs its NumPy ``perform``.  ``register`` adds a whole row at once (the
plugin example does); a row may also name its own ``numpy`` loop rule.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import numpy as np



@dataclass(frozen=True)
class Rendering:
    """How one scalar op resolves its dtypes and renders on each backend."""

    name: str
    numpy: Any = None  # a ufunc or one of the rule names in RULES; None: the scalar op's ``loop``
    c: Any = None
    llvm: Any = None
    cuda: Any = None
    extra: dict = field(default_factory=dict)  # backend name -> column, for backends beyond these three

    def template(self, backend, kind):
        """The template of ``backend`` for inputs of ``kind``, or None.  A row without a column
        for a backend that builds on another's templates (cuda on C's) takes that one's."""
        col = getattr(self, backend) if backend in _COLUMNS else self.extra.get(backend)
        if col is None and backend in INHERITS:
            base, kinds = INHERITS[backend]
            return self.template(base, kind) if kind in kinds else None
        if col is None or isinstance(col, str):
            return col
        return col.get(kind)


RULES = ("same", "float_same", "switch", "second", "int_same")
_COLUMNS = ("c", "llvm", "cuda")
# backend -> (the backend whose templates it uses for a row without its own column, for these kinds):
# CUDA C++ compiles the C templates of the real kinds once its prelude has the ar_* helpers
INHERITS = {"cuda": ("c", ("b", "i", "u", "f"))}

TABLE: dict[str, Rendering] = {}  # filled by _assemble() on first use; read it through row() / rows()
_assembled: list = []     # [the plugin manager's generation] TABLE was assembled at
_added: dict = {}         # name -> (row, replace) of every row register() added (replayed at each assembly)
_plugin_rows: dict = {}   # name -> repr of a row a plugin added (part of the LLVM cache key)
_fingerprint: list = []   # fingerprint() of _plugin_rows, until a row is registered
_listeners: list = []     # callables clearing caches derived from TABLE


def register(row, replace=False):
    """Add (or with ``replace``, change) the renderings of one scalar op, e.g. from a plugin.

    ``row`` is a Rendering keyed by the scalar op's ``name``.  A different row
    already registered under that name raises ValueError unless ``replace``;
    the same row again is a no-op.  Caches derived from the table are cleared.
    """
    if not isinstance(row, Rendering):
        raise TypeError(f"register() takes a scalar_table.Rendering, not {type(row).__name__}")
    if not _assembled and not _pm().loaded():
        # a plugin registering while the plugin manager loads it: the table is assembled later
        _added[row.name] = (row, replace)
        _plugin_rows[row.name] = repr(row)
        table_changed()
        return
    known = row_of(row.name)
    if known == row:
        return
    if known is not None and not replace:
        raise ValueError(f"scalar op {row.name!r} already has renderings ({known!r}); "
                         "pass replace=True to change them")
    _added[row.name] = (row, replace)
    TABLE[row.name] = row
    _plugin_rows[row.name] = repr(row)
    table_changed()


def unregister(name):
    """Forget the row ``register`` added for scalar op ``name``: the renderings the plugins'
    hooks give it (if any) come back.  KeyError when register() added none."""
    if _added.pop(name, None) is None:
        raise KeyError(f"no row was registered for scalar op {name!r}")
    _assemble()


_pm_module: list = []


def _pm():
    if not _pm_module:
        from arignote import plugin_manager

        _pm_module.append(plugin_manager)
    return _pm_module[0]


def _assemble():
    """Fill TABLE: one row per scalar op that some backend renders, from the hooked columns, then
    the rows register() added.  Runs again when the set of plugins changes."""
    from arignote import scalar as ps

    pm = _pm()
    generation = pm.generation()
    cols: dict = {}
    for rec in pm.renderings().values():
        cols.setdefault(rec.op, {})[rec.backend] = rec.template
    TABLE.clear()
    _plugin_rows.clear()
    for name, by_backend in cols.items():
        TABLE[name] = Rendering(name, **{b: t for b, t in by_backend.items() if b in _COLUMNS},
                                extra={b: t for b, t in by_backend.items() if b not in _COLUMNS})
        if name not in ps.BUILTIN:  # arignote's own renderings are keyed by its code
            _plugin_rows[name] = repr(TABLE[name])
    for name, (row, replace) in _added.items():
        known = TABLE.get(name)
        if known is None or replace or known == row:
            TABLE[name] = row
            _plugin_rows[name] = repr(row)
        else:
            import warnings

            warnings.warn(f"scalar op {name!r} already has renderings; the row a plugin registered for it is "
                          "ignored (pass replace=True to change them)", stacklevel=2)
    _assembled[:] = [generation]
    table_changed()


def _stale():
    return not _assembled or _assembled[0] != _pm().generation()


def rows():
    """The table, assembled on first use (and again after a plugin change): name -> Rendering."""
    if _stale():
        _assemble()
    return TABLE


def row_of(name):
    """The Rendering of scalar op ``name``, or None."""
    if _stale():
        _assemble()
    return TABLE.get(name)


def table_changed():
    """Forget everything derived from TABLE (loop dtypes, recipes looked up by name, the fingerprint)."""
    _fingerprint.clear()
    _loop_dtypes.cache_clear()
    for forget in _listeners:
        forget()


def fingerprint():
    """A digest of the rows plugins registered: compiled code depending on them is keyed by it."""
    if not _fingerprint:
        import hashlib

        _fingerprint.append(hashlib.sha256(repr(sorted(_plugin_rows.items())).encode()).hexdigest()[:16])
    return _fingerprint[0]


@functools.lru_cache(maxsize=None)
def kind_of(dtype):
    """'b', 'i', 'u', 'f' or 'c' for a dtype name."""
    return np.dtype(dtype).kind


class NotRenderable(Exception):
    """A scalar op (with these dtypes) has no native rendering; run its perform instead."""


def loop_dtypes(name, in_dtypes):
    """NumPy's loop dtypes for op ``name`` on ``in_dtypes``: (loop input dtypes, loop output dtype).

    Raises NotRenderable when NumPy has no loop (the reference would fail too)
    or the op is not in the table.
    """
    res = _loop_dtypes(name, tuple(in_dtypes))
    if isinstance(res, str):
        raise NotRenderable(res)
    return list(res[0]), res[1]


@functools.lru_cache(maxsize=4096)
def _loop_dtypes(name, in_dtypes):
    try:
        ins, out = _resolve(name, list(in_dtypes))
    except NotRenderable as e:
        return str(e)
    return tuple(ins), out


def _resolve(name, in_dtypes):
    row = row_of(name)
    if row is None:
        raise NotRenderable(f"scalar op {name} is not in the rendering table")
    rule = row.numpy if row.numpy is not None else _loop_rule(name)
    if rule is None:
        raise NotRenderable(f"scalar op {name} names no NumPy loop rule")
    if isinstance(rule, str):
        return _rule_dtypes(rule, name, list(in_dtypes))
    try:
        res = rule.resolve_dtypes(tuple(np.dtype(d) for d in in_dtypes) + (None,) * rule.nout)
    except (TypeError, ValueError) as e:
        raise NotRenderable(f"{name}{tuple(in_dtypes)}: {e}") from None
    return [d.name for d in res[: rule.nin]], res[rule.nin].name


def _loop_rule(name):
    from arignote import scalar as ps

    op = ps.all_scalar_ops().get(name)
    return getattr(op, "loop", None)


def _rule_dtypes(rule, name, dts):
    if rule == "same":
        if len(set(dts)) != 1:
            raise NotRenderable(f"{name} needs one input dtype, got {dts}")
        return dts, dts[0]
    if rule == "float_same":
        if kind_of(dts[0]) != "f":
            raise NotRenderable(f"{name} is only native for real floats, got {dts}")
        return dts, dts[0]
    if rule == "switch":
        out = np.result_type(*[np.dtype(d) for d in dts[1:]]).name
        return ["bool", out, out], out
    if rule == "second":
        return dts, dts[1]
    raise NotRenderable(f"unknown dtype rule {rule!r} for {name}")
