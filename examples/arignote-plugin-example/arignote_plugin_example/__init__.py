"""arignote-plugin-example: the swish op, a rewrite rule and a counting backend,
added to arignote through the entry-point group ``arignote`` (see plugin.py)."""
from .ops import swish, swish_numpy, swish_op

__all__ = ["swish", "swish_numpy", "swish_op"]
