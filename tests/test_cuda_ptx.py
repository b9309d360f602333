"""Every kernel the conformance cases generate compiles with ``nvcc --ptx`` (the device compiler's
front end and code generator, no GPU needed).  The kernels are gathered while the conformance
suite's 'smoke' level runs on 'cuda-emulated', deduplicated, and compiled as one module per
ptx architecture."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from arignote import plugin_manager as pm

NVCC = shutil.which("nvcc") or next((p for p in ("/usr/local/cuda/bin/nvcc", "/usr/local/bin/nvcc")
                                     if os.path.exists(p)), None)
EMU_OK = dict((n, ok) for n, ok, _r, _p in pm.backend_status()).get("cuda-emulated")

pytestmark = [pytest.mark.skipif(NVCC is None, reason="nvcc is not installed (the CUDA toolkit's compiler)"),
              pytest.mark.skipif(not EMU_OK, reason="cuda-emulated is unavailable (gathers the kernels)")]


@pytest.fixture(scope="module")
def kernels():
    """{symbol: spec} of every kernel the conformance smoke cases make."""
    from arignote.backends.cuda import render
    from arignote.conformance import run_conformance

    seen = {}
    orig = render.render_module

    def record(ks):
        seen.update(ks)
        return orig(ks)

    render.render_module = record
    try:
        run_conformance(backends=["cuda-emulated"], level="smoke", modes=("NO_REWRITES", "FAST_RUN"),
                        grad=True, fd=False)
    finally:
        render.render_module = orig
    return seen


@pytest.mark.parametrize("arch", ["compute_80", "compute_90"])
def test_every_conformance_kernel_compiles_to_ptx(kernels, tmp_path, arch):
    from arignote.backends.c.specs import LoopSpec, ReduceSpec
    from arignote.backends.cuda import render

    assert any(isinstance(s, LoopSpec) for s in kernels.values())
    assert any(isinstance(s, ReduceSpec) for s in kernels.values())
    src = tmp_path / "kernels.cu"
    src.write_text(render.render_module(sorted(kernels.items())))
    out = tmp_path / "kernels.ptx"
    r = subprocess.run([NVCC, "--ptx", f"-arch={arch}", "-std=c++17", str(src), "-o", str(out)],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, f"nvcc failed on {len(kernels)} kernels:\n{r.stderr[-6000:]}"
    ptx = out.read_text()
    missing = [sym for sym in kernels if f".entry {sym}(" not in ptx]
    assert not missing, f"kernels missing from the PTX: {missing[:5]}"
