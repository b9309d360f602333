"""Theano's doc/tutorial/broadcasting.txt, run on arignote: its ``>>>`` examples and test blocks as in the docs
(``theano`` renamed ``arignote``), checked by doc_runner.  LEFT_OUT lists what is not run, and why.
"""
from doc_runner import check_page

PAGE = "doc/tutorial/broadcasting.txt"

LEFT_OUT = {
}

EXAMPLES = r'''
.. testcode::


   import numpy as np
   import arignote
   import arignote.tensor as T

>>> r = T.row()

>>> r.broadcastable
(True, False)

>>> mtr = T.matrix()

>>> mtr.broadcastable
(False, False)

>>> f_row = arignote.function([r, mtr], [r + mtr])

>>> R = np.arange(3).reshape(1, 3)

>>> R
array([[0, 1, 2]])

>>> M = np.arange(9).reshape(3, 3)

>>> M
array([[0, 1, 2],
       [3, 4, 5],
       [6, 7, 8]])

>>> f_row(R, M)
[array([[  0.,   2.,   4.],
       [  3.,   5.,   7.],
       [  6.,   8.,  10.]])]

>>> c = T.col()

>>> c.broadcastable
(False, True)

>>> f_col = arignote.function([c, mtr], [c + mtr])

>>> C = np.arange(3).reshape(3, 1)

>>> C
array([[0],
       [1],
       [2]])

>>> M = np.arange(9).reshape(3, 3)

>>> f_col(C, M)
[array([[  0.,   1.,   2.],
       [  4.,   5.,   6.],
       [  8.,   9.,  10.]])]
'''


def test_examples():
    check_page(EXAMPLES, PAGE, LEFT_OUT)
