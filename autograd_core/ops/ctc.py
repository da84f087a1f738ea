"""The Connectionist Temporal Classification loss: ``ctc_loss`` (``nn.functional`` and ``nn.CTCLoss`` use it).

``CtcLossFunction`` computes each sample's negative log-likelihood by the log-space alpha recursion and its
gradient by the beta recursion (numba kernels, ``kernels/ctc.py``; the numpy oracle is in ``kernels/reference.py``).

The gradient is PyTorch's: ``exp(lp) - exp(log(sum alpha beta) + nll - lp)``. That is the derivative with respect
to the *logits* of a ``log_softmax`` producing ``lp`` (the ``exp(lp)`` term is the softmax's share), returned as
the gradient of ``lp``; chained through ``log_softmax`` it gives the exact gradient, because the term sums to 0
over the classes. So, as in PyTorch, gradients are exact when ``log_probs`` comes from ``log_softmax`` (the usual
case and the documented contract), and a gradcheck must go through ``log_softmax``. Second derivatives are not
implemented (PyTorch's neither): differentiating the gradient raises.
"""
import numpy as np

from .. import kernels
from ..errors import ShapeError, fmt_shape
from ..function import Function
from ..grad_mode import is_grad_enabled
from ..tensor import Tensor
from .loss import reduction_mode
from .registry import op


class CtcGradFunction(Function):
    """The gradient of the CTC loss as a node of a recorded backward graph (``create_graph=True``); its own
    backward is not implemented, so a second derivative raises instead of coming out silently wrong."""
    label = "ctc_loss_backward"
    derivative = "not implemented (second derivatives of ctc_loss)"

    def forward(self, log_probs, grad=None):
        return grad

    def backward(self, grad):
        raise RuntimeError("derivative for ctc_loss_backward is not implemented (ctc_loss has no second "
                           "derivatives, as in PyTorch)")


class CtcLossFunction(Function):
    """Per-sample CTC negative log-likelihood ``(N,)`` of ``log_probs`` ``(T, N, C)``; see the module docstring."""
    label = "ctc_loss"
    derivative = "∂nll/∂lp = exp(lp) - exp(log Σ_{s: l'_s = c} α β + nll - lp)  (through log_softmax)"

    def forward(self, log_probs, targets=None, input_lengths=None, target_lengths=None, blank=0,
                zero_infinity=False):
        lp = log_probs._data
        nll, alpha = kernels.ctc_forward(lp, targets, input_lengths, target_lengths, blank)
        self.args = (targets, input_lengths, target_lengths, blank)
        self.nll, self.alpha = nll, alpha
        self.infinite = np.isinf(nll) if zero_infinity else None
        if self.infinite is not None:
            nll = np.where(self.infinite, 0.0, nll)
        self.save_for_backward(log_probs)
        return nll.astype(lp.dtype)

    def backward(self, grad):
        (log_probs,) = self.saved_tensors
        g = kernels.ctc_backward(log_probs._data, *self.args, self.nll, self.alpha)
        if self.infinite is not None:
            g[:, self.infinite, :] = 0.0
        g = g.astype(log_probs.dtype)
        local = CtcGradFunction.apply(log_probs, grad=g) if is_grad_enabled() else Tensor._make(g)
        return local * grad.reshape(1, -1, 1)


def _lengths(value, n, name, op):
    arr = value.numpy() if isinstance(value, Tensor) else np.asarray(value)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{op}: {name} must hold integers, got {arr.dtype}")
    arr = arr.astype(np.int64).reshape(-1)
    if arr.size != n:
        raise RuntimeError(f"{name} must be of size batch_size (got {arr.size} for a batch of {n})")
    return arr


def _padded_targets(targets, target_lengths, N, C, op):
    """``(N, S)`` padded targets from 2-D padded or 1-D concatenated ones, with PyTorch's checks."""
    t = targets.numpy() if isinstance(targets, Tensor) else np.asarray(targets)
    if t.dtype.kind not in "iuf":
        raise TypeError(f"{op}: targets must hold class indices, got {t.dtype}")
    t = t.astype(np.int64)
    S = int(target_lengths.max()) if N else 0
    if t.ndim == 1:
        total = int(target_lengths.sum())
        if t.shape[0] != total:
            raise ShapeError(f"Expected tensor to have size {total} at dimension 0, but got size {t.shape[0]} for "
                             f"argument #2 'targets' (the concatenated targets of lengths {target_lengths.tolist()})")
        out = np.zeros((N, S), dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(target_lengths)[:-1]])
        for n in range(N):
            out[n, :target_lengths[n]] = t[starts[n]:starts[n] + target_lengths[n]]
        used = t
    elif t.ndim == 2:
        if t.shape[0] != N:
            raise ShapeError(f"{op}: targets of shape {fmt_shape(t.shape)} for a batch of {N}")
        if t.shape[1] < S:
            raise ShapeError(f"Expected tensor to have size at least {S} at dimension 1, but got size {t.shape[1]} "
                             f"for argument #2 'targets'")
        out = t[:, :S] if S else np.zeros((N, 0), dtype=np.int64)
        used = out[np.arange(S)[None, :] < target_lengths[:, None]]
    else:
        raise ShapeError(f"{op}: targets must be 1-D (concatenated) or 2-D (N, S), got {fmt_shape(t.shape)}")
    if used.size and (used.min() < 0 or used.max() >= C):
        raise RuntimeError(f"{op}: target values must be class indices in [0, {C}), got {int(used.min())}.."
                           f"{int(used.max())}")
    return np.ascontiguousarray(out)


@op(function=False, method=False)
def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False):
    """Connectionist Temporal Classification loss between input sequences and (shorter) target sequences,
    summed over all alignments.

    Args:
        log_probs: ``(T, N, C)`` (or ``(T, C)`` unbatched) log-probabilities, e.g. ``log_softmax(x, 2)``.
        targets: ``(N, S)`` padded class indices, or 1-D: all targets concatenated (``sum(target_lengths)``).
        input_lengths: ``(N,)`` length of each input (at most T).
        target_lengths: ``(N,)`` length of each target.
        blank: the blank label (default 0).
        reduction: ``'mean'`` (each loss divided by its target length, then the batch mean), ``'sum'`` or
            ``'none'`` (``(N,)``).
        zero_infinity: replace infinite losses (targets too long for their input) and their gradients by 0.
    """
    reduction = reduction_mode(reduction, None, None, "ctc_loss")
    unbatched = log_probs.ndim == 2
    if unbatched:
        log_probs = log_probs.unsqueeze(1)
        if isinstance(targets, Tensor) and targets.ndim == 1:
            targets = targets.reshape(1, -1)
    if log_probs.ndim != 3:
        raise ShapeError(f"ctc_loss: log_probs must be (T, N, C) or (T, C), got {fmt_shape(log_probs.shape)}")
    T, N, C = log_probs.shape
    if not 0 <= blank < C:
        raise RuntimeError("blank must be in label range")
    il = _lengths(input_lengths, N, "input_lengths", "ctc_loss")
    tl = _lengths(target_lengths, N, "target_lengths", "ctc_loss")
    if N and il.max() > T:
        raise RuntimeError(f"Expected input_lengths to have value at most {T}, but got value {int(il.max())}")
    if N and (il.min() < 0 or tl.min() < 0):
        bad = "input_lengths" if il.min() < 0 else "target_lengths"
        raise RuntimeError(f"Expected {bad} to have value at least 0, but got value {int(min(il.min(), tl.min()))}")
    tg = _padded_targets(targets, tl, N, C, "ctc_loss")
    nll = CtcLossFunction.apply(log_probs, targets=tg, input_lengths=il, target_lengths=tl, blank=int(blank),
                                zero_infinity=bool(zero_infinity))
    if reduction == "sum":
        return nll.sum()
    if reduction == "mean":
        lengths = Tensor._make(np.maximum(tl, 1).astype(nll.dtype))
        return (nll / lengths).mean()
    return nll.reshape(()) if unbatched else nll

