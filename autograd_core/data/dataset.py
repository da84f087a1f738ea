"""Datasets: ``Dataset``, ``IterableDataset``, ``TensorDataset``, ``Subset``, ``ConcatDataset``, ``ChainDataset``,
``StackDataset`` and ``random_split`` (``torch.utils.data.dataset``).

A dataset is anything with ``__getitem__(i)`` and ``__len__()`` (PyTorch's map-style protocol). On top of it,
:class:`Dataset` adds one method, ``get_batch(indices)``, which returns a whole collated batch. The base class
builds it from ``__getitem__`` one sample at a time; array-backed datasets (:class:`TensorDataset`, the image
datasets) override it with one fancy-indexing operation per array, which is the :class:`DataLoader`'s fast path.
``Subset`` forwards ``get_batch`` to its parent, so ``random_split`` keeps the fast path.
"""
import bisect
import math

import numpy as np

from ..tensor import Tensor
from .collate import default_collate
from .sampler import _rng_from

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset", "ChainDataset",
           "StackDataset", "random_split"]


class Dataset:
    """Base class of map-style datasets: subclasses define ``__getitem__`` and ``__len__``.

    ``dataset[i]`` returns one sample (a Tensor, an ndarray, a number, or a tuple/list/dict of them);
    ``dataset.get_batch(indices)`` returns the collated batch of several. Override ``get_batch`` when the
    samples live in arrays, so a batch costs one indexing operation instead of a Python loop.
    """

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__")

    def get_batch(self, indices):
        """The samples at ``indices`` (a 1-D int array), collated as the DataLoader's default collate does."""
        return default_collate([self[int(i)] for i in indices])

    def __add__(self, other):
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """Base class of iterable-style datasets: subclasses define ``__iter__`` (and may define ``__len__``).

    With ``num_workers > 0`` every worker iterates its own copy, so without care each sample comes once per
    worker; shard in ``__iter__`` with :func:`~autograd_core.data.get_worker_info`::

        def __iter__(self):
            info = get_worker_info()
            start, step = (0, 1) if info is None else (info.id, info.num_workers)
            return iter(range(self.start + start, self.end, step))
    """

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")

    def __getitem__(self, index):
        raise TypeError(f"{type(self).__name__} is an IterableDataset: iterate over it instead of indexing")

    def get_batch(self, indices):
        raise TypeError(f"{type(self).__name__} is an IterableDataset: it has no random access")

    def __add__(self, other):
        return ChainDataset([self, other])


def _as_array(x):
    """Tensor -> its ndarray (shared memory); ndarray kept; other array-likes by the library's dtype rules."""
    if isinstance(x, Tensor):
        return x._data
    if isinstance(x, np.ndarray):
        return x
    return Tensor(x)._data


class TensorDataset(Dataset):
    """Samples are the ``i``-th rows of several equally long arrays.

    Args:
        *tensors: Tensors or ndarrays (other array-likes are converted), all with the same first dimension.
            They are kept as they are (no copy), so the dtypes you pass are the dtypes you get.

    ``dataset[i]`` is a tuple with one Tensor per input; ``get_batch(idx)`` indexes each array once.

    Example::

        >>> ds = TensorDataset(np.zeros((100, 3), np.float32), np.arange(100))
        >>> x, y = ds[5]
        >>> x.shape, int(y)
        ((3,), 5)
    """

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        arrays = tuple(_as_array(t) for t in tensors)
        for i, a in enumerate(arrays):
            if a.ndim == 0:
                raise ValueError(f"TensorDataset: tensor {i} is 0-d; every tensor needs a first (sample) dimension")
        sizes = [a.shape[0] for a in arrays]
        if len(set(sizes)) != 1:
            shapes = ", ".join(str(a.shape) for a in arrays)
            raise ValueError(f"TensorDataset: size mismatch between tensors "
                             f"(first dimensions {sizes}; shapes {shapes})")
        self.arrays = arrays
        self.tensors = tuple(t if isinstance(t, Tensor) else Tensor._make(a) for t, a in zip(tensors, arrays))

    def __len__(self):
        return self.arrays[0].shape[0]

    def __getitem__(self, index):
        return tuple(Tensor._make(np.asarray(a[index])) for a in self.arrays)

    def get_batch(self, indices):
        return tuple(Tensor._make(a[indices]) for a in self.arrays)

    def __repr__(self):
        shapes = ", ".join(f"{a.dtype}{list(a.shape)}" for a in self.arrays)
        return f"TensorDataset({shapes})"


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order.

    Args:
        dataset: the parent dataset.
        indices: sequence of ints (kept as an int64 array).
    """

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = np.asarray(indices, dtype=np.int64).reshape(-1)
        n = len(dataset)
        if self.indices.size and (self.indices.min() < -n or self.indices.max() >= n):
            raise IndexError(f"Subset: indices must lie in [-{n}, {n}) for a dataset of length {n}")

    def __len__(self):
        return self.indices.size

    def __getitem__(self, index):
        if isinstance(index, (list, np.ndarray)):
            return [self.dataset[int(i)] for i in self.indices[index]]
        return self.dataset[int(self.indices[index])]

    def get_batch(self, indices):
        parent = self.indices[indices]
        if isinstance(self.dataset, Dataset):
            return self.dataset.get_batch(parent)
        return default_collate([self.dataset[int(i)] for i in parent])

    def __repr__(self):
        return f"Subset({len(self)} of {type(self.dataset).__name__} with {len(self.dataset)})"


class ConcatDataset(Dataset):
    """Several datasets one after the other.

    Args:
        datasets: iterable of datasets (their samples should have the same structure).
    """

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise TypeError("ConcatDataset does not support IterableDataset (use ChainDataset)")
        self.cumulative_sizes = list(np.cumsum([len(d) for d in self.datasets]))

    def __len__(self):
        return int(self.cumulative_sizes[-1])

    def __getitem__(self, index):
        n = len(self)
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError(f"ConcatDataset: index out of range for a dataset of length {n}")
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[which - 1] if which > 0 else 0
        return self.datasets[which][index - start]


class ChainDataset(IterableDataset):
    """Several iterable datasets one after the other, chained on the fly."""

    def __init__(self, datasets):
        self.datasets = list(datasets)
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise TypeError(f"ChainDataset only supports IterableDataset, got {type(d).__name__}")

    def __iter__(self):
        for d in self.datasets:
            yield from d

    def __len__(self):
        return sum(len(d) for d in self.datasets)


class StackDataset(Dataset):
    """Several equally long datasets side by side: ``StackDataset(a, b)[i] == (a[i], b[i])`` and
    ``StackDataset(x=a, y=b)[i] == {"x": a[i], "y": b[i]}``."""

    def __init__(self, *args, **kwargs):
        if args and kwargs:
            raise ValueError("Supported either ``tuple``- (via ``args``) or``dict``- (via ``kwargs``) like "
                             "input/output, but both types are given.")
        if not args and not kwargs:
            raise ValueError("At least one dataset should be passed")
        parts = list(args) if args else list(kwargs.values())
        self._length = len(parts[0])
        if any(len(d) != self._length for d in parts):
            raise ValueError("Size mismatch between datasets")
        self.datasets = tuple(args) if args else dict(kwargs)

    def __getitem__(self, index):
        if isinstance(self.datasets, dict):
            return {k: d[index] for k, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __len__(self):
        return self._length


def _split_lengths(lengths, n):
    """PyTorch's rule: ints must sum to ``n``; fractions summing to 1 become floors, and the remainder goes
    one by one to the first subsets."""
    lengths = list(lengths)
    if all(isinstance(x, (int, np.integer)) for x in lengths):
        lengths = [int(x) for x in lengths]
    else:
        if not math.isclose(sum(lengths), 1.0, abs_tol=1e-6) or any(not 0 <= f <= 1 for f in lengths):
            raise ValueError(f"random_split: fractions must lie in [0, 1] and sum to 1, got {lengths}")
        sizes = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
        lengths = sizes
    if any(x < 0 for x in lengths):
        raise ValueError(f"random_split: lengths must be non-negative, got {lengths}")
    if sum(lengths) != n:
        raise ValueError(f"random_split: Sum of input lengths does not equal the length of the input dataset! "
                         f"(lengths {lengths} sum to {sum(lengths)}, the dataset has {n} samples)")
    return lengths


def random_split(dataset, lengths, generator=None):
    """Split ``dataset`` at random into disjoint :class:`Subset` s.

    Args:
        dataset: the dataset to split.
        lengths: subset sizes (ints summing to ``len(dataset)``) or fractions summing to 1, as in PyTorch.
        generator: ``numpy.random.Generator`` or a Generator object; default the library-wide one
            (see ``manual_seed``).

    Example::

        >>> train, val = random_split(TensorDataset(np.arange(10)), [0.8, 0.2])
        >>> len(train), len(val)
        (8, 2)
    """
    sizes = _split_lengths(lengths, len(dataset))
    perm = _rng_from(generator).permutation(len(dataset))
    bounds = np.cumsum([0] + sizes)
    return [Subset(dataset, perm[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
