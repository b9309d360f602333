"""Function inputs and outputs as Theano documents them (``theano.compile.io``).

``In`` carries an input's options (stored ``value``, ``update`` expression, keyword
``name``), ``Out`` an output's ``borrow`` flag.  ``StoredInputs`` gives a compiled
function Theano's access to the values stored for its inputs: ``f[x]``, ``f['name']``,
``f[x] = v``, ``f.value[x]`` and ``f.container[x].value``.
"""
from __future__ import annotations

from .graph import Variable
from .op_compat import named_filter  # noqa: F401  (a user Type's filter without name=)


class In:
    """An input with options: a stored ``value`` used when the caller gives none, an
    ``update`` expression replacing the stored value after each call, a keyword ``name``."""

    def __init__(self, variable, name=None, value=None, update=None, mutable=False, strict=False,
                 allow_downcast=None, autoname=True, implicit=False, borrow=None, shared=False):
        if not isinstance(variable, Variable):
            raise TypeError(f"In() takes a symbolic variable, got {type(variable).__name__}")
        self.variable = variable
        self.name = name if name is not None or not autoname else variable.name
        self.value = value
        self.has_default = value is not None
        if update is not None and not isinstance(update, Variable):
            from .tensor.variable import as_tensor_variable

            update = as_tensor_variable(update)
        if update is not None and not self.has_default:
            raise ValueError(f"In({variable}, update=...) needs a starting value: pass value=")
        self.update = update
        self.mutable = mutable
        self.strict = strict
        self.allow_downcast = allow_downcast
        self.borrow = borrow
        self.implicit = implicit

    def __repr__(self):
        return f"In({self.variable})"


class Out:
    """An output with options: ``borrow=True`` lets the function return its internal buffer
    (no defensive copy), which a later call may overwrite."""

    def __init__(self, variable, borrow=False):
        if not isinstance(variable, Variable):
            raise TypeError(f"Out() takes a symbolic variable, got {type(variable).__name__}")
        self.variable = variable
        self.borrow = bool(borrow)

    def __repr__(self):
        return f"Out({self.variable}, borrow={self.borrow})"


def as_in(item, k):
    """An ``In`` from one element of function()'s inputs list: a variable, an ``In`` or one
    of Theano's tuple shortcuts ``(r, val)``, ``((r, up), val)``, ``(name, r)``,
    ``(name, r, val)``, ``(name, (r, up), val)``."""
    if isinstance(item, In):
        return item
    if isinstance(item, Variable):
        return In(item)
    if isinstance(item, tuple) and 2 <= len(item) <= 3:
        name = item[0] if isinstance(item[0], str) else None
        rest = item[1:] if name is not None else item
        if len(rest) in (1, 2):
            target, value = rest[0], (rest[1] if len(rest) == 2 else None)
            update = None
            if isinstance(target, tuple) and len(target) == 2:
                target, update = target
            if isinstance(target, Variable):
                return In(target, name=name, value=value, update=update)
    raise TypeError(f"function() input #{k} must be a symbolic variable or In(...), got {type(item).__name__}: {item!r}")


class _Container:
    """One input's storage cell (Theano's ``Container``): ``.value`` reads and writes it."""

    def __init__(self, fn, i):
        self._fn, self._i = fn, i

    @property
    def value(self):
        return self._fn._defaults[self._i]

    @value.setter
    def value(self, v):
        self._fn._store_value(self._i, v)

    storage = property(lambda self: [self.value])

    def __repr__(self):
        return f"<{self._fn._ins[self._i].variable}: {self.value!r}>"


class _Mapping:
    def __init__(self, fn, cell):
        self._fn, self._cell = fn, cell

    def __getitem__(self, key):
        i = self._fn._input_index(key)
        return _Container(self._fn, i) if self._cell else self._fn._defaults[i]

    def __setitem__(self, key, v):
        if self._cell:
            raise TypeError("containers cannot be replaced; assign to f.container[x].value")
        self._fn._store_value(self._fn._input_index(key), v)

    def __contains__(self, key):
        try:
            self._fn._input_index(key)
        except KeyError:
            return False
        return True


class StoredInputs:
    """Mixin for Function: the values stored for its inputs (defaults and updated states)."""

    value = property(lambda self: _Mapping(self, cell=False), doc="input -> stored value")
    container = property(lambda self: _Mapping(self, cell=True), doc="input -> storage cell")

    def __getitem__(self, key):
        return self._defaults[self._input_index(key)]

    def __setitem__(self, key, v):
        self._store_value(self._input_index(key), v)

    def __contains__(self, key):
        return key in self.value

    def _input_index(self, key):
        if isinstance(key, str):
            i = self._names.get(key)
        else:
            i = next((k for k, inp in enumerate(self._ins) if inp.variable is key), None)
        if i is None:
            raise KeyError(f"{key!r} is not an input of {self._label()}; inputs are {self._input_list()}")
        return i

    def _store_value(self, i, v):
        self._defaults[i] = self._convert[i](v)
        self._n_required = sum(1 for d in self._defaults if d is NO_DEFAULT)


def unknown_input_message(key, ins):
    """Theano's words for a keyword argument naming no input."""
    named = [inp.name for inp in ins if inp.name]
    n_unnamed = len(ins) - len(named)
    msg = (f"Unknown input or state: {key}. The function has {len(named)} named input"
           f"{'' if len(named) == 1 else 's'} ({', '.join(named)})")
    if n_unnamed:
        msg += (f", and {n_unnamed} unnamed input{'' if n_unnamed == 1 else 's'} which thus cannot be accessed "
                "through keyword argument (use 'name=...' in a variable's constructor to give it a name)")
    return msg + "."


class _NoDefault:
    def __repr__(self):
        return "<no default>"

    def __reduce__(self):
        return "NO_DEFAULT"


NO_DEFAULT = _NoDefault()

