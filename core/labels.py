"""Labels of variables, constants, ops and nodes, as Theano spells them.

They live below the tensor package because its variables and ops print with
them (``TensorConstant{2.0}``, ``Elemwise{Composite{...}}``) and error
messages describe nodes with them; ``arignote.printing`` builds on them.
"""
from __future__ import annotations

import numpy as np

from .graph import Constant

# Theano's pprint operators (every operator expression is parenthesized)
_OPERATORS = {"add": "+", "sub": "-", "mul": "*", "true_div": "/", "int_div": "//", "mod": "%", "pow": "**"}
# scalar-op names that Theano's pprint spells differently
_FUNCTION_NAMES = {"second": "fill", "reciprocal": "inv"}


def constant_label(c):
    """Theano's ``str`` of a tensor constant: ``TensorConstant{2.0}``,
    ``TensorConstant{(3,) of 1.0}`` for a constant array, long values shortened.

    A constant made from a Python number records that number as ``tag.literal``
    (the literal prints as written: ``x ** 2`` shows ``TensorConstant{2}``).
    """
    if c.name is not None:
        return c.name
    if not hasattr(c.type, "dtype"):
        return str(c)
    literal = getattr(c.tag, "literal", None)
    data = np.asarray(c.data)
    if literal is not None and data.ndim == 0:
        text = str(literal)
    elif data.ndim > 0 and data.size and bool(np.all(data == data.flat[0])):
        text = f"{data.shape} of {data.flat[0]}"
    else:
        text = str(data)
    if len(text) > 20:
        text = text[:10] + ".." + text[-10:]
    return f"TensorConstant{{{text}}}"


def var_label(v):
    """A leaf as Theano prints it: its name, its constant value, or ``<type>``."""
    if isinstance(v, Constant):
        return constant_label(v)
    if v.name is not None:
        return v.name
    return f"<{v.type}>"


def op_label(op):
    """An op as Theano prints it: its ``str`` (an Elemwise's is Theano's name,
    ``Elemwise{mul,no_inplace}``, ``Elemwise{Composite{...}}``)."""
    return str(op)


def composite_formula(comp):
    """The scalar formula of a fused Composite over its inputs ``i0, i1, ...``."""
    texts = []
    for sop, refs, _dt in comp.nodes:
        args = [f"i{j}" if kind == "i" else texts[j] for kind, j in refs]
        sym = _OPERATORS.get(sop.name)
        if sym is not None and len(args) >= 2:
            texts.append("(" + f" {sym} ".join(args) + ")")
        elif sop.name == "neg":
            texts.append(f"(-{args[0]})")
        else:
            texts.append(f"{sop.name}({', '.join(args)})")
    return ", ".join(texts[j] for j in comp.outputs)



def node_summary(node, values=None):
    """A description of a node for error messages: op, inputs' types, shapes, dtypes, origin."""
    lines = [f"Apply node that caused the error: {node.op}({', '.join(var_label(i) for i in node.inputs)})"]
    for k, inp in enumerate(node.inputs):
        desc = f"  input {k}: {var_label(inp)} of type {inp.type}"
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
