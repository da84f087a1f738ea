"""Pooling variants, as PyTorch: ``max_unpool1d/2d/3d``, ``lp_pool1d/2d/3d`` and ``fractional_max_pool2d/3d``.

* max unpooling writes each input value at its ``indices`` position (flat in each output plane, the
  ``return_indices`` of max pooling) into zeros: :class:`MaxUnpoolFunction`. Its gradient gathers the output
  gradient at the indices (``ops/pooling.py``'s gather, whose own gradient is the scatter-add), as PyTorch.
* power-average pooling is PyTorch's composition ``(sum over the window of x^p)^(1/p)``: average pooling of
  ``x ** p`` times the window size, to the power ``1/p`` (``p = inf``: max pooling of ``|x|``).
* fractional max pooling (Graham, 2014) takes the max over windows whose start positions grow by a random
  fractional step; the windows are computed from ``_random_samples`` in ``[0, 1)`` exactly as PyTorch's kernel
  does (so the same samples give PyTorch's result), then the max is a gather at the argmax indices.
"""
import math

import numpy as np

from ..errors import ArgumentError, ShapeError, fmt_shape
from ..function import Function
from ..random import default_generator
from ..shapes import ntuple
from ..tensor import Tensor
from .activation import relu
from .elementwise import abs as _abs, sign
from .pooling import MaxPoolGatherFunction, avg_pool1d, avg_pool2d, max_pool1d, max_pool2d
from .pooling3d import avg_pool3d, max_pool3d
from .registry import op
from .saved import guard
from .shape import squeeze, unsqueeze


# ------------------------------------------------------------------------------------------------ max unpooling

class MaxUnpoolFunction(Function):
    """``out[n, c].flat[indices[n, c]] = x[n, c]``, zeros elsewhere: the partial inverse of max pooling."""
    label = "max_unpool"
    derivative = "the gradient is gathered back from the positions the values were written to"

    def forward(self, x, indices=None, output_shape=None):
        self.indices = indices
        n, c = x.shape[:2]
        out = np.zeros((n, c, math.prod(output_shape[2:])), dtype=x.dtype)
        np.put_along_axis(out, indices.reshape(n, c, -1), x._data.reshape(n, c, -1), axis=2)
        return out.reshape(output_shape)

    def backward(self, grad):
        return MaxPoolGatherFunction.apply(grad, indices=self.indices)


def _unpool_output_size(input_spatial, kernel, stride, padding, output_size, op):
    """PyTorch's ``_unpool_output_size``: the inverse of the pooling size formula, or a checked ``output_size``."""
    nd = len(kernel)
    default = [(input_spatial[d] - 1) * stride[d] + kernel[d] - 2 * padding[d] for d in range(nd)]
    if output_size is None:
        sizes = default
    else:
        sizes = [int(v) for v in output_size]
        if len(sizes) == nd + 2:
            sizes = sizes[2:]
        if len(sizes) != nd:
            raise ValueError(f"output_size should be a sequence containing {nd} or {nd + 2} elements, but it has a "
                             f"length of '{len(sizes)}'")
        for d in range(nd):
            lo, hi = default[d] - stride[d], default[d] + stride[d]
            if not lo < sizes[d] < hi:
                raise ValueError(f'invalid output_size "{list(output_size)}" (dim {d} must be between {lo} and {hi})')
    for d, v in enumerate(sizes):
        if v < 0:
            raise ValueError(f"{op}: output_size must contain non-negative spatial dimensions, but got "
                             f"output_size[{d}]={v}")
    return sizes


def _max_unpool(op, nd, input, indices, kernel_size, stride, padding, output_size):
    if input.ndim not in (nd + 1, nd + 2):
        raise ShapeError(f"{op}: expected a {nd + 1}-D or {nd + 2}-D input, got shape {fmt_shape(input.shape)}")
    idx = indices._data if isinstance(indices, Tensor) else np.asarray(indices)
    if idx.dtype != np.int64:
        raise TypeError(f"{op}: elements in indices should be type int64 but got: {idx.dtype}")
    if idx.shape != input.shape:
        raise ShapeError(f"{op}: expected shape of indices to be same as that of the input tensor "
                         f"({fmt_shape(input.shape)}), but got indices of shape {fmt_shape(idx.shape)}")
    kernel = ntuple(kernel_size, nd, "kernel_size", op)
    stride = kernel if stride is None else ntuple(stride, nd, "stride", op)
    padding = ntuple(padding, nd, "padding", op)
    sizes = _unpool_output_size(input.shape[-nd:], kernel, stride, padding, output_size, op)
    x = input if input.ndim == nd + 2 else unsqueeze(input, 0)
    idx = idx if input.ndim == nd + 2 else idx[None]
    plane = math.prod(sizes)
    if idx.size and (idx.min() < 0 or idx.max() >= plane):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise ArgumentError(f"{op}: found an invalid max index: {bad} (output volumes are of size "
                            f"{'x'.join(map(str, sizes))})")
    out = MaxUnpoolFunction.apply(x, indices=np.ascontiguousarray(idx), output_shape=x.shape[:2] + tuple(sizes))
    return out if input.ndim == nd + 2 else squeeze(out, 0)


@op(function=False, method=False)
def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of :func:`max_pool1d`: put each value at its index, zeros elsewhere (``F.max_unpool1d``).

    Shape:
        input and indices ``(N, C, L_in)`` or ``(C, L_in)``; output ``(N, C, L_out)``,
        ``L_out = (L_in - 1) stride - 2 padding + kernel_size`` unless ``output_size`` is given.
    """
    return _max_unpool("max_unpool1d", 1, input, indices, kernel_size, stride, padding, output_size)


@op(function=False, method=False)
def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of :func:`max_pool2d` (``return_indices=True``): put each value at its index in the
    ``H_out * W_out`` plane, zeros elsewhere, PyTorch's ``F.max_unpool2d``.

    Shape:
        input and indices ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)``; output ``(N, C, H_out, W_out)``,
        ``H_out = (H_in - 1) stride[0] - 2 padding[0] + kernel_size[0]`` unless ``output_size`` is given (within
        ``stride`` of that).
    """
    return _max_unpool("max_unpool2d", 2, input, indices, kernel_size, stride, padding, output_size)


@op(function=False, method=False)
def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of :func:`max_pool3d`, PyTorch's ``F.max_unpool3d`` (indices flat in ``D*H*W``)."""
    return _max_unpool("max_unpool3d", 3, input, indices, kernel_size, stride, padding, output_size)


# ------------------------------------------------------------------------------------------------ LP pooling

def _lp_pool(input, norm_type, kernel, stride, ceil_mode, max_pool, avg_pool):
    if norm_type == math.inf:
        return max_pool(_abs(input), kernel, stride, 0, 1, ceil_mode)
    if norm_type == -math.inf:
        return -max_pool(-_abs(input), kernel, stride, 0, 1, ceil_mode)
    out = avg_pool(input ** norm_type, kernel, stride, 0, ceil_mode)
    return ((sign(out) * relu(_abs(out))) * float(math.prod(kernel))) ** (1.0 / norm_type)


@op(function=False, method=False)
def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling ``(Σ_window x^p)^(1/p)`` over the last dim, PyTorch's ``F.lp_pool1d``
    (``p = inf``: max pooling of ``|x|``; ``p = 1``: sum pooling)."""
    kernel = ntuple(kernel_size, 1, "kernel_size", "lp_pool1d")
    return _lp_pool(input, norm_type, kernel, stride, ceil_mode, max_pool1d, avg_pool1d)


@op(function=False, method=False)
def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling ``(Σ_window x^p)^(1/p)`` over 2-D windows, PyTorch's ``F.lp_pool2d``."""
    kernel = ntuple(kernel_size, 2, "kernel_size", "lp_pool2d")
    return _lp_pool(input, norm_type, kernel, stride, ceil_mode, max_pool2d, avg_pool2d)


@op(function=False, method=False)
def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling ``(Σ_window x^p)^(1/p)`` over 3-D windows, PyTorch's ``F.lp_pool3d``."""
    kernel = ntuple(kernel_size, 3, "kernel_size", "lp_pool3d")
    return _lp_pool(input, norm_type, kernel, stride, ceil_mode, max_pool3d, avg_pool3d)


# ------------------------------------------------------------------------------------------------ fractional

def _intervals(sample, in_size, out_size, pool, dtype):
    """PyTorch's ``generate_intervals``: window starts ``int((o + u) alpha) - int(u alpha)``, the last at
    ``in_size - pool``, for samples ``u`` of any shape (computed in ``dtype``, as the kernel does)."""
    sample = sample.astype(dtype)[..., None]
    starts = np.empty(sample.shape[:-1] + (out_size,), dtype=np.int64)
    if out_size > 1:
        alpha = dtype.type(in_size - pool) / dtype.type(out_size - 1)
        o = np.arange(out_size - 1, dtype=dtype)
        starts[..., :-1] = ((o + sample) * alpha).astype(np.int64) - (sample * alpha).astype(np.int64)
    starts[..., -1] = in_size - pool
    return starts


def _fractional_max_pool(op, nd, input, kernel_size, output_size, output_ratio, return_indices, _random_samples):
    if output_size is None and output_ratio is None:
        raise ValueError(f"{op} requires specifying either an output_size or an output_ratio")
    if input.ndim not in (nd + 1, nd + 2):
        raise ShapeError(f"{op}(): expected a {nd + 1}-D or {nd + 2}-D tensor, but got shape "
                         f"{fmt_shape(input.shape)}")
    if input.dtype not in (np.float32, np.float64):
        raise TypeError(f"{op}: expected a float32 or float64 tensor, got {input.dtype}")
    spatial = input.shape[-nd:]
    if output_size is None:
        ratio = tuple(output_ratio) if isinstance(output_ratio, (tuple, list)) else (output_ratio,) * nd
        if len(ratio) != nd:
            raise ValueError(f"{op} requires output_ratio to either be a single float or a tuple of {nd} floats, "
                             f"got {output_ratio!r}")
        sizes = [int(n * r) for n, r in zip(spatial, ratio)]
    else:
        sizes = list(ntuple(output_size, nd, "output_size", op))
    kernel = ntuple(kernel_size, nd, "kernel_size", op)
    if min(kernel) <= 0 or min(sizes) <= 0:
        raise ArgumentError(f"{op}: kernel_size {kernel} and output_size {tuple(sizes)} must be positive")
    for o, k, n in zip(sizes, kernel, spatial):
        if o + k - 1 > n:
            raise ShapeError(f"{op}: pool size {k} with output size {o} is too large relative to input size {n} "
                             f"(input shape {fmt_shape(input.shape)}, output_size {tuple(sizes)})")
    x = input if input.ndim == nd + 2 else unsqueeze(input, 0)
    n_batch, channels = x.shape[:2]
    if _random_samples is None:
        samples = default_generator().random((n_batch, channels, nd)).astype(x.dtype)
    else:
        samples = _random_samples._data if isinstance(_random_samples, Tensor) else np.asarray(_random_samples)
        if samples.shape != (n_batch, channels, nd):
            raise ShapeError(f"{op}: expected _random_samples of shape ({n_batch}, {channels}, {nd}), got "
                             f"{fmt_shape(samples.shape)}")
    # which sample drives which axis, as PyTorch's kernels: 2-D (W, H), 3-D (T, H, W)
    order = (1, 0) if nd == 2 else (0, 1, 2)
    starts = [_intervals(samples[..., order[a]], spatial[a], sizes[a], kernel[a], x.dtype) for a in range(nd)]
    # every window's positions, flat in the plane: (N, C, *out, *kernel)
    flat = np.zeros((n_batch, channels) + tuple(sizes) + kernel, dtype=np.int64)
    for a in range(nd):
        shape = [n_batch, channels] + [1] * (2 * nd)
        shape[2 + a] = sizes[a]
        pos = starts[a].reshape(shape[:2 + nd] + [1] * nd)
        tap_shape = [1] * (2 + 2 * nd)
        tap_shape[2 + nd + a] = kernel[a]
        flat = flat * spatial[a] + pos + np.arange(kernel[a]).reshape(tap_shape)
    window = flat.reshape((n_batch, channels) + tuple(sizes) + (-1,))
    values = np.take_along_axis(x._data.reshape(n_batch, channels, -1),
                                window.reshape(n_batch, channels, -1), axis=2).reshape(window.shape)
    # PyTorch's rule: the first maximum, but a NaN wins (the last NaN of the window)
    nan = np.isnan(values)
    k = window.shape[-1]
    best = np.where(nan.any(axis=-1), k - 1 - np.argmax(nan[..., ::-1], axis=-1), np.argmax(values, axis=-1))
    indices = np.take_along_axis(window, best[..., None], axis=-1)[..., 0]
    out = guard(MaxPoolGatherFunction.apply(x, indices=indices), x, name=f"FractionalMaxPool{nd}DBackward0")
    if input.ndim == nd + 1:
        out, indices = squeeze(out, 0), indices[0]
    return (out, Tensor._make(indices)) if return_indices else out


@op(function=False, method=False)
def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    """Fractional max pooling (Graham, 2014), PyTorch's ``F.fractional_max_pool2d``.

    Args:
        input: ``(N, C, H, W)`` or ``(C, H, W)``.
        kernel_size: window size (int or pair).
        output_size: ``(H_out, W_out)``, or ``output_ratio`` in ``(0, 1)`` (``H_out = int(H * ratio)``).
        return_indices: also return the argmax positions (flat in ``H*W``, for ``max_unpool2d``).
        _random_samples: ``(N, C, 2)`` samples in ``[0, 1)`` that place the windows (drawn from the library's
            generator when None); the same samples give PyTorch's windows.
    """
    return _fractional_max_pool("fractional_max_pool2d", 2, input, kernel_size, output_size, output_ratio,
                                return_indices, _random_samples)


@op(function=False, method=False)
def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    """Fractional max pooling over 3-D windows, PyTorch's ``F.fractional_max_pool3d`` (``_random_samples``:
    ``(N, C, 3)``)."""
    return _fractional_max_pool("fractional_max_pool3d", 3, input, kernel_size, output_size, output_ratio,
                                return_indices, _random_samples)


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """``(out, indices)`` of :func:`fractional_max_pool2d`, PyTorch's ``F.fractional_max_pool2d_with_indices``."""
    return fractional_max_pool2d(input, kernel_size, output_size, output_ratio, True, _random_samples)


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """``(out, indices)`` of :func:`fractional_max_pool3d`, PyTorch's ``F.fractional_max_pool3d_with_indices``."""
    return fractional_max_pool3d(input, kernel_size, output_size, output_ratio, True, _random_samples)
