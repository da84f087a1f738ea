"""``make_grid`` and ``save_image``, torchvision's image-grid helpers.

``save_image`` writes with pillow when it is installed, else with matplotlib's ``imsave``; with neither it raises
``ImportError`` saying what to install.
"""
import importlib.util
import math

import numpy as np

from ..tensor import Tensor

__all__ = ["make_grid", "save_image"]


def _as_array(t):
    if isinstance(t, Tensor):
        return t._data
    raise TypeError(f"tensor or list of tensors expected, got {type(t)}")


def make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False, pad_value=0.0):
    """Tile a batch of images (B x C x H x W Tensor, or a list of C x H x W Tensors) into one C x H' x W' image.

    Args:
        nrow: images per row (the grid has ``ceil(B / nrow)`` rows).
        padding: pixels between images and around the grid, filled with ``pad_value``.
        normalize: shift and scale to [0, 1]: by ``value_range`` (min, max) if given, else by the min and max of
            the whole batch, or of each image with ``scale_each=True``.

    One-channel images are repeated to three channels, as in torchvision; a single image is returned alone
    (without padding).
    """
    if isinstance(tensor, (list, tuple)):
        if not tensor or not all(isinstance(t, Tensor) for t in tensor):
            raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
        x = np.stack([t._data for t in tensor])
    else:
        x = _as_array(tensor)
    x = np.array(x, copy=True)
    if x.ndim == 2:
        x = x[None]
    if x.ndim == 3:
        if x.shape[0] == 1:
            x = np.concatenate([x, x, x], 0)
        x = x[None]
    if x.ndim != 4:
        raise ValueError(f"make_grid: expected a 2-D, 3-D or 4-D tensor, got shape {x.shape}")
    if x.shape[1] == 1:
        x = np.concatenate([x, x, x], 1)
    if normalize:
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError("value_range has to be a tuple (min, max) if specified. min and max are numbers")
        if x.dtype.kind != "f":
            x = x.astype(np.float32)

        def norm(img):
            low, high = value_range if value_range is not None else (float(img.min()), float(img.max()))
            np.clip(img, low, high, out=img)
            img -= low
            img /= max(high - low, 1e-5)

        if scale_each:
            for img in x:
                norm(img)
        else:
            norm(x)
    if x.shape[0] == 1:
        return Tensor._make(x[0])
    nmaps = x.shape[0]
    xmaps = min(nrow, nmaps)
    ymaps = int(math.ceil(nmaps / xmaps))
    height, width = x.shape[2] + padding, x.shape[3] + padding
    grid = np.full((x.shape[1], height * ymaps + padding, width * xmaps + padding), pad_value, dtype=x.dtype)
    for k in range(nmaps):
        r, c = divmod(k, xmaps)
        grid[:, r * height + padding:(r + 1) * height, c * width + padding:(c + 1) * width] = x[k]
    return Tensor._make(grid)


def save_image(tensor, fp, format=None, **kwargs):
    """Write ``make_grid(tensor, **kwargs)`` as an image file (PNG unless ``format`` or the file name says
    otherwise). Values are taken to be in [0, 1]: ``uint8(clamp(x * 255 + 0.5, 0, 255))`` as torchvision."""
    grid = _as_array(make_grid(tensor, **kwargs))
    arr = np.clip(grid * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0)
    if importlib.util.find_spec("PIL") is not None:
        from PIL import Image
        Image.fromarray(np.ascontiguousarray(arr)).save(fp, format=format)
        return
    if importlib.util.find_spec("matplotlib") is not None:
        import matplotlib.image
        matplotlib.image.imsave(fp, arr, format=format)
        return
    raise ImportError("save_image needs pillow or matplotlib to write image files: pip install pillow")
