"""The compile directory shared by every compiled backend: safety rules, atomic writes, info and clear.

``config.compiledir`` is private to its user: it is created 0700 and refused
(``CacheError``) when another user owns it or others may write to it.  Each
backend keeps its entries in a subdirectory of its own
(``<compiledir>/<backend>/<key[:2]>/<key>...``), written through a temporary
file or directory and a rename, so readers see a whole entry or none.
``arignote cache info|clear`` works on the directory as a whole, without
importing any backend; backends holding entries in memory register a
``forget`` callback so that ``clear()`` in the same process drops those too.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import stat
import tempfile

from arignote.config import config
from arignote.errors import CacheError, CacheWarning  # noqa: F401

_forgetters: list = []


def check(path):
    """Raise CacheError unless ``path`` is a directory owned by this user and not writable by others."""
    st = os.stat(path)
    if not stat.S_ISDIR(st.st_mode):
        raise CacheError(f"arignote compiledir {path} is not a directory")
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        raise CacheError(
            f"refusing to use arignote compiledir {path}: it is owned by uid {st.st_uid}, not by you "
            f"(uid {os.getuid()}); set config.compiledir or $ARIGNOTE_COMPILEDIR to a directory of your own")
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise CacheError(
            f"refusing to use arignote compiledir {path}: it is writable by other users "
            f"(mode {stat.S_IMODE(st.st_mode):o}); run `chmod go-w {path}` or choose another directory")


def root():
    """The checked compile directory, created 0700 if missing."""
    path = config.compiledir
    if not os.path.isdir(path):
        os.makedirs(path, mode=0o700, exist_ok=True)
        os.chmod(path, 0o700)
    check(path)
    return path


def subdir(name):
    """``<compiledir>/<name>``, created 0700 inside the checked compile directory."""
    sub = os.path.join(root(), name)
    os.makedirs(sub, mode=0o700, exist_ok=True)
    return sub


def atomic_write(path, *chunks):
    """Write the byte strings ``chunks`` to ``path`` through a temporary file and a rename."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            for chunk in chunks:
                f.write(chunk)
        os.replace(tmp, path)
    except BaseException:
        remove(tmp)
        raise


def remove(path):
    """Delete a file, ignoring one that is already gone."""
    with contextlib.suppress(OSError):
        os.unlink(path)


def discard(path):
    """Move a file or directory aside in one rename, then delete it (readers never see half of it)."""
    trash = tempfile.mkdtemp(prefix=".trash-", dir=os.path.dirname(path))
    with contextlib.suppress(OSError):  # already gone: nothing to hide
        os.rename(path, os.path.join(trash, "entry"))
    shutil.rmtree(trash, ignore_errors=True)


def file_digest(path):
    """SHA-256 hex digest of a file's contents."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def on_clear(forget):
    """Have ``clear()`` call ``forget()`` (a backend dropping its in-memory entries)."""
    _forgetters.append(forget)


def _stats(path):
    size = count = 0
    for base, _dirs, files in os.walk(path):
        for f in files:
            with contextlib.suppress(OSError):  # removed while we walk
                size += os.lstat(os.path.join(base, f)).st_size
                count += 1
    return size, count


def _entries(sub):
    """Cache entries of one backend: the items of its ``<key[:2]>`` folders."""
    n = 0
    for prefix in os.listdir(sub):
        p = os.path.join(sub, prefix)
        if len(prefix) == 2 and os.path.isdir(p):
            n += sum(1 for e in os.listdir(p) if not e.startswith("."))
    return n


def info():
    """What ``arignote cache info`` prints: location, status, entries per backend, files, size."""
    path = config.compiledir
    out = {"compiledir": path}
    if not os.path.isdir(path):
        out["status"] = "does not exist yet"
        return out
    try:
        check(path)
        out["status"] = "ok"
    except CacheError as e:
        out["status"] = str(e)
    for sub in sorted(os.listdir(path)):
        full = os.path.join(path, sub)
        if not sub.startswith(".") and os.path.isdir(full) and not os.path.islink(full):
            out[f"{sub} entries"] = _entries(full)
    size, count = _stats(path)
    out["files"] = count
    out["size"] = f"{size / 1024 / 1024:.1f} MiB ({size} bytes)"
    return out


def _refuse_to_clear(path):
    real = os.path.realpath(path)
    home = os.path.realpath(os.path.expanduser("~"))
    if real == home or os.path.dirname(real) == real:
        raise CacheError(f"refusing to clear {path!r}: it is the root or home directory")


def clear():
    """Empty the compile directory (every backend's entries; links are removed, never followed)."""
    path = config.compiledir
    for forget in _forgetters:
        forget()
    if not os.path.isdir(path):
        return f"compiledir {path} does not exist: nothing to clear"
    check(path)
    _refuse_to_clear(path)
    size, count = _stats(path)
    for entry in os.scandir(path):
        if entry.is_dir(follow_symlinks=False):
            discard(entry.path)
        else:
            remove(entry.path)
    left, nleft = _stats(path)
    return f"cleared {path}: removed {count - nleft} files, {(size - left) / 1024:.1f} KiB"
