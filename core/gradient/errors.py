"""The exceptions differentiation raises (GradientError lives with verify_grad)."""


class NoGradError(TypeError):
    """An op (or scalar op) has no gradient for this input."""


class RopNotImplementedError(NoGradError, NotImplementedError):
    """An op on the path from ``wrt`` to ``f`` has no ``R_op``."""


class DisconnectedInputError(ValueError):
    """grad() was asked for the gradient of an input the cost does not depend on."""


class NullTypeGradError(TypeError):
    """A gradient is undefined (e.g. with respect to an index)."""
