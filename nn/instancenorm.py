"""Instance normalization: ``InstanceNorm1d``, ``InstanceNorm2d``, ``InstanceNorm3d`` (PyTorch's defaults: no
affine parameters and no running statistics unless asked; an unbatched input is accepted)."""
import warnings

from . import functional as F
from .batchnorm import _NormBase


class _InstanceNorm(_NormBase):
    _no_batch_dim = 0

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False, device=None,
                 dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    def _check_input_dim(self, input):
        ok = (self._no_batch_dim, self._no_batch_dim + 1)
        if input.ndim not in ok:
            raise ValueError(f"expected {ok[0]}D or {ok[1]}D input (got {input.ndim}D input)")

    def _apply_instance_norm(self, input):
        return F.instance_norm(input, self.running_mean, self.running_var, self.weight, self.bias,
                               self.training or not self.track_running_stats,
                               self.momentum if self.momentum is not None else 0.0, self.eps)

    def forward(self, input):
        self._check_input_dim(input)
        feature_dim = input.ndim - self._no_batch_dim
        if input.shape[feature_dim] != self.num_features:
            if self.affine:
                raise ValueError(f"expected input's size at dim={feature_dim} to match num_features "
                                 f"({self.num_features}), but got: {input.shape[feature_dim]}.")
            warnings.warn(f"input's size at dim={feature_dim} does not match num_features. You can silence this "
                          f"warning by not passing in num_features, which is not used because affine=False",
                          stacklevel=2)
        if input.ndim == self._no_batch_dim:
            return self._apply_instance_norm(input.unsqueeze(0)).squeeze(0)
        return self._apply_instance_norm(input)


class InstanceNorm1d(_InstanceNorm):
    """Normalize each channel of each sample over its length: ``(x - E[x]) / sqrt(Var[x] + eps)``.

    Args:
        num_features: C.
        eps: added to the variance for stability.
        momentum: weight of the new batch in the running estimates (``None``: 0, they stay put).
        affine: learn a per-channel ``weight`` (ones) and ``bias`` (zeros); default False.
        track_running_stats: keep running estimates and use them in eval mode; default False.

    Shape:
        input ``(N, C, L)`` or ``(C, L)``; output of the same shape.

    Example::

        >>> nn.InstanceNorm1d(3)(autograd_core.randn(2, 3, 10)).shape
        (2, 3, 10)
    """
    _no_batch_dim = 2


class InstanceNorm2d(_InstanceNorm):
    """Instance normalization over ``(H, W)`` of each channel of each sample; arguments as
    :class:`InstanceNorm1d`.

    Shape:
        input ``(N, C, H, W)`` or ``(C, H, W)``; output of the same shape.
    """
    _no_batch_dim = 3


class InstanceNorm3d(_InstanceNorm):
    """Instance normalization over ``(D, H, W)`` of each channel of each sample; arguments as
    :class:`InstanceNorm1d`.

    Shape:
        input ``(N, C, D, H, W)`` or ``(C, D, H, W)``; output of the same shape.
    """
    _no_batch_dim = 4
