"""Theano's doc/tutorial/adding.txt, run on arignote: its ``>>>`` examples and test blocks as in the docs
(``theano`` renamed ``arignote``), checked by doc_runner.  LEFT_OUT lists what is not run, and why.
"""
from doc_runner import check_page

PAGE = "doc/tutorial/adding.txt"

LEFT_OUT = {
    'x = arignote.tensor.ivector()':
        "the page uses theano before importing it, inside an RST comment ('.. note:' with one colon) that Sphinx never ran",
}

EXAMPLES = r'''
>>> import numpy

>>> import arignote.tensor as T

>>> from arignote import function

>>> x = T.dscalar('x')

>>> y = T.dscalar('y')

>>> z = x + y

>>> f = function([x, y], z)

>>> f(2, 3)
array(5.0)

>>> numpy.allclose(f(16.3, 12.1), 28.4)
True

>>> x = arignote.tensor.ivector()

>>> y = -x

>>> x = T.dscalar('x')

>>> y = T.dscalar('y')

>>> type(x)
<class 'arignote.tensor.var.TensorVariable'>

>>> x.type
TensorType(float64, scalar)

>>> T.dscalar
TensorType(float64, scalar)

>>> x.type is T.dscalar
True

>>> z = x + y

>>> from arignote import pp

>>> print(pp(z))
(x + y)

>>> f = function([x, y], z)

>>> import numpy

>>> import arignote.tensor as T

>>> x = T.dscalar('x')

>>> y = T.dscalar('y')

>>> z = x + y

>>> numpy.allclose(z.eval({x : 16.3, y : 12.1}), 28.4)
True

>>> x = T.dmatrix('x')

>>> y = T.dmatrix('y')

>>> z = x + y

>>> f = function([x, y], z)

>>> f([[1, 2], [3, 4]], [[10, 20], [30, 40]])
array([[ 11.,  22.],
       [ 33.,  44.]])

>>> import numpy

>>> f(numpy.array([[1, 2], [3, 4]]), numpy.array([[10, 20], [30, 40]]))
array([[ 11.,  22.],
       [ 33.,  44.]])

.. testcode::


   import arignote
   a = arignote.tensor.vector() # declare variable
   out = a + a ** 10               # build symbolic expression
   f = arignote.function([a], out)   # compile function
   print(f([0, 1, 2]))
'''


def test_examples():
    check_page(EXAMPLES, PAGE, LEFT_OUT)
