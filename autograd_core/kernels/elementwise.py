"""Elementwise kernels that numpy can only write with a temporary: the ReLU backward (PyTorch's
``threshold_backward``) in one pass into a given output."""
from ._jit import njit, pick, prange


@njit
def _relu_backward_serial(y, g, out):
    for i in range(out.size):
        out[i] = 0 if y[i] <= 0 else g[i]


@njit(parallel=True)
def _relu_backward_parallel(y, g, out):
    for i in prange(out.size):
        out[i] = 0 if y[i] <= 0 else g[i]


def relu_backward(y, g, out):
    """``out = 0 where y <= 0 else g`` for C-contiguous arrays of one shape (a NaN ``y`` passes ``g``; an inf
    ``g`` where ``y`` is 0 gives 0, not NaN). Returns ``out``."""
    pick(_relu_backward_serial, _relu_backward_parallel, out.size)(y.reshape(-1), g.reshape(-1), out.reshape(-1))
    return out
