"""``nn.MultiheadAttention``: PyTorch's layer, with its parameters, ``state_dict`` keys, defaults and masks.

Parameters (PyTorch's names, so a PyTorch ``state_dict`` loads strictly): ``in_proj_weight (3E, E)`` and
``in_proj_bias (3E,)`` (or ``q_proj_weight``, ``k_proj_weight``, ``v_proj_weight`` when ``kdim``/``vdim`` differ
from ``embed_dim``), ``out_proj.weight``, ``out_proj.bias``, and ``bias_k``, ``bias_v`` with ``add_bias_kv``.
The computation is :func:`nn.functional.multi_head_attention_forward` (``nn/functional_attention.py``).
"""
from autograd_core import grad_mode

from . import init
from .functional_attention import _canonical_mask, _multi_head_attention, _none_or_dtype
from .linear import Linear, _empty_param
from .module import Module

__all__ = ["MultiheadAttention"]


class NonDynamicallyQuantizableLinear(Linear):
    """``Linear`` under PyTorch's name for ``MultiheadAttention.out_proj`` (so the reprs match)."""


def _requires_grad(t):
    return t is not None and t.requires_grad


class MultiheadAttention(Module):
    """Multi-head attention: ``Concat(head_1, ..., head_h) W_O`` with ``head_i = Attention(Q W_i^Q, K W_i^K,
    V W_i^V)`` (Vaswani et al., 2017), as PyTorch's ``nn.MultiheadAttention``.

    Args:
        embed_dim: total model dimension ``E`` (split across the heads: each has ``E // num_heads``).
        num_heads: number of heads (must divide ``embed_dim``).
        dropout: dropout probability on the attention weights in training (default 0).
        bias: biases in the in- and out-projections (default True).
        add_bias_kv: learn one more key and value, appended to the sequence (``bias_k``, ``bias_v``).
        add_zero_attn: append a zero key and value to the sequence.
        kdim, vdim: feature sizes of key and value (default ``embed_dim``).
        batch_first: inputs and outputs are ``(N, L, E)`` instead of ``(L, N, E)``.

    Forward: ``(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
    average_attn_weights=True, is_causal=False) -> (attn_output, attn_weights or None)``.
    ``key_padding_mask (N, S)``: True (or a float added) for keys to ignore; ``attn_mask (L, S)`` or
    ``(N * num_heads, L, S)``: True where attending is not allowed, or a float added to the scores.
    ``need_weights=False`` runs one fused ``scaled_dot_product_attention`` node and returns ``None`` weights.

    Shape:
        query ``(L, N, E)`` (``(N, L, E)`` with batch_first, ``(L, E)`` unbatched), key ``(S, N, kdim)``,
        value ``(S, N, vdim)``; output ``(L, N, E)``; weights ``(N, L, S)``, or ``(N, num_heads, L, S)`` with
        ``average_attn_weights=False``.

    Example::

        >>> mha = nn.MultiheadAttention(16, 4, batch_first=True)
        >>> x = autograd_core.randn(2, 5, 16)
        >>> out, weights = mha(x, x, x)          # (2, 5, 16), (2, 5, 5)
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False, add_zero_attn=False,
                 kdim=None, vdim=None, batch_first=False, device=None, dtype=None):
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} and "
                             f"num_heads={num_heads} instead")
        super().__init__()
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != self.embed_dim:
            raise AssertionError(f"embed_dim must be divisible by num_heads (got embed_dim={embed_dim}, "
                                 f"num_heads={num_heads})")
        if not self._qkv_same_embed_dim:
            self.q_proj_weight = _empty_param((embed_dim, embed_dim), dtype, device)
            self.k_proj_weight = _empty_param((embed_dim, self.kdim), dtype, device)
            self.v_proj_weight = _empty_param((embed_dim, self.vdim), dtype, device)
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = _empty_param((3 * embed_dim, embed_dim), dtype, device)
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = _empty_param((3 * embed_dim,), dtype, device)
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, device=device, dtype=dtype)
        if add_bias_kv:
            self.bias_k = _empty_param((1, 1, embed_dim), dtype, device)
            self.bias_v = _empty_param((1, 1, embed_dim), dtype, device)
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self):
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def _fast_path(self, query, key, value, key_padding_mask, attn_mask):
        """Whether PyTorch would take its inference fast path (``torch._native_multi_head_attention``) here.

        Its numbers are those of the ordinary path but for one thing mirrored here: a query whose keys are all
        masked gets NaN (the ordinary path with ``need_weights=False`` gives 0).
        """
        if any(m is not None and m.dtype.kind == "f" for m in (attn_mask, key_padding_mask)):
            return False
        if query.ndim != 3 or query is not key or key is not value or self.training:
            return False
        if self.in_proj_weight is None or self.in_proj_bias is None or not self.batch_first:
            return False
        if query.dtype != self.in_proj_weight.dtype or query.dtype != self.in_proj_bias.dtype:
            return False
        if self.num_heads % 2 or self.bias_k is not None or self.bias_v is not None or self.add_zero_attn:
            return False
        tensors = (query, self.in_proj_weight, self.in_proj_bias, self.out_proj.weight, self.out_proj.bias)
        return not (grad_mode.is_grad_enabled() and any(_requires_grad(t) for t in tensors))

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        """``(attn_output, attn_weights)``; see the class docstring for the arguments and shapes."""
        fast = self._fast_path(query, key, value, key_padding_mask, attn_mask)
        key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", _none_or_dtype(attn_mask),
                                           "attn_mask", query.dtype)
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        separate = not self._qkv_same_embed_dim
        return _multi_head_attention(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight, self.in_proj_bias,
            self.bias_k, self.bias_v, self.add_zero_attn, self.dropout, self.out_proj.weight, self.out_proj.bias,
            training=self.training, key_padding_mask=key_padding_mask, need_weights=need_weights,
            attn_mask=attn_mask, use_separate_proj_weight=separate, q_proj_weight=self.q_proj_weight,
            k_proj_weight=self.k_proj_weight, v_proj_weight=self.v_proj_weight,
            average_attn_weights=average_attn_weights, is_causal=is_causal,
            batch_first=self.batch_first and query.ndim == 3, nan_masked_rows=fast)

    def merge_masks(self, attn_mask, key_padding_mask, query):
        """``(merged_mask, mask_type)`` as PyTorch's fast path builds them: the key padding mask alone (type 1),
        or both expanded to ``(N, num_heads, L, S)`` and added (type 2); ``(None, None)`` without masks."""
        mask_type, merged = None, None
        if key_padding_mask is not None:
            mask_type, merged = 1, key_padding_mask
        if attn_mask is not None:
            batch_size, seq_len, _ = query.shape
            mask_type = 2
            if attn_mask.ndim == 3:
                merged = attn_mask.reshape(batch_size, -1, seq_len, seq_len)
            else:
                merged = attn_mask.reshape(1, 1, seq_len, seq_len).expand(batch_size, self.num_heads, -1, -1)
            if key_padding_mask is not None:
                merged = merged + key_padding_mask.reshape(batch_size, 1, 1, seq_len).expand(
                    -1, self.num_heads, -1, -1)
        return merged, mask_type
