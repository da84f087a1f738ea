"""The two graph nodes of packed sequences (``nn.utils.rnn``): padded ``(T, B, *)`` <-> packed ``(N, *)``.

The packed layout is PyTorch's: the batch sorted by decreasing length, then the rows of time step 0, then those of
step 1, ...; ``batch_sizes[t]`` sequences are still running at step t. Each node's backward is the other node, so
gradients of every order flow through packing. ``PackedSequence`` and the user-facing functions live in
``nn/utils/rnn.py``.
"""
import numpy as np

from ..function import Function

__all__ = []   # the nodes are used through nn.utils.rnn


class PackPaddedSequenceFunction(Function):
    """Padded ``(T, B, *)`` (batch sorted by decreasing length) -> packed ``(sum(batch_sizes), *)``: the rows
    ``padded[t, :batch_sizes[t]]`` for t = 0, 1, ... one after another (PyTorch's packed layout)."""
    label = "pack_padded"
    derivative = "the gradient is padded back to (T, B, *)"

    def forward(self, padded, batch_sizes=None):
        self.batch_sizes, self.shape = batch_sizes, padded.shape
        p = padded._data
        return np.concatenate([p[t, :n] for t, n in enumerate(batch_sizes)], axis=0)

    def backward(self, grad):
        return PadPackedSequenceFunction.apply(grad, batch_sizes=self.batch_sizes, total_length=self.shape[0])


class PadPackedSequenceFunction(Function):
    """Packed ``(N, *)`` -> padded ``(total_length, B, *)``, the inverse of :class:`PackPaddedSequenceFunction`."""
    label = "pad_packed"
    derivative = "the gradient is packed back, the padding dropped"

    def forward(self, data, batch_sizes=None, total_length=None, padding_value=0.0):
        self.batch_sizes = batch_sizes
        d = data._data
        out = np.full((total_length, int(batch_sizes[0])) + d.shape[1:], padding_value, dtype=d.dtype)
        start = 0
        for t, n in enumerate(batch_sizes):
            out[t, :n] = d[start:start + n]
            start += n
        return out

    def backward(self, grad):
        return PackPaddedSequenceFunction.apply(grad, batch_sizes=self.batch_sizes)
