"""The first cells of the seed tutorial, on arignote.

Run:  python examples/quickstart.py
"""

import numpy as np

from arignote import In, function, shared
from arignote import tensor as T
from arignote.printing import pp

# Adding two scalars
x = T.dscalar("x")
y = T.dscalar("y")
z = x + y
print("type(x):", type(x), " x.type:", x.type)
print("pp(z):", pp(z))
f = function([x, y], z)
print("f(2, 3) =", f(2, 3))
print("f(16.3, 12.1) =", f(16.3, 12.1))

# Adding two matrices
x = T.dmatrix("x")
y = T.dmatrix("y")
z = x + y
f = function([x, y], z)
print("matrix add:\n", f([[1, 2], [3, 4]], [[10, 20], [30, 40]]))

# The logistic curve, elementwise
x = T.dmatrix("x")
s = 1 / (1 + T.exp(-x))
logistic = function([x], s)
print("logistic:\n", logistic([[0, 1], [-1, -2]]))

# Several outputs at once
a, b = T.dmatrices("a", "b")
diff = a - b
abs_diff = abs(diff)
diff_squared = diff**2
f = function([a, b], [diff, abs_diff, diff_squared])
for name, value in zip(["diff", "abs_diff", "diff_squared"], f([[1, 1], [1, 1]], [[0, 1], [2, 3]])):
    print(f"{name}:\n", np.asarray(value))

# Default values for arguments
x, y, w = T.dscalars("x", "y", "w")
z = (x + y) * w
g = function([x, In(y, value=1), In(w, value=2, name="w_by_name")], z)
print("g(33) = {}".format(g(33)))
print("g(33, 0, 1) = {}".format(g(33, 0, 1)))
print("g(33, w_by_name=1) = {}".format(g(33, w_by_name=1)))
print("g(33, w_by_name=1, y=0) = {}".format(g(33, w_by_name=1, y=0)))

# State in shared variables: an accumulator
state = shared(0)
inc = T.iscalar("inc")
accumulator = function([inc], state, updates=[(state, state + inc)])
print("state:", state.get_value())
print("accumulator(1) ->", accumulator(1), " state:", state.get_value())
print("accumulator(300) ->", accumulator(300), " state:", state.get_value())
state.set_value(-1)
print("after set_value(-1): accumulator(3) ->", accumulator(3), " state:", state.get_value())
decrementor = function([inc], state, updates=[(state, state - inc)])
print("decrementor(2) ->", decrementor(2), " state:", state.get_value())
