"""``printing.Print``: an identity op printing its input's value when the function runs."""
from __future__ import annotations

from .graph import Apply, Op


def _print_fn(op, xin):
    for attr in op.attrs:
        value = getattr(xin, attr)
        if callable(value):
            value = value()
        print(op.message, attr, "=", value)


class Print(Op):
    """``Print('label')(x)`` is ``x``; running it prints ``label __str__ = <value of x>``.

    ``attrs`` names the attributes (or methods) of the value to print (``('shape',)``);
    ``global_fn(op, value)`` replaces the printing.  The gradient passes through.
    """

    __props__ = ("message", "attrs", "global_fn")
    view_map = {0: [0]}

    def __init__(self, message="", attrs=("__str__",), global_fn=_print_fn):
        self.message = str(message)
        self.attrs = tuple(attrs)
        self.global_fn = global_fn

    def make_node(self, xin):
        from .tensor.variable import as_tensor_variable

        if not hasattr(xin, "type"):
            xin = as_tensor_variable(xin)
        return Apply(self, [xin], [xin.type()])

    def perform(self, node, inputs, output_storage):
        (xin,) = inputs
        self.global_fn(self, xin)
        output_storage[0][0] = xin

    def grad(self, inputs, output_grads):
        return list(output_grads)

    def R_op(self, inputs, eval_points):
        return list(eval_points)

    def infer_shape(self, fgraph, node, input_shapes):
        return list(input_shapes)

    def __str__(self):
        return f"Print{{message={self.message}, attrs={self.attrs}}}" if self.message else "Print"
