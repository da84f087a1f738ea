"""``DataLoader``: batches of a dataset, optionally shuffled, as Tensors.

Fast path: when no ``collate_fn`` is given and the dataset has ``get_batch(indices)`` (every
:class:`~autograd_core.data.Dataset` does; array-backed ones implement it with one fancy-indexing operation per
array), a batch is one call with the batch's index array. Otherwise each sample is fetched with
``dataset[i]`` and the list goes through ``collate_fn`` (default :func:`default_collate`).

Shuffling draws one permutation per epoch from a ``numpy.random.Generator``: the one given, or one made from
``seed``, or else the library-wide generator at the moment the epoch starts, so ``autograd_core.manual_seed(s)``
before the loop makes the order reproducible.
"""
import collections.abc
import math
import numbers

import numpy as np

from .. import dtypes
from .. import random as _random
from ..tensor import Tensor


def default_collate(batch):
    """Stack a list of samples into a batch, keeping the samples' structure.

    Rules (PyTorch's ``default_collate``, with our dtype conventions):

    - Tensors / ndarrays / numpy scalars are stacked along a new first dimension into a Tensor, keeping the dtype;
    - Python ints become an int64 Tensor, bools a bool Tensor, floats a Tensor of the default float dtype (float32;
      PyTorch gives float64 here);
    - tuples, lists and namedtuples are collated position by position and keep their type (PyTorch turns a
      tuple into a list; both unpack the same way); dicts key by key; strings stay a list.

    Example::

        >>> X, y = default_collate([(np.zeros(3, np.float32), 1), (np.ones(3, np.float32), 0)])
        >>> X.shape, y.dtype
        ((2, 3), dtype('int64'))
    """
    if len(batch) == 0:
        raise ValueError("default_collate: empty batch")
    elem = batch[0]
    if isinstance(elem, (Tensor, np.ndarray, np.generic)):
        arrays = [b._data if isinstance(b, Tensor) else np.asarray(b) for b in batch]
        shapes = {a.shape for a in arrays}
        if len(shapes) != 1:
            raise ValueError(f"default_collate: samples have different shapes {sorted(shapes)}; "
                             f"pad them or pass a collate_fn")
        return Tensor._make(np.stack(arrays))
    if isinstance(elem, bool):
        return Tensor._make(np.asarray(batch, dtype=np.bool_))
    if isinstance(elem, numbers.Integral):
        return Tensor._make(np.asarray(batch, dtype=np.int64))
    if isinstance(elem, numbers.Real):
        return Tensor._make(np.asarray(batch, dtype=dtypes.get_default_dtype()))
    if isinstance(elem, (str, bytes)):
        return list(batch)
    if isinstance(elem, collections.abc.Mapping):
        return {key: default_collate([b[key] for b in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(list(s)) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        if any(len(b) != len(elem) for b in batch):
            raise ValueError("default_collate: samples are sequences of different lengths")
        columns = [default_collate(list(s)) for s in zip(*batch)]
        return tuple(columns) if isinstance(elem, tuple) else columns
    raise TypeError(f"default_collate: don't know how to batch samples of type {type(elem).__name__}; "
                    f"pass a collate_fn")


class DataLoader:
    """Iterate over a dataset in batches.

    Args:
        dataset: map-style dataset (``__getitem__`` and ``__len__``).
        batch_size: samples per batch (positive int).
        shuffle: draw a new random order every epoch.
        drop_last: drop the last batch if it is smaller than ``batch_size``.
        collate_fn: turns a list of samples into a batch; default :func:`default_collate` (and then, for datasets
            with ``get_batch``, the per-batch fast path is used instead of a per-sample loop).
        generator: ``numpy.random.Generator`` for shuffling.
        seed: int; shorthand for ``generator=numpy.random.default_rng(seed)``, made once, so successive epochs
            differ but the whole sequence repeats. Without ``generator`` or ``seed`` the library-wide generator
            is used (``autograd_core.manual_seed``).

    Shape:
        A dataset whose samples are ``(x, y)`` with ``x`` of shape ``S`` yields ``(X, Y)`` with ``X`` of shape
        ``(B, *S)`` and ``Y`` of shape ``(B,)``; ``B = batch_size`` except possibly for the last batch.

    Example::

        >>> loader = DataLoader(TensorDataset(X, y), batch_size=64, shuffle=True)
        >>> for xb, yb in loader:
        ...     loss = F.cross_entropy(model(xb), yb)
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, collate_fn=None,
                 generator=None, seed=None):
        if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size <= 0:
            raise ValueError(f"DataLoader: batch_size must be a positive int, got {batch_size!r}")
        if generator is not None and seed is not None:
            raise ValueError("DataLoader: pass either generator or seed, not both")
        if generator is not None and not isinstance(generator, np.random.Generator):
            raise TypeError(f"DataLoader: generator must be a numpy.random.Generator, got {type(generator).__name__}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.collate_fn = collate_fn
        self.generator = np.random.default_rng(seed) if seed is not None else generator

    def __len__(self):
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def _order(self):
        n = len(self.dataset)
        if not self.shuffle:
            return np.arange(n, dtype=np.int64)
        gen = self.generator if self.generator is not None else _random.default_generator()
        return gen.permutation(n)

    def __iter__(self):
        order = self._order()
        get_batch = getattr(self.dataset, "get_batch", None) if self.collate_fn is None else None
        collate = self.collate_fn or default_collate
        stop = len(self) * self.batch_size
        for start in range(0, min(stop, order.size), self.batch_size):
            idx = order[start:start + self.batch_size]
            if get_batch is not None:
                yield get_batch(idx)
            else:
                yield collate([self.dataset[int(i)] for i in idx])

    def __repr__(self):
        return (f"DataLoader({type(self.dataset).__name__}, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last})")
