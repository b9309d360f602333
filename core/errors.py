"""Every exception and warning class of arignote's core, in the lowest layer.

Any module may raise any of these without importing the module that usually
raises it (the graph raises ``NoGradError`` without importing the gradient
package, the FunctionGraph ``MissingInputError`` without importing
``function``).  The modules that raise them re-export their names, so
``arignote.function.MissingInputError`` and ``arignote.gradient.NoGradError``
keep working.
"""
from __future__ import annotations


# -- the graph -----------------------------------------------------------------
class InconsistencyError(Exception):
    """A replacement would break the graph (type change, cycle)."""


class ShapeError(Exception):
    """An op could not infer its shape symbolically."""


class MissingInputError(ValueError):
    """The outputs need a variable that is neither an input nor shared/constant."""


class UnusedInputError(ValueError):
    """An input does not take part in computing the outputs."""


# -- differentiation -------------------------------------------------------------
class NoGradError(TypeError):
    """An op (or scalar op) has no gradient for this input."""


class RopNotImplementedError(NoGradError, NotImplementedError):
    """An op on the path from ``wrt`` to ``f`` has no ``R_op``."""


class DisconnectedInputError(ValueError):
    """grad() was asked for the gradient of an input the cost does not depend on."""


class NullTypeGradError(TypeError):
    """A gradient is undefined (e.g. with respect to an index)."""


# -- checking modes ----------------------------------------------------------------
class DebugModeError(Exception):
    """A problem found by mode='check'."""


class BadThunkOutput(DebugModeError):
    """A node's result on the backend differs from the reference's."""


class BadDestroyMap(DebugModeError):
    """A node overwrote an input it did not declare in its destroy_map."""


class NanGuardError(AssertionError):
    """A node produced nan/inf (mode='nanguard'); an AssertionError, as in Theano."""


# -- configuration, plugins, caches, tools -------------------------------------------
class ConfigWarning(UserWarning):
    """Warning about an ``ARIGNOTE_FLAGS`` entry arignote could not use."""


class PluginError(RuntimeError):
    """The registered plugins contradict each other (e.g. two records with
    one name)."""


class PluginWarning(UserWarning):
    """A plugin could not be loaded or misbehaved and was skipped."""


class CacheError(RuntimeError):
    """The compile directory cannot be used safely."""


class CacheWarning(UserWarning):
    """A cache entry was damaged and is being rebuilt."""


class GraphvizNotFound(RuntimeError):
    """The Graphviz ``dot`` program is not installed."""


class NativeEntryUnavailable(RuntimeError):
    """A compiled function has no C-callable entry (its backend has none, or a node of its
    graph runs through a NumPy fallback); the message names the cause."""
