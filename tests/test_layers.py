"""The import graph goes one way: every module imports only its own layer or lower ones.

Layers, lowest first (docs/architecture.md draws them):

* core's foundation: ``config``, ``errors``, ``forksafe``, ``hookspecs``, ``compiledir``, ``special``,
  ``storage``, ``scalar_domain``;
* core's graph: ``graph``, ``types``, ``scalar``, ``labels``, ``grad_markers``, ``graph_pickle``, ``fg``
  (with ``graph_text``, ``op_compat``, ``scalar_graph``, ``test_values``);
* the modules of ``arignote.tensor`` (ops and their helpers; ``tensor.opt``, Theano's registration
  module, sits with the rest of core);
* the rest of core: ``gradient``, ``function``, ``shared``, ``mode``, ``printing``, ``plugin_manager``,
  ``testing``, ... and the facades ``arignote`` and ``arignote.tensor`` (their ``__init__``);
* ``arignote.backends`` and ``arignote.rewrites`` (neither imports the other);
* ``arignote.plugins`` and ``arignote.ppl`` (the public API and the hooks only).

Both module-level imports and imports inside functions count: a function-local import that
reaches upward is the same circle, postponed.  A second test imports every module alone in a
fresh interpreter, so no module depends on another having been imported first.
"""
from __future__ import annotations

import ast
import os
import subprocess
import sys

import pytest

import arignote

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGES = {"arignote": "core", "arignote.backends": "backends", "arignote.rewrites": "rewrites",
            "arignote.plugins": "plugins"}

FOUNDATION = {"config", "errors", "forksafe", "hookspecs", "compiledir", "special", "storage", "scalar_domain"}
GRAPH = {"graph", "types", "scalar", "labels", "grad_markers", "graph_pickle", "fg",
         "graph_text", "op_compat", "scalar_graph", "test_values"}
TENSOR_FACADES = {"opt"}  # Theano's tensor.opt: registers user rewrites through arignote.gof


def layer(module):
    """The layer number of an ``arignote...`` module name (higher may import lower)."""
    parts = module.split(".")
    head = parts[1] if len(parts) > 1 else ""
    if head in ("plugins", "ppl"):
        return 6
    if head in ("backends", "rewrites"):
        return 4 if head == "backends" else 5
    if head in FOUNDATION:
        return 0
    if head in GRAPH:
        return 1
    if head == "tensor" and len(parts) > 2 and parts[2] not in TENSOR_FACADES:
        return 2
    return 3


def _may_import(src, dst):
    ls, ld = layer(src), layer(dst)
    if {ls, ld} == {4, 5}:
        return False  # backends and rewrites never import each other
    return ld <= ls


def _modules():
    """(module name, path) of every Python module of the installed package's folders."""
    for pkg, folder in PACKAGES.items():
        base = os.path.join(ROOT, folder)
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = [d for d in dirnames if not d.startswith((".", "__"))]
            rel = os.path.relpath(dirpath, base)
            prefix = pkg if rel == "." else pkg + "." + rel.replace(os.sep, ".")
            if pkg == "arignote.plugins" and rel.split(os.sep)[0] == "ppl":
                prefix = "arignote.ppl" + prefix[len("arignote.plugins.ppl"):]
            for f in filenames:
                if f.endswith(".py"):
                    name = prefix if f == "__init__.py" else prefix + "." + f[:-3]
                    yield name, os.path.join(dirpath, f)


def _imports(module, path):
    """(imported module, line) for every ``import``/``from`` of an arignote module in the file."""
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    is_pkg = path.endswith("__init__.py")
    package = module if is_pkg else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("arignote"):
                    yield a.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("arignote"):
                continue
            if node.module is None or target in ("arignote",):
                # ``from . import x`` / ``from arignote import x``: x is a submodule or a name
                for a in node.names:
                    yield target + "." + a.name if _is_module(target + "." + a.name) else target, node.lineno
            else:
                yield target, node.lineno


_ALL = dict(_modules())


def _is_module(name):
    return name in _ALL


def test_every_module_is_found():
    assert "arignote.graph" in _ALL and "arignote.tensor.math" in _ALL and "arignote.backends.c.backend" in _ALL


def test_imports_go_downward():
    bad = []
    for module, path in sorted(_ALL.items()):
        for target, line in _imports(module, path):
            if not _may_import(module, target):
                bad.append(f"{os.path.relpath(path, ROOT)}:{line}: {module} (layer {layer(module)}) "
                           f"imports {target} (layer {layer(target)})")
    assert not bad, "imports against the layering:\n" + "\n".join(bad)


def test_layers_of_known_modules():
    assert layer("arignote.errors") < layer("arignote.graph") < layer("arignote.tensor.math")
    assert layer("arignote.tensor.math") < layer("arignote.gradient.reverse") == layer("arignote.function")
    assert layer("arignote.function") < layer("arignote.backends.c.backend")
    assert not _may_import("arignote.rewrites.fusion", "arignote.backends.lowering")
    assert not _may_import("arignote.backends.c.backend", "arignote.rewrites.driver")
    assert not _may_import("arignote.graph", "arignote.function")


# Third-party packages the children may find already imported: only arignote's own import
# order is under test, and importing these once in the parent saves most of each child's time.
_PRELOAD = ("numpy", "scipy", "scipy.special", "scipy.linalg", "scipy.stats", "scipy.optimize",
            "networkx", "pluggy", "cffi", "llvmlite.binding", "pandas", "arviz", "matplotlib")

_IMPORT_EACH = """
import importlib, multiprocessing, os, sys, traceback
for name in sys.argv[1].split():
    try:
        importlib.import_module(name)
    except ImportError:
        pass
assert not [m for m in sys.modules if m.split('.')[0] == 'arignote'], 'arignote imported early'

def one(name):
    try:
        importlib.import_module(name)
    except BaseException:
        return name + ': ' + traceback.format_exc().strip().splitlines()[-1]

if __name__ == '__main__':
    ctx = multiprocessing.get_context('fork')
    with ctx.Pool(os.cpu_count() or 2, maxtasksperchild=1) as pool:
        bad = [b for b in pool.map(one, sys.argv[2:], chunksize=1) if b]
    print('\\n'.join(bad))
"""


@pytest.mark.slow
def test_every_module_imports_alone():
    """Each module imports in a fresh child (forked before any arignote module was imported),
    with nothing of arignote imported before it."""
    names = sorted(n for n in _ALL if not n.endswith("__main__"))
    r = subprocess.run([sys.executable, "-c", _IMPORT_EACH, " ".join(_PRELOAD), *names],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr
    assert not r.stdout.strip(), "modules that fail to import alone:\n" + r.stdout


def test_package_is_the_checked_tree():
    """The imported arignote is this tree's core/: the same folder (editable install) or an
    installed copy whose every module has the same text (CI installs non-editable)."""
    pkg = os.path.dirname(arignote.__file__)
    src = os.path.join(ROOT, "core")
    if os.path.realpath(pkg) == os.path.realpath(src):
        return
    names = sorted(n for n in os.listdir(src) if n.endswith(".py"))
    assert names, src
    for n in names:
        with open(os.path.join(src, n), "rb") as a, open(os.path.join(pkg, n), "rb") as b:
            assert a.read() == b.read(), f"installed arignote/{n} differs from core/{n}"
