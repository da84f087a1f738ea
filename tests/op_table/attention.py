"""Op-table rows: scaled dot-product attention (the fused node of ``autograd_core/ops/attention.py``); the masks,
dropout and the two backward paths are tested further in tests/test_attention.py."""
import numpy as np

from .base import OpInfo, _NF

# (query, key, value) shapes: batched heads, unbatched, broadcast batch dims, L != S and E != Ev
QKV_SHAPES = [((2, 3, 4), (2, 5, 4), (2, 5, 3)), ((4, 3), (5, 3), (5, 2)), ((2, 2, 3, 4), (1, 2, 5, 4), (2, 1, 5, 3))]

# a boolean mask (True: take part) with a fully masked row (query 2 sees no key: weights 0, as PyTorch 2.13)
_BOOL_MASK = np.array([[1, 0, 1, 1, 0], [1, 1, 1, 1, 1], [0, 0, 0, 0, 0], [0, 1, 0, 0, 1]], dtype=bool)


def _sdpa(lib, q, k, v, **kw):
    return _NF(lib).scaled_dot_product_attention(q, k, v, **kw)


OPS = [
    OpInfo("sdpa", lambda lib, q, k, v: _sdpa(lib, q, k, v), QKV_SHAPES, op="scaled_dot_product_attention"),
    OpInfo("sdpa_float_mask", lambda lib, q, k, v, m: _sdpa(lib, q, k, v, attn_mask=m),
           [((2, 3, 4), (2, 5, 4), (2, 5, 3), (3, 5)), ((2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 3), (2, 1, 3, 5))],
           op="scaled_dot_product_attention"),
    OpInfo("sdpa_bool_mask", lambda lib, q, k, v: _sdpa(lib, q, k, v, attn_mask=lib.tensor(_BOOL_MASK)),
           [((2, 4, 3), (2, 5, 3), (2, 5, 2))], op="scaled_dot_product_attention"),
    OpInfo("sdpa_causal", lambda lib, q, k, v: _sdpa(lib, q, k, v, is_causal=True),
           [((2, 4, 3), (2, 4, 3), (2, 4, 2)), ((2, 5, 3), (2, 3, 3), (2, 3, 2)), ((3, 4), (5, 4), (5, 2))],
           op="scaled_dot_product_attention"),
    OpInfo("sdpa_scale", lambda lib, q, k, v: _sdpa(lib, q, k, v, scale=0.3), [((2, 3, 4), (2, 5, 4), (2, 5, 3))],
           op="scaled_dot_product_attention"),
    OpInfo("sdpa_gqa", lambda lib, q, k, v: _sdpa(lib, q, k, v, enable_gqa=True),
           [((2, 4, 3, 2), (2, 2, 5, 2), (2, 2, 5, 3))], op="scaled_dot_product_attention"),
]
