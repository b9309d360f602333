"""Theano's doc/extending/type.txt, run on arignote: its ``>>>`` examples and test blocks as in the docs
(``theano`` renamed ``arignote``), checked by doc_runner.  LEFT_OUT lists what is not run, and why.
"""
from doc_runner import check_page

PAGE = "doc/extending/type.txt"

LEFT_OUT = {
}

EXAMPLES = r'''
.. testcode::


   # Note that we shadow Python's function ``filter`` with this
   # definition.
   def filter(x, strict=False, allow_downcast=None):
       if strict:
           if isinstance(x, float):
               return x
           else:
               raise TypeError('Expected a float!')
       elif allow_downcast:
           return float(x)
       else:   # Covers both the False and None cases.
           x_float = float(x)
           if x_float == x:
               return x_float
           else:
                raise TypeError('The double type cannot accurately represent '
                                'value %s (of type %s): you must explicitly '
                                'allow downcasting if you want to do this.'
                                % (x, type(x)))

.. testcode::


   def values_eq_approx(x, y, tolerance=1e-4):
       return abs(x - y) / (abs(x) + abs(y)) < tolerance

.. testcode::


   from arignote import gof

   double = gof.Type()
   double.filter = filter
   double.values_eq_approx = values_eq_approx


.. testcode::


   from arignote import gof

   class Double(gof.Type):

       def filter(self, x, strict=False, allow_downcast=None):
           if strict:
               if isinstance(x, float):
                   return x
               else:
                   raise TypeError('Expected a float!')
           elif allow_downcast:
               return float(x)
           else:   # Covers both the False and None cases.
               x_float = float(x)
               if x_float == x:
                   return x_float
               else:
                    raise TypeError('The double type cannot accurately represent '
                                    'value %s (of type %s): you must explicitly '
                                    'allow downcasting if you want to do this.'
                                    % (x, type(x)))

       def values_eq_approx(self, x, y, tolerance=1e-4):
           return abs(x - y) / (abs(x) + abs(y)) < tolerance

       def __str__(self):
           return "double"

   double = Double()

>>> double1 = Double()

>>> double2 = Double()

>>> double1 == double2
False

.. testcode::


   def __eq__(self, other):
       return type(self) is Double and type(other) is Double

.. testcode::


   from arignote import gof

   class Double(gof.Type):

       def filter(self, x, strict=False, allow_downcast=None):
           if strict:
               if isinstance(x, float):
                   return x
               else:
                   raise TypeError('Expected a float!')
           elif allow_downcast:
               return float(x)
           else:   # Covers both the False and None cases.
               x_float = float(x)
               if x_float == x:
                   return x_float
               else:
                    raise TypeError('The double type cannot accurately represent '
                                    'value %s (of type %s): you must explicitly '
                                    'allow downcasting if you want to do this.'
                                    % (x, type(x)))

       def values_eq_approx(self, x, y, tolerance=1e-4):
           return abs(x - y) / (abs(x) + abs(y)) < tolerance

       def __str__(self):
           return "double"

   double = Double()
'''


def test_examples():
    check_page(EXAMPLES, PAGE, LEFT_OUT)
