"""The command line: python -m arignote info / cache."""

import os
import re
import shutil
import subprocess
import sys

import pytest

from arignote import cli


def run_cli(*args, env_extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARIGNOTE_")}
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "arignote", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_info_lists_py_backend():
    r = run_cli("info")
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout
    assert re.search(r"^arignote \d+\.\d+", out, re.M)
    assert "Python" in out and "NumPy" in out
    assert "floatX = 'float64'" in out
    assert re.search(r"^\s+py\s+available", out, re.M), out
    assert re.search(r"auto -> \w+", out)


def test_info_shows_flags_from_env():
    r = run_cli("info", env_extra={"ARIGNOTE_FLAGS": "floatX=float32"})
    assert r.returncode == 0, r.stderr
    assert "floatX = 'float32'" in r.stdout


def test_no_command_is_usage_error():
    r = run_cli()
    assert r.returncode == 2
    assert "usage" in r.stderr
    assert run_cli("bogus").returncode == 2
    assert run_cli("cache").returncode == 2


def test_console_script_installed():
    exe = shutil.which("arignote", path=os.path.dirname(sys.executable))
    if exe is None:
        pytest.skip("no `arignote` script beside this interpreter (not run from the installed venv)")
    r = subprocess.run([exe, "info"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "py" in r.stdout


def test_cache_info_and_clear_every_backend(tmp_path, capsys):
    # Entries of any backend (c, llvm, a plugin's) are counted and cleared; links are not followed.
    from arignote import compiledir

    cdir = tmp_path / "compiledir"
    key = "ab" + "0" * 62
    for sub in (f"c/ab/{key}", "llvm/cd", "myplugin/ef"):
        (cdir / sub).mkdir(parents=True)
    for sub in ("c", "llvm", "myplugin"):
        (cdir / sub / compiledir.MARKER).write_bytes(b"arignote")
    (cdir / "c" / "ab" / key / "m.so").write_bytes(b"x" * 100)
    (cdir / "llvm" / "cd" / ("cd" + "1" * 62 + ".o")).write_bytes(b"y" * 20)
    (cdir / "myplugin" / "ef" / ("ef" + "2" * 62 + ".bin")).write_bytes(b"w" * 5)
    (cdir / "probe-0123456789abcdef01234567.json").write_bytes(b"{}")
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    os.symlink(outside, cdir / "link")
    os.chmod(cdir, 0o700)
    from arignote.config import config

    with config.change_flags(compiledir=str(cdir)):
        assert cli.main(["cache", "info"]) == 0
        out = capsys.readouterr().out
        assert str(cdir) in out and "status: ok" in out
        assert "c entries: 1" in out and "llvm entries: 1" in out and "files: 8" in out

        assert cli.main(["cache", "clear"]) == 0
        out = capsys.readouterr().out
        assert "removed 7 files" in out and "left 1 item(s) arignote did not write: link" in out
        assert [p.name for p in cdir.iterdir()] == ["link"]
        assert outside.read_text() == "keep me"

    missing = tmp_path / "missing"
    with config.change_flags(compiledir=str(missing)):
        assert cli.main(["cache", "info"]) == 0
        assert "does not exist" in capsys.readouterr().out
        assert cli.main(["cache", "clear"]) == 0
        assert not missing.exists()


def test_cache_clear_refuses_an_unsafe_directory(tmp_path, capsys):
    cdir = tmp_path / "shared"
    cdir.mkdir()
    (cdir / "keep.so").write_bytes(b"z")
    os.chmod(cdir, 0o777)
    from arignote.config import config

    with config.change_flags(compiledir=str(cdir)):
        assert cli.main(["cache", "clear"]) == 1
        assert "writable by other users" in capsys.readouterr().err
    assert (cdir / "keep.so").exists()


def test_cache_info_subprocess(tmp_path):
    r = run_cli("cache", "info", env_extra={"ARIGNOTE_COMPILEDIR": str(tmp_path / "cd")})
    assert r.returncode == 0, r.stderr
