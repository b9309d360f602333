"""Theano's test values: with ``config.compute_test_value`` on, every op applied while a
graph is built also runs on the inputs' ``tag.test_value``s, so a shape or type error
shows where the graph is written, not when the compiled function first runs.

'off' (the default) does nothing; 'ignore' skips nodes whose inputs lack test values;
'warn' warns about them; 'raise' raises ValueError for them.  Constants and shared
variables have their values as test values.  A failing op raises its own error, with a
note naming the node.
"""
from __future__ import annotations

import warnings

from .config import config

MODES = ("off", "ignore", "warn", "raise", "pdb")


def _register():
    try:
        getattr(config, "compute_test_value")
    except AttributeError:
        config.register_flag("compute_test_value", "off", MODES,
                             "run each op on the inputs' tag.test_value while the graph is built "
                             "('off', 'ignore', 'warn', 'raise')")


_register()

_MISSING = object()


def test_value_of(v):
    """The test value of ``v`` (a constant's data, a shared variable's value), or _MISSING."""
    from .graph import Constant

    if isinstance(v, Constant):
        return v.data
    container = getattr(v, "container", None)
    if container is not None and getattr(v, "_is_shared", False):
        from .storage import to_host

        return to_host(container[0])  # a device value (core/storage.py) as NumPy
    tag = v._tag
    if tag is not None and hasattr(tag, "test_value"):
        return tag.test_value
    return _MISSING


def get_test_value(v):
    """Theano's ``theano.gof.op.get_test_value``: the test value of ``v`` (AttributeError if none)."""
    value = test_value_of(v)
    if value is _MISSING:
        raise AttributeError(f"{v} has no test value: set {v}.tag.test_value")
    return value


def compute(node):
    """Give the outputs of ``node`` test values (when the flag is on)."""
    mode = config.compute_test_value
    if mode == "off":
        return
    values = []
    for k, v in enumerate(node.inputs):
        value = test_value_of(v)
        if value is _MISSING:
            msg = (f"input {k} ({v}) of {node.op} has no test value while config.compute_test_value is "
                   f"{mode!r}: set {v}.tag.test_value, or set config.compute_test_value = 'off'")
            if mode in ("raise", "pdb"):
                raise ValueError(msg)
            if mode == "warn":
                warnings.warn(msg, stacklevel=4)
            return
        values.append(_filtered(v, value))
    storage = [[None] for _ in node.outputs]
    try:
        node.op.perform(node, values, storage)
    except Exception as exc:
        exc.add_note(f"(raised while computing the test value of {node}: config.compute_test_value is {mode!r})")
        raise
    for out, cell in zip(node.outputs, storage):
        out.tag.test_value = cell[0]


def _filtered(v, value):
    try:
        from .op_compat import named_filter

        return named_filter(v.type)(value, name=str(v))
    except TypeError as exc:
        raise TypeError(f"the test value of {v} does not fit its type {v.type}: {exc}") from exc
