"""LLVM set-up: target machine, the -O3 pipeline, symbol resolution and MCJIT compilation.

``config.llvm_target`` is 'host' (the CPU's name and features: AVX2/AVX-512
code and libmvec's matching variants) or 'generic' (baseline x86-64 / the
architecture's generic CPU, for code that must run on any machine).
``config.llvm_vector_math`` turns libmvec off (every lane calls libm).
"""
from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import threading
import time
from dataclasses import dataclass, field

import llvmlite.binding as llvm

from arignote.config import config
from arignote.forksafe import quiesce_across_fork

from . import cache as objcache
from . import flags  # noqa: F401  (the llvm_* config flags)
from . import capi
from .loops import KernelContext
from .vmath import MathLib

_lock = threading.RLock()


def _llvmlite_lock():
    """llvmlite's own lock, held around every call into LLVM (None if this llvmlite has none)."""
    from llvmlite.binding import ffi

    return getattr(ffi.lib, "_lock", None) or contextlib.nullcontext()


# fork waits until no thread compiles and no thread is inside any llvmlite call (parse, codegen, a
# module or engine freed by the garbage collector...): a child inheriting llvmlite's lock, or an
# LLVM-internal one, held by a thread it does not have would hang at its first LLVM call
quiesce_across_fork(globals(), "_lock", threading.RLock, inner=_llvmlite_lock)

# functions LLVM's code generator may call on its own (frem, half conversions, memory idioms)
CODEGEN_LIBCALLS = ("fmod", "fmodf", "memset", "memcpy", "memmove", "__extendhfsf2", "__truncsfhf2",
                    "__truncdfhf2")
HALF_LIBCALLS = ("__extendhfsf2", "__truncsfhf2", "__truncdfhf2")
_state: dict = {}




def _init_llvm():
    """Initialise LLVM and make libm, libmvec and the CPython API resolvable (once)."""
    if _state.get("init"):
        return _state["init"]
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    libm = ctypes.util.find_library("m") or "libm.so.6"
    llvm.load_library_permanently(libm)
    mvec = None
    for cand in ("libmvec.so.1", ctypes.util.find_library("mvec")):
        if not cand:
            continue
        try:
            llvm.load_library_permanently(cand)
            mvec = cand
            break
        except RuntimeError:
            continue
    for name in capi.PY_FUNCS:
        llvm.add_symbol(name, capi.pyfunc_address(name))
    libc = ctypes.util.find_library("c") or "libc.so.6"
    llvm.load_library_permanently(libc)
    for cand in ("libgcc_s.so.1", ctypes.util.find_library("gcc_s")):
        if cand:  # float16 conversions on CPUs without F16C (__extendhfsf2, __truncsfhf2)
            try:
                llvm.load_library_permanently(cand)
                break
            except RuntimeError:
                continue
    missing = [n for n in CODEGEN_LIBCALLS if not llvm.address_of_symbol(n)]
    _state["init"] = {"libm": libm, "libmvec": mvec, "missing_libcalls": missing}
    return _state["init"]


@dataclass
class Target:
    """A configured code generator: target machine + what kernels may use."""

    name: str
    machine: object
    cpu: str
    features: str
    kernel_ctx: KernelContext
    opt: int
    info: dict = field(default_factory=dict)

    def key(self):
        """What compiled code depends on (part of cache keys)."""
        return (self.name, self.cpu, self.features, self.opt, self.kernel_ctx.vector_bits,
                self.kernel_ctx.mathlib.isas, llvm.llvm_version_info)


def get_target():
    """The Target for the current config flags (built once per flag combination)."""
    key = (config.llvm_target, bool(config.llvm_vector_math), str(config.llvm_opt))
    with _lock:
        t = _state.get(key)
        if t is None:
            t = _state[key] = _make_target(*key)
        return t


def _make_target(which, vector_math, opt):
    info = _init_llvm()
    triple = llvm.get_process_triple()
    x86 = triple.startswith(("x86_64", "i686", "i386"))
    if which == "host":
        cpu = llvm.get_host_cpu_name()
        feats = llvm.get_host_cpu_features()
        features = feats.flatten()
        has = {k for k, v in feats.items() if v}
    else:
        cpu = "x86-64" if x86 else "generic"
        features = ""
        has = {"sse2"} if x86 else set()
    if "avx512f" in has:
        bits, isas = 512, ("e", "d", "c", "b")
    elif "avx2" in has:
        bits, isas = 256, ("d", "c", "b")
    elif "avx" in has:
        bits, isas = 256, ("c", "b")
    else:
        bits, isas = 128, ("b",) if "sse4.1" in has else ()
    if not x86 or not vector_math or info["libmvec"] is None:
        isas = ()
    attrs = ('"min-legal-vector-width"="512"',) if bits == 512 else ()
    machine = _machine(triple, cpu, features, 3 if opt == "fast" else int(opt[1]))
    mathlib = MathLib(isas, resolver=llvm.address_of_symbol)
    ctx = KernelContext(mathlib=mathlib, vector_bits=bits, attributes=attrs)
    half_ok = "f16c" in has or not any(n in info["missing_libcalls"] for n in HALF_LIBCALLS)
    return Target(which, machine, cpu, features, ctx, opt,
                  info={"triple": triple, "libmvec": info["libmvec"], "vector_bits": bits, "isas": isas,
                        "float16": half_ok, "missing_libcalls": info["missing_libcalls"]})


def _machine(triple, cpu, features, opt):
    if isinstance(opt, str):
        opt = 3 if opt == "fast" else int(opt[1])
    tgt = llvm.Target.from_triple(triple)
    return tgt.create_target_machine(cpu=cpu, features=features, opt=opt, codemodel="jitdefault")


def optimize(module_ref, target):
    """Run the IR pipeline of ``target.opt`` (see the ``llvm_opt`` flag)."""
    if target.opt == "O0":
        return
    if target.opt == "fast":
        pto = llvm.create_pipeline_tuning_options(speed_level=2)
        pb = llvm.create_pass_builder(target.machine, pto)
        mpm = llvm.create_new_module_pass_manager()
        mpm.add_sroa_pass()
        mpm.add_instruction_combine_pass()
        mpm.add_simplify_cfg_pass()
        mpm.add_new_gvn_pass()
        mpm.add_instruction_combine_pass()
        mpm.add_simplify_cfg_pass()
        mpm.add_dead_code_elimination_pass()
        mpm.run(module_ref, pb)
        return
    pto = llvm.create_pipeline_tuning_options(speed_level=int(target.opt[1]))
    pto.loop_vectorization = True
    pto.slp_vectorization = True
    pb = llvm.create_pass_builder(target.machine, pto)
    pb.getModulePassManager().run(module_ref, pb)


@dataclass
class Compiled:
    """A JIT-compiled module: its engine (keep it alive while its code may run) and timings."""

    engine: object
    timings: dict

    def address(self, name):
        with _lock:  # LLVM's symbol tables have locks of their own: fork must not catch them held
            return self.engine.get_function_address(name)

    def global_address(self, name):
        with _lock:
            return self.engine.get_global_value_address(name)


def compile_ir(ir_text, target, name="arignote"):
    """JIT-compile textual IR (cached by the text).  Raises ValueError when LLVM rejects it."""
    return compile_cached("ir:" + ir_text, lambda: (ir_text, {}), target, name)[0]


def compile_cached(description, build, target, name="arignote"):
    """(Compiled, header) for the module described by ``description``; ``build()`` -> (IR text,
    JSON-able header) runs only when neither memory nor the disk cache has it."""
    t0 = time.perf_counter()
    key = objcache.make_key(description + "\0" + repr(target.key()))
    with _lock:
        hit = objcache.get(key)
        timings = {"cache": "hit" if hit is not None else "miss"}
        if hit is None:
            ir_text, meta = build()
            t1 = time.perf_counter()
            try:
                mod = llvm.parse_assembly(ir_text)
                mod.name = name
                mod.verify()
            except RuntimeError as e:
                raise ValueError(f"LLVM rejected the generated IR for {name}: {e}") from None
            mod.triple = target.machine.triple
            mod.data_layout = str(target.machine.target_data)
            t2 = time.perf_counter()
            optimize(mod, target)
            t3 = time.perf_counter()
            obj = target.machine.emit_object(mod)
            t4 = time.perf_counter()
            objcache.put(key, obj, meta)
            timings.update(ir=t1 - t0, parse=t2 - t1, optimize=t3 - t2, codegen=t4 - t3)
        else:
            obj, meta = hit
        t5 = time.perf_counter()
        # the engine takes ownership of its target machine: give it a fresh one
        own = _machine(target.info["triple"], target.cpu, target.features, target.opt)
        engine = llvm.create_mcjit_compiler(llvm.parse_assembly(""), own)
        engine.add_object_file(llvm.ObjectFileRef.from_data(obj))
        engine.finalize_object()
        timings["load"] = time.perf_counter() - t5
    return Compiled(engine, timings), meta
