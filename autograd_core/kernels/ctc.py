"""numba CTC kernels: the forward (alpha) recursion giving each sample's negative log-likelihood, and the
backward (beta) recursion giving the gradient with respect to the log-probabilities, in log space.

Inputs: ``log_probs`` ``(T, N, C)``; ``targets`` ``(N, S)`` int64, padded; ``input_lengths`` and
``target_lengths`` ``(N,)`` int64. The extended target of sample ``n`` is ``l' = (blank, y_1, blank, y_2, ...,
y_S, blank)`` of length ``L = 2 S + 1``; ``alpha[n, t, s]`` is the log-probability of all prefixes of alignments
ending in ``l'_s`` at time ``t`` (PyTorch's convention: alpha and beta both include ``log_probs`` at ``t``).

:func:`ctc_backward` returns PyTorch's gradient, ``exp(lp) - exp(log(sum_{s: l'_s = c} alpha beta) + nll - lp)``
for ``t < input_length`` and 0 after: the gradient with respect to the logits of a ``log_softmax`` that produced
``lp`` (PyTorch's ``ctc_loss`` returns it as the gradient of ``log_probs``; see ``ops/ctc.py``).

Computed in float64 whatever the input's dtype; samples run in parallel (``prange``) for large batches.
"""
import numpy as np

from ._jit import njit, pick, prange

_NEG_INF = -np.inf


@njit
def _lse2(a, b):
    m = max(a, b)
    if m == _NEG_INF:
        return _NEG_INF
    return m + np.log(np.exp(a - m) + np.exp(b - m))


@njit
def _lse3(a, b, c):
    m = max(a, max(b, c))
    if m == _NEG_INF:
        return _NEG_INF
    return m + np.log(np.exp(a - m) + np.exp(b - m) + np.exp(c - m))


@njit
def _label(targets, n, s, blank):
    return blank if s % 2 == 0 else targets[n, s // 2]


@njit
def _alpha_one(lp, targets, n, T, S, blank, alpha):
    L = 2 * S + 1
    for t in range(alpha.shape[1]):
        for s in range(alpha.shape[2]):
            alpha[n, t, s] = _NEG_INF
    if T == 0:
        return np.inf if S > 0 else 0.0
    alpha[n, 0, 0] = lp[0, n, blank]
    if L > 1:
        alpha[n, 0, 1] = lp[0, n, targets[n, 0]]
    for t in range(1, T):
        for s in range(L):
            c = _label(targets, n, s, blank)
            a = alpha[n, t - 1, s]
            b = alpha[n, t - 1, s - 1] if s > 0 else _NEG_INF
            d = _NEG_INF
            if s > 1 and c != blank and c != _label(targets, n, s - 2, blank):
                d = alpha[n, t - 1, s - 2]
            alpha[n, t, s] = _lse3(a, b, d) + lp[t, n, c]
    if L > 1:
        return -_lse2(alpha[n, T - 1, L - 1], alpha[n, T - 1, L - 2])
    return -alpha[n, T - 1, L - 1]


@njit
def _ctc_forward_serial(lp, targets, input_lengths, target_lengths, blank, nll, alpha):
    for n in range(lp.shape[1]):
        nll[n] = _alpha_one(lp, targets, n, input_lengths[n], target_lengths[n], blank, alpha)


@njit(parallel=True)
def _ctc_forward_parallel(lp, targets, input_lengths, target_lengths, blank, nll, alpha):
    for n in prange(lp.shape[1]):
        nll[n] = _alpha_one(lp, targets, n, input_lengths[n], target_lengths[n], blank, alpha)


def ctc_forward(log_probs, targets, input_lengths, target_lengths, blank):
    """Per-sample negative log-likelihood ``(N,)`` and the alpha table ``(N, T, 2 S_max + 1)`` (float64)."""
    lp = np.ascontiguousarray(log_probs, dtype=np.float64)
    T, N, _ = lp.shape
    S = targets.shape[1]
    nll = np.empty(N, dtype=np.float64)
    alpha = np.empty((N, T, 2 * S + 1), dtype=np.float64)
    kernel = pick(_ctc_forward_serial, _ctc_forward_parallel, alpha.size)
    kernel(lp, np.ascontiguousarray(targets, dtype=np.int64), np.ascontiguousarray(input_lengths, dtype=np.int64),
           np.ascontiguousarray(target_lengths, dtype=np.int64), blank, nll, alpha)
    return nll, alpha


@njit
def _grad_one(lp, targets, n, T, S, blank, nll, alpha, beta, grad):
    L = 2 * S + 1
    C = lp.shape[2]
    for t in range(lp.shape[0]):
        for c in range(C):
            grad[t, n, c] = 0.0
    if T == 0:
        return
    for t in range(T):
        for s in range(L):
            beta[t, s] = _NEG_INF
    beta[T - 1, L - 1] = lp[T - 1, n, blank]
    if L > 1:
        beta[T - 1, L - 2] = lp[T - 1, n, _label(targets, n, L - 2, blank)]
    for t in range(T - 2, -1, -1):
        for s in range(L):
            c = _label(targets, n, s, blank)
            a = beta[t + 1, s]
            b = beta[t + 1, s + 1] if s + 1 < L else _NEG_INF
            d = _NEG_INF
            if s + 2 < L and c != blank and c != _label(targets, n, s + 2, blank):
                d = beta[t + 1, s + 2]
            beta[t, s] = _lse3(a, b, d) + lp[t, n, c]
    # log(sum over s with l'_s = c of alpha * beta), accumulated into grad[t, n, c] (as log values)
    for t in range(T):
        for c in range(C):
            grad[t, n, c] = _NEG_INF
        for s in range(L):
            c = _label(targets, n, s, blank)
            grad[t, n, c] = _lse2(grad[t, n, c], alpha[n, t, s] + beta[t, s])
        for c in range(C):
            v = lp[t, n, c]
            grad[t, n, c] = np.exp(v) - np.exp(grad[t, n, c] + nll[n] - v)


@njit
def _ctc_backward_serial(lp, targets, input_lengths, target_lengths, blank, nll, alpha, grad):
    beta = np.empty((alpha.shape[1], alpha.shape[2]), dtype=np.float64)
    for n in range(lp.shape[1]):
        _grad_one(lp, targets, n, input_lengths[n], target_lengths[n], blank, nll, alpha, beta, grad)


@njit(parallel=True)
def _ctc_backward_parallel(lp, targets, input_lengths, target_lengths, blank, nll, alpha, grad):
    for n in prange(lp.shape[1]):
        beta = np.empty((alpha.shape[1], alpha.shape[2]), dtype=np.float64)
        _grad_one(lp, targets, n, input_lengths[n], target_lengths[n], blank, nll, alpha, beta, grad)


def ctc_backward(log_probs, targets, input_lengths, target_lengths, blank, nll, alpha):
    """PyTorch's CTC gradient ``(T, N, C)`` (float64) for an upstream gradient of 1 per sample."""
    lp = np.ascontiguousarray(log_probs, dtype=np.float64)
    grad = np.empty(lp.shape, dtype=np.float64)
    kernel = pick(_ctc_backward_serial, _ctc_backward_parallel, alpha.size)
    kernel(lp, np.ascontiguousarray(targets, dtype=np.int64), np.ascontiguousarray(input_lengths, dtype=np.int64),
           np.ascontiguousarray(target_lengths, dtype=np.int64), blank, np.asarray(nll, dtype=np.float64), alpha,
           grad)
    return grad
