"""Pooling: ``max_pool1d/2d``, ``avg_pool1d/2d``, ``adaptive_avg_pool1d/2d``, ``adaptive_max_pool1d/2d``.

Like convolution these are hot paths with their own Functions on the numba kernels. Gradients of every order
come from adjoint pairs, each Function's backward being the other:

* max pooling  = gather of ``x`` at the argmax ``indices``: its backward is a scatter-add of ``grad`` to
  ``indices`` (:class:`MaxPoolScatterFunction`), whose backward is the gather again (:class:`MaxPoolGatherFunction`).
  The indices (PyTorch's ``return_indices`` convention: flat positions in the unpadded ``H*W`` plane) are
  kept for backward; the input is not.
* average pooling is linear: :class:`AvgPool2DFunction` and :class:`AvgPool2DBackwardFunction` are each other's
  adjoint (and so are the adaptive versions).

1-D pooling is 2-D pooling on ``(N, C, 1, L)``; unbatched inputs (``(C, H, W)``, ``(C, L)``) are accepted.
"""
import numpy as np

from .. import kernels
from ..errors import ShapeError, fmt_shape, shape_errors
from ..function import Function
from .registry import op
from ..shapes import ntuple
from ..tensor import Tensor
from .shape import squeeze, unsqueeze


# ------------------------------------------------------------------------------------------------ max pooling

class MaxPool2DWithIndicesFunction(Function):
    """Max over sliding windows; saves the int64 argmax indices (and the input, as PyTorch, whose in-place change
    before backward is then an error)."""
    label = "max_pool2d"
    derivative = "the gradient goes to the position of each window's maximum"

    def forward(self, x, params=None, indices_out=None):
        out, indices = kernels.max_pool2d_forward(x._data, *params)
        self.input_shape = x.shape
        self.save_for_backward(Tensor._make(indices), x)      # x: PyTorch's node saves the input too
        if indices_out is not None:
            indices_out.append(indices)
        return out

    def backward(self, grad):
        indices = self.saved_tensors[0]
        return MaxPoolScatterFunction.apply(grad, indices=indices._data, input_shape=self.input_shape)


class AdaptiveMaxPool2DFunction(MaxPool2DWithIndicesFunction):
    """Max over the adaptive windows ``[floor(o*H/OH), ceil((o+1)*H/OH))``; backward as max pooling."""
    label = "adaptive_max_pool2d"
    derivative = "the gradient goes to the position of each window's maximum"

    def forward(self, x, output_size=None, indices_out=None):
        out, indices = kernels.adaptive_max_pool2d_forward(x._data, output_size)
        self.input_shape = x.shape
        self.save_for_backward(Tensor._make(indices), x)      # x: PyTorch's node saves the input too
        if indices_out is not None:
            indices_out.append(indices)
        return out


class MaxPoolScatterFunction(Function):
    """``grad_in[n, c].flat[indices[n, c]] += grad[n, c]``: the gradient of max pooling."""
    label = "max_pool2d_backward"
    derivative = "the gradient is gathered back from the argmax positions"

    def forward(self, grad, indices=None, input_shape=None):
        self.indices = indices
        return kernels.max_pool2d_backward(grad._data, indices, input_shape)

    def backward(self, h):
        return MaxPoolGatherFunction.apply(h, indices=self.indices)


class MaxPoolGatherFunction(Function):
    """``out[n, c] = x[n, c].flat[indices[n, c]]`` (0 where an index is negative): the adjoint of the scatter."""
    label = "max_pool2d_gather"
    derivative = "the gradient is scattered back to the argmax positions"

    def forward(self, x, indices=None):
        self.indices, self.input_shape = indices, x.shape
        n, c = x.shape[:2]
        flat_idx = indices.reshape(n, c, -1)
        out = np.take_along_axis(x._data.reshape(n, c, -1), np.maximum(flat_idx, 0), axis=2)
        out[flat_idx < 0] = 0
        return out.reshape(indices.shape)

    def backward(self, grad):
        return MaxPoolScatterFunction.apply(grad, indices=self.indices, input_shape=self.input_shape)


# ------------------------------------------------------------------------------------------------ average pooling

class AvgPool2DFunction(Function):
    """Mean over sliding windows (zero padding, PyTorch's divisor rules); linear: the input is saved only for
    PyTorch's in-place check (changing it before backward is an error)."""
    label = "avg_pool2d"
    derivative = "each window's gradient is shared equally by its elements"

    def forward(self, x, params=None):
        self.params, self.input_shape = params, x.shape
        self.save_for_backward(x)
        return kernels.avg_pool2d_forward(x._data, *params)

    def backward(self, grad):
        self.saved_tensors        # the in-place check
        return AvgPool2DBackwardFunction.apply(grad, params=self.params, input_shape=self.input_shape)


class AvgPool2DBackwardFunction(Function):
    """Spread each output gradient evenly over its window: the adjoint of :class:`AvgPool2DFunction`."""
    label = "avg_pool2d_backward"
    derivative = "the gradient is averaged over each window again (average pooling is linear)"

    def forward(self, grad, params=None, input_shape=None):
        self.params = params
        return kernels.avg_pool2d_backward(grad._data, input_shape, *params)

    def backward(self, h):
        return AvgPool2DFunction.apply(h, params=self.params)


class AdaptiveAvgPool2DFunction(Function):
    """Mean over the adaptive windows ``[floor(o*H/OH), ceil((o+1)*H/OH))``."""
    label = "adaptive_avg_pool2d"
    derivative = "each window's gradient is shared equally by its elements"

    def forward(self, x, output_size=None):
        self.input_shape = x.shape
        if tuple(output_size) != (1, 1):   # PyTorch takes the mean for a 1x1 output (a node saving nothing)
            self.save_for_backward(x)      # for PyTorch's in-place check only
        return kernels.adaptive_avg_pool2d_forward(x._data, output_size)

    def backward(self, grad):
        self.saved_tensors
        return AdaptiveAvgPool2DBackwardFunction.apply(grad, input_shape=self.input_shape)


class AdaptiveAvgPool2DBackwardFunction(Function):
    """The adjoint of :class:`AdaptiveAvgPool2DFunction`."""
    label = "adaptive_avg_pool2d_backward"
    derivative = "the gradient is averaged over each window again (average pooling is linear)"

    def forward(self, grad, input_shape=None):
        self.output_size = grad.shape[2:]
        return kernels.adaptive_avg_pool2d_backward(grad._data, input_shape)

    def backward(self, h):
        return AdaptiveAvgPool2DFunction.apply(h, output_size=self.output_size)


# ------------------------------------------------------------------------------------------------ helpers

def _batched(input, spatial, op):
    """Check the rank; return (4-D input, undo) where undo restores the caller's rank on the output."""
    batched_ndim = spatial + 2
    if input.ndim not in (batched_ndim - 1, batched_ndim):
        names = "(N, C, L) or (C, L)" if spatial == 1 else "(N, C, H, W) or (C, H, W)"
        raise ShapeError(f"{op}: expected a {batched_ndim - 1}-D or {batched_ndim}-D input {names}, got shape "
                         f"{fmt_shape(input.shape)}")
    if input.dtype not in (np.float32, np.float64):
        raise TypeError(f"{op}: expected a float32 or float64 tensor, got {input.dtype}")
    x = input
    if input.ndim == batched_ndim - 1:
        x = unsqueeze(x, 0)
    if spatial == 1:
        x = unsqueeze(x, 2)

    def undo(t):
        if spatial == 1:
            t = squeeze(t, 2)
        return squeeze(t, 0) if input.ndim == batched_ndim - 1 else t
    return x, undo


def _default_stride(stride):
    """PyTorch's pools take ``stride=None`` or ``[]`` to mean ``kernel_size`` (None is what the kernels want)."""
    if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0):
        return None
    return stride


def _check(op, shape, check):
    """Run a kernels geometry check; its ValueError becomes a ShapeError naming the op and shape."""
    with shape_errors(op, shape):
        return check()


def _with_indices(out, indices_out, undo, return_indices):
    if not return_indices:
        return undo(out)
    return undo(out), undo(Tensor._make(indices_out[0]))


# ------------------------------------------------------------------------------------------------ public ops

@op(method=False)
def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """2-D max pooling, PyTorch's ``F.max_pool2d``.

    Args:
        input: ``(N, C, H, W)`` or ``(C, H, W)``.
        kernel_size, stride (default: ``kernel_size``), padding (implicit -inf, at most half the kernel),
            dilation: ints or pairs.
        ceil_mode: round the output size up (the last window must still start inside the input or left padding).
        return_indices: also return the int64 argmax positions, flat in each unpadded ``H*W`` plane.

    Shape:
        output ``(N, C, H_out, W_out)``, ``H_out = (H + 2 padding - dilation (k - 1) - 1) // stride + 1``.

    Example::

        >>> max_pool2d(autograd_core.randn(8, 6, 24, 24), 2).shape
        (8, 6, 12, 12)
    """
    op = "max_pool2d"
    x, undo = _batched(input, 2, op)
    stride = _default_stride(stride)
    _check(op, input.shape, lambda: kernels.pool_geometry(x.shape, kernel_size, stride, padding, dilation,
                                                          ceil_mode, op))
    indices = []
    params = (kernel_size, stride, padding, dilation, bool(ceil_mode))
    out = MaxPool2DWithIndicesFunction.apply(x, params=params, indices_out=indices)
    return _with_indices(out, indices, undo, return_indices)


@op(method=False)
def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """1-D max pooling over ``(N, C, L)`` or ``(C, L)``, PyTorch's ``F.max_pool1d`` (indices are positions in L)."""
    op = "max_pool1d"
    x, undo = _batched(input, 1, op)
    k = (1, ntuple(kernel_size, 1, "kernel_size", op)[0])
    s = None if _default_stride(stride) is None else (1, ntuple(stride, 1, "stride", op)[0])
    p = (0, ntuple(padding, 1, "padding", op)[0])
    d = (1, ntuple(dilation, 1, "dilation", op)[0])
    _check(op, input.shape, lambda: kernels.pool_geometry(x.shape, k, s, p, d, ceil_mode, op))
    indices = []
    out = MaxPool2DWithIndicesFunction.apply(x, params=(k, s, p, d, bool(ceil_mode)), indices_out=indices)
    return _with_indices(out, indices, undo, return_indices)


@op(method=False)
def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """2-D average pooling, PyTorch's ``F.avg_pool2d``.

    Args:
        input: ``(N, C, H, W)`` or ``(C, H, W)``.
        kernel_size, stride (default: ``kernel_size``), padding (zeros, at most half the kernel): ints or pairs.
        ceil_mode: round the output size up.
        count_include_pad: divide by the window size including padding (windows are still clipped to the
            padded input in ceil_mode); False divides by the number of input elements in the window.
        divisor_override: divide by this instead.

    Example::

        >>> avg_pool2d(autograd_core.randn(8, 6, 24, 24), 3, stride=2, padding=1).shape
        (8, 6, 12, 12)
    """
    op = "avg_pool2d"
    x, undo = _batched(input, 2, op)
    stride = _default_stride(stride)
    _check(op, input.shape, lambda: kernels.pool_geometry(x.shape, kernel_size, stride, padding, 1, ceil_mode, op))
    if divisor_override is not None and (int(divisor_override) != divisor_override or divisor_override <= 0):
        raise ValueError(f"{op}: divisor_override must be a positive int, got {divisor_override!r}")
    params = (kernel_size, stride, padding, bool(ceil_mode), bool(count_include_pad), divisor_override)
    return undo(AvgPool2DFunction.apply(x, params=params))


@op(method=False)
def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """1-D average pooling over ``(N, C, L)`` or ``(C, L)``, PyTorch's ``F.avg_pool1d``."""
    op = "avg_pool1d"
    x, undo = _batched(input, 1, op)
    k = (1, ntuple(kernel_size, 1, "kernel_size", op)[0])
    s = None if _default_stride(stride) is None else (1, ntuple(stride, 1, "stride", op)[0])
    p = (0, ntuple(padding, 1, "padding", op)[0])
    _check(op, input.shape, lambda: kernels.pool_geometry(x.shape, k, s, p, 1, ceil_mode, op))
    return undo(AvgPool2DFunction.apply(x, params=(k, s, p, bool(ceil_mode), bool(count_include_pad), None)))


@op(method=False)
def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed ``output_size`` (int or pair; ``None`` keeps that input size).

    Window ``o`` along an axis covers ``[floor(o*H/OH), ceil((o+1)*H/OH))`` (PyTorch's formula), so windows may
    overlap or differ in size when ``H`` is not a multiple of ``OH``.
    """
    op = "adaptive_avg_pool2d"
    x, undo = _batched(input, 2, op)
    size = _check(op, input.shape, lambda: kernels.adaptive_geometry(x.shape, output_size, op))
    return undo(AdaptiveAvgPool2DFunction.apply(x, output_size=size))


@op(method=False)
def adaptive_avg_pool1d(input, output_size):
    """Adaptive average pooling over ``(N, C, L)`` or ``(C, L)``."""
    op = "adaptive_avg_pool1d"
    x, undo = _batched(input, 1, op)
    size = _check(op, input.shape,
                  lambda: kernels.adaptive_geometry(x.shape, (1, ntuple(output_size, 1, "output_size", op)[0]), op))
    return undo(AdaptiveAvgPool2DFunction.apply(x, output_size=size))


@op(method=False)
def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling to a fixed ``output_size`` (int or pair); windows as in :func:`adaptive_avg_pool2d`."""
    op = "adaptive_max_pool2d"
    x, undo = _batched(input, 2, op)
    size = _check(op, input.shape, lambda: kernels.adaptive_geometry(x.shape, output_size, op))
    indices = []
    out = AdaptiveMaxPool2DFunction.apply(x, output_size=size, indices_out=indices)
    return _with_indices(out, indices, undo, return_indices)


@op(method=False)
def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Adaptive max pooling over ``(N, C, L)`` or ``(C, L)``."""
    op = "adaptive_max_pool1d"
    x, undo = _batched(input, 1, op)
    size = _check(op, input.shape,
                  lambda: kernels.adaptive_geometry(x.shape, (1, ntuple(output_size, 1, "output_size", op)[0]), op))
    indices = []
    out = AdaptiveMaxPool2DFunction.apply(x, output_size=size, indices_out=indices)
    return _with_indices(out, indices, undo, return_indices)
