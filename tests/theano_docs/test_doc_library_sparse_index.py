"""Theano's doc/library/sparse/index.txt, run on arignote: its ``>>>`` examples and test blocks as in the docs
(``theano`` renamed ``arignote``), checked by doc_runner.  LEFT_OUT lists what is not run, and why.
"""
from doc_runner import check_page

PAGE = "doc/library/sparse/index.txt"

LEFT_OUT = {
}

EXAMPLES = r'''
>>> import numpy as np

>>> import scipy.sparse as sp

>>> data = np.asarray([7, 8, 9])

>>> indices = np.asarray([0, 1, 2])

>>> indptr = np.asarray([0, 2, 3, 3])

>>> m = sp.csc_matrix((data, indices, indptr), shape=(3, 3))

>>> m.toarray()
array([[7, 0, 0],
       [8, 0, 0],
       [0, 9, 0]])

>>> i = 0

>>> m.indices[m.indptr[i]:m.indptr[i+1]], m.data[m.indptr[i]:m.indptr[i+1]]
(array([0, 1], dtype=int32), array([7, 8]))

>>> i = 1

>>> m.indices[m.indptr[i]:m.indptr[i+1]], m.data[m.indptr[i]:m.indptr[i+1]]
(array([2], dtype=int32), array([9]))

>>> i = 2

>>> m.indices[m.indptr[i]:m.indptr[i+1]], m.data[m.indptr[i]:m.indptr[i+1]]
(array([], dtype=int32), array([], dtype=int64))

>>> import numpy as np

>>> import scipy.sparse as sp

>>> data = np.asarray([7, 8, 9])

>>> indices = np.asarray([0, 1, 2])

>>> indptr = np.asarray([0, 2, 3, 3])

>>> m = sp.csr_matrix((data, indices, indptr), shape=(3, 3))

>>> m.toarray()
array([[7, 8, 0],
       [0, 0, 9],
       [0, 0, 0]])

>>> i = 0

>>> m.indices[m.indptr[i]:m.indptr[i+1]], m.data[m.indptr[i]:m.indptr[i+1]]
(array([0, 1], dtype=int32), array([7, 8]))

>>> i = 1

>>> m.indices[m.indptr[i]:m.indptr[i+1]], m.data[m.indptr[i]:m.indptr[i+1]]
(array([2], dtype=int32), array([9]))

>>> i = 2

>>> m.indices[m.indptr[i]:m.indptr[i+1]], m.data[m.indptr[i]:m.indptr[i+1]]
(array([], dtype=int32), array([], dtype=int64))
'''


def test_examples():
    check_page(EXAMPLES, PAGE, LEFT_OUT)
