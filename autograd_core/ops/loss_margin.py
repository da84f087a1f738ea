"""Margin and embedding losses (``nn.functional`` re-exports them), as compositions of Tensor ops with PyTorch's
formulas, arguments, reduction semantics and input checks.

Where PyTorch's kernel tests a hinge with ``z > 0`` (multi-margin, multilabel-margin) the composition uses
``relu`` (gradient 0 at the kink); where it uses ``clamp_min`` (margin ranking, cosine embedding, triplet) it
uses ``clamp`` (gradient 1 at the kink), so the gradients agree with PyTorch's everywhere, kinks included.
"""
import numpy as np

from ..errors import ShapeError, fmt_shape
from ..tensor import Tensor
from .activation import relu, softplus
from .distance import pairwise_distance
from .elementwise import clamp, minimum, where
from .loss import _like, _reduce, _same_shape, reduction_mode
from .registry import op
from .saved import guard
from .scatter import gather


def _sign_target(target, like):
    return _like(target, like).to(like.dtype)


@op(function=False, method=False)
def margin_ranking_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"):
    """``max(0, -y * (x1 - x2) + margin)``: ``y = 1`` ranks ``x1`` above ``x2``, ``y = -1`` below.

    Shape:
        input1, input2, target ``(N)`` or ``()`` (broadcast); output a scalar, or the broadcast shape for 'none'.
    """
    reduction = reduction_mode(reduction, size_average, reduce, "margin_ranking_loss")
    target = _sign_target(target, input1)
    if not input1.ndim == input2.ndim == target.ndim:
        raise ShapeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                         f"input1: {fmt_shape(input1.shape)}, input2: {fmt_shape(input2.shape)}, target: "
                         f"{fmt_shape(target.shape)}")
    return _reduce(clamp(-target * (input1 - input2) + margin, min=0.0), reduction)


@op(function=False, method=False)
def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    """``x`` where ``y = 1``, ``max(0, margin - x)`` where ``y = -1`` (``x`` typically a distance).

    Shape:
        input and target of the same shape; output a scalar, or that shape for 'none'.
    """
    reduction = reduction_mode(reduction, size_average, reduce, "hinge_embedding_loss")
    t = _same_shape(input, target, "hinge_embedding_loss")._data
    loss = where(t != 1, clamp(margin - input, min=0.0), 0.0) + where(t != -1, input, 0.0)
    return _reduce(loss, reduction)


@op(function=False, method=False)
def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """``log(1 + exp(-y x))`` for labels ``y`` in {1, -1}, computed without overflow.

    Shape:
        input and target of the same shape; output a scalar, or that shape for 'none'.
    """
    reduction = reduction_mode(reduction, size_average, reduce, "soft_margin_loss")
    target = _same_shape(input, target, "soft_margin_loss")
    out = _reduce(softplus(-input * target, threshold=np.inf), reduction)
    return guard(out, input, target, name="SoftMarginLossBackward0")     # what PyTorch's node saves


@op(function=False, method=False)
def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """``-mean_c(y log sigmoid(x) + (1 - y) log sigmoid(-x))`` per sample (a one-vs-all BCE with logits).

    Args:
        weight: per-class weights ``(C,)``.

    Shape:
        input and target ``(N, C)`` (or ``(C,)``); output ``(N,)`` for 'none', else a scalar.
    """
    reduction = reduction_mode(reduction, size_average, reduce, "multilabel_soft_margin_loss")
    target = _same_shape(input, target, "multilabel_soft_margin_loss")
    # log sigmoid(x) = -softplus(-x)
    loss = target * softplus(-input, threshold=np.inf) + (1.0 - target) * softplus(input, threshold=np.inf)
    if weight is not None:
        loss = loss * _like(weight, input)
    class_dim = input.ndim - 1
    loss = loss.sum(dim=class_dim) / input.shape[class_dim]
    return _reduce(loss, reduction)


def _batched(input, op):
    if input.ndim not in (1, 2):
        raise ShapeError(f"{op}: expected an input of shape (C,) or (N, C), got {fmt_shape(input.shape)}")
    return input.reshape(1, -1) if input.ndim == 1 else input


def _int_target(target, op):
    t = target.numpy() if isinstance(target, Tensor) else np.asarray(target)
    if t.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: expected scalar type Long but found {t.dtype} (class-index targets)")
    return t.astype(np.int64, copy=False)


@op(function=False, method=False)
def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """``sum_j sum_{i not a target} max(0, 1 - (x[y_j] - x[i])) / C`` per sample: every target class should
    score a margin above every other class.

    ``target`` holds the target classes of each sample, padded with ``-1`` after the last one (the first ``-1``
    ends the list).

    Shape:
        input ``(C,)`` or ``(N, C)``; target int64 of the input's shape; output ``(N,)`` for 'none' (``()`` for
        an unbatched input), else a scalar.
    """
    reduction = reduction_mode(reduction, size_average, reduce, "multilabel_margin_loss")
    t = _int_target(target, "multilabel_margin_loss")
    if t.shape != input.shape:
        raise ShapeError(f"inconsistent target size: {list(t.shape)} for input of size: {list(input.shape)}")
    x = _batched(input, "multilabel_margin_loss")
    t = t.reshape(x.shape)
    N, C = x.shape
    if ((t < -1) | (t >= C)).any():
        raise RuntimeError(f"multilabel_margin_loss: argument #2 'target' is out of range (values must be in "
                           f"[-1, {C - 1}])")
    # entries before the first -1 are the targets; is_target marks their classes
    listed = np.cumprod(t != -1, axis=1).astype(bool)
    is_target = np.zeros((N, C), dtype=bool)
    rows = np.broadcast_to(np.arange(N)[:, None], t.shape)
    is_target[rows[listed], t[listed]] = True
    x_t = gather(x, 1, Tensor._make(np.where(listed, t, 0)))                 # (N, K): score of each listed target
    hinge = relu(1.0 - x_t.unsqueeze(2) + x.unsqueeze(1))                  # (N, K, C)
    pairs = Tensor._make((listed[:, :, None] & ~is_target[:, None, :]).astype(x.dtype))
    loss = (hinge * pairs).sum(dim=(1, 2)) / C
    if input.ndim == 1:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


@op(function=False, method=False)
def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):
    """Multi-class hinge: ``sum_{i != y} w[y] * max(0, margin - x[y] + x[i]) ** p / C`` per sample.

    Args:
        p: 1 or 2.
        margin: the margin (default 1).
        weight: per-class weights ``(C,)``, multiplying each sample's terms by its target's weight.

    Shape:
        input ``(N, C)`` or ``(C,)``; target int64 ``(N,)`` or ``()``; output ``(N,)`` for 'none', else a scalar.
    """
    reduction = reduction_mode(reduction, size_average, reduce, "multi_margin_loss")
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    t0 = _int_target(target, "multi_margin_loss")
    x = _batched(input, "multi_margin_loss")
    N, C = x.shape
    if t0.size != N or t0.ndim > 1:
        raise ShapeError(f"multi_margin_loss: target tensor should be 1-D with size equal to the number of input "
                         f"samples (batch size). Expected target size [{N}], but got {list(t0.shape)}. Input has "
                         f"shape {list(input.shape)}.")
    t = t0.reshape(N)
    if ((t < 0) | (t >= C)).any():
        raise RuntimeError(f"multi_margin_loss: target out of range (targets must be in [0, {C - 1}])")
    if weight is not None and weight.numel() != C:
        raise ShapeError(f"inconsistent weight size, expected {C} but got {list(weight.shape)}")
    x_y = gather(x, 1, Tensor._make(t[:, None]))                            # (N, 1)
    h = relu(margin - x_y + x)
    if p == 2:
        h = h * h
    others = Tensor._make((np.arange(C)[None, :] != t[:, None]).astype(x.dtype))
    loss = (h * others).sum(dim=1) / C
    if weight is not None:
        loss = loss * Tensor._make(_like(weight, x).numpy()[t].astype(x.dtype))
    if t0.ndim == 0:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


_COSINE_EPS = 1e-12


@op(function=False, method=False)
def cosine_embedding_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"):
    """``1 - cos(x1, x2)`` where ``y = 1``, ``max(0, cos(x1, x2) - margin)`` where ``y = -1``.

    Shape:
        input1, input2 ``(N, D)`` with target ``(N,)``, or ``(D,)`` with a 0-d target; output ``(N,)`` for
        'none', else a scalar.
    """
    reduction = reduction_mode(reduction, size_average, reduce, "cosine_embedding_loss")
    t = _like(target, input1)
    if t.ndim not in (0, 1):
        raise ShapeError("0D or 1D target tensor expected, multi-target not supported")
    want = t.ndim + 1
    if input1.ndim != want or input2.ndim != want:
        raise ShapeError(f"{t.ndim}D target tensor expects {want}D input tensors, but found inputs with sizes "
                         f"{list(input1.shape)} and {list(input2.shape)}.")
    d = t.ndim
    prod = (input1 * input2).sum(dim=d)
    mag1 = (input1 * input1).sum(dim=d) + _COSINE_EPS
    mag2 = (input2 * input2).sum(dim=d) + _COSINE_EPS
    cos = prod / (mag1 * mag2).sqrt()
    td = t._data
    loss = where(td == 1, 1.0 - cos, 0.0) + where(td == -1, clamp(cos - margin, min=0.0), 0.0)
    return _reduce(loss, reduction)


def _triplet_checks(anchor, positive, negative, margin):
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise ShapeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                         f"dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and negative "
                         f"{negative.ndim}D inputs")


@op(function=False, method=False)
def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    """``max(0, d(a, p) - d(a, n) + margin)`` with ``d`` the ``p``-norm pairwise distance; with ``swap``,
    ``d(a, n)`` is replaced by ``min(d(a, n), d(p, n))``.

    Shape:
        anchor, positive, negative ``(N, D)`` or ``(D,)``; output ``(N,)`` for 'none', else a scalar.
    """
    reduction = reduction_mode(reduction, size_average, reduce, "triplet_margin_loss")
    _triplet_checks(anchor, positive, negative, margin)
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce(clamp(margin + d_pos - d_neg, min=0.0), reduction)


@op(function=False, method=False)
def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0,
                                      swap=False, reduction="mean"):
    """:func:`triplet_margin_loss` with any ``distance_function(x1, x2)`` (default: pairwise L2 distance).

    Shape:
        anchor, positive, negative ``(N, *)``; output ``(N,)`` for 'none', else a scalar.
    """
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    _triplet_checks(anchor, positive, negative, margin)
    dist = pairwise_distance if distance_function is None else distance_function
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        d_neg = minimum(d_neg, dist(positive, negative))
    return _reduce(clamp(margin + d_pos - d_neg, min=0.0), reduction)
