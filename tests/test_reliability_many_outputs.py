"""Issue 11 item 10: rewriting a graph with many outputs does not scan the output list once per
rewrite (that made compile time quadratic in the number of outputs); llvm cuts big native code
into bounded functions.  Counted, not timed: benchmarks/bench_many_outputs.py has the times."""
import numpy as np
import pytest

import arignote
import arignote.tensor as T
from arignote.fg import FunctionGraph
from arignote.mode import get_mode
from arignote.testing import backend_params


class CountingList(list):
    """A list that counts the full scans made of it."""

    scans = 0

    def __iter__(self):
        CountingList.scans += 1
        return super().__iter__()


def _graph(n):
    x = T.dvector("x")
    return x, [T.exp(x * (1.0 + k * 1e-3)) * 1.0 for k in range(n)]


def test_rewrites_do_not_scan_the_outputs_per_rewrite():
    x, outs = _graph(300)
    fg = FunctionGraph([x], outs, clone=True)
    fg.outputs = CountingList(fg.outputs)
    CountingList.scans = 0
    get_mode(None).optimize(fg)
    # a handful of whole-graph passes may list the outputs; 300 outputs x several rules each may not
    assert CountingList.scans < 60, CountingList.scans
    assert len(fg.outputs) == 300


def test_output_index_follows_replacements_and_outside_edits():
    x = T.dvector("x")
    a, b = T.exp(x), T.sin(x)
    fg = FunctionGraph([x], [a, b, a])
    assert fg.clients(a) == [("output", 0), ("output", 2)]
    c = T.cos(x)
    fg.replace(a, c)
    assert fg.outputs == [c, b, c] and fg.clients(a) == [] and fg.clients(c) == [("output", 0), ("output", 2)]
    fg.outputs.append(b)  # edited from outside: the index notices
    assert [k for _, k in fg.clients(b)] == [1, 3]


@pytest.mark.parametrize("backend", backend_params())
def test_many_outputs_compile_and_give_right_values(backend):
    x, outs = _graph(700)
    f = arignote.function([x], outs, backend=backend)
    v = np.linspace(-1, 1, 5)
    got = f(v)
    for k in (0, 350, 699):
        np.testing.assert_allclose(got[k], np.exp(v * (1.0 + k * 1e-3)), rtol=1e-12)


def test_llvm_cuts_a_long_run_of_native_steps_into_bounded_functions():
    from arignote.backends import lowering as lw
    from arignote.backends.llvm import backend as lb

    x, outs = _graph(700)
    fg = FunctionGraph([x], outs, clone=True)
    get_mode(None).optimize(fg)
    program = lw.lower(fg, lb.lowering_target(None, fg))
    items = lb.plan(program)
    assert len(items) > 1
    for it in items:
        assert sum(len(s.inputs) + len(s.outputs) for s in it) <= lb.SEGMENT_OPERANDS or len(it) == 1


def test_loops_differing_only_in_constants_share_kernels_in_a_big_graph():
    from arignote.backends import lowering as lw
    from arignote.backends.llvm import steps as ls

    x, outs = _graph(1500)  # above SHARE_KERNELS_AT elementwise nodes: constants become operands
    fg = FunctionGraph([x], outs, clone=True)
    get_mode(None).optimize(fg)
    loops = [s for s in lw.lower(fg, lw.Target("c")).steps if isinstance(s, lw.LoopStep)]
    assert len(loops) > 20 and not any(s.literals for s in loops)
    assert len({ls._loop_key(s) for s in loops}) <= 6  # the body repeats; only the partial groups differ
    x, small = _graph(40)  # a small graph keeps its constants inline
    fg = FunctionGraph([x], small, clone=True)
    get_mode(None).optimize(fg)
    assert all(s.literals for s in lw.lower(fg, lw.Target("c")).steps if isinstance(s, lw.LoopStep))


@pytest.mark.slow
@pytest.mark.parametrize("backend", backend_params(("c", "llvm")))
def test_twenty_thousand_outputs_compile_and_give_right_values(backend):
    # benchmarks/bench_many_outputs.py times this; here: it compiles, shares its kernels, and is right
    n = 20000
    x, outs = _graph(n)
    f = arignote.function([x], outs, backend=backend)
    v = np.linspace(-1, 1, 7)
    got = f(v)
    assert len(got) == n
    for k in (0, 1, 777, n // 2, n - 2, n - 1):
        np.testing.assert_allclose(got[k], np.exp(v * (1.0 + k * 1e-3)), rtol=1e-12)
    again = f(v * 0.5)  # a second call (arrays reused where nobody holds them) is right too
    np.testing.assert_allclose(again[n - 1], np.exp(v * 0.5 * (1.0 + (n - 1) * 1e-3)), rtol=1e-12)
    np.testing.assert_allclose(got[n - 1], np.exp(v * (1.0 + (n - 1) * 1e-3)), rtol=1e-12)  # not overwritten
