"""The functions behind the transforms (``torchvision.transforms.functional``): each takes a PIL image, a numpy
array (H x W [x C]) or a Tensor (..., C, H, W) and returns the same kind; on Tensors the geometric ones are
differentiable. See :mod:`autograd_core.vision.transforms` for the rules."""
import enum
import importlib.util
import numbers

import numpy as np

from ... import dtypes
from ...ops.rearrange import flip as _flip
from ...ops.resample import interpolate as _interpolate
from ...ops.shape import pad as _tensor_pad
from ...tensor import Tensor

__all__ = ["InterpolationMode", "to_tensor", "pil_to_tensor", "normalize", "pad", "crop", "center_crop", "hflip",
           "vflip", "resize", "to_pil_image", "get_image_size"]

_HAS_PIL = importlib.util.find_spec("PIL") is not None
PAD_MODES = ("constant", "edge", "reflect", "symmetric")


class InterpolationMode(enum.Enum):
    """Resampling filters, by torchvision's names (arrays and Tensors support NEAREST and BILINEAR)."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


def _is_pil(img):
    if not _HAS_PIL:
        return False
    from PIL import Image
    return isinstance(img, Image.Image)


def check_image(img, who):
    if not (_is_pil(img) or isinstance(img, (np.ndarray, Tensor))):
        raise TypeError(f"{who}: img should be a PIL Image, a numpy array or a Tensor. Got {type(img)}")


def size_hw(img):
    if _is_pil(img):
        return img.height, img.width
    if isinstance(img, np.ndarray):
        return img.shape[0], img.shape[1]
    return img.shape[-2], img.shape[-1]


def get_image_size(img):
    """``[width, height]`` of an image of any kind (torchvision's order)."""
    check_image(img, "get_image_size")
    h, w = size_hw(img)
    return [w, h]


def to_tensor(pic):
    """PIL image or H x W [x C] array -> C x H x W Tensor; uint8 becomes the default float dtype in [0, 1], other
    dtypes are kept unscaled (torchvision's rule)."""
    if isinstance(pic, Tensor):
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    if _is_pil(pic):
        arr = np.array(pic, copy=True)
        if pic.mode == "1":
            arr = (255 * arr).astype(np.uint8)
    elif isinstance(pic, np.ndarray):
        arr = pic
    else:
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    if arr.ndim not in (2, 3):
        raise ValueError(f"pic should be 2/3 dimensional. Got {arr.ndim} dimensions.")
    if arr.ndim == 2:
        arr = arr[:, :, None]
    arr = np.ascontiguousarray(arr.transpose(2, 0, 1))
    if arr.dtype == np.uint8:
        ft = dtypes.get_default_dtype()
        arr = arr.astype(ft) / np.array(255, ft)
    return Tensor._make(arr)


def pil_to_tensor(pic):
    """PIL image (or array) -> C x H x W Tensor of the same dtype, unscaled."""
    arr = np.array(pic, copy=True)
    if arr.ndim == 2:
        arr = arr[:, :, None]
    return Tensor._make(np.ascontiguousarray(arr.transpose(2, 0, 1)))


def normalize_stats(mean, std, dtype):
    mean = np.asarray(mean, dtype=dtype).reshape(-1, 1, 1)
    std = np.asarray(std, dtype=dtype).reshape(-1, 1, 1)
    if (std == 0).any():
        raise ValueError(f"std evaluated to zero after conversion to {np.dtype(dtype)}, leading to division by zero.")
    return mean, std


def normalize(tensor, mean, std, inplace=False):
    """``(tensor - mean[c]) / std[c]`` per channel of a float Tensor ``(..., C, H, W)``."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"Input tensor should be a torch tensor. Got {type(tensor)}.")
    if tensor.dtype.kind != "f":
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.ndim < 3:
        raise ValueError(f"Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = "
                         f"{tuple(tensor.shape)}")
    mean, std = normalize_stats(mean, std, tensor.dtype)
    if mean.shape[0] not in (1, tensor.shape[-3]) or std.shape[0] not in (1, tensor.shape[-3]):
        raise ValueError(f"Normalize: mean and std need 1 or {tensor.shape[-3]} values (one per channel), "
                         f"got {mean.shape[0]} and {std.shape[0]}")
    if inplace:
        return tensor.sub_(Tensor._make(mean)).div_(Tensor._make(std))
    return (tensor - Tensor._make(mean)) / Tensor._make(std)


def parse_padding(padding):
    """torchvision's padding argument -> [left, top, right, bottom]."""
    if not isinstance(padding, (numbers.Number, tuple, list)) or isinstance(padding, bool):
        raise TypeError("Got inappropriate padding arg")
    if isinstance(padding, (tuple, list)) and len(padding) not in (1, 2, 4):
        raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple")
    p = [padding] if isinstance(padding, numbers.Number) else list(padding)
    if len(p) == 1:
        p = p * 4
    elif len(p) == 2:
        p = [p[0], p[1], p[0], p[1]]
    if any(not isinstance(v, numbers.Integral) or v < 0 for v in p):
        raise ValueError(f"Pad: padding values must be non-negative ints, got {padding}")
    return [int(v) for v in p]


def pad(img, padding, fill=0, padding_mode="constant"):
    """Pad the borders (``padding`` as torchvision's: an int, (left/right, top/bottom) or (l, t, r, b))."""
    check_image(img, "pad")
    if padding_mode not in PAD_MODES:
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    left, top, right, bottom = parse_padding(padding)
    if isinstance(img, Tensor):
        if padding_mode == "symmetric":
            widths = [(0, 0)] * (img.ndim - 2) + [(top, bottom), (left, right)]
            return Tensor._make(np.pad(img._data, widths, mode="symmetric"))
        mode = {"edge": "replicate"}.get(padding_mode, padding_mode)
        return _tensor_pad(img, (left, right, top, bottom), mode=mode, value=float(fill) if mode == "constant" else 0.0)
    arr = np.asarray(img)
    widths = [(top, bottom), (left, right)] + [(0, 0)] * (arr.ndim - 2)
    kwargs = {"constant_values": fill} if padding_mode == "constant" else {}
    out = np.pad(arr, widths, mode=padding_mode, **kwargs)
    if _is_pil(img):
        from PIL import Image
        return Image.fromarray(np.ascontiguousarray(out))
    return out


def crop(img, top, left, height, width):
    """The ``height`` x ``width`` window at (``top``, ``left``)."""
    if _is_pil(img):
        return img.crop((left, top, left + width, top + height))
    if isinstance(img, Tensor):
        return img[..., top:top + height, left:left + width]
    return img[top:top + height, left:left + width]


def setup_size(size, error_msg="Please provide only two dimensions (h, w) for size."):
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if isinstance(size, (tuple, list)) and len(size) == 1:
        return int(size[0]), int(size[0])
    if not isinstance(size, (tuple, list)) or len(size) != 2:
        raise ValueError(error_msg)
    return int(size[0]), int(size[1])


def center_crop(img, output_size):
    """The centre ``output_size`` window (int or (h, w)); a smaller image is zero-padded first (torchvision)."""
    check_image(img, "center_crop")
    th, tw = setup_size(output_size)
    h, w = size_hw(img)
    if th > h or tw > w:
        padding = [(tw - w) // 2 if tw > w else 0, (th - h) // 2 if th > h else 0,
                   (tw - w + 1) // 2 if tw > w else 0, (th - h + 1) // 2 if th > h else 0]
        img = pad(img, padding, 0)
        h, w = size_hw(img)
        if th == h and tw == w:
            return img
    return crop(img, int(round((h - th) / 2.0)), int(round((w - tw) / 2.0)), th, tw)


def hflip(img):
    """Mirror left-right."""
    check_image(img, "hflip")
    if _is_pil(img):
        from PIL import Image
        return img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    if isinstance(img, Tensor):
        return _flip(img, -1)
    return np.ascontiguousarray(img[:, ::-1])


def vflip(img):
    """Mirror top-bottom."""
    check_image(img, "vflip")
    if _is_pil(img):
        from PIL import Image
        return img.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    if isinstance(img, Tensor):
        return _flip(img, -2)
    return np.ascontiguousarray(img[::-1])


def resized_hw(h, w, size, max_size):
    if isinstance(size, numbers.Number) or len(size) == 1:
        s = int(size if isinstance(size, numbers.Number) else size[0])
        short, long = (w, h) if w <= h else (h, w)
        new_short, new_long = s, int(s * long / short)
        if max_size is not None:
            if max_size <= s:
                raise ValueError(f"max_size = {max_size} must be strictly greater than the requested size for the "
                                 f"smaller edge size = {size}")
            if new_long > max_size:
                new_short, new_long = int(max_size * new_short / new_long), max_size
        return (new_long, new_short) if w <= h else (new_short, new_long)
    if max_size is not None:
        raise ValueError("max_size should only be passed if size specifies the length of the smaller edge, i.e. "
                         "size should be an int or a sequence of length 1 in torchscript mode.")
    return int(size[0]), int(size[1])


def _limits(dtype):
    info = np.iinfo(dtype) if np.dtype(dtype).kind in "iu" else None
    return (info.min, info.max) if info is not None else (0, 1)


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    """Resize to ``size`` ((h, w), or an int: the smaller edge). PIL images use pillow's resampling; arrays and
    Tensors use ``interpolate`` (bilinear or nearest, no antialiasing); integer arrays are rounded back."""
    check_image(img, "resize")
    if isinstance(interpolation, str):
        interpolation = InterpolationMode(interpolation)
    h, w = size_hw(img)
    nh, nw = resized_hw(h, w, size, max_size)
    if (nh, nw) == (h, w):
        return img
    if _is_pil(img):
        from PIL import Image
        return img.resize((nw, nh), Image.Resampling[interpolation.name])
    if interpolation not in (InterpolationMode.BILINEAR, InterpolationMode.NEAREST):
        raise ValueError(f"Resize: arrays and Tensors support BILINEAR and NEAREST, got {interpolation}; "
                         f"pass a PIL image for the others")
    mode = interpolation.value
    corners = False if mode == "bilinear" else None
    if isinstance(img, Tensor):
        x = img if img.dtype.kind == "f" else Tensor._make(img._data.astype(np.float32))
        out = _interpolate(x.reshape(-1, 1, h, w), size=(nh, nw), mode=mode, align_corners=corners)
        out = out.reshape(*x.shape[:-2], nh, nw)
        if img.dtype.kind != "f":
            out = Tensor._make(np.clip(np.round(out._data), *_limits(img.dtype)).astype(img.dtype))
        return out
    arr = np.asarray(img)
    x = arr.astype(np.float32) if arr.dtype.kind != "f" else arr
    chw = x[None, None] if x.ndim == 2 else np.ascontiguousarray(x.transpose(2, 0, 1))[None]
    out = _interpolate(Tensor._make(chw), size=(nh, nw), mode=mode, align_corners=corners)._data[0]
    out = out[0] if arr.ndim == 2 else out.transpose(1, 2, 0)
    if arr.dtype.kind != "f":
        out = np.clip(np.round(out), *_limits(arr.dtype)).astype(arr.dtype)
    return np.ascontiguousarray(out)


def to_pil_image(pic, mode=None):
    """Tensor C x H x W or array H x W [x C] -> PIL image (needs pillow); float input is scaled by 255 and
    truncated, as torchvision's ``pic.mul(255).byte()``."""
    if not _HAS_PIL:
        raise ImportError("to_pil_image needs pillow: pip install pillow")
    from PIL import Image
    if isinstance(pic, Tensor):
        arr = pic._data
        if arr.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {arr.ndim} dimensions.")
        arr = arr.transpose(1, 2, 0) if arr.ndim == 3 else arr
    elif isinstance(pic, np.ndarray):
        arr = pic
    else:
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    if arr.dtype.kind == "f":
        arr = (arr * 255).astype(np.uint8)
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    img = Image.fromarray(np.ascontiguousarray(arr))
    return img.convert(mode) if mode is not None and img.mode != mode else img
