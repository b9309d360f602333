"""Issue 11 item 9: every backend's flags are known before ARIGNOTE_FLAGS is checked: a good
value is applied without an "unknown flag" warning; a bad one gives one clear warning and the
default, and the backend still works; a real typo is still reported."""
import os
import subprocess
import sys

import pytest

CHILD = r'''
import sys, warnings
warnings.simplefilter("always")
import numpy as np, arignote, arignote.tensor as T
from arignote.config import config
x = T.dvector("x")
for b in ("py", "c", "llvm"):
    f = arignote.function([x], T.exp(x) + 0.25, backend=b)
    assert np.allclose(f(np.arange(3.0)), np.exp(np.arange(3.0)) + 0.25)
print("VALUE", repr(getattr(config, sys.argv[1], None)))
'''


def _run(flags, name):
    env = dict(os.environ, ARIGNOTE_FLAGS=flags)
    r = subprocess.run([sys.executable, "-c", CHILD, name], env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    warns = [ln for ln in r.stderr.splitlines() if "Warning:" in ln]
    return r.stdout.split("VALUE ", 1)[1].strip(), warns


@pytest.mark.parametrize("flags, name, value", [
    ("llvm_disk_cache=False", "llvm_disk_cache", "False"),
    ("llvm_target=generic", "llvm_target", "'generic'"),
    ("llvm_opt=O2", "llvm_opt", "'O2'"),
    ("llvm_vector_math=False", "llvm_vector_math", "False"),
    ("c_opt=-O2", "c_opt", "'-O2'"),
    ("c_reuse_buffers=False", "c_reuse_buffers", "False"),
    ("fusion_max_nodes=64", "fusion_max_nodes", "64"),
])
def test_a_backend_flag_from_the_environment_is_known_and_applied(flags, name, value):
    got, warns = _run(flags, name)
    assert got == value
    assert warns == [], warns


@pytest.mark.parametrize("flags, name, default", [("llvm_opt=1", "llvm_opt", "'fast'"), ("c_opt=-O9", "c_opt", "'-O3'")])
def test_a_bad_backend_flag_value_warns_once_and_keeps_the_default(flags, name, default):
    got, warns = _run(flags, name)
    assert got == default
    assert len(warns) == 1 and "invalid value" in warns[0] and name in warns[0] and "default" in warns[0], warns
    assert "unknown flag" not in warns[0]


def test_an_unknown_flag_is_still_reported():
    got, warns = _run("llvm_optt=O2", "llvm_optt")
    assert got == "None"
    assert len(warns) == 1 and "unknown flag 'llvm_optt'" in warns[0] and "did you mean 'llvm_opt'" in warns[0]
