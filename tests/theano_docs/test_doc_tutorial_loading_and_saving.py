"""Theano's doc/tutorial/loading_and_saving.txt, run on arignote: its ``>>>`` examples and test blocks as in the docs
(``theano`` renamed ``arignote``), checked by doc_runner.  LEFT_OUT lists what is not run, and why.
"""
from doc_runner import check_page

PAGE = "doc/tutorial/loading_and_saving.txt"

LEFT_OUT = {}

EXAMPLES = r'''
>>> from six.moves import cPickle

.. testcode::


   my_obj = object()

>>> f = open('obj.save', 'wb')

>>> cPickle.dump(my_obj, f, protocol=cPickle.HIGHEST_PROTOCOL)

>>> f.close()

>>> f = open('obj.save', 'rb')

>>> loaded_obj = cPickle.load(f)

>>> f.close()

.. testcode::


   obj1 = object()
   obj2 = object()
   obj3 = object()

>>> f = open('objects.save', 'wb')

>>> for obj in [obj1, obj2, obj3]:
...     cPickle.dump(obj, f, protocol=cPickle.HIGHEST_PROTOCOL)

>>> f.close()

>>> f = open('objects.save', 'rb')

>>> loaded_objects = []

>>> for i in range(3):
...     loaded_objects.append(cPickle.load(f))

>>> f.close()

.. testcode::


   def __getstate__(self):
       state = dict(self.__dict__)
       del state['training_set']
       return state

   def __setstate__(self, d):
       self.__dict__.update(d)
       self.training_set = cPickle.load(open(self.training_set_file, 'rb'))


.. testcode::


   def __getstate__(self):
       return (self.W, self.b)

   def __setstate__(self, state):
       W, b = state
       self.W = W
       self.b = b

.. testcode::


   def __getstate__(self):
       return (self.weights, self.bias)

   def __setstate__(self, state):
       W, b = state
       self.weights = W
       self.bias = b
'''


def test_examples():
    check_page(EXAMPLES, PAGE, LEFT_OUT)
