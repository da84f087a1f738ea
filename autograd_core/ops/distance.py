"""Distances between vectors: ``cosine_similarity`` and ``pairwise_distance`` (``torch.cosine_similarity``,
``torch.pairwise_distance``), compositions over :func:`vector_norm`.

The one subtle point is the norm's gradient where the norm is 0 (a zero vector): ``sqrt`` of a zero sum has an
infinite slope, so the naive composition gives ``0 * inf = nan``. :func:`vector_norm` takes the root only where
the sum is positive and gives 0 elsewhere, which is PyTorch's subgradient there (its ``norm_backward`` masks
``norm == 0``). ``nn.functional.normalize`` and the margin losses (``ops/loss_margin.py``) use these too.
"""
import math

import numpy as np

from ..shapes import normalize_dim
from ..tensor import Tensor
from .elementwise import operands, where
from .reduction import amax, amin, sum as _sum
from .registry import op
from .saved import guard
from .shape import broadcast_to


def _safe_pow(x, exponent):
    """``x ** exponent`` for ``x >= 0`` with 0 (value and gradient) where ``x == 0``, so exponents below 1 don't
    produce ``inf * 0`` in the backward pass."""
    nz = x._data > 0
    return where(nz, where(nz, x, 1.0) ** exponent, 0.0)


def vector_norm(x, p=2.0, dim=None, keepdim=False):
    """The ``p``-norm over ``dim`` (all dims when None) with PyTorch's gradient: 0 where the norm is 0, shared
    equally among tied maxima for ``p = inf``; ``p = 0`` counts the non-zeros (no gradient). Not a registered op
    (it is the norm these compositions need, not ``torch.linalg.vector_norm``'s full signature)."""
    p = float(p)
    if p == 2.0:
        return _safe_pow(_sum(x * x, dim=dim, keepdim=keepdim), 0.5)
    ax = x.abs()
    if p == math.inf:
        return amax(ax, dim=() if dim is None else dim, keepdim=keepdim)
    if p == -math.inf:
        return amin(ax, dim=() if dim is None else dim, keepdim=keepdim)
    if p == 0.0:
        count = (x._data != 0).sum(axis=dim, keepdims=keepdim)
        return Tensor._make(np.asarray(count, dtype=x.dtype))
    if p == 1.0:
        return _sum(ax, dim=dim, keepdim=keepdim)
    return _safe_pow(_sum(_safe_pow(ax, p), dim=dim, keepdim=keepdim), 1.0 / p)


def clamp_value(t, min):
    """``max(t, min)`` as a value, with the gradient of ``t`` itself. PyTorch clamps some denominators in place
    under ``no_grad`` (cosine similarity's norms, the Gaussian NLL's variance): its backward then sees the clamped
    value but passes the gradient through as if unclamped."""
    d = t._data
    return t + Tensor._make(np.maximum(d, min).astype(d.dtype) - d)


@op(method=False)
def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """``x1 . x2 / (max(||x1||, eps) * max(||x2||, eps))`` along ``dim`` of the broadcast inputs.

    Shape:
        ``x1`` and ``x2`` broadcastable to a common shape; the output is that shape without ``dim``.
    """
    x1, x2 = operands(x1, x2)
    if x1.dtype != x2.dtype:
        dt = np.result_type(x1.dtype, x2.dtype)
        x1, x2 = x1.to(dt), x2.to(dt)
    shape = np.broadcast_shapes(x1.shape, x2.shape)
    x1, x2 = broadcast_to(x1, shape), broadcast_to(x2, shape)
    d = normalize_dim(dim, len(shape), "cosine_similarity")
    # each input divided by its norm first (as PyTorch), which keeps the result within [-1, 1]
    n1 = clamp_value(vector_norm(x1, 2.0, d, keepdim=True), eps)
    n2 = clamp_value(vector_norm(x2, 2.0, d, keepdim=True), eps)
    return _sum((x1 / n1) * (x2 / n2), dim=d)


@op(method=False)
def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """``||x1 - x2 + eps||_p`` over the last dim (of the broadcast inputs).

    Shape:
        ``(N, D)`` and ``(N, D)`` (or broadcastable, or ``(D,)``) -> ``(N,)`` (``(N, 1)`` with ``keepdim``).
    """
    last = max(x1.ndim, x2.ndim) - 1
    out = vector_norm(x1 - x2 + eps, p, dim=last if last >= 0 else None, keepdim=keepdim)
    return guard(out, output=True, name="NormBackward1")    # PyTorch's norm node saves its result
