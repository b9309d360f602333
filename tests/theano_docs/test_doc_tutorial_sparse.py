"""Theano's doc/tutorial/sparse.txt, run on arignote: its ``>>>`` examples and test blocks as in the docs
(``theano`` renamed ``arignote``), checked by doc_runner.  LEFT_OUT lists what is not run, and why.
"""
from doc_runner import check_page

PAGE = "doc/tutorial/sparse.txt"

LEFT_OUT = {
}

EXAMPLES = r'''
>>> import arignote

>>> import numpy as np

>>> import scipy.sparse as sp

>>> from arignote import sparse

>>> sparse.all_dtypes  # doctest: +SKIP
set(['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64',
     'float32', 'float64', 'complex64', 'complex128'])

>>> x = sparse.csc_matrix(name='x', dtype='float32')

>>> y = sparse.dense_from_sparse(x)

>>> z = sparse.csc_from_dense(y)

>>> x = sparse.csc_matrix(name='x', dtype='int64')

>>> data, indices, indptr, shape = sparse.csm_properties(x)

>>> y = sparse.CSR(data, indices, indptr, shape)

>>> f = arignote.function([x], y)

>>> a = sp.csc_matrix(np.asarray([[0, 1, 1], [0, 0, 0], [1, 0, 0]]))

>>> print(a.toarray())
[[0 1 1]
 [0 0 0]
 [1 0 0]]

>>> print(f(a).toarray())
[[0 0 1]
 [1 0 0]
 [1 0 0]]

>>> x = sparse.csc_matrix(name='x', dtype='float32')

>>> y = sparse.structured_add(x, 2)

>>> f = arignote.function([x], y)

>>> a = sp.csc_matrix(np.asarray([[0, 0, -1], [0, -2, 1], [3, 0, 0]], dtype='float32'))

>>> print(a.toarray())
[[ 0.  0. -1.]
 [ 0. -2.  1.]
 [ 3.  0.  0.]]

>>> print(f(a).toarray())
[[ 0.  0.  1.]
 [ 0.  0.  3.]
 [ 5.  0.  0.]]
'''


def test_examples():
    check_page(EXAMPLES, PAGE, LEFT_OUT)
