"""Piecewise activation modules: clipping (``Hardtanh``, ``ReLU6``, ``Hardsigmoid``, ``Hardswish``,
``Threshold``), shrinkage (``Hardshrink``, ``Softshrink``) and leaky units with random or learned slopes
(``RReLU``, ``PReLU``), with PyTorch's arguments, attributes and reprs."""
import warnings

from . import functional as F
from . import init
from .linear import _empty_param
from .activation import _inplace_repr
from .module import Module


class Threshold(Module):
    """``x`` where ``x > threshold``, else ``value``.

    Args:
        threshold: the value to threshold at.
        value: the value that replaces the others.
        inplace: modify the input in place.

    Example::

        >>> nn.Threshold(0.1, 20)(autograd_core.tensor([0.0, 0.5]))
        tensor([20.0000,  0.5000])
    """

    def __init__(self, threshold, value, inplace=False):
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input):
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self):
        return _inplace_repr(self.inplace, f"threshold={self.threshold}, value={self.value}")


class Hardtanh(Module):
    """``x`` clipped to ``[min_val, max_val]`` (gradient 0 at and beyond the bounds).

    Args:
        min_val, max_val: the linear region (default ``[-1, 1]``); ``max_val`` must be greater.
        inplace: modify the input in place.
        min_value, max_value: deprecated names of ``min_val`` and ``max_val``.
    """

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False, min_value=None, max_value=None):
        super().__init__()
        if min_value is not None:
            warnings.warn("keyword argument `min_value` is deprecated and renamed to `min_val`", stacklevel=2)
            min_val = min_value
        if max_value is not None:
            warnings.warn("keyword argument `max_value` is deprecated and renamed to `max_val`", stacklevel=2)
            max_val = max_value
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace
        if self.max_val <= self.min_val:
            raise AssertionError(f"max_val ({self.max_val}) must be greater than min_val ({self.min_val})")

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self):
        return _inplace_repr(self.inplace, f"min_val={self.min_val}, max_val={self.max_val}")


class ReLU6(Hardtanh):
    """``min(max(0, x), 6)``.

    Args:
        inplace: modify the input in place.
    """

    def __init__(self, inplace=False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self):
        return _inplace_repr(self.inplace)


class Hardsigmoid(Module):
    """``0`` below -3, ``1`` above 3, ``x / 6 + 1/2`` between.

    Args:
        inplace: modify the input in place.
    """

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.hardsigmoid(input, self.inplace)


class Hardswish(Module):
    """``x * relu6(x + 3) / 6`` (MobileNetV3).

    Args:
        inplace: modify the input in place.
    """

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.hardswish(input, self.inplace)


class Hardshrink(Module):
    """``x`` where ``|x| > lambd``, else 0.

    Args:
        lambd: the half-width of the zero band (default 0.5).
    """

    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return F.hardshrink(input, self.lambd)

    def extra_repr(self):
        return f"{self.lambd}"


class Softshrink(Module):
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, 0 between.

    Args:
        lambd: the half-width of the zero band, non-negative (default 0.5).
    """

    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return F.softshrink(input, self.lambd)

    def extra_repr(self):
        return str(self.lambd)


class RReLU(Module):
    """Randomized leaky ReLU: negative inputs are scaled by ``a ~ U(lower, upper)`` in training (one draw per
    element, from the library generator) and by ``(lower + upper) / 2`` in eval mode.

    Args:
        lower, upper: bounds of the slope distribution (default 1/8 and 1/3).
        inplace: modify the input in place.
    """

    def __init__(self, lower=1.0 / 8, upper=1.0 / 3, inplace=False):
        super().__init__()
        self.lower = lower
        self.upper = upper
        self.inplace = inplace

    def forward(self, input):
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self):
        return _inplace_repr(self.inplace, f"lower={self.lower}, upper={self.upper}")


class PReLU(Module):
    """``x`` where positive, else ``a * x`` with a learned slope ``a``: one for all channels or one per channel.

    Args:
        num_parameters: 1, or the number of channels (dim 1 of the input).
        init: the initial slope (default 0.25).

    Shape:
        input ``(N, C, *)`` or any shape when ``num_parameters == 1``; output of the same shape.

    Attributes:
        weight ``(num_parameters,)``.

    Example::

        >>> nn.PReLU(3)(autograd_core.randn(2, 3, 4)).shape
        (2, 3, 4)
    """

    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        self.num_parameters = num_parameters
        super().__init__()
        self.init = init
        self.weight = _empty_param((num_parameters,), dtype, device)
        self.reset_parameters()

    def reset_parameters(self):
        init.constant_(self.weight, self.init)

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"
