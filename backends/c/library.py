"""Compiled kernels, found one by one: in memory, through the on-disk index, or built.

Every kernel spec has a key (a hash of its rendered C and of everything the
build depends on).  A graph's kernels are looked up by key; the missing ones
are compiled together into one library (plain C, no Python headers, loaded
by the runtime with dlopen), and each kernel of it is recorded in
``<compiledir>/c/index/`` so other graphs and processes reuse it (one line per
kernel: library key, symbol and a digest of both with the kernel's key; a line
that does not check out is reported once, removed and the kernel rebuilt).  When the
same op family keeps missing, its whole family is compiled at once.
"""
from __future__ import annotations

import collections
import hashlib
import os
import threading
import warnings

from arignote import compiledir
from arignote.forksafe import renew_after_fork

from . import build, cache, render
from .specs import family, family_of

_addr: dict = {}                  # kernel key -> function address
_handles: dict = {}               # library key -> dlopen handle (kept alive)
_misses = collections.Counter()   # family key -> kernels of it compiled one by one
_families: set = set()            # family keys compiled whole
_lock = threading.Lock()
renew_after_fork(globals(), _lock=threading.Lock)  # a parent thread may hold it mid-compile
FAMILY_AFTER = 1                  # compile a family whole at its second miss
CHUNK = 6                         # kernels per compiler process when a library is split


def _h(text):
    return hashlib.sha256(text.encode()).hexdigest()


def kernel_key(spec, ctx):
    return _h(render.render(spec, "ar_kernel") + "\0" + ctx)


def _index_path(kk):
    return os.path.join(cache.root(), cache.SUBDIR, "index", kk[:2], kk)


def _index_line(kk, libkey, sym):
    return f"{libkey} {sym} {_h(kk + ' ' + libkey + ' ' + sym)}\n"


def _read_index(kk):
    """(library key, symbol) recorded for kernel ``kk``, or None (absent; damaged: warned and removed)."""
    path = _index_path(kk)
    try:
        with open(path, encoding="ascii") as f:
            text = f.read()
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        text = ""
    parts = text.split()
    if len(parts) == 3 and text == _index_line(kk, parts[0], parts[1]) and parts[1] == _symbol(kk):
        return parts[0], parts[1]
    warnings.warn(f"arignote: the kernel index entry {path} is damaged; rebuilding the kernel",
                  cache.CacheWarning, stacklevel=5)
    compiledir.remove(path)
    return None


def _symbol(kk):
    return f"ar_{kk[:24]}"


def _register(libkey, handle, pairs, addrs, write_index):
    _handles[libkey] = handle
    for (kk, sym), a in zip(pairs, addrs):
        _addr[kk] = a
        if write_index:
            path = _index_path(kk)
            os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
            cache.atomic_write(path, _index_line(kk, libkey, sym).encode())


def _lib_filename(libkey):
    return f"ark_{libkey[:24]}.so"


def _load_library(libkey, runtime, write_index):
    """A loader for cache.load_or_build: dlopen the library and register all its kernels."""

    def load(path):
        with open(os.path.join(os.path.dirname(path), "symbols")) as f:
            pairs = [tuple(ln.split()) for ln in f if ln.strip()]  # checked with the entry's checksum
        handle, addrs = runtime().load_kernels(path, tuple(sym for _, sym in pairs))
        _register(libkey, handle, pairs, addrs, write_index)
        return handle

    return load


def _from_index(kk, runtime):
    found = _read_index(kk)
    if found is None:
        return None
    libkey = found[0]
    if libkey in _handles:
        return _addr.get(kk)
    handle = cache.load_existing(libkey, _lib_filename(libkey), _load_library(libkey, runtime, False))
    return _addr.get(kk) if handle is not None else None


def addresses(specs, ctx, flags, link, defines, target, runtime):
    """({step: function address}, how) for ``specs`` ({step index: spec}); compiles what is missing."""
    keys = {i: kernel_key(s, ctx) for i, s in specs.items()}
    how = "memory"
    with _lock:
        missing = {}
        for i, kk in keys.items():
            if kk in _addr:
                continue
            if _from_index(kk, runtime) is not None:
                how = "disk"
                continue
            missing[kk] = specs[i]
        if missing:
            how = "compiled"
            _compile(missing, ctx, flags, link, defines, target, runtime)
        return {i: _addr[kk] for i, kk in keys.items()}, how


def _compile(missing, ctx, flags, link, defines, target, runtime):
    kernels = dict(missing)
    for spec in missing.values():
        fk = family_of(spec)
        if fk is None or fk in _families:
            continue
        if _misses[fk] >= FAMILY_AFTER:
            _families.add(fk)
            for s in family(fk, target):
                kernels.setdefault(kernel_key(s, ctx), s)
        else:
            _misses[fk] += 1
    order = sorted(kernels)
    n = len(order)
    parts = min(os.cpu_count() or 1, 4, max(1, n // CHUNK))
    chunks = [order[j::parts] for j in range(parts)]
    if parts == 1:
        _compile_library(chunks[0], kernels, ctx, flags, link, defines, runtime)
        return
    errors = []

    def work(chunk):
        try:
            _compile_library(chunk, kernels, ctx, flags, link, defines, runtime)
        except BaseException as e:  # reported below, in the calling thread
            errors.append(e)

    threads = [threading.Thread(target=work, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def _compile_library(order, kernels, ctx, flags, link, defines, runtime):
    pairs = [(kk, _symbol(kk)) for kk in order]
    src = render.render_library([(sym, kernels[kk]) for kk, sym in pairs])
    libkey = _h(src + "\0" + ctx)
    filename = _lib_filename(libkey)

    def make(tmp):
        c_path = os.path.join(tmp, "kernels.c")
        with open(c_path, "w", encoding="utf-8") as f:
            f.write(src)
        with open(os.path.join(tmp, "symbols"), "w") as f:
            f.write("".join(f"{kk} {sym}\n" for kk, sym in pairs))
        try:
            build.compile_shared(build.compiler(), c_path, os.path.join(tmp, filename), flags, link, defines, [])
        except build.CompileError as e:
            raise build.CompileError(f"{e}\n{cache.keep_failed_source(libkey, c_path)}") from None

    cache.load_or_build(libkey, filename, make, _load_library(libkey, runtime, True))
