"""Theano's doc/tutorial/numpy.txt, run on arignote: its ``>>>`` examples and test blocks as in the docs
(``theano`` renamed ``arignote``), checked by doc_runner.  LEFT_OUT lists what is not run, and why.
"""
from doc_runner import check_page

PAGE = "doc/tutorial/numpy.txt"

LEFT_OUT = {
}

EXAMPLES = r'''
.. testcode::


   import numpy

>>> numpy.asarray([[1., 2], [3, 4], [5, 6]])
array([[ 1.,  2.],
       [ 3.,  4.],
       [ 5.,  6.]])

>>> numpy.asarray([[1., 2], [3, 4], [5, 6]]).shape
(3, 2)

>>> numpy.asarray([[1., 2], [3, 4], [5, 6]])[2, 0]
5.0

>>> a = numpy.asarray([1.0, 2.0, 3.0])

>>> b = 2.0

>>> a * b
array([ 2.,  4.,  6.])
'''


def test_examples():
    check_page(EXAMPLES, PAGE, LEFT_OUT)
