"""Theano's ``theano.gof.utils``."""
from ..graph import Tag as scratchpad  # noqa: F401
from ..errors import ShapeError  # noqa: F401


class MethodNotDefined(NotImplementedError):
    """An Op or Type method (e.g. ``c_code``) that a class does not define."""
