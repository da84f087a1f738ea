"""Pooling layers: ``MaxPool1d/2d/3d``, ``AvgPool1d/2d/3d``, ``AdaptiveAvgPool1d/2d/3d``, ``AdaptiveMaxPool1d/2d``
on ``autograd_core.ops.pooling`` / ``pooling3d`` (``MaxUnpool``, ``LPPool`` and ``FractionalMaxPool`` are in
``nn/pooling_variants.py``).

Attributes and ``repr`` follow PyTorch (``MaxPool2d`` keeps ``kernel_size`` as given, ``AvgPool1d`` stores
1-tuples), and ``stride`` defaults to ``kernel_size``. The window arguments are checked at construction
(:func:`check_window`): PyTorch checks them at the first forward, with the same rules.
"""
import numbers

from autograd_core.errors import ArgumentError
from autograd_core.shapes import ntuple

from . import functional as F
from .module import Module


def check_window(module, dims, kernel_size, stride=None, padding=0, dilation=1):
    """PyTorch's pooling-window rules, checked when the layer is built: positive kernel_size, stride and dilation,
    non-negative padding at most half the kernel (ints or tuples of ``dims`` ints)."""
    name = type(module).__name__
    values = {}
    for arg, value in (("kernel_size", kernel_size), ("stride", stride), ("padding", padding),
                       ("dilation", dilation)):
        if value is None or (isinstance(value, (tuple, list)) and len(value) == 0):
            continue     # stride: default kernel_size
        seq = tuple(value) if isinstance(value, (tuple, list)) else (value,) * dims
        if len(seq) not in (1, dims) or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool)
                                                for v in seq):
            raise TypeError(f"{name}: {arg} must be an int or a tuple of {dims} ints, got {arg}={value!r}")
        values[arg] = seq * dims if len(seq) == 1 else seq
    for arg in ("kernel_size", "stride", "dilation"):
        if arg in values and min(values[arg]) <= 0:
            raise ArgumentError(f"{name}: {arg} must be greater than zero, got {arg}={values[arg]}")
    pad = values.get("padding", (0,) * dims)
    if min(pad) < 0:
        raise ArgumentError(f"{name}: padding must be non-negative, got padding={pad}")
    if any(p > k // 2 for p, k in zip(pad, values["kernel_size"])):
        raise ArgumentError(f"{name}: pad should be at most half of effective kernel size, but got "
                            f"padding={pad} and kernel_size={values['kernel_size']}")


class _MaxPoolNd(Module):
    _dims = 2

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__()
        check_window(self, self._dims, kernel_size, stride, padding, dilation)
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
    _dims = 1

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
        check_window(self, 1, kernel_size, stride, padding)
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


class _AvgPoolNd(Module):
    _dims = 2

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__()
        check_window(self, self._dims, kernel_size, stride, padding)
        if divisor_override is not None and (not isinstance(divisor_override, numbers.Integral)
                                             or divisor_override <= 0):
            raise ArgumentError(f"{type(self).__name__}: divisor_override must be a positive int, got "
                                f"divisor_override={divisor_override!r}")
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(_AvgPoolNd):
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

    def forward(self, input):
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)


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


class MaxPool3d(_MaxPoolNd):
    """Max over sliding 3-D windows.

    Args:
        kernel_size, stride (default ``kernel_size``), padding, dilation: ints or triples; return_indices: also
            return argmax positions (flat in ``D*H*W``, for :class:`MaxUnpool3d`); ceil_mode: round the output
            size up.

    Shape:
        input ``(N, C, D_in, H_in, W_in)`` or ``(C, D_in, H_in, W_in)``; output ``(N, C, D_out, H_out, W_out)``,
        each ``floor((size + 2 padding - dilation (kernel_size - 1) - 1) / stride + 1)``.

    Example::

        >>> nn.MaxPool3d(2)(autograd_core.randn(1, 4, 8, 8, 8)).shape
        (1, 4, 4, 4, 4)
    """
    _dims = 3

    def forward(self, input):
        return F.max_pool3d(input, self.kernel_size, self.stride, self.padding, self.dilation, **self._kwargs())


class AvgPool3d(_AvgPoolNd):
    """Average over sliding 3-D windows.

    Args:
        kernel_size, stride (default ``kernel_size``), padding: ints or triples; ceil_mode, count_include_pad,
            divisor_override: as in :class:`AvgPool2d`.

    Shape:
        input ``(N, C, D_in, H_in, W_in)`` or ``(C, D_in, H_in, W_in)``; output ``(N, C, D_out, H_out, W_out)``,
        each ``floor((size + 2 padding - kernel_size) / stride + 1)``.

    Example::

        >>> nn.AvgPool3d(2)(autograd_core.randn(1, 4, 8, 8, 8)).shape
        (1, 4, 4, 4, 4)
    """
    _dims = 3

    def forward(self, input):
        return F.avg_pool3d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)


class _AdaptivePool(Module):
    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptivePool):
    """Average pooling of the last dim to a fixed length, whatever the input length.

    Args:
        output_size: the output length ``L_out``.

    Shape:
        input ``(N, C, L_in)`` or ``(C, L_in)``; output ``(N, C, L_out)``; window ``o`` covers
        ``[floor(o L_in / L_out), ceil((o + 1) L_in / L_out))``.

    Example::

        >>> nn.AdaptiveAvgPool1d(5)(autograd_core.randn(1, 64, 8)).shape
        (1, 64, 5)
    """

    def forward(self, input):
        return F.adaptive_avg_pool1d(input, self.output_size)


class AdaptiveAvgPool3d(_AdaptivePool):
    """Average pooling to a fixed ``(D_out, H_out, W_out)``, whatever the input size.

    Args:
        output_size: a triple, a single int for a cube, or ``None`` in a slot to keep that input size.

    Shape:
        input ``(N, C, D_in, H_in, W_in)`` or ``(C, D_in, H_in, W_in)``; output ``(N, C, D_out, H_out, W_out)``.

    Example::

        >>> nn.AdaptiveAvgPool3d((1, None, 2))(autograd_core.randn(1, 4, 5, 6, 7)).shape
        (1, 4, 1, 6, 2)
    """

    def forward(self, input):
        return F.adaptive_avg_pool3d(input, self.output_size)


class _AdaptiveMaxPool(_AdaptivePool):
    def __init__(self, output_size, return_indices=False):
        super().__init__(output_size)
        self.return_indices = return_indices


class AdaptiveMaxPool1d(_AdaptiveMaxPool):
    """Max pooling of the last dim to a fixed length, whatever the input length.

    Args:
        output_size: the output length ``L_out``; return_indices: also return the argmax positions.

    Shape:
        input ``(N, C, L_in)`` or ``(C, L_in)``; output ``(N, C, L_out)``.

    Example::

        >>> nn.AdaptiveMaxPool1d(5)(autograd_core.randn(1, 64, 8)).shape
        (1, 64, 5)
    """

    def forward(self, input):
        return F.adaptive_max_pool1d(input, self.output_size, self.return_indices)


class AdaptiveMaxPool2d(_AdaptiveMaxPool):
    """Max pooling to a fixed ``(H_out, W_out)``, whatever the input size.

    Args:
        output_size: a pair, a single int for a square, or ``None`` in a slot to keep that input size;
        return_indices: also return the argmax positions (flat in ``H*W``).

    Shape:
        input ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)``; output ``(N, C, H_out, W_out)``.

    Example::

        >>> nn.AdaptiveMaxPool2d((5, 7))(autograd_core.randn(1, 64, 8, 9)).shape
        (1, 64, 5, 7)
    """

    def forward(self, input):
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)
