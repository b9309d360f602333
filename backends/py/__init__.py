"""arignote.backends.py: the 'py' backend, the NumPy reference (each node's ``perform``, in order).

It compiles nothing: the ops carry their NumPy ``perform`` and ``arignote.reference`` runs them.
"""
