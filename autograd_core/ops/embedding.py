"""Embedding look-ups: rows of a weight matrix at integer indices, and their scatter-add gradient.

``EmbeddingFunction`` is a row gather whose backward scatters the gradient back, skipping ``padding_idx`` rows
and, with ``scale_grad_by_freq``, dividing by how often each index occurs in the batch. ``nn.Embedding`` and
``nn.functional.embedding`` use it.

``EmbeddingBagFunction`` reduces the looked-up rows of each bag (a contiguous run of the indices) by sum, mean
or max in one node, without materializing a ``(bags, max_bag_len, D)`` tensor: segment sums and maxima are
``np.add.reduceat`` / ``np.maximum.reduceat`` over the bag boundaries. ``nn.EmbeddingBag`` and
``nn.functional.embedding_bag`` use it.
"""
import numpy as np

from ..errors import fmt_shape
from ..function import Function
from ..grad_mode import no_grad
from ..tensor import Tensor
from .registry import op
from .shape import IndexAddFunction, getitem


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
            raise AssertionError(f"embedding: Padding_idx must be within num_embeddings (got {padding_idx} for "
                                 f"{num} embeddings)")
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


def _segments(op, rows, starts, ends, fill):
    """``op`` (``np.add``, ``np.maximum``, ``np.minimum``) over ``rows[starts[b]:ends[b]]`` for each bag ``b``;
    empty bags get ``fill``."""
    if len(starts) == 0:
        return np.empty((0,) + rows.shape[1:], dtype=rows.dtype)
    pad = np.full((1,) + rows.shape[1:], fill, dtype=rows.dtype)
    bounds = np.stack([starts, ends], axis=1).reshape(-1)
    out = op.reduceat(np.concatenate([rows, pad]), bounds, axis=0)[::2]
    out[starts >= ends] = fill
    return out


class EmbeddingBagFunction(Function):
    """Per bag, the sum (optionally weighted per index), mean or max of the looked-up rows of ``weight``.

    Indices marked invalid (``padding_idx``, or past the last offset) are left out of every reduction, the mean's
    count included; an empty bag gives zeros. For max, each output element's gradient goes to the row where the
    maximum was found (the first one among ties).
    """
    label = "embedding_bag"
    derivative = "each bag's gradient is added to the rows it reduced (weighted, divided by the count, or at the max)"

    def forward(self, weight, *per_sample_weights, indices=None, starts=None, ends=None, bag_of=None, valid=None,
                mode="mean", scale_grad_by_freq=False):
        w = weight._data
        V, D = w.shape
        rows = w[indices]
        factor = valid.astype(w.dtype)
        if per_sample_weights:
            factor = factor * per_sample_weights[0]._data
        self.indices, self.bag_of, self.valid, self.mode, self.shape = indices, bag_of, valid, mode, w.shape
        self.scale = scale_grad_by_freq
        if per_sample_weights:
            self.save_for_backward(weight, *per_sample_weights)
        if mode == "max":
            masked = np.where(valid[:, None], rows, -np.inf).astype(w.dtype, copy=False)
            best = _segments(np.maximum, masked, starts, ends, -np.inf)
            n = len(indices)
            hit = (masked == best[bag_of]) & valid[:, None]
            first = _segments(np.minimum, np.where(hit, np.arange(n)[:, None], n), starts, ends, n)
            empty = first >= n
            self.argmax = np.where(empty, -1, first)
            return np.where(empty, 0, best).astype(w.dtype, copy=False)
        out = _segments(np.add, rows * factor[:, None], starts, ends, 0)
        if mode == "mean":
            counts = _segments(np.add, valid.astype(w.dtype)[:, None], starts, ends, 0)
            self.counts = np.maximum(counts[:, 0], 1)
            out /= self.counts[:, None]
        return out

    def backward(self, grad):
        V, D = self.shape
        idx = self.indices
        freq = None
        if self.scale:
            # each index's frequency in the input (PyTorch 2.13's CPU kernel reads the wrong count for an index
            # sorting after a repeated one, pytorch/pytorch#190063; its CUDA kernel and nn.Embedding do this)
            freq = np.bincount(idx.reshape(-1), minlength=V).astype(grad.dtype)
        gw = gpsw = None
        if self.mode == "max":
            if self.needs_input_grad[0]:
                am = self.argmax
                keep = am >= 0
                rows = idx[np.where(keep, am, 0)]
                flat = (rows * D + np.arange(D)[None, :])[keep]
                g = getitem(grad, keep)
                if freq is not None:
                    g = g / Tensor._make(freq[rows[keep]])
                gw = IndexAddFunction.apply(g, key=(flat,), basic=False, shape=(V * D,)).reshape(V, D)
            return gw
        weighted = len(self.needs_input_grad) > 1
        coef = self.valid.astype(grad.dtype)
        if self.mode == "mean":
            coef = coef / self.counts[self.bag_of]
        if freq is not None:
            coef = coef / freq[idx]
        g_rows = getitem(grad, self.bag_of)
        if self.needs_input_grad[0]:
            c = Tensor._make(coef[:, None])
            if weighted:                  # the per-sample weights as a Tensor: the result stays differentiable
                c = c * self.saved_tensors[1].reshape(-1, 1)
            gw = IndexAddFunction.apply(g_rows * c, key=(idx,), basic=False, shape=self.shape)
        if weighted and self.needs_input_grad[1]:
            weight, _ = self.saved_tensors
            mask = Tensor._make(self.valid.astype(grad.dtype))
            gpsw = (g_rows * getitem(weight, idx)).sum(dim=-1) * mask
        return (gw, gpsw) if len(self.needs_input_grad) > 1 else gw


_BAG_MODES = ("sum", "mean", "max")


def _bags(idx, offsets, include_last_offset, op):
    """``(starts, ends)`` of each bag from 1-D ``offsets`` over ``n`` indices (PyTorch's checks)."""
    n = idx.size
    off = np.asarray(offsets, dtype=np.int64).reshape(-1)
    if off.size and off[0] != 0:
        raise RuntimeError(f"offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
                           f"position 0. However, got {int(off[0])}")
    if off.size and off[-1] > n:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {n} but got offsets[-1] of "
                           f"{int(off[-1])}")
    if np.any(np.diff(off) < 0):
        raise RuntimeError(f"{op}: offsets must be non-decreasing, got {off.tolist()}")
    if include_last_offset:
        # the last offset ends the last bag (CSR); indices after it belong to no bag. (PyTorch 2.13's CPU kernel
        # folds them into the last bag; its CUDA kernel and the documentation end the bag at the last offset.)
        if off.size == 0:
            raise RuntimeError(f"{op}: include_last_offset=True needs at least one offset")
        return off[:-1], off[1:]
    return off, np.append(off[1:], n)


@op(function=False, method=False)
def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode="mean",
                  sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """Sums, means or maxima of bags of embeddings, without the intermediate ``(bags, length, D)`` tensor.

    Args:
        input: ``(B, L)`` indices (B bags of length L, ``offsets`` None), or 1-D indices with ``offsets``.
        weight: ``(num_embeddings, D)``.
        offsets: 1-D start of each bag in a 1-D ``input`` (``offsets[0] == 0``).
        max_norm, norm_type: renormalize looked-up rows (in place), as :func:`embedding`.
        scale_grad_by_freq: divide each row's gradient by the index's frequency in ``input``.
        mode: ``'sum'``, ``'mean'`` or ``'max'``.
        per_sample_weights: one weight per index (``mode='sum'`` only), of ``input``'s shape.
        include_last_offset: ``offsets`` has B + 1 entries, the last one the end of the last bag.
        padding_idx: indices equal to it are left out of the bags (and the mean's count).

    Shape:
        output ``(B, D)``.
    """
    if sparse:
        raise NotImplementedError("embedding_bag: sparse gradients are not supported")
    idx = index_array(input, "embedding_bag")
    if per_sample_weights is not None and tuple(per_sample_weights.shape) != idx.shape:
        raise ValueError(f"embedding_bag: If per_sample_weights ({fmt_shape(per_sample_weights.shape)}) is not None, "
                         f"then it must have the same shape as the input ({fmt_shape(idx.shape)})")
    if weight.ndim != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.ndim}")
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError(f"if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             f"fixed length sequences. However, found offsets of type {type(offsets)}")
        B, L = idx.shape
        offsets, include_last_offset = np.arange(0, B * L, L) if L else np.zeros(B, dtype=np.int64), False
        idx = idx.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif idx.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        offsets = index_array(offsets, "embedding_bag")
        if offsets.ndim != 1:
            raise ValueError("offsets has to be a 1D Tensor")
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {idx.ndim}")
    if mode not in _BAG_MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                  f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
                                  f"GitHub.")
    V = weight.shape[0]
    if padding_idx is not None:
        if not -V <= padding_idx < V:
            raise RuntimeError(f"padding_idx must be within the number of embeddings, {-V} through {V - 1}, but got "
                               f"{padding_idx}")
        padding_idx %= V
    if idx.size and (idx.min() < 0 or idx.max() >= V):
        bad = idx[(idx < 0) | (idx >= V)][0]
        raise RuntimeError(f"embedding_bag: index {bad} is out of range for {V} embeddings (indices of shape "
                           f"{fmt_shape(idx.shape)})")
    starts, ends = _bags(idx, offsets, include_last_offset, "embedding_bag")
    pos = np.arange(idx.size)
    bag_of = np.maximum(np.searchsorted(starts, pos, side="right") - 1, 0)
    valid = (pos < ends[bag_of]) if len(starts) else np.zeros(idx.size, dtype=bool)
    if padding_idx is not None:
        valid &= idx != padding_idx
    if max_norm is not None:
        _renorm_rows(weight, idx, max_norm, norm_type)
    extra = () if per_sample_weights is None else (per_sample_weights.to(weight.dtype),)
    return EmbeddingBagFunction.apply(weight, *extra, indices=idx, starts=starts, ends=ends, bag_of=bag_of,
                                      valid=valid, mode=mode, scale_grad_by_freq=scale_grad_by_freq)
