"""A chain of 100,000 elementwise ops builds, walks, prints, compiles and runs without RecursionError.

Every traversal in arignote is iterative; these tests would hit Python's recursion
limit (1000) at once if one were not.
"""
from __future__ import annotations

import sys

import numpy as np
import pytest

from arignote import function, graph
from arignote import tensor as T
from arignote.fg import FunctionGraph
from arignote.mode import Mode
from arignote.printing import debugprint, pp, to_dot

N = 100_000


def reference(x0, n=N):
    v = x0
    for i in range(n):
        v = v + 1.0 if i % 2 == 0 else v * 0.5
    return v


# 300,000 linked objects stay alive: cyclic collections would only walk them again and again
pytestmark = pytest.mark.usefixtures("no_cyclic_gc")


@pytest.fixture(scope="module")
def chain():
    assert sys.getrecursionlimit() < 20_000  # a recursive walk could not survive this depth
    x = T.dscalar("x")
    y = x
    for i in range(N):
        y = y + 1.0 if i % 2 == 0 else y * 0.5
    return x, y


def test_walks(chain):
    x, y = chain
    nodes = graph.io_toposort([x], [y])
    assert len(nodes) == N and nodes[0].inputs[0] is x and nodes[-1].outputs[0] is y
    assert len(graph.ancestors([y])) == 2 * N + 1  # N outputs, N constants, x
    assert graph.graph_inputs([y])[0] is x
    ins, outs, memo = graph.clone_graph([x], [y])
    assert outs[0] is not y and len(graph.io_toposort(ins, outs)) == N


def test_function_graph(chain):
    x, y = chain
    fg = FunctionGraph([x, T.dscalar("x2")], [y], clone=True)
    order = fg.toposort()
    assert len(order) == N
    assert fg.clients(order[0].outputs[0]) == [(order[1], 0)]
    # replace the bottom of the chain: the whole chain stays connected
    fg.replace(fg.inputs[0], fg.inputs[1], reason="test")
    order = fg.toposort()
    assert len(order) == N and order[0].inputs[0] is fg.inputs[1]
    assert fg.clients(fg.inputs[0]) == []


def test_pp(chain):
    x, y = chain
    s = pp(y)
    assert s.count("+ TensorConstant{1.0}") == N // 2 and s.count("* TensorConstant{0.5}") == N // 2
    assert s.startswith("(" * N + "x + TensorConstant{1.0})") and s.endswith(" * TensorConstant{0.5})")


def test_debugprint(chain):
    x, y = chain
    text = debugprint(y, file="str")
    lines = text.splitlines()
    assert len(lines) == 2 * N + 1
    assert lines[0] == "Elemwise{mul,no_inplace} [id A] ''"
    (xline,) = [ln for ln in lines if "|x [id " in ln]
    assert f" ..{N - 65} levels.. " in xline  # x sits N levels deep; the middle of the indent is elided
    assert max(len(ln) for ln in lines) < 300  # deep indentation is elided: linear size


def test_to_dot(chain):
    x, y = chain
    src = to_dot(y)
    assert src.count("->") == 3 * N


def test_compile_and_run_without_rewrites(chain):
    x, y = chain
    f = function([x], y, mode=Mode(optimizer=None), backend="py")
    assert len(f.maker.fgraph.toposort()) == N
    assert f(3.0) == reference(3.0)
    assert f(-7.5) == reference(-7.5)


@pytest.mark.slow
def test_compile_and_run_default_mode(chain, backend):
    x, y = chain
    f = function([x], y, backend=backend)
    np.testing.assert_allclose(f(3.0), reference(3.0), rtol=1e-12)
