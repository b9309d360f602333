"""Printing graphs: ``pp`` (infix), ``debugprint`` (indented tree), ``pydotprint`` (Graphviz).

All walks are iterative, so graphs of any depth print.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import numpy as np

from .graph import Apply, Constant, Variable, io_toposort

# ------------------------------------------------------------------------ pp

_INFIX = {"add": ("+", 1), "sub": ("-", 1), "mul": ("*", 2), "true_div": ("/", 2), "int_div": ("//", 2),
          "mod": ("%", 2), "pow": ("**", 3), "lt": ("<", 0), "gt": (">", 0), "le": ("<=", 0), "ge": (">=", 0),
          "eq": ("==", 0), "neq": ("!=", 0), "and_": ("&", 0), "or_": ("|", 0), "xor": ("^", 0)}


def _var_label(v):
    if isinstance(v, Constant):
        return str(v)
    if v.name is not None:
        return v.name
    return f"<{v.type}>"


def _tokens(v):
    """Tokens (strings or variables to expand) for one variable."""
    node = v.owner
    if node is None:
        return [_var_label(v)]
    op = node.op
    ins = node.inputs
    sop = getattr(op, "scalar_op", None)
    if sop is not None and sop.name in _INFIX and len(ins) >= 2:
        sym = _INFIX[sop.name][0]
        out = ["("]
        for i, x in enumerate(ins):
            if i:
                out.append(f" {sym} ")
            out.append(x)
        out.append(")")
        return out
    if sop is not None and sop.name == "neg":
        return ["(-", ins[0], ")"]
    from .tensor.elemwise import DimShuffle

    if isinstance(op, DimShuffle):
        nd = len(op.input_broadcastable)
        k = len(op.new_order) - nd
        if k > 0 and isinstance(ins[0], Constant) and op.new_order == ("x",) * k + tuple(range(nd)):
            return [ins[0]]  # a constant padded for broadcasting: print just the constant
        if op.new_order == tuple(reversed(range(len(op.input_broadcastable)))) and len(op.new_order) == 2:
            return [ins[0], ".T"]
        return [ins[0], ".dimshuffle(" + ", ".join(repr(o) if o == "x" else str(o) for o in op.new_order) + ")"]
    name = getattr(op, "name", None) or str(op)
    if sop is not None:
        name = sop.name if not hasattr(op, "name") else op.name
    out = [f"{name}("]
    for i, x in enumerate(ins):
        if i:
            out.append(", ")
        out.append(x)
    out.append(")")
    if len(node.outputs) > 1:
        out.append(f"[{v.index}]")
    return out


def pp(*vars_):
    """Infix string of an expression: ``pp(x + y) == '(x + y)'``."""
    if len(vars_) == 1 and isinstance(vars_[0], (list, tuple)):
        vars_ = vars_[0]
    strs = []
    for root in vars_:
        if hasattr(root, "maker"):
            return "\n".join(pp(o) for o in root.maker.fgraph.outputs)
        parts = []
        stack = [root]
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                parts.append(item)
                continue
            if item is not root and item.name is not None and item.owner is not None:
                parts.append(item.name)
                continue
            stack.extend(reversed(_tokens(item)))
        strs.append("".join(parts))
    return strs[0] if len(strs) == 1 else "\n".join(strs)


# -------------------------------------------------------------- node summary


def node_summary(node, values=None):
    """A description of a node for error messages: op, inputs' types, shapes, dtypes, origin."""
    lines = [f"Apply node that caused the error: {node.op}({', '.join(_var_label(i) for i in node.inputs)})"]
    for k, inp in enumerate(node.inputs):
        desc = f"  input {k}: {_var_label(inp)} of type {inp.type}"
        if values is not None and k < len(values):
            v = values[k]
            if isinstance(v, np.ndarray):
                desc += f", value shape {v.shape}, dtype {v.dtype}"
        lines.append(desc)
    tr = getattr(node.tag, "trace", None)
    if tr:
        lines.append(f"The node was created at {tr[0]}:{tr[1]}")
    else:
        lines.append("(the node was made by a rewrite or the gradient; no user location recorded)")
    return "\n".join(lines)


# ---------------------------------------------------------------- debugprint


def debugprint(obj, file=None, print_type=True, ids="CHAR", depth=-1, done=None, stop_on_name=False):
    """Print (or, with ``file='str'``, return) an indented tree of the graph.

    ``obj`` is a variable, a list of them, an Apply node or a compiled function.
    """
    if hasattr(obj, "maker"):
        roots = list(obj.maker.fgraph.outputs)
        order = obj.maker.fgraph.toposort()
    else:
        if isinstance(obj, Apply):
            roots = list(obj.outputs)
        elif isinstance(obj, (list, tuple)):
            roots = list(obj)
        else:
            roots = [obj]
        order = None
    names, lines, shown = {}, [], set()

    def ident(v):
        if ids == "":
            return ""
        if v not in names:
            names[v] = _char_id(len(names)) if ids == "CHAR" else str(id(v))
        return f" [id {names[v]}]"

    for root in roots:
        stack = [(root, 0)]
        while stack:
            v, d = stack.pop()
            pre = _indent(d)
            typ = f" <{v.type}>" if print_type else ""
            node = v.owner
            if node is None:
                lines.append(f"{pre}{_var_label(v)}{ident(v)}{typ}")
                continue
            label = str(node.op) + (f".{v.index}" if len(node.outputs) > 1 else "")
            nm = f" '{v.name}'" if v.name else ""
            if v in shown:
                lines.append(f"{pre}{label}{nm}{ident(v)}{typ} ...")
                continue
            shown.add(v)
            lines.append(f"{pre}{label}{nm}{ident(v)}{typ}")
            if depth != -1 and d + 1 >= depth:
                continue
            for inp in reversed(node.inputs):
                stack.append((inp, d + 1))
    text = "\n".join(lines)
    if file == "str":
        return text
    print(text, file=file or sys.stdout)
    return obj


_MAX_INDENT = 64


def _indent(d):
    """Tree indentation for depth d; past _MAX_INDENT levels the middle is elided (with the count),
    so a 100,000-deep chain prints in linear space."""
    if d <= _MAX_INDENT:
        return " |" * d
    half = _MAX_INDENT // 2
    return " |" * half + f" ..{d - _MAX_INDENT} levels.." + " |" * half


def _char_id(n):
    s = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


# ---------------------------------------------------------------- pydotprint


class GraphvizNotFound(RuntimeError):
    """The Graphviz ``dot`` program is not installed."""


def _dot_escape(s):
    return str(s).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def to_dot(obj):
    """The Graphviz source of a graph (variables as boxes/ellipses, ops as rectangles)."""
    if hasattr(obj, "maker"):
        fg = obj.maker.fgraph
        inputs, outputs = fg.inputs, fg.outputs
    else:
        outputs = list(obj) if isinstance(obj, (list, tuple)) else [obj]
        inputs = []
    nodes = io_toposort(inputs, outputs)
    ids = {}

    def nid(x):
        if x not in ids:
            ids[x] = f"n{len(ids)}"
        return ids[x]

    lines = ["digraph G {", '  rankdir=TB; node [fontname="Helvetica"];']
    seen_vars = set()

    def var_node(v):
        if v in seen_vars:
            return
        seen_vars.add(v)
        shape = "box" if isinstance(v, Constant) else "ellipse"
        color = ' style=filled fillcolor="limegreen"' if v.owner is None and not isinstance(v, Constant) else ""
        if v in outputs:
            color = ' style=filled fillcolor="dodgerblue"'
        label = f"{_var_label(v) if (v.owner is None or v.name) else ''} {v.type}".strip()
        lines.append(f'  {nid(v)} [label="{_dot_escape(label)}" shape={shape}{color}];')

    for node in nodes:
        lines.append(f'  {nid(node)} [label="{_dot_escape(node.op)}" shape=box style=filled fillcolor="#ffaabb"];')
        for k, i in enumerate(node.inputs):
            var_node(i)
            lab = f' [label="{k}"]' if len(node.inputs) > 1 else ""
            lines.append(f"  {nid(i)} -> {nid(node)}{lab};")
        for o in node.outputs:
            var_node(o)
            lines.append(f"  {nid(node)} -> {nid(o)};")
    for o in outputs:
        var_node(o)
    lines.append("}")
    return "\n".join(lines)


def pydotprint(fct, outfile=None, format=None, **kwargs):
    """Draw the graph of a function or variable with Graphviz into ``outfile``.

    The format comes from the extension (png, svg, pdf, ...); the ``.dot``
    source is written beside it.  Raises GraphvizNotFound naming the missing
    ``dot`` program when Graphviz is absent.
    """
    from .config import config

    if outfile is None:
        outfile = os.path.join(getattr(config, "compiledir", "."), "arignote_graph.png")
    fmt = format or os.path.splitext(outfile)[1].lstrip(".") or "png"
    src = to_dot(fct)
    d = os.path.dirname(os.path.abspath(outfile))
    os.makedirs(d, exist_ok=True)
    dot_path = os.path.splitext(outfile)[0] + ".dot"
    with open(dot_path, "w") as fh:
        fh.write(src)
    if fmt == "dot":
        return outfile
    exe = shutil.which("dot")
    if exe is None:
        raise GraphvizNotFound(
            "pydotprint needs the Graphviz program 'dot', which was not found on PATH. Install Graphviz "
            "(Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz; conda: conda install graphviz). "
            f"The graph source was written to {dot_path}."
        )
    proc = subprocess.run([exe, f"-T{fmt}", dot_path, "-o", outfile], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"Graphviz 'dot' failed on {dot_path}: {proc.stderr.strip()}")
    print(f"The output file is available at {outfile}")
    return outfile
