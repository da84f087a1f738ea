"""``Embedding`` and ``EmbeddingBag``: learnable lookup tables of vectors indexed by integers (EmbeddingBag reduces
each bag of looked-up vectors by sum, mean or max)."""
import numpy as np

from autograd_core.grad_mode import no_grad
from autograd_core.tensor import Tensor

from . import functional as F
from . import init
from .linear import _empty_param, check_sizes
from .module import Module
from .parameter import Parameter


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``, looked up by integer indices.

    Args:
        num_embeddings: size of the dictionary.
        embedding_dim: size of each vector.
        padding_idx: this row starts at zero and never receives a gradient (a "padding" token).
        max_norm: looked-up rows with a larger ``norm_type``-norm are rescaled to ``max_norm`` (in place).
        scale_grad_by_freq: divide each row's gradient by the index's frequency in the mini-batch.
        _weight: an initial weight of shape ``(num_embeddings, embedding_dim)``.
        _freeze: do not train the weight.

    Shape:
        input ``(*)`` int64 (or int32) indices; output ``(*, embedding_dim)``.

    Attributes:
        weight ``(num_embeddings, embedding_dim)``, initialized from N(0, 1).

    Example::

        >>> emb = nn.Embedding(10, 3, padding_idx=0)
        >>> emb(autograd_core.tensor([[0, 2, 4], [4, 3, 9]])).shape
        (2, 3, 3)
    """

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None, dtype=None):
        super().__init__()
        check_sizes("Embedding", num_embeddings=num_embeddings, embedding_dim=embedding_dim)
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = _padding_idx(padding_idx, num_embeddings, "Padding_idx")
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        if sparse:
            raise NotImplementedError("Embedding: sparse gradients are not supported")
        self.sparse = sparse
        if _weight is None:
            self.weight = _empty_param((num_embeddings, embedding_dim), dtype, device)
            self.weight.requires_grad = not _freeze
            self.reset_parameters()
        else:
            self.weight = Parameter(_given_weight(_weight, num_embeddings, embedding_dim), requires_grad=not _freeze)

    def reset_parameters(self):
        init.normal_(self.weight)
        _zero_row(self.weight, self.padding_idx)

    def forward(self, input):
        return F.embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                           self.scale_grad_by_freq, self.sparse)

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq is not False:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        if self.sparse is not False:
            s += ", sparse=True"
        return s

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, sparse=False):
        """An Embedding whose weight is the 2-D ``embeddings`` (sharing its memory, as PyTorch), frozen unless
        ``freeze=False``; the ``padding_idx`` row is used as given (not zeroed)."""
        arr = _pretrained(embeddings)
        return cls(arr.shape[0], arr.shape[1], padding_idx=padding_idx, max_norm=max_norm, norm_type=norm_type,
                   scale_grad_by_freq=scale_grad_by_freq, sparse=sparse, _weight=arr, _freeze=freeze)


def _padding_idx(padding_idx, num_embeddings, word):
    """``padding_idx`` in ``[0, num_embeddings)`` (negative counts from the end); PyTorch's AssertionError else."""
    if padding_idx is None:
        return None
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise AssertionError(f"{word} must be within num_embeddings (got {padding_idx} for {num_embeddings} "
                             f"embeddings)")
    return padding_idx % num_embeddings


def _given_weight(weight, num_embeddings, embedding_dim):
    arr = weight.numpy() if isinstance(weight, Tensor) else np.asarray(weight)
    if arr.shape != (num_embeddings, embedding_dim):
        raise AssertionError(f"Shape of weight {arr.shape} does not match num_embeddings and embedding_dim "
                             f"({num_embeddings}, {embedding_dim})")
    return arr


def _pretrained(embeddings):
    arr = embeddings.numpy() if isinstance(embeddings, Tensor) else np.asarray(embeddings)
    if arr.ndim != 2:
        raise AssertionError(f"Embeddings parameter is expected to be 2-dimensional, got shape {arr.shape}")
    return arr


def _zero_row(weight, padding_idx):
    if padding_idx is not None:
        with no_grad():
            weight.numpy()[padding_idx] = 0
            weight._bump_version()


class EmbeddingBag(Module):
    """Sums, means or maxima of "bags" of embeddings, without the intermediate per-index embeddings.

    Args:
        num_embeddings, embedding_dim: the table's shape.
        max_norm, norm_type: looked-up rows with a larger norm are rescaled to ``max_norm`` (in place).
        scale_grad_by_freq: divide each row's gradient by the index's frequency in the mini-batch.
        mode: ``'sum'``, ``'mean'`` (default) or ``'max'``.
        include_last_offset: ``offsets`` has one more entry, the end of the last bag (CSR layout).
        padding_idx: this row starts at zero, is left out of every bag and gets no gradient.
        _weight: an initial weight of shape ``(num_embeddings, embedding_dim)``.

    Shape:
        input ``(B, L)`` (B bags of L indices) or 1-D with ``offsets`` ``(B,)`` (``(B + 1,)`` with
        ``include_last_offset``); ``per_sample_weights`` (mode 'sum') of the input's shape; output
        ``(B, embedding_dim)``.

    Example::

        >>> bag = nn.EmbeddingBag(10, 3, mode="sum")
        >>> bag(autograd_core.tensor([1, 2, 4, 5, 4, 3, 2, 9]), autograd_core.tensor([0, 4])).shape
        (2, 3)
    """

    def __init__(self, num_embeddings, embedding_dim, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
                 mode="mean", sparse=False, _weight=None, include_last_offset=False, padding_idx=None, device=None,
                 dtype=None):
        super().__init__()
        check_sizes("EmbeddingBag", num_embeddings=num_embeddings, embedding_dim=embedding_dim)
        if mode not in ("sum", "mean", "max"):   # PyTorch finds out at the first forward
            raise ValueError(f"EmbeddingBag: mode has to be one of sum, mean or max, got mode={mode!r}")
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.padding_idx = _padding_idx(padding_idx, num_embeddings, "padding_idx")
        if _weight is None:
            self.weight = _empty_param((num_embeddings, embedding_dim), dtype, device)
            self.reset_parameters()
        else:
            self.weight = Parameter(_given_weight(_weight, num_embeddings, embedding_dim))
        if sparse:
            raise NotImplementedError("EmbeddingBag: sparse gradients are not supported")
        self.mode = mode
        self.sparse = sparse
        self.include_last_offset = include_last_offset

    def reset_parameters(self):
        init.normal_(self.weight)
        _zero_row(self.weight, self.padding_idx)

    def forward(self, input, offsets=None, per_sample_weights=None):
        return F.embedding_bag(input, self.weight, offsets, self.max_norm, self.norm_type, self.scale_grad_by_freq,
                               self.mode, self.sparse, per_sample_weights, self.include_last_offset,
                               self.padding_idx)

    def extra_repr(self):
        s = f"{self.num_embeddings!r}, {self.embedding_dim!r}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm!r}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type!r}"
        if self.scale_grad_by_freq is not False:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq!r}"
        s += f", mode={self.mode!r}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx!r}"
        return s

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
                        mode="mean", sparse=False, include_last_offset=False, padding_idx=None):
        """An EmbeddingBag whose weight is the 2-D ``embeddings`` (sharing its memory), frozen unless
        ``freeze=False``."""
        arr = _pretrained(embeddings)
        bag = cls(arr.shape[0], arr.shape[1], max_norm=max_norm, norm_type=norm_type,
                  scale_grad_by_freq=scale_grad_by_freq, mode=mode, sparse=sparse, _weight=arr,
                  include_last_offset=include_last_offset, padding_idx=padding_idx)
        bag.weight.requires_grad = not freeze
        return bag
