"""``LocallyConnected2d``: a convolution whose filters are NOT shared across positions (an "unshared convolution").

Every output position ``(i, j)`` has its own filter bank, so the layer keeps a convolution's local receptive
fields but gives up translation equivariance (useful when different image regions need different detectors, e.g.
aligned faces). It has ``out_h * out_w`` times the parameters of the matching ``Conv2d``.

Computation: ``F.unfold`` extracts the ``L = out_h * out_w`` input patches, ``(N, C*kH*kW, L)``; a batched matmul
over positions applies each position's own ``(out_channels, C*kH*kW)`` matrix.
"""
import math

from autograd_core.errors import ShapeError, fmt_shape
from autograd_core.shapes import ntuple

from . import functional as F
from . import init
from .linear import _empty_param, _register_bias
from .module import Module


class LocallyConnected2d(Module):
    """Unshared 2-D convolution over an input of a fixed spatial size.

    Args:
        in_channels, out_channels: channels of the input and of the output.
        input_size: ``(H, W)`` of the input (the number of filters depends on it).
        kernel_size, stride, padding, dilation: ints or pairs, as in :class:`Conv2d`.
        bias: learn a bias per output channel AND position (default True).

    Shape:
        input ``(N, in_channels, H, W)``; output ``(N, out_channels, out_h, out_w)`` with Conv2d's output size.

    Attributes:
        weight ``(out_h, out_w, out_channels, in_channels, kH, kW)`` and bias ``(out_channels, out_h, out_w)``,
        from U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with ``fan_in = in_channels * kH * kW`` (Conv2d's default).

    Example::

        >>> m = nn.LocallyConnected2d(3, 8, input_size=(12, 12), kernel_size=3)
        >>> m(autograd_core.randn(4, 3, 12, 12)).shape
        (4, 8, 10, 10)
    """

    def __init__(self, in_channels, out_channels, input_size, kernel_size, stride=1, padding=0, dilation=1,
                 bias=True, device=None, dtype=None):
        super().__init__()
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.input_size = ntuple(input_size, 2, "input_size")
        self.kernel_size = ntuple(kernel_size, 2, "kernel_size")
        self.stride = ntuple(stride, 2, "stride")
        self.padding = ntuple(padding, 2, "padding")
        self.dilation = ntuple(dilation, 2, "dilation")
        self.output_size = tuple(
            (n + 2 * p - d * (k - 1) - 1) // s + 1
            for n, k, s, p, d in zip(self.input_size, self.kernel_size, self.stride, self.padding, self.dilation))
        if min(self.output_size) <= 0:
            raise ValueError(f"LocallyConnected2d: input_size {self.input_size} is too small for kernel_size "
                             f"{self.kernel_size} (dilation {self.dilation}, padding {self.padding})")
        oh, ow = self.output_size
        self.weight = _empty_param((oh, ow, out_channels, in_channels) + self.kernel_size, dtype, device)
        _register_bias(self, bias, (out_channels, oh, ow), dtype, device)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1.0 / math.sqrt(self.in_channels * self.kernel_size[0] * self.kernel_size[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        expected = (self.in_channels,) + self.input_size
        if input.ndim != 4 or input.shape[1:] != expected:
            raise ShapeError(f"LocallyConnected2d: expected an input of shape (N, {', '.join(map(str, expected))}), "
                             f"got {fmt_shape(input.shape)}")
        n = input.shape[0]
        oh, ow = self.output_size
        cols = F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)   # (N, K, L)
        w = self.weight.reshape(oh * ow, self.out_channels, -1)                             # (L, O, K)
        out = cols.permute(2, 0, 1) @ w.transpose(1, 2)                                      # (L, N, O)
        out = out.permute(1, 2, 0).reshape(n, self.out_channels, oh, ow)
        if self.bias is not None:
            out = out + self.bias
        return out

    def extra_repr(self):
        s = (f"{self.in_channels}, {self.out_channels}, input_size={self.input_size}, "
             f"kernel_size={self.kernel_size}, stride={self.stride}")
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.bias is None:
            s += ", bias=False"
        return s
