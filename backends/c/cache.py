"""The disk cache of compiled modules under ``config.compiledir``.

Layout: ``<compiledir>/c/<key[:2]>/<key>/`` holds the module (``<name><EXT_SUFFIX>``),
its C source, anything else the loader reads (a kernel library's ``symbols``)
and a ``checksum`` file listing the SHA-256 of every other file, written last.  An entry is built in a private temporary directory and renamed into
place in one step, so readers see a complete entry or none, and two processes
building the same key both succeed (the loser uses the winner's entry).  An
entry with any file missing, extra or not matching its checksum (truncated,
emptied, corrupted, reordered) is never used: it is moved aside, rebuilt and
reported with one warning.  The directory rules, ``info`` and
``clear`` are core/compiledir.py's.
"""
from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import shutil
import tempfile
import threading
import time
import warnings

from arignote import compiledir
from arignote.compiledir import CacheError, CacheWarning  # noqa: F401  (re-exported)
from arignote.config import config
from arignote.forksafe import renew_after_fork

SUBDIR = "c"
_loaded: dict = {}
_lock = threading.Lock()       # guards _loaded and _key_locks
_key_locks: dict = {}
renew_after_fork(globals(), _lock=threading.Lock, _key_locks=dict)  # held mid-compile by a parent thread


def _key_lock(name):
    with _lock:
        lk = _key_locks.get(name)
        if lk is None:
            lk = _key_locks[name] = threading.Lock()
        return lk


def root():
    """The checked compile directory (created 0700 if missing), with the C backend's subdirectory."""
    compiledir.subdir(SUBDIR)
    return config.compiledir


atomic_write = compiledir.atomic_write
digest = compiledir.file_digest
_discard = compiledir.discard


def entry_dir(key):
    return os.path.join(root(), SUBDIR, key[:2], key)


def _checksums(d):
    """The ``checksum`` file's text for the entry folder ``d``: "<sha256>  <name>" per other file."""
    names = sorted(n for n in os.listdir(d) if n != "checksum")
    return "".join(f"{digest(os.path.join(d, n))}  {n}\n" for n in names)


def _valid(d, filename):
    """Whether every file of entry ``d`` is there, untouched, and ``filename`` is one of them."""
    try:
        with open(os.path.join(d, "checksum"), encoding="ascii") as f:
            listed = f.read()
        names = [ln.partition("  ")[2] for ln in listed.splitlines()]
        return filename in names and listed == _checksums(d)
    except (OSError, ValueError):
        return False


def _import(name, path):
    loader = importlib.machinery.ExtensionFileLoader(name, path)
    spec = importlib.util.spec_from_file_location(name, path, loader=loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def load_or_build(key, filename, build, load):
    """``load(path)`` of the file built for ``key``: from memory, the disk cache, or ``build(tmpdir)``.

    ``build(tmpdir)`` writes ``filename`` (and anything worth keeping, like
    the source) into ``tmpdir``.  Returns (loaded object, how) with how in
    {'memory', 'disk', 'compiled'}.
    """
    mod = _loaded.get(key)
    if mod is not None:
        return mod, "memory"
    with _key_lock(key):
        mod = _loaded.get(key)
        if mod is not None:
            return mod, "memory"
        d = entry_dir(key)
        how = "disk"
        for _attempt in range(3):
            if os.path.isdir(d):
                if _valid(d, filename):
                    break
                warnings.warn(f"arignote: the cached module {d} is damaged (a file missing, changed or unexpected); "
                              "rebuilding it", CacheWarning, stacklevel=4)
                _discard(d)
            how = "compiled"
            _build_into(d, filename, build)
            if _valid(d, filename):
                break
        else:  # pragma: no cover - only if the disk keeps corrupting files
            raise CacheError(f"could not build a valid module in {d}")
        mod = load(os.path.join(d, filename))
        _loaded[key] = mod
        return mod, how


def load_existing(key, filename, load):
    """``load(path)`` of a valid cached entry, or None (a damaged one is reported and removed)."""
    mod = _loaded.get(key)
    if mod is not None:
        return mod
    with _key_lock(key):
        mod = _loaded.get(key)
        if mod is not None:
            return mod
        d = entry_dir(key)
        if not os.path.isdir(d):
            return None
        if not _valid(d, filename):
            warnings.warn(f"arignote: the cached module {d} is damaged (a file missing, changed or unexpected); "
                          "it will be rebuilt", CacheWarning, stacklevel=4)
            _discard(d)
            return None
        mod = load(os.path.join(d, filename))
        _loaded[key] = mod
        return mod


def import_extension(name):
    """A loader for ``load_or_build``: import the extension module ``name`` from a path."""
    return lambda path: _import(name, path)


_cleaned = []


def _build_into(d, filename, build):
    if not _cleaned:
        _cleaned.append(True)
        clean_stale_builds()
    parent = os.path.dirname(d)
    os.makedirs(parent, mode=0o700, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".build-", dir=os.path.join(root(), SUBDIR))
    try:
        build(tmp)
        if not os.path.isfile(os.path.join(tmp, filename)):
            raise CacheError(f"building {d} made no {filename}")
        atomic_write(os.path.join(tmp, "checksum"), _checksums(tmp).encode())
        try:
            os.rename(tmp, d)
            tmp = None
        except OSError:
            if not os.path.isdir(d):  # pragma: no cover - a real failure, not a lost race
                raise
            # another process won the race: its complete entry is used
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def keep_failed_source(key, src_path):
    """Copy a source that failed to compile to ``<compiledir>/c/failed/``; returns the sentence
    to add to the compiler's message.  Never raises: keeping the source must not hide the
    compiler's own error (a full disk, the cache cleared meanwhile)."""
    try:
        dest_dir = os.path.join(root(), SUBDIR, "failed")
        os.makedirs(dest_dir, mode=0o700, exist_ok=True)
        dest = os.path.join(dest_dir, f"{key}.c")
        shutil.copyfile(src_path, dest)
    except (OSError, CacheError) as e:
        return f"The generated source could not be kept ({type(e).__name__}: {e})"
    return f"The generated source is kept at {dest}"


STALE_SECONDS = 600  # a build folder this old belongs to a compile that was killed


def clean_stale_builds(now=None):
    """Remove ``.build-*`` folders (and temporary files) left by killed compiles, older than STALE_SECONDS."""
    now = time.time() if now is None else now
    base = os.path.join(root(), SUBDIR)
    try:
        entries = list(os.scandir(base))
    except OSError:
        return
    for e in entries:
        if not e.name.startswith((".build-", ".trash-", ".tmp-")) or e.is_symlink():
            continue
        try:
            if now - e.stat(follow_symlinks=False).st_mtime < STALE_SECONDS:
                continue  # maybe another process's compile in progress
        except OSError:
            continue
        if e.is_dir(follow_symlinks=False):
            shutil.rmtree(e.path, ignore_errors=True)
        else:
            compiledir.remove(e.path)


def _forget():
    with _lock:
        _loaded.clear()
    from . import build

    build._probe_cache.clear()


compiledir.on_clear(_forget)
