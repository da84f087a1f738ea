"""Resampling layers: ``Upsample``, ``UpsamplingNearest2d``, ``UpsamplingBilinear2d``, ``PixelShuffle`` and
``PixelUnshuffle``, on ``F.interpolate`` / ``F.pixel_shuffle`` (``autograd_core/ops/resample.py``).

Attributes and ``repr`` follow PyTorch. The arguments PyTorch checks only when ``F.interpolate`` runs (exactly one
of ``size`` / ``scale_factor``, a known mode, ``align_corners`` only with interpolating modes) are checked here at
construction already, with the same exceptions and messages.
"""
import numbers

from autograd_core.errors import ArgumentError

from . import functional as F
from .module import Module

_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")


class Upsample(Module):
    """Upsample (or downsample) 1-D, 2-D or 3-D data by ``scale_factor`` or to ``size``.

    Args:
        size: output spatial size (int or one per spatial dim); or scale_factor: multiplier (float or one per dim).
        mode: ``'nearest'`` (default), ``'nearest-exact'``, ``'linear'`` (3-D input), ``'bilinear'`` /
            ``'bicubic'`` (4-D), ``'trilinear'`` (5-D) or ``'area'``.
        align_corners: linear and cubic modes: align the centres of the corner pixels (default False).
        recompute_scale_factor: step by ``in / out`` instead of ``1 / scale_factor``.

    Shape:
        input ``(N, C, W_in)``, ``(N, C, H_in, W_in)`` or ``(N, C, D_in, H_in, W_in)``; output the same with each
        spatial size ``floor(size_in * scale_factor)`` or ``size``.

    Example::

        >>> nn.Upsample(scale_factor=2, mode="bilinear")(autograd_core.randn(1, 3, 4, 4)).shape
        (1, 3, 8, 8)
    """

    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None, recompute_scale_factor=None):
        super().__init__()
        if size is not None and scale_factor is not None:
            raise ValueError("only one of size or scale_factor should be defined")
        if size is None and not scale_factor:
            raise ValueError("either size or scale_factor should be defined")
        if mode not in _MODES:
            raise NotImplementedError(f"Upsample: mode must be one of {' | '.join(_MODES)}, got mode={mode!r}")
        if mode in ("nearest", "area", "nearest-exact") and align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
        sizes = size if isinstance(size, (tuple, list)) else (size,)
        if size is not None and not all(isinstance(s, numbers.Integral) and s > 0 for s in sizes):
            raise ArgumentError(f"Upsample: size must be a positive int or a tuple of positive ints, got size={size!r}")
        if size is not None and recompute_scale_factor:
            raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor = tuple(float(factor) for factor in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        factors = self.scale_factor if isinstance(self.scale_factor, tuple) else (self.scale_factor,)
        if self.scale_factor is not None and min(factors) <= 0:
            raise ArgumentError(f"Upsample: scale_factor must be positive, got scale_factor={scale_factor!r}")
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input):
        return F.interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                             recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self):
        info = f"scale_factor={self.scale_factor!r}" if self.scale_factor is not None else f"size={self.size!r}"
        return info + f", mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """2-D nearest-neighbour upsampling: ``Upsample(size, scale_factor, mode='nearest')`` on ``(N, C, H, W)``.

    Example::

        >>> nn.UpsamplingNearest2d(scale_factor=2)(autograd_core.randn(1, 1, 2, 2)).shape
        (1, 1, 4, 4)
    """

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """2-D bilinear upsampling with ``align_corners=True``: ``Upsample(size, scale_factor, mode='bilinear',
    align_corners=True)`` on ``(N, C, H, W)``.

    Example::

        >>> nn.UpsamplingBilinear2d(scale_factor=2)(autograd_core.randn(1, 1, 2, 2)).shape
        (1, 1, 4, 4)
    """

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)


def _check_factor(module, name, value):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value <= 0:
        raise ArgumentError(f"{type(module).__name__}: {name} must be a positive int, got {name}={value!r}")


class PixelShuffle(Module):
    """Rearrange ``(*, C r², H, W)`` into ``(*, C, H r, W r)`` (sub-pixel convolution upsampling, Shi et al. 2016).

    Args:
        upscale_factor: ``r``.

    Example::

        >>> nn.PixelShuffle(3)(autograd_core.randn(1, 9, 4, 4)).shape
        (1, 1, 12, 12)
    """

    def __init__(self, upscale_factor):
        super().__init__()
        _check_factor(self, "upscale_factor", upscale_factor)
        self.upscale_factor = upscale_factor

    def forward(self, input):
        return F.pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self):
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """Rearrange ``(*, C, H r, W r)`` into ``(*, C r², H, W)``: the inverse of :class:`PixelShuffle`.

    Args:
        downscale_factor: ``r``.

    Example::

        >>> nn.PixelUnshuffle(3)(autograd_core.randn(1, 1, 12, 12)).shape
        (1, 9, 4, 4)
    """

    def __init__(self, downscale_factor):
        super().__init__()
        _check_factor(self, "downscale_factor", downscale_factor)
        self.downscale_factor = downscale_factor

    def forward(self, input):
        return F.pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self):
        return f"downscale_factor={self.downscale_factor}"
