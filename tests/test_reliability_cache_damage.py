"""Issue 11 item 4: every file of every cache entry (c library and runtime entries, the kernel
index, the compiler probe, llvm objects) is verified before use.  Each file is truncated, emptied,
garbled and reordered in turn; the next run (a new process) must give right values and say so
with exactly one CacheWarning, and the entry must be rebuilt."""
import os
import shutil
import subprocess
import sys

import pytest

CHILD = r'''
import warnings, numpy as np, arignote, arignote.tensor as T
warnings.simplefilter("always")
x = T.dvector("x"); y = T.dvector("y")
v = np.linspace(-1, 1, 5); w = np.linspace(2, 3, 5)
for b in ("c", "llvm"):
    f = arignote.function([x, y], [T.exp(x) * y - 1.5, T.sum(x * y + T.sin(y))], backend=b)
    a, s = f(v, w)
    assert np.allclose(a, np.exp(v) * w - 1.5, rtol=1e-12), (b, a)
    assert np.isclose(s, np.sum(v * w + np.sin(w)), rtol=1e-12), (b, s)
print("VALUES OK")
'''
DAMAGES = ("truncate", "empty", "garble", "reorder")


def _run(cdir):
    env = dict(os.environ, ARIGNOTE_COMPILEDIR=str(cdir))
    env.pop("ARIGNOTE_FLAGS", None)
    r = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and "VALUES OK" in r.stdout, r.stderr[-3000:]
    return r.stderr


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    cdir = tmp_path_factory.mktemp("seed") / "cache"
    assert "CacheWarning" not in _run(cdir)
    assert "CacheWarning" not in _run(cdir)  # a second run uses the entries and finds them whole
    return cdir


def _files(cdir):
    """role -> path of one file of each kind in a seeded cache."""
    roles = {}
    for base, _dirs, files in os.walk(cdir):
        for f in files:
            p = os.path.join(base, f)
            if f == ".arignote-cache":
                continue
            if f.startswith("probe-"):
                roles["probe"] = p
            elif f.endswith(".o"):
                roles.setdefault("llvm object", p)
            elif "index" in p.split(os.sep):
                roles.setdefault("c kernel index", p)
            else:
                kind = "c runtime" if "runtime.c" in files else "c library"
                name = "module" if f.endswith(".so") else f
                roles[f"{kind} {name}"] = p
    return roles


ROLES = ["c library module", "c library kernels.c", "c library symbols", "c library checksum",
         "c runtime module", "c runtime runtime.c", "c runtime checksum", "c kernel index", "probe",
         "llvm object"]


def _damage(path, how):
    with open(path, "rb") as f:
        data = f.read()
    if how == "truncate":
        data = data[: len(data) // 2]
    elif how == "empty":
        data = b""
    elif how == "garble":
        mid = len(data) // 2
        data = data[:mid] + bytes(b ^ 0x5A for b in data[mid:mid + 16]) + data[mid + 16:]
    else:  # reorder: swap the first and last lines (text), words (one line) or 16-byte blocks
        lines = data.splitlines(keepends=True)
        if len(lines) > 1:
            lines[0], lines[-1] = lines[-1], lines[0]
            data = b"".join(lines)
        elif data.count(b" ") >= 1 and b"\0" not in data:
            words = data.split()
            data = b" ".join(words[::-1]) + b"\n"
        else:
            data = data[-16:] + data[16:-16] + data[:16]
    with open(path, "wb") as f:
        f.write(data)


def test_the_seeded_cache_has_every_kind_of_file(seeded):
    assert sorted(_files(seeded)) == sorted(ROLES)


FAST = {("reorder", "c library symbols"), ("empty", "c library symbols"), ("garble", "c kernel index"),
        ("truncate", "probe"), ("garble", "llvm object")}  # the rest run with the slow tests
CASES = [pytest.param(how, role, marks=() if (how, role) in FAST else pytest.mark.slow)
         for how in DAMAGES for role in ROLES]


@pytest.mark.parametrize("how, role", CASES)
def test_a_damaged_file_is_rebuilt_with_one_warning_and_never_used(seeded, tmp_path, role, how):
    cdir = tmp_path / "cache"
    shutil.copytree(seeded, cdir, symlinks=True)
    if role == "c kernel index":  # one file per kernel, some for kernels this run never asks for:
        paths = [os.path.join(b, f) for b, _d, fs in os.walk(cdir / "c" / "index") for f in fs]
    else:  # damage them all, expect one warning per file that is read
        paths = [_files(cdir)[role]]
    for path in paths:
        _damage(path, how)
    err = _run(cdir)
    warnings = [ln for ln in err.splitlines() if "CacheWarning" in ln]
    assert 1 <= len(warnings) <= len(paths) and all("damaged" in w for w in warnings), err[-3000:]
    assert "CacheWarning" not in _run(cdir), "the rebuilt entry is whole"
