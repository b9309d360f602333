"""Test-wide settings and fixtures.

* ``backend``: each of arignote's own backends (py, c, llvm); one that cannot run
  on this machine is skipped with its reason (never left out).  Third-party
  backends (the example plugin's ``counting``) are checked by their own tests.
* ``rng``: a seeded NumPy generator, fresh per test.
* A rewrite rule that fails raises in tests (users get one warning naming the rule).
* tests/ is on sys.path, so test modules can ``from cases.x_cases import CASES``.
"""
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))  # the case tables: ``from cases.x_cases import CASES``

import arignote.rewrites  # noqa: E402,F401  (registers the rewrite flags)
from arignote.config import config  # noqa: E402
from arignote.testing import all_backends, backend_params  # noqa: E402

config.on_opt_error = "raise"


@pytest.fixture(params=backend_params())
def backend(request):
    """The name of a backend (a test that parametrizes ``backend`` itself overrides this)."""
    return request.param


@pytest.fixture
def rng():
    """A seeded NumPy generator (fresh per test, so results do not depend on test order)."""
    return np.random.default_rng(20240611)


def pytest_report_header(config):
    return [f"arignote backend {name}: " + ("available" if ok else f"unavailable ({reason})")
            for name, ok, reason in all_backends()]


# -- batching: compiled backends compile many cases as one function ------------
_BATCHES: dict = {}
_BATCHED: set = set()


def pytest_collection_modifyitems(session, config, items):
    """Group (case, backend) items of each test function so compiled backends build few modules."""
    from arignote.testing import OpCase

    for item in items:
        cs = getattr(item, "callspec", None)
        if cs is None:
            continue
        case, be = cs.params.get("case"), cs.params.get("backend")
        if not isinstance(case, OpCase) or be in (None, "py"):
            continue
        key = (item.nodeid.split("[")[0], be)
        _BATCHES.setdefault(key, []).append(case)
        item._arignote_batch = key


@pytest.fixture(autouse=True)
def _precompute_batch(request):
    key = getattr(request.node, "_arignote_batch", None)
    if key is not None and key not in _BATCHED:
        _BATCHED.add(key)
        from arignote.testing import precompute

        precompute(_BATCHES[key], key[1])
    yield


@pytest.fixture(scope="module")
def no_cyclic_gc():
    """Cyclic garbage collection off for a module of deep graphs: collections would only walk
    the live graph again and again (test speed only; recursion limits are unaffected)."""
    import gc

    was = gc.isenabled()
    gc.disable()
    yield
    if was:
        gc.enable()
