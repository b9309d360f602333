"""The C compiler: finding it, probing what it and the CPU support, compiling modules.

A probe (once per compiler, CPU and Python; remembered in the compile
directory) records the compiler's version, what ``-march=native`` expands to,
and whether ``_Float16``, ``__int128`` and glibc's libmvec work.  All of it
goes into cache keys, so a module built for another CPU or compiler is never
loaded.  Flags never include ``-ffast-math`` (NumPy's nan/inf semantics).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import threading
import warnings

from arignote.config import config
from arignote.forksafe import renew_after_fork

_FLAGS_REGISTERED = False
_lock = threading.Lock()
_probe_cache: dict = {}


class CompileError(RuntimeError):
    """The C compiler failed; the message holds its output and the kept source path."""


def register_flags():
    """Config flags of the C backend (idempotent)."""
    global _FLAGS_REGISTERED
    if _FLAGS_REGISTERED:
        return
    _FLAGS_REGISTERED = True
    if "c_compiler" not in config:
        config.register_flag("c_compiler", os.environ.get("CC", ""), None,
                             "C compiler of the c backend (default: $CC, else gcc, else cc)")
    if "c_mvec" not in config:
        config.register_flag("c_mvec", "auto", ("auto", "on", "off"),
                             "c backend: use glibc's vector math library (libmvec) when it works")
    if "c_reuse_buffers" not in config:
        config.register_flag("c_reuse_buffers", True, None,
                             "c backend: reuse output/intermediate buffers nobody else holds across calls")
    if "c_opt" not in config:
        config.register_flag("c_opt", "-O3", ("-O1", "-O2", "-O3"), "c backend: optimisation level of kernels")


register_flags()


def compiler():
    """Absolute path of the C compiler, or None."""
    names = [config.c_compiler] if config.c_compiler else ["gcc", "cc", "clang"]
    for n in names:
        p = shutil.which(n)
        if p:
            return p
    return None


def python_include():
    return sysconfig.get_paths()["include"]


def ext_suffix():
    return sysconfig.get_config_var("EXT_SUFFIX") or ".so"


def available():
    """(ok, reason): is there a compiler and are Python's headers installed?"""
    cc = compiler()
    if cc is None:
        want = config.c_compiler or "gcc/cc/clang"
        return False, f"no C compiler found ({want} is not on PATH; set $CC or config.c_compiler)"
    if not os.path.exists(os.path.join(python_include(), "Python.h")):
        return False, f"Python.h not found in {python_include()} (install the Python development headers)"
    try:
        r = subprocess.run([cc, "--version"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError) as e:
        return False, f"C compiler {cc} does not run: {e}"
    if r.returncode != 0:
        return False, f"C compiler {cc} --version failed: {r.stderr.strip()[:200]}"
    return True, ""


# ------------------------------------------------------------------- probe

_PROBE_SRC = r"""
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
%(decls)s
int main(int argc, char **argv) {
    int n = argc + 7;
    double *x = malloc(n * sizeof(double)), *y = malloc(n * sizeof(double));
    float *xf = malloc(n * sizeof(float)), *yf = malloc(n * sizeof(float));
    for (int i = 0; i < n; i++) { x[i] = i * 0.1; xf[i] = i * 0.1f; }
    for (int i = 0; i < n; i++) { y[i] = %(body)s; yf[i] = %(bodyf)s; }
%(extra)s
    printf("%%g %%g\n", y[n - 1], (double)yf[n - 1]);
    return 0;
}
"""

_MVEC_BASIC = ["exp", "log", "sin", "cos"]
_MVEC_FULL = _MVEC_BASIC + ["exp2", "expm1", "log2", "log10", "log1p", "tan", "asin", "acos", "atan", "sinh",
                            "cosh", "tanh", "asinh", "acosh", "atanh", "erf", "erfc"]


def _probe_program(funcs, extra="", binary=("pow",)):
    decls = "\n".join(f"#pragma omp declare simd notinbranch\ndouble {f}(double);\n"
                      f"#pragma omp declare simd notinbranch\nfloat {f}f(float);" for f in funcs)
    decls += "".join(f"\n#pragma omp declare simd notinbranch\ndouble {f}(double, double);"
                     f"\n#pragma omp declare simd notinbranch\nfloat {f}f(float, float);" for f in binary)
    body = " + ".join([f"{f}(x[i] * 0.01 + 0.5)" for f in funcs] + [f"{f}(x[i] + 1.0, 0.5)" for f in binary])
    bodyf = " + ".join([f"{f}f(xf[i] * 0.01f + 0.5f)" for f in funcs] + [f"{f}f(xf[i] + 1.0f, 0.5f)" for f in binary])
    return _PROBE_SRC % {"decls": decls, "body": body, "bodyf": bodyf, "extra": extra}


def _run(cmd, cwd=None, timeout=120):
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, timeout=timeout)


def _try_build_exe(cc, src, flags, libs, tmp, name):
    path = os.path.join(tmp, name + ".c")
    with open(path, "w") as f:
        f.write(src)
    exe = os.path.join(tmp, name)
    r = _run([cc, *flags, path, "-o", exe, *libs])
    if r.returncode != 0:
        return False
    try:
        return _run([exe], timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _identity(cc):
    st = os.stat(cc)
    try:
        with open("/proc/cpuinfo") as f:
            cpu = [ln for ln in f if ln.startswith(("flags", "model name"))][:2]
    except OSError:
        cpu = []
    import platform

    return hashlib.sha256(repr((os.path.realpath(cc), st.st_mtime_ns, st.st_size, cpu, platform.machine(),
                                sys.version)).encode()).hexdigest()[:24]


def identity():
    """The compiler's version and what ``-march=native`` means here (fast: one preprocessor run)."""
    return _probe(features=False)


def probe():
    """``identity()`` plus what the compiler, libc and CPU support (a test build; cached on disk)."""
    return _probe(features=True)


def _probe(features):
    cc = compiler()
    if cc is None:
        raise CompileError(available()[1])
    with _lock:
        hit = _probe_cache.get(cc)
        if hit is not None and (not features or "mvec" in hit):
            return hit
        ident = _identity(cc)
        from . import cache

        path = os.path.join(cache.root(), f"probe-{ident}.json")
        if hit is None:
            hit = _read_probe(path, ident) or _identify(cc, ident)
            _probe_cache[cc] = hit
    if features and "mvec" not in hit:
        with _feature_lock:
            if "mvec" not in hit:
                res = dict(hit, **_features(cc, hit))
                _write_probe(path, res)
                with _lock:
                    _probe_cache[cc] = hit = res
    return hit


_feature_lock = threading.Lock()


def _probe_digest(res):
    body = {k: v for k, v in res.items() if k != "checksum"}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _write_probe(path, res):
    from . import cache

    cache.atomic_write(path, json.dumps(dict(res, checksum=_probe_digest(res)), indent=1).encode())


def _read_probe(path, ident):
    """The probe recorded at ``path``, or None (absent; damaged: warned about, removed, probed again)."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        return None
    except OSError:
        raw = b""
    res = None
    try:
        res = json.loads(raw.decode())
        ok = isinstance(res, dict) and res.get("checksum") == _probe_digest(res) and res.get("ident") == ident
    except (ValueError, UnicodeDecodeError):
        ok = False
    if ok:
        del res["checksum"]
        return res
    from arignote import compiledir

    if isinstance(res, dict) and "checksum" not in res and res.get("ident") == ident:
        compiledir.remove(path)  # written by an arignote without probe checksums: probed again quietly
        return None

    warnings.warn(f"arignote: the compiler probe {path} is damaged; probing again", compiledir.CacheWarning,
                  stacklevel=5)
    compiledir.remove(path)
    return None
renew_after_fork(globals(), _lock=threading.Lock, _feature_lock=threading.Lock)


def _identify(cc, ident):
    r = _run([cc, "-march=native", "-E", "-v", "-x", "c", os.devnull, "-o", os.devnull])
    lines = r.stderr.splitlines()
    version = next((ln for ln in lines if " version " in ln), lines[0] if lines else cc)
    native = next((ln for ln in lines if "-march=" in ln and ("cc1" in ln or "-cc1" in ln)), "")
    toks = native.split()
    native_flags = " ".join(t for i, t in enumerate(toks)
                            if t.startswith(("-m", "--param")) or (i and toks[i - 1] == "--param"))
    return {"ident": ident, "compiler": cc, "version": version.strip(), "native": native_flags,
            "march": r.returncode == 0}


def _features(cc, ident):
    base = ["-O2", "-march=native"] if ident["march"] else ["-O2"]
    ext = ("    _Float16 h = (_Float16)x[1]; y[0] += (float)h;\n"
           "    __int128 q = (__int128)argc * (__int128)INT64_MAX; y[0] += (double)(q > 0);\n")
    vec = [*base, "-O3", "-fno-math-errno", "-fopenmp-simd"]
    libs = ["-lmvec", "-lm"]
    with tempfile.TemporaryDirectory(prefix="arignote-probe-") as tmp:
        # the usual case in one build: everything works
        if _try_build_exe(cc, _probe_program(_MVEC_FULL, ext, ("pow", "atan2")), vec, libs, tmp, "all"):
            return {"f16_int128": True, "mvec": "full"}
        res = {"f16_int128": _try_build_exe(cc, _probe_program([], ext, ()), base, ["-lm"], tmp, "types"),
               "mvec": None}
        for level, funcs, binary in (("full", _MVEC_FULL, ("pow", "atan2")), ("basic", _MVEC_BASIC, ("pow",))):
            if _try_build_exe(cc, _probe_program(funcs, binary=binary), vec, libs, tmp, "mvec_" + level):
                res["mvec"] = level
                break
    return res


# ------------------------------------------------------------------- flags


def kernel_flags(pr):
    """(compile flags, link flags, defines) for kernel modules."""
    flags = [config.c_opt, "-fPIC", "-shared", "-fno-math-errno", "-fwrapv", "-ffp-contract=off",
             "-fno-strict-aliasing", "-w"]
    if pr.get("march"):
        flags.append("-march=native")
    defines, link = [], ["-lm"]
    want = config.c_mvec
    if pr.get("mvec") and want != "off":
        flags.append("-fopenmp-simd")
        defines.append("AR_MVEC")
        if pr["mvec"] == "full":
            defines.append("AR_MVEC_FULL")
        link = ["-lmvec", "-lm"]
    return flags, link, defines


def runtime_flags(pr):
    flags = ["-O2", "-fPIC", "-shared", "-fno-strict-aliasing", "-w"]
    if pr.get("march"):
        flags.append("-march=native")
    return flags


def compile_shared(cc, c_path, so_path, flags, link, defines=(), includes=()):
    """Compile ``c_path`` into the shared library ``so_path``; CompileError with the output on failure."""
    cmd = [cc, *flags, *[f"-D{d}" for d in defines], *[f"-I{i}" for i in includes], c_path, "-o", so_path, *link]
    try:
        r = _run(cmd, timeout=600)
    except subprocess.TimeoutExpired:
        raise CompileError(f"the C compiler timed out on {c_path}") from None
    if r.returncode != 0:
        out = (r.stderr or r.stdout).strip()
        if len(out) > 6000:
            out = out[:6000] + "\n... (truncated)"
        raise CompileError(f"C compilation failed (exit {r.returncode}):\n$ {' '.join(cmd)}\n{out}")
    return so_path
