"""Batch normalization: ``BatchNorm1d``, ``BatchNorm2d``, ``BatchNorm3d``, and ``_NormBase``, which they share
with the instance norms (``nn/instancenorm.py``): the affine parameters and the running-statistics buffers with
PyTorch's names (``weight``, ``bias``, ``running_mean``, ``running_var``, ``num_batches_tracked``)."""
import numpy as np

from autograd_core import dtypes
from autograd_core.errors import ShapeError, fmt_shape
from autograd_core.tensor import Tensor

from . import functional as F
from . import init
from .linear import _empty_param, check_sizes
from .module import Module


class _NormBase(Module):
    """Parameters and buffers of batch and instance norm (PyTorch's ``_NormBase``)."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, device=None,
                 dtype=None, *, bias=True):
        super().__init__()
        check_sizes(type(self).__name__, num_features=num_features)
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = _empty_param((num_features,), dtype, device)
            if bias:
                self.bias = _empty_param((num_features,), dtype, device)
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            dt = np.dtype(dtype) if dtype is not None else dtypes.get_default_dtype()
            self.register_buffer("running_mean", Tensor(np.zeros(num_features, dtype=dt)))
            self.register_buffer("running_var", Tensor(np.ones(num_features, dtype=dt)))
            self.register_buffer("num_batches_tracked", Tensor(np.array(0, dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean.numpy()[...] = 0
            self.running_var.numpy()[...] = 1
            self.num_batches_tracked.numpy()[...] = 0
            for b in (self.running_mean, self.running_var, self.num_batches_tracked):
                b._bump_version()

    def reset_parameters(self):
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class _BatchNorm(_NormBase):
    _expected_ndims = ()

    def _check_input_dim(self, input):
        if input.ndim not in self._expected_ndims:
            dims = " or ".join(f"{d}D" for d in self._expected_ndims)
            raise ValueError(f"expected {dims} input (got {input.ndim}D input of shape {fmt_shape(input.shape)})")
        if input.shape[1] != self.num_features:
            raise ShapeError(f"{type(self).__name__}: expected {self.num_features} channels in dim 1, got input of "
                             f"shape {fmt_shape(input.shape)}")

    def forward(self, input):
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.numpy()[...] += 1
            self.num_batches_tracked._bump_version()
            if self.momentum is None:   # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked.item())
        use_batch_stats = self.training or (self.running_mean is None and self.running_var is None)
        track = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if track else None, self.running_var if track else None,
                            self.weight, self.bias, use_batch_stats, factor, self.eps)


class BatchNorm1d(_BatchNorm):
    """Batch normalization over a 2-D ``(N, C)`` or 3-D ``(N, C, L)`` input.

    ``y = (x - E[x]) / sqrt(Var[x] + eps) * gamma + beta`` per channel, with batch statistics in training
    (biased variance) and the running estimates in eval mode.

    Args:
        num_features: C.
        eps: added to the variance for stability.
        momentum: weight of the new batch in the running estimates (``None``: cumulative average).
        affine: learn ``gamma`` (weight, ones) and ``beta`` (bias, zeros).
        track_running_stats: keep ``running_mean``, ``running_var`` and ``num_batches_tracked`` buffers; without
            them, batch statistics are used in eval mode too.

    Shape:
        input ``(N, C)`` or ``(N, C, L)``; output of the same shape.

    Example::

        >>> m = nn.BatchNorm1d(100)
        >>> m(autograd_core.randn(20, 100)).shape
        (20, 100)
    """
    _expected_ndims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalization over a 4-D ``(N, C, H, W)`` input (statistics per channel over N, H and W).

    Arguments as :class:`BatchNorm1d`.

    Shape:
        input ``(N, C, H, W)``; output of the same shape.

    Example::

        >>> m = nn.BatchNorm2d(16)
        >>> m(autograd_core.randn(8, 16, 5, 5)).shape
        (8, 16, 5, 5)
    """
    _expected_ndims = (4,)


class BatchNorm3d(_BatchNorm):
    """Batch normalization over a 5-D ``(N, C, D, H, W)`` input (statistics per channel over N, D, H and W).

    Arguments as :class:`BatchNorm1d`.

    Shape:
        input ``(N, C, D, H, W)``; output of the same shape.
    """
    _expected_ndims = (5,)
