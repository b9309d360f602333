"""The example third-party package (examples/arignote-plugin-example): arignote finds
its op, rewrite rule and backend through the entry-point group ``arignote`` alone;
the op passes the conformance runner on every backend; broken plugins are reported
by name without stopping arignote."""
from __future__ import annotations

import importlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import arignote
from arignote import plugin_manager as pm
from arignote import tensor as T
from arignote.conformance import fuzz_backend, run_conformance
from arignote.mode import Mode
from arignote.testing import available_backends

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "arignote-plugin-example"


def _install_example():
    """pip-install the example into this interpreter's environment (CI does it up front)."""
    done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", str(EXAMPLE)],
                          capture_output=True, text=True, timeout=600)
    if done.returncode:
        pytest.fail(f"could not install {EXAMPLE}:\n{done.stdout}\n{done.stderr}")
    importlib.invalidate_caches()
    pm._reset()  # load the entry points again, the example's included


@pytest.fixture(scope="module")
def example():
    try:
        import arignote_plugin_example  # noqa: F401
    except ImportError:
        _install_example()
    if "example" not in dict(pm.plugin_names()):
        pm._reset()
    return importlib.import_module("arignote_plugin_example")


def _scalar_names(fgraph):
    names = []
    for node in fgraph.toposort():
        sop = getattr(node.op, "scalar_op", None)
        if sop is not None:
            names += [op.name for op, _, _ in sop.nodes] if hasattr(sop, "nodes") else [sop.name]
    return names


def test_arignote_discovers_the_op_the_rule_and_the_backend(example):
    assert dict(pm.plugin_names())["example"] == "arignote-plugin-example"
    assert pm.ops()["swish"].op_or_factory is example.swish_op
    rule = pm.rewrites()["swish_from_mul_sigmoid"]
    assert rule.phase == "specialize" and "fast_run" in rule.tags
    status = {name: ok for name, ok, _reason, _prio in pm.backend_status()}
    assert status["counting"] is True
    assert pm.resolve_backend_name("auto") != "counting"  # a low priority: never picked by 'auto'


def test_swish_values_and_gradient(example, backend):
    x = T.dvector("x")
    f = arignote.function([x], [example.swish(x), T.grad(example.swish(x).sum(), x)], backend=backend)
    values = np.array([-np.inf, -800.0, -2.0, -0.0, 0.5, 3.0, np.inf, np.nan])
    with np.errstate(all="ignore"):
        got, grad = f(values)
    np.testing.assert_allclose(got, example.swish_numpy(values), rtol=1e-14)
    np.testing.assert_allclose(got[2:6], values[2:6] / (1 + np.exp(-values[2:6])), rtol=1e-15)
    assert got[0] == 0.0 and np.signbit(got[0])
    s = 1 / (1 + np.exp(-values[2:6]))
    np.testing.assert_allclose(grad[2:6], s + values[2:6] * s * (1 - s), rtol=1e-12)
    assert example.swish(T.fvector()).dtype == "float32" and example.swish(T.lvector()).dtype == "float64"


def test_swish_passes_the_conformance_runner_on_every_backend(example):
    report = run_conformance(backends=None, ops=["swish"])
    assert report.ok, report.failures_text()
    for name in available_backends():
        assert report.counts(name)["passed"] > 20, report.summary()


def test_swish_in_random_graphs_on_every_backend(example):
    pytest.importorskip("hypothesis")
    for name in available_backends():
        result = fuzz_backend(name, 12, seed=7, ops=["swish", "add", "mul", "sum", "reshape"])
        assert result.status == "passed", result.message


def test_the_rule_rewrites_x_times_sigmoid_x(example):
    x = T.dvector("x")
    expr = x * T.sigmoid(x)
    unfused = Mode().excluding("fusion")
    f = arignote.function([x], expr, mode=unfused, backend="py")
    names = _scalar_names(f.maker.fgraph)
    assert "swish" in names and "sigmoid" not in names, names
    without = arignote.function([x], expr, mode=unfused.excluding("swish_from_mul_sigmoid"), backend="py")
    assert "swish" not in _scalar_names(without.maker.fgraph)
    fused = arignote.function([x], T.sigmoid(x) * x + 1, backend="py")  # either order; fused afterwards
    assert "swish" in _scalar_names(fused.maker.fgraph)
    values = np.array([-3.0, 0.0, 2.5])
    np.testing.assert_allclose(f(values), without(values), rtol=1e-15)
    with np.errstate(all="ignore"):
        assert np.isnan(without(np.array([-np.inf])))[0] and f(np.array([-np.inf]))[0] == 0.0


def test_counting_backend_counts_node_executions(example):
    counting = pm.get_backend("counting")
    counting.reset()
    x = T.dvector("x")
    f = arignote.function([x], T.exp(x) * 2 + x, backend="counting", mode="NO_REWRITES")
    f(np.ones(3))
    f(np.ones(3))
    assert f.maker.backend == "counting"
    counts = counting.counts  # keyed by str(op), Theano's op names
    assert counts["Elemwise{exp,no_inplace}"] == counts["Elemwise{mul,no_inplace}"] == 2
    assert counts["Elemwise{add,no_inplace}"] == 2


def test_arignote_info_lists_the_plugin(example):
    done = subprocess.run([sys.executable, "-m", "arignote", "info"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "  example  (arignote-plugin-example)" in done.stdout
    assert any(line.split()[:2] == ["counting", "available"] for line in done.stdout.splitlines())


def _broken_distribution(tmp_path):
    """A distribution on sys.path whose entry points are broken: a missing module and a
    hook with a wrong signature."""
    info = tmp_path / "broken_plugins-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugins\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[arignote]\nbroken_import = no_such_module_for_arignote_tests\nbad_signature = bad_signature_plugin\n")
    (tmp_path / "bad_signature_plugin.py").write_text(textwrap.dedent("""
        from arignote.hookspecs import hookimpl

        @hookimpl
        def arignote_register_ops(unexpected_argument):
            return []
    """))


def test_broken_plugins_are_reported_by_name_and_arignote_still_works(tmp_path):
    _broken_distribution(tmp_path)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]))
    env.pop("ARIGNOTE_DISABLE_PLUGIN_AUTOLOAD", None)
    script = textwrap.dedent("""
        import numpy as np
        import arignote
        from arignote import tensor as T, plugin_manager as pm
        x = T.dvector("x")
        print(arignote.function([x], x * 2, backend="py")(np.arange(3.0)))
        print(sorted(name for name, _ in pm.plugin_failures()))
    """)
    done = subprocess.run([sys.executable, "-W", "always", "-c", script], capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "[0. 2. 4.]" in done.stdout and "['bad_signature', 'broken_import']" in done.stdout
    assert "arignote plugin 'broken_import' (from broken-plugins) failed to import" in done.stderr
    assert "no_such_module_for_arignote_tests" in done.stderr
    assert "arignote plugin 'bad_signature' (from broken-plugins) failed to register" in done.stderr
    assert "unexpected_argument" in done.stderr
    info = subprocess.run([sys.executable, "-m", "arignote", "info"], capture_output=True, text=True, env=env,
                          timeout=300)
    assert info.returncode == 0, info.stderr
    assert "broken_import  FAILED: ModuleNotFoundError" in info.stdout
    assert "bad_signature  FAILED:" in info.stdout


@pytest.mark.parametrize("name", ["c", "llvm"])
def test_compiled_backends_render_swish_natively(example, name):
    from arignote.config import config

    if name not in available_backends():
        pytest.skip(f"backend {name!r} is not available here (no C compiler or no llvmlite)")
    plugin = importlib.import_module("arignote_plugin_example.plugin")
    assert name in plugin.NATIVE
    x, y = T.dvector("x"), T.fvector("y")
    with config.change_flags(debug=True), pytest.warns() as caught:
        import warnings

        warnings.warn("marker", UserWarning)  # pytest.warns needs one warning; ours must be the only one
        f = arignote.function([x, y], [example.swish(x) * 2, example.swish(y)], backend=name)
    assert [str(w.message) for w in caught if "NumPy perform" in str(w.message)] == []
    values = np.array([-np.inf, -3.0, 0.0, 2.0, np.nan])
    a, b = f(values, values.astype("float32"))
    np.testing.assert_allclose(a, 2 * example.swish_numpy(values), rtol=1e-14)
    np.testing.assert_allclose(b, example.swish_numpy(values.astype("float32")), rtol=1e-6)
