"""The native NUTS kernel's C module: built once per machine with cffi's API mode into
``<compiledir>/nuts/`` (arignote.module_cache: private, atomic, checked entries, safe
against concurrent processes) and imported from there by every later process.

The build runs in every process with an empty compile directory, in a background thread
started when ``NUTS()`` is created, so its cost counts in a cold start: it is compiled at
-O1, which takes about two thirds of -O2's compile time (0.21 vs 0.32 s at low load) and
samples no slower (the model's logp+gradient dominates a leapfrog step: 0.75-1.06 vs
0.85-1.08 us/leapfrog on the seed's linear model; -O3 took 1.7x -O2's compile time
and was no faster)."""
from __future__ import annotations

import hashlib
import os
import shlex
import subprocess
import sys
import sysconfig
import threading

from arignote.module_cache import ModuleCache, import_extension

__all__ = ["CDEF", "load", "prefetch", "build_seconds"]

HERE = os.path.dirname(os.path.abspath(__file__))

#: the declarations shared by cffi and the C source (AR_N_STATS: NUTS.stat_names)
CDEF = """
#define AR_N_STATS 14
typedef int32_t (*ar_entry)(void *, void *const *, const int64_t *, void *const *, const int64_t *);
typedef struct {
    ar_entry fn; void *scratch; void **in_data; int64_t *in_shapes; int64_t n;
} ar_model;
typedef struct {
    int64_t n, n_tune, max_treedepth, early_max_treedepth;
    double step_size, target_accept, gamma, k, t0, max_energy;
    int64_t adapt_step_size, adapt_mass, grad_estimator, grad_init;
    int64_t window_start, n_window_ends;
    int64_t *window_ends;
} ar_settings;
typedef struct {
    uint32_t rng_key[2], rng_stream[2];
    uint64_t rng_counter;
    uint32_t rng_buf[4];
    int64_t rng_left, has_spare;
    double spare;
    double *q, *grad, *inv_mass, *p_scale, *failed_x;
    double logp;
    double da_mu, da_log_step, da_log_bar, da_hbar;
    int64_t da_count;
    double *w_mean_q, *w_m2_q, *w_mean_g, *w_m2_g;
    int64_t w_count;
    int64_t iter, adapt_iter, fresh, failed;
    double *rho_scratch;
} ar_chain;
int64_t ar_nuts_workspace(int64_t n, int64_t max_depth);
void ar_nuts_start(const ar_settings *s, ar_chain *c);
int64_t ar_nuts_run(const ar_settings *s, ar_chain *c, ar_model *m, double *ws, int64_t n_iter,
                    double *draws, double *stats);
"""

FLAGS = ["-O1", "-std=c99", "-fno-fast-math"]  # see the module docstring for the choice of -O1
_CACHE = ModuleCache("nuts")
_lock = threading.Lock()
_timing: dict = {}


def _source():
    with open(os.path.join(HERE, "nuts.c"), encoding="utf-8") as f:
        return CDEF + f.read()


def _key(src):
    import cffi

    ident = "\0".join([src, " ".join(FLAGS), cffi.__version__, sys.version, sysconfig.get_platform(),
                       sysconfig.get_config_var("EXT_SUFFIX") or ""])
    return hashlib.sha256(ident.encode()).hexdigest()


def load():
    """The compiled module (``lib``, ``ffi``): from memory, the compile directory, or built now."""
    src = _source()
    key = _key(src)
    name = f"_arignote_nuts_{key[:16]}"
    filename = name + (sysconfig.get_config_var("EXT_SUFFIX") or ".so")

    def make(tmp):
        import time

        t0 = time.perf_counter()
        _compile(name, src, tmp, filename)
        _timing["build"] = time.perf_counter() - t0

    with _lock:
        mod, how = _CACHE.load_or_build(key, filename, make, import_extension(name))
    _timing.setdefault("how", how)
    return mod


def _compile(name, src, tmp, filename):
    """cffi writes the extension's C; the compiler is run directly (setuptools, which
    ``ffi.compile`` would import and drive, costs as much as the compile itself)."""
    import cffi

    ffi = cffi.FFI()
    ffi.cdef(CDEF)
    c_path = os.path.join(tmp, name + ".c")
    from cffi.recompiler import make_c_source  # ffi.emit_c_code, without its "generating" line

    make_c_source(ffi, name, src, c_path, verbose=False)
    cc = shlex.split(os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc")
    cmd = cc + FLAGS + ["-fPIC", "-shared", "-I" + sysconfig.get_paths()["include"], c_path,
                        "-o", os.path.join(tmp, filename), "-lm"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError(f"building the native NUTS kernel failed ({' '.join(cmd)}):\n{r.stderr[-4000:]}")


def prefetch():
    """Start loading (or building: a C compiler run of a second or two) the module in a
    background thread, so that it overlaps the model's own compilation; ``load()`` waits for it."""
    if _timing.get("how") is not None or _timing.get("prefetch"):
        return
    _timing["prefetch"] = True

    def work():
        try:
            load()
        except Exception:  # noqa: BLE001 - load() in the foreground reports it
            pass

    threading.Thread(target=work, name="arignote-nuts-build", daemon=True).start()


def build_seconds():
    """Seconds the one-time cffi build took in this process (None: it was loaded from the cache)."""
    return _timing.get("build")
