"""PyMC3's exception and warning classes (``pymc3.exceptions``)."""
from __future__ import annotations

from arignote.plugins.samplers.base import SamplingError

__all__ = ["SamplingError", "IncorrectArgumentsError", "TraceDirectoryError", "ImputationWarning",
           "ShapeWarning", "ShapeError", "DtypeError"]


class IncorrectArgumentsError(ValueError):
    """Arguments that contradict each other (e.g. two parametrisations at once)."""


class TraceDirectoryError(ValueError):
    """A folder that does not hold a trace written by ``save_trace``."""


class ImputationWarning(UserWarning):
    """Observed data with missing values: they become a free variable ``<name>_missing``."""


class ShapeWarning(UserWarning):
    """Something about shapes that is probably a mistake."""


def _detail(message, actual, expected, what):
    if actual is not None and expected is not None:
        return f"{message} (actual {what}{actual} != expected {what}{expected})"
    if actual is not None:
        return f"{message} (actual {what}{actual})"
    if expected is not None:
        return f"{message} (expected {what}{expected})"
    return message


class ShapeError(Exception):
    """Shapes that do not fit; ``actual``/``expected`` are appended to the message when given."""

    def __init__(self, message, actual=None, expected=None):
        self.actual, self.expected = actual, expected
        super().__init__(_detail(message, actual, expected, ""))


class DtypeError(TypeError):
    """A value of the wrong dtype; ``actual``/``expected`` are appended to the message when given."""

    def __init__(self, message, actual=None, expected=None):
        self.actual, self.expected = actual, expected
        super().__init__(_detail(message, actual, expected, "dtype "))
