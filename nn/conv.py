"""Convolution layers ``Conv1d/2d/3d`` (cross-correlation, as in PyTorch) and the transposed convolutions
``ConvTranspose1d/2d/3d``, on ``autograd_core.ops.conv`` and ``autograd_core.ops.conv_transpose``.

Arguments, attribute names, default initialization and ``repr`` follow ``torch.nn.Conv*d``/``ConvTranspose*d``,
so a PyTorch ``state_dict`` loads unchanged. ``padding`` may be an int, a tuple, ``'valid'`` or ``'same'``
(convolutions only); ``padding_mode`` may be ``'zeros'`` (default), ``'reflect'``, ``'replicate'`` or
``'circular'`` (the input is then padded with ``F.pad`` and the convolution itself runs without padding, as PyTorch
does; transposed convolutions take ``'zeros'`` only).

Arguments are checked at construction: PyTorch's own checks (``groups``, the padding string, ``padding_mode``)
with its messages, and the ones PyTorch leaves to the first forward or to the weight's allocation (non-positive
kernel_size / stride / dilation, negative padding or channels, ``output_padding`` not smaller than stride or
dilation) raise :class:`~autograd_core.errors.ArgumentError`, a ``ValueError`` and ``RuntimeError`` both.
"""
import math
import numbers

from autograd_core.errors import ArgumentError, ShapeError, fmt_shape
from autograd_core.ops.conv_transpose import check_transposed_args

from . import functional as F
from . import init
from .linear import _empty_param, _register_bias
from .module import Module

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
_SPATIAL = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}


def _int_tuple(value, n, name, where):
    """An int or a sequence of ``n`` ints (PyTorch's ``_pair``/``_triple``), rejecting floats with TypeError."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * n
    if not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in values):
        raise TypeError(f"{where}: {name} must be an int or a tuple of {n} ints, got {name}={value!r}")
    if len(values) != n:
        raise ValueError(f"{where}: {name} must be an int or a tuple of {n} ints, got {name}={value!r}")
    return tuple(int(v) for v in values)


class _ConvNd(Module):
    _dims = 2
    transposed = False

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
                 padding_mode="zeros", device=None, dtype=None):
        self._build(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode,
                    device, dtype, output_padding=0)

    def _build(self, in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode,
               device, dtype, output_padding):
        """The constructor of both kinds (``output_padding`` is the transposed convolutions' own argument)."""
        Module.__init__(self)
        n = self._dims
        name = type(self).__name__
        # PyTorch's checks, in its order, with its messages
        if groups <= 0:
            raise ValueError(f"groups must be a positive integer, got groups={groups!r}")
        if in_channels % groups != 0:
            raise ValueError(f"in_channels must be divisible by groups, got in_channels={in_channels}, "
                             f"groups={groups}")
        if out_channels % groups != 0:
            raise ValueError(f"out_channels must be divisible by groups, got out_channels={out_channels}, "
                             f"groups={groups}")
        if isinstance(padding, str):
            if self.transposed:
                raise ValueError(f"{name}: padding must be an int or a tuple of {n} ints, got padding={padding!r}")
            if padding not in ("valid", "same"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of ['valid', 'same']")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {list(_PADDING_MODES)}, but got "
                             f"padding_mode='{padding_mode}'")
        # ...and, at construction, the checks PyTorch makes when the weight is created or the layer first runs
        for arg, value in (("in_channels", in_channels), ("out_channels", out_channels)):
            if not isinstance(value, numbers.Integral) or isinstance(value, bool):
                raise TypeError(f"{name}: {arg} must be an int, got {arg}={value!r}")
            if value < 0:
                raise ArgumentError(f"{name}: {arg} must be non-negative, got {arg}={value}")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _int_tuple(kernel_size, n, "kernel_size", name)
        self.stride = _int_tuple(stride, n, "stride", name)
        self.dilation = _int_tuple(dilation, n, "dilation", name)
        for arg in ("kernel_size", "stride", "dilation"):
            if min(getattr(self, arg)) <= 0:
                raise ArgumentError(f"{name}: {arg} must be positive, got {arg}={getattr(self, arg)}")
        if isinstance(padding, str):
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError(f"padding='same' is not supported for strided convolutions, got stride={stride}")
            self.padding = padding
        else:
            self.padding = _int_tuple(padding, n, "padding", name)
            if min(self.padding) < 0:
                raise ArgumentError(f"{name}: padding must be non-negative, got padding={self.padding}")
        self.output_padding = _int_tuple(output_padding, n, "output_padding", name)
        if self.transposed:
            check_transposed_args(name, n, self.stride, self.padding, self.output_padding, self.dilation)
        self.groups = groups
        self.padding_mode = padding_mode
        self._reversed_padding_repeated_twice = self._f_pad_widths()
        shape = ((in_channels, out_channels // groups) if self.transposed
                 else (out_channels, in_channels // groups)) + self.kernel_size
        self.weight = _empty_param(shape, dtype, device)
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
        raise NotImplementedError(f"{type(self).__name__} must define _conv (Conv1d/Conv2d/Conv3d do)")

    def _check_input(self, input):
        n = self._dims
        if input.ndim not in (n + 1, n + 2) or input.shape[-n - 1] != self.in_channels:
            spatial = ", ".join(_SPATIAL[n])
            raise ShapeError(f"{type(self).__name__}: expected an input of shape (N, {self.in_channels}, {spatial}) "
                             f"or ({self.in_channels}, {spatial}), got {fmt_shape(input.shape)}")

    def forward(self, input):
        self._check_input(input)
        n = self._dims
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
        if self.output_padding != (0,) * n:
            s += f", output_padding={self.output_padding}"
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


class Conv3d(_ConvNd):
    """3-D convolution over an input of several channels (volumes, video clips).

    Args:
        in_channels, out_channels: channels of the input and of the output.
        kernel_size, stride, padding, dilation: ints or triples; ``padding`` may also be ``'valid'``/``'same'``.
        groups: split the channels into this many independent convolutions.
        bias: learn a per-output-channel bias (default True).
        padding_mode: ``'zeros'``, ``'reflect'``, ``'replicate'`` or ``'circular'``.

    Shape:
        input ``(N, C_in, D_in, H_in, W_in)`` or ``(C_in, D_in, H_in, W_in)``; output
        ``(N, C_out, D_out, H_out, W_out)``, each
        ``floor((size + 2 padding - dilation (kernel - 1) - 1) / stride + 1)``.

    Attributes:
        weight ``(out_channels, in_channels / groups, kD, kH, kW)`` and bias ``(out_channels,)``, initialized from
        U(-1/sqrt(fan_in), 1/sqrt(fan_in)), ``fan_in = in_channels / groups * kD * kH * kW``.

    Example::

        >>> m = nn.Conv3d(2, 4, 3, padding=1)
        >>> m(autograd_core.randn(1, 2, 8, 8, 8)).shape
        (1, 4, 8, 8, 8)
    """
    _dims = 3

    def _conv(self, input, weight, bias, stride, padding, dilation, groups):
        return F.conv3d(input, weight, bias, stride, padding, dilation, groups)


class _ConvTransposeNd(_ConvNd):
    transposed = True

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        self._build(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode,
                    device, dtype, output_padding)

    def _output_padding(self, input, output_size):
        """``output_padding``, or the one that gives ``output_size`` (PyTorch's rule: any size from the minimum
        ``(in - 1) stride - 2 padding + dilation (k - 1) + 1`` to the minimum plus ``stride - 1``)."""
        if output_size is None:
            return self.output_padding
        n = self._dims
        output_size = [int(v) for v in output_size]
        non_spatial = 2 if input.ndim == n + 2 else 1
        if len(output_size) == non_spatial + n:
            output_size = output_size[non_spatial:]
        if len(output_size) != n:
            raise ValueError(f"ConvTranspose{n}D: for {input.ndim}D input, output_size must have {n} or "
                             f"{non_spatial + n} elements (got {len(output_size)})")
        spatial = input.shape[input.ndim - n:]
        min_sizes = [(spatial[d] - 1) * self.stride[d] - 2 * self.padding[d]
                     + self.dilation[d] * (self.kernel_size[d] - 1) + 1 for d in range(n)]
        max_sizes = [m + s - 1 for m, s in zip(min_sizes, self.stride)]
        for size, lo, hi in zip(output_size, min_sizes, max_sizes):
            if size < lo or size > hi:
                raise ValueError(f"requested an output size of {output_size}, but valid sizes range from {min_sizes} "
                                 f"to {max_sizes} (for an input of {tuple(spatial)})")
        return tuple(size - lo for size, lo in zip(output_size, min_sizes))

    def forward(self, input, output_size=None):
        self._check_input(input)
        output_padding = self._output_padding(input, output_size)
        return self._conv_transpose(input, self.weight, self.bias, self.stride, self.padding, output_padding,
                                    self.groups, self.dilation)

    def _conv_transpose(self, *args):
        raise NotImplementedError(f"{type(self).__name__} must define _conv_transpose")


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution ("deconvolution"): the gradient of ``Conv1d`` with respect to its input.

    Args:
        in_channels, out_channels: channels of the input and of the output.
        kernel_size, stride, padding, output_padding, dilation: ints or 1-tuples; ``output_padding`` (smaller than
            the stride or the dilation) adds size to one side of the output.
        groups, bias: as in :class:`Conv1d`; padding_mode: ``'zeros'`` only.

    Shape:
        input ``(N, C_in, L_in)`` or ``(C_in, L_in)``; output ``(N, C_out, L_out)`` with
        ``L_out = (L_in - 1) stride - 2 padding + dilation (kernel_size - 1) + output_padding + 1``;
        ``forward(input, output_size)`` picks the output_padding that gives ``output_size``.

    Attributes:
        weight ``(in_channels, out_channels / groups, kernel_size)`` and bias ``(out_channels,)``, initialized from
        U(-1/sqrt(fan_in), 1/sqrt(fan_in)), ``fan_in = out_channels / groups * kernel_size``.

    Example::

        >>> m = nn.ConvTranspose1d(16, 8, 4, stride=2, padding=1)
        >>> m(autograd_core.randn(2, 16, 25)).shape
        (2, 8, 50)
    """
    _dims = 1

    def _conv_transpose(self, *args):
        return F.conv_transpose1d(*args)


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution ("deconvolution"): the gradient of ``Conv2d`` with respect to its input, the
    upsampling layer of decoders and GAN generators.

    Args:
        in_channels, out_channels: channels of the input and of the output.
        kernel_size, stride, padding, output_padding, dilation: ints or pairs; ``output_padding`` (smaller than
            the stride or the dilation) adds size to one side of each output dim.
        groups, bias: as in :class:`Conv2d`; padding_mode: ``'zeros'`` only.

    Shape:
        input ``(N, C_in, H_in, W_in)`` or ``(C_in, H_in, W_in)``; output ``(N, C_out, H_out, W_out)`` with
        ``H_out = (H_in - 1) stride[0] - 2 padding[0] + dilation[0] (kernel_size[0] - 1) + output_padding[0] + 1``;
        ``forward(input, output_size)`` picks the output_padding that gives ``output_size``.

    Attributes:
        weight ``(in_channels, out_channels / groups, kH, kW)`` and bias ``(out_channels,)``, initialized from
        U(-1/sqrt(fan_in), 1/sqrt(fan_in)), ``fan_in = out_channels / groups * kH * kW``.

    Example::

        >>> m = nn.ConvTranspose2d(64, 32, 4, stride=2, padding=1)
        >>> m(autograd_core.randn(8, 64, 7, 7)).shape
        (8, 32, 14, 14)
    """
    _dims = 2

    def _conv_transpose(self, *args):
        return F.conv_transpose2d(*args)


class ConvTranspose3d(_ConvTransposeNd):
    """3-D transposed convolution: the gradient of ``Conv3d`` with respect to its input.

    Args:
        as :class:`ConvTranspose2d`, with triples.

    Shape:
        input ``(N, C_in, D_in, H_in, W_in)`` or ``(C_in, D_in, H_in, W_in)``; output
        ``(N, C_out, D_out, H_out, W_out)``, each ``(size - 1) stride - 2 padding + dilation (kernel - 1) +
        output_padding + 1``.

    Attributes:
        weight ``(in_channels, out_channels / groups, kD, kH, kW)`` and bias ``(out_channels,)``.

    Example::

        >>> nn.ConvTranspose3d(4, 2, 2, stride=2)(autograd_core.randn(1, 4, 3, 3, 3)).shape
        (1, 2, 6, 6, 6)
    """
    _dims = 3

    def _conv_transpose(self, *args):
        return F.conv_transpose3d(*args)
