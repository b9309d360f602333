"""arignote's plugin manager: finding backends, ops, rewrites, samplers and
distributions registered through pluggy hooks.

There is one :class:`pluggy.PluginManager` (project name ``arignote``),
created on first need by :func:`get_plugin_manager`, which then loads every
entry point of the group ``arignote`` -- arignote's own (modules under
``arignote.``) and those of third-party packages.  A plugin that fails to
import, or whose hook implementations do not match the specs, is reported
with a :class:`PluginWarning` naming it and skipped.  Setting
``ARIGNOTE_DISABLE_PLUGIN_AUTOLOAD=1`` skips third-party entry points (the
built-in ones still load), for hermetic tests.

Hook specs and record types are in :mod:`arignote.hookspecs`.

This module imports only :mod:`arignote.hookspecs` and :mod:`arignote.config`
from arignote.
"""

from __future__ import annotations

import importlib.metadata
import os
import threading
import warnings
from typing import Any

import pluggy

from .forksafe import quiesce_across_fork

from . import hookspecs
from .config import config
from .hookspecs import (
    PROJECT_NAME,
    RECORD_TYPES,
    BackendRecord,
    DistributionRecord,
    LoweringRecord,
    OpRecord,
    RenderingRecord,
    RewriteRecord,
    SamplerRecord,
)
from .errors import PluginError, PluginWarning  # noqa: F401

__all__ = [
    "ENTRY_POINT_GROUP",
    "DISABLE_AUTOLOAD_ENV",
    "PluginError",
    "PluginWarning",
    "get_plugin_manager",
    "register",
    "unregister",
    "backends",
    "ops",
    "rewrites",
    "samplers",
    "distributions",
    "get_backend",
    "backend_status",
    "plugin_names",
    "plugin_failures",
]

ENTRY_POINT_GROUP = "arignote"
DISABLE_AUTOLOAD_ENV = "ARIGNOTE_DISABLE_PLUGIN_AUTOLOAD"
BUILTIN = "builtin"
REGISTERED = "registered"


_lock = threading.RLock()
# fork waits while another thread loads plugins or creates a backend (imports under way)
quiesce_across_fork(globals(), "_lock", threading.RLock)
_pm: pluggy.PluginManager | None = None
_ready = False  # True once the entry points have been loaded
_origins: dict[str, str] = {}  # plugin name -> 'builtin' / dist name / 'registered'
_failures: list[tuple[str, str]] = []  # (plugin name, error message)
_records: dict[str, dict[str, Any]] = {}  # hook name -> {record name: record}
_instances: dict[str, Any] = {}  # backend name -> backend object
_auto: str | None = None  # what 'auto' resolved to
_generation = 0  # counts the changes of the set of plugins (tables built from hooks compare it)


# -- loading ----------------------------------------------------------------


def _iter_entry_points() -> list:
    """The entry points of the group ``arignote`` (tests monkeypatch this)."""
    return list(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP))


def _env_true(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _ep_module(ep: Any) -> str:
    module = getattr(ep, "module", None)
    if not module:
        module = ep.value.split(":", 1)[0].strip()
    return module


def _is_builtin_module(module: str) -> bool:
    return module == "arignote" or module.startswith("arignote.")


def _ep_origin(ep: Any, module: str) -> str:
    if _is_builtin_module(module):
        return BUILTIN
    dist = getattr(ep, "dist", None)
    name = getattr(dist, "name", None) if dist is not None else None
    return name or "entry point"


def _report(name: str, origin: str, what: str, exc: BaseException) -> None:
    msg = f"{type(exc).__name__}: {exc}"
    _failures.append((name, " ".join(msg.split())))
    where = "" if origin in (BUILTIN, REGISTERED) else f" (from {origin})"
    warnings.warn(
        f"arignote plugin '{name}'{where} {what} and is skipped: {msg}",
        PluginWarning,
        stacklevel=4,
    )


def _register_into(pm: pluggy.PluginManager, plugin: Any, name: str | None, origin: str) -> str:
    """Register ``plugin``; on a validation error undo the partial
    registration and re-raise."""
    try:
        registered = pm.register(plugin, name=name)
    except Exception:
        try:
            if pm.get_plugin(name) is plugin or pm.is_registered(plugin):
                pm.unregister(plugin=plugin, name=name)
        except Exception:
            pass
        raise
    if registered is None:  # blocked name
        raise ValueError(f"plugin name {name!r} is blocked")
    registered = pm.get_name(plugin)
    _origins[registered] = origin
    for caller in pm.get_hookcallers(plugin) or ():
        if not caller.has_spec() and caller.name.startswith(PROJECT_NAME + "_"):
            warnings.warn(
                f"arignote plugin '{registered}' implements unknown hook '{caller.name}' (typo, or a newer arignote?)",
                PluginWarning,
                stacklevel=3,
            )
    return registered


def _load_entry_points(pm: pluggy.PluginManager) -> None:
    autoload = not _env_true(DISABLE_AUTOLOAD_ENV)
    seen: set[tuple[str, str]] = set()
    for ep in _iter_entry_points():
        try:
            module = _ep_module(ep)
        except Exception as e:  # malformed entry point
            _report(getattr(ep, "name", "?"), "entry point", "is malformed", e)
            continue
        if not autoload and not _is_builtin_module(module):
            continue
        key = (ep.name, ep.value)
        if key in seen:  # the same distribution found twice on sys.path
            continue
        seen.add(key)
        origin = _ep_origin(ep, module)
        try:
            plugin = ep.load()
        except Exception as e:
            _report(ep.name, origin, f"failed to import ({ep.value})", e)
            continue
        if pm.is_registered(plugin):
            continue
        try:
            _register_into(pm, plugin, ep.name, origin)
        except Exception as e:
            _report(ep.name, origin, "failed to register", e)


def get_plugin_manager() -> pluggy.PluginManager:
    """The project's plugin manager; the first call loads the entry points."""
    global _pm, _ready
    if _ready:
        return _pm  # type: ignore[return-value]
    with _lock:
        if _pm is not None:
            # Loaded already, or being loaded by this thread (a plugin module
            # asking for the manager at import): return it as it is.
            return _pm
        pm = pluggy.PluginManager(PROJECT_NAME)
        pm.add_hookspecs(hookspecs)
        _pm = pm
        try:
            _load_entry_points(pm)
        finally:
            _ready = True
        # Every part of arignote that registers config flags is imported by now.
        config.warn_unknown_flags()
        return pm


def _invalidate() -> None:
    global _auto, _generation
    _generation += 1
    _records.clear()
    _instances.clear()
    _auto = None


def register(plugin: Any, name: str | None = None) -> str:
    """Register a plugin (a module or any object with ``@hookimpl``
    functions) programmatically; returns its name.  Errors (a bad hook
    signature, a name in use) raise."""
    with _lock:
        pm = get_plugin_manager()
        if name is None:
            name = getattr(plugin, "__name__", None) or None
        if name is not None and pm.get_plugin(name) is not None and pm.get_plugin(name) is not plugin:
            raise ValueError(f"a plugin named '{name}' is already registered")
        if pm.is_registered(plugin):
            return pm.get_name(plugin)
        registered = _register_into(pm, plugin, name, REGISTERED)
        _invalidate()
        return registered


def unregister(plugin_or_name: Any) -> None:
    """Remove a plugin (object or name) registered earlier."""
    with _lock:
        pm = get_plugin_manager()
        if isinstance(plugin_or_name, str):
            plugin = pm.unregister(name=plugin_or_name)
            _origins.pop(plugin_or_name, None)
        else:
            name = pm.get_name(plugin_or_name)
            plugin = pm.unregister(plugin=plugin_or_name)
            _origins.pop(name, None)
        if plugin is None:
            raise ValueError(f"no such plugin: {plugin_or_name!r}")
        _invalidate()


def _reset() -> None:
    """Forget the plugin manager and all caches (for tests): the next call
    loads the entry points again."""
    global _pm, _ready
    with _lock:
        _pm = None
        _ready = False
        _origins.clear()
        _failures.clear()
        _invalidate()


# -- records ----------------------------------------------------------------


def _as_list(result: Any) -> list:
    if result is None:
        return []
    if isinstance(result, (list, tuple)):
        return list(result)
    return [result]


def _collect(hook_name: str) -> dict[str, Any]:
    found = _records.get(hook_name)
    if found is not None:
        return found
    with _lock:
        pm = get_plugin_manager()
        rtype = RECORD_TYPES[hook_name]
        out: dict[str, Any] = {}
        owner: dict[str, str] = {}
        for impl in getattr(pm.hook, hook_name).get_hookimpls():
            if impl.hookwrapper or getattr(impl, "wrapper", False):
                continue
            pname = impl.plugin_name
            try:
                records = _as_list(impl.function())
                bad = [r for r in records if not isinstance(r, rtype)]
                if bad:
                    raise TypeError(f"{hook_name}() returned {bad[0]!r}, expected {rtype.__name__} records")
            except Exception as e:
                if config.debug:
                    raise
                _report(pname, _origins.get(pname, REGISTERED), f"failed in {hook_name}()", e)
                continue
            for rec in records:
                if rec.name in out:
                    first = owner[rec.name]
                    raise PluginError(
                        f"{rtype.__name__} '{rec.name}' is registered twice: by plugin '{first}'"
                        f" and by plugin '{pname}'"
                        + (" (the same plugin)" if first == pname else "")
                    )
                if rtype is BackendRecord and rec.name == "auto":
                    raise PluginError(f"plugin '{pname}': 'auto' is reserved and cannot name a backend")
                out[rec.name] = rec
                owner[rec.name] = pname
        _records[hook_name] = out
        return out


def backends() -> dict[str, BackendRecord]:
    """name -> BackendRecord of every registered backend."""
    return dict(_collect("arignote_register_backends"))


def ops() -> dict[str, OpRecord]:
    return dict(_collect("arignote_register_ops"))


def rewrites() -> dict[str, RewriteRecord]:
    return dict(_collect("arignote_register_rewrites"))


def samplers() -> dict[str, SamplerRecord]:
    return dict(_collect("arignote_register_samplers"))


def distributions() -> dict[str, DistributionRecord]:
    return dict(_collect("arignote_register_distributions"))


def renderings() -> dict[str, RenderingRecord]:
    """'backend:op' -> RenderingRecord of every scalar-op rendering the plugins register."""
    return dict(_collect("arignote_register_renderings"))


def lowerings() -> dict[str, LoweringRecord]:
    """Op class name -> LoweringRecord of every lowering rule the plugins register."""
    return dict(_collect("arignote_register_lowerings"))


def forget(hook_name: str) -> None:
    """Collect the records of ``hook_name`` again at the next request (their source changed)."""
    _records.pop(hook_name, None)


def generation() -> int:
    """A number that changes whenever a plugin is registered or unregistered: what is built from
    the hooks' records (e.g. the backends' rendering table) is rebuilt when it changes."""
    return _generation


def loaded() -> bool:
    """Whether the entry points are loaded (False while a plugin module is being imported by the
    first get_plugin_manager() call, or before it)."""
    return _ready


# -- backends ---------------------------------------------------------------


def _availability(rec: BackendRecord) -> tuple[bool, str]:
    try:
        res = rec.available()
    except Exception as e:
        return False, f"available() raised {type(e).__name__}: {e}"
    if isinstance(res, bool):
        return res, ""
    ok, reason = res
    return bool(ok), str(reason or "")


def _backend_records() -> list:
    """The registered backends, the one 'auto' would try first first."""
    return sorted(_collect("arignote_register_backends").values(), key=lambda r: (-r.priority, r.name))


def backend_status() -> list[tuple[str, bool, str, int]]:
    """(name, available, reason, priority) of every backend, the one 'auto'
    would try first first."""
    return [(r.name, *_availability(r), r.priority) for r in _backend_records()]


def resolve_backend_name(name: str | None = None) -> str:
    """The backend name ``name`` stands for (None: ``config.backend``;
    'auto': the available backend with the highest priority)."""
    global _auto
    if name is None:
        name = config.backend
    if name != "auto":
        return name
    if _auto is not None:
        return _auto
    with _lock:
        status = []
        for rec in _backend_records():  # in priority order, probing no further than the first available one
            ok, reason = _availability(rec)
            if ok:
                _auto = rec.name
                return rec.name
            status.append((rec.name, ok, reason, rec.priority))
        if not status:
            raise RuntimeError("no arignote backend is registered (is arignote installed? see `arignote info`)")
        reasons = "; ".join(f"{n}: {r or 'unavailable'}" for n, _ok, r, _p in status)
        raise RuntimeError(f"no arignote backend is available ({reasons})")


#: backends that Theano's flags can name but that no built-in plugin provides yet
_NOT_IMPLEMENTED = {
    "cuda": "arignote's CUDA backend is not implemented yet (config.device='cuda' and "
            "Mode(linker='cuda') ask for it); use device='cpu', or install a plugin that registers 'cuda'",
}


def get_backend(name: str | None = None) -> Any:
    """The backend object called ``name`` (None: ``config.backend``),
    created once and cached.  'auto' is the available backend with the
    highest priority.  Unknown name: ValueError; unavailable: RuntimeError."""
    name = resolve_backend_name(name)
    inst = _instances.get(name)
    if inst is not None:
        return inst
    with _lock:
        inst = _instances.get(name)
        if inst is not None:
            return inst
        recs = _collect("arignote_register_backends")
        rec = recs.get(name)
        if rec is None:
            known = ", ".join(["auto", *sorted(recs)])
            why = _NOT_IMPLEMENTED.get(name)
            if why is not None:
                raise ValueError(f"arignote backend '{name}' is not installed: {why}; known backends: {known}")
            raise ValueError(f"unknown arignote backend '{name}'; known backends: {known}")
        ok, reason = _availability(rec)
        if not ok:
            raise RuntimeError(f"arignote backend '{name}' is not available: {reason or 'no reason given'}")
        inst = rec.factory()
        _instances[name] = inst
        return inst


# -- introspection ----------------------------------------------------------


def plugin_names() -> list[tuple[str, str]]:
    """(plugin name, origin) of every registered plugin; origin is 'builtin',
    the distribution of a third-party entry point, or 'registered'."""
    pm = get_plugin_manager()
    out = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:  # blocked
            continue
        out.append((name, _origins.get(name, REGISTERED)))
    return out


def plugin_failures() -> list[tuple[str, str]]:
    """(plugin name, error) of every plugin that was skipped."""
    get_plugin_manager()
    return list(_failures)
