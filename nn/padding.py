"""Padding layers, PyTorch's ``nn.ZeroPad*d``, ``ConstantPad*d``, ``ReflectionPad*d``, ``ReplicationPad*d`` and
``CircularPad*d`` (1-D, 2-D and 3-D), on ``F.pad``.

``padding`` is an int (the same on every side) or a tuple ``(left, right[, top, bottom[, front, back]])``, last
dim first, as ``F.pad`` takes it; negative values crop. ``repr`` and attributes follow PyTorch.
"""
import numbers

from . import functional as F
from .module import Module


def _padding(module, padding, n):
    """An int repeated ``2 n`` times, or a sequence of ints kept as given (PyTorch's ``_pair``/``_quadruple``/
    ``_ntuple``; ``F.pad`` checks its length)."""
    values = tuple(padding) if isinstance(padding, (tuple, list)) else (padding,) * (2 * n)
    if not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in values):
        raise TypeError(f"{type(module).__name__}: padding must be an int or a tuple of {2 * n} ints, got "
                        f"padding={padding!r}")
    if len(values) % 2:
        raise ValueError(f"{type(module).__name__}: padding must hold (left, right) pairs, got padding={padding!r}")
    return tuple(int(v) for v in values)


class _PadNd(Module):
    _dims = 1
    _mode = "constant"

    def __init__(self, padding):
        super().__init__()
        self.padding = _padding(self, padding, self._dims)

    def _check_input_dim(self, input):
        n = len(self.padding) // 2
        if input.ndim not in (n + 1, n + 2):
            raise NotImplementedError(f"{type(self).__name__}: padding size {len(self.padding)} is not supported for "
                                      f"{input.ndim}D input tensor (expected {n + 1}D or {n + 2}D input)")

    def forward(self, input):
        self._check_input_dim(input)
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dim with ``value``: ``padding`` an int or ``(left, right)``.

    Shape:
        input ``(N, C, W_in)`` or ``(C, W_in)``; output ``W_out = W_in + left + right``.

    Example::

        >>> nn.ConstantPad1d((1, 2), 3.5)(autograd_core.zeros(1, 2, 4)).shape
        (1, 2, 7)
    """
    _dims = 1


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two dims with ``value``: ``padding`` an int or ``(left, right, top, bottom)``.

    Shape:
        input ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)``; ``H_out = H_in + top + bottom``,
        ``W_out = W_in + left + right``.
    """
    _dims = 2


class ConstantPad3d(_ConstantPadNd):
    """Pad the last three dims with ``value``: ``padding`` an int or ``(left, right, top, bottom, front, back)``."""
    _dims = 3


class _ZeroPadNd(_ConstantPadNd):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad1d(_ZeroPadNd):
    """Pad the last dim with zeros: ``padding`` an int or ``(left, right)``."""
    _dims = 1


class ZeroPad2d(_ZeroPadNd):
    """Pad the last two dims with zeros: ``padding`` an int or ``(left, right, top, bottom)``.

    Example::

        >>> nn.ZeroPad2d((1, 1, 2, 0))(autograd_core.ones(1, 1, 3, 3)).shape
        (1, 1, 5, 5)
    """
    _dims = 2


class ZeroPad3d(_ZeroPadNd):
    """Pad the last three dims with zeros: ``padding`` an int or ``(left, right, top, bottom, front, back)``."""
    _dims = 3


class ReflectionPad1d(_PadNd):
    """Pad the last dim with its reflection, the edge not repeated (``[1, 2, 3]`` padded by 2 on the left
    gives ``[3, 2, 1, 2, 3]``); each padding must be smaller than the size.

    Shape:
        input ``(N, C, W_in)`` or ``(C, W_in)``; output ``W_out = W_in + left + right``.
    """
    _dims = 1
    _mode = "reflect"


class ReflectionPad2d(_PadNd):
    """Pad the last two dims with their reflection: ``padding`` an int or ``(left, right, top, bottom)``.

    Example::

        >>> nn.ReflectionPad2d(2)(autograd_core.ones(1, 1, 3, 3)).shape
        (1, 1, 7, 7)
    """
    _dims = 2
    _mode = "reflect"


class ReflectionPad3d(_PadNd):
    """Pad the last three dims with their reflection."""
    _dims = 3
    _mode = "reflect"


class ReplicationPad1d(_PadNd):
    """Pad the last dim by repeating its edge values: ``padding`` an int or ``(left, right)``."""
    _dims = 1
    _mode = "replicate"


class ReplicationPad2d(_PadNd):
    """Pad the last two dims by repeating their edge values: ``padding`` an int or ``(left, right, top, bottom)``."""
    _dims = 2
    _mode = "replicate"


class ReplicationPad3d(_PadNd):
    """Pad the last three dims by repeating their edge values."""
    _dims = 3
    _mode = "replicate"


class _CircularPadNd(_PadNd):
    _mode = "circular"

    def _check_input_dim(self, input):
        n = self._dims
        if input.ndim not in (n + 1, n + 2):
            raise ValueError(f"expected {n + 1}D or {n + 2}D input (got {input.ndim}D input)")


class CircularPad1d(_CircularPadNd):
    """Pad the last dim periodically (the left padding comes from the right end): ``padding`` an int or
    ``(left, right)``, each at most the size."""
    _dims = 1


class CircularPad2d(_CircularPadNd):
    """Pad the last two dims periodically: ``padding`` an int or ``(left, right, top, bottom)``."""
    _dims = 2


class CircularPad3d(_CircularPadNd):
    """Pad the last three dims periodically."""
    _dims = 3
