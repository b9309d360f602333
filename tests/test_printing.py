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
# Theano's pprint: operators fully parenthesized, other elementwise ops as functions,
# constants as TensorConstant{...}


def test_pp_infix():
    x, y = T.dscalars("x", "y")
    m = T.dmatrix("m")
    assert pp(x + y) == "(x + y)"
    assert pp((x + y) * 2) == "((x + y) * TensorConstant{2})"  # Python numbers print as written
    assert pp(x - y - 1.0) == "((x - y) - TensorConstant{1.0})"
    assert pp(-x) == "(-x)"
    assert pp(x ** 2) == "(x ** TensorConstant{2})"
    assert pp(x / y) == "(x / y)" and pp(x // y) == "(x // y)" and pp(x % y) == "(x % y)"
    assert pp(x > y) == "gt(x, y)" and pp(x <= y) == "le(x, y)"
    assert pp(T.exp(x)) == "exp(x)" and pp(abs(x)) == "|x|"
    assert pp(1 / (1 + T.exp(-m))) == "(TensorConstant{1} / (TensorConstant{1} + exp((-m))))"
    assert pp(m.T) == "m.T"
    assert pp(T.switch(x > 0, x, y)) == "switch(gt(x, TensorConstant{0}), x, y)"
    assert pp(T.add(x, y, x)) == "(x + y + x)"
    assert pp(T.ones_like(x)) .startswith("fill(x, ")


def test_pp_constants():
    x = T.dvector("x")
    assert pp(x * np.array([1.0, 1.0, 1.0])) == "(x * TensorConstant{(3,) of 1.0})"
    assert pp(x * np.array([1.0, 2.0])) == "(x * TensorConstant{[1. 2.]})"
    assert pp(x * np.arange(10.0)) == "(x * TensorConstant{[0. 1. 2. .. 7. 8. 9.]})"  # shortened past 20 chars
    c = T.constant(np.arange(3.0), name="c")
    assert pp(x * c) == "(x * c)"


def test_pp_expands_named_intermediates():
    x, y = T.dscalars("x", "y")
    z = (x + y) * 2
    z.name = "z"
    assert pp(z * 3) == "(((x + y) * TensorConstant{2}) * TensorConstant{3})"  # as Theano's pprint
    assert pp(z) == "((x + y) * TensorConstant{2})"


def test_pp_unnamed_inputs_and_functions():
    x = T.dvector()
    assert pp(x + 1) == "(<TensorType(float64, vector)> + TensorConstant{1})"
    a, b = T.dscalars("a", "b")
    f = function([a, b], a + b)
    assert "a" in pp(f) and "b" in pp(f)
    assert pp([a + b, a * b]) == "(a + b)\n(a * b)"
    with pytest.raises(TypeError, match="pp"):
        pp(3)


def test_pp_of_non_elemwise_ops():
    m = T.dmatrix("m")
    assert pp(m.sum(axis=0)) == "Sum{axis=[0], acc_dtype=float64}(m)"
    assert pp(T.dot(m, m)) == "(m \\dot m)"
    assert pp(m.dimshuffle("x", 0, 1)) == "m"  # leading new axes are not shown
    assert pp(m.dimshuffle(0, "x", 1)) == "DimShuffle{0, x, 1}(m)"
    assert arignote.printing.pprint is pp


# --------------------------------------------------------------- debugprint

def test_debugprint_tree():
    x, y = T.dscalars("x", "y")
    text = debugprint(x * y + 1, file="str")
    assert text.splitlines() == [
        "Elemwise{add,no_inplace} [id A] ''",
        " |Elemwise{mul,no_inplace} [id B] ''",
        " | |x [id C]",
        " | |y [id D]",
        " |TensorConstant{1} [id E]",
    ]


def test_debugprint_last_child_indents_with_spaces():
    x = T.dvector("x")
    lines = debugprint(T.exp(T.log(x)) * 2.0, file="str").splitlines()
    assert lines == [
        "Elemwise{mul,no_inplace} [id A] ''",
        " |Elemwise{exp,no_inplace} [id B] ''",
        " | |Elemwise{log,no_inplace} [id C] ''",
        " |   |x [id D]",
        " |InplaceDimShuffle{x} [id E] ''",
        "   |TensorConstant{2.0} [id F]",
    ]


def test_debugprint_shared_subgraph_printed_once():
    x = T.dvector("x")
    e = T.exp(x)
    e.name = "e"
    lines = debugprint(e + e * 2, file="str").splitlines()
    assert [ln for ln in lines if "exp" in ln] == [
        " |Elemwise{exp,no_inplace} [id B] 'e'",
        "   |Elemwise{exp,no_inplace} [id B] 'e'",  # the same node again: its inputs are not repeated
    ]
    assert sum(ln.strip(" |").startswith("x [id") for ln in lines) == 1
    assert debugprint(e * 2, file="str", stop_on_name=True).splitlines()[1] == " |Elemwise{exp,no_inplace} [id B] 'e'"
    assert len(debugprint(e * 2, file="str", stop_on_name=True).splitlines()) == 4


def test_debugprint_options_and_stdout(capsys):
    x = T.dmatrix("x")
    assert debugprint(x.sum() * 2) is None
    printed = capsys.readouterr().out
    assert printed.startswith("Elemwise{mul,no_inplace} [id A] ''") and "Sum{acc_dtype=float64}" in printed
    typed = debugprint(x.sum() * 2, file="str", print_type=True)
    assert typed.splitlines()[0] == "Elemwise{mul,no_inplace} [id A] <TensorType(float64, scalar)> ''"
    plain = debugprint(x.sum() * 2, file="str", ids="")
    assert plain.splitlines()[0] == "Elemwise{mul,no_inplace}  ''" and "[id" not in plain
    shallow = debugprint(T.exp(T.exp(x)), file="str", depth=1)
    assert len(shallow.splitlines()) == 1
    with pytest.raises(ValueError, match="ids"):
        debugprint(x, ids="letters")
    with pytest.raises(TypeError, match="debugprint"):
        debugprint(3)


def test_debugprint_ids_after_z():
    x = T.dscalar("x")
    y = x
    for _ in range(30):
        y = T.exp(y)
    lines = debugprint(y, file="str").splitlines()
    assert lines[25].endswith("[id Z] ''") and lines[26].endswith("[id BA] ''")  # Theano's base-26 letters


def test_debugprint_of_function_and_apply():
    x, y = T.dscalars("x", "y")
    f = function([x, y], T.exp(x) * y)
    text = debugprint(f, file="str")
    assert "x [id" in text and "y [id" in text
    n = len(f.maker.fgraph.toposort())
    assert text.splitlines()[0].endswith(f"''   {n - 1}")
    assert debugprint(f.maker.fgraph, file="str") == text
    z = x + y
    assert debugprint(z.owner, file="str") == debugprint(z, file="str")


def test_debugprint_composite_label():
    from arignote.printing import op_label
    from arignote.scalar import Composite, get_scalar_op
    from arignote.tensor.elemwise import Elemwise

    comp = Composite(["float64", "float64"], [(get_scalar_op("exp"), [("i", 0)], "float64"),
                                              (get_scalar_op("add"), [("n", 0), ("i", 1)], "float64")], [1])
    assert op_label(Elemwise(comp)) == "Elemwise{Composite{(exp(i0) + i1)}}"


# --------------------------------------------------------------- pydotprint

def test_to_dot_source():
    x, y = T.dscalars("x", "y")
    f = function([x, y], x + y)
    src = to_dot(f)
    assert src.startswith("digraph G {") and src.rstrip().endswith("}")
    assert "Elemwise{add,no_inplace}" in src and 'label="x TensorType(float64, scalar)"' in src
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


def test_sum_prints_its_accumulator_as_theano():
    """Theano's Sum{axis=[..], acc_dtype=..}: no axis list for axis=None; float32 accumulates in float64."""
    m, f32, i8 = T.dmatrix("m"), T.fmatrix("f"), T.bmatrix("b")
    assert str(m.sum().owner.op) == "Sum{acc_dtype=float64}"
    assert str(m.sum(axis=[0, 1]).owner.op) == "Sum{axis=[0, 1], acc_dtype=float64}"
    assert str(f32.sum(axis=1).owner.op) == "Sum{axis=[1], acc_dtype=float64}"
    assert str(i8.prod().owner.op) == "Prod{acc_dtype=int64}"
    assert str(f32.sum(acc_dtype="float32").owner.op) == "Sum{acc_dtype=float32}"
    assert m.sum().owner.op == m.sum(axis=[0, 1]).owner.op  # one computation: they merge
    assert str(m.max(axis=0).owner.op) == "Max{axis=[0]}"


def test_gradient_graphs_print_as_theano():
    """A scalar op's gradient formula prints Theano's unnamed Elemwise{mul}, fresh 0-d constants
    behind DimShuffle{}, and constants told apart unless Theano cached them (small integers)."""
    x = T.dscalar("x")
    gy = T.grad(x ** 2, x)
    assert debugprint(gy, file="str").splitlines() == [
        "Elemwise{mul} [id A] ''", " |Elemwise{mul} [id B] ''", " | |Elemwise{second,no_inplace} [id C] ''",
        " | | |Elemwise{pow,no_inplace} [id D] ''", " | | | |x [id E]", " | | | |TensorConstant{2} [id F]",
        " | | |TensorConstant{1.0} [id G]", " | |TensorConstant{2} [id F]", " |Elemwise{pow} [id H] ''",
        "   |x [id E]", "   |Elemwise{sub} [id I] ''", "     |TensorConstant{2} [id F]",
        "     |InplaceDimShuffle{} [id J] ''", "       |TensorConstant{1} [id K]"]
    assert gy.owner.op == T.mul(x, x).owner.op  # an equal op: only the name differs
    assert np.isclose(function([x], gy)(3.0), 6.0)
    big = T.constant(np.arange(3.0))
    printed = debugprint(x + big + T.constant(np.arange(3.0)), file="str")
    assert "[id C]" in printed and "[id D]" in printed  # equal arrays, two constants
