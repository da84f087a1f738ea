"""Resampling: ``interpolate`` (nearest, nearest-exact, linear, bilinear, bicubic, trilinear, area) and
``pixel_shuffle`` / ``pixel_unshuffle``, as PyTorch.

Every interpolation mode is separable: along each spatial axis the output is a fixed sparse linear map of the
input, ``out[..., o, ...] = Σ_k w_k[o] x[..., i_k[o], ...]`` with one tap (nearest), two (linear) or four (cubic)
per output, so one graph node does it all: :class:`AxisResampleFunction` (gathers along one axis) and its adjoint
:class:`AxisResampleAdjointFunction` (scatter-adds the gradient back with the same weights), each the other's
backward, so every order of gradient works. Bilinear is linear-along-H then linear-along-W, which is the same
weighted sum of the four neighbours PyTorch computes. Box averages (3-D average pooling and adaptive average
pooling, ``ops/pooling3d.py``) are separable maps too and reuse the same two Functions.

The taps are computed the way PyTorch's CPU kernels compute them (``aten/src/ATen/native/UpSample.h``): source
coordinates in the input's dtype (float32 for float32 inputs), rounded to float32 before flooring, the
``scale_factor`` (not ``in/out``) as the step when it is given and ``recompute_scale_factor`` is not set, the
identity for linear modes when the size does not change, and 2-D nearest's own rule (``nearest_idx``); so nearest
picks the same pixels and the weights agree to rounding (checked against PyTorch over a grid of sizes and scale
factors in ``tests/test_resample.py``).
"""
import numbers
import warnings

import numpy as np

from ..errors import ArgumentError, ShapeError, fmt_shape
from ..function import Function
from .registry import op
from .shape import permute, reshape


class Taps:
    """A separable linear map along one axis: ``out[o] = Σ_k weights[k][o] * x[indices[k][o]]``.

    ``weights`` may be None (one tap of weight 1: nearest). Each index row must be non-decreasing in ``o`` (true of
    every map built here), which lets the adjoint sum runs of equal indices with ``np.add.reduceat``.
    """

    def __init__(self, indices, weights, in_size):
        self.indices = [np.asarray(i, dtype=np.int64) for i in indices]
        self.weights = None if weights is None else [np.asarray(w) for w in weights]
        self.in_size = int(in_size)
        self.out_size = len(self.indices[0])
        self._runs = [np.unique(i, return_index=True) for i in self.indices]
        if not all(np.all(np.diff(i) >= 0) for i in self.indices):
            raise ValueError("Taps: indices must be non-decreasing along the output")

    def _weight(self, k, dtype, ndim, axis):
        shape = [1] * ndim
        shape[axis] = -1
        return self.weights[k].astype(dtype, copy=False).reshape(shape)

    def apply(self, x, axis):
        """The map along ``axis`` of array ``x``."""
        out = None
        for k, idx in enumerate(self.indices):
            v = np.take(x, idx, axis=axis)
            if self.weights is not None:
                v *= self._weight(k, x.dtype, x.ndim, axis)
            out = v if out is None else np.add(out, v, out=out)
        return out

    def adjoint(self, g, axis):
        """The transposed map: scatter-add ``g`` (output size along ``axis``) back to the input size."""
        shape = list(g.shape)
        shape[axis] = self.in_size
        out = np.zeros(shape, dtype=g.dtype)
        lead = (slice(None),) * axis
        for k, (uniq, starts) in enumerate(self._runs):
            v = g if self.weights is None else g * self._weight(k, g.dtype, g.ndim, axis)
            out[lead + (uniq,)] += np.add.reduceat(v, starts, axis=axis)
        return out


class AxisResampleFunction(Function):
    """``out = Σ_k w_k · take(x, i_k, axis)``: interpolation (or a box average) along one axis.

    ``grad_taps``, when given, is the map whose adjoint backward uses instead of the forward's: PyTorch's nearest
    kernels compute their backward indices with a different rule than their forward in a few corner cases
    (see :func:`interpolate`), and the gradients follow PyTorch's."""
    label = "resample"
    derivative = "linear in x: the gradient is scattered back to the taps with the same weights"

    def forward(self, x, axis=None, taps=None, grad_taps=None):
        self.axis, self.taps = axis, taps if grad_taps is None else grad_taps
        return taps.apply(x._data, axis)

    def backward(self, grad):
        return AxisResampleAdjointFunction.apply(grad, axis=self.axis, taps=self.taps)


class AxisResampleAdjointFunction(Function):
    """The adjoint of :class:`AxisResampleFunction`: the gradient of resampling along one axis."""
    label = "resample_backward"
    derivative = "linear in the gradient: its own gradient is the resampling again"

    def forward(self, g, axis=None, taps=None):
        self.axis, self.taps = axis, taps
        return taps.adjoint(g._data, axis)

    def backward(self, h):
        return AxisResampleFunction.apply(h, axis=self.axis, taps=self.taps)


def resample_axes(input, taps_per_axis, grad_taps_per_axis=None):
    """Apply one :class:`Taps` per spatial axis (``None``: that axis is left as it is) of an ``(N, C, *spatial)``
    tensor (``grad_taps_per_axis``: the maps the gradient is the adjoint of, where they differ)."""
    out = input
    grad_taps_per_axis = grad_taps_per_axis or [None] * len(taps_per_axis)
    for d, (taps, grad_taps) in enumerate(zip(taps_per_axis, grad_taps_per_axis)):
        if taps is not None:
            out = AxisResampleFunction.apply(out, axis=2 + d, taps=taps, grad_taps=grad_taps)
        elif grad_taps is not None:
            raise ValueError("resample_axes: an identity axis must have an identity gradient")
    return out


# ------------------------------------------------------------------------------------------------ the taps

def _f32_floor(src):
    """``floorf`` of a coordinate: PyTorch rounds it to float32 first, whatever the input dtype."""
    return np.floor(src.astype(np.float32)).astype(np.int64)


def _scale(in_size, out_size, align_corners, scale, dtype):
    """PyTorch's ``area_pixel_compute_scale`` in ``dtype``: the step between output pixels in input pixels."""
    if align_corners:
        return dtype.type(in_size - 1) / dtype.type(out_size - 1) if out_size > 1 else dtype.type(0)
    if scale is not None and scale > 0:
        return dtype.type(1.0 / scale)
    return dtype.type(in_size) / dtype.type(out_size)


def _source_index(scale, out_size, align_corners, cubic, dtype):
    """``area_pixel_compute_source_index`` for every output pixel, in ``dtype``."""
    dst = np.arange(out_size, dtype=dtype)
    if align_corners:
        return scale * dst
    src = scale * (dst + dtype.type(0.5)) - dtype.type(0.5)
    return src if cubic else np.maximum(src, dtype.type(0))


def nearest_taps(in_size, out_size, scale, exact, dtype):
    """Taps of ``mode='nearest'`` (``floor(o * scale)``, OpenCV's rule) or ``'nearest-exact'``
    (``floor((o + 0.5) * scale)``, Pillow's)."""
    step = _scale(in_size, out_size, False, scale, dtype)
    if exact:
        index = np.floor((_source_index(step, out_size, False, False, dtype).astype(np.float64) + 0.5)
                         .astype(np.float32)).astype(np.int64)
    else:
        index = _f32_floor(_source_index(step, out_size, True, False, dtype))
    return Taps([np.minimum(index, in_size - 1)], None, in_size)


def nearest_idx_taps(in_size, out_size, scale, exact=False):
    """PyTorch's ``nearest_idx`` / ``nearest_exact_idx`` (UpSample.h): the rule of the 2-D nearest kernel and of
    every nearest backward. ``nearest`` copies an axis whose size does not change and halves the index when the
    size doubles; otherwise both floor ``o * scale`` (``(o + 0.5) * scale``) with a float32 scale, whatever the
    input dtype. Returns the :class:`Taps`, ``"identity"`` for a copy."""
    if not exact and out_size == in_size:
        return "identity"
    if not exact and out_size == 2 * in_size:
        return Taps([np.arange(out_size) >> 1], None, in_size)
    step = _scale(in_size, out_size, False, scale, np.dtype(np.float32))
    if exact:
        index = _f32_floor((np.arange(out_size) + 0.5) * np.float64(step))
    else:
        index = _f32_floor(step * np.arange(out_size, dtype=np.float32))
    return Taps([np.minimum(index, in_size - 1)], None, in_size)


def linear_taps(in_size, out_size, align_corners, scale, dtype):
    """Taps of linear interpolation along one axis."""
    src = _source_index(_scale(in_size, out_size, align_corners, scale, dtype), out_size, align_corners, False,
                        dtype)
    i0 = np.minimum(_f32_floor(src), in_size - 1)
    lam1 = np.clip(src - i0.astype(dtype), 0, 1).astype(dtype)
    i1 = i0 + (i0 < in_size - 1)
    return Taps([i0, i1], [dtype.type(1) - lam1, lam1], in_size)


def cubic_taps(in_size, out_size, align_corners, scale, dtype, a=-0.75):
    """Taps of bicubic interpolation along one axis (Keys' cubic convolution, ``A = -0.75``; the four neighbours
    clamped to the border, as PyTorch)."""
    src = _source_index(_scale(in_size, out_size, align_corners, scale, dtype), out_size, align_corners, True, dtype)
    i0 = np.minimum(_f32_floor(src), in_size - 1)
    t = np.clip(src - i0.astype(dtype), 0, 1).astype(dtype)
    a = dtype.type(a)

    def near(x):    # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):     # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    one = dtype.type(1)
    weights = [far(t + one), near(t), near(one - t), far(one - t + one)]
    indices = [np.clip(i0 - 1 + j, 0, in_size - 1) for j in range(4)]
    return Taps(indices, weights, in_size)


# ------------------------------------------------------------------------------------------------ interpolate

_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")
_LINEAR_RANK = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5}


def _is_int(v):
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _output_size(input, size, scale_factor, recompute_scale_factor):
    """PyTorch's size / scale_factor rules; returns (output sizes, scales passed to the kernel or Nones)."""
    dim = input.ndim - 2
    spatial = list(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(f"Input and output must have the same number of spatial dimensions, but got input "
                                 f"with spatial dimensions of {spatial} and output size of {size}. Please provide "
                                 f"input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) "
                                 f"format.")
            sizes = list(size)
        else:
            sizes = [size] * dim
        if not all(_is_int(s) for s in sizes):
            raise TypeError(f"expected size to be one of int or Tuple[int] or Tuple[int, int] or Tuple[int, int, int], "
                            f"but got size with types {[type(s) for s in sizes]}")
        if recompute_scale_factor:
            raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
        scales = [None] * dim
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(f"Input and scale_factor must have the same number of spatial dimensions, but got "
                                 f"input with spatial dimensions of {spatial} and scale_factor of shape "
                                 f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                                 f"scale_factor in (s1, s2, ...,sK) format.")
            scales = [float(s) for s in scale_factor]
        else:
            scales = [float(scale_factor)] * dim
        sizes = [int(n * s) for n, s in zip(spatial, scales)]   # C++ truncates the double product
        if recompute_scale_factor:
            scales = [None] * dim
    else:
        raise ValueError("either size or scale_factor should be defined")
    sizes = [int(s) for s in sizes]
    if min(sizes) <= 0 or min(spatial) <= 0:
        raise ArgumentError(f"interpolate: input and output sizes should be greater than 0, but got input "
                            f"{tuple(spatial)} and output {tuple(sizes)}")
    return sizes, scales


@op(function=False, method=False)
def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None, recompute_scale_factor=None,
                antialias=False):
    """Resize ``(N, C, L)``, ``(N, C, H, W)`` or ``(N, C, D, H, W)`` to ``size`` or by ``scale_factor``,
    PyTorch's ``F.interpolate``.

    Args:
        size: output spatial size, an int or one int per spatial dim (exclusive with ``scale_factor``).
        scale_factor: multiplier of the spatial size (float or one per dim); the output size is
            ``floor(in * scale_factor)`` and, unless ``recompute_scale_factor=True``, the kernel steps by
            ``1 / scale_factor`` (not ``in / out``), as PyTorch.
        mode: ``'nearest'`` (``floor(o * in/out)``), ``'nearest-exact'`` (pixel centres), ``'linear'`` (3-D),
            ``'bilinear'`` / ``'bicubic'`` (4-D), ``'trilinear'`` (5-D) or ``'area'`` (adaptive average pooling).
        align_corners: linear and cubic modes only: map the corner pixels' centres onto each other (True) or the
            corners of the image (False, the default).
        antialias: not supported (raises NotImplementedError).

    Example::

        >>> interpolate(autograd_core.randn(1, 3, 8, 8), scale_factor=2, mode="bilinear").shape
        (1, 3, 16, 16)
    """
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    if input.ndim not in (3, 4, 5) or mode not in _MODES:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for "
                                  f"the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
                                  f"nearest-exact (got {mode})")
    sizes, scales = _output_size(input, size, scale_factor, recompute_scale_factor)
    if mode == "area" and scale_factor is not None:
        scales = [None] * len(sizes)
    if antialias:
        if not (mode in ("bilinear", "bicubic") and input.ndim == 4):
            raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires "
                             "a 4-D tensor as input")
        raise NotImplementedError("interpolate: antialias=True is not supported")
    if mode in _LINEAR_RANK and input.ndim != _LINEAR_RANK[mode]:
        need = {3: "3D", 4: "4D", 5: "5D"}[_LINEAR_RANK[mode]]
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs {need} input")
    if mode == "area":
        from . import pooling, pooling3d
        adaptive = {3: pooling.adaptive_avg_pool1d, 4: pooling.adaptive_avg_pool2d,
                    5: pooling3d.adaptive_avg_pool3d}[input.ndim]
        return adaptive(input, sizes if input.ndim > 3 else sizes[0])
    if mode not in ("nearest", "nearest-exact") and input.dtype not in (np.float32, np.float64):
        raise TypeError(f"interpolate: mode '{mode}' expects a float32 or float64 tensor, got {input.dtype}")
    dtype = input.dtype if input.dtype in (np.float32, np.float64) else np.dtype(np.float32)
    spatial = input.shape[2:]
    taps, grad_taps = [], []
    for n, o, s in zip(spatial, sizes, scales):
        if mode in ("nearest", "nearest-exact"):
            # PyTorch's backward always follows nearest_idx; its forward does too in 2-D only
            backward = nearest_idx_taps(n, o, s, mode == "nearest-exact")
            forward = backward if input.ndim == 4 else nearest_taps(n, o, s, mode == "nearest-exact", dtype)
            if isinstance(forward, str):
                taps.append(None)
                grad_taps.append(None)
            else:
                taps.append(forward)
                grad_taps.append(_identity_taps(n) if isinstance(backward, str) else backward)
        elif mode == "bicubic":
            taps.append(cubic_taps(n, o, align_corners, s, dtype))
            # PyTorch's bicubic backward copies the gradient when no size changes (its forward does not)
            grad_taps.append(_identity_taps(n) if tuple(spatial) == tuple(sizes) else None)
        elif n != o:    # linear modes copy an axis whose size does not change, whatever the scale_factor
            taps.append(linear_taps(n, o, align_corners, s, dtype))
            grad_taps.append(None)
        else:
            taps.append(None)
            grad_taps.append(None)
    return resample_axes(input, taps, grad_taps)


def _identity_taps(n):
    return Taps([np.arange(n)], None, n)


# ------------------------------------------------------------------------------------------------ pixel shuffle

def _check_shuffle(op, input, factor, name):
    if input.ndim < 3:
        raise ShapeError(f"{op} expects input to have at least 3 dimensions, but got input with {input.ndim} "
                         f"dimension(s)")
    if not _is_int(factor) or factor <= 0:
        raise ArgumentError(f"{op} expects a positive {name}, but got {factor}")


@op(method=False)
def pixel_shuffle(input, upscale_factor):
    """``(*, C r², H, W) -> (*, C, H r, W r)``: move channel blocks into space (sub-pixel convolution upsampling),
    PyTorch's ``F.pixel_shuffle``. Output pixel ``(h r + i, w r + j)`` of channel ``c`` is input channel
    ``c r² + i r + j`` at ``(h, w)``.
    """
    op = "pixel_shuffle"
    _check_shuffle(op, input, upscale_factor, "upscale_factor")
    r = upscale_factor
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise ShapeError(f"{op} expects its input's 'channel' dimension to be divisible by the square of "
                         f"upscale_factor, but input.size(-3)={c} is not divisible by {r * r} (input shape "
                         f"{fmt_shape(input.shape)})")
    k = len(lead)
    x = reshape(input, tuple(lead) + (c // (r * r), r, r, h, w))
    x = permute(x, tuple(range(k)) + (k, k + 3, k + 1, k + 4, k + 2))
    return reshape(x, tuple(lead) + (c // (r * r), h * r, w * r))


@op(method=False)
def pixel_unshuffle(input, downscale_factor):
    """``(*, C, H r, W r) -> (*, C r², H, W)``: the inverse of :func:`pixel_shuffle`, PyTorch's
    ``F.pixel_unshuffle``."""
    op = "pixel_unshuffle"
    _check_shuffle(op, input, downscale_factor, "downscale_factor")
    r = downscale_factor
    *lead, c, h, w = input.shape
    for name, n, d in (("height", h, -2), ("width", w, -1)):
        if n % r:
            raise ShapeError(f"{op} expects {name} to be divisible by downscale_factor, but input.size({d})={n} is "
                             f"not divisible by {r} (input shape {fmt_shape(input.shape)})")
    k = len(lead)
    x = reshape(input, tuple(lead) + (c, h // r, r, w // r, r))
    x = permute(x, tuple(range(k)) + (k, k + 2, k + 4, k + 1, k + 3))
    return reshape(x, tuple(lead) + (c * r * r, h // r, w // r))


# PyTorch's deprecated spellings of interpolate (plain functions, not separate ops)

def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of :func:`interpolate` (``F.upsample``); warns, as PyTorch."""
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(input, size, scale_factor, mode='nearest')`` (``F.upsample_nearest``)."""
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(input, size, scale_factor, mode='bilinear', align_corners=True)``."""
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
