"""Counting: ``count_nonzero``, ``unique``, ``unique_consecutive``, ``bincount``, ``histc``. No gradients.

Indices and counts are int64, as in PyTorch. ``unique`` always returns sorted values (PyTorch's CPU kernel does so
whatever ``sorted`` says) and, like PyTorch, treats every NaN as distinct.
"""
import numpy as np

from ..errors import fmt_shape
from ..shapes import normalize_dim, normalize_dims
from ..tensor import Tensor
from .elementwise import torch_type_name
from .registry import op


def _long(a):
    return Tensor._make(np.asarray(a, dtype=np.int64))


@op(differentiable=False)
def count_nonzero(input, dim=None):
    """The number of nonzero elements, over ``dim`` (int, tuple, or all dims); int64."""
    x = input._data
    if dim is None:
        return _long(np.count_nonzero(x))
    return _long(np.count_nonzero(x, axis=normalize_dims(dim, x.ndim, "count_nonzero")))


def _results(values, inverse, counts, return_inverse, return_counts):
    out = (Tensor._make(np.asarray(values)),)
    if return_inverse:
        out += (_long(inverse),)
    if return_counts:
        out += (_long(counts),)
    return out[0] if len(out) == 1 else out


@op(differentiable=False)
def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct elements (or slices along ``dim``), sorted; with ``return_inverse`` the index of each input
    element (slice) in them, with ``return_counts`` how often each occurs.

    Returns a tensor, or a tuple ``(values, inverse?, counts?)`` when either flag is set.
    """
    x = input._data
    if dim is None:
        values, inverse, counts = np.unique(x.reshape(-1), return_inverse=True, return_counts=True, equal_nan=False)
        return _results(values, inverse.reshape(x.shape), counts, return_inverse, return_counts)
    d = normalize_dim(dim, x.ndim, "unique")
    if x.shape[d] == 0:
        empty = np.zeros(0, dtype=np.int64)
        return _results(x, empty, empty, return_inverse, return_counts)
    values, inverse, counts = np.unique(x, axis=d, return_inverse=True, return_counts=True)
    return _results(values, inverse.reshape(-1), counts, return_inverse, return_counts)


@op(differentiable=False)
def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Collapse each run of equal consecutive elements (or slices along ``dim``) into one; ``inverse`` maps each
    element to its run, ``counts`` gives the run lengths."""
    x = input._data
    if dim is None:
        flat = x.reshape(-1)
        starts = np.ones(flat.shape, dtype=bool)
        starts[1:] = flat[1:] != flat[:-1]
        values, shape = flat[starts], x.shape
    else:
        d = normalize_dim(dim, x.ndim, "unique_consecutive")
        moved = np.moveaxis(x, d, 0)
        starts = np.ones(moved.shape[0], dtype=bool)
        if moved.shape[0] > 1:
            starts[1:] = (moved[1:] != moved[:-1]).reshape(moved.shape[0] - 1, -1).any(axis=1)
        values, shape = np.moveaxis(moved[starts], 0, d), (moved.shape[0],)
    inverse = np.cumsum(starts) - 1
    counts = np.diff(np.append(np.flatnonzero(starts), starts.size))
    return _results(values, inverse.reshape(shape), counts, return_inverse, return_counts)


@op(differentiable=False)
def bincount(input, weights=None, minlength=0):
    """How often each value ``0..max(input)`` occurs in a 1-D tensor of non-negative integers (the sum of their
    ``weights`` instead, when given); at least ``minlength`` bins.

    The result is int64, or the weights' dtype for floating weights (float64 for integer weights).
    """
    x = input._data
    if x.dtype.kind not in "iu":
        raise NotImplementedError(f'"bincount_cpu" not implemented for \'{torch_type_name(x.dtype)}\'')
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if x.ndim != 1 or (x.size and x.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        return _long(np.bincount(x, minlength=minlength))
    w = weights._data if isinstance(weights, Tensor) else np.asarray(weights)
    if w.ndim != 1 or w.shape[0] != x.shape[0]:
        raise RuntimeError(f"weights should be 1-d and have the same length as input (input of shape "
                           f"{fmt_shape(x.shape)}, weights of shape {fmt_shape(w.shape)})")
    dtype = w.dtype if w.dtype.kind == "f" else np.float64
    return Tensor._make(np.bincount(x, weights=w.astype(np.float64), minlength=minlength).astype(dtype))


@op(differentiable=False)
def histc(input, bins=100, min=0, max=0):
    """A histogram of ``bins`` equal bins over ``[min, max]`` (the data's range when ``min == max``; elements
    outside, and NaN, are ignored); the counts in the input's floating dtype."""
    x = input._data
    if x.dtype.kind != "f":
        raise NotImplementedError(f'"histogram_cpu" not implemented for \'{torch_type_name(x.dtype)}\'')
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    lo, hi = float(min), float(max)
    if lo == hi and x.size:
        lo, hi = float(x.min()), float(x.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{lo:g}, {hi:g}] is not finite")
    if not lo < hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    t = x.dtype.type
    left, right = t(lo), t(hi)
    flat = x.reshape(-1)
    flat = flat[(flat >= left) & (flat <= right)]
    # PyTorch's linear interpolation, in the input's dtype: pos = (x - left) * bins / (right - left)
    pos = ((flat - left) * t(bins) / (right - left)).astype(np.int64)
    pos = np.minimum(pos, bins - 1)          # the rightmost bin includes its right edge
    return Tensor._make(np.bincount(pos, minlength=bins)[:bins].astype(x.dtype))
