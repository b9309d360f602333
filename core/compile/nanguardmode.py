"""Theano's ``theano.compile.nanguardmode``."""
from ..debugmode import NanGuardError, NanGuardMode  # noqa: F401
