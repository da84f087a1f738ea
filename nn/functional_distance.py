"""``nn.functional.normalize``, and the distances of ``autograd_core/ops/distance.py`` re-exported
(``cosine_similarity``, ``pairwise_distance``).

Example::

    >>> F.normalize(x, p=2.0, dim=1)              # rows of unit length
    >>> F.cosine_similarity(a, b, dim=1)          # a, b (N, D) -> (N,)
"""
from autograd_core import ops
from autograd_core.inplace import fill
from autograd_core.ops.distance import cosine_similarity, pairwise_distance, vector_norm

__all__ = ["normalize", "cosine_similarity", "pairwise_distance"]


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``input / max(||input||_p, eps)`` along ``dim`` (the norm's gradient is 0 where the norm is 0).

    Args:
        p: the norm's exponent (``float('inf')`` for the max norm).
        dim: the dim (or dims) to normalize over.
        eps: lower bound of the denominator.
        out: a tensor to write the result into (outside the graph).
    """
    denom = ops.clamp(vector_norm(input, p, dim, keepdim=True), min=eps)
    result = input / denom
    if out is not None:
        return fill(out, result._data)
    return result
