"""Multi-head attention as a function: PyTorch's ``F.multi_head_attention_forward`` and its mask helpers
(re-exported by ``nn.functional``; ``nn.MultiheadAttention`` and the Transformer layers call them).

The steps, arguments, checks and results are PyTorch 2.13's (``torch/nn/functional.py``): in-projection, the
masks made float (``-inf`` where a boolean mask says "masked") and merged, ``bias_k``/``bias_v`` and a zero key
appended when asked, the heads split, attention, heads merged, out-projection. Two paths, as in PyTorch:

* ``need_weights=False``: one fused ``F.scaled_dot_product_attention`` node (``autograd_core/ops/attention.py``);
  a query whose keys are all masked gets output 0;
* ``need_weights=True``: the composition ``softmax(q kᵀ / sqrt(d) + mask)``, whose weights are returned
  (averaged over the heads unless ``average_attn_weights=False``); a fully masked row is NaN, as in PyTorch.

Internally the heads are laid out ``(N, heads, L, head_dim)`` and a batch-first caller (``nn.MultiheadAttention``
with ``batch_first=True``) is served without transposing its inputs; the numbers are PyTorch's either way.
"""
import math
import warnings

import numpy as np

from autograd_core import ops
from autograd_core.ops.attention import dropout_keep, scaled_dot_product_attention
from autograd_core.tensor import Tensor

__all__ = ["multi_head_attention_forward"]


def _none_or_dtype(input):
    """The dtype of a mask, or None (PyTorch's helper of the same name)."""
    if input is None:
        return None
    if isinstance(input, Tensor):
        return input.dtype
    raise RuntimeError("input to _none_or_dtype() must be None or a Tensor")


def _canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    """A boolean mask (True = masked out) as a float mask of ``target_type`` with ``-inf`` there; a float mask
    unchanged. Other dtypes raise; a mask whose dtype differs from ``other_type`` warns (as PyTorch)."""
    if mask is None:
        return None
    is_float = mask.dtype.kind == "f"
    if mask.dtype != np.bool_ and not is_float:
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. Use same type for both "
                      f"instead.", stacklevel=3)
    if not is_float:
        dt = np.dtype(target_type)
        mask = Tensor._make(np.where(mask._data, dt.type(-np.inf), dt.type(0)))
    return mask


def _fully_masked_queries(attn_mask, key_padding_mask, bsz, num_heads):
    """``(N, L)`` True for the queries some head of which may attend to no key at all (every score ``-inf``)
    under float masks ``attn_mask`` ``(L, S)`` / ``(N * num_heads, L, S)`` and ``key_padding_mask`` ``(N, S)``;
    None when there is none."""
    if attn_mask is None and key_padding_mask is None:
        return None
    blocked = None
    if attn_mask is not None:
        a = np.isneginf(attn_mask._data)
        blocked = a.reshape((1, 1) + a.shape) if a.ndim == 2 else a.reshape((bsz, num_heads) + a.shape[1:])
    if key_padding_mask is not None:
        k = np.isneginf(key_padding_mask._data)[:, None, None, :]
        blocked = k if blocked is None else blocked | k
    dead = blocked.all(axis=-1).any(axis=1)            # (N or 1, L)
    return dead if dead.any() else None


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    """Whether the input is batched (3-D query) or not (2-D); other dims raise, naming the tensors."""
    if query.ndim == 3:
        if key.ndim != 3 or value.ndim != 3:
            raise AssertionError(f"For batched (3-D) `query`, expected `key` and `value` to be 3-D but found "
                                 f"{key.ndim}-D and {value.ndim}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.ndim != 2:
            raise AssertionError(f"For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D but "
                                 f"found {key_padding_mask.ndim}-D tensor instead")
        if attn_mask is not None and attn_mask.ndim not in (2, 3):
            raise AssertionError(f"For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but "
                                 f"found {attn_mask.ndim}-D tensor instead")
        return True
    if query.ndim == 2:
        if key.ndim != 2 or value.ndim != 2:
            raise AssertionError(f"For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found "
                                 f"{key.ndim}-D and {value.ndim}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.ndim != 1:
            raise AssertionError(f"For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D but "
                                 f"found {key_padding_mask.ndim}-D tensor instead")
        if attn_mask is not None:
            if attn_mask.ndim not in (2, 3):
                raise AssertionError(f"For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D "
                                     f"but found {attn_mask.ndim}-D tensor instead")
            expected = (num_heads, query.shape[0], key.shape[0])
            if attn_mask.ndim == 3 and attn_mask.shape != expected:
                raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}")
        return False
    raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {query.ndim}-D query "
                         f"tensor")


def _in_projection(q, k, v, w_q, w_k, w_v, b_q=None, b_k=None, b_v=None):
    """Three linear projections, their weights checked: ``w_q (Eq, Eq)``, ``w_k (Eq, Ek)``, ``w_v (Eq, Ev)``."""
    Eq, Ek, Ev = q.shape[-1], k.shape[-1], v.shape[-1]
    for name, w, shape in (("query", w_q, (Eq, Eq)), ("key", w_k, (Eq, Ek)), ("value", w_v, (Eq, Ev))):
        if w.shape != shape:
            raise AssertionError(f"expecting {name} weights shape of {shape}, but got {w.shape}")
    for name, b in (("query", b_q), ("key", b_k), ("value", b_v)):
        if b is not None and b.shape != (Eq,):
            raise AssertionError(f"expecting {name} bias shape of {(Eq,)}, but got {b.shape}")
    return _linear(q, w_q, b_q), _linear(k, w_k, b_k), _linear(v, w_v, b_v)


def _linear(x, w, b):
    """``F.linear`` on the rows of ``x`` (any leading dims), as one 2-D product."""
    lead = x.shape[:-1]
    return ops.reshape(ops.linear(ops.reshape(x, (-1, x.shape[-1])), w, b), lead + (w.shape[0],))


def _packed_weights(w, b, E):
    """``in_proj_weight`` / ``in_proj_bias`` (q, k, v stacked along dim 0) as three (weight, bias) pairs."""
    ws = [w[i * E:(i + 1) * E] for i in range(3)]
    bs = [None] * 3 if b is None else [b[i * E:(i + 1) * E] for i in range(3)]
    return ws, bs


def _heads(x, num_heads, batch_first):
    """``(L, N, E)`` (or ``(N, L, E)``) -> ``(N, heads, L, head_dim)``."""
    a, b, E = x.shape
    x = ops.reshape(x, (a, b, num_heads, E // num_heads))
    return ops.permute(x, (0, 2, 1, 3) if batch_first else (1, 2, 0, 3))


def _static(t, name, bsz, num_heads, head_dim):
    """A user's ``static_k``/``static_v`` ``(N * heads, S, head_dim)`` as ``(N, heads, S, head_dim)``."""
    if t.shape[0] != bsz * num_heads:
        raise AssertionError(f"expecting {name}.size(0) of {bsz * num_heads}, but got {t.shape[0]}")
    if t.shape[2] != head_dim:
        raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got {t.shape[2]}")
    return ops.reshape(t, (bsz, num_heads, t.shape[1], head_dim))


def _pad_last(mask):
    return None if mask is None else ops.pad(mask, (0, 1))


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
                                 training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
                                 v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True,
                                 is_causal=False):
    """Multi-head attention (PyTorch's ``F.multi_head_attention_forward``; see :class:`nn.MultiheadAttention`).

    Args:
        query, key, value: ``(L, N, E)``, ``(S, N, Ek)``, ``(S, N, Ev)`` (sequence first), or unbatched
            ``(L, E)``, ``(S, Ek)``, ``(S, Ev)``.
        embed_dim_to_check, num_heads: ``E`` and the number of heads (``E`` must be divisible by it).
        in_proj_weight, in_proj_bias: ``(3E, E)``, ``(3E,)``: q, k, v projections stacked (or
            ``use_separate_proj_weight=True`` with ``q_proj_weight (E, E)``, ``k_proj_weight (E, Ek)``,
            ``v_proj_weight (E, Ev)``).
        bias_k, bias_v: ``(1, 1, E)`` appended to the keys and values; add_zero_attn: append a zero key/value.
        dropout_p, training: dropout on the attention weights when training.
        out_proj_weight, out_proj_bias: ``(E, E)``, ``(E,)``.
        key_padding_mask: ``(N, S)`` (``(S,)`` unbatched); bool (True = ignore that key) or float (added).
        attn_mask: ``(L, S)`` or ``(N * num_heads, L, S)``; bool (True = not allowed) or float (added).
        need_weights, average_attn_weights: also return the attention weights, averaged over heads or not.
        is_causal: a hint that ``attn_mask`` is the causal mask (it must still be given).
        static_k, static_v: ``(N * num_heads, S, E / num_heads)`` keys / values used as they are.

    Returns:
        ``(attn_output (L, N, E), attn_weights (N, L, S) or (N, num_heads, L, S), or None)``.
    """
    return _multi_head_attention(
        query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias, bias_k, bias_v,
        add_zero_attn, dropout_p, out_proj_weight, out_proj_bias, training, key_padding_mask, need_weights,
        attn_mask, use_separate_proj_weight, q_proj_weight, k_proj_weight, v_proj_weight, static_k, static_v,
        average_attn_weights, is_causal)


def _multi_head_attention(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias, bias_k,
                          bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias, training=True,
                          key_padding_mask=None, need_weights=True, attn_mask=None, use_separate_proj_weight=False,
                          q_proj_weight=None, k_proj_weight=None, v_proj_weight=None, static_k=None, static_v=None,
                          average_attn_weights=True, is_causal=False, batch_first=False, nan_masked_rows=False):
    """:func:`multi_head_attention_forward` for inputs laid out ``(N, L, E)`` too (``batch_first``, batched
    inputs only) and with PyTorch's inference fast path's NaN for fully masked rows (``nan_masked_rows``)."""
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        batch_first = False
        query, key, value = ops.unsqueeze(query, 1), ops.unsqueeze(key, 1), ops.unsqueeze(value, 1)
        if key_padding_mask is not None:
            key_padding_mask = ops.unsqueeze(key_padding_mask, 0)
    if batch_first:
        bsz, tgt_len, embed_dim = query.shape
    else:
        tgt_len, bsz, embed_dim = query.shape
    seq_dim = 1 if batch_first else 0

    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", _none_or_dtype(attn_mask), "attn_mask",
                                       query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                           "method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None          # the fused op applies the causal mask itself
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        if key_padding_mask is not None:
            is_causal = False     # the merged mask is no longer causal

    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match value's "
                                 f"{value.shape[:2]}")
    elif key.shape != value.shape:
        raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")

    # ---- in-projection. Self-attention (query is key is value): one product with the packed weight, its result
    # split into the heads of q, k and v; otherwise three products.
    packed = (not use_separate_proj_weight and query is key and key is value and bias_k is None
              and static_k is None and static_v is None and in_proj_weight is not None)
    if packed:
        proj = _linear(query, in_proj_weight, in_proj_bias)                  # (L, N, 3E) or (N, L, 3E)
        a, b = proj.shape[:2]
        proj = ops.permute(ops.reshape(proj, (a, b, 3, num_heads, head_dim)),
                           (2, 0, 3, 1, 4) if batch_first else (2, 1, 3, 0, 4))   # (3, N, heads, L, head_dim)
        q, k, v = proj[0], proj[1], proj[2]
    elif not use_separate_proj_weight:
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        (w_q, w_k, w_v), (b_q, b_k, b_v) = _packed_weights(in_proj_weight, in_proj_bias, embed_dim)
        q, k, v = _linear(query, w_q, b_q), _linear(key, w_k, b_k), _linear(value, w_v, b_v)
    else:
        for name, w in (("q_proj_weight", q_proj_weight), ("k_proj_weight", k_proj_weight),
                        ("v_proj_weight", v_proj_weight)):
            if w is None:
                raise AssertionError(f"use_separate_proj_weight is True but {name} is None")
        b_q, b_k, b_v = (None,) * 3 if in_proj_bias is None else ops.chunk(in_proj_bias, 3)
        q, k, v = _in_projection(query, key, value, q_proj_weight, k_proj_weight, v_proj_weight, b_q, b_k, b_v)
    src_len = key.shape[seq_dim]

    # ---- the attention mask as (1 or N * heads, L, S)
    if attn_mask is not None:
        if attn_mask.ndim == 2:
            if attn_mask.shape != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(tgt_len, src_len)}.")
            attn_mask = ops.unsqueeze(attn_mask, 0)
        elif attn_mask.ndim == 3:
            if attn_mask.shape != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(bsz * num_heads, tgt_len, src_len)}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.ndim} is not supported")

    # ---- bias_k / bias_v: one more key and value (along the sequence dim)
    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        extra = (bsz, 1, embed_dim) if batch_first else (1, bsz, embed_dim)
        k = ops.cat([k, ops.expand(ops.reshape(bias_k, (1, 1, embed_dim)), extra)], seq_dim)
        v = ops.cat([v, ops.expand(ops.reshape(bias_v, (1, 1, embed_dim)), extra)], seq_dim)
        attn_mask, key_padding_mask = _pad_last(attn_mask), _pad_last(key_padding_mask)
    elif bias_k is not None:
        raise AssertionError("bias_k is set but bias_v is None")
    elif bias_v is not None:
        raise AssertionError("bias_v is set but bias_k is None")

    # ---- heads: (N, heads, L, head_dim)
    if not packed:
        q = _heads(q, num_heads, batch_first)
        k = _heads(k, num_heads, batch_first) if static_k is None else _static(static_k, "static_k", bsz, num_heads,
                                                                                head_dim)
        v = _heads(v, num_heads, batch_first) if static_v is None else _static(static_v, "static_v", bsz, num_heads,
                                                                                head_dim)
    if add_zero_attn:
        zeros = Tensor._make(np.zeros((bsz, num_heads, 1, head_dim), dtype=k.dtype))
        k = ops.cat([k, zeros], 2)
        v = ops.cat([v, zeros.to(v.dtype)], 2)
        attn_mask, key_padding_mask = _pad_last(attn_mask), _pad_last(key_padding_mask)
    src_len = k.shape[2]

    # ---- one float mask broadcasting to (N, heads, L, S)
    if attn_mask is not None:
        attn_mask = ops.reshape(attn_mask, (1, 1, tgt_len, src_len) if attn_mask.shape[0] == 1 else
                                (bsz, num_heads, tgt_len, src_len))
    if key_padding_mask is not None:
        if key_padding_mask.shape[0] != bsz:
            raise AssertionError(f"Expected key_padded_mask.shape[0] to be {bsz}, but got "
                                 f"{key_padding_mask.shape[0]}")
        if key_padding_mask.shape[1] != src_len:
            raise AssertionError(f"Expected key_padded_mask.shape[1] to be {src_len}, but got "
                                 f"{key_padding_mask.shape[1]}")
        kpm = ops.reshape(key_padding_mask, (bsz, 1, 1, src_len))
        attn_mask = kpm if attn_mask is None else attn_mask + kpm
    if not training:
        dropout_p = 0.0

    if need_weights:
        scores = ops.matmul(q * math.sqrt(1.0 / head_dim), ops.transpose(k, -2, -1))
        if attn_mask is not None:
            scores = scores + attn_mask
        weights = ops.softmax(scores, dim=-1)            # a fully masked row is NaN here, as in PyTorch
        if dropout_p > 0.0:
            weights = weights * Tensor._make(dropout_keep(weights.shape, dropout_p, weights.dtype))
        out = ops.matmul(weights, v)
    else:
        weights = None
        out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
        if nan_masked_rows and attn_mask is not None:
            dead = np.isneginf(attn_mask._data).all(axis=-1, keepdims=True)
            if dead.any():                           # PyTorch's inference fast path: NaN, not 0
                out = ops.where(dead, float("nan"), out)

    # ---- merge the heads, out-projection
    out = ops.permute(out, (0, 2, 1, 3) if batch_first else (2, 0, 1, 3))    # (N, L, h, d) or (L, N, h, d)
    lead = out.shape[:2]
    out = ops.reshape(ops.linear(ops.reshape(out, (-1, embed_dim)), out_proj_weight, out_proj_bias),
                      lead + (out_proj_weight.shape[0],))
    if weights is not None and average_attn_weights:
        weights = weights.mean(dim=1)
    if not is_batched:
        out = ops.squeeze(out, 1)
        if weights is not None:
            weights = ops.squeeze(weights, 0)
    return out, weights
