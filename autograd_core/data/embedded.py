"""A Fashion-MNIST subset shipped inside the package, so examples and tests run with no download.

12,000 training images (1,200 per class) and 2,000 test images (200 per class), drawn with a fixed seed from the
official training and test splits; ``_embedded/make_subset.py`` documents exactly which (the indices are stored
in the file as ``train_indices`` / ``test_indices``). Images are uint8 28 x 28, as in the original.

Example::

    >>> (x_train, y_train), (x_test, y_test) = load_embedded()
    >>> x_train.shape, y_train.dtype
    ((12000, 28, 28), dtype('int64'))
    >>> train = EmbeddedFashionMNIST(train=True).to_tensor_dataset(normalize=True)
"""
import os

import numpy as np

from .datasets import FashionMNIST, ImageClassificationDataset

EMBEDDED_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_embedded", "fashion_mnist_small.npz")


def _load_split(train):
    prefix = "train" if train else "test"
    with np.load(EMBEDDED_PATH, allow_pickle=False) as f:
        return f[f"x_{prefix}"], f[f"y_{prefix}"].astype(np.int64), f[f"{prefix}_indices"].astype(np.int64)


def load_embedded():
    """The embedded subset as arrays, Keras style: ``(x_train, y_train), (x_test, y_test)``.

    Returns:
        ``x_*``: uint8 (N, 28, 28); ``y_*``: int64 (N,); N = 12,000 (train) and 2,000 (test). Fresh arrays on
        every call.
    """
    x_train, y_train, _ = _load_split(True)
    x_test, y_test, _ = _load_split(False)
    return (x_train, y_train), (x_test, y_test)


class EmbeddedFashionMNIST(ImageClassificationDataset):
    """The embedded Fashion-MNIST subset as a dataset, with :class:`FashionMNIST`'s interface.

    Args:
        train: the 12,000-image training subset, else the 2,000-image test subset.
        transform, target_transform: as in :class:`FashionMNIST`.

    Attributes:
        data (uint8, N x 28 x 28), targets (int64, N), classes, and ``indices``: the position of each image in
        the official split it was taken from.
    """

    classes = FashionMNIST.classes
    mean, std = FashionMNIST.mean, FashionMNIST.std

    def __init__(self, train=True, transform=None, target_transform=None):
        self.train = bool(train)
        data, targets, self.indices = _load_split(self.train)
        super().__init__(data, targets, transform, target_transform)
