"""What both CUDA backends share: the lowering target, the kernel symbols and module source."""
from __future__ import annotations

import hashlib
import warnings

from arignote.config import config

from .. import lowering
from ..c.specs import spec_of
from . import render

#: dtypes the kernels handle (float16 and complex loops run their NumPy perform)
DTYPES = tuple(d for d in lowering.ALL_DTYPES if d != "float16" and not d.startswith("complex"))


class FallbackWarning(UserWarning):
    """With ``config.debug``: names the nodes a cuda backend runs through NumPy on the host."""


def target():
    return lowering.Target("cuda", scalar_ok=lambda name, kind: kind != "mixed", dtypes=DTYPES, blas=True)


def symbol(spec):
    """The kernel name of ``spec``: a digest of its rendering (equal specs share one kernel)."""
    text = render.render(spec, "KERNEL")
    return "ar_k" + hashlib.sha256(text.encode()).hexdigest()[:20]


def lower(fgraph, backend_name):
    """(Program, {step index: symbol}, module source) of ``fgraph``; keeps the Program on the graph."""
    prog = lowering.lower(fgraph, target())
    syms, specs = {}, {}
    for i, s in enumerate(prog.steps):
        sp = spec_of(s)
        if sp is not None:
            syms[i] = symbol(sp)
            specs[syms[i]] = sp
    source = render.render_module(sorted(specs.items())) if specs else ""
    fgraph.lowered = prog
    report_fallbacks(prog, backend_name)
    return prog, syms, source


def report_fallbacks(prog, backend_name):
    fb = prog.fallbacks()
    if fb and config.debug:
        names = ", ".join(str(n.op) for s in fb for n in s.nodes)
        warnings.warn(f"arignote {backend_name} backend: {len(fb)} node(s) run their NumPy perform on the host: "
                      f"{names}", FallbackWarning, stacklevel=4)
