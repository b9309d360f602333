"""Printing: pp (infix), debugprint (indented tree), pydotprint (Graphviz drawing + .dot source)."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

import arignote
from arignote import function, shared
from arignote import tensor as T
from arignote.printing import GraphvizNotFound, debugprint, pp, pydotprint, to_dot

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz's 'dot' program is not installed (CI installs graphviz)")


# ---------------------------------------------------------------------- pp

def test_pp_infix():
    x, y = T.dscalars("x", "y")
    m = T.dmatrix("m")
    assert pp(x + y) == "(x + y)"
    assert pp((x + y) * 2) == "((x + y) * 2.0)"
    assert pp(x - y - 1) == "((x - y) - 1.0)"
    assert pp(-x) == "(-x)"
    assert pp(x ** 2) == "(x ** 2.0)"
    assert pp(x / y) == "(x / y)" and pp(x // y) == "(x // y)" and pp(x % y) == "(x % y)"
    assert pp(x > y) == "(x > y)" and pp(x <= y) == "(x <= y)"
    assert pp(T.exp(x)) == "exp(x)"
    assert pp(1 / (1 + T.exp(-m))) == "(1.0 / (1.0 + exp((-m))))"
    assert pp(m.T) == "m.T"
    assert pp(T.switch(x > 0, x, y)) == "switch((x > 0.0), x, y)"
    assert pp(T.add(x, y, x)) == "(x + y + x)"


def test_pp_uses_names_of_intermediates():
    x, y = T.dscalars("x", "y")
    z = (x + y) * 2
    z.name = "z"
    assert pp(z * 3) == "(z * 3.0)"
    assert pp(z) == "((x + y) * 2.0)"  # the root itself is expanded


def test_pp_unnamed_inputs_and_functions():
    x = T.dvector()
    assert pp(x + 1) == "(<TensorType(float64, vector)> + 1.0)"
    a, b = T.dscalars("a", "b")
    f = function([a, b], a + b)
    assert "a" in pp(f) and "b" in pp(f)
    assert pp([a + b, a * b]) == "(a + b)\n(a * b)"


def test_pp_of_non_elemwise_ops():
    m = T.dmatrix("m")
    assert pp(m.sum(axis=0)) == "Sum{axis=[0]}(m)"
    assert pp(T.dot(m, m)) == "Dot(m, m)"
    assert pp(m.dimshuffle("x", 0, 1)) == "m.dimshuffle('x', 0, 1)"


# --------------------------------------------------------------- debugprint

def test_debugprint_tree():
    x, y = T.dscalars("x", "y")
    text = debugprint(x * y + 1, file="str")
    assert text.splitlines() == [
        "add [id A] <TensorType(float64, scalar)>",
        " |mul [id B] <TensorType(float64, scalar)>",
        " | |x [id C] <TensorType(float64, scalar)>",
        " | |y [id D] <TensorType(float64, scalar)>",
        " |1.0 [id E] <TensorType(float64, scalar)>",
    ]


def test_debugprint_shared_subgraph_printed_once():
    x = T.dvector("x")
    e = T.exp(x)
    e.name = "e"
    text = debugprint(e + e * 2, file="str")
    lines = text.splitlines()
    assert [ln for ln in lines if "exp 'e'" in ln] == [
        " |exp 'e' [id B] <TensorType(float64, vector)>",
        " | |exp 'e' [id B] <TensorType(float64, vector)> ...",  # the same node, not expanded again
    ]
    assert sum(ln.strip(" |").startswith("x [id") for ln in lines) == 1


def test_debugprint_options_and_stdout(capsys):
    x = T.dmatrix("x")
    out = debugprint(x.sum() * 2)
    assert out is not None
    printed = capsys.readouterr().out
    assert printed.startswith("mul [id A] <TensorType(float64, scalar)>") and "Sum{axis=[0, 1]}" in printed
    plain = debugprint(x.sum() * 2, file="str", print_type=False, ids="")
    assert plain.splitlines()[0] == "mul" and "<TensorType" not in plain
    shallow = debugprint(T.exp(T.exp(x)), file="str", depth=1)
    assert len(shallow.splitlines()) == 1


def test_debugprint_of_function_and_apply():
    x, y = T.dscalars("x", "y")
    f = function([x, y], T.exp(x) * y)
    text = debugprint(f, file="str")
    assert "x [id" in text and "y [id" in text
    z = x + y
    assert debugprint(z.owner, file="str") == debugprint(z, file="str")


# --------------------------------------------------------------- pydotprint

def test_to_dot_source():
    x, y = T.dscalars("x", "y")
    f = function([x, y], x + y)
    src = to_dot(f)
    assert src.startswith("digraph G {") and src.rstrip().endswith("}")
    assert "add" in src and 'label="x TensorType(float64, scalar)"' in src
    assert src.count("->") == 3  # x -> add, y -> add, add -> out


@needs_dot
@pytest.mark.parametrize("ext,magic", [("png", b"\x89PNG\r\n\x1a\n"), ("svg", b"<"), ("pdf", b"%PDF")])
def test_pydotprint_formats(tmp_path, ext, magic, capsys):
    x = T.dmatrix("x")
    f = function([x], 1 / (1 + T.exp(-x)))
    out = tmp_path / f"logistic.{ext}"
    assert pydotprint(f, str(out)) == str(out)
    data = out.read_bytes()
    assert data.startswith(magic) and len(data) > 100
    dot_src = (tmp_path / "logistic.dot").read_text()
    assert dot_src.startswith("digraph G {")
    assert str(out) in capsys.readouterr().out
    if ext == "svg":
        assert "<svg" in data.decode()


@needs_dot
def test_pydotprint_of_a_variable(tmp_path):
    x, y = T.dvectors("x", "y")
    out = tmp_path / "sub" / "g.svg"
    pydotprint(T.dot(x, y) + x.sum(), str(out))
    assert "<svg" in out.read_text()


def test_pydotprint_dot_only_needs_no_graphviz(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    x = T.dscalar("x")
    out = tmp_path / "g.dot"
    pydotprint(x * 2, str(out))
    assert out.read_text().startswith("digraph G {")


def test_pydotprint_without_graphviz_names_dot_and_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no 'dot' on PATH
    assert shutil.which("dot") is None
    x = T.dscalar("x")
    with pytest.raises(GraphvizNotFound) as ei:
        pydotprint(x * 2, str(tmp_path / "g.png"))
    msg = str(ei.value)
    assert "'dot'" in msg and "apt-get install graphviz" in msg
    assert str(tmp_path / "g.dot") in msg
    assert (tmp_path / "g.dot").exists()  # the source is still written
    assert isinstance(ei.value, RuntimeError)


def test_printing_module_is_reachable():
    assert arignote.printing.pp is pp and arignote.pp is pp and arignote.printing.pydotprint is pydotprint


def test_node_summary_in_errors_prints_values_shapes():
    s = shared(np.ones((2, 3)), name="s")
    x = T.dmatrix("x")
    f = function([x], s + x)
    with pytest.raises(ValueError, match=r"(?s)input 0: s of type TensorType\(float64, matrix\), value shape \(2, 3\)"):
        f(np.ones((5, 7)))
