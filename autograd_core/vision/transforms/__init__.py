"""Image transforms with torchvision's names, arguments and rules (the functions behind them are in
:mod:`.functional`, as ``torchvision.transforms.functional``).

Every transform accepts the three image kinds and returns the kind it got (except ``ToTensor``/``ToPILImage``):

- a PIL image (when pillow is installed; what the datasets hand out by default, as torchvision);
- a numpy array H x W or H x W x C (uint8 or float);
- a Tensor ``(..., C, H, W)``; the geometric transforms on Tensors are differentiable.

``ToTensor`` turns a PIL image or an H x W [x C] array into a C x H x W Tensor, scaling uint8 to float32 in
[0, 1] and leaving other dtypes unscaled (torchvision's rule). Randomness (``RandomCrop``,
``RandomHorizontalFlip``, ``RandomVerticalFlip``) draws from the library-wide generator
(``autograd_core.manual_seed``).

``Resize`` on PIL images uses pillow's resampling (torchvision's PIL path, antialiased); on arrays and Tensors it
uses ``interpolate`` (bilinear with ``align_corners=False``, or nearest), which does not antialias: downscaling a
Tensor differs from torchvision's default ``antialias=True``.
"""
import numbers

import numpy as np

from ... import dtypes
from ...data.sampler import _rng_from
from ...tensor import Tensor
from . import functional
from . import functional as F
from .functional import InterpolationMode

__all__ = ["Compose", "ToTensor", "PILToTensor", "Normalize", "Lambda", "Pad", "RandomCrop", "RandomHorizontalFlip",
           "RandomVerticalFlip", "Resize", "CenterCrop", "ToPILImage", "InterpolationMode", "functional"]


class Compose:
    """Apply ``transforms`` one after the other."""

    def __init__(self, transforms):
        self.transforms = list(transforms)

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self):
        body = "".join(f"\n    {t}" for t in self.transforms)
        return f"{type(self).__name__}({body}\n)"


class ToTensor:
    """PIL image or H x W [x C] array -> C x H x W Tensor; uint8 is scaled to float32 in [0, 1], other dtypes are
    kept as they are (torchvision's rule: ``ToTensor`` scales, the transform before it gets the raw image)."""

    def __call__(self, pic):
        return F.to_tensor(pic)

    def __repr__(self):
        return f"{type(self).__name__}()"


class PILToTensor:
    """PIL image (or array) -> C x H x W Tensor of the same dtype, unscaled."""

    def __call__(self, pic):
        return F.pil_to_tensor(pic)

    def __repr__(self):
        return f"{type(self).__name__}()"


class Normalize:
    """``(tensor - mean[c]) / std[c]`` per channel of a float Tensor ``(..., C, H, W)``."""

    def __init__(self, mean, std, inplace=False):
        self.mean, self.std, self.inplace = mean, std, inplace

    def __call__(self, tensor):
        return F.normalize(tensor, self.mean, self.std, self.inplace)

    def _batch(self, x):
        """The same arithmetic on an ndarray batch (N, C, H, W) (the datasets' fast path)."""
        mean, std = F.normalize_stats(self.mean, self.std, x.dtype)
        return (x - mean) / std

    def __repr__(self):
        return f"{type(self).__name__}(mean={self.mean}, std={self.std})"


class Lambda:
    """Apply a user function."""

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {type(lambd).__name__!r}")
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)

    def __repr__(self):
        return f"{type(self).__name__}()"


def _check_padding_mode(padding_mode):
    if padding_mode not in F.PAD_MODES:
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")


class Pad:
    """Pad the borders: ``padding`` an int (all sides), (left/right, top/bottom) or (left, top, right, bottom);
    ``padding_mode`` constant (with ``fill``), edge, reflect or symmetric."""

    def __init__(self, padding, fill=0, padding_mode="constant"):
        F.parse_padding(padding)
        if not isinstance(fill, (numbers.Number, tuple, list)):
            raise TypeError("Got inappropriate fill arg")
        _check_padding_mode(padding_mode)
        self.padding, self.fill, self.padding_mode = padding, fill, padding_mode

    def __call__(self, img):
        return F.pad(img, self.padding, self.fill, self.padding_mode)

    def __repr__(self):
        return f"{type(self).__name__}(padding={self.padding}, fill={self.fill}, padding_mode={self.padding_mode})"


class CenterCrop:
    """Crop the centre ``size`` (int or (h, w)); an image smaller than ``size`` is zero-padded first."""

    def __init__(self, size):
        self.size = F.setup_size(size)

    def __call__(self, img):
        return F.center_crop(img, self.size)

    def __repr__(self):
        return f"{type(self).__name__}(size={self.size})"


class RandomCrop:
    """Crop a random ``size`` window, after optional ``padding`` (as :class:`Pad`); ``pad_if_needed`` pads an
    image smaller than ``size``."""

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0, padding_mode="constant"):
        self.size = F.setup_size(size)
        if padding is not None:
            F.parse_padding(padding)
        _check_padding_mode(padding_mode)
        self.padding, self.pad_if_needed, self.fill, self.padding_mode = padding, pad_if_needed, fill, padding_mode

    @staticmethod
    def get_params(img, output_size):
        """``(top, left, height, width)`` of a random window of ``output_size``."""
        h, w = F.size_hw(img)
        th, tw = output_size
        if h < th or w < tw:
            raise ValueError(f"Required crop size {(th, tw)} is larger than input image size {(h, w)}")
        if w == tw and h == th:
            return 0, 0, h, w
        rng = _rng_from(None)
        i = int(rng.integers(0, h - th + 1))
        j = int(rng.integers(0, w - tw + 1))
        return i, j, th, tw

    def __call__(self, img):
        F.check_image(img, "RandomCrop")
        if self.padding is not None:
            img = F.pad(img, self.padding, self.fill, self.padding_mode)
        h, w = F.size_hw(img)
        th, tw = self.size
        if self.pad_if_needed and w < tw:
            img = F.pad(img, [tw - w, 0, tw - w, 0], self.fill, self.padding_mode)
        if self.pad_if_needed and h < th:
            img = F.pad(img, [0, th - h, 0, th - h], self.fill, self.padding_mode)
        return F.crop(img, *self.get_params(img, self.size))

    def __repr__(self):
        return f"{type(self).__name__}(size={self.size}, padding={self.padding})"


class RandomHorizontalFlip:
    """Mirror left-right with probability ``p``."""

    def __init__(self, p=0.5):
        self.p = p

    def __call__(self, img):
        F.check_image(img, type(self).__name__)
        return F.hflip(img) if _rng_from(None).random() < self.p else img

    def __repr__(self):
        return f"{type(self).__name__}(p={self.p})"


class RandomVerticalFlip(RandomHorizontalFlip):
    """Mirror top-bottom with probability ``p``."""

    def __call__(self, img):
        F.check_image(img, type(self).__name__)
        return F.vflip(img) if _rng_from(None).random() < self.p else img


class Resize:
    """Resize to ``size`` ((h, w), or an int: the smaller edge, keeping the aspect ratio). PIL images use pillow's
    resampling; arrays and Tensors use ``interpolate`` (bilinear or nearest, no antialiasing; see the module
    docstring). uint8 arrays are rounded back to uint8."""

    def __init__(self, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
        if not isinstance(size, (numbers.Integral, tuple, list)) or isinstance(size, bool) or \
                (isinstance(size, (tuple, list)) and len(size) not in (1, 2)):
            raise TypeError(f"Size should be int or sequence. Got {type(size)}")
        self.size, self.max_size, self.antialias = size, max_size, antialias
        self.interpolation = InterpolationMode(interpolation) if isinstance(interpolation, str) else interpolation
        if not isinstance(self.interpolation, InterpolationMode):
            raise TypeError("Argument interpolation should be a InterpolationMode")

    def __call__(self, img):
        return F.resize(img, self.size, self.interpolation, self.max_size, self.antialias)

    def __repr__(self):
        return f"{type(self).__name__}(size={self.size}, interpolation={self.interpolation.value})"


class ToPILImage:
    """Tensor C x H x W or array H x W [x C] -> PIL image (needs pillow). Float input is scaled by 255."""

    def __init__(self, mode=None):
        if not F._HAS_PIL:
            raise ImportError("ToPILImage needs pillow: pip install pillow")
        self.mode = mode

    def __call__(self, pic):
        return F.to_pil_image(pic, self.mode)

    def __repr__(self):
        return f"{type(self).__name__}(mode={self.mode})"


def _batch_transform(transform, images):
    """``transform`` applied to a uint8 batch (N, H, W) at once, if it is ``ToTensor`` optionally followed by
    ``Normalize`` s (possibly inside ``Compose``); else ``None`` (the caller goes sample by sample)."""
    steps = transform.transforms if isinstance(transform, Compose) else [transform]
    if not steps or type(steps[0]) is not ToTensor or any(type(t) is not Normalize for t in steps[1:]):
        return None
    ft = dtypes.get_default_dtype()
    x = images[:, None].astype(ft) / np.array(255, ft)
    for t in steps[1:]:
        x = t._batch(x)
    return Tensor._make(x)
