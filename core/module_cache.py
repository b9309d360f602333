"""Compiled modules cached on disk under ``config.compiledir``, one subdirectory per user of it.

Layout: ``<compiledir>/<subdir>/<key[:2]>/<key>/`` holds the module, its source, anything
else the loader reads and a ``checksum`` file listing the SHA-256 of every other file,
written last.  An entry is built in a private temporary directory and renamed into place in
one step, so readers see a complete entry or none, and two processes building the same key
both succeed (the loser uses the winner's entry).  An entry with any file missing, extra or
not matching its checksum (truncated, emptied, corrupted) is never used: it is moved aside,
rebuilt and reported with one warning.  The directory rules, ``info`` and ``clear`` are
compiledir.py's.  The c backend keeps its modules in ``c``; the native NUTS kernel of the
samplers in ``nuts``.
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

from . import compiledir
from .config import config
from .errors import CacheError, CacheWarning
from .forksafe import renew_after_fork

__all__ = ["ModuleCache", "import_extension", "STALE_SECONDS"]

STALE_SECONDS = 600  # a build folder this old belongs to a compile that was killed


class ModuleCache:
    """The cached modules of one subdirectory of the compile directory."""

    def __init__(self, subdir):
        self.subdir = subdir
        self.loaded: dict = {}
        self.cleaned: list = []
        self._lock = threading.Lock()  # guards loaded and _key_locks
        self._key_locks: dict = {}
        renew_after_fork(self.__dict__, _lock=threading.Lock, _key_locks=dict)  # held mid-compile by a parent thread
        compiledir.on_clear(self.forget)

    def forget(self):
        with self._lock:
            self.loaded.clear()

    def _key_lock(self, name):
        with self._lock:
            lk = self._key_locks.get(name)
            if lk is None:
                lk = self._key_locks[name] = threading.Lock()
            return lk

    def root(self):
        """The checked compile directory (created 0700 if missing), with this cache's subdirectory."""
        compiledir.subdir(self.subdir)
        return config.compiledir

    def entry_dir(self, key):
        return os.path.join(self.root(), self.subdir, key[:2], key)

    def load_or_build(self, key, filename, build, load):
        """``load(path)`` of the file built for ``key``: from memory, the disk cache, or ``build(tmpdir)``.

        ``build(tmpdir)`` writes ``filename`` (and anything worth keeping, like the source)
        into ``tmpdir``.  Returns (loaded object, how) with how in {'memory', 'disk', 'compiled'}.
        """
        mod = self.loaded.get(key)
        if mod is not None:
            return mod, "memory"
        with self._key_lock(key):
            mod = self.loaded.get(key)
            if mod is not None:
                return mod, "memory"
            d = self.entry_dir(key)
            how = "disk"
            for _attempt in range(3):
                if os.path.isdir(d):
                    if _valid(d, filename):
                        break
                    warnings.warn(f"arignote: the cached module {d} is damaged (a file missing, changed or "
                                  "unexpected); rebuilding it", CacheWarning, stacklevel=4)
                    compiledir.discard(d)
                how = "compiled"
                self._build_into(d, filename, build)
                if _valid(d, filename):
                    break
            else:  # pragma: no cover - only if the disk keeps corrupting files
                raise CacheError(f"could not build a valid module in {d}")
            mod = load(os.path.join(d, filename))
            self.loaded[key] = mod
            return mod, how

    def load_existing(self, key, filename, load):
        """``load(path)`` of a valid cached entry, or None (a damaged one is reported and removed)."""
        mod = self.loaded.get(key)
        if mod is not None:
            return mod
        with self._key_lock(key):
            mod = self.loaded.get(key)
            if mod is not None:
                return mod
            d = self.entry_dir(key)
            if not os.path.isdir(d):
                return None
            if not _valid(d, filename):
                warnings.warn(f"arignote: the cached module {d} is damaged (a file missing, changed or "
                              "unexpected); it will be rebuilt", CacheWarning, stacklevel=4)
                compiledir.discard(d)
                return None
            mod = load(os.path.join(d, filename))
            self.loaded[key] = mod
            return mod

    def _build_into(self, d, filename, build):
        if not self.cleaned:
            self.cleaned.append(True)
            self.clean_stale_builds()
        os.makedirs(os.path.dirname(d), mode=0o700, exist_ok=True)
        tmp = tempfile.mkdtemp(prefix=".build-", dir=os.path.join(self.root(), self.subdir))
        try:
            build(tmp)
            if not os.path.isfile(os.path.join(tmp, filename)):
                raise CacheError(f"building {d} made no {filename}")
            compiledir.atomic_write(os.path.join(tmp, "checksum"), _checksums(tmp).encode())
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

    def keep_failed_source(self, key, src_path):
        """Copy a source that failed to compile to ``<compiledir>/<subdir>/failed/``; returns the
        sentence to add to the compiler's message.  Never raises: keeping the source must not
        hide the compiler's own error (a full disk, the cache cleared meanwhile)."""
        try:
            dest_dir = os.path.join(self.root(), self.subdir, "failed")
            os.makedirs(dest_dir, mode=0o700, exist_ok=True)
            dest = os.path.join(dest_dir, f"{key}.c")
            shutil.copyfile(src_path, dest)
        except (OSError, CacheError) as e:
            return f"The generated source could not be kept ({type(e).__name__}: {e})"
        return f"The generated source is kept at {dest}"

    def clean_stale_builds(self, now=None):
        """Remove ``.build-*`` folders (and temporary files) left by killed compiles, older than STALE_SECONDS."""
        now = time.time() if now is None else now
        base = os.path.join(self.root(), self.subdir)
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


def _checksums(d):
    """The ``checksum`` file's text for the entry folder ``d``: "<sha256>  <name>" per other file."""
    names = sorted(n for n in os.listdir(d) if n != "checksum")
    return "".join(f"{compiledir.file_digest(os.path.join(d, n))}  {n}\n" for n in names)


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


def import_extension(name):
    """A loader for ``load_or_build``: import the extension module ``name`` from a path."""
    return lambda path: _import(name, path)
