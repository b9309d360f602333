#!/usr/bin/env bash
# Issue 21's GPU run, for a session that has an NVIDIA GPU: installs the cuda extra (the CuPy
# wheel matching the toolkit: cupy-cuda12x for CUDA 12.x, cupy-cuda13x for 13.x), then runs the
# cuda tests, the conformance suite on 'cuda' (smoke and fuzzer; the slow sweep with SWEEP=1)
# and the benchmark.  Usage, from the repository root:  bash benchmarks/gpu_check.sh [python]
set -u
PY=${1:-.venv/bin/python}
cd "$(dirname "$0")/.."
export ARIGNOTE_COMPILEDIR=${ARIGNOTE_COMPILEDIR:-/tmp/arignote-gpu-check}
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || echo "nvidia-smi failed"
cuda_major=$(nvidia-smi 2>/dev/null | sed -n 's/.*CUDA Version: \([0-9]*\).*/\1/p')
wheel=cupy-cuda${cuda_major:-12}x
echo "== installing $wheel (driver's CUDA ${cuda_major:-unknown})"
"$PY" -m pip install -q "$wheel" || "$PY" -m pip install -q ".[cuda]"
"$PY" -m pip install -q --no-deps -e .
"$PY" -c "from arignote import plugin_manager as pm; print([s for s in pm.backend_status() if s[0].startswith('cuda')])"
echo "== cuda tests"
"$PY" -m pytest -q -p no:cacheprovider tests/test_backend_cuda.py tests/test_cuda_ptx.py -rs
echo "== conformance suite on cuda"
sel="cuda and not emulated"
[ "${SWEEP:-0}" = 1 ] || sel="$sel and not sweep"
"$PY" -m pytest -q -p no:cacheprovider tests/conformance/test_conformance_suite.py -k "$sel" -rs
"$PY" -m arignote.cli conformance --backend cuda --level quick 2>&1 | tail -30 || true
echo "== benchmark"
"$PY" benchmarks/bench_cuda.py
