"""The differentiable ops, one file per family; this module re-exports their lowercase functions."""
from .elementwise import (add, sub, mul, div, true_divide, divide, multiply, subtract, neg, negative, pow, pow_scalar,
                          exp, log, sqrt, rsqrt, abs, absolute, sin, cos, square, reciprocal, log1p, expm1, sign,
                          maximum, minimum, clamp, clip, where, cast, clone, eq, ne, lt, le, gt, ge, logical_and,
                          logical_or, logical_xor, logical_not, isnan, isinf, isfinite, allclose, equal, as_tensor)
from .activation import tanh, sigmoid, relu, leaky_relu
from .reduction import (sum, mean, var, std, max, min, amax, amin, argmax, argmin, logsumexp, softmax, log_softmax,
                        prod)
from .shape import (reshape, view, flatten, unflatten, permute, transpose, swapaxes, t, squeeze, unsqueeze, expand,
                    expand_as, broadcast_to, getitem, setitem, gather, index_select, cat, concat, concatenate, stack, split, chunk, unbind, pad)
from .linalg import matmul, mm, bmm, dot, outer, linear
