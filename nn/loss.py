"""Loss modules: thin wrappers of ``nn.functional`` with PyTorch's constructor arguments.

Class weights (``weight``, ``pos_weight``) are buffers, so they appear in ``state_dict()`` as in PyTorch.
All losses take ``reduction='mean' | 'sum' | 'none'``; the deprecated ``size_average``/``reduce`` are accepted.
"""
import numpy as np

from autograd_core.tensor import Tensor

from . import functional as F
from autograd_core.ops.loss import reduction_mode
from .module import Module


def _buffer(value):
    if value is None or isinstance(value, Tensor):
        return value
    return Tensor(np.asarray(value))


class _Loss(Module):
    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__()
        self.reduction = reduction_mode(reduction, size_average, reduce, type(self).__name__, self._extra_reductions)

    _extra_reductions = ()


class _WeightedLoss(_Loss):
    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", _buffer(weight))


class CrossEntropyLoss(_WeightedLoss):
    """Cross-entropy between logits and class indices (or class probabilities): ``log_softmax`` + ``NLLLoss``
    fused into one numerically stable node.

    Args:
        weight: per-class weights ``(C,)``; 'mean' then divides by the summed weights of the targets.
        ignore_index: a target value that is skipped (and excluded from the mean's denominator).
        reduction: 'mean' | 'sum' | 'none'.
        label_smoothing: amount in [0, 1] of the uniform distribution mixed into the target.

    Shape:
        input ``(N, C)``, ``(N, C, d1, ...)`` or ``(C,)``; target int64 ``(N)``, ``(N, d1, ...)`` or ``()``, or
        float probabilities of the input's shape; output a scalar, or the target's shape for 'none'.

    Example::

        >>> loss = nn.CrossEntropyLoss()(model(x), y)
        >>> loss.backward()
    """

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                 label_smoothing=0.0):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        if not 0.0 <= label_smoothing <= 1.0:   # PyTorch's check, made at the first forward there
            raise ValueError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of log-probabilities (pair with ``LogSoftmax``): ``-w[t] * input[n, t]``.

    Args:
        weight, ignore_index, reduction: as :class:`CrossEntropyLoss`.

    Shape:
        input ``(N, C)``, ``(N, C, d1, ...)`` or ``(C,)``; target int64 ``(N)``, ``(N, d1, ...)`` or ``()``.
    """

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class MSELoss(_Loss):
    """Mean squared error ``(x - y)^2``.

    Shape:
        input and target of the same shape; output a scalar, or that shape for 'none'.

    Example::

        >>> nn.MSELoss()(pred, target)
    """

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error ``|x - y|``.

    Shape:
        input and target of the same shape; output a scalar, or that shape for 'none'.
    """

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities in [0, 1] (logs clamped at -100, as PyTorch).

    Args:
        weight: rescales each element's loss (broadcast to the input's shape).

    Shape:
        input and target of the same shape; output a scalar, or that shape for 'none'.
    """

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + binary cross-entropy in one stable step: ``max(x, 0) - x y + log(1 + exp(-|x|))``.

    Args:
        weight: rescales each element's loss (broadcast to the input's shape).
        pos_weight: weight of the positive examples per class, broadcast along the last dim, e.g. ``(C,)``.

    Shape:
        input and target of the same shape; output a scalar, or that shape for 'none'.

    Example::

        >>> nn.BCEWithLogitsLoss(pos_weight=autograd_core.ones(3) * 2)(logits, targets)
    """

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean", pos_weight=None):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", _buffer(weight))
        self.register_buffer("pos_weight", _buffer(pos_weight))

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, self.weight, pos_weight=self.pos_weight,
                                                  reduction=self.reduction)


class KLDivLoss(_Loss):
    """Kullback-Leibler divergence ``target * (log target - input)``, ``input`` in log-space.

    Args:
        reduction: 'mean' | 'batchmean' (the true KL divergence per sample) | 'sum' | 'none'.
        log_target: ``target`` is given as log-probabilities too.

    Shape:
        input and target of the same shape.
    """
    _extra_reductions = ("batchmean",)

    def __init__(self, size_average=None, reduce=None, reduction="mean", log_target=False):
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input, target):
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class HuberLoss(_Loss):
    """Squared error for ``|x - y| < delta``, ``delta``-scaled absolute error beyond.

    Args:
        delta: where the loss switches from quadratic to linear (default 1.0).
    """

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input, target):
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class SmoothL1Loss(_Loss):
    """``0.5 (x - y)^2 / beta`` for ``|x - y| < beta``, ``|x - y| - 0.5 beta`` beyond (``beta = 0``: L1).

    Args:
        beta: where the loss switches from quadratic to linear (default 1.0).
    """

    def __init__(self, size_average=None, reduce=None, reduction="mean", beta=1.0):
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input, target):
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)
