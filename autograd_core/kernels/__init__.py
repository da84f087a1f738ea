"""Array-in / array-out compute kernels for convolution and pooling (they never see a Tensor).

The backend is chosen once, here: the numba kernels (``im2col.py``, ``pooling.py``) when numba is installed,
else the NumPy versions of ``reference.py``, which have the same signatures and results. ``BACKEND`` says which.

All kernels take NCHW float32/float64 arrays and return the input's dtype; 1-D variants are the ``H == 1`` case.
"""
from ._jit import HAVE_NUMBA
from .im2col import conv_geometry, conv_output_size, pair
from .pooling import adaptive_geometry, pool_geometry, pool_output_size

if HAVE_NUMBA:
    from .im2col import col2im, im2col
    from .pooling import (adaptive_avg_pool2d_backward, adaptive_avg_pool2d_forward, adaptive_max_pool2d_forward,
                          avg_pool2d_backward, avg_pool2d_forward, max_pool2d_backward, max_pool2d_forward)
    BACKEND = "numba"
else:  # pragma: no cover - exercised in a subprocess test
    from .reference import (adaptive_avg_pool2d_backward, adaptive_avg_pool2d_forward, adaptive_max_pool2d_forward,
                            avg_pool2d_backward, avg_pool2d_forward, col2im, im2col, max_pool2d_backward,
                            max_pool2d_forward)
    BACKEND = "numpy"

__all__ = [
    "BACKEND", "pair", "conv_output_size", "pool_output_size", "conv_geometry", "pool_geometry", "adaptive_geometry",
    "im2col", "col2im",
    "max_pool2d_forward", "max_pool2d_backward", "avg_pool2d_forward", "avg_pool2d_backward",
    "adaptive_avg_pool2d_forward", "adaptive_avg_pool2d_backward", "adaptive_max_pool2d_forward",
]
