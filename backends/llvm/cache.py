"""Object-code cache of the LLVM backend: in memory, and on disk under ``config.compiledir``.

Key: given by the caller (signature.py: a structural description of the
generated code, the target's CPU name and features, vector ISA, optimisation
level, a hash of the generator's sources) mixed with the LLVM/llvmlite/
arignote versions.  An entry is one file ``<compiledir>/llvm/<key[:2]>/<key>.o``
holding a SHA-256 checksum, then a JSON header (what the loader needs, e.g.
runtime-table layouts), then the object code; it is written to a temporary file and
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
import json
import stat
import struct
import tempfile
import warnings

import llvmlite

from arignote.config import config

SUBDIR = "llvm"
FORMAT = b"arignote-llvm-object-2"
_memory: dict = {}

if "llvm_disk_cache" not in config._flags:
    config.register_flag("llvm_disk_cache", True, None,
                         "LLVM backend: keep compiled object code under compiledir for later processes")


class CacheError(RuntimeError):
    """The compile directory cannot be used safely."""


class CacheWarning(UserWarning):
    """A cache entry was damaged and is being rebuilt."""


def make_key(description):
    """The cache key of a module described by the string ``description``."""
    import arignote
    import llvmlite.binding as llvm

    h = hashlib.sha256()
    for part in (FORMAT, llvmlite.__version__.encode(), repr(llvm.llvm_version_info).encode(),
                 str(getattr(arignote, "__version__", "")).encode(), description.encode()):
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
    """(object code, header dict) for ``key`` from memory or disk, or None."""
    hit = _memory.get(key)
    if hit is not None or not config.llvm_disk_cache:
        return hit
    path = entry_path(key)
    try:
        with open(path, "rb") as f:
            blob = f.read()
    except OSError:
        return None
    try:
        digest, payload = blob[:32], blob[32:]
        if len(blob) < 40 or hashlib.sha256(payload).digest() != digest:
            raise ValueError("checksum mismatch")
        (n,) = struct.unpack("<Q", payload[:8])
        meta = json.loads(payload[8:8 + n].decode())
        obj = payload[8 + n:]
        if not obj:
            raise ValueError("no object code")
    except (ValueError, UnicodeDecodeError, struct.error) as e:
        warnings.warn(f"arignote: the cached LLVM object {path} is damaged ({e}); recompiling it",
                      CacheWarning, stacklevel=3)
        try:
            os.unlink(path)
        except OSError:
            pass
        return None
    _memory[key] = (obj, meta)
    return obj, meta


def put(key, obj, meta):
    """Remember ``obj`` (bytes) and ``meta`` (JSON-able) in memory and, atomically, on disk."""
    _memory[key] = (obj, meta)
    if not config.llvm_disk_cache:
        return
    path = entry_path(key)
    d = os.path.dirname(path)
    os.makedirs(d, mode=0o700, exist_ok=True)
    head = json.dumps(meta).encode()
    payload = struct.pack("<Q", len(head)) + head + obj
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(hashlib.sha256(payload).digest())
            f.write(payload)
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
