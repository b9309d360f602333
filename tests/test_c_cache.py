"""The C backend's disk cache: hits across processes, damaged entries, concurrent builds,
directory safety, and `arignote cache info|clear`."""
from __future__ import annotations

import glob
import json
import os
import shutil
import stat
import subprocess
import sys

import numpy as np
import pytest

from arignote import function
from arignote import tensor as T
from arignote.config import config
from arignote.testing import all_backends

_C = {n: (ok, why) for n, ok, why in all_backends()}.get("c", (False, "not registered"))
pytestmark = pytest.mark.skipif(not _C[0], reason=f"backend 'c' is not available: {_C[1]}")

SCRIPT = r"""
import json, sys, warnings
import numpy as np
from arignote import tensor as T, function, plugin_manager
x = T.dvector("x")
with warnings.catch_warnings(record=True) as rec:
    warnings.simplefilter("always")
    f = function([x], T.exp(x) * 2.5 - T.sinh(x) / 3.0, backend="c")
out = f(np.array([0.5, -1.0, 2.0]))
print(json.dumps({"how": f.maker.fgraph.kernels_how, "out": out.tolist(),
                  "warnings": [str(w.message) for w in rec]}))
"""
WANT = (np.exp([0.5, -1.0, 2.0]) * 2.5 - np.sinh([0.5, -1.0, 2.0]) / 3.0).tolist()


SEED = r"""
from arignote import tensor as T, function
x = T.dvector("x")
function([x], x + 1.0, backend="c")
"""


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """A compile directory holding the runtime and the compiler probe (so tests only build kernels)."""
    d = tmp_path_factory.mktemp("seed") / "cd"
    r = subprocess.run([sys.executable, "-c", SEED], env=_env(d), capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return d


def fresh(seeded, tmp_path):
    d = tmp_path / "cd"
    shutil.copytree(seeded, d)
    return d


def _env(compiledir):
    env = dict(os.environ)
    env["ARIGNOTE_COMPILEDIR"] = str(compiledir)
    return env


def run_script(compiledir, before=""):
    r = subprocess.run([sys.executable, "-c", before + SCRIPT], env=_env(compiledir), capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_second_process_hits_the_cache_without_compiling(seeded, tmp_path):
    d = fresh(seeded, tmp_path)
    first = run_script(d)
    second = run_script(d)
    assert first["how"] == "compiled" and second["how"] == "disk"
    assert np.allclose(first["out"], WANT) and np.allclose(second["out"], WANT)


EDIT_KERNELS_H = """
from arignote.backends.c import backend, render
_prelude = render.prelude
render.prelude = lambda: _prelude() + "\\n/* a helper in kernels.h changed */\\n"
backend._versions.cache_clear()
"""


def test_editing_kernels_h_rebuilds_instead_of_loading_stale_kernels(seeded, tmp_path):
    d = fresh(seeded, tmp_path)
    assert run_script(d)["how"] == "compiled"
    assert run_script(d)["how"] == "disk"
    edited = run_script(d, before=EDIT_KERNELS_H)
    assert edited["how"] == "compiled" and np.allclose(edited["out"], WANT)


def test_truncated_module_is_detected_rebuilt_and_reported(seeded, tmp_path):
    tmp_path = fresh(seeded, tmp_path)
    run_script(tmp_path)
    libs = glob.glob(str(tmp_path / "c" / "*" / "*" / "*.so"))
    assert libs
    for lib in libs:
        with open(lib, "r+b") as f:
            f.truncate(os.path.getsize(lib) // 3)
    res = run_script(tmp_path)
    assert res["how"] == "compiled"
    assert np.allclose(res["out"], WANT)
    assert any("damaged" in w for w in res["warnings"]), res["warnings"]
    assert run_script(tmp_path)["how"] == "disk"  # the rebuilt entries are sound


def test_two_processes_compiling_the_same_graph_both_succeed(seeded, tmp_path):
    tmp_path = fresh(seeded, tmp_path)
    procs = [subprocess.Popen([sys.executable, "-c", SCRIPT], env=_env(tmp_path), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    for r in results:
        assert np.allclose(r["out"], WANT)
    assert not glob.glob(str(tmp_path / "c" / ".build-*"))  # no half-built entries left behind


def _fresh_graph(tag):
    x = T.dvector("x")
    return function([x], T.arcsinh(x) * float(tag) + 0.25, backend="c")


def test_compiledir_is_created_private(tmp_path):
    d = tmp_path / "a" / "b"
    with config.change_flags(compiledir=str(d)):
        f = _fresh_graph(11.5)
    assert np.allclose(f(np.array([1.0])), np.arcsinh(1.0) * 11.5 + 0.25)
    assert stat.S_IMODE(os.stat(d).st_mode) == 0o700


def test_group_writable_compiledir_is_refused(tmp_path):
    from arignote.backends.c import CacheError

    d = tmp_path / "shared"
    d.mkdir()
    os.chmod(d, 0o777)
    with config.change_flags(compiledir=str(d)), pytest.raises(CacheError, match="writable by other users"):
        _fresh_graph(12.5)


def test_compiledir_of_another_user_is_refused(tmp_path, monkeypatch):
    from arignote.backends.c import CacheError

    d = tmp_path / "theirs"
    d.mkdir(mode=0o700)
    me = os.getuid()
    monkeypatch.setattr(os, "getuid", lambda: me + 1)
    with config.change_flags(compiledir=str(d)), pytest.raises(CacheError, match="owned by uid"):
        _fresh_graph(13.5)


def test_cache_info_and_clear(tmp_path):
    from arignote import compiledir

    with config.change_flags(compiledir=str(tmp_path)):
        _fresh_graph(14.5)
        info = compiledir.info()
        assert info["compiledir"] == str(tmp_path) and info["status"] == "ok" and info["c entries"] >= 1
        msg = compiledir.clear()
        assert "cleared" in msg
        assert not os.path.exists(tmp_path / "c")
        f = _fresh_graph(15.5)  # compiles again after a clear
    assert np.allclose(f(np.array([2.0])), np.arcsinh(2.0) * 15.5 + 0.25)


def test_cli_cache_info_and_clear(seeded, tmp_path):
    tmp_path = fresh(seeded, tmp_path)
    run_script(tmp_path)
    cmd = [sys.executable, "-m", "arignote", "cache"]
    info = subprocess.run(cmd + ["info"], env=_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert info.returncode == 0, info.stderr
    assert str(tmp_path) in info.stdout and "c entries" in info.stdout
    clear = subprocess.run(cmd + ["clear"], env=_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert clear.returncode == 0 and "cleared" in clear.stdout, clear.stderr
    assert not os.path.exists(tmp_path / "c")
