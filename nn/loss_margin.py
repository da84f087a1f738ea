"""Margin and embedding loss modules (thin wrappers of ``nn.functional``, PyTorch's constructor arguments and
attributes): ``MarginRankingLoss``, ``HingeEmbeddingLoss``, ``SoftMarginLoss``, ``MultiLabelSoftMarginLoss``,
``MultiLabelMarginLoss``, ``MultiMarginLoss``, ``CosineEmbeddingLoss``, ``TripletMarginLoss``,
``TripletMarginWithDistanceLoss``."""
from . import functional as F
from .distance import PairwiseDistance
from .loss import _Loss, _WeightedLoss


class MarginRankingLoss(_Loss):
    """``max(0, -y (x1 - x2) + margin)``: ``y = 1`` asks for ``x1 > x2``, ``y = -1`` for ``x1 < x2``.

    Shape:
        input1, input2, target ``(N)`` or ``()``; output a scalar, or ``(N)`` for 'none'.

    Example::

        >>> nn.MarginRankingLoss(margin=0.5)(s1, s2, autograd_core.tensor([1.0, -1.0]))
    """

    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.margin_ranking_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class HingeEmbeddingLoss(_Loss):
    """``x`` where ``y = 1``, ``max(0, margin - x)`` where ``y = -1`` (``x`` typically a distance).

    Shape:
        input and target of the same shape; output a scalar, or that shape for 'none'.
    """

    def __init__(self, margin=1.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input, target):
        return F.hinge_embedding_loss(input, target, margin=self.margin, reduction=self.reduction)


class SoftMarginLoss(_Loss):
    """Two-class logistic loss ``log(1 + exp(-y x))`` for labels ``y`` in {1, -1}.

    Shape:
        input and target of the same shape; output a scalar, or that shape for 'none'.
    """

    def forward(self, input, target):
        return F.soft_margin_loss(input, target, reduction=self.reduction)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    """One-vs-all logistic loss over ``C`` labels, averaged over the labels:
    ``-mean_c(y log sigmoid(x) + (1 - y) log sigmoid(-x))``.

    Args:
        weight: per-class weights ``(C,)`` (a buffer).

    Shape:
        input and target ``(N, C)``; output ``(N,)`` for 'none', else a scalar.
    """

    def forward(self, input, target):
        return F.multilabel_soft_margin_loss(input, target, weight=self.weight, reduction=self.reduction)


class MultiLabelMarginLoss(_Loss):
    """Multi-class multi-label hinge: each target class should score 1 above every non-target class.

    Shape:
        input ``(C)`` or ``(N, C)``; target int64 of the same shape, the target classes first, then ``-1``
        (padding); output ``(N,)`` for 'none', else a scalar.

    Example::

        >>> nn.MultiLabelMarginLoss()(autograd_core.tensor([[0.1, 0.2, 0.4, 0.8]]),
        ...                           autograd_core.tensor([[3, 0, -1, 1]]))
        tensor(0.8500)
    """

    def forward(self, input, target):
        return F.multilabel_margin_loss(input, target, reduction=self.reduction)


class MultiMarginLoss(_WeightedLoss):
    """Multi-class hinge ``sum_{i != y} max(0, margin - x[y] + x[i]) ** p / C``.

    Args:
        p: 1 or 2.
        margin: the margin (default 1).
        weight: per-class weights ``(C,)`` (a buffer), applied by each sample's target.

    Shape:
        input ``(N, C)`` or ``(C,)``; target int64 ``(N,)`` or ``()``; output ``(N,)`` for 'none', else a scalar.
    """

    def __init__(self, p=1, margin=1.0, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(weight, size_average, reduce, reduction)
        if p != 1 and p != 2:
            raise ValueError("only p == 1 and p == 2 supported")
        if self.weight is not None and self.weight.ndim != 1:
            raise ValueError(f"MultiMarginLoss: expected weight to be None or 1D tensor, got {self.weight.ndim}D "
                             f"instead")
        self.p = p
        self.margin = margin

    def forward(self, input, target):
        return F.multi_margin_loss(input, target, p=self.p, margin=self.margin, weight=self.weight,
                                   reduction=self.reduction)


class CosineEmbeddingLoss(_Loss):
    """``1 - cos(x1, x2)`` where ``y = 1``, ``max(0, cos(x1, x2) - margin)`` where ``y = -1``.

    Shape:
        input1, input2 ``(N, D)`` with target ``(N,)``, or ``(D,)`` with a 0-d target.
    """

    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.cosine_embedding_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class TripletMarginLoss(_Loss):
    """``max(0, d(a, p) - d(a, n) + margin)``, ``d`` the ``p``-norm pairwise distance (``swap``: use the
    smaller of ``d(a, n)`` and ``d(p, n)``).

    Args:
        margin: positive margin (default 1).
        p: norm degree (default 2).
        eps: added to the differences (default 1e-6).
        swap: the distance swap of Balntas et al.

    Shape:
        anchor, positive, negative ``(N, D)`` or ``(D,)``; output ``(N,)`` for 'none', else a scalar.
    """

    def __init__(self, margin=1.0, p=2.0, eps=1e-6, swap=False, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginLoss: expected margin to be greater than 0, got {margin} instead")
        self.margin = margin
        self.p = p
        self.eps = eps
        self.swap = swap

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_loss(anchor, positive, negative, margin=self.margin, p=self.p, eps=self.eps,
                                     swap=self.swap, reduction=self.reduction)


class TripletMarginWithDistanceLoss(_Loss):
    """:class:`TripletMarginLoss` with any ``distance_function(x1, x2)`` (default ``nn.PairwiseDistance()``).

    Shape:
        anchor, positive, negative ``(N, *)``; output ``(N,)`` for 'none', else a scalar.
    """

    def __init__(self, *, distance_function=None, margin=1.0, swap=False, reduction="mean"):
        super().__init__(None, None, reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater than 0, got {margin} "
                             f"instead")
        self.distance_function = distance_function if distance_function is not None else PairwiseDistance()
        self.margin = margin
        self.swap = swap

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_with_distance_loss(anchor, positive, negative,
                                                   distance_function=self.distance_function, margin=self.margin,
                                                   swap=self.swap, reduction=self.reduction)
