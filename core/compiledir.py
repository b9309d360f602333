"""The compile directory shared by every compiled backend: safety rules, atomic writes, info and clear.

``config.compiledir`` is private to its user: it is created 0700 and refused
(``CacheError``) when another user owns it or others may write to it.  Each
backend keeps its entries in a subdirectory of its own
(``<compiledir>/<backend>/<key[:2]>/<key>...``), written through a temporary
file or directory and a rename, so readers see a whole entry or none.
``arignote cache info|clear`` works on the directory as a whole, without
importing any backend; backends holding entries in memory register a
``forget`` callback so that ``clear()`` in the same process drops those too.

``clear()`` deletes only what arignote wrote, recognised by its layout: backend
subdirectories carrying the ``MARKER`` file that ``subdir()`` writes, and in
them entries named by hex keys (``<key[:2]>/<key>[.ext]``, ``index``,
``failed``) or arignote's temporary names; probe files at the top.  Anything
else (a user's file, a symbolic link) is left in place and reported; links are
never followed.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import stat
import tempfile

from arignote.config import config
from arignote.errors import CacheError, CacheWarning  # noqa: F401

_forgetters: list = []
MARKER = ".arignote-cache"
_MARKER_TEXT = b"arignote compile cache: `arignote cache clear` removes the entries it recognises here\n"
_TEMP = re.compile(r"\.(tmp|trash|build)-")
_TOP = re.compile(r"(probe-[0-9a-f]{8,}\.json|arignote\.pydotprint\.[\w.]+)\Z")
_PREFIX = re.compile(r"[0-9a-f]{2}\Z")
_KEY = re.compile(r"[0-9a-f]{16,}(\.[a-z]{1,3})?\Z")
_GROUPS = ("index", "failed")  # the c backend's kernel index and kept failed sources


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
    marker = os.path.join(sub, MARKER)
    if not os.path.isfile(marker):
        atomic_write(marker, _MARKER_TEXT)
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


def _is_ours(entry, inside):
    """Whether ``entry`` (a DirEntry, never a link) has a name arignote gives at this level.

    ``inside`` is 'top' (the compile directory), 'backend' (a marked backend
    subdirectory) or 'group' (a ``<key[:2]>``, ``index`` or ``failed`` folder).
    """
    name = entry.name
    if entry.is_symlink():
        return False
    if _TEMP.match(name):
        return True
    if inside == "top":
        return entry.is_file() and bool(_TOP.match(name))
    return bool(_KEY.match(name))


def _delete(path, is_dir):
    """Delete a file, or a folder (moved aside first, so readers never see half of it); raises OSError."""
    if not is_dir:
        os.unlink(path)
        return
    trash = tempfile.mkdtemp(prefix=".trash-", dir=os.path.dirname(path))
    os.rename(path, os.path.join(trash, "entry"))
    shutil.rmtree(trash)


def _clear_tree(path, inside, left, failed):
    """Remove what arignote wrote under ``path``; add what it did not write to ``left`` and
    (path, OSError) of what could not be removed to ``failed``."""
    for entry in os.scandir(path):
        if inside == "backend" and entry.name == MARKER:
            continue  # removed last, with the folder, when nothing foreign stays
        sub = None
        if entry.is_dir(follow_symlinks=False):
            if inside == "top" and os.path.isfile(os.path.join(entry.path, MARKER)) \
                    and not os.path.islink(os.path.join(entry.path, MARKER)):
                sub = "backend"
            elif inside == "backend" and (_PREFIX.match(entry.name) or entry.name in _GROUPS):
                sub = "group"
            elif inside == "group" and _PREFIX.match(entry.name):
                sub = "group"  # index/<key[:2]>/
        if sub is not None:
            _clear_tree(entry.path, sub, left, failed)
            with contextlib.suppress(OSError):  # not empty: something foreign stays in it
                os.rmdir(entry.path)
        elif _is_ours(entry, inside):
            try:
                _delete(entry.path, entry.is_dir(follow_symlinks=False))
            except FileNotFoundError:
                pass  # removed meanwhile (another clear)
            except OSError as e:
                failed.append((entry.path, e))
        else:
            left.append(entry.path)
    if inside == "backend" and os.listdir(path) == [MARKER]:
        remove(os.path.join(path, MARKER))  # nothing foreign left: the folder goes too


def clear():
    """Empty the compile directory of what arignote wrote (every backend's entries).

    Files arignote did not write (recognised by name and place) and symbolic
    links are left where they are, named in the message; links are never
    followed.
    """
    path = config.compiledir
    for forget in _forgetters:
        forget()
    if not os.path.isdir(path):
        return f"compiledir {path} does not exist: nothing to clear"
    check(path)
    _refuse_to_clear(path)
    size, count = _stats(path)
    left, failed = [], []
    try:
        _clear_tree(path, "top", left, failed)
    except OSError as e:  # a folder that cannot be listed
        failed.append((getattr(e, "filename", None) or path, e))
    after, nleft = _stats(path)
    if failed:
        where, err = failed[0]
        raise CacheError(f"could not clear {path}: {len(failed)} item(s) could not be removed, e.g. {where}: "
                         f"{err.strerror or err} (removed {count - nleft} files)")
    msg = f"cleared {path}: removed {count - nleft} files, {(size - after) / 1024:.1f} KiB"
    if left:
        shown = ", ".join(os.path.relpath(p, path) for p in sorted(left)[:5])
        more = f" and {len(left) - 5} more" if len(left) > 5 else ""
        msg += f"; left {len(left)} item(s) arignote did not write: {shown}{more}"
    return msg
