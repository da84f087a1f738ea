"""Normalization over each sample's features: ``LayerNorm``, ``GroupNorm``, ``RMSNorm``, ``LocalResponseNorm``.

Batch norms live in ``nn/batchnorm.py`` and instance norms in ``nn/instancenorm.py`` (re-exported here, the
module they used to be in).
"""
import numbers

from autograd_core.errors import ArgumentError

from . import functional as F
from . import init
from .batchnorm import BatchNorm1d, BatchNorm2d, BatchNorm3d  # noqa: F401  (re-exported)
from .linear import _empty_param
from .module import Module


def _shape_tuple(normalized_shape):
    shape = (int(normalized_shape),) if isinstance(normalized_shape, numbers.Integral) else \
        tuple(int(s) for s in normalized_shape)
    if any(s < 0 for s in shape):
        raise ArgumentError(f"normalized_shape must not have negative sizes, got normalized_shape={normalized_shape} "
                            f"(a tensor can't have a negative dimension)")
    return shape


class LayerNorm(Module):
    """Normalize over the last dims of each sample: ``(x - E[x]) / sqrt(Var[x] + eps) * gamma + beta``.

    Args:
        normalized_shape: the trailing shape to normalize over (an int for the last dim).
        eps: added to the variance for stability.
        elementwise_affine: learn ``gamma`` (weight, ones) and, if ``bias``, ``beta`` (bias, zeros) of that shape.

    Shape:
        input ``(*, *normalized_shape)``; output of the same shape.

    Example::

        >>> m = nn.LayerNorm(10)
        >>> m(autograd_core.randn(20, 5, 10)).shape
        (20, 5, 10)
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        super().__init__()
        self.normalized_shape = _shape_tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = _empty_param(self.normalized_shape, dtype, device)
            if bias:
                self.bias = _empty_param(self.normalized_shape, dtype, device)
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        if self.elementwise_affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")


class GroupNorm(Module):
    """Normalize groups of channels of each sample: the ``C`` channels are split into ``num_groups`` groups, each
    normalized over its channels and spatial dims, then a per-channel ``weight`` and ``bias`` are applied.

    Args:
        num_groups: number of groups; must divide ``num_channels``.
        num_channels: C.
        eps: added to the variance for stability.
        affine: learn ``weight`` (ones) and, if ``bias``, ``bias`` (zeros), both ``(C,)``.

    Shape:
        input ``(N, C, *)``; output of the same shape.

    Example::

        >>> nn.GroupNorm(3, 6)(autograd_core.randn(20, 6, 10, 10)).shape
        (20, 6, 10, 10)
    """

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        if affine:
            self.weight = _empty_param((num_channels,), dtype, device)
            if bias:
                self.bias = _empty_param((num_channels,), dtype, device)
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def forward(self, input):
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class RMSNorm(Module):
    """Root-mean-square normalization over the last dims: ``x / sqrt(mean(x^2) + eps) * weight``.

    Args:
        normalized_shape: the trailing shape to normalize over (an int for the last dim).
        eps: added to the mean square; ``None`` (default) means the machine epsilon of the input's dtype.
        elementwise_affine: learn ``weight`` (ones) of that shape.

    Shape:
        input ``(*, *normalized_shape)``; output of the same shape.

    Example::

        >>> nn.RMSNorm([5])(autograd_core.randn(2, 5)).shape
        (2, 5)
    """

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None, dtype=None):
        super().__init__()
        self.normalized_shape = _shape_tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = _empty_param(self.normalized_shape, dtype, device)
        else:
            self.register_parameter("weight", None)
        self.reset_parameters()

    def reset_parameters(self):
        if self.elementwise_affine:
            init.ones_(self.weight)

    def forward(self, x):
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


class LocalResponseNorm(Module):
    """Normalize each channel by its neighbours: ``x / (k + alpha * mean_window(x^2)) ** beta``, over a window of
    ``size`` channels (AlexNet's local response normalization).

    Args:
        size: number of neighbouring channels in the window.
        alpha: multiplicative factor (default 1e-4).
        beta: exponent (default 0.75).
        k: additive factor (default 1).

    Shape:
        input ``(N, C, *)`` with at least 3 dims; output of the same shape.

    Example::

        >>> nn.LocalResponseNorm(2)(autograd_core.randn(32, 5, 24, 24)).shape
        (32, 5, 24, 24)
    """

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input):
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
