"""Theano's ``theano.compile.mode``."""
from ..mode import Mode, get_mode  # noqa: F401

FAST_RUN = Mode(optimizer="fast_run")
FAST_COMPILE = Mode(optimizer="fast_compile")
