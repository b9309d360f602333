"""Scan nodes as native loops of the C runtime (the S_SCAN step).

When the inner graph of a Scan node was compiled by this backend (its thunk
is a runtime program), the node becomes one S_SCAN step: the runtime runs
the loop itself, one pass of the inner program per iteration, with no Python
in between except for inner nodes that have no kernel.  Otherwise (or for
object states such as random generators) the node stays a NumPy fallback.
"""
from __future__ import annotations

S_SCAN = 9


def is_runtime_thunk(th):
    """Whether ``th`` is a program of the C runtime (not a Python or LLVM callable)."""
    return getattr(th, "__name__", None) == "arignote_thunk" and type(getattr(th, "__self__", None)).__name__ == "PyCapsule"


def native_inner(node):
    """The inner runtime program of a Scan node, or None when the loop cannot run natively."""
    op = node.op
    if type(op).__name__ != "Scan" or not hasattr(op, "out_taps"):
        return None
    if any(t is None for t in op.out_taps):
        return None
    th = getattr(node.tag, "scan_thunk", None)
    return th if is_runtime_thunk(th) else None


def scan_words(encoder, step, fallback_words):
    """The S_SCAN words of a fallback step holding a Scan node, or None to keep the fallback."""
    node = step.nodes[0]
    inner = native_inner(node)
    if inner is None:
        return None
    op = node.op
    words = [S_SCAN] + fallback_words[1:]  # the fallback block is the scan's own slow path
    words += [encoder.obj(inner), op.n_seqs, op.n_rec, op.n_nit_sot, int(op.as_while), op.n_nonseq]
    for taps in op.seq_taps:
        words += [len(taps), *taps]
    for j, taps in enumerate(op.out_taps):
        words += [len(taps), *taps, op.store[j]]
    words += list(op.store[op.n_rec:])
    return words
