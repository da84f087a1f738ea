"""Array-in / array-out compute kernels (they never see a Tensor), jitted with numba.

This package is the one place the ops get their kernels from (``from .. import kernels``):

* ``im2col.py``: im2col / col2im, the convolution's only data movement (forward, weight and input gradients);
* ``im2col3d.py``: the same for 3-D convolution (NCDHW);
* ``im2row.py``, ``winograd.py``, ``winograd_general.py``: the fast paths of 2-D convolution, selected by
  ``ops/conv.py`` / ``ops/conv_winograd.py`` (channels-last patch rows; Winograd F(2x2, 3x3) and F(2x2, 5x5)),
  each tested against the im2col kernels; ``winograd_f2x5.py`` is ``winograd_general.py``'s kernels with the
  F(2x2, 5x5) matrices built in, written by ``winograd_codegen.py`` (and tested bitwise against them);
* ``buffers.py``: a per-thread pool for the convolutions' large temporaries and a process-wide one for large op
  outputs that the engine and the user hold (leased arrays; no ``mallopt``);
* ``elementwise.py``: elementwise kernels numpy can only write with a temporary (the ReLU backward);
* ``pooling.py``: max / average / adaptive pooling, forward and backward;
* ``pooling3d.py``: 3-D max pooling (its backward is ``pooling.py``'s flat-index scatter);
* ``recurrent.py``: the per-time-step kernels of the fused RNN / LSTM / GRU layers;
* ``special.py``: special functions numpy lacks (error functions, gamma family, Bessel I0/I1, Hurwitz zeta);
* ``ctc.py``: the CTC loss's alpha and beta recursions (forward and gradient).

``reference.py`` holds slow numpy versions with the same signatures, built a different way on purpose: the tests
compare the two, and ``bench/`` uses them as baselines. They are never used by the library itself.

All conv/pool kernels take NCHW float32/float64 arrays and return the input's dtype; 1-D variants are the
``H == 1`` case.
"""
from .im2col import col2im, conv_geometry, conv_output_size, im2col
from .im2col3d import col2im3d, conv3d_geometry, im2col3d
from .pooling import (adaptive_avg_pool2d_backward, adaptive_avg_pool2d_forward, adaptive_geometry,
                      adaptive_max_pool2d_forward, avg_pool2d_backward, avg_pool2d_forward, max_pool2d_backward,
                      max_pool2d_forward, pool_geometry, pool_output_size)
from .pooling3d import max_pool3d_forward, pool3d_geometry
from .recurrent import step_kernels
from .ctc import ctc_backward, ctc_forward
from .elementwise import relu_backward
from .special import bessel_i, digamma, erf, erfc, erfcx, erfinv, lgamma, log_ndtr, ndtri, polygamma, zeta

__all__ = [
    "conv_output_size", "pool_output_size", "conv_geometry", "pool_geometry", "adaptive_geometry",
    "im2col", "col2im",
    "max_pool2d_forward", "max_pool2d_backward", "avg_pool2d_forward", "avg_pool2d_backward",
    "adaptive_avg_pool2d_forward", "adaptive_avg_pool2d_backward", "adaptive_max_pool2d_forward",
    "step_kernels", "erf", "relu_backward",
    "ctc_forward", "ctc_backward",
    "conv3d_geometry", "im2col3d", "col2im3d", "pool3d_geometry", "max_pool3d_forward",
    "erfc", "erfcx", "erfinv", "ndtri", "log_ndtr", "lgamma", "digamma", "polygamma", "zeta",
    "bessel_i",
]
