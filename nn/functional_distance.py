"""Norms and distances of ``nn.functional``: ``normalize``, ``cosine_similarity``, ``pairwise_distance``.

All are compositions of autograd_core ops. The one subtle point is the norm's gradient where the norm is 0
(a zero vector): ``sqrt`` of a zero sum has an infinite slope, so the naive composition gives ``0 * inf = nan``.
:func:`vector_norm` takes the root only where the sum is positive and gives 0 elsewhere, which is PyTorch's
subgradient there (its ``norm_backward`` masks ``norm == 0``).

Example::

    >>> F.cosine_similarity(a, b, dim=1)          # a, b (N, D) -> (N,)
    >>> F.pairwise_distance(a, b, p=2.0)          # (N,)
"""
import math

import numpy as np

from autograd_core import ops
from autograd_core.inplace import fill
from autograd_core.shapes import normalize_dim
from autograd_core.tensor import Tensor

__all__ = ["normalize", "cosine_similarity", "pairwise_distance"]


def _safe_pow(x, exponent):
    """``x ** exponent`` for ``x >= 0`` with 0 (value and gradient) where ``x == 0``, so exponents below 1 don't
    produce ``inf * 0`` in the backward pass."""
    nz = x._data > 0
    return ops.where(nz, ops.where(nz, x, 1.0) ** exponent, 0.0)


def vector_norm(x, p=2.0, dim=None, keepdim=False):
    """The ``p``-norm over ``dim`` (all dims when None) with PyTorch's gradient: 0 where the norm is 0, shared
    equally among tied maxima for ``p = inf``; ``p = 0`` counts the non-zeros (no gradient)."""
    p = float(p)
    if p == 2.0:
        return _safe_pow(ops.sum(x * x, dim=dim, keepdim=keepdim), 0.5)
    ax = x.abs()
    if p == math.inf:
        return ops.amax(ax, dim=() if dim is None else dim, keepdim=keepdim)
    if p == -math.inf:
        return ops.amin(ax, dim=() if dim is None else dim, keepdim=keepdim)
    if p == 0.0:
        count = (x._data != 0).sum(axis=dim, keepdims=keepdim)
        return Tensor._make(np.asarray(count, dtype=x.dtype))
    if p == 1.0:
        return ops.sum(ax, dim=dim, keepdim=keepdim)
    return _safe_pow(ops.sum(_safe_pow(ax, p), dim=dim, keepdim=keepdim), 1.0 / p)


def _clamp_value(t, eps):
    """``max(t, eps)`` as a value, with the gradient of ``t`` itself: PyTorch clamps these norms in place under
    ``no_grad``, so its backward sees the clamped value but passes the gradient through unchanged."""
    d = t._data
    return t + Tensor._make(np.maximum(d, eps).astype(d.dtype) - d)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``input / max(||input||_p, eps)`` along ``dim``.

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


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """``x1 . x2 / (max(||x1||, eps) * max(||x2||, eps))`` along ``dim`` of the broadcast inputs.

    Shape:
        ``x1`` and ``x2`` broadcastable to a common shape; the output is that shape without ``dim``.
    """
    x1, x2 = ops.operands(x1, x2)
    shape = np.broadcast_shapes(x1.shape, x2.shape)
    if x1.dtype != x2.dtype:
        dt = np.result_type(x1.dtype, x2.dtype)
        x1, x2 = x1.to(dt), x2.to(dt)
    x1, x2 = ops.broadcast_to(x1, shape), ops.broadcast_to(x2, shape)
    d = normalize_dim(dim, len(shape), "cosine_similarity")
    # each input divided by its norm first (as PyTorch), which keeps the result within [-1, 1]
    n1 = _clamp_value(vector_norm(x1, 2.0, d, keepdim=True), eps)
    n2 = _clamp_value(vector_norm(x2, 2.0, d, keepdim=True), eps)
    return ops.sum((x1 / n1) * (x2 / n2), dim=d)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """``||x1 - x2 + eps||_p`` over the last dim (of the broadcast inputs).

    Shape:
        ``(N, D)`` and ``(N, D)`` (or broadcastable, or ``(D,)``) -> ``(N,)`` (``(N, 1)`` with ``keepdim``).
    """
    last = max(x1.ndim, x2.ndim) - 1
    return vector_norm(x1 - x2 + eps, p, dim=max(last, 0) if last >= 0 else None, keepdim=keepdim)
