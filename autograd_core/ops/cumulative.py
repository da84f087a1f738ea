"""Cumulative ops along a dim: cumsum, cumprod, cummax, cummin, logcumsumexp.

Gradients as PyTorch computes them: cumsum's is the reversed cumulative sum of the gradient; cumprod's is exact with
zeros in the input (the products that skip one element are rebuilt around the first zero instead of dividing by
it, and come from an exact (n, n) leave-one-out form when the backward is recorded); cummax/cummin send it to the
running index they return; logcumsumexp's is computed in log space, split by the sign of the incoming gradient, so
it never overflows.
"""
import numpy as np

from .. import grad_mode, return_types
from ..function import Function
from ..shapes import normalize_dim
from ..tensor import Tensor
from .elementwise import where
from .rearrange import flip, movedim
from .reduction import prod, sum
from .registry import op
from .shape import expand, reshape, unsqueeze
from .sorting import ValueSelectingFunction


def _reverse(f, x, dim):
    """``f`` accumulated from the end of ``dim`` instead of the start."""
    return flip(f(flip(x, (dim,)), dim), (dim,))


class CumsumFunction(Function):
    derivative = "∂outⱼ/∂aᵢ = 1 for i ≤ j: the gradient is summed from the end (a reversed cumsum)"

    def forward(self, a, dim=0):
        self.dim = dim
        return np.cumsum(a._data, axis=dim)

    def backward(self, grad):
        return _reverse(cumsum, grad, self.dim)


class CumprodFunction(Function):
    derivative = "∂outⱼ/∂aᵢ = ∏ₖ≤ⱼ,ₖ≠ᵢ aₖ for i ≤ j (exact with zeros)"

    def forward(self, a, dim=0):
        self.dim = dim
        self.save_for_backward(a)
        self.save_output()
        return np.cumprod(a._data, axis=dim)

    def backward(self, grad):
        (a,) = self.saved_tensors
        out, d, x = self.saved_output, self.dim, a._data
        if not (x == 0).any():
            return _reverse(cumsum, grad * out, d) / a
        if grad_mode.is_grad_enabled():
            return _cumprod_grad_exact(a, grad, d)
        # With zeros (and no graph to record), per slice along d, z = the first zero (n if none):
        #   i < z:  Σⱼ gⱼ outⱼ / aᵢ           (outⱼ = 0 for j ≥ z, so only j < z count; aᵢ ≠ 0 there)
        #   i = z:  (∏ₖ<z aₖ) · Σⱼ≥z gⱼ ∏z<ₖ≤ⱼ aₖ
        #   i > z:  0                          (every product contains a_z = 0)
        n = x.shape[d]
        zero = x == 0
        z = np.where(zero.any(axis=d, keepdims=True), zero.argmax(axis=d, keepdims=True), n)
        pos = np.arange(n).reshape([n if i == d else 1 for i in range(x.ndim)])
        before, at, after = pos < z, pos == z, pos > z
        mask = lambda m: Tensor._make(np.broadcast_to(m, x.shape).astype(grad.dtype))   # noqa: E731
        g_before = _reverse(cumsum, grad * out, d) / where(before, a, 1.0) * mask(before)
        tail = cumprod(where(after, a, 1.0), d)          # ∏z<ₖ≤ⱼ aₖ for j ≥ z
        head = prod(where(before, a, 1.0), dim=d, keepdim=True)
        g_at = head * sum(grad * tail * mask(pos >= z), dim=d, keepdim=True) * mask(at)
        return g_before + g_at


def _cumprod_grad_exact(a, grad, d):
    """``gradᵢ = Σⱼ≥ᵢ gⱼ ∏ₖ≤ⱼ,ₖ≠ᵢ aₖ`` built from an (n, n) matrix of leave-one-out cumulative products: exact with
    zeros to every order (the O(n) form above has the right value but drops the derivative of the ``i > z`` terms
    with respect to the zero), so it is used when the backward pass is itself recorded (``create_graph=True``)."""
    n = a.shape[d]
    x = unsqueeze(movedim(a, d, -1), -2)                     # (..., 1, n): row i, column k
    x = expand(x, x.shape[:-2] + (n, n))
    eye = np.eye(n, dtype=bool)
    leave_one_out = cumprod(where(eye, 1.0, x), -1)          # [..., i, j] = ∏ₖ≤ⱼ,ₖ≠ᵢ aₖ
    later = Tensor._make(np.triu(np.ones((n, n), dtype=grad.dtype)))   # j ≥ i
    g = unsqueeze(movedim(grad, d, -1), -2)                  # (..., 1, n): g_j
    return movedim(sum(leave_one_out * g * later, dim=-1), -1, d)


class CummaxFunction(ValueSelectingFunction):
    label = "cummax"
    saves_input = True
    derivative = "1 at the index of the running maximum: the gradient is added up there"


class CumminFunction(ValueSelectingFunction):
    label = "cummin"
    saves_input = True
    derivative = "1 at the index of the running minimum: the gradient is added up there"


class LogcumsumexpFunction(Function):
    derivative = "∂outⱼ/∂aᵢ = exp(aᵢ - outⱼ) for i ≤ j"

    def forward(self, a, dim=0):
        self.dim = dim
        self.save_for_backward(a)
        self.save_output()
        return np.logaddexp.accumulate(a._data, axis=dim)

    def backward(self, grad):
        # Σⱼ≥ᵢ gⱼ exp(aᵢ - outⱼ), with g split into its positive and negative parts so each sum is a
        # (reversed) logcumsumexp of log|g| - out: no exp of a large number is ever formed.
        (a,) = self.saved_tensors
        out, d, g = self.saved_output, self.dim, grad._data
        lowest = np.finfo(g.dtype).min
        log_abs = (where(g != 0, grad, 1.0)).abs().log()
        pos = where(g > 0, log_abs, lowest)
        neg = where(g < 0, log_abs, lowest)
        return (_reverse(logcumsumexp, pos - out, d) + a).exp() - (_reverse(logcumsumexp, neg - out, d) + a).exp()


# ---------------------------------------------------------------------- functions
def _accumulate(cls, input, dim, name, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    elif input.dtype.kind in "bui" and input.dtype != np.int64:
        input = input.to(np.int64)   # PyTorch accumulates bool and integer tensors as int64
    d = normalize_dim(dim, input.ndim, name)
    if input.ndim == 0:
        return reshape(cls.apply(reshape(input, (1,)), dim=0), ())
    return cls.apply(input, dim=d)


@op(inplace=True)
def cumsum(input, dim, *, dtype=None):
    """Cumulative sum along ``dim``: ``out[j] = a[0] + ... + a[j]``; bool and integer inputs give int64."""
    return _accumulate(CumsumFunction, input, dim, "cumsum", dtype)


@op(inplace=True)
def cumprod(input, dim, *, dtype=None):
    """Cumulative product along ``dim``: ``out[j] = a[0] * ... * a[j]``; the gradient is exact with zeros."""
    return _accumulate(CumprodFunction, input, dim, "cumprod", dtype)


@op
def logcumsumexp(input, dim):
    """``log(cumsum(exp(a)))`` along ``dim``, computed stably (``logaddexp`` accumulated); floating inputs only."""
    if input.dtype.kind not in "fc":
        raise NotImplementedError(f"logcumsumexp: not implemented for {input.dtype} (use a floating tensor)")
    return _accumulate(LogcumsumexpFunction, input, dim, "logcumsumexp")


def _cumextreme(input, dim, is_min):
    name = "cummin" if is_min else "cummax"
    d = normalize_dim(dim, input.ndim, name)
    x = reshape(input, (1,)) if input.ndim == 0 else input
    data = x._data
    values = (np.minimum if is_min else np.maximum).accumulate(data, axis=d)
    # The running extreme changes only where a[i] equals it, so its index is the last such i so far (ties take
    # the later index, as PyTorch); a NaN becomes the extreme from there on, each new NaN taking the index.
    hit = data == values
    if data.dtype.kind in "fc":
        hit |= np.isnan(data)
    pos = np.arange(data.shape[d]).reshape([-1 if i == d else 1 for i in range(data.ndim)])
    idx = np.maximum.accumulate(np.where(hit, pos, 0), axis=d).astype(np.int64)
    values = (CumminFunction if is_min else CummaxFunction).apply(x, index=idx, dim=d)
    indices = Tensor._make(idx)
    if input.ndim == 0:
        values, indices = reshape(values, ()), Tensor._make(idx.reshape(()))
    return getattr(return_types, name)(values, indices)


@op
def cummax(input, dim):
    """Running maximum along ``dim`` and the index where it was reached: ``(values, indices)``."""
    return _cumextreme(input, dim, False)


@op
def cummin(input, dim):
    """Running minimum along ``dim`` and the index where it was reached: ``(values, indices)``."""
    return _cumextreme(input, dim, True)
