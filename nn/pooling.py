"""Pooling layers: ``MaxPool1d/2d``, ``AvgPool1d/2d``, ``AdaptiveAvgPool2d`` on ``autograd_core.ops.pooling``.

Attributes and ``repr`` follow PyTorch (``MaxPool2d`` keeps ``kernel_size`` as given, ``AvgPool1d`` stores
1-tuples), and ``stride`` defaults to ``kernel_size``.
"""
from autograd_core.shapes import ntuple

from . import functional as F
from .module import Module


class _MaxPoolNd(Module):
    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")

    def _kwargs(self):
        kw = {"ceil_mode": self.ceil_mode}
        if self.return_indices:
            kw["return_indices"] = True
        return kw


class MaxPool1d(_MaxPoolNd):
    """Max over sliding windows of the last dim.

    Args:
        kernel_size: window size; stride: step (default ``kernel_size``); padding: implicit ``-inf`` padding on
            both sides; dilation: spacing of the window elements; return_indices: also return argmax positions;
            ceil_mode: round the output size up.

    Shape:
        input ``(N, C, L_in)`` or ``(C, L_in)``; output ``(N, C, L_out)`` with
        ``L_out = floor((L_in + 2 padding - dilation (kernel_size - 1) - 1) / stride + 1)``.

    Example::

        >>> nn.MaxPool1d(3, stride=2)(autograd_core.randn(20, 16, 50)).shape
        (20, 16, 24)
    """

    def forward(self, input):
        return F.max_pool1d(input, self.kernel_size, self.stride, self.padding, self.dilation, **self._kwargs())


class MaxPool2d(_MaxPoolNd):
    """Max over sliding 2-D windows.

    Args:
        kernel_size, stride (default ``kernel_size``), padding, dilation: ints or pairs; return_indices: also
            return argmax positions; ceil_mode: round the output size up.

    Shape:
        input ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)``; output ``(N, C, H_out, W_out)`` with
        ``H_out = floor((H_in + 2 padding[0] - dilation[0] (kernel_size[0] - 1) - 1) / stride[0] + 1)``.

    Example::

        >>> nn.MaxPool2d(2)(autograd_core.randn(8, 6, 24, 24)).shape
        (8, 6, 12, 12)
    """

    def forward(self, input):
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation, **self._kwargs())


class AvgPool1d(Module):
    """Average over sliding windows of the last dim.

    Args:
        kernel_size; stride (default ``kernel_size``); padding: implicit zero padding; ceil_mode: round the output
            size up; count_include_pad: count the padding zeros in the divisor.

    Shape:
        input ``(N, C, L_in)`` or ``(C, L_in)``; output ``(N, C, L_out)``,
        ``L_out = floor((L_in + 2 padding - kernel_size) / stride + 1)``.

    Example::

        >>> nn.AvgPool1d(3, stride=2)(autograd_core.randn(1, 1, 7)).shape
        (1, 1, 3)
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__()
        self.kernel_size = ntuple(kernel_size, 1, "kernel_size")
        self.stride = ntuple(stride if stride is not None else kernel_size, 1, "stride")
        self.padding = ntuple(padding, 1, "padding")
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input):
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(Module):
    """Average over sliding 2-D windows.

    Args:
        kernel_size, stride (default ``kernel_size``), padding: ints or pairs; ceil_mode: round the output size
            up; count_include_pad: count the padding zeros in the divisor; divisor_override: divide by this instead.

    Shape:
        input ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)``; output ``(N, C, H_out, W_out)`` with
        ``H_out = floor((H_in + 2 padding[0] - kernel_size[0]) / stride[0] + 1)``.

    Example::

        >>> nn.AvgPool2d(2)(autograd_core.randn(8, 6, 24, 24)).shape
        (8, 6, 12, 12)
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input):
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed output size, whatever the input size.

    Args:
        output_size: ``(H_out, W_out)``, a single int for a square, or ``None`` in a slot to keep that input size.

    Shape:
        input ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)``; output ``(N, C, H_out, W_out)``.

    Example::

        >>> nn.AdaptiveAvgPool2d((1, 1))(autograd_core.randn(8, 64, 7, 7)).shape
        (8, 64, 1, 1)
    """

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return F.adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"
