"""Theano's doc/library/compile/io.txt, run on arignote: its ``>>>`` examples and test blocks as in the docs
(``theano`` renamed ``arignote``), checked by doc_runner.  LEFT_OUT lists what is not run, and why.
"""
from doc_runner import check_page

PAGE = "doc/library/compile/io.txt"

LEFT_OUT = {
}

EXAMPLES = r'''
>>> import arignote.tensor as T

>>> from arignote import function

>>> from arignote.compile.io import In

>>> u, x, s = T.scalars('u', 'x', 's')

>>> inc = function([u, In(x, value=3), In(s, update=(s+x*u), value=10.0)], [])

>>> inc(5)         # update s with 10+3*5
[]

>>> print(inc[s])
25.0

>>> inc(3, 4)      # update s with 25 + 3*4
[]

>>> print(inc[s])
37.0

>>> print(inc[x])   # the override value of 4 was only temporary
3.0

>>> inc(3, 4, 7)      # update s with 7 + 3*4
[]

>>> print(inc[s])
19.0

>>> inc[s] = 10

>>> inc[s]
array(10.0)

>>> from arignote import tensor as T, function

>>> a, b, c = T.scalars('xys') # set the internal names of graph nodes

>>> fn = function([a, b, ((c, c+a+b), 10.0)], [])

>>> fn['s'] is fn.value[c]
True

>>> fn['s'] is fn.container[c].value
True

>>> fn['s']
array(10.0)

>>> fn(1, 2)
[]

>>> fn['s']
array(13.0)

>>> fn['s'] = 99.0

>>> fn(1, 0)
[]

>>> fn['s']
array(100.0)

>>> fn.value[c] = 99.0

>>> fn(1,0)
[]

>>> fn['s']
array(100.0)

>>> fn['s'] == fn.value[c]
True

>>> fn['s'] == fn.container[c].value
True

>>> import arignote

>>> from arignote import tensor as T

>>> from arignote.compile.io import In

>>> x = T.scalar()

>>> y = T.scalar('y')

>>> z = T.scalar('z')

>>> w = T.scalar('w')

>>> fn = arignote.function(inputs=[x, y, In(z, value=42), ((w, w+x), 0)],
...                      outputs=x + y + z)

>>> fn(1)               # illegal because there are two required arguments # doctest: +ELLIPSIS
Traceback (most recent call last):
  ...
TypeError: Missing required input: y

>>> fn(1, 2)            # legal, z is 42, w goes 0 -> 1 (because w <- w + x)
array(45.0)

>>> fn(1, y=2)        # legal, z is 42, w goes 1 -> 2
array(45.0)

>>> fn(x=1, y=2)    # illegal because x was not named # doctest: +ELLIPSIS
Traceback (most recent call last):
  ...
TypeError: Unknown input or state: x. The function has 3 named inputs (y, z, w), and 1 unnamed input which thus cannot be accessed through keyword argument (use 'name=...' in a variable's constructor to give it a name).

>>> fn(1, 2, 3)         # legal, z is 3, w goes 2 -> 3
array(6.0)

>>> fn(1, z=3, y=2) # legal, z is 3, w goes 3 -> 4
array(6.0)

>>> fn(1, 2, w=400)   # legal, z is 42 again, w goes 400 -> 401
array(45.0)

>>> fn(1, 2)            # legal, z is 42, w goes 401 -> 402
array(45.0)

>>> import numpy

>>> from arignote.compile.io import Out

>>> x, y, s = T.matrices('xys')

>>> fn1 = arignote.function([x], [x+x, Out((x+x).T, borrow=True)])

>>> fn1(numpy.asarray([[1,0],[0,1]]))
[array([[ 2.,  0.],
       [ 0.,  2.]]), array([[ 2.,  0.],
       [ 0.,  2.]])]

>>> fn2 = arignote.function([x], [x+x])

>>> fn2(numpy.asarray([[1,0],[0,1]]))
[array([[ 2.,  0.],
       [ 0.,  2.]])]

>>> fn3 = arignote.function([x], outputs=x+x)

>>> fn3(numpy.asarray([[1,0],[0,1]]))
array([[ 2.,  0.],
       [ 0.,  2.]])
'''


def test_examples():
    check_page(EXAMPLES, PAGE, LEFT_OUT)
