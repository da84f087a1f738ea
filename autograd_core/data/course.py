"""Helpers for the course notebooks: a fast mode for CI and Fashion-MNIST splits in one call.

Fast mode: when the environment variable ``AUTOGRAD_CORE_FAST`` is ``1`` (``true``/``yes``/``on``), notebooks
shrink their data and epochs so the whole set runs in CI in a few minutes. They ask with :func:`pick`, which
reads as "this value normally, that one in fast mode"::

    EPOCHS = pick(10, 1)

:func:`fashion_mnist` gives train / validation / test sets from the embedded subset (12,000 + 2,000 images,
shipped with the package) or, with ``full=True``, from the full Fashion-MNIST (60,000 + 10,000, local files; see
:class:`~autograd_core.data.FashionMNIST` for where they are looked for).

Example::

    >>> data = fashion_mnist(n_train=pick(None, 2000), n_val=500, n_test=pick(None, 500))
    >>> data
    CourseData(source='embedded', train=2000, val=500, test=500)
    >>> train_loader, val_loader, test_loader = data.loaders(batch_size=128, seed=0)
"""
import os

import numpy as np

from .dataset import TensorDataset
from .datasets import FashionMNIST
from .embedded import EmbeddedFashionMNIST
from .dataloader import DataLoader

__all__ = ["FAST_ENV", "fast_mode", "pick", "fashion_mnist", "CourseData"]

FAST_ENV = "AUTOGRAD_CORE_FAST"
_TRUE = ("1", "true", "yes", "on")


def fast_mode():
    """True when ``$AUTOGRAD_CORE_FAST`` asks for short runs (the notebooks' CI setting)."""
    return os.environ.get(FAST_ENV, "").strip().lower() in _TRUE


def pick(full, fast):
    """``fast`` in fast mode, else ``full``: ``EPOCHS = pick(10, 1)``."""
    return fast if fast_mode() else full


class CourseData:
    """Train / validation / test :class:`TensorDataset` s of images ``(N, 1, 28, 28)`` (or ``(N, 784)``) and
    int64 labels.

    Attributes:
        train, test: TensorDatasets; val: a TensorDataset held out from the training images, or None.
        classes: the class names; source: ``'embedded'`` or ``'full'``.
    """

    def __init__(self, train, val, test, classes, source):
        self.train, self.val, self.test = train, val, test
        self.classes = tuple(classes)
        self.source = source

    def loaders(self, batch_size=128, seed=0, eval_batch_size=1000):
        """``(train_loader, val_loader, test_loader)``; the training loader shuffles with its own generator
        (``seed``), the others keep the order; ``val_loader`` is None without a validation set."""
        train = DataLoader(self.train, batch_size=batch_size, shuffle=True, seed=seed)
        val = DataLoader(self.val, batch_size=eval_batch_size) if self.val is not None else None
        return train, val, DataLoader(self.test, batch_size=eval_batch_size)

    def arrays(self, split="train"):
        """``(X, y)`` numpy arrays of a split (``'train'``, ``'val'`` or ``'test'``)."""
        ds = getattr(self, split)
        if ds is None:
            raise ValueError(f"this CourseData has no {split!r} split")
        return ds.arrays[0], ds.arrays[1]

    def __repr__(self):
        n_val = len(self.val) if self.val is not None else 0
        return f"CourseData(source={self.source!r}, train={len(self.train)}, val={n_val}, test={len(self.test)})"


def _subset(x, y, n, rng):
    if n is None or n >= len(y):
        return x, y
    if n <= 0:
        raise ValueError(f"fashion_mnist: sizes must be positive, got {n}")
    idx = np.sort(rng.permutation(len(y))[:n])
    return x[idx], y[idx]


def fashion_mnist(full=False, n_train=None, n_val=0, n_test=None, normalize=True, flatten=False, seed=0,
                  root=None):
    """Fashion-MNIST as a :class:`CourseData`: the embedded subset by default, the full set with ``full=True``.

    Args:
        full: use the full 60,000 / 10,000 images (local IDX files, ``root`` or the usual places; raises
            ``DatasetNotFoundError`` with install hints when they are missing) instead of the embedded subset.
        n_train, n_test: how many training / test images to keep (a random subset drawn with ``seed``; None:
            all). ``n_train`` counts the images left after the validation images are taken out.
        n_val: how many training images to hold out for validation (0: ``val`` is None).
        normalize: standardize pixels with the training set's mean and std (else scale to [0, 1]).
        flatten: images as ``(N, 784)`` rows instead of ``(N, 1, 28, 28)``.
        seed: the seed of the subsets and of the train/validation split.
        root: folder with the IDX files (``full=True`` only).

    Returns:
        a :class:`CourseData`.
    """
    if full:
        train_set, test_set = FashionMNIST(root=root, train=True), FashionMNIST(root=root, train=False)
    else:
        train_set, test_set = EmbeddedFashionMNIST(train=True), EmbeddedFashionMNIST(train=False)
    rng = np.random.default_rng(seed)
    x, y = train_set.as_arrays(normalize=normalize, flatten=flatten)
    x_test, y_test = test_set.as_arrays(normalize=normalize, flatten=flatten)
    val = None
    if n_val:
        if not 0 < n_val < len(y):
            raise ValueError(f"fashion_mnist: n_val must be in (0, {len(y)}), got {n_val}")
        order = rng.permutation(len(y))
        vi, ti = np.sort(order[:n_val]), np.sort(order[n_val:])
        val = TensorDataset(x[vi], y[vi])
        x, y = x[ti], y[ti]
    x, y = _subset(x, y, n_train, rng)
    x_test, y_test = _subset(x_test, y_test, n_test, rng)
    return CourseData(TensorDataset(x, y), val, TensorDataset(x_test, y_test), train_set.classes,
                      "full" if full else "embedded")
