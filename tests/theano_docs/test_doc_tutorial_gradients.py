"""Theano's doc/tutorial/gradients.txt, run on arignote: its ``>>>`` examples and test blocks as in the docs
(``theano`` renamed ``arignote``), checked by doc_runner.  LEFT_OUT lists what is not run, and why.
"""
from doc_runner import check_page

PAGE = "doc/tutorial/gradients.txt"

LEFT_OUT = {
}

EXAMPLES = r'''
>>> import numpy

>>> import arignote

>>> import arignote.tensor as T

>>> from arignote import pp 

>>> x = T.dscalar('x')

>>> y = x ** 2

>>> gy = T.grad(y, x)

>>> pp(gy)  # print out the gradient prior to optimization
'((fill((x ** TensorConstant{2}), TensorConstant{1.0}) * TensorConstant{2}) * (x ** (TensorConstant{2} - TensorConstant{1})))'

>>> f = arignote.function([x], gy)

>>> f(4)
array(8.0)

>>> numpy.allclose(f(94.2), 188.4)
True

.. testcode::


   pp(f.maker.fgraph.outputs[0])
   '(2.0 * x)'

>>> x = T.dmatrix('x')

>>> s = T.sum(1 / (1 + T.exp(-x)))

>>> gs = T.grad(s, x)

>>> dlogistic = arignote.function([x], gs)

>>> dlogistic([[0, 1], [-1, -2]])
array([[ 0.25      ,  0.19661193],
       [ 0.19661193,  0.10499359]])

>>> import arignote

>>> import arignote.tensor as T

>>> x = T.dvector('x')

>>> y = x ** 2

>>> J, updates = arignote.scan(lambda i, y, x : T.grad(y[i], x), sequences=T.arange(y.shape[0]), non_sequences=[y, x])

>>> f = arignote.function([x], J, updates=updates)

>>> f([4, 4])
array([[ 8.,  0.],
       [ 0.,  8.]])

>>> x = T.dvector('x')

>>> y = x ** 2

>>> cost = y.sum()

>>> gy = T.grad(cost, x)

>>> H, updates = arignote.scan(lambda i, gy,x : T.grad(gy[i], x), sequences=T.arange(gy.shape[0]), non_sequences=[gy, x])

>>> f = arignote.function([x], H, updates=updates)

>>> f([4, 4])
array([[ 2.,  0.],
       [ 0.,  2.]])

>>> W = T.dmatrix('W')

>>> V = T.dmatrix('V')

>>> x = T.dvector('x')

>>> y = T.dot(x, W)

>>> JV = T.Rop(y, W, V)

>>> f = arignote.function([W, V, x], JV)

>>> f([[1, 1], [1, 1]], [[2, 2], [2, 2]], [0,1])
array([ 2.,  2.])

>>> W = T.dmatrix('W')

>>> v = T.dvector('v')

>>> x = T.dvector('x')

>>> y = T.dot(x, W)

>>> VJ = T.Lop(y, W, v)

>>> f = arignote.function([v,x], VJ)

>>> f([2, 2], [0, 1])
array([[ 0.,  0.],
       [ 2.,  2.]])

>>> x = T.dvector('x')

>>> v = T.dvector('v')

>>> y = T.sum(x ** 2)

>>> gy = T.grad(y, x)

>>> vH = T.grad(T.sum(gy * v), x)

>>> f = arignote.function([x, v], vH)

>>> f([4, 4], [2, 2])
array([ 4.,  4.])

>>> x = T.dvector('x')

>>> v = T.dvector('v')

>>> y = T.sum(x ** 2)

>>> gy = T.grad(y, x)

>>> Hv = T.Rop(gy, x, v)

>>> f = arignote.function([x, v], Hv)

>>> f([4, 4], [2, 2])
array([ 4.,  4.])
'''


def test_examples():
    check_page(EXAMPLES, PAGE, LEFT_OUT)
