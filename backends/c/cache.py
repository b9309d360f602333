"""The disk cache of compiled modules under ``config.compiledir``.

Layout: ``<compiledir>/c/<key[:2]>/<key>/`` holds the module (``<name><EXT_SUFFIX>``),
its C source and a ``checksum`` file (SHA-256 of the module) written after the
module.  An entry is built in a private temporary directory and renamed into
place in one step, so readers see a complete entry or none, and two processes
building the same key both succeed (the loser uses the winner's entry).  A
module whose checksum does not match (truncated, corrupted) is moved aside,
rebuilt and reported with a warning.  The directory is created 0700 and
refused when another user owns it or others may write to it.
"""
from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import os
import shutil
import stat
import tempfile
import threading
import warnings

from arignote.config import config

SUBDIR = "c"
_loaded: dict = {}
_lock = threading.Lock()       # guards _loaded and _key_locks
_key_locks: dict = {}


def _key_lock(name):
    with _lock:
        lk = _key_locks.get(name)
        if lk is None:
            lk = _key_locks[name] = threading.Lock()
        return lk


class CacheError(RuntimeError):
    """The compile directory cannot be used safely."""


class CacheWarning(UserWarning):
    """A cache entry was damaged and has been rebuilt."""


def _check_dir(path):
    st = os.stat(path)
    if not stat.S_ISDIR(st.st_mode):
        raise CacheError(f"arignote compiledir {path} is not a directory")
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        raise CacheError(
            f"refusing to use arignote compiledir {path}: it is owned by uid {st.st_uid}, not by you "
            f"(uid {os.getuid()}); set config.compiledir or $ARIGNOTE_COMPILEDIR to a directory of your own"
        )
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise CacheError(
            f"refusing to use arignote compiledir {path}: it is writable by other users "
            f"(mode {stat.S_IMODE(st.st_mode):o}); run `chmod go-w {path}` or choose another directory"
        )


def root():
    """The checked compile directory (created 0700 if missing)."""
    path = config.compiledir
    if not os.path.isdir(path):
        os.makedirs(path, mode=0o700, exist_ok=True)
        os.chmod(path, 0o700)
    _check_dir(path)
    sub = os.path.join(path, SUBDIR)
    if not os.path.isdir(sub):
        os.makedirs(sub, mode=0o700, exist_ok=True)
    return path


def atomic_write(path, data):
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    d = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def entry_dir(key):
    return os.path.join(root(), SUBDIR, key[:2], key)


def _valid(d, filename):
    so, sumf = os.path.join(d, filename), os.path.join(d, "checksum")
    try:
        with open(sumf) as f:
            want = f.read().strip()
        return digest(so) == want
    except OSError:
        return False


def _import(name, path):
    loader = importlib.machinery.ExtensionFileLoader(name, path)
    spec = importlib.util.spec_from_file_location(name, path, loader=loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def _discard(d):
    """Move a damaged entry out of the way (atomically), then delete it."""
    trash = tempfile.mkdtemp(prefix=".trash-", dir=os.path.dirname(d))
    try:
        os.rename(d, os.path.join(trash, "entry"))
    except OSError:
        pass
    shutil.rmtree(trash, ignore_errors=True)


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
                warnings.warn(f"arignote: the cached module {d} is damaged (checksum mismatch or missing); "
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
            warnings.warn(f"arignote: the cached module {d} is damaged (checksum mismatch or missing); "
                          "it will be rebuilt", CacheWarning, stacklevel=4)
            _discard(d)
            return None
        mod = load(os.path.join(d, filename))
        _loaded[key] = mod
        return mod


def import_extension(name):
    """A loader for ``load_or_build``: import the extension module ``name`` from a path."""
    return lambda path: _import(name, path)


def _build_into(d, filename, build):
    parent = os.path.dirname(d)
    os.makedirs(parent, mode=0o700, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".build-", dir=os.path.join(root(), SUBDIR))
    try:
        build(tmp)
        so = os.path.join(tmp, filename)
        atomic_write(os.path.join(tmp, "checksum"), (digest(so) + "\n").encode())
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
    """Copy a source that failed to compile to ``<compiledir>/c/failed/`` and return the new path."""
    dest_dir = os.path.join(root(), SUBDIR, "failed")
    os.makedirs(dest_dir, mode=0o700, exist_ok=True)
    dest = os.path.join(dest_dir, f"{key}.c")
    shutil.copyfile(src_path, dest)
    return dest


# ------------------------------------------------------------------ CLI


def _stats(path):
    size = count = 0
    for base, _dirs, files in os.walk(path):
        for f in files:
            try:
                size += os.lstat(os.path.join(base, f)).st_size
                count += 1
            except OSError:
                pass
    return size, count


def info():
    """What `arignote cache info` prints: location, entries, size, compiler probe."""
    path = config.compiledir
    out = {"compiledir": path}
    if not os.path.isdir(path):
        out["status"] = "does not exist yet"
        return out
    try:
        _check_dir(path)
        out["status"] = "ok"
    except CacheError as e:
        out["status"] = str(e)
    sub = os.path.join(path, SUBDIR)
    entries = 0
    if os.path.isdir(sub):
        for prefix in os.listdir(sub):
            p = os.path.join(sub, prefix)
            if len(prefix) == 2 and os.path.isdir(p):
                entries += sum(1 for e in os.listdir(p) if not e.startswith("."))
    size, count = _stats(path)
    out["c modules"] = entries
    out["files"] = count
    out["size"] = f"{size / 1024 / 1024:.1f} MiB ({size} bytes)"
    return out


def clear():
    """Remove the C backend's cached modules and probes (`arignote cache clear`)."""
    path = config.compiledir
    if not os.path.isdir(path):
        return f"compiledir {path} does not exist: nothing to clear"
    _check_dir(path)
    size, count = _stats(path)
    sub = os.path.join(path, SUBDIR)
    if os.path.isdir(sub):
        _discard(sub)
    for f in os.listdir(path):
        if f.startswith("probe-") and f.endswith(".json"):
            try:
                os.unlink(os.path.join(path, f))
            except OSError:
                pass
    with _lock:
        _loaded.clear()
    from . import build

    build._probe_cache.clear()
    left, nleft = _stats(path)
    return f"cleared {path}: removed {count - nleft} files, {(size - left) / 1024:.1f} KiB"
