"""Printing graphs as Theano prints them: ``pp``/``pprint`` (infix), ``debugprint``
(indented tree) and ``pydotprint`` (Graphviz).

The formats are Theano's: constants print as ``TensorConstant{2.0}``,
elementwise ops as ``Elemwise{add,no_inplace}``, operators are fully
parenthesized (``((x + y) * TensorConstant{2})``), ``debugprint`` lines read
``Elemwise{mul,no_inplace} [id A] ''``.  All walks are iterative, so graphs
of any depth print.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import numpy as np

from .graph import Apply, Constant, Variable, io_toposort
from .print_op import Print  # noqa: F401  (Theano's printing.Print)
from .errors import GraphvizNotFound  # noqa: F401
from .labels import _FUNCTION_NAMES, _OPERATORS, composite_formula, constant_label, node_summary, op_label, var_label  # noqa: F401

_MIDDLE_DOT = "\\dot"


# ---------------------------------------------------------------------- pp


def _tokens(v):
    """The pieces (strings, or variables still to expand) that print one variable."""
    node = v.owner
    if node is None:
        return [var_label(v)]
    op, ins = node.op, node.inputs
    sop = getattr(op, "scalar_op", None)
    if sop is not None and not hasattr(sop, "nodes"):
        symbol = getattr(op, "pp_symbol", None)  # an in-place op: Theano's ``(x += y)``, ``exp=(x)``
        if symbol is not None:
            return _inplace_tokens(symbol, ins)
        return _elemwise_tokens(sop.name, ins)
    from .tensor.elemwise import DimShuffle
    from .tensor.linalg import Dot

    if isinstance(op, DimShuffle):
        return _dimshuffle_tokens(op.new_order, ins[0])
    if isinstance(op, Dot):
        return ["(", ins[0], f" {_MIDDLE_DOT} ", ins[1], ")"]
    return _call_tokens(op_label(op), ins)


def _elemwise_tokens(name, ins):
    sym = _OPERATORS.get(name)
    if sym is not None and len(ins) >= 2:
        out = ["("]
        for i, x in enumerate(ins):
            if i:
                out.append(f" {sym} ")
            out.append(x)
        return out + [")"]
    if name == "neg":
        return ["(-", ins[0], ")"]
    if name == "abs":
        return ["|", ins[0], "|"]
    return _call_tokens(_FUNCTION_NAMES.get(name, name), ins)


def _inplace_tokens(symbol, ins):
    if symbol.endswith("=") and symbol[:-1] in _OPERATORS.values() and len(ins) == 2:
        return ["(", ins[0], f" {symbol} ", ins[1], ")"]
    return _call_tokens(symbol, ins)


def _dimshuffle_tokens(order, x):
    """Theano's DimShufflePrinter: leading new axes are not shown, a full reversal is ``.T``."""
    order = list(order)
    while order and order[0] == "x":
        order.pop(0)
    nd = x.type.ndim
    if order == list(range(nd)):
        return [x]
    if order == list(reversed(range(nd))):
        return [x, ".T"]
    return [f"DimShuffle{{{', '.join(map(str, order))}}}(", x, ")"]


def _call_tokens(name, ins):
    out = [f"{name}("]
    for i, x in enumerate(ins):
        if i:
            out.append(", ")
        out.append(x)
    return out + [")"]


def _pp_one(root):
    parts, stack = [], [root]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            parts.append(item)
        else:
            stack.extend(reversed(_tokens(item)))
    return "".join(parts)


def pp(*vars_):
    """Math-like string of an expression, as Theano's ``pprint``: ``pp(x + y) == '(x + y)'``.

    Several variables (or a list, or a compiled function's outputs) print one per line.
    """
    if len(vars_) == 1 and isinstance(vars_[0], (list, tuple)):
        vars_ = vars_[0]
    strs = []
    for root in vars_:
        if hasattr(root, "maker"):
            strs.extend(_pp_one(o) for o in root.maker.fgraph.outputs)
        elif isinstance(root, Variable):
            strs.append(_pp_one(root))
        else:
            raise TypeError(f"pp() prints symbolic variables or compiled functions, got {type(root).__name__}")
    return "\n".join(strs)


pprint = pp


# ---------------------------------------------------------------- debugprint


def debugprint(obj, depth=-1, print_type=False, file=None, ids="CHAR", stop_on_name=False, done=None):
    """Print a graph as an indented tree, in Theano's format::

        Elemwise{mul,no_inplace} [id A] ''
         |x [id B]
         |TensorConstant{2.0} [id C]

    ``obj`` is a variable, a list of them, an Apply node, a FunctionGraph or a
    compiled function (whose lines end with each node's position in the
    execution order).  A node met again prints its line but not its inputs.
    ``ids`` is 'CHAR', 'int', 'id' or '' (no identifiers).  ``file='str'``
    returns the text; ``file=None`` prints it to stdout; a file object gets
    the text and is returned.
    """
    roots, order = _debugprint_roots(obj)
    printer = _TreePrinter(print_type, ids, stop_on_name, depth, order, done)
    for root in roots:
        printer.tree(root)
    _print_inner_graphs(printer, roots, print_type, ids, stop_on_name, depth)
    text = "\n".join(printer.lines)
    if file == "str":
        return text
    out = sys.stdout if file is None else file
    print(text, file=out)
    if file is None:
        out.flush()
        return None
    return file


def _loop_nodes(roots):
    """Nodes whose op holds an inner graph (scan), in the order met, inner loops after outer ones."""
    from .graph import ancestors

    found, seen = [], set()
    queue = list(roots)
    while queue:
        v = queue.pop(0)
        for x in ancestors([v]):
            node = x.owner
            if node is not None and node not in seen and hasattr(node.op, "inner_outputs"):
                seen.add(node)
                found.append(node)
                queue.extend(node.op.inner_outputs)
    return found


def _print_inner_graphs(printer, roots, print_type, ids, stop_on_name, depth):
    """Theano's trailer: each loop's node, then its inner outputs' trees marked with '>'."""
    loops = _loop_nodes(roots)
    if not loops:
        return
    printer.lines += ["", "Inner graphs of the scan ops:"]
    for node in loops:
        printer.lines.append("")
        printer.lines.append(f"{op_label(node.op)} {printer.ident(node, node)} ''")
        sub = _TreePrinter(print_type, ids, stop_on_name, depth, None, printer.done)
        for o in node.op.inner_outputs:
            sub.tree(o)
        printer.lines += [" >" + line for line in sub.lines]


def _debugprint_roots(obj):
    from .fg import FunctionGraph

    if hasattr(obj, "maker"):
        fg = obj.maker.fgraph
        return list(fg.outputs), {n: i for i, n in enumerate(fg.toposort())}
    if isinstance(obj, FunctionGraph):
        return list(obj.outputs), {n: i for i, n in enumerate(obj.toposort())}
    if isinstance(obj, Apply):
        return list(obj.outputs), None
    if isinstance(obj, (list, tuple)):
        return list(obj), None
    if isinstance(obj, Variable):
        return [obj], None
    raise TypeError(f"debugprint cannot print an object of type {type(obj).__name__}")


def _shared_constant(v):
    """True for a constant Theano made once per value (a single integral value in [-10, 10]
    is cached by its ``constant()``), so that its copies print one id; other constants are
    told apart by identity, as Theano's are."""
    if not isinstance(v, Constant):
        return False
    data = getattr(v, "data", None)
    if not isinstance(data, (np.ndarray, np.generic, int, float)) or np.size(data) != 1:
        return False
    x = np.asarray(data).reshape(()).item()
    return isinstance(x, (int, float)) and -10 <= x <= 10 and float(x).is_integer()


class _TreePrinter:
    """Theano's debugprint walk, with an explicit stack instead of recursion."""

    def __init__(self, print_type, ids, stop_on_name, depth, order, done):
        if ids not in ("CHAR", "int", "id", ""):
            raise ValueError(f"debugprint: ids must be 'CHAR', 'int', 'id' or '', got {ids!r}")
        self.print_type, self.ids, self.stop_on_name = print_type, ids, stop_on_name
        self.depth, self.order = depth, order
        self.done = {} if done is None else done  # key -> id string, shared by all roots
        self.lines = []

    def ident(self, key, obj):
        if key not in self.done:
            n = len(self.done)
            if self.ids == "CHAR":
                self.done[key] = f"[id {_char_id(n)}]"
            elif self.ids == "int":
                self.done[key] = f"[id {n}]"
            elif self.ids == "id":
                self.done[key] = f"[id {id(obj)}]"
            else:
                self.done[key] = ""
        return self.done[key]

    def tree(self, root):
        # entries: (variable, line prefix, prefix for its children, depth left)
        stack = [(root, "", None, self.depth)]
        while stack:
            v, line_prefix, child_pfx, depth = stack.pop()
            if depth == 0:
                continue
            typ = f" <{v.type}>" if self.print_type else ""
            node = v.owner
            if node is None:
                label = var_label(v)
                key = ("const", v.signature(), label) if _shared_constant(v) else v
                self.lines.append(f"{line_prefix}{label} {self.ident(key, v)}{typ}".rstrip())
                continue
            seen = node in self.done
            idx = f".{node.outputs.index(v)}" if len(node.outputs) > 1 else ""
            pos = f"   {self.order[node]}" if self.order is not None and node in self.order else ""
            name = v.name or ""
            line = f"{line_prefix}{op_label(node.op)}{idx} {self.ident(node, node)}{typ} '{name}'{pos}"
            self.lines.append(line)
            if seen or (self.stop_on_name and v.name is not None):
                continue
            n = len(node.inputs)
            for k in range(n - 1, -1, -1):
                last = k == n - 1
                stack.append((node.inputs[k], _render(child_pfx) + " |", _Prefix(child_pfx, "  " if last else " |"),
                              depth - 1))


_MAX_INDENT = 64


class _Prefix:
    """The indentation of a subtree as a linked list of 2-character segments.

    Rendering keeps the first and last ``_MAX_INDENT // 2`` segments and counts
    the elided middle, so a 100,000-deep chain prints in linear space.
    """

    __slots__ = ("parent", "seg", "depth", "head")

    def __init__(self, parent, seg):
        self.parent, self.seg = parent, seg
        self.depth = 1 if parent is None else parent.depth + 1
        half = _MAX_INDENT // 2
        if parent is None:
            self.head = (seg,)
        elif parent.depth < half:
            self.head = parent.head + (seg,)
        else:
            self.head = parent.head


def _render(p):
    if p is None:
        return ""
    if p.depth <= _MAX_INDENT:
        segs = []
        while p is not None:
            segs.append(p.seg)
            p = p.parent
        return "".join(reversed(segs))
    half = _MAX_INDENT // 2
    tail, q = [], p
    for _ in range(half):
        tail.append(q.seg)
        q = q.parent
    return "".join(p.head) + f" ..{p.depth - _MAX_INDENT} levels.." + "".join(reversed(tail))


def _char_id(n):
    """Theano's identifiers: A, B, ..., Z, BA, BB, ... (base 26 with A as zero)."""
    if n == 0:
        return "A"
    s = ""
    while n:
        n, r = divmod(n, 26)
        s = chr(65 + r) + s
    return s


# ---------------------------------------------------------------- pydotprint


def _dot_escape(s):
    return str(s).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def to_dot(obj, var_with_name_simple=False, with_ids=False):
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
        if var_with_name_simple and v.name is not None:
            label = v.name
        else:
            label = f"{var_label(v) if (v.owner is None or v.name) else ''} {v.type}".strip()
        lines.append(f'  {nid(v)} [label="{_dot_escape(label)}" shape={shape}{color}];')

    for k, node in enumerate(nodes):
        label = op_label(node.op) + (f" id={k}" if with_ids else "")
        lines.append(f'  {nid(node)} [label="{_dot_escape(label)}" shape=box style=filled fillcolor="#ffaabb"];')
        for j, i in enumerate(node.inputs):
            var_node(i)
            lab = f' [label="{j}"]' if len(node.inputs) > 1 else ""
            lines.append(f"  {nid(i)} -> {nid(node)}{lab};")
        for o in node.outputs:
            var_node(o)
            lines.append(f"  {nid(node)} -> {nid(o)};")
    for o in outputs:
        var_node(o)
    lines.append("}")
    return "\n".join(lines)


def pydotprint(fct, outfile=None, compact=True, format=None, with_ids=False, high_contrast=True,
               cond_highlight=None, colorCodes=None, max_label_size=70, scan_graphs=False,
               var_with_name_simple=False, print_output_file=True, return_image=False):
    """Draw the graph of a function or variable(s) with Graphviz into ``outfile``.

    Theano's signature.  The format is ``format`` (appended to ``outfile`` when
    missing, as Theano does) or else the extension of ``outfile`` (png when
    none).  The ``.dot`` source is written beside the image.  Raises
    GraphvizNotFound naming the missing ``dot`` program when Graphviz is absent.
    ``compact``, ``high_contrast``, ``cond_highlight``, ``colorCodes``,
    ``max_label_size`` and ``scan_graphs`` are accepted for compatibility and
    do not change the drawing.
    """
    from .config import config

    if outfile is None:
        outfile = os.path.join(getattr(config, "compiledir", "."), f"arignote.pydotprint.cpu.{format or 'png'}")
    if format is not None and not outfile.endswith("." + format):
        outfile += "." + format
    fmt = format or os.path.splitext(outfile)[1].lstrip(".") or "png"
    src = to_dot(fct, var_with_name_simple=var_with_name_simple, with_ids=with_ids)
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
    proc = subprocess.run([exe, f"-T{fmt}", dot_path, "-o", outfile], capture_output=True)
    if proc.returncode != 0:
        raise RuntimeError(f"Graphviz 'dot' failed on {dot_path}: {proc.stderr.decode(errors='replace').strip()}")
    if return_image:
        with open(outfile, "rb") as fh:
            return fh.read()
    if print_output_file:
        print(f"The output file is available at {outfile}")
    return outfile
