"""Embedding look-ups: rows of a weight matrix at integer indices, and their scatter-add gradient.

``EmbeddingFunction`` is a row gather whose backward scatters the gradient back, skipping ``padding_idx`` rows
and, with ``scale_grad_by_freq``, dividing by how often each index occurs in the batch. ``nn.Embedding`` and
``nn.functional.embedding`` use it.
"""
import numpy as np

from ..errors import fmt_shape
from ..function import Function
from ..grad_mode import no_grad
from ..tensor import Tensor
from .registry import op
from .shape import IndexAddFunction


class EmbeddingFunction(Function):
    """Rows ``weight[indices]``; the backward scatters the gradient back, skipping ``padding_idx`` rows and,
    with ``scale_grad_by_freq``, dividing by how often each index occurs in the batch."""
    label = "embedding"
    derivative = "each row's gradient is added to the rows of the weight that were looked up"

    def forward(self, weight, indices=None, padding_idx=None, scale_grad_by_freq=False):
        self.indices, self.padding_idx, self.scale = indices, padding_idx, scale_grad_by_freq
        self.shape = weight.shape
        return weight._data[indices]

    def backward(self, grad):
        idx = self.indices
        factor = None
        if self.padding_idx is not None:
            factor = (idx != self.padding_idx).astype(grad.dtype)
        if self.scale:
            counts = np.bincount(idx.reshape(-1), minlength=self.shape[0])
            inv = 1.0 / counts[idx]
            factor = inv if factor is None else factor * inv
        if factor is not None:
            grad = grad * Tensor._make(factor[..., None].astype(grad.dtype))
        return IndexAddFunction.apply(grad, key=(idx,), basic=False, shape=self.shape)


def index_array(input, op):
    """Integer indices (a Tensor or array-like) as an int64 array; other dtypes raise TypeError naming ``op``."""
    idx = input.numpy() if isinstance(input, Tensor) else np.asarray(input)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{op}: expected integer indices (int64 or int32), got {idx.dtype}")
    return idx.astype(np.int64, copy=False)


@op(function=False, method=False)
def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Look up rows of ``weight`` (``(num_embeddings, embedding_dim)``) at integer ``input`` of any shape.

    ``padding_idx`` rows get no gradient; ``max_norm`` renormalizes (in place) looked-up rows whose norm exceeds it.

    Shape:
        input ``(*)`` integer, output ``(*, embedding_dim)``.
    """
    if sparse:
        raise NotImplementedError("embedding: sparse gradients are not supported")
    idx = index_array(input, "embedding")
    num = weight.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= num):
        bad = idx[(idx < 0) | (idx >= num)].reshape(-1)[0]
        raise IndexError(f"embedding: index {bad} is out of range for {num} embeddings (indices of shape "
                         f"{fmt_shape(idx.shape)})")
    if padding_idx is not None:
        if not -num <= padding_idx < num:
            raise ValueError(f"embedding: padding_idx {padding_idx} must be within num_embeddings ({num})")
        padding_idx %= num
    if max_norm is not None:
        _renorm_rows(weight, idx, max_norm, norm_type)
    return EmbeddingFunction.apply(weight, indices=idx, padding_idx=padding_idx, scale_grad_by_freq=scale_grad_by_freq)


def _renorm_rows(weight, idx, max_norm, norm_type):
    with no_grad():
        w = weight.numpy()
        rows = np.unique(idx)
        norms = np.linalg.norm(w[rows], ord=norm_type, axis=1)
        big = norms > max_norm
        if big.any():
            w[rows[big]] *= (max_norm / (norms[big] + 1e-7))[:, None].astype(w.dtype)
            weight._bump_version()
