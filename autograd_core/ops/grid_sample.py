"""Spatial transformers: ``affine_grid`` and ``grid_sample``, as PyTorch (``F.affine_grid``, ``F.grid_sample``).

Both are compositions of existing differentiable ops, so gradients with respect to the input, the grid and
``theta`` (and every higher order) come from their parts:

* ``affine_grid``: a constant base grid of normalized pixel coordinates ``[x, y, (z,) 1]`` times ``theta^T``
  (one batched matmul);
* ``grid_sample``: the grid is unnormalized to pixel coordinates, folded by the padding mode (``border`` clips,
  ``reflection`` reflects then clips, with PyTorch's gradient rules: zero at and beyond the borders), then
  ``bilinear`` takes the 2^d corner pixels around each point (``trilinear`` on 5-D inputs) with weights that are
  products of ``1 - frac`` / ``frac`` per axis, ``nearest`` the pixel at ``round-half-even`` (zero gradient with
  respect to the grid, as PyTorch). Corners outside the input read zero: they are gathered with index -1 by
  ``ops/pooling.py``'s flat-index gather, whose backward is a scatter-add into the input.

Coordinates follow ATen's ``GridSampler.h``: with ``align_corners`` the extreme values -1 and 1 are the centres of
the corner pixels, ``x = (g + 1) / 2 * (size - 1)``; without, they are the outer edges of the corner pixels,
``x = ((g + 1) * size - 1) / 2``.
"""
import warnings

import numpy as np

from ..errors import ShapeError, fmt_shape
from ..tensor import Tensor
from .elementwise import where
from .linalg import matmul
from .pooling import MaxPoolGatherFunction
from .registry import op
from .saved import guard
from .shape import reshape, transpose

_ALIGN_WARNING = ("Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. "
                  "Please specify align_corners=True if the old behavior is desired. See the documentation of "
                  "grid_sample for details.")


def _linspace_from_neg_one(steps, align_corners, dtype):
    """PyTorch's ``linspace(-1, 1, steps)`` (computed from both ends, as it does), scaled to pixel centres
    when not ``align_corners``."""
    if steps <= 1:
        return np.zeros(1, dtype=dtype)
    i = np.arange(steps)
    step = 2.0 / (steps - 1)
    grid = np.where(i < steps // 2, -1.0 + step * i, 1.0 - step * (steps - 1 - i)).astype(dtype)
    if not align_corners:
        grid = grid * dtype.type(steps - 1) / dtype.type(steps)
    return grid


@op(function=False, method=False)
def affine_grid(theta, size, align_corners=None):
    """Sampling grid of an affine transform, PyTorch's ``F.affine_grid``.

    Args:
        theta: ``(N, 2, 3)`` (2-D) or ``(N, 3, 4)`` (3-D) affine matrices, mapping output coordinates in
            ``[-1, 1]`` to input coordinates.
        size: the output size ``(N, C, H, W)`` or ``(N, C, D, H, W)``.
        align_corners: see :func:`grid_sample` (None warns and means False, as PyTorch).

    Returns:
        ``(N, H, W, 2)`` or ``(N, D, H, W, 3)`` grid of ``(x, y[, z])`` input coordinates, for :func:`grid_sample`.
    """
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if theta.dtype not in (np.float32, np.float64):
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = [int(s) for s in size]
    if len(size) == 4:
        if theta.ndim != 3 or theta.shape[-2] != 2 or theta.shape[-1] != 3:
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. Got "
                             f"{fmt_shape(theta.shape)}.")
        spatial = size[-2:]
    elif len(size) == 5:
        if theta.ndim != 3 or theta.shape[-2] != 3 or theta.shape[-1] != 4:
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {size}. Got "
                             f"{fmt_shape(theta.shape)}.")
        spatial = size[-3:]
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                                  f"respectively. Got size {size}.")
    if align_corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
                      "align_corners=True. This is not an intended use case of affine_grid. See the documentation "
                      "of affine_grid for details.", stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    if theta.shape[0] != size[0]:
        raise ShapeError(f"affine_grid: theta of shape {fmt_shape(theta.shape)} holds {theta.shape[0]} matrices, "
                         f"but size {size} asks for a batch of {size[0]}")
    nd = len(spatial)
    dtype = theta.dtype
    base = np.empty(tuple(spatial) + (nd + 1,), dtype=dtype)
    for k in range(nd):         # coordinate k (x, y, z) varies along spatial axis nd - 1 - k (W, H, D)
        shape = [1] * nd
        shape[nd - 1 - k] = -1
        base[..., k] = _linspace_from_neg_one(spatial[nd - 1 - k], align_corners, dtype).reshape(shape)
    base[..., nd] = 1
    grid = matmul(Tensor._make(base.reshape(1, -1, nd + 1)), transpose(theta, 1, 2))
    return reshape(grid, (size[0],) + tuple(spatial) + (nd,))


# ------------------------------------------------------------------------------------------------ grid_sample

def _clip(x, size):
    """Clip pixel coordinates to ``[0, size - 1]``; the gradient is 0 at and beyond the borders (PyTorch's
    ``clip_coordinates_set_grad``)."""
    inside = (x._data > 0) & (x._data < size - 1)
    return where(inside, x, Tensor._make(np.clip(x._data, 0, size - 1).astype(x.dtype)))


def _reflect(x, twice_low, twice_high):
    """Reflect coordinates into ``[twice_low / 2, twice_high / 2]`` (PyTorch's ``reflect_coordinates``)."""
    if twice_low == twice_high:
        return x * 0.0
    low, span = twice_low / 2, (twice_high - twice_low) / 2
    d = x - low
    d = where(d._data < 0, -d, d)
    flips = np.floor(d._data / span)
    extra = d - Tensor._make((flips * span).astype(x.dtype))
    return where(flips % 2 == 0, extra + low, -extra + (span + low))


def _pixel_coordinates(grid, k, size, padding_mode, align_corners):
    """Coordinate ``k`` of the grid (x, y or z) in pixels of an axis of ``size``, folded by the padding mode."""
    g = grid[..., k]
    x = (g + 1.0) * ((size - 1) / 2) if align_corners else ((g + 1.0) * size - 1.0) / 2
    if padding_mode == "border":
        x = _clip(x, size)
    elif padding_mode == "reflection":
        x = _reflect(x, 0, 2 * (size - 1)) if align_corners else _reflect(x, -1, 2 * size - 1)
        x = _clip(x, size)
    return x


def _gather(input, spatial, corner):
    """``input[n, c, corner]`` for integer pixel coordinates ``corner`` (one ``(N, *out)`` array per axis, D-H-W
    order), zero where a coordinate falls outside the input."""
    flat = np.zeros(corner[0].shape, dtype=np.int64)
    inside = np.ones(corner[0].shape, dtype=bool)
    for idx, size in zip(corner, spatial):
        inside &= (idx >= 0) & (idx < size)
        flat = flat * size + idx
    flat = np.where(inside, flat, -1)
    n, c = input.shape[:2]
    index = np.ascontiguousarray(np.broadcast_to(flat[:, None], (n, c) + flat.shape[1:]))
    return MaxPoolGatherFunction.apply(input, indices=index)


@op(function=False, method=False)
def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Sample ``input`` at the points of ``grid``, PyTorch's ``F.grid_sample``.

    Args:
        input: ``(N, C, H, W)`` or ``(N, C, D, H, W)``.
        grid: ``(N, H_out, W_out, 2)`` or ``(N, D_out, H_out, W_out, 3)`` of ``(x, y[, z])`` coordinates, in
            ``[-1, 1]`` over the input (outside: the padding mode decides).
        mode: ``'bilinear'`` (trilinear for 5-D inputs) or ``'nearest'``; ``'bicubic'`` is not supported.
        padding_mode: ``'zeros'``, ``'border'`` (repeat the edge) or ``'reflection'`` (mirror at the edges).
        align_corners: -1 and 1 are the centres of the corner pixels (True) or their outer edges (False; None
            warns and means False, as PyTorch).

    Returns:
        ``(N, C, H_out, W_out)`` or ``(N, C, D_out, H_out, W_out)``; differentiable in ``input`` and ``grid``.
    """
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', "
                         f"but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if input.ndim not in (4, 5) or grid.ndim != input.ndim:
        raise ShapeError(f"grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, but got "
                         f"input with sizes {fmt_shape(input.shape)} and grid with sizes {fmt_shape(grid.shape)}")
    nd = input.ndim - 2
    if grid.shape[0] != input.shape[0]:
        raise ShapeError(f"grid_sampler(): expected grid and input to have same batch size, but got input with sizes "
                         f"{fmt_shape(input.shape)} and grid with sizes {fmt_shape(grid.shape)}")
    if grid.shape[-1] != nd:
        raise ShapeError(f"grid_sampler(): expected grid to have size {nd} in last dimension, but got grid with sizes "
                         f"{fmt_shape(grid.shape)}")
    if min(input.shape[2:]) <= 0:
        raise ShapeError(f"grid_sampler(): expected input to have non-empty spatial dimensions, but input has sizes "
                         f"{fmt_shape(input.shape)}")
    if mode == "bicubic":
        raise NotImplementedError("grid_sample: mode='bicubic' is not supported (use 'bilinear' or 'nearest')")
    for t in (input, grid):
        if t.dtype not in (np.float32, np.float64):
            raise TypeError(f"grid_sample: expected float32 or float64 tensors, got {t.dtype}")
    if grid.dtype != input.dtype:
        raise TypeError(f"grid_sampler(): expected input and grid to have the same dtype, but input has "
                        f"{input.dtype} and grid has {grid.dtype}")
    spatial = input.shape[2:]
    # pixel coordinates per spatial axis, D-H-W order (the grid lists them x, y, z: W first)
    coords = [_pixel_coordinates(grid, nd - 1 - a, spatial[a], padding_mode, align_corners) for a in range(nd)]
    if mode == "nearest":
        value = _gather(input, spatial, [np.rint(c._data).astype(np.int64) for c in coords])
        # weight 1 with a zero derivative: the grid still receives its (zero) gradient, as in PyTorch
        one = where(np.ones(coords[0].shape, dtype=bool), 1.0, coords[0])
        return guard(value * reshape(one, (one.shape[0], 1) + one.shape[1:]), input, grid,
                     name="GridSampler2DBackward0" if nd == 2 else "GridSampler3DBackward0")
    lows = [np.floor(c._data) for c in coords]
    fracs = [c - Tensor._make(lo.astype(c.dtype)) for c, lo in zip(coords, lows)]
    out = None
    for bits in np.ndindex(*(2,) * nd):          # the 2^nd corners around each point
        weight = None
        for f, b in zip(fracs, bits):
            w = f if b else 1.0 - f
            weight = w if weight is None else weight * w
        value = _gather(input, spatial, [lo.astype(np.int64) + b for lo, b in zip(lows, bits)])
        term = value * reshape(weight, (weight.shape[0], 1) + weight.shape[1:])
        out = term if out is None else out + term
    # PyTorch's node saves input and grid: changing either in place before backward is an error
    return guard(out, input, grid, name="GridSampler2DBackward0" if nd == 2 else "GridSampler3DBackward0")
