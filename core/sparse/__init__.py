"""Theano's ``theano.sparse``: SciPy CSR/CSC matrices in graphs, with gradients."""
from .type import (SparseConstant, SparseType, SparseVariable, all_dtypes, as_sparse, as_sparse_or_tensor_variable,
                   as_sparse_variable, csc_matrix, csr_matrix, matrix, sparse_constant)
from .basic import (CSC, CSM, CSR, CSMProperties, DenseFromSparse, SparseFromDense, SpSum, StructuredDot,
                    Transpose, abs_, add, arcsin, arcsinh, arctan, ceil, csc_from_dense, csm_data, csm_indices,
                    csm_indptr, csm_properties, csm_shape, csr_from_dense, deg2rad, dense_from_sparse, dot, expm1,
                    floor, log1p, mul, neg, rad2deg, rint, sgn, sin, sinh, sp_ones_like, sp_sum, sp_zeros_like, sqr,
                    sqrt, structured_add, structured_dot, structured_exp, structured_log, structured_maximum,
                    structured_minimum, structured_pow, structured_sigmoid, sub, tan, tanh, transpose, true_dot,
                    trunc)

__all__ = [n for n in dir() if not n.startswith("_")]
