"""Loss functions (``nn.functional`` re-exports them), with PyTorch's arguments and reduction semantics.

Two fused ``Function`` nodes exist for speed and stability; the rest are compositions of Tensor ops:

- ``CrossEntropy``: log-softmax + negative log-likelihood over ``(M, C)`` logits and integer targets in ONE node,
  stable for logits of any size (shift by the row maximum), with ``weight``, ``ignore_index`` and
  ``label_smoothing``. Its backward is ``softmax(x) * sum(a) - a`` for the per-row target coefficients ``a``.
- ``BinaryCrossEntropyWithLogits``: ``max(x, 0) - x*y + log1p(exp(-|x|))`` never overflows; a composition would
  get the gradient wrong at ``x == 0`` (``|x|`` has subgradient 0 there), so the node gives ``sigmoid(x) - y``.
- ``BinaryCrossEntropy``: PyTorch clamps ``log`` at -100 and the gradient's denominator at 1e-12, so inputs of
  exactly 0 or 1 give finite values.

Backward passes are written in Tensor ops (differentiable twice); ``CrossEntropy`` also has an ndarray fast path
used when no graph of the backward is being recorded (the usual ``loss.backward()``). Both are tested.

Shape mismatches between input and target raise ``ShapeError`` (PyTorch only warns and broadcasts, which hides
the classic ``(N, 1)`` vs ``(N,)`` bug).
"""
import warnings

import numpy as np

from ..errors import ShapeError, TargetOutOfRangeError, fmt_shape
from ..function import Function
from ..grad_mode import is_grad_enabled
from ..tensor import Tensor
from .activation import sigmoid, softplus
from .elementwise import clamp, where
from .reduction import log_softmax, softmax
from .registry import op
from .saved import guard

_REDUCTIONS = ("mean", "sum", "none")


def reduction_mode(reduction, size_average, reduce, op, extra=()):
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "mean" if size_average and reduce else ("sum" if reduce else "none")
        warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{reduction}' "
                      f"instead.", stacklevel=3)
    if reduction not in _REDUCTIONS + tuple(extra):
        raise ValueError(f"{op}: {reduction!r} is not a valid value for reduction (expected one of "
                         f"{', '.join(repr(r) for r in _REDUCTIONS + tuple(extra))})")
    return reduction


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _like(x, like):
    if isinstance(x, Tensor):
        return x
    return Tensor._make(np.asarray(x, dtype=like.dtype))


def _same_shape(input, target, op):
    target = _like(target, input)
    if input.shape != target.shape:
        raise ShapeError(f"{op}: target shape {fmt_shape(target.shape)} differs from input shape "
                         f"{fmt_shape(input.shape)}; they must be equal (reshape one of them, e.g. "
                         f"input.squeeze(-1) or target.view(-1, 1))")
    if target.dtype.kind not in "fc" and input.dtype.kind in "fc":
        target = target.to(input.dtype)    # integer/bool targets: compute in the input's dtype, as PyTorch
    return target


def _weight_array(weight, C, dtype, op):
    if weight is None:
        return None
    w = weight.numpy() if isinstance(weight, Tensor) else np.asarray(weight)
    if w.shape != (C,):
        raise ShapeError(f"{op}: weight has shape {fmt_shape(w.shape)}, expected ({C},): one weight per class")
    return w.astype(dtype, copy=False)


def _class_layout(input, op):
    """``(N, C, d1..dk)`` -> ``(N*d1..dk, C)`` logits (class dim last) and the target shape ``(N, d1..dk)``.
    An unbatched ``(C,)`` input becomes ``(1, C)`` with target shape ``()``."""
    if input.ndim == 0:
        raise ShapeError(f"{op}: expected an input of shape (C,), (N, C) or (N, C, d1, ...), got a 0-d tensor")
    if input.ndim == 1:
        return input.reshape(1, -1), (), input.shape[0]
    C = input.shape[1]
    tshape = (input.shape[0],) + input.shape[2:]
    if input.ndim == 2:
        return input, tshape, C
    perm = (0,) + tuple(range(2, input.ndim)) + (1,)
    return input.permute(perm).reshape(-1, C), tshape, C


def _class_targets(target, tshape, C, ignore_index, input_shape, op):
    t = target.numpy() if isinstance(target, Tensor) else np.asarray(target)
    if t.dtype.kind not in "iu":
        raise TypeError(f"{op}: class-index targets must be integers, got {t.dtype} of shape {fmt_shape(t.shape)} "
                        f"(for class probabilities pass a float target of the input's shape "
                        f"{fmt_shape(input_shape)})")
    if t.shape != tuple(tshape):
        raise ShapeError(f"{op}: target shape {fmt_shape(t.shape)} doesn't match input shape "
                         f"{fmt_shape(input_shape)}; expected a target of shape {fmt_shape(tshape)}")
    t = t.reshape(-1).astype(np.int64, copy=False)
    valid = t != ignore_index
    bad = valid & ((t < 0) | (t >= C))
    if bad.any():
        raise TargetOutOfRangeError(f"{op}: target {int(t[bad][0])} is out of bounds for {C} classes "
                                    f"(valid targets are 0..{C - 1} or ignore_index={ignore_index})")
    return np.where(valid, t, 0), valid


class CrossEntropyFunction(Function):
    """Fused ``nll_loss(log_softmax(x), t)`` over ``(M, C)`` logits; see the module docstring."""
    label = "cross_entropy"
    derivative = "grad_logits = (softmax(logits) - one_hot(target)) / N"

    def forward(self, x, target=None, valid=None, weight=None, label_smoothing=0.0, reduction="mean"):
        # as PyTorch's log_softmax + nll_loss nodes, backward reads log p (kept below), not the logits: changing
        # the logits in place before backward is allowed (only a create_graph backward reads them again)
        self.x_version = x._version[0]
        logits = x._data
        M, C = logits.shape
        shifted = logits - logits.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        rows = np.arange(M)
        w_t = (valid if weight is None else weight[target] * valid).astype(logits.dtype)
        loss = -w_t * logp[rows, target]
        eps = label_smoothing
        if eps > 0:
            smooth = -(logp.sum(axis=1) if weight is None else logp @ weight) * valid
            loss = (1.0 - eps) * loss + (eps / C) * smooth
        self.logp, self.target, self.valid, self.weight, self.w_t = logp, target, valid, weight, w_t
        self.eps, self.reduction = eps, reduction
        if reduction == "none":
            return loss
        total = loss.sum()
        if reduction == "sum":
            return np.asarray(total)
        self.denom = w_t.sum()
        with np.errstate(invalid="ignore", divide="ignore"):   # all targets ignored -> nan, as PyTorch
            return np.asarray(total / self.denom)

    def _coefficients(self, dtype):
        """Per row: ``a`` (the loss is ``-sum_c a_c log p_c``) as an ``(M, C)`` array, and ``sum_c a_c``."""
        M, C = self.logp.shape
        a = np.zeros((M, C), dtype=dtype)
        a[np.arange(M), self.target] = (1.0 - self.eps) * self.w_t
        if self.eps > 0:
            wvec = np.ones(C, dtype=dtype) if self.weight is None else self.weight
            a += (self.eps / C) * wvec[None, :] * self.valid[:, None]
        return a, a.sum(axis=1, keepdims=True)

    def _scale(self, grad):
        """The incoming gradient as a per-row column (``none``) or a scalar (divided by the weight sum for mean)."""
        if self.reduction == "none":
            return grad.reshape(-1, 1)
        if self.reduction == "sum":
            return grad
        # every target ignored (denominator 0): the loss is nan but the gradients are zeros, as PyTorch's
        scale = 1.0 / self.denom if self.denom != 0 else 0.0
        return grad * Tensor._make(np.asarray(scale, dtype=grad.dtype))

    def backward(self, grad):
        if self._released:
            raise self.freed_error()
        a, a_sum = self._coefficients(self.logp.dtype)
        if is_grad_enabled():   # recording the backward (create_graph): differentiable softmax of the logits
            x = self.inputs[0]
            if x._version[0] != self.x_version:
                raise RuntimeError(
                    f"one of the variables needed for gradient computation has been modified by an inplace "
                    f"operation: the logits of shape {fmt_shape(x.shape)} read by {self.name()} (create_graph) are "
                    f"at version {x._version[0]}; expected version {self.x_version}.")
            p = softmax(x, dim=1)
            return (p * Tensor._make(a_sum) - Tensor._make(a)) * self._scale(grad)
        g = np.exp(self.logp)
        g *= a_sum
        g -= a
        g *= self._scale(grad)._data
        return Tensor._make(g)


@op(function=False, method=False)
def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                  label_smoothing=0.0):
    """Cross-entropy between logits and class indices (or class probabilities).

    Args:
        input: logits ``(N, C)``, ``(N, C, d1, ...)`` or ``(C,)``.
        target: int64 class indices ``(N)``, ``(N, d1, ...)`` or ``()``; or float probabilities of the input's
            shape.
        weight: per-class weights ``(C,)``; 'mean' then divides by the summed weights of the targets.
        ignore_index: targets with this value contribute nothing (index targets only).
        reduction: 'mean' | 'sum' | 'none'.
        label_smoothing: mixes the target with the uniform distribution: ``(1 - e) * target + e / C``.

    Example::

        >>> loss = F.cross_entropy(logits, labels)       # logits (N, C), labels (N,) int64
    """
    reduction = reduction_mode(reduction, size_average, reduce, "cross_entropy")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    x, tshape, C = _class_layout(input, "cross_entropy")
    w = _weight_array(weight, C, input.dtype, "cross_entropy")
    tdata = target.numpy() if isinstance(target, Tensor) else np.asarray(target)
    if tdata.dtype.kind == "f" and tdata.shape == input.shape:
        return _cross_entropy_probs(input, _like(target, input), w, reduction, label_smoothing, C)
    t, valid = _class_targets(tdata, tshape, C, ignore_index, input.shape, "cross_entropy")
    loss = CrossEntropyFunction.apply(x, target=t, valid=valid, weight=w, label_smoothing=float(label_smoothing),
                              reduction=reduction)
    return loss.reshape(tshape) if reduction == "none" else loss


def _cross_entropy_probs(input, target, w, reduction, label_smoothing, C):
    cdim = 0 if input.ndim == 1 else 1
    logp = log_softmax(input, dim=cdim)
    if label_smoothing > 0:
        target = target * (1.0 - label_smoothing) + label_smoothing / C
    prod = logp * target
    if w is not None:
        prod = prod * Tensor._make(w.reshape((C,) + (1,) * (input.ndim - cdim - 1)))
    loss = -prod.sum(dim=cdim)
    if reduction == "mean":
        return loss.sum() * (C / input.numel())
    return _reduce(loss, reduction)


@op(function=False, method=False)
def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """Negative log-likelihood of log-probabilities ``input`` (e.g. from ``log_softmax``) at class indices.

    Shapes and arguments as :func:`cross_entropy`; 'mean' divides by the summed weights of non-ignored targets.
    """
    reduction = reduction_mode(reduction, size_average, reduce, "nll_loss")
    x, tshape, C = _class_layout(input, "nll_loss")
    w = _weight_array(weight, C, input.dtype, "nll_loss")
    t, valid = _class_targets(target, tshape, C, ignore_index, input.shape, "nll_loss")
    w_t = (valid if w is None else w[t] * valid).astype(input.dtype)
    loss = -x[np.arange(t.size), t] * Tensor._make(w_t)
    if reduction == "none":
        return loss.reshape(tshape)
    if reduction == "sum":
        return loss.sum()
    denom = w_t.sum()
    if denom == 0:       # every target ignored: the loss is nan but the gradients are zeros, as PyTorch's
        return loss.sum() * 0.0 + float("nan")
    return loss.sum() / Tensor._make(np.asarray(denom))


@op(function=False, method=False)
def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error ``(x - y)^2``; with ``weight``, 'mean' is ``sum(w * err) / sum(w)`` (as PyTorch)."""
    reduction = reduction_mode(reduction, size_average, reduce, "mse_loss")
    d = input - _same_shape(input, target, "mse_loss")
    # PyTorch's node saves input and target (not d): changing either in place before backward is an error
    return guard(_weighted(d * d, weight, reduction, "mse_loss"), input, target, name="MseLossBackward0")


@op(function=False, method=False)
def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error ``|x - y|`` (gradient 0 where equal); ``weight`` as in :func:`mse_loss`."""
    reduction = reduction_mode(reduction, size_average, reduce, "l1_loss")
    return _weighted((input - _same_shape(input, target, "l1_loss")).abs(), weight, reduction, "l1_loss")


def _weighted(loss, weight, reduction, op):
    if weight is None:
        return _reduce(loss, reduction)
    weight = _like(weight, loss)
    if weight.shape != loss.shape:
        raise ShapeError(f"{op}: weight shape {fmt_shape(weight.shape)} must equal the input shape "
                         f"{fmt_shape(loss.shape)}")
    loss = loss * weight
    return loss.sum() / weight.sum() if reduction == "mean" else _reduce(loss, reduction)


class BinaryCrossEntropyFunction(Function):
    """``-(y log x + (1 - y) log(1 - x))`` with both logs clamped at -100 (PyTorch)."""
    label = "binary_cross_entropy"
    derivative = "∂L/∂p = (p - y) / (p·(1 - p)) / N"

    def forward(self, x, y):
        p, t = x._data, y._data
        self.save_for_backward(x, y)
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(p), -100.0)
            log_q = np.maximum(np.log1p(-p), -100.0)
        return -(t * log_p + (1.0 - t) * log_q)

    def backward(self, grad):
        x, y = self.saved_tensors
        gx = gy = None
        if self.needs_input_grad[0]:
            gx = grad * (x - y) / clamp(x * (1.0 - x), min=1e-12)
        if self.needs_input_grad[1]:
            with np.errstate(divide="ignore"):
                gy = grad * (clamp((1.0 - x).log(), min=-100.0) - clamp(x.log(), min=-100.0))
        return gx, gy


@op(function=False, method=False)
def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """Binary cross-entropy of probabilities ``input`` in [0, 1]; ``weight`` multiplies each element's loss."""
    reduction = reduction_mode(reduction, size_average, reduce, "binary_cross_entropy")
    target = _same_shape(input, target, "binary_cross_entropy")
    p = input.numpy()
    if ((p < 0) | (p > 1)).any():
        raise ValueError(f"binary_cross_entropy: all elements of input should be between 0 and 1 (input shape "
                         f"{fmt_shape(p.shape)}); use binary_cross_entropy_with_logits for logits")
    loss = BinaryCrossEntropyFunction.apply(input, target.to(input.dtype))
    if weight is not None:
        loss = loss * _like(weight, input)
    return _reduce(loss, reduction)


class BinaryCrossEntropyWithLogitsFunction(Function):
    """``(1 - y) x + l * softplus(-x)`` with ``l = 1 + (pos_weight - 1) y`` (``l = 1`` without pos_weight)."""
    label = "binary_cross_entropy_with_logits"
    derivative = "∂L/∂x = (sigmoid(x) - y) / N"

    def forward(self, x, y, *pos_weight):
        self.save_for_backward(x, y, *pos_weight)
        v, t = x._data, y._data
        sp_neg = np.maximum(-v, 0) + np.log1p(np.exp(-np.abs(v)))   # softplus(-x), never overflows
        lw = 1.0 if not pos_weight else 1.0 + (pos_weight[0]._data - 1.0) * t
        return (1.0 - t) * v + lw * sp_neg

    def backward(self, grad):
        x, y, *pw = self.saved_tensors
        gx = gy = gpw = None
        lw = 1.0 if not pw else (pw[0] - 1.0) * y + 1.0
        if self.needs_input_grad[0]:
            gx = grad * (sigmoid(x) * lw - lw + (1.0 - y)) if pw else grad * (sigmoid(x) - y)
        if len(self.needs_input_grad) > 1 and any(self.needs_input_grad[1:]):
            sp_neg = softplus(-x, threshold=np.inf)
            if self.needs_input_grad[1]:
                gy = grad * (-x + (pw[0] - 1.0) * sp_neg) if pw else grad * -x
            if pw and self.needs_input_grad[2]:
                gpw = grad * y * sp_neg
        return (gx, gy, gpw) if pw else (gx, gy)


@op(function=False, method=False)
def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction="mean",
                                     pos_weight=None):
    """Sigmoid + binary cross-entropy in one stable step, for logits of any size.

    Args:
        weight: multiplies each element's loss (broadcast to the input's shape).
        pos_weight: weight of the positive term, broadcast along the last (class) dim, e.g. ``(C,)``.
    """
    reduction = reduction_mode(reduction, size_average, reduce, "binary_cross_entropy_with_logits")
    target = _same_shape(input, target, "binary_cross_entropy_with_logits").to(input.dtype)
    args = (input, target)
    if pos_weight is not None:
        pos_weight = _like(pos_weight, input)
        try:
            np.broadcast_shapes(pos_weight.shape, input.shape)
        except ValueError:
            raise ShapeError(f"binary_cross_entropy_with_logits: pos_weight of shape {fmt_shape(pos_weight.shape)} "
                             f"doesn't broadcast to the input's shape {fmt_shape(input.shape)}") from None
        args += (pos_weight.to(input.dtype),)
    loss = BinaryCrossEntropyWithLogitsFunction.apply(*args)
    if weight is not None:
        loss = loss * _like(weight, input)
    return _reduce(loss, reduction)


@op(function=False, method=False)
def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """``KL(target || exp(input))`` pointwise: ``target * (log target - input)``; ``input`` holds log-probabilities.

    ``reduction='batchmean'`` divides the sum by the batch size (the mathematical KL divergence); 'mean' divides by
    the number of elements (PyTorch's default, with its warning).
    """
    if size_average is None and reduce is None and reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size. "
                      "'batchmean' divides only by the batch size, and aligns with the KL div math definition.",
                      stacklevel=2)
    reduction = reduction_mode(reduction, size_average, reduce, "kl_div", extra=("batchmean",))
    target = _same_shape(input, target, "kl_div")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        pos = target._data > 0
        safe = where(pos, target, 1.0)
        loss = where(pos, target * safe.log(), 0.0) - target * input   # xlogy(t, t) - t x: 0 where t == 0
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.ndim else loss.sum()
    return _reduce(loss, reduction)


@op(function=False, method=False)
def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """``0.5 d^2`` where ``|d| < delta``, else ``delta * (|d| - 0.5 delta)``; ``weight`` multiplies, then plain mean."""
    reduction = reduction_mode(reduction, None, None, "huber_loss")
    d = input - _same_shape(input, target, "huber_loss")
    ad = d.abs()
    dq = d.clamp(-delta, delta)   # the quadratic branch on a bounded d: an infinite residual gets delta·sign(d)
    loss = where(ad._data < delta, dq * dq * 0.5, (ad - 0.5 * delta) * delta)
    if weight is not None:
        weight = _like(weight, input)
        if weight.shape != input.shape:
            raise ShapeError(f"huber_loss: weight shape {fmt_shape(weight.shape)} must equal the input shape "
                             f"{fmt_shape(input.shape)}")
        loss = loss * weight
    return guard(_reduce(loss, reduction), input, target, name="HuberLossBackward0")   # as PyTorch's node


@op(function=False, method=False)
def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """``0.5 d^2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta`` (``beta = 0``: L1 loss)."""
    reduction = reduction_mode(reduction, size_average, reduce, "smooth_l1_loss")
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    d = input - _same_shape(input, target, "smooth_l1_loss")
    ad = d.abs()
    if beta == 0:
        return _reduce(ad, reduction)
    dq = d.clamp(-beta, beta)     # the quadratic branch on a bounded d: an infinite residual gets sign(d)
    loss = where(ad._data < beta, dq * dq * (0.5 / beta), ad - 0.5 * beta)
    return guard(_reduce(loss, reduction), input, target, name="SmoothL1LossBackward0")   # as PyTorch's node
