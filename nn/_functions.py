"""The dedicated ``Function`` nodes behind ``nn.functional`` (the rest of it is compositions of Tensor ops).

Each exists for a reason a composition can't meet:

- ``NormalCDF`` (exact GELU): numpy has no ``erf``; its derivative is the normal density, written in Tensor ops.
- ``Softplus``: ``log1p(exp(x))`` without overflow, with the derivative ``sigmoid(beta * x)``.
- ``ELU``, ``SiLU``: single nodes, so that ``inplace=True`` (``Tensor._assign`` rebases ONE node) works; their
  ``exp`` never overflows.
- ``Embedding``: a row gather whose gradient skips ``padding_idx`` and can be scaled by word frequency.

Backward passes are written in Tensor ops, so they can be differentiated again (``create_graph=True``).
"""
import math

import numpy as np

from autograd_core import ops
from autograd_core.function import Function
from autograd_core.kernels._jit import HAVE_NUMBA, njit
from autograd_core.ops.shape import IndexAdd
from autograd_core.tensor import Tensor

_SQRT1_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _erf_numpy(x):
    return np.frompyfunc(math.erf, 1, 1)(x).astype(np.float64)


if HAVE_NUMBA:
    @njit
    def _erf_kernel(x, out):
        for i in range(x.size):
            out[i] = math.erf(x[i])

    def _erf(x):
        flat = np.ascontiguousarray(x, dtype=np.float64).reshape(-1)
        out = np.empty_like(flat)
        _erf_kernel(flat, out)
        return out.reshape(np.shape(x))
else:  # pragma: no cover - numba is a dependency
    _erf = _erf_numpy


class NormalCDF(Function):
    """The standard normal CDF ``Phi(x) = (1 + erf(x / sqrt(2))) / 2``; its derivative is the density."""
    label = "normal_cdf"

    def forward(self, a):
        self.save_for_backward(a)
        x = a._data
        return (0.5 * (1.0 + _erf(x * _SQRT1_2))).astype(x.dtype, copy=False)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * ((a * a * -0.5).exp() * _INV_SQRT_2PI)


class ELU(Function):
    """``x`` for ``x > 0`` else ``alpha * (exp(x) - 1)``: one node, so ``inplace=True`` can rebase it."""
    label = "elu"

    def forward(self, a, alpha=1.0):
        self.save_for_backward(a)
        self.alpha = alpha
        x = a._data
        return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))).astype(x.dtype, copy=False)

    def backward(self, grad):
        (a,) = self.saved_tensors
        neg = ops.clamp(a, max=0.0).exp() * self.alpha   # PyTorch: alpha * exp(0) = alpha at x == 0
        return grad * ops.where(a._data > 0, 1.0, neg)


class SiLU(Function):
    """``x * sigmoid(x)`` in one node (so ``inplace=True`` can rebase it); derivative ``s (1 + x (1 - s))``."""
    label = "silu"

    def forward(self, a):
        self.save_for_backward(a)
        x = a._data
        e = np.exp(-np.abs(x))                      # the stable sigmoid: exp never overflows
        return x * np.where(x >= 0, 1.0, e) / (1.0 + e)

    def backward(self, grad):
        (a,) = self.saved_tensors
        s = ops.sigmoid(a)
        return grad * (s * (a * (1.0 - s) + 1.0))


class Softplus(Function):
    """``log(1 + exp(beta * x)) / beta``, linear above ``threshold`` (as PyTorch), computed without overflow."""
    label = "softplus"

    def forward(self, a, beta=1.0, threshold=20.0):
        self.save_for_backward(a)
        self.beta, self.threshold = beta, threshold
        x = a._data
        bx = x * beta
        return np.where(bx > threshold, x, np.logaddexp(0, bx) / beta).astype(x.dtype, copy=False)

    def backward(self, grad):
        (a,) = self.saved_tensors
        slope = ops.sigmoid(a * self.beta)    # d/dx softplus = sigmoid(beta x)
        return grad * ops.where(a._data * self.beta > self.threshold, 1.0, slope)


class Embedding(Function):
    """Rows ``weight[indices]``; the backward scatters the gradient back, skipping ``padding_idx`` rows and,
    with ``scale_grad_by_freq``, dividing by how often each index occurs in the batch."""
    label = "embedding"

    def forward(self, weight, indices=None, padding_idx=None, scale_grad_by_freq=False):
        self.indices, self.padding_idx, self.scale = indices, padding_idx, scale_grad_by_freq
        self.shape = weight.shape
        return weight._data[indices]

    def backward(self, grad):
        idx = self.indices
        factor = None
        if self.padding_idx is not None:
            factor = (idx != self.padding_idx).astype(grad.dtype)
        if self.scale:
            counts = np.bincount(idx.reshape(-1), minlength=self.shape[0])
            inv = 1.0 / counts[idx]
            factor = inv if factor is None else factor * inv
        if factor is not None:
            grad = grad * Tensor._make(factor[..., None].astype(grad.dtype))
        return IndexAdd.apply(grad, key=(idx,), basic=False, shape=self.shape)
