"""Samplers: which indices a DataLoader reads, in which order (``torch.utils.data.sampler``).

A sampler is an iterable of indices (or, for a batch sampler, of lists of indices) with an optional ``__len__``.
The random ones draw from a ``numpy.random.Generator``: the ``generator`` given, else the library-wide one
(``autograd_core.manual_seed``) at the moment iteration starts. ``generator`` may be a ``numpy.random.Generator``
or any object that holds one (see :func:`_rng_from`), such as the library's ``Generator``.

The argument checks and their messages are PyTorch's.
"""
import itertools
import numbers

import numpy as np

from .. import random as _random
from ..tensor import Tensor

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler",
           "BatchSampler"]

_RNG_ATTRIBUTES = ("numpy_generator", "_numpy_generator", "_rng", "rng", "_generator", "generator")


def _rng_from(generator):
    """The ``numpy.random.Generator`` behind ``generator``: the library-wide one for ``None``, the object itself
    for a numpy Generator, else the numpy Generator it holds (a method or attribute named ``numpy_generator``,
    ``_numpy_generator``, ``_rng``, ``rng``, ``_generator`` or ``generator``). The one place where a generator
    argument of the data package is interpreted."""
    if generator is None:
        generator = _random.default_generator()
    if isinstance(generator, np.random.Generator):
        return generator
    for name in _RNG_ATTRIBUTES:
        inner = getattr(generator, name, None)
        if callable(inner) and not isinstance(inner, np.random.Generator):
            try:
                inner = inner()
            except TypeError:
                continue
        if isinstance(inner, np.random.Generator):
            return inner
    raise TypeError(f"generator must be None, a numpy.random.Generator or a Generator object, "
                    f"got {type(generator).__name__}")


def _check_generator(generator):
    if generator is not None:
        _rng_from(generator)  # raises TypeError for objects that hold no numpy Generator


class Sampler:
    """Base class of samplers: subclasses define ``__iter__`` (indices) and, if they can, ``__len__``.

    ``data_source`` is accepted for PyTorch compatibility and ignored, as in PyTorch.
    """

    def __init__(self, data_source=None):
        pass

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")


class SequentialSampler(Sampler):
    """``0, 1, ..., len(data_source) - 1``."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


def _positive_int(x):
    return isinstance(x, numbers.Integral) and not isinstance(x, bool) and x > 0


class RandomSampler(Sampler):
    """Indices in random order: a fresh permutation per pass (``replacement=False``), or ``num_samples``
    independent uniform draws (``replacement=True``).

    Args:
        data_source: the dataset (only its ``len`` is used, read at each iteration).
        replacement: draw with replacement.
        num_samples: how many indices per iteration (default ``len(data_source)``); without replacement and
            larger than the dataset, whole permutations are chained, as in PyTorch.
        generator: see the module docstring.
    """

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={self.replacement}")
        if not _positive_int(self.num_samples):
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={self.num_samples}")
        _check_generator(generator)

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n = len(self.data_source)
        rng = _rng_from(self.generator)
        k = int(self.num_samples)
        if self.replacement:
            yield from rng.integers(0, n, size=k).tolist()
            return
        for _ in range(k // n):
            yield from rng.permutation(n).tolist()
        if k % n:
            yield from rng.permutation(n)[:k % n].tolist()

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices`` in a random order (a new one per pass)."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator
        _check_generator(generator)

    def __iter__(self):
        for i in _rng_from(self.generator).permutation(len(self.indices)).tolist():
            yield self.indices[i]

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices in ``[0, len(weights))`` drawn with probabilities proportional to ``weights``.

    Args:
        weights: 1-D sequence of non-negative weights (need not sum to 1).
        num_samples: how many indices per pass.
        replacement: with replacement (default); without, ``num_samples`` may not exceed ``len(weights)``.
        generator: see the module docstring.
    """

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        if not _positive_int(num_samples):
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got replacement={replacement}")
        w = np.asarray(weights._data if isinstance(weights, Tensor) else weights, dtype=np.float64)
        if w.ndim != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape {tuple(w.shape)}")
        _check_generator(generator)
        self.weights = Tensor._make(w)
        self.num_samples = int(num_samples)
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        w = self.weights._data
        if not np.all(np.isfinite(w)) or (w < 0).any():
            raise RuntimeError("invalid multinomial distribution (encountering probability entry < 0 or inf/nan)")
        if w.sum() <= 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        rng = _rng_from(self.generator)
        if self.replacement:
            yield from rng.choice(w.size, size=self.num_samples, replace=True, p=w / w.sum()).tolist()
            return
        if self.num_samples > w.size:
            raise RuntimeError(f"cannot sample n_sample > prob_dist.size(-1) samples without replacement "
                               f"(num_samples={self.num_samples}, {w.size} weights)")
        # successive draws without replacement = the order of exponential keys scaled by 1/weight; zero weights
        # come last (PyTorch, too, returns them once the others are used up)
        with np.errstate(divide="ignore"):
            keys = rng.exponential(size=w.size) / w
        yield from np.argsort(keys, kind="stable")[:self.num_samples].tolist()

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """Groups the indices of ``sampler`` into lists of ``batch_size``.

    Example::

        >>> list(BatchSampler(SequentialSampler(range(10)), batch_size=3, drop_last=False))
        [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    """

    def __init__(self, sampler, batch_size, drop_last):
        if not _positive_int(batch_size):
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = int(batch_size)
        self.drop_last = drop_last

    def __iter__(self):
        it = iter(self.sampler)
        while batch := list(itertools.islice(it, self.batch_size)):
            if self.drop_last and len(batch) < self.batch_size:
                return
            yield batch

    def __len__(self):
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size
