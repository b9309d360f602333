"""Issue 11 item 8: faults around the compile cache never hide the real error: a failed compile
whose source cannot be kept still shows the compiler's message; build folders of killed compiles
are cleaned at a later compile; `cache clear` that cannot remove something says so in one line."""
import os
import stat
import time

import numpy as np
import pytest

import arignote
import arignote.tensor as T
from arignote import cli, compiledir
from arignote.config import config


@pytest.fixture
def failing_cc(tmp_path):
    """A C compiler that fails on kernel libraries with a message of its own (gcc for the rest)."""
    cc = tmp_path / "fake-cc"
    cc.write_text('#!/bin/sh\ncase "$*" in *kernels.c*) echo "fake-cc: error: the real reason" >&2; exit 1;; esac\n'
                  'exec gcc "$@"\n')
    cc.chmod(0o755)
    return str(cc)


def test_compile_error_survives_a_source_that_cannot_be_kept(tmp_path, failing_cc):
    from arignote.backends.c import build

    cdir = tmp_path / "cache"
    with config.change_flags(compiledir=str(cdir), c_compiler=failing_cc):
        os.makedirs(cdir / "c", mode=0o700)
        (cdir / "c" / "failed").write_text("a file where the folder for failed sources would go")
        x = T.dvector("x")
        with pytest.raises(build.CompileError) as info:
            arignote.function([x], T.exp(x) * 3.25 - 1, backend="c")
    msg = str(info.value)
    assert "fake-cc: error: the real reason" in msg
    assert "could not be kept" in msg


def test_compile_error_names_the_kept_source(tmp_path, failing_cc):
    from arignote.backends.c import build

    cdir = tmp_path / "cache"
    with config.change_flags(compiledir=str(cdir), c_compiler=failing_cc):
        x = T.dvector("x")
        with pytest.raises(build.CompileError, match="the real reason") as info:
            arignote.function([x], T.exp(x) * 3.5 - 1, backend="c")
    kept = str(info.value).rsplit("kept at ", 1)[1].strip()
    assert os.path.isfile(kept) and "ar_" in open(kept).read()


def test_stale_build_folders_are_cleaned_at_the_next_compile(tmp_path):
    from arignote.backends.c import cache

    cdir = tmp_path / "cache"
    with config.change_flags(compiledir=str(cdir)):
        base = os.path.join(cache.root(), cache.SUBDIR)
        stale, fresh = os.path.join(base, ".build-killed"), os.path.join(base, ".build-running")
        for d in (stale, fresh):
            os.makedirs(d)
            with open(os.path.join(d, "kernels.c"), "w") as f:
                f.write("/* half written */")
        old = time.time() - 3600
        os.utime(stale, (old, old))
        cache._cleaned.clear()  # as in a new process
        x = T.dvector("x")
        f = arignote.function([x], T.exp(x) * 4.75 + 0.125, backend="c")
        np.testing.assert_allclose(f(np.arange(3.0)), np.exp(np.arange(3.0)) * 4.75 + 0.125)
    assert not os.path.exists(stale), "a killed compile's folder is cleaned"
    assert os.path.isdir(fresh), "a recent one may belong to a compile still running"


def test_cache_clear_that_cannot_remove_gives_one_line(tmp_path, capsys, monkeypatch):
    cdir = tmp_path / "cache"
    with config.change_flags(compiledir=str(cdir)):
        x = T.dvector("x")
        arignote.function([x], T.exp(x) * 5.5, backend="c")
        arignote.function([x], T.exp(x) * 5.5, backend="llvm")

        def denied(*args, **kwargs):
            raise PermissionError(13, "Permission denied", args[0])

        # a read-only compiledir (checked with a patch: the tests may run as root, who can write anyway)
        monkeypatch.setattr(compiledir.os, "unlink", denied)
        monkeypatch.setattr(compiledir.os, "rename", denied)
        assert cli.main(["cache", "clear"]) == 1
        captured = capsys.readouterr()
        err = captured.err.strip()
        assert err.startswith("arignote cache clear: could not clear") and "Permission denied" in err
        assert "\n" not in err and "Traceback" not in err
        monkeypatch.undo()
        assert cli.main(["cache", "clear"]) == 0


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write read-only folders")
def test_cache_clear_on_a_read_only_directory(tmp_path, capsys):
    cdir = tmp_path / "cache"
    with config.change_flags(compiledir=str(cdir)):
        x = T.dvector("x")
        arignote.function([x], T.exp(x) * 6.5, backend="llvm")
        sub = cdir / "llvm"
        for d in [sub, *sub.iterdir()]:
            if d.is_dir():
                d.chmod(stat.S_IRUSR | stat.S_IXUSR)
        try:
            assert cli.main(["cache", "clear"]) == 1
            err = capsys.readouterr().err.strip()
            assert "Permission denied" in err and "\n" not in err
        finally:
            for d in [sub, *sub.iterdir()]:
                if d.is_dir():
                    d.chmod(0o700)
