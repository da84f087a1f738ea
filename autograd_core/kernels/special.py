"""Special functions numpy lacks, as jitted elementwise kernels (array in, array out).

``erf(x)``: numpy has no error function (scipy is not a dependency); ``math.erf`` inside a numba loop is exact
and fast. Computed in float64 and returned as float64; callers cast to their dtype.
"""
import math

import numpy as np

from ._jit import njit


@njit
def _erf_loop(x, out):
    for i in range(x.size):
        out[i] = math.erf(x[i])


def erf(x):
    """The error function ``2/sqrt(pi) * integral_0^x exp(-t^2) dt`` of each element, as float64."""
    flat = np.ascontiguousarray(x, dtype=np.float64).reshape(-1)
    out = np.empty_like(flat)
    _erf_loop(flat, out)
    return out.reshape(np.shape(x))
