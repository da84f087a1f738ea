"""Distance modules: ``CosineSimilarity`` and ``PairwiseDistance`` (thin wrappers of ``nn.functional``)."""
from . import functional as F
from .module import Module


class PairwiseDistance(Module):
    """``||x1 - x2 + eps||_p`` over the last dim.

    Args:
        p: the norm's exponent (default 2).
        eps: added to the difference to avoid a zero norm (default 1e-6).
        keepdim: keep the reduced dim (size 1).

    Shape:
        x1 ``(N, D)`` or ``(D,)``, x2 the same or broadcastable; output ``(N,)`` (``(N, 1)`` with ``keepdim``).

    Example::

        >>> nn.PairwiseDistance()(autograd_core.randn(5, 3), autograd_core.randn(5, 3)).shape
        (5,)
    """

    def __init__(self, p=2.0, eps=1e-6, keepdim=False):
        super().__init__()
        self.norm = p
        self.eps = eps
        self.keepdim = keepdim

    def forward(self, x1, x2):
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)


class CosineSimilarity(Module):
    """``x1 . x2 / (max(||x1||, eps) * max(||x2||, eps))`` along ``dim``.

    Args:
        dim: the dim of the vectors (default 1).
        eps: lower bound of each norm (default 1e-8).

    Shape:
        x1 and x2 broadcastable to ``(*1, D, *2)``; output ``(*1, *2)``.

    Example::

        >>> nn.CosineSimilarity(dim=1)(autograd_core.randn(5, 3), autograd_core.randn(5, 3)).shape
        (5,)
    """

    def __init__(self, dim=1, eps=1e-8):
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1, x2):
        return F.cosine_similarity(x1, x2, self.dim, self.eps)
