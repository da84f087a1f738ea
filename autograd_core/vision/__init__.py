"""Vision data as torchvision has it: ``datasets`` (MNIST, FashionMNIST), ``transforms`` and ``utils``.

A PyTorch program switches with one line::

    from autograd_core.vision import datasets, transforms     # was: from torchvision import datasets, transforms

The raw image a dataset hands to its ``transform`` is, as in torchvision, a PIL image (mode ``"L"``) when pillow
is installed; without pillow it is the uint8 numpy array (H x W). :func:`set_image_backend` chooses
(``"PIL"`` or ``"numpy"``); a dataset keeps the backend that was current when it was made, also in DataLoader
workers. Every transform here accepts PIL images, numpy arrays (H x W [x C]) and Tensors (C x H x W) alike.
"""
import importlib.util

from . import datasets, transforms, utils

__all__ = ["datasets", "transforms", "utils", "get_image_backend", "set_image_backend"]

_BACKENDS = ("PIL", "numpy")
_backend = "PIL" if importlib.util.find_spec("PIL") is not None else "numpy"


def get_image_backend():
    """``"PIL"`` (the default when pillow is installed) or ``"numpy"``: what datasets hand to transforms."""
    return _backend


def set_image_backend(backend):
    """Choose the raw image type of datasets made from now on: ``"PIL"`` (needs pillow) or ``"numpy"``."""
    global _backend
    if backend not in _BACKENDS:
        raise ValueError(f"Invalid backend '{backend}'. Options are 'PIL' and 'numpy'")
    if backend == "PIL" and importlib.util.find_spec("PIL") is None:
        raise ImportError("set_image_backend('PIL') needs pillow: pip install pillow")
    _backend = backend
