"""Theano's doc/tutorial/using_gpu.txt, run on arignote: its ``>>>`` examples and test blocks as in the docs
(``theano`` renamed ``arignote``), checked by doc_runner.  LEFT_OUT lists what is not run, and why.
"""
from doc_runner import check_page

PAGE = "doc/tutorial/using_gpu.txt"

LEFT_OUT = {
    'from arignote import function, config, shared, tensor':
        'GPU-only: uses Variable.transfer to a GPU context',
}

EXAMPLES = r'''
.. testcode::


   from arignote import function, config, shared, tensor
   import numpy
   import time

   vlen = 10 * 30 * 768  # 10 x #cores x # threads per core
   iters = 1000

   rng = numpy.random.RandomState(22)
   x = shared(numpy.asarray(rng.rand(vlen), config.floatX))
   f = function([], tensor.exp(x))
   print(f.maker.fgraph.toposort())
   t0 = time.time()
   for i in range(iters):
       r = f()
   t1 = time.time()
   print("Looping %d times took %f seconds" % (iters, t1 - t0))
   print("Result is %s" % (r,))
   if numpy.any([isinstance(x.op, tensor.Elemwise) and
                 ('Gpu' not in type(x.op).__name__)
                 for x in f.maker.fgraph.toposort()]):
       print('Used the cpu')
   else:
       print('Used the gpu')

.. testcode::


   from arignote import function, config, shared, tensor
   import numpy
   import time

   vlen = 10 * 30 * 768  # 10 x #cores x # threads per core
   iters = 1000

   rng = numpy.random.RandomState(22)
   x = shared(numpy.asarray(rng.rand(vlen), config.floatX))
   f = function([], tensor.exp(x).transfer(None))
   print(f.maker.fgraph.toposort())
   t0 = time.time()
   for i in range(iters):
       r = f()
   t1 = time.time()
   print("Looping %d times took %f seconds" % (iters, t1 - t0))
   print("Result is %s" % (numpy.asarray(r),))
   if numpy.any([isinstance(x.op, tensor.Elemwise) and
                 ('Gpu' not in type(x.op).__name__)
                 for x in f.maker.fgraph.toposort()]):
       print('Used the cpu')
   else:
       print('Used the gpu')

.. testcode::


   import numpy
   import arignote
   import arignote.tensor as T
   rng = numpy.random

   N = 400
   feats = 784
   D = (rng.randn(N, feats).astype(arignote.config.floatX),
   rng.randint(size=N,low=0, high=2).astype(arignote.config.floatX))
   training_steps = 10000

   # Declare Theano symbolic variables
   x = T.matrix("x")
   y = T.vector("y")
   w = arignote.shared(rng.randn(feats).astype(arignote.config.floatX), name="w")
   b = arignote.shared(numpy.asarray(0., dtype=arignote.config.floatX), name="b")
   x.tag.test_value = D[0]
   y.tag.test_value = D[1]

   # Construct Theano expression graph
   p_1 = 1 / (1 + T.exp(-T.dot(x, w)-b)) # Probability of having a one
   prediction = p_1 > 0.5 # The prediction that is done: 0 or 1
   xent = -y*T.log(p_1) - (1-y)*T.log(1-p_1) # Cross-entropy
   cost = xent.mean() + 0.01*(w**2).sum() # The cost to optimize
   gw,gb = T.grad(cost, [w,b])

   # Compile expressions to functions
   train = arignote.function(
               inputs=[x,y],
               outputs=[prediction, xent],
               updates=[(w, w-0.01*gw), (b, b-0.01*gb)],
               name = "train")
   predict = arignote.function(inputs=[x], outputs=prediction,
               name = "predict")

   if any([x.op.__class__.__name__ in ['Gemv', 'CGemv', 'Gemm', 'CGemm'] for x in
           train.maker.fgraph.toposort()]):
       print('Used the cpu')
   elif any([x.op.__class__.__name__ in ['GpuGemm', 'GpuGemv'] for x in
             train.maker.fgraph.toposort()]):
       print('Used the gpu')
   else:
       print('ERROR, not able to tell if arignote used the cpu or the gpu')
       print(train.maker.fgraph.toposort())

   for i in range(training_steps):
       pred, err = train(D[0], D[1])

   print("target values for D")
   print(D[1])

   print("prediction on D")
   print(predict(D[0]))

   print("floatX=", arignote.config.floatX)
   print("device=", arignote.config.device)

>>> x = arignote.tensor.fmatrix()

>>> f = arignote.function([x], PyCUDADoubleOp()(x))  # doctest: +SKIP

>>> xv = numpy.ones((4, 5), dtype="float32")

>>> assert numpy.allclose(f(xv), xv*2)  # doctest: +SKIP

>>> print(numpy.asarray(f(xv)))  # doctest: +SKIP
'''


def test_examples():
    check_page(EXAMPLES, PAGE, LEFT_OUT)
