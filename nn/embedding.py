"""``Embedding``: a learnable lookup table of vectors indexed by integers."""
import numpy as np

from autograd_core.grad_mode import no_grad
from autograd_core.tensor import Tensor

from . import functional as F
from . import init
from .linear import _empty_param
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
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(f"Padding_idx {padding_idx} must be within num_embeddings ({num_embeddings})")
            padding_idx %= num_embeddings
        self.padding_idx = padding_idx
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
            arr = _weight.numpy() if isinstance(_weight, Tensor) else np.asarray(_weight)
            if arr.shape != (num_embeddings, embedding_dim):
                raise ValueError(f"Shape of weight {arr.shape} does not match num_embeddings and embedding_dim "
                                 f"({num_embeddings}, {embedding_dim})")
            self.weight = Parameter(arr, requires_grad=not _freeze)

    def reset_parameters(self):
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight.numpy()[self.padding_idx] = 0
                self.weight._bump_version()

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
        """An Embedding holding a copy of the 2-D ``embeddings`` (frozen unless ``freeze=False``)."""
        arr = embeddings.numpy() if isinstance(embeddings, Tensor) else np.asarray(embeddings)
        if arr.ndim != 2:
            raise ValueError(f"Embeddings parameter is expected to be 2-dimensional, got shape {arr.shape}")
        return cls(arr.shape[0], arr.shape[1], padding_idx=padding_idx, max_norm=max_norm, norm_type=norm_type,
                   scale_grad_by_freq=scale_grad_by_freq, sparse=sparse, _weight=arr.copy(), _freeze=freeze)
