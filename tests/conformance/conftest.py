"""The 'cuda-emulated' backend runs the conformance suite's smoke level and fuzzer in CI (under a
minute); its full sweep (every layout and dtype, about 3.5 minutes of g++ builds on 2 cores) is
opt-in with ARIGNOTE_CUDA_EMULATED_SWEEP=1."""
import os

import pytest


def pytest_collection_modifyitems(config, items):
    if os.environ.get("ARIGNOTE_CUDA_EMULATED_SWEEP") == "1":
        return
    skip = pytest.mark.skip(reason="the cuda-emulated sweep is opt-in: ARIGNOTE_CUDA_EMULATED_SWEEP=1")
    for item in items:
        cs = getattr(item, "callspec", None)
        if cs is not None and cs.params.get("backend") == "cuda-emulated" and "sweep" in item.name:
            item.add_marker(skip)
