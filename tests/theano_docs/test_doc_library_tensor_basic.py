"""Theano's doc/library/tensor/basic.txt, run on arignote: its ``>>>`` examples and test blocks as in the docs
(``theano`` renamed ``arignote``), checked by doc_runner.  LEFT_OUT lists what is not run, and why.
"""
from doc_runner import check_page

PAGE = "doc/library/tensor/basic.txt"

LEFT_OUT = {
}

EXAMPLES = r'''
.. testcode::


   import arignote
   import arignote.tensor as T
   from arignote.tensor import scalar, iscalar, TensorType, dmatrix, ivector
   from arignote.tensor import set_subtensor, inc_subtensor, batched_dot
   from arignote import shared
   import numpy
   import numpy as np

>>> x = T.fmatrix()

>>> x = scalar('myvar', dtype='int32')

>>> x = iscalar('myvar')

>>> x = TensorType(dtype='int32', broadcastable=())('myvar')

.. testcode::


   from arignote.tensor import *

   x = dmatrix()        # creates one Variable with no name
   x = dmatrix('x')     # creates one Variable with name 'x'
   xyz = dmatrix('xyz') # creates one Variable with name 'xyz'

.. testcode::


   from arignote.tensor import *

   x, y, z = dmatrices(3) # creates three matrix Variables with no names
   x, y, z = dmatrices('x', 'y', 'z') # creates three matrix Variables named 'x', 'y' and 'z'


>>> dtensor8 = TensorType('float64', (False,)*8)

>>> x = dtensor8()

>>> z = dtensor8('z')

>>> my_dmatrix = TensorType('float64', (False,)*2)

>>> x = my_dmatrix()       # allocate a matrix variable

>>> my_dmatrix == dmatrix
True

.. testcode::


   x = shared(numpy.random.randn(3,4))

>>> middle_broadcaster = TensorType('complex64', [False, True, False])

>>> x = T.zmatrix()

>>> y = 3+.2j * x.T

>>> tensor = arignote.tensor.tensor3()

>>> arignote.tensor.shape_padaxis(tensor, axis=0)
InplaceDimShuffle{x,0,1,2}.0

>>> arignote.tensor.shape_padaxis(tensor, axis=1)
InplaceDimShuffle{0,x,1,2}.0

>>> arignote.tensor.shape_padaxis(tensor, axis=3)
InplaceDimShuffle{0,1,2,x}.0

>>> arignote.tensor.shape_padaxis(tensor, axis=-1)
InplaceDimShuffle{0,1,2,x}.0

>>> a = arignote.tensor.scalar()

>>> b = arignote.tensor.scalar()

>>> c = arignote.tensor.scalar()

>>> x = arignote.tensor.stack([a, b, c])

>>> x.ndim # x is a vector of length 3.
1

>>> a = arignote.tensor.tensor4()

>>> b = arignote.tensor.tensor4()

>>> c = arignote.tensor.tensor4()

>>> x = arignote.tensor.stack([a, b, c])

>>> x.ndim # x is a 5d tensor.
5

>>> rval = x.eval(dict((t, np.zeros((2, 2, 2, 2))) for t in [a, b, c]))

>>> rval.shape # 3 tensors are stacked on axis 0
(3, 2, 2, 2, 2)

>>> x = arignote.tensor.stack([a, b, c], axis=3)

>>> x.ndim
5

>>> rval = x.eval(dict((t, np.zeros((2, 2, 2, 2))) for t in [a, b, c]))

>>> rval.shape # 3 tensors are stacked on axis 3
(2, 2, 2, 3, 2)

>>> x = arignote.tensor.stack([a, b, c], axis=-2)

>>> x.ndim
5

>>> rval = x.eval(dict((t, np.zeros((2, 2, 2, 2))) for t in [a, b, c]))

>>> rval.shape # 3 tensors are stacked on axis -2
(2, 2, 2, 3, 2)

>>> x0 = T.scalar()

>>> x1 = T.scalar()

>>> x2 = T.scalar()

>>> x = T.stack(x0, x1, x2)

>>> x.ndim # x is a vector of length 3.
1

>>> x0 = T.fmatrix()

>>> x1 = T.ftensor3()

>>> x2 = T.fvector()

>>> x = T.concatenate([x0, x1[0], T.shape_padright(x2)], axis=1)

>>> x.ndim
2

>>> from arignote.tensor import stacklists, scalars, matrices

>>> from arignote import function

>>> a, b, c, d = scalars('abcd')

>>> X = stacklists([[a, b], [c, d]])

>>> f = function([a, b, c, d], X)

>>> f(1, 2, 3, 4)
array([[ 1.,  2.],
       [ 3.,  4.]])

>>> from numpy import ones

>>> a, b, c, d = matrices('abcd')

>>> X = stacklists([[a, b], [c, d]])

>>> f = function([a, b, c, d], X)

>>> x = ones((4, 4), 'float32')

>>> f(x, x, x, x).shape
(2, 2, 4, 4)

>>> a, b = T.itensor3(), T.itensor3() # example inputs

.. testcode::


   import arignote.tensor as T
   x = T.matrix()
   x_as_int = T.cast(x, 'int32')

.. testcode::


   import arignote.tensor as T
   x,y = T.dmatrices('x','y')
   z = T.le(x,y)

.. testcode::


   import arignote.tensor as T
   a,b = T.dmatrices('a','b')
   x,y = T.dmatrices('x','y')
   z = T.switch(T.lt(a,b), x, y)

.. testcode::


   import arignote.tensor as T
   x,y = T.imatrices('x','y')
   z = x & y


.. testcode::


   import numpy as np

   a = np.random.random((2,3,4))
   b = np.random.random((5,6,4,3))

   #tensordot
   c = np.tensordot(a, b, [[1,2],[3,2]])

   #loop replicating tensordot
   a0, a1, a2 = a.shape
   b0, b1, _, _ = b.shape
   cloop = np.zeros((a0,b0,b1))

   #loop over non-summed indices -- these exist
   #in the tensor product.
   for i in range(a0):
       for j in range(b0):
           for k in range(b1):
               #loop over summed indices -- these don't exist
               #in the tensor product.
               for l in range(a1):
                   for m in range(a2):
                       cloop[i,j,k] += a[i,l,m] * b[j,k,m,l]

   assert np.allclose(c, cloop)

>>> c = np.tensordot(a, b, 0)

>>> a.shape
(2, 3, 4)

>>> b.shape
(5, 6, 4, 3)

>>> print(c.shape)
(2, 3, 4, 5, 6, 4, 3)

>>> first = T.tensor3('first')

>>> second = T.tensor3('second')

>>> result = batched_dot(first, second)

>>> a = T.mgrid[0:5, 0:3]

>>> a[0].eval()
array([[0, 0, 0],
       [1, 1, 1],
       [2, 2, 2],
       [3, 3, 3],
       [4, 4, 4]])

>>> a[1].eval()
array([[0, 1, 2],
       [0, 1, 2],
       [0, 1, 2],
       [0, 1, 2],
       [0, 1, 2]])

>>> b = T.ogrid[0:5, 0:3]

>>> b[0].eval()
array([[0],
       [1],
       [2],
       [3],
       [4]])

>>> b[1].eval()
array([[0, 1, 2]])
'''


def test_examples():
    check_page(EXAMPLES, PAGE, LEFT_OUT)
