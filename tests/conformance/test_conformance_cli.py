"""``arignote conformance``: summary table, failures with inputs, exit status."""
from __future__ import annotations

import re
import subprocess
import sys
import types

import pytest

from arignote import plugin_manager as pm
from arignote.cli import main
from arignote.hookspecs import BackendRecord, hookimpl

from test_conformance_detects import PatchedBackend, fmax_maximum


def _plugin(*records):
    return types.SimpleNamespace(arignote_register_backends=hookimpl(lambda: list(records)))


def test_passing_run_prints_the_summary(capsys):
    status = main(["conformance", "--backend", "py", "--ops", "exp,sum", "--quiet", "--table"])
    out = capsys.readouterr().out
    assert status == 0, out
    header, rule, row = out.splitlines()[:3]
    assert header.split() == ["backend", "passed", "failed", "skipped", "native", "fallback"]
    assert row.split()[0] == "py" and int(row.split()[1]) > 40 and row.split()[2:4] == ["0", "0"]
    assert re.search(r"^exp\s+float32\s+ok$", out, re.M) and re.search(r"^sum\s+bool\s+ok$", out, re.M)
    assert "passed in" in out


def test_failures_exit_1_and_skips_show_their_reason(capsys):
    plugin = _plugin(BackendRecord("cli_wrong", factory=lambda: PatchedBackend("cli_wrong", fmax_maximum)),
                     BackendRecord("cli_absent", factory=object, available=lambda: (False, "no such device")))
    pm.register(plugin, name="cli_plugins")
    try:
        status = main(["conformance", "--backend", "py,cli_wrong,cli_absent", "--ops", "maximum", "--quiet",
                       "--no-grad", "--modes", "NO_REWRITES"])
    finally:
        pm.unregister("cli_plugins")
    out = capsys.readouterr().out
    assert status == 1
    rows = {line.split()[0]: line for line in out.splitlines()[2:5]}
    assert rows["py"].split()[2] == "0"
    assert rows["cli_wrong"].split()[2] != "0" and rows["cli_wrong"].rstrip().endswith("FAILED")
    assert rows["cli_absent"].split()[1:3] == ["0", "0"] and "skipped: no such device" in rows["cli_absent"]
    assert "maximum[float64]:edge" in out and "input 0: float64 shape (23, 1)" in out


def test_usage_errors_exit_2(capsys):
    assert main(["conformance", "--backend", "no_such_backend", "--quiet"]) == 2
    assert "unknown backend(s) no_such_backend" in capsys.readouterr().err
    assert main(["conformance", "--ops", "no_such_op", "--quiet"]) == 2


def test_fuzz_option_runs_the_fuzzer(capsys):
    pytest.importorskip("hypothesis")
    status = main(["conformance", "--backend", "py", "--ops", "add,exp,sum,reshape", "--fuzz", "15", "--quiet"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "fuzz py: passed (15 random graphs (seed 0)" in out


def test_command_line_entry_point():
    done = subprocess.run([sys.executable, "-m", "arignote", "conformance", "--help"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "--backend" in done.stdout and "--fuzz" in done.stdout and "--ops" in done.stdout
