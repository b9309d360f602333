"""The c backend's disk cache of compiled modules: ``<compiledir>/c/`` (layout, checksums,
atomic builds and damage handling are core/module_cache.py's; the directory rules,
``info`` and ``clear`` core/compiledir.py's)."""
from __future__ import annotations

from arignote import compiledir
from arignote.compiledir import CacheError, CacheWarning  # noqa: F401  (re-exported)
from arignote.module_cache import STALE_SECONDS, ModuleCache, import_extension  # noqa: F401

SUBDIR = "c"
_CACHE = ModuleCache(SUBDIR)
_loaded = _CACHE.loaded
_cleaned = _CACHE.cleaned

atomic_write = compiledir.atomic_write
digest = compiledir.file_digest
root = _CACHE.root
entry_dir = _CACHE.entry_dir
load_or_build = _CACHE.load_or_build
load_existing = _CACHE.load_existing
keep_failed_source = _CACHE.keep_failed_source
clean_stale_builds = _CACHE.clean_stale_builds


def _forget():
    from . import build

    build._probe_cache.clear()


compiledir.on_clear(_forget)
