"""examples/seed_tour.py: the whole seed tutorial run as a script (``--short``), and its notebook twin."""
from __future__ import annotations

import functools
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("arviz")

SCRIPT = Path(__file__).resolve().parents[1] / "examples" / "seed_tour.py"
PNG = b"\x89PNG\r\n\x1a\n"


@functools.lru_cache(maxsize=None)
def _tour_module():
    spec = importlib.util.spec_from_file_location("seed_tour", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("seed_tour", mod)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def tour_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("tour")
    env = dict(os.environ, MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, str(SCRIPT), str(out), "--short"], capture_output=True, text=True,
                          env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out, proc.stdout


def _outputs(stdout):
    """Cell number -> the text the cell printed (source lines, marked '  | ', left out)."""
    outs, n = {}, None
    for line in stdout.splitlines():
        m = re.fullmatch(r"In \[(\d+)\]:", line)
        if m:
            n = int(m.group(1))
            outs[n] = []
        elif line.startswith("tour done"):
            n = None
        elif n is not None and not line.startswith("  | "):
            outs[n].append(line)
    return {k: "\n".join(v) for k, v in outs.items()}


def _printed(stdout, fragment, nth=0, exact=False):
    """What the ``nth`` cell whose source contains (or, ``exact``, is) ``fragment`` printed."""
    cells = _tour_module().cells()
    hits = [i for i, c in enumerate(cells, 1) if (c.source == fragment if exact else fragment in c.source)]
    assert len(hits) > nth, f"no cell number {nth} containing {fragment!r}"
    return _outputs(stdout)[hits[nth]]


def test_tour_prints_what_the_tutorial_states(tour_run):
    _, stdout = tour_run
    assert _printed(stdout, "print(pp(z))") == "(x + y)"
    assert re.fullmatch(r"Out\[\d+\]: array\(5\.\)", _printed(stdout, "f(2, 3)"))
    assert _printed(stdout, "print('g(33) = ") == "g(33) = 68.0"
    assert _printed(stdout, "print('g(33, w_by_name=1, y=0)") == "g(33, w_by_name=1, y=0) = 33.0"
    # the accumulator: its state after each call, then the decrementor
    state = [_printed(stdout, "print(state.get_value())", i) for i in range(5)]
    assert state == ["0", "1", "301", "2", "0"]
    assert [_printed(stdout, c) for c in ("print(accumulator(1))", "print(accumulator(300))",
                                          "print(accumulator(3))", "print(decrementor(2))")] == ["0", "1", "-1", "2"]
    assert _printed(stdout, "def make_vector") == "SUCCESS!"
    assert _printed(stdout, "def grad_sum") == "SUCCESS!"
    assert _printed(stdout, 'print("Initial model:"') == "Initial model: 1.0 0.0"
    final = _printed(stdout, 'print("Final model:"').split()
    assert final[:2] == ["Final", "model:"]
    assert round(float(final[2]), 4) == 7.7952 and round(float(final[3]), 4) == 0.8536
    power = _printed(stdout, "print(power(range(10),2))").splitlines()
    assert power[0] == str(np.arange(10.0) ** 2)
    assert "\n".join(power[1:]) == str(np.arange(10.0) ** 4)
    assert _printed(stdout, "calculate_polynomial(test_coefficients") == "19.0"


def test_tour_random_streams_and_samplers(tour_run):
    _, stdout = tour_run
    draws = [_printed(stdout, "f()", i, exact=True) for i in range(2)]
    values = [np.array(re.findall(r"[-+0-9.e]+", d.split(":", 1)[1]), dtype=float) for d in draws]
    assert all(v.shape == (4,) and ((v >= 0) & (v < 1)).all() for v in values)
    assert not np.array_equal(values[0], values[1])  # the stream moves on between calls
    ess = _printed(stdout, "effective_n(trace_marginal")
    assert "'early_mean'" in ess and "'late_mean'" in ess
    ess = _printed(stdout, "effective_n(trace_original")
    assert "'switchpoint'" in ess and "'early_mean'" in ess


def test_tour_writes_every_picture_as_png(tour_run):
    out, stdout = tour_run
    listed = stdout.split("pictures written:", 1)[1].split()
    want = ["logistic_fit.png", "traceplot_metropolis.png", "traceplot_nuts.png", "posterior_marginal.png"]
    if shutil.which("dot"):
        want.insert(0, os.path.join("images", "f.png"))
    else:
        assert "skipped: Graphviz's 'dot' program is not installed" in stdout
    assert listed == want
    for name in want:
        data = (out / name).read_bytes()
        assert data[:8] == PNG and len(data) > 1000, name


def test_notebook_is_the_script_s_cells():
    mod = _tour_module()
    path = SCRIPT.with_suffix(".ipynb")
    assert path.read_text(encoding="utf-8") == mod.notebook_json(), \
        "examples/seed_tour.ipynb is stale: python examples/seed_tour.py --notebook examples/seed_tour.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert nb["nbformat"] == 4
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    assert code == [c.source for c in mod.cells()]
    assert any("%matplotlib inline" in c for c in code) and any("traceplot(trace_nuts);" in c for c in code)


def test_short_mode_only_shortens_the_sampling():
    mod = _tour_module()
    for cell in mod.cells():
        short, full = mod.script_source(cell, True), mod.script_source(cell, False)
        if short != full:
            assert "sample(" in cell.source or "[1000:]" in cell.source
    assert all(any(old in c.source for c in mod.cells()) for old, _ in mod.SHORT)


def test_command_line_needs_an_outdir():
    proc = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "OUTDIR is required" in proc.stderr
