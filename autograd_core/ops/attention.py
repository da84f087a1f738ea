"""Scaled dot-product attention as one graph node: ``softmax(Q Kᵀ · scale + mask) V``.

PyTorch's ``F.scaled_dot_product_attention`` is, on the CPU, the composition::

    P = softmax(Q @ K.transpose(-2, -1) * scale + bias)     # bias: the float mask, or -inf where masked out
    out = dropout(P) @ V

``ScaledDotProductAttentionFunction`` computes it in one node, for two reasons:

* speed: the scores ``(..., L, S)`` are the largest array of a Transformer layer; one node scales, masks,
  exponentiates and normalises them in place (one array instead of six) and its backward reuses the saved
  attention weights ``P`` instead of re-running the composition (``bench/bench_transformer.py`` measures it);
* stability and PyTorch's convention for a row whose keys are all masked out (a padded query, a causal mask
  wider than the keys): softmax over only ``-inf`` would be 0/0 = NaN; PyTorch 2.13 gives such a row weights 0,
  so its output and its gradients are 0, and so does this node.

Backward, with ``dP = grad Vᵀ`` (times the dropout mask): ``grad_V = P_dropᵀ grad``,
``grad_S = P ⊙ (dP - rowsum(dP ⊙ P))`` (the softmax Jacobian), ``grad_Q = scale · grad_S K``,
``grad_K = scale · grad_Sᵀ Q`` and ``grad_mask = grad_S`` (a float mask is differentiable, as in PyTorch).
For ``create_graph=False`` these are numpy products on the saved ``P``; for ``create_graph=True`` the same
formulas run in Tensor ops on a differentiable re-computation of ``P``, so second derivatives are exact (both
paths are tested against each other and gradchecked in ``tests/test_attention.py``).
"""
import math

import numpy as np

from .. import grad_mode
from ..errors import ShapeError, fmt_shape
from ..function import Function
from ..random import default_generator
from ..tensor import Tensor
from .elementwise import where
from .linalg import matmul
from .reduction import softmax
from .registry import op
from .shape import expand, reshape, transpose, unsqueeze

__all__ = []


def dropout_keep(shape, p, dtype):
    """The inverted-dropout factor: ``1 / (1 - p)`` with probability ``1 - p``, else 0, from the library
    generator (the same draw as ``nn.functional.dropout``, so the same seed gives the same mask)."""
    dtype = np.dtype(dtype)
    if p >= 1.0:
        return np.zeros(shape, dtype=dtype)
    keep = default_generator().random(shape, dtype=np.float32 if dtype == np.float32 else np.float64) >= p
    return keep * dtype.type(1.0 / (1.0 - p))


def causal_blocked(L, S):
    """``(L, S)`` True above the diagonal: query ``i`` may look at keys ``j <= i`` (PyTorch's upper-left
    alignment, also for ``L != S``)."""
    return np.triu(np.ones((L, S), dtype=bool), 1)


class ScaledDotProductAttentionFunction(Function):
    """``softmax(Q Kᵀ · scale + bias, masked) · dropout`` times ``V``; inputs ``q, k, v`` and an optional float
    ``bias``; the boolean mask (True = take part), the causal flag and the dropout factor are constants."""
    label = "attention"
    derivative = ("P = softmax(scale·QKᵀ + M): grad_V = Pᵀ·grad, grad_S = P ⊙ (grad·Vᵀ - Σ P ⊙ grad·Vᵀ), "
                  "grad_Q = scale·grad_S·K, grad_K = scale·grad_Sᵀ·Q, grad_M = grad_S")

    def forward(self, q, k, v, bias=None, allowed=None, causal=False, scale=1.0, dropout_p=0.0):
        qa, ka, va = q._data, k._data, v._data
        L, S = qa.shape[-2], ka.shape[-2]
        s = np.matmul(qa, np.swapaxes(ka, -1, -2))        # (..., L, S), a new array: modified in place below
        if scale != 1.0:
            s *= s.dtype.type(scale)
        try:
            if bias is not None:
                s += bias._data                            # in place: a mask may not enlarge the batch shape
            if allowed is not None:
                np.copyto(s, -np.inf, where=np.logical_not(allowed))
        except ValueError:
            m = bias if bias is not None else allowed
            raise ShapeError(f"scaled_dot_product_attention: attn_mask of shape {fmt_shape(m.shape)} does not "
                             f"broadcast to the attention weights' shape {fmt_shape(s.shape)}") from None
        if causal:
            np.copyto(s, -np.inf, where=causal_blocked(L, S))
        m = s.max(axis=-1, keepdims=True, initial=-np.inf)
        dead = np.isneginf(m)                              # rows with every key masked out (or no keys, S = 0)
        if not dead.any():
            dead = None
        else:
            m[dead] = 0.0
        s -= m
        np.exp(s, out=s)
        z = s.sum(axis=-1, keepdims=True)
        if dead is not None:
            z[dead] = 1.0                                  # 0 / 1: the row's weights are 0 (PyTorch 2.13)
        s /= z
        p = s
        keep = dropout_keep(p.shape, dropout_p, p.dtype) if dropout_p > 0.0 else None
        pd = p if keep is None else p * keep
        out = np.matmul(pd, va)
        if any(self.needs_input_grad):
            # not the float mask (PyTorch adds it, saving nothing): only a create_graph backward reads it again
            self.save_for_backward(q, k, v)
            self.bias_version = None if bias is None else bias._version[0]
            self.p, self.keep, self.scale = p, keep, scale
            self.allowed, self.causal, self.dead = allowed, causal, dead
        return out

    def backward(self, grad):
        if grad_mode.is_grad_enabled():      # create_graph=True: a backward that can be differentiated again
            return self._backward_graph(grad)
        return self._backward_arrays(grad)

    def _wanted(self):
        need = self.needs_input_grad
        return need[0], need[1], need[2], len(need) > 3 and need[3]

    def _backward_arrays(self, grad):
        saved = self.saved_tensors
        qa, ka, va = saved[0]._data, saved[1]._data, saved[2]._data
        want_q, want_k, want_v, want_b = self._wanted()
        g, p, keep = grad._data, self.p, self.keep
        gq = gk = gv = gb = None
        if want_v:
            pd = p if keep is None else p * keep
            gv = Tensor._make(np.matmul(np.swapaxes(pd, -1, -2), g))
        if want_q or want_k or want_b:
            dp = np.matmul(g, np.swapaxes(va, -1, -2))
            if keep is not None:
                dp *= keep
            if dp.shape == p.shape:        # the usual case: the row sums in one pass, without a temporary
                rowsum = np.einsum("...ij,...ij->...i", dp, p)[..., None]
            else:                          # value's batch dims broadcast beyond the weights'
                rowsum = (dp * p).sum(axis=-1, keepdims=True)
            dp -= rowsum
            dp *= p                                        # now grad_S
            sc = dp.dtype.type(self.scale)
            if want_q:
                gq = np.matmul(dp, ka)
                gq *= sc
                gq = Tensor._make(gq)
            if want_k:
                gk = np.matmul(np.swapaxes(dp, -1, -2), qa)
                gk *= sc
                gk = Tensor._make(gk)
            if want_b:
                gb = Tensor._make(dp)
        return (gq, gk, gv) + ((gb,) if len(self.needs_input_grad) > 3 else ())

    def _backward_graph(self, grad):
        q, k, v = self.saved_tensors
        bias = None
        if self.bias_version is not None:
            bias = self.inputs[3]
            if bias._version[0] != self.bias_version:
                raise RuntimeError(
                    f"one of the variables needed for gradient computation has been modified by an inplace "
                    f"operation: the attn_mask of shape {fmt_shape(bias.shape)} read by {self.name()} "
                    f"(create_graph) is at version {bias._version[0]}; expected version {self.bias_version}.")
        want_q, want_k, want_v, want_b = self._wanted()
        s = matmul(q, transpose(k, -1, -2)) * self.scale
        if bias is not None:
            s = s + bias
        L, S = q.shape[-2], k.shape[-2]
        blocked = None
        if self.allowed is not None:
            blocked = np.logical_not(self.allowed)
        if self.causal:
            cb = causal_blocked(L, S)
            blocked = cb if blocked is None else blocked | cb
        if blocked is not None:
            s = where(blocked, float("-inf"), s)
        if self.dead is not None:
            s = where(self.dead, 0.0, s)
        p = softmax(s, dim=-1)
        if self.dead is not None:
            p = where(self.dead, 0.0, p)
        keep = None if self.keep is None else Tensor._make(self.keep)
        pd = p if keep is None else p * keep
        gv = matmul(transpose(pd, -1, -2), grad) if want_v else None
        gq = gk = gb = None
        if want_q or want_k or want_b:
            dp = matmul(grad, transpose(v, -1, -2))
            if keep is not None:
                dp = dp * keep
            ds = p * (dp - (dp * p).sum(dim=-1, keepdim=True))
            gq = matmul(ds, k) * self.scale if want_q else None
            gk = matmul(transpose(ds, -1, -2), q) * self.scale if want_k else None
            gb = ds if want_b else None
        return (gq, gk, gv) + ((gb,) if len(self.needs_input_grad) > 3 else ())


def _check_inputs(query, key, value, attn_mask, dropout_p, is_causal, enable_gqa):
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2:
        raise RuntimeError(f"scaled_dot_product_attention: expected query, key, and value to all be at least 2 "
                           f"dimensional, but got query.dim: {query.ndim} key.dim: {key.ndim} and value.dim: "
                           f"{value.ndim} instead.")
    if not (query.dtype == key.dtype == value.dtype):
        raise RuntimeError(f"scaled_dot_product_attention: expected query, key, and value to have the same dtype, "
                           f"but got query.dtype: {query.dtype} key.dtype: {key.dtype} and value.dtype: "
                           f"{value.dtype} instead.")
    if query.dtype.kind != "f":
        raise RuntimeError(f"scaled_dot_product_attention: expected floating-point query, key and value, got "
                           f"{query.dtype}")
    if query.shape[-1] != key.shape[-1]:
        raise ShapeError(f"scaled_dot_product_attention: query (shape {fmt_shape(query.shape)}) and key (shape "
                         f"{fmt_shape(key.shape)}) must have the same embedding size E (last dim)")
    if key.shape[-2] != value.shape[-2]:
        raise ShapeError(f"scaled_dot_product_attention: key (shape {fmt_shape(key.shape)}) and value (shape "
                         f"{fmt_shape(value.shape)}) must have the same sequence length S (dim -2)")
    if dropout_p > 1.0:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")
    if attn_mask is not None:
        if is_causal:
            raise RuntimeError("scaled_dot_product_attention: explicit attn_mask should not be set when "
                               "is_causal=True")
        if attn_mask.dtype != np.bool_ and attn_mask.dtype != query.dtype:
            raise RuntimeError(f"scaled_dot_product_attention: expected attn_mask dtype to be bool or to match "
                               f"query dtype, but got attn_mask.dtype: {attn_mask.dtype} and query.dtype: "
                               f"{query.dtype} instead.")
        if attn_mask.ndim < 2:
            raise IndexError(f"scaled_dot_product_attention: attn_mask must have at least 2 dims (L, S), got shape "
                             f"{fmt_shape(attn_mask.shape)}")
    if enable_gqa and query.ndim >= 3:
        hq, hk, hv = query.shape[-3], key.shape[-3], value.shape[-3]
        if hk != hv or hq % hk:
            raise RuntimeError(f"scaled_dot_product_attention: with enable_gqa, the number of heads in key and "
                               f"value must be equal and divide the number of heads in query; got query "
                               f"{fmt_shape(query.shape)}, key {fmt_shape(key.shape)}, value "
                               f"{fmt_shape(value.shape)} (heads at dim -3)")


def _repeat_heads(x, groups):
    """``x.repeat_interleave(groups, dim=-3)`` as expand + reshape (differentiable: the gradient sums groups)."""
    if groups == 1:
        return x
    shape = x.shape
    x = expand(unsqueeze(x, -3), shape[:-2] + (groups,) + shape[-2:])
    return reshape(x, shape[:-3] + (shape[-3] * groups,) + shape[-2:])


@op(function=False, method=False)
def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, *, scale=None,
                                 enable_gqa=False):
    """``softmax(query @ keyᵀ * scale + mask) @ value``, with dropout on the attention weights (PyTorch's
    ``F.scaled_dot_product_attention``), as one graph node.

    Args:
        query, key, value: ``(..., L, E)``, ``(..., S, E)``, ``(..., S, Ev)``; batch dims broadcast.
        attn_mask: a boolean mask (True: the pair takes part) or a float mask added to the scores (it is
            differentiable); it broadcasts to ``(..., L, S)``.
        dropout_p: dropout probability on the attention weights, always applied when > 0 (pass 0.0 in eval).
        is_causal: mask out keys after the query's position (``j > i``); not together with ``attn_mask``.
        scale: multiplies the scores; default ``1 / sqrt(E)``.
        enable_gqa: grouped-query attention: key/value heads (dim -3) are repeated to the query's heads.

    A query row whose keys are all masked out gets weights 0 (output 0, gradients 0), as in PyTorch 2.13.

    Shape:
        output ``(..., L, Ev)``.

    Example::

        >>> out = F.scaled_dot_product_attention(q, k, v, is_causal=True)    # q, k, v: (N, heads, L, E)
    """
    _check_inputs(query, key, value, attn_mask, dropout_p, is_causal, enable_gqa)
    if enable_gqa and query.ndim >= 3:
        key = _repeat_heads(key, query.shape[-3] // key.shape[-3])
        value = _repeat_heads(value, query.shape[-3] // value.shape[-3])
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else float(scale)
    bias = allowed = None
    if attn_mask is not None:
        if attn_mask.dtype == np.bool_:
            allowed = attn_mask._data
        else:
            bias = attn_mask
    inputs = (query, key, value) + (() if bias is None else (bias,))
    return ScaledDotProductAttentionFunction.apply(*inputs, allowed=allowed, causal=bool(is_causal), scale=scale,
                                                   dropout_p=float(dropout_p))
