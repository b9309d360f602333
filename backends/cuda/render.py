"""CUDA C++ source for the kernels of a lowered Program: fused elementwise loops and reductions.

One kernel per kernel spec (backends/c/specs.py: two steps with equal specs share a kernel):

* a loop is a grid-stride loop over the flat output index; each operand's byte offset comes from
  the row-major multi-index and its strides (0 along broadcast axes), or ``i * itemsize`` when
  every operand is contiguous (``contig``).  The body is the C backend's ``BodyRenderer`` reading
  the scalar table's ``cuda`` column.  Integer powers with a negative exponent set ``*err``.
* a reduction gives each output element to one block (grid-stride over outputs): the block's
  threads stride over the reduced elements, then combine through ``__shared__`` memory in a tree
  (``blockDim.x`` a power of two, at most ``AR_BLOCK``); rows shorter than ``AR_SEQ`` are reduced
  by one thread in order, as NumPy does (the same infs, NaNs and signed zeros).

``meta`` is one int64 array per launch: the dims, then the strides in bytes (layouts below).
Only numbers, dtype names and op names reach the text; user names never do.
"""
from __future__ import annotations

from ..c.render import (_LIMITS, _REDUCE_OPS, COMPUTE, ITEMSIZE, STORE, SUFFIX, BodyRenderer, cast, comment, load,
                        store_value)
from ..c.specs import LoopSpec
from ..scalar_table import kind_of
from .prelude import prelude


def _launcher(fname, params):
    """The emulation's host entry ``emu_<fname>(grid, block, params...)`` (only under AR_EMULATE)."""
    decl = ", ".join(f"{t} {n}" for t, n in params)
    args = ", ".join(n for _t, n in params)
    return ["#ifdef AR_EMULATE",
            f'extern "C" void emu_{fname}(unsigned grid, unsigned block, {decl})',
            f"{{ ar_emu_launch(grid, block, [=] {{ {fname}({args}); }}); }}",
            "#endif"]


def _kernel(fname, params, body):
    decl = ", ".join(f"{t} {n}" for t, n in params)
    return [f'extern "C" __global__ void {fname}({decl})', "{", *body, "}", *_launcher(fname, params)]


def loop_params(nops):
    return [("long long", "n"), ("int", "nd"), ("const long long *__restrict__", "meta"), ("int", "contig"),
            ("int *", "err_out")] + [("char *", f"p{k}") for k in range(nops)]


def render_loop(spec: LoopSpec, fname):
    """Kernel ``fname(n, nd, meta, contig, err_out, p0..)``; meta = dims[nd], strides[nops][nd]."""
    in_dt, out_dt, body = list(spec.in_dtypes), list(spec.out_dtypes), spec.body
    nin, nops = len(in_dt), len(in_dt) + len(out_dt)
    dts = in_dt + out_dt
    operand_val = {v.index: j for j, v in enumerate(body) if v.kind == "in"}
    br = BodyRenderer(body, "cuda")
    offs = ", ".join(f"o{k} = 0" for k in range(nops))
    B = [f"    /* {comment(', '.join(v.name for v in body if v.kind == 'op'))} */",
         "    int err = 0;",
         "    const long long *dims = meta, *st = meta + nd;",
         "    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n;",
         "         i += (long long)blockDim.x * gridDim.x) {",
         f"        long long {offs};",
         "        if (contig) {",
         *[f"            o{k} = i * {ITEMSIZE[dts[k]]};" for k in range(nops)],
         "        } else {",
         "            long long rem = i;",
         "            for (int d = nd - 1; d >= 0; d--) {",
         "                const long long q = rem % dims[d];",
         "                rem /= dims[d];",
         *[f"                o{k} += q * st[{k} * nd + d];" for k in range(nops)],
         "            }",
         "        }"]
    for k in range(nin):
        if k in operand_val:
            B.append(f"        const {COMPUTE[in_dt[k]]} v{operand_val[k]} = {load(f'p{k} + o{k}', in_dt[k])};")
    B.extend("        " + s for s in br.statements())
    for j, dt in enumerate(out_dt):
        k = nin + j
        B.append(f"        *({STORE[dt]} *)(p{k} + o{k}) = {store_value(br.name(spec.out_vals[j]), dt)};")
    B += ["    }", "    if (err) atomicOr(err_out, 1);"]
    return "\n".join(_kernel(fname, loop_params(nops), B))


REDUCE_PARAMS = [("long long", "nout"), ("long long", "ninner"), ("int", "ndo"), ("int", "ndi"),
                 ("const long long *__restrict__", "meta"), ("const char *", "in"), ("char *", "out")]


def render_reduce(spec, fname):
    """Kernel ``fname(nout, ninner, ndo, ndi, meta, in, out)``; meta = kept dims[ndo], reduced
    dims[ndi], input strides of the kept then the reduced axes, output strides[ndo]."""
    kind, di, do = spec.kind, spec.in_dtype, spec.out_dtype
    ko = kind_of(do)
    ident_t, comb_t = _REDUCE_OPS[kind]
    lo, hi = _LIMITS.get(do, ("0", "0"))
    A = COMPUTE[do]
    ident = f"(({A}){ident_t[ko].format(MIN=lo, MAX=hi)})"

    def comb(a, b):
        return comb_t[ko].format(a, b, F=SUFFIX.get(do, ""))

    B = [f"    /* {kind} {di} -> {do} */",
         f"    __shared__ {A} buf[AR_BLOCK];",
         "    const long long *dimo = meta, *dimi = meta + ndo, *sio = dimi + ndi, *sii = sio + ndo, *soo = sii + ndi;",
         "    const unsigned t = threadIdx.x;",
         "    for (long long o = blockIdx.x; o < nout; o += gridDim.x) {",
         "        long long rem = o, offi = 0, offo = 0;",
         "        for (int d = ndo - 1; d >= 0; d--) {",
         "            const long long q = rem % dimo[d];",
         "            rem /= dimo[d];",
         "            offi += q * sio[d];",
         "            offo += q * soo[d];",
         "        }",
         f"        {A} acc = {ident};",
         "        const long long step = ninner < AR_SEQ ? 1 : blockDim.x;",
         "        for (long long j = t; j < ninner && (long long)t < step; j += step) {",
         "            long long r = j, off = offi;",
         "            for (int d = ndi - 1; d >= 0; d--) {",
         "                off += (r % dimi[d]) * sii[d];",
         "                r /= dimi[d];",
         "            }",
         f"            const {A} x = {cast(load('in + off', di), di, do)};",
         f"            acc = {comb('acc', 'x')};",
         "        }",
         "        if (step == 1) {  /* a short row: one thread, in order (NumPy's order, ties and infs included) */",
         f"            if (t == 0) *({STORE[do]} *)(out + offo) = {store_value('acc', do)};",
         "            continue;",
         "        }",
         "        buf[t] = acc;",
         "        __syncthreads();",
         "        for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {",
         f"            if (t < s) buf[t] = {comb('buf[t]', 'buf[t + s]')};",
         "            __syncthreads();",
         "        }",
         f"        if (t == 0) *({STORE[do]} *)(out + offo) = {store_value('buf[0]', do)};",
         "        __syncthreads();",
         "    }"]
    return "\n".join(_kernel(fname, REDUCE_PARAMS, B))


def render(spec, fname):
    return render_loop(spec, fname) if isinstance(spec, LoopSpec) else render_reduce(spec, fname)


def render_module(kernels):
    """CUDA source of a module: the prelude, then ``(symbol, spec)`` kernels."""
    parts = [prelude(), "#ifdef AR_EMULATE\nAR_EMU_TAIL\n#endif"]
    parts += [render(spec, sym) for sym, spec in kernels]
    return "\n\n".join(parts) + "\n"
