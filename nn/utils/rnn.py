"""Variable-length batches for recurrent layers: PyTorch's packed sequences.

We follow PyTorch's approach (not a ``lengths=`` argument on the layers): pad the sequences to a common length,
pack them with their lengths, give the :class:`PackedSequence` to ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU``, and unpack
the output. Each sequence then gets exactly the result it would get alone: steps past its end are never computed,
the final state ``h_n`` is its state after its own last step, and the backward direction of a bidirectional layer
starts at its own last element. Padded output positions hold ``padding_value``.

The packed layout is PyTorch's: the batch sorted by decreasing length, then ``data`` holds the rows of time step 0,
then those of step 1, ...; ``batch_sizes[t]`` is the number of sequences still running at step t.

Example::

    >>> from nn.utils.rnn import pad_sequence, pack_padded_sequence, pad_packed_sequence
    >>> seqs = [autograd_core.randn(5, 8), autograd_core.randn(2, 8), autograd_core.randn(3, 8)]
    >>> padded = pad_sequence(seqs, batch_first=True)                # (3, 5, 8)
    >>> packed = pack_padded_sequence(padded, [5, 2, 3], batch_first=True, enforce_sorted=False)
    >>> out, h_n = nn.GRU(8, 16, batch_first=True)(packed)           # out is a PackedSequence
    >>> y, lengths = pad_packed_sequence(out, batch_first=True)      # y (3, 5, 16), lengths [5, 2, 3]
"""
from collections import namedtuple

import numpy as np

from autograd_core import ops
from autograd_core.errors import ShapeError, fmt_shape
from autograd_core.ops.packing import PackPaddedSequenceFunction, PadPackedSequenceFunction
from autograd_core.tensor import Tensor

__all__ = ["PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence", "pack_sequence",
           "unpad_sequence", "unpack_sequence", "invert_permutation"]


class PackedSequence(namedtuple("PackedSequence", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """A batch of variable-length sequences in packed form (made by :func:`pack_padded_sequence`).

    Attributes:
        data: ``(sum(lengths), *)`` the rows of all sequences, time step by time step.
        batch_sizes: int64 Tensor ``(max_length,)``, the number of sequences running at each step.
        sorted_indices: int64 Tensor: ``sorted_indices[k]`` is the original batch index of the k-th longest
            sequence (None when the batch was already sorted).
        unsorted_indices: its inverse permutation (None when ``sorted_indices`` is None).
    """
    __slots__ = ()

    def __new__(cls, data, batch_sizes, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = invert_permutation(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    @property
    def is_cuda(self):
        return False

    def is_pinned(self):
        return False

    def to(self, *args, **kwargs):
        """Cast ``data`` (device arguments are accepted and ignored); the index tensors stay int64."""
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else self._replace(data=data)

    def double(self):
        return self._replace(data=self.data.double())

    def float(self):
        return self._replace(data=self.data.float())

    def batch_sizes_array(self):
        """``batch_sizes`` as a numpy int64 array."""
        return _as_index_array(self.batch_sizes)


def invert_permutation(permutation):
    """The inverse permutation (an int64 Tensor), or None for None."""
    if permutation is None:
        return None
    p = _as_index_array(permutation)
    inv = np.empty_like(p)
    inv[p] = np.arange(p.size, dtype=np.int64)
    return Tensor(inv)


def _as_index_array(x):
    if isinstance(x, Tensor):
        x = x.numpy()
    a = np.asarray(x)
    if a.dtype.kind not in "iu":
        raise TypeError(f"expected integer lengths / indices, got dtype {a.dtype}")
    return a.astype(np.int64).reshape(-1)


def _batch_sizes(lengths):
    """Sorted decreasing lengths -> number of sequences running at each time step."""
    return (lengths[None, :] > np.arange(int(lengths[0]))[:, None]).sum(1).astype(np.int64)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch of variable-length sequences.

    Args:
        input: ``(T, B, *)`` padded sequences (``(B, T, *)`` with ``batch_first``).
        lengths: the length of each sequence (list, array or int64 Tensor), each in ``1..T``.
        batch_first: the input is ``(B, T, *)``.
        enforce_sorted: require ``lengths`` sorted in decreasing order; with False the batch is sorted here and
            the permutation is remembered (``sorted_indices``), so outputs come back in the original order.

    Returns:
        a :class:`PackedSequence` (differentiable with respect to ``input``).
    """
    lengths = _as_index_array(lengths)
    if input.ndim < 2:
        raise ShapeError(f"pack_padded_sequence: expected an input with at least 2 dims (T, B, *), got shape "
                         f"{fmt_shape(input.shape)}")
    B = input.shape[0 if batch_first else 1]
    T = input.shape[1 if batch_first else 0]
    if lengths.size != B:
        raise ShapeError(f"pack_padded_sequence: got {lengths.size} lengths for a batch of {B} sequences (input shape "
                         f"{fmt_shape(input.shape)}, batch_first={batch_first})")
    if lengths.size and lengths.min() <= 0:
        raise ValueError("Length of all samples has to be greater than 0, but found an element in 'lengths' that is "
                         "<= 0")
    if lengths.max() > T:
        raise ShapeError(f"pack_padded_sequence: a length of {int(lengths.max())} exceeds the padded length {T} "
                         f"(input shape {fmt_shape(input.shape)}, batch_first={batch_first})")
    if enforce_sorted:
        if np.any(np.diff(lengths) > 0):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
                               "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to "
                               "sidestep this requirement.")
        sorted_indices = None
    else:
        order = np.argsort(-lengths, kind="stable")
        lengths = lengths[order]
        sorted_indices = Tensor(order.astype(np.int64))
        input = input[order] if batch_first else input[:, order]
    if batch_first:
        input = ops.transpose(input, 0, 1)
    batch_sizes = _batch_sizes(lengths)
    data = PackPaddedSequenceFunction.apply(input, batch_sizes=batch_sizes)
    return PackedSequence(data, Tensor(batch_sizes), sorted_indices, invert_permutation(sorted_indices))


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Unpack a :class:`PackedSequence` to a padded batch; the inverse of :func:`pack_padded_sequence`.

    Args:
        sequence: the packed batch.
        batch_first: return ``(B, T, *)`` instead of ``(T, B, *)``.
        padding_value: the value of the positions past each sequence's end.
        total_length: pad to this length instead of the longest sequence's.

    Returns:
        ``(padded, lengths)``: the padded Tensor and an int64 Tensor of lengths, both in the original batch order.
    """
    bs = _as_index_array(sequence.batch_sizes)
    T = len(bs)
    if total_length is None:
        total_length = T
    elif total_length < T:
        raise ValueError(f"Expected total_length to be at least the length of the longest sequence in input, but got "
                         f"total_length={total_length} and max sequence length being {T}")
    padded = PadPackedSequenceFunction.apply(sequence.data, batch_sizes=bs, total_length=int(total_length),
                             padding_value=padding_value)
    lengths = (bs[None, :] > np.arange(int(bs[0]))[:, None]).sum(1).astype(np.int64)
    if sequence.unsorted_indices is not None:
        unsorted = _as_index_array(sequence.unsorted_indices)
        padded = padded[:, unsorted]
        lengths = lengths[unsorted]
    if batch_first:
        padded = ops.transpose(padded, 0, 1)
    return padded, Tensor(lengths)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack sequences of shapes ``(L_i, *)`` into ``(max L, B, *)`` (or ``(B, max L, *)``), padding with
    ``padding_value`` on the ``padding_side`` ('right' or 'left')."""
    if isinstance(sequences, Tensor):
        sequences = list(ops.unbind(sequences, 0))
    sequences = list(sequences)
    if not sequences:
        raise ValueError("pad_sequence: received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise ValueError(f"padding_side must be 'left' or 'right', got {padding_side!r}")
    trailing = sequences[0].shape[1:]
    for i, s in enumerate(sequences):
        if s.ndim < 1 or s.shape[1:] != trailing:
            raise ShapeError(f"pad_sequence: sequence {i} has shape {fmt_shape(s.shape)}; all sequences need the "
                             f"trailing shape {fmt_shape(trailing)} of sequence 0")
    T = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        extra = T - s.shape[0]
        widths = [0, 0] * len(trailing) + ([0, extra] if padding_side == "right" else [extra, 0])
        padded.append(ops.pad(s, widths, value=padding_value) if extra else s)
    return ops.stack(padded, 0 if batch_first else 1)


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of sequences ``(L_i, *)``: :func:`pad_sequence` then :func:`pack_padded_sequence`."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """Split a padded batch back into a list of sequences of the given lengths."""
    lengths = _as_index_array(lengths)
    if not batch_first:
        padded_sequences = ops.transpose(padded_sequences, 0, 1)
    return [padded_sequences[i, :int(n)] for i, n in enumerate(lengths)]


def unpack_sequence(packed_sequences):
    """Split a :class:`PackedSequence` into the list of its sequences (original order)."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
