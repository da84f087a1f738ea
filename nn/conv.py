"""Convolution layers ``Conv1d`` and ``Conv2d`` (cross-correlation, as in PyTorch) on ``autograd_core.ops.conv``.

Arguments, attribute names, default initialization and ``repr`` follow ``torch.nn.Conv1d/Conv2d``, so a PyTorch
``state_dict`` loads unchanged. ``padding`` may be an int, a tuple, ``'valid'`` or ``'same'``; ``padding_mode``
may be ``'zeros'`` (default), ``'reflect'``, ``'replicate'`` or ``'circular'`` (the input is then padded with
``F.pad`` and the convolution itself runs without padding, as PyTorch does).
"""
import math

from autograd_core.errors import ShapeError, fmt_shape
from autograd_core.shapes import ntuple

from . import functional as F
from . import init
from .linear import _empty_param, _register_bias
from .module import Module

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    _dims = 2

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
                 padding_mode="zeros", device=None, dtype=None):
        super().__init__()
        n = self._dims
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {list(_PADDING_MODES)}, but got "
                             f"padding_mode='{padding_mode}'")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = ntuple(kernel_size, n, "kernel_size")
        self.stride = ntuple(stride, n, "stride")
        self.dilation = ntuple(dilation, n, "dilation")
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of ['valid', 'same']")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
            self.padding = padding
        else:
            self.padding = ntuple(padding, n, "padding")
        self.output_padding = (0,) * n
        self.transposed = False
        self.groups = groups
        self.padding_mode = padding_mode
        self._reversed_padding_repeated_twice = self._f_pad_widths()
        self.weight = _empty_param((out_channels, in_channels // groups) + self.kernel_size, dtype, device)
        _register_bias(self, bias, (out_channels,), dtype, device)
        self.reset_parameters()

    def _f_pad_widths(self):
        """Padding as ``F.pad`` widths, last dim first (``'same'`` puts an odd extra pixel on the right)."""
        widths = []
        for d in reversed(range(self._dims)):
            if self.padding == "valid":
                lo = hi = 0
            elif self.padding == "same":
                total = self.dilation[d] * (self.kernel_size[d] - 1)
                lo, hi = total // 2, total - total // 2
            else:
                lo = hi = self.padding[d]
            widths += [lo, hi]
        return widths

    def reset_parameters(self):
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1.0 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def _conv(self, input, weight, bias, stride, padding, dilation, groups):
        raise NotImplementedError(f"{type(self).__name__} must define _conv (Conv1d/Conv2d do)")

    def forward(self, input):
        n = self._dims
        if input.ndim not in (n + 1, n + 2) or input.shape[-n - 1] != self.in_channels:
            spatial = ("L",) if n == 1 else ("H", "W")
            raise ShapeError(f"{type(self).__name__}: expected an input of shape (N, {self.in_channels}, "
                             f"{', '.join(spatial)}) or ({self.in_channels}, {', '.join(spatial)}), got "
                             f"{fmt_shape(input.shape)}")
        unbatched = input.ndim == n + 1
        if unbatched:
            input = input.unsqueeze(0)
        widths = self._reversed_padding_repeated_twice
        if self.padding_mode != "zeros" or (any(widths) and widths[0::2] != widths[1::2]):
            mode = "constant" if self.padding_mode == "zeros" else self.padding_mode
            input = F.pad(input, widths, mode=mode)
            padding = 0
        else:
            padding = tuple(reversed(widths[0::2]))
        out = self._conv(input, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)
        return out.squeeze(0) if unbatched else out

    def extra_repr(self):
        n = self._dims
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * n:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv1d(_ConvNd):
    """1-D convolution over an input of several channels.

    Args:
        in_channels, out_channels: channels of the input and of the output.
        kernel_size, stride, padding, dilation: ints or 1-tuples; ``padding`` may also be ``'valid'``/``'same'``.
        groups: split the channels into this many independent convolutions.
        bias: learn a per-output-channel bias (default True).
        padding_mode: ``'zeros'``, ``'reflect'``, ``'replicate'`` or ``'circular'``.

    Shape:
        input ``(N, C_in, L_in)`` or ``(C_in, L_in)``; output ``(N, C_out, L_out)`` with
        ``L_out = floor((L_in + 2 padding - dilation (kernel_size - 1) - 1) / stride + 1)``.

    Attributes:
        weight ``(out_channels, in_channels / groups, kernel_size)`` and bias ``(out_channels,)``, initialized
        from U(-1/sqrt(fan_in), 1/sqrt(fan_in)), ``fan_in = in_channels / groups * kernel_size``.

    Example::

        >>> m = nn.Conv1d(16, 33, 3, stride=2)
        >>> m(autograd_core.randn(20, 16, 50)).shape
        (20, 33, 24)
    """
    _dims = 1

    def _conv(self, input, weight, bias, stride, padding, dilation, groups):
        return F.conv1d(input, weight, bias, stride, padding, dilation, groups)


class Conv2d(_ConvNd):
    """2-D convolution over an input of several channels.

    Args:
        in_channels, out_channels: channels of the input and of the output.
        kernel_size, stride, padding, dilation: ints or pairs; ``padding`` may also be ``'valid'``/``'same'``.
        groups: split the channels into this many independent convolutions.
        bias: learn a per-output-channel bias (default True).
        padding_mode: ``'zeros'``, ``'reflect'``, ``'replicate'`` or ``'circular'``.

    Shape:
        input ``(N, C_in, H_in, W_in)`` or ``(C_in, H_in, W_in)``; output ``(N, C_out, H_out, W_out)`` with
        ``H_out = floor((H_in + 2 padding[0] - dilation[0] (kernel_size[0] - 1) - 1) / stride[0] + 1)``.

    Attributes:
        weight ``(out_channels, in_channels / groups, kH, kW)`` and bias ``(out_channels,)``, initialized from
        U(-1/sqrt(fan_in), 1/sqrt(fan_in)), ``fan_in = in_channels / groups * kH * kW``.

    Example::

        >>> m = nn.Conv2d(1, 6, 5)
        >>> m(autograd_core.randn(8, 1, 28, 28)).shape
        (8, 6, 24, 24)
    """
    _dims = 2

    def _conv(self, input, weight, bias, stride, padding, dilation, groups):
        return F.conv2d(input, weight, bias, stride, padding, dilation, groups)
