"""Pooling layers beyond max and average: ``MaxUnpool1d/2d/3d``, ``LPPool1d/2d/3d``, ``FractionalMaxPool2d/3d``,
on ``autograd_core.ops.pooling_variants``. Attributes, ``repr`` and ``state_dict`` follow PyTorch."""
from autograd_core.errors import ArgumentError

from . import functional as F
from .module import Module
from .pooling import check_window


def _tuple(value, n):
    """PyTorch's ``_ntuple``: a sequence as a tuple, anything else repeated ``n`` times."""
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * n


class _MaxUnpoolNd(Module):
    _dims = 2

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        n = self._dims
        self.kernel_size = _tuple(kernel_size, n)
        self.stride = _tuple(stride if stride is not None else kernel_size, n)
        self.padding = _tuple(padding, n)
        for arg in ("kernel_size", "stride"):
            if min(getattr(self, arg)) <= 0:
                raise ArgumentError(f"{type(self).__name__}: {arg} must be greater than zero, got "
                                    f"{arg}={getattr(self, arg)}")
        if min(self.padding) < 0:
            raise ArgumentError(f"{type(self).__name__}: padding must be non-negative, got padding={self.padding}")

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """Partial inverse of :class:`MaxPool1d`: each value goes back to the position of its maximum, zeros elsewhere.

    Args:
        kernel_size, stride (default ``kernel_size``), padding: those of the max pooling being inverted.

    Shape:
        ``forward(input, indices, output_size=None)``: input and indices ``(N, C, L_in)`` or ``(C, L_in)``
        (``MaxPool1d(return_indices=True)``'s pair); output ``(N, C, L_out)``,
        ``L_out = (L_in - 1) stride - 2 padding + kernel_size``, or ``output_size``.

    Example::

        >>> pool, unpool = nn.MaxPool1d(2, return_indices=True), nn.MaxUnpool1d(2)
        >>> unpool(*pool(autograd_core.randn(1, 1, 8))).shape
        (1, 1, 8)
    """
    _dims = 1

    def forward(self, input, indices, output_size=None):
        return F.max_unpool1d(input, indices, self.kernel_size, self.stride, self.padding, output_size)


class MaxUnpool2d(_MaxUnpoolNd):
    """Partial inverse of :class:`MaxPool2d`: each value goes back to the position of its maximum, zeros elsewhere.

    Args:
        kernel_size, stride (default ``kernel_size``), padding: those of the max pooling being inverted.

    Shape:
        ``forward(input, indices, output_size=None)``: input and indices ``(N, C, H_in, W_in)`` or
        ``(C, H_in, W_in)``; output ``(N, C, H_out, W_out)``,
        ``H_out = (H_in - 1) stride[0] - 2 padding[0] + kernel_size[0]``, or ``output_size`` (which resolves the
        sizes a strided pooling maps to the same size).

    Example::

        >>> pool, unpool = nn.MaxPool2d(2, return_indices=True), nn.MaxUnpool2d(2)
        >>> out, indices = pool(autograd_core.randn(1, 1, 5, 5))
        >>> unpool(out, indices, output_size=(5, 5)).shape
        (1, 1, 5, 5)
    """
    _dims = 2

    def forward(self, input, indices, output_size=None):
        return F.max_unpool2d(input, indices, self.kernel_size, self.stride, self.padding, output_size)


class MaxUnpool3d(_MaxUnpoolNd):
    """Partial inverse of :class:`MaxPool3d` (indices flat in ``D*H*W``); see :class:`MaxUnpool2d`."""
    _dims = 3

    def forward(self, input, indices, output_size=None):
        return F.max_unpool3d(input, indices, self.kernel_size, self.stride, self.padding, output_size)


class _LPPoolNd(Module):
    _dims = 2

    def __init__(self, norm_type, kernel_size, stride=None, ceil_mode=False):
        super().__init__()
        check_window(self, self._dims, kernel_size, stride)
        if norm_type == 0:
            raise ArgumentError(f"{type(self).__name__}: norm_type must be non-zero, got norm_type={norm_type}")
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def extra_repr(self):
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, "
                f"ceil_mode={self.ceil_mode}")


class LPPool1d(_LPPoolNd):
    """Power-average pooling over the last dim: ``(Σ_window x^p)^(1/p)`` (``p = 1``: sum pooling, ``p = inf``: max
    pooling of ``|x|``).

    Args:
        norm_type: ``p``; kernel_size; stride (default ``kernel_size``); ceil_mode: round the output size up.

    Shape:
        input ``(N, C, L_in)`` or ``(C, L_in)``; output ``(N, C, L_out)``,
        ``L_out = floor((L_in - kernel_size) / stride + 1)``.

    Example::

        >>> nn.LPPool1d(2, 3, stride=2)(autograd_core.randn(20, 16, 50)).shape
        (20, 16, 24)
    """
    _dims = 1

    def forward(self, input):
        return F.lp_pool1d(input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode)


class LPPool2d(_LPPoolNd):
    """Power-average pooling over 2-D windows: ``(Σ_window x^p)^(1/p)``.

    Args:
        norm_type: ``p``; kernel_size, stride (default ``kernel_size``): ints or pairs; ceil_mode.

    Shape:
        input ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)``; output ``(N, C, H_out, W_out)``,
        ``H_out = floor((H_in - kernel_size[0]) / stride[0] + 1)``.

    Example::

        >>> nn.LPPool2d(2, 3, stride=2)(autograd_core.randn(20, 16, 50, 32)).shape
        (20, 16, 24, 15)
    """
    _dims = 2

    def forward(self, input):
        return F.lp_pool2d(input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode)


class LPPool3d(_LPPoolNd):
    """Power-average pooling over 3-D windows: ``(Σ_window x^p)^(1/p)``; see :class:`LPPool2d`."""
    _dims = 3

    def forward(self, input):
        return F.lp_pool3d(input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode)


class _FractionalMaxPoolNd(Module):
    _dims = 2

    def __init__(self, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                 _random_samples=None):
        super().__init__()
        n, name = self._dims, type(self).__name__
        if min(_tuple(kernel_size, n)) <= 0:
            raise ValueError(f"kernel_size must be greater than 0, but got {kernel_size}")
        self.kernel_size = _tuple(kernel_size, n)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = _tuple(output_size, n) if output_size is not None else None
        self.output_ratio = _tuple(output_ratio, n) if output_ratio is not None else None
        if output_size is None and output_ratio is None:
            raise ValueError(f"{name} requires specifying either an output size, or a pooling ratio")
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not all(0 < r < 1 for r in self.output_ratio):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """Fractional max pooling (Graham, 2014): max over windows whose starts advance by a random fractional step,
    for output sizes that are not an integer fraction of the input.

    Args:
        kernel_size: window size (int or pair).
        output_size: ``(H_out, W_out)``; or output_ratio: ``H_out = int(H_in * ratio)``, ratio in ``(0, 1)``.
        return_indices: also return the argmax positions (for :class:`MaxUnpool2d`).
        _random_samples: fixed ``(N, C, 2)`` samples in ``[0, 1)`` (a buffer); None draws new ones each call
            from the library's generator (``autograd_core.manual_seed``).

    Shape:
        input ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)``; output ``(N, C, H_out, W_out)``.

    Example::

        >>> nn.FractionalMaxPool2d(3, output_ratio=(0.5, 0.5))(autograd_core.randn(20, 16, 50, 32)).shape
        (20, 16, 25, 16)
    """
    _dims = 2

    def forward(self, input):
        return F.fractional_max_pool2d(input, self.kernel_size, self.output_size, self.output_ratio,
                                       self.return_indices, _random_samples=self._random_samples)


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """Fractional max pooling over 3-D windows (``_random_samples``: ``(N, C, 3)``); see
    :class:`FractionalMaxPool2d`."""
    _dims = 3

    def forward(self, input):
        return F.fractional_max_pool3d(input, self.kernel_size, self.output_size, self.output_ratio,
                                       self.return_indices, _random_samples=self._random_samples)
