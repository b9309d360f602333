"""Object-code cache of the LLVM backend: in memory, and on disk under ``config.compiledir``.

Key: SHA-256 of the generated IR, the target (CPU name and features, vector
ISA, optimisation level), the LLVM/llvmlite/arignote versions.  An entry is
one file ``<compiledir>/llvm/<key[:2]>/<key>.o`` holding the SHA-256 of the
object code followed by the code; it is written to a temporary file and
renamed into place, so readers see a whole entry or none and concurrent
writers of one key both succeed.  A damaged entry (truncated, corrupted:
checksum mismatch) is reported with a warning, removed and recompiled.
The directory rules are the C cache's: created 0700, refused when another
user owns it or others may write to it.  ``config.llvm_disk_cache`` turns
the disk part off.
"""
from __future__ import annotations

import hashlib
import os
import stat
import tempfile
import threading
import warnings

import llvmlite

from arignote.config import config

SUBDIR = "llvm"
FORMAT = b"arignote-llvm-object-1"
_memory: dict = {}
_lock = threading.Lock()

if "llvm_disk_cache" not in config._flags:
    config.register_flag("llvm_disk_cache", True, None,
                         "LLVM backend: keep compiled object code under compiledir for later processes")


class CacheError(RuntimeError):
    """The compile directory cannot be used safely."""


class CacheWarning(UserWarning):
    """A cache entry was damaged and is being rebuilt."""


def make_key(ir_text, target_key):
    import arignote

    h = hashlib.sha256()
    for part in (FORMAT, repr(target_key).encode(), llvmlite.__version__.encode(),
                 str(getattr(arignote, "__version__", "")).encode(), ir_text.encode()):
        h.update(part)
        h.update(b"\0")
    return h.hexdigest()


def _check_dir(path):
    st = os.stat(path)
    if not stat.S_ISDIR(st.st_mode):
        raise CacheError(f"arignote compiledir {path} is not a directory")
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        raise CacheError(f"refusing to use arignote compiledir {path}: it is owned by uid {st.st_uid}, not by "
                         f"you (uid {os.getuid()}); set config.compiledir or $ARIGNOTE_COMPILEDIR")
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise CacheError(f"refusing to use arignote compiledir {path}: it is writable by other users "
                         f"(mode {stat.S_IMODE(st.st_mode):o}); run `chmod go-w {path}`")


def directory():
    """``<compiledir>/llvm``, created 0700 after the compiledir passed the safety checks."""
    root = config.compiledir
    if not os.path.isdir(root):
        os.makedirs(root, mode=0o700, exist_ok=True)
        os.chmod(root, 0o700)
    _check_dir(root)
    sub = os.path.join(root, SUBDIR)
    os.makedirs(sub, mode=0o700, exist_ok=True)
    return sub


def entry_path(key):
    return os.path.join(directory(), key[:2], key + ".o")


def get(key):
    """Object code for ``key`` from memory or disk, or None."""
    obj = _memory.get(key)
    if obj is not None or not config.llvm_disk_cache:
        return obj
    path = entry_path(key)
    try:
        with open(path, "rb") as f:
            blob = f.read()
    except OSError:
        return None
    digest, obj = blob[:32], blob[32:]
    if len(blob) <= 32 or hashlib.sha256(obj).digest() != digest:
        warnings.warn(f"arignote: the cached LLVM object {path} is damaged (checksum mismatch); recompiling it",
                      CacheWarning, stacklevel=3)
        try:
            os.unlink(path)
        except OSError:
            pass
        return None
    _memory[key] = obj
    return obj


def put(key, obj):
    """Remember ``obj`` in memory and (atomically) on disk."""
    _memory[key] = obj
    if not config.llvm_disk_cache:
        return
    path = entry_path(key)
    d = os.path.dirname(path)
    os.makedirs(d, mode=0o700, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(hashlib.sha256(obj).digest())
            f.write(obj)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def info():
    """Entries and size of the disk cache (for ``arignote cache info``)."""
    path = os.path.join(config.compiledir, SUBDIR)
    count = size = 0
    if os.path.isdir(path):
        for base, _dirs, files in os.walk(path):
            for f in files:
                if f.endswith(".o"):
                    count += 1
                    size += os.path.getsize(os.path.join(base, f))
    return {"llvm objects": count, "llvm size": f"{size / 1024 / 1024:.1f} MiB ({size} bytes)"}


def clear():
    """Delete the disk cache's entries (and forget the in-memory ones)."""
    import shutil

    _memory.clear()
    path = os.path.join(config.compiledir, SUBDIR)
    if os.path.isdir(path):
        shutil.rmtree(path, ignore_errors=True)
