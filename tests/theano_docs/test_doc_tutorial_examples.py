"""Theano's doc/tutorial/examples.txt, run on arignote: its ``>>>`` examples and test blocks as in the docs
(``theano`` renamed ``arignote``), checked by doc_runner.  LEFT_OUT lists what is not run, and why.
"""
from doc_runner import check_page

PAGE = "doc/tutorial/examples.txt"

LEFT_OUT = {}

EXAMPLES = r'''
>>> import arignote

>>> import arignote.tensor as T

>>> x = T.dmatrix('x')

>>> s = 1 / (1 + T.exp(-x))

>>> logistic = arignote.function([x], s)

>>> logistic([[0, 1], [-1, -2]])
array([[ 0.5       ,  0.73105858],
       [ 0.26894142,  0.11920292]])

>>> s2 = (1 + T.tanh(x / 2)) / 2

>>> logistic2 = arignote.function([x], s2)

>>> logistic2([[0, 1], [-1, -2]])
array([[ 0.5       ,  0.73105858],
       [ 0.26894142,  0.11920292]])

>>> a, b = T.dmatrices('a', 'b')

>>> diff = a - b

>>> abs_diff = abs(diff)

>>> diff_squared = diff**2

>>> f = arignote.function([a, b], [diff, abs_diff, diff_squared])

>>> f([[1, 1], [1, 1]], [[0, 1], [2, 3]])
[array([[ 1.,  0.],
       [-1., -2.]]), array([[ 1.,  0.],
       [ 1.,  2.]]), array([[ 1.,  0.],
       [ 1.,  4.]])]

>>> from arignote import In

>>> from arignote import function

>>> x, y = T.dscalars('x', 'y')

>>> z = x + y

>>> f = function([x, In(y, value=1)], z)

>>> f(33)
array(34.0)

>>> f(33, 2)
array(35.0)

>>> x, y, w = T.dscalars('x', 'y', 'w')

>>> z = (x + y) * w

>>> f = function([x, In(y, value=1), In(w, value=2, name='w_by_name')], z)

>>> f(33)
array(68.0)

>>> f(33, 2)
array(70.0)

>>> f(33, 0, 1)
array(33.0)

>>> f(33, w_by_name=1)
array(34.0)

>>> f(33, w_by_name=1, y=0)
array(33.0)

>>> from arignote import shared

>>> state = shared(0)

>>> inc = T.iscalar('inc')

>>> accumulator = function([inc], state, updates=[(state, state+inc)])

>>> print(state.get_value())
0

>>> accumulator(1)
array(0)

>>> print(state.get_value())
1

>>> accumulator(300)
array(1)

>>> print(state.get_value())
301

>>> state.set_value(-1)

>>> accumulator(3)
array(-1)

>>> print(state.get_value())
2

>>> decrementor = function([inc], state, updates=[(state, state-inc)])

>>> decrementor(2)
array(2)

>>> print(state.get_value())
0

>>> fn_of_state = state * 2 + inc

>>> foo = T.scalar(dtype=state.dtype)

>>> skip_shared = function([inc, foo], fn_of_state, givens=[(state, foo)])

>>> skip_shared(1, 3)  # we're using 3 for the state, not state.value
array(7)

>>> print(state.get_value())  # old state still there, but we didn't use it
0

>>> import arignote

>>> import arignote.tensor as T

>>> state = arignote.shared(0)

>>> inc = T.iscalar('inc')

>>> accumulator = arignote.function([inc], state, updates=[(state, state+inc)])

>>> accumulator(10)
array(0)

>>> print(state.get_value())
10

>>> new_state = arignote.shared(0)

>>> new_accumulator = accumulator.copy(swap={state:new_state})

>>> new_accumulator(100)
[array(0)]

>>> print(new_state.get_value())
100

>>> print(state.get_value())
10

>>> null_accumulator = accumulator.copy(delete_updates=True)

>>> null_accumulator(9000)
[array(10)]

>>> print(state.get_value())
10

.. testcode::


   from arignote.tensor.shared_randomstreams import RandomStreams
   from arignote import function
   srng = RandomStreams(seed=234)
   rv_u = srng.uniform((2,2))
   rv_n = srng.normal((2,2))
   f = function([], rv_u)
   g = function([], rv_n, no_default_updates=True)    #Not updating rv_n.rng
   nearly_zeros = function([], rv_u + rv_u - 2 * rv_u)

>>> f_val0 = f()

>>> f_val1 = f()  #different numbers from f_val0

>>> g_val0 = g()  # different numbers from f_val0 and f_val1

>>> g_val1 = g()  # same numbers as g_val0!

>>> nearly_zeros = function([], rv_u + rv_u - 2 * rv_u)

>>> rng_val = rv_u.rng.get_value(borrow=True)   # Get the rng for rv_u

>>> rng_val.seed(89234)                         # seeds the generator

>>> rv_u.rng.set_value(rng_val, borrow=True)    # Assign back seeded rng

>>> srng.seed(902340)  # seeds rv_u and rv_n with different seeds each

>>> state_after_v0 = rv_u.rng.get_value().get_state()

>>> nearly_zeros()       # this affects rv_u's generator
array([[ 0.,  0.],
       [ 0.,  0.]])

>>> v1 = f()

>>> rng = rv_u.rng.get_value(borrow=True)

>>> rng.set_state(state_after_v0)

>>> rv_u.rng.set_value(rng, borrow=True)

>>> v2 = f()             # v2 != v1

>>> v3 = f()             # v3 == v1

>>> from __future__ import print_function

>>> import arignote

>>> import numpy

>>> import arignote.tensor as T

>>> from arignote.sandbox.rng_mrg import MRG_RandomStreams

>>> from arignote.tensor.shared_randomstreams import RandomStreams

>>> class Graph():
...     def __init__(self, seed=123):
...         self.rng = RandomStreams(seed)
...         self.y = self.rng.uniform(size=(1,))

>>> g1 = Graph(seed=123)

>>> f1 = arignote.function([], g1.y)

>>> g2 = Graph(seed=987)

>>> f2 = arignote.function([], g2.y)

>>> f1()
array([ 0.72803009])

>>> f2()
array([ 0.55056769])

>>> def copy_random_state(g1, g2):
...     if isinstance(g1.rng, MRG_RandomStreams):
...         g2.rng.rstate = g1.rng.rstate
...     for (su1, su2) in zip(g1.rng.state_updates, g2.rng.state_updates):
...         su2[0].set_value(su1[0].get_value())

>>> copy_random_state(g1, g2)

>>> f1()
array([ 0.59044123])

>>> f2()
array([ 0.59044123])

.. testcode::


   import numpy
   import arignote
   import arignote.tensor as T
   rng = numpy.random

   N = 400                                   # training sample size
   feats = 784                               # number of input variables

   # generate a dataset: D = (input_values, target_class)
   D = (rng.randn(N, feats), rng.randint(size=N, low=0, high=2))
   training_steps = 10000

   # Declare Theano symbolic variables
   x = T.dmatrix("x")
   y = T.dvector("y")

   # initialize the weight vector w randomly
   #
   # this and the following bias variable b
   # are shared so they keep their values
   # between training iterations (updates)
   w = arignote.shared(rng.randn(feats), name="w")

   # initialize the bias term
   b = arignote.shared(0., name="b")

   print("Initial model:")
   print(w.get_value())
   print(b.get_value())

   # Construct Theano expression graph
   p_1 = 1 / (1 + T.exp(-T.dot(x, w) - b))   # Probability that target = 1
   prediction = p_1 > 0.5                    # The prediction thresholded
   xent = -y * T.log(p_1) - (1-y) * T.log(1-p_1) # Cross-entropy loss function
   cost = xent.mean() + 0.01 * (w ** 2).sum()# The cost to minimize
   gw, gb = T.grad(cost, [w, b])             # Compute the gradient of the cost
                                             # w.r.t weight vector w and
                                             # bias term b
                                             # (we shall return to this in a
                                             # following section of this tutorial)

   # Compile
   train = arignote.function(
             inputs=[x,y],
             outputs=[prediction, xent],
             updates=((w, w - 0.1 * gw), (b, b - 0.1 * gb)))
   predict = arignote.function(inputs=[x], outputs=prediction)

   # Train
   for i in range(training_steps):
       pred, err = train(D[0], D[1])

   print("Final model:")
   print(w.get_value())
   print(b.get_value())
   print("target values for D:")
   print(D[1])
   print("prediction on D:")
   print(predict(D[0]))
'''


def test_examples():
    check_page(EXAMPLES, PAGE, LEFT_OUT)
