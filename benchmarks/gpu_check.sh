#!/usr/bin/env bash
# Issue 21's GPU run: one command on a machine with an NVIDIA GPU prints everything its note needs.
#
#   bash benchmarks/gpu_check.sh [python]      (from anywhere; default .venv/bin/python, else python3)
#
# 1. the machine: GPU, driver, nvcc, Python;
# 2. the cuda extra: CuPy is used if it imports already, else the wheel matching the driver's CUDA
#    major version is installed (cupy-cuda12x / cupy-cuda13x), from ./.whl/ when that folder holds
#    CuPy wheels (a machine without network), else from PyPI; then arignote itself (editable,
#    no build isolation, so no network is needed for that step);
# 3. the cuda backend's own tests and the device-resident shared-variable tests on 'cuda' (and
#    'cuda-emulated' beside it);
# 4. the conformance suite on 'cuda' (smoke and fuzzer; the full sweep too with SWEEP=1);
# 5. benchmarks/bench_cuda.py (issue 21's Measure);
# 6. every generic backend test on 'cuda' (GENERIC=0 skips it), under its own time limit;
# 7. the nvcc --ptx check of every generated kernel with this machine's nvcc (PTX=0 skips it).
# INSTALL=0 installs nothing (a checkout whose environment has both already).
# Each stage has a time limit (seconds: the *_S variables), and the whole run one (TOTAL_S, 540 s:
# one device command may run 10 minutes), so that what ran is always printed;
# the log is also written to $OUT/gpu_check.log when OUT is set (else /tmp/gpu_check.log).
set -u
cd "$(dirname "$0")/.."
if [ $# -ge 1 ]; then PY=$1
elif .venv/bin/python -c "" 2>/dev/null; then PY=.venv/bin/python
else PY=python3; fi
export ARIGNOTE_COMPILEDIR=${ARIGNOTE_COMPILEDIR:-/tmp/arignote-gpu-check}
export PYTHONUNBUFFERED=1
LOG=${OUT:-/tmp}/gpu_check.log
exec > >(tee "$LOG") 2>&1
T0=$(date +%s)
stage() { echo; echo "== $1   [t=$(( $(date +%s) - T0 ))s]"; }
status=0
TOTAL=${TOTAL_S:-540}  # the whole run's limit: each stage gets at most what is left of it
run() {  # run LIMIT_SECONDS cmd...: records a failure, goes on
    local limit=$1; shift
    local left=$(( TOTAL - ($(date +%s) - T0) ))
    [ "$left" -lt "$limit" ] && limit=$left
    if [ "$limit" -lt 10 ]; then echo "!! skipped, the run's ${TOTAL}s are spent: $*"; status=1; return 1; fi
    timeout "$limit" "$@"; local rc=$?
    [ $rc -eq 124 ] && echo "!! stopped at its ${limit}s limit: $*"
    [ $rc -ne 0 ] && status=1
    return $rc
}

stage "machine"
nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv || echo "nvidia-smi failed"
cuda_major=$(nvidia-smi 2>/dev/null | sed -n 's/.*CUDA Version: \([0-9]*\).*/\1/p')
echo "driver's CUDA version: ${cuda_major:-unknown}"
nvcc --version 2>/dev/null | tail -2 || echo "no nvcc on PATH"
"$PY" --version

stage "cuda extra (CuPy)"
if "$PY" -c "import cupy" 2>/dev/null; then
    echo "CuPy already installed"
elif [ "${INSTALL:-1}" = 0 ]; then
    echo "CuPy is not installed (INSTALL=0: not installing it)"
else
    wheel=cupy-cuda${cuda_major:-12}x
    if ls .whl/cupy*.whl >/dev/null 2>&1; then
        run 300 "$PY" -m pip install -q --no-index --no-deps .whl/*.whl
    else
        run 300 "$PY" -m pip install -q "$wheel" || run 300 "$PY" -m pip install -q ".[cuda]"
    fi
fi
"$PY" - <<'EOF' || status=1
import cupy, numpy
try:
    nvrtc = cupy.cuda.nvrtc.getVersion()
except Exception as e:  # only informative
    nvrtc = f"unknown ({e})"
print("cupy", cupy.__version__, "| numpy", numpy.__version__, "| CUDA runtime", cupy.cuda.runtime.runtimeGetVersion(),
      "| NVRTC", nvrtc)
EOF

stage "arignote"
[ "${INSTALL:-1}" = 0 ] || run 300 "$PY" -m pip install -q --no-deps --no-build-isolation --no-index -e . \
    || run 300 "$PY" -m pip install -q --no-deps -e .
"$PY" - <<'EOF' || status=1
from arignote import plugin_manager as pm
for name, ok, why, prio in pm.backend_status():
    print(f"  backend {name:14} available={ok!s:5} priority={prio:4} {why}")
import cupy
d = cupy.cuda.Device()
print("  device", d.id, cupy.cuda.runtime.getDeviceProperties(d.id)["name"].decode(), "compute capability",
      d.compute_capability, "SMs", d.attributes["MultiProcessorCount"])
EOF

stage "cuda backend tests, device-resident shared variables (cuda and cuda-emulated)"
run "${TESTS_S:-120}" "$PY" -m pytest -q -p no:cacheprovider -rs tests/test_backend_cuda.py tests/test_cuda_shared.py

stage "conformance suite on cuda"
sel="cuda and not emulated"
[ "${SWEEP:-0}" = 1 ] || sel="$sel and not sweep"
run "${CONFORMANCE_S:-180}" "$PY" -m pytest -q -p no:cacheprovider -rs tests/conformance/test_conformance_suite.py -k "$sel"
run 120 "$PY" -m arignote.cli conformance --backend cuda --level quick

stage "benchmark (issue 21's Measure)"
run "${BENCH_S:-150}" "$PY" benchmarks/bench_cuda.py

if [ "${GENERIC:-1}" = 1 ]; then
    stage "every generic backend test on cuda"
    run "${GENERIC_S:-150}" "$PY" -m pytest -q -p no:cacheprovider --maxfail=20 tests -k "cuda and not emulated" \
        -m "not slow"
fi

if [ "${PTX:-1}" = 1 ]; then
    stage "every generated kernel through this machine's nvcc --ptx (CI runs it too)"
    run "${PTX_S:-120}" "$PY" -m pytest -q -p no:cacheprovider -rs tests/test_cuda_ptx.py
fi

stage "done: $([ $status = 0 ] && echo 'every stage passed' || echo 'SOME STAGE FAILED (see above)')"
exit $status
