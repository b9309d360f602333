"""Issue 11 item 1: `arignote cache clear` deletes only what arignote wrote."""
import os

import numpy as np

import arignote
import arignote.tensor as T
from arignote import cli, compiledir
from arignote.config import config


def _compile_everything():
    x = T.dvector("x")
    for backend in ("py", "c", "llvm"):
        f = arignote.function([x], T.exp(x) * 2.5 + 1.25, backend=backend)
        np.testing.assert_allclose(f(np.arange(3.0)), np.exp(np.arange(3.0)) * 2.5 + 1.25)


def test_cache_clear_keeps_foreign_files_beside_the_entries(tmp_path, capsys):
    cdir = tmp_path / "mine"
    cdir.mkdir(mode=0o700)
    (cdir / "thesis.tex").write_text("years of work")
    (cdir / "notes").mkdir()
    (cdir / "notes" / "a.txt").write_text("a")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "precious.o").write_text("keep")
    with config.change_flags(compiledir=str(cdir)):
        _compile_everything()
        # foreign things placed inside arignote's own folders, and a link out of the cache
        (cdir / "c" / "README").write_text("mine too")
        os.symlink(elsewhere, cdir / "llvm" / "ab")
        prefix = next(p for p in (cdir / "llvm").iterdir() if len(p.name) == 2 and not p.is_symlink())
        (prefix / "user-data.bin").write_bytes(b"\1\2")
        assert cli.main(["cache", "clear"]) == 0
        out = capsys.readouterr().out
        assert "removed" in out and "left 5 item(s) arignote did not write" in out
        for name in ("thesis.tex", "notes", "c/README", "llvm/ab", f"llvm/{prefix.name}/user-data.bin"):
            assert name in out
    assert (cdir / "thesis.tex").read_text() == "years of work"
    assert (cdir / "notes" / "a.txt").read_text() == "a"
    assert (cdir / "c" / "README").read_text() == "mine too"
    assert (prefix / "user-data.bin").read_bytes() == b"\1\2"
    assert (elsewhere / "precious.o").read_text() == "keep"  # the link was not followed
    assert os.path.islink(cdir / "llvm" / "ab")
    # everything arignote wrote is gone: only the foreign items (and folders holding them) remain
    left = sorted(os.path.relpath(os.path.join(b, f), cdir) for b, ds, fs in os.walk(cdir) for f in fs + ds)
    assert left == sorted(["c", "c/.arignote-cache", "c/README", "llvm", "llvm/.arignote-cache", "llvm/ab",
                           f"llvm/{prefix.name}", f"llvm/{prefix.name}/user-data.bin", "notes",
                           "notes/a.txt", "thesis.tex"])
    with config.change_flags(compiledir=str(cdir)):  # and the cache works again afterwards
        _compile_everything()


def test_cache_clear_of_a_folder_arignote_never_used_removes_nothing(tmp_path, capsys):
    cdir = tmp_path / "docs"
    cdir.mkdir(mode=0o700)
    (cdir / "c").mkdir()  # a user's folder that happens to be named like a backend's
    (cdir / "c" / "ab").mkdir()
    (cdir / "c" / "ab" / ("ab" + "0" * 62)).write_text("not a cache entry")
    (cdir / "report.pdf").write_bytes(b"%PDF")
    with config.change_flags(compiledir=str(cdir)):
        assert cli.main(["cache", "clear"]) == 0
    out = capsys.readouterr().out
    assert "removed 0 files" in out and "left 2 item(s)" in out
    assert (cdir / "c" / "ab" / ("ab" + "0" * 62)).read_text() == "not a cache entry"
    assert (cdir / "report.pdf").exists()
