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
The directory rules, ``info`` and ``clear`` are core/compiledir.py's.
``config.llvm_disk_cache`` turns the disk part off.
"""
from __future__ import annotations

import hashlib
import json
import os
import struct
import warnings

import llvmlite

from arignote import compiledir
from arignote.compiledir import CacheError, CacheWarning  # noqa: F401  (re-exported)
from arignote.config import config

from . import flags  # noqa: F401  (llvm_disk_cache)

SUBDIR = "llvm"
FORMAT = b"arignote-llvm-object-2"
_memory: dict = {}



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


def directory():
    """``<compiledir>/llvm``, created 0700 after the compiledir passed the safety checks."""
    return compiledir.subdir(SUBDIR)


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
        compiledir.remove(path)
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
    compiledir.atomic_write(path, hashlib.sha256(payload).digest(), payload)


compiledir.on_clear(_memory.clear)
