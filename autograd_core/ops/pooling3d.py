"""3-D pooling: ``max_pool3d``, ``avg_pool3d`` and ``adaptive_avg_pool3d`` on ``(N, C, D, H, W)`` or
``(C, D, H, W)``, as PyTorch.

* max pooling runs the numba kernel ``kernels.max_pool3d_forward`` (argmax indices flat in each ``D*H*W``
  volume, PyTorch's ``return_indices``); its gradient is ``ops/pooling.py``'s scatter / gather pair, which works
  through flat indices for any rank.
* average pooling over a box is separable: a 1-D average along D, then H, then W, each a fixed sparse linear map
  (``ops/resample.py``'s :class:`~autograd_core.ops.resample.AxisResampleFunction`). PyTorch's divisors factor
  the same way (the window clipped to the padded input for ``count_include_pad``, to the input otherwise), so the
  per-axis weights are ``1 / length`` of the clipped window, and ``divisor_override`` divides a plain box sum.
"""
import numpy as np

from .. import kernels
from ..errors import ArgumentError, ShapeError, fmt_shape, shape_errors
from ..shapes import ntuple
from ..tensor import Tensor
from .pooling import MaxPool2DWithIndicesFunction, _default_stride
from .registry import op
from .resample import Taps, resample_axes
from .saved import guard
from .shape import squeeze, unsqueeze


class MaxPool3DWithIndicesFunction(MaxPool2DWithIndicesFunction):
    """Max over sliding 3-D windows; saves the int64 argmax indices and the input (backward as 2-D max pooling)."""
    label = "max_pool3d"
    derivative = "the gradient goes to the position of each window's maximum"

    def forward(self, x, params=None, indices_out=None):
        out, indices = kernels.max_pool3d_forward(x._data, *params)
        self.input_shape = x.shape
        self.save_for_backward(Tensor._make(indices), x)
        if indices_out is not None:
            indices_out.append(indices)
        return out


def _batched3d(input, op):
    if input.ndim not in (4, 5):
        raise ShapeError(f"{op}: expected a 4-D (C, D, H, W) or 5-D (N, C, D, H, W) input, got shape "
                         f"{fmt_shape(input.shape)}")
    if input.dtype not in (np.float32, np.float64):
        raise TypeError(f"{op}: expected a float32 or float64 tensor, got {input.dtype}")
    if input.ndim == 4:
        return unsqueeze(input, 0), lambda t: squeeze(t, 0)
    return input, lambda t: t


@op(method=False)
def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """3-D max pooling, PyTorch's ``F.max_pool3d``.

    Args:
        input: ``(N, C, D, H, W)`` or ``(C, D, H, W)``.
        kernel_size, stride (default: ``kernel_size``), padding (implicit -inf, at most half the kernel),
            dilation: ints or triples.
        ceil_mode: round the output size up; return_indices: also return the int64 argmax positions, flat in
            each unpadded ``D*H*W`` volume.

    Shape:
        output ``(N, C, D_out, H_out, W_out)``, each ``(size + 2 padding - dilation (k - 1) - 1) // stride + 1``.
    """
    op = "max_pool3d"
    x, undo = _batched3d(input, op)
    stride = _default_stride(stride)
    with shape_errors(op, input.shape):
        kernels.pool3d_geometry(x.shape, kernel_size, stride, padding, dilation, ceil_mode, op)
    indices = []
    params = (kernel_size, stride, padding, dilation, bool(ceil_mode))
    out = MaxPool3DWithIndicesFunction.apply(x, params=params, indices_out=indices)
    if return_indices:
        return undo(out), undo(Tensor._make(indices[0]))
    return undo(out)


def _avg_taps(size, kernel, stride, pad, ceil_mode, count_include_pad, divide, dtype):
    """The 1-D average (``divide``) or sum along one axis, with PyTorch's windows and divisors."""
    out = kernels.pool_output_size(size, kernel, stride, pad, 1, ceil_mode)
    start = np.arange(out) * stride - pad
    end = np.minimum(start + kernel, size + pad)
    lo, hi = np.maximum(start, 0), np.minimum(end, size)
    length = (end - start) if count_include_pad else (hi - lo)
    indices, weights = [], []
    for j in range(kernel):
        index = start + j
        inside = (index >= lo) & (index < hi)
        w = np.where(inside, 1.0 / np.maximum(length, 1), 0.0) if divide else inside.astype(np.float64)
        indices.append(np.clip(index, 0, size - 1))
        weights.append(w.astype(dtype))
    return Taps(indices, weights, size)


@op(method=False)
def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """3-D average pooling, PyTorch's ``F.avg_pool3d`` (zero padding, PyTorch's divisor rules).

    Args:
        input: ``(N, C, D, H, W)`` or ``(C, D, H, W)``.
        kernel_size, stride (default: ``kernel_size``), padding (at most half the kernel): ints or triples.
        ceil_mode: round the output size up.
        count_include_pad: divide by the window size including padding; False: by the input elements in it.
        divisor_override: divide the window sums by this instead.
    """
    op = "avg_pool3d"
    x, undo = _batched3d(input, op)
    stride = _default_stride(stride)
    with shape_errors(op, input.shape):
        k, s, p, _, _ = kernels.pool3d_geometry(x.shape, kernel_size, stride, padding, 1, ceil_mode, op)
    if divisor_override is not None and (int(divisor_override) != divisor_override or divisor_override <= 0):
        raise ArgumentError(f"{op}: divisor_override must be a positive int, got {divisor_override!r}")
    divide = divisor_override is None
    taps = [_avg_taps(x.shape[2 + i], k[i], s[i], p[i], ceil_mode, count_include_pad, divide, x.dtype)
            for i in range(3)]
    out = resample_axes(x, taps)
    if not divide:
        out = out * (1.0 / int(divisor_override))
    return guard(undo(out), input, name="AvgPool3DBackward0")     # PyTorch's node saves the input


def _adaptive_taps(size, out, dtype):
    """The 1-D adaptive average along one axis: window ``o`` is ``[floor(o*size/out), ceil((o+1)*size/out))``."""
    o = np.arange(out)
    start = (o * size) // out
    end = -((-(o + 1) * size) // out)
    length = end - start
    indices = [np.minimum(start + j, end - 1) for j in range(int(length.max()))]
    weights = [np.where(j < length, 1.0 / length, 0.0).astype(dtype) for j in range(len(indices))]
    return Taps(indices, weights, size)


@op(method=False)
def adaptive_avg_pool3d(input, output_size):
    """Average pooling to a fixed ``output_size`` (int or triple; ``None`` keeps that input size), PyTorch's
    ``F.adaptive_avg_pool3d``. Window ``o`` along an axis covers ``[floor(o*D/OD), ceil((o+1)*D/OD))``."""
    op = "adaptive_avg_pool3d"
    x, undo = _batched3d(input, op)
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != 3:
            raise ArgumentError(f"{op}: output_size must be an int or a triple, got {output_size!r}")
        sizes = [x.shape[2 + i] if v is None else int(v) for i, v in enumerate(output_size)]
    else:
        sizes = list(ntuple(output_size, 3, "output_size", op))
    if min(sizes) <= 0 or min(x.shape[2:]) <= 0:
        raise ArgumentError(f"{op}: output_size {tuple(sizes)} and input spatial size {tuple(x.shape[2:])} must be "
                            f"positive")
    taps = [None if n == o else _adaptive_taps(n, o, x.dtype) for n, o in zip(x.shape[2:], sizes)]
    return guard(undo(resample_axes(x, taps)), input, name="AdaptiveAvgPool3DBackward0")
