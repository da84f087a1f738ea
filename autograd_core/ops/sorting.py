"""Sorting and order statistics: sort, argsort, msort, topk, kthvalue, median, nanmedian, mode, and the binary
searches searchsorted and bucketize.

Every op that picks values (sort, topk, kthvalue, median(dim), mode) computes int64 indices with numpy and takes
the values through one node, ``ValueSelectingFunction``: its gradient goes to the returned index (PyTorch's rule),
so ties never share it. The whole-tensor ``median()``/``nanmedian()`` share their gradient equally among the
elements equal to the result, as PyTorch does.

Ties: sorts here are stable, so among equal elements the first one comes first (``descending=True`` keeps the
original order too). PyTorch's unstable CPU sort (``stable=False``), ``topk``, ``kthvalue`` and ``median(dim)`` may
return another index among equal values; values are the same. NaN sorts as the largest value, as in PyTorch.
"""
import numpy as np

from .. import return_types
from ..errors import ShapeError
from ..function import Function
from ..shapes import normalize_dim
from ..tensor import Tensor
from .registry import op
from .shape import ScatterAddFunction, expand, reshape


class ValueSelectingFunction(Function):
    """The elements of ``a`` at ``index`` along ``dim``, the index computed by the op (sort, topk, median...)."""
    label = "select"
    derivative = "1 at the selected index, 0 elsewhere: the gradient is scattered back to the indices"
    saves_input = False    # PyTorch's node saves the input too (cummax, cummin): an in-place change is an error

    def forward(self, a, index=None, dim=0, keepdim=True):
        self.index, self.dim, self.keepdim, self.in_shape = index, dim, keepdim, a.shape
        if self.saves_input:
            self.save_for_backward(a)
        out = np.take_along_axis(a._data, index, axis=dim)
        return out if keepdim else np.squeeze(out, axis=dim)

    def backward(self, grad):
        if self.saves_input:
            self.saved_tensors
        if not self.keepdim:
            grad = reshape(grad, self.index.shape)
        return ScatterAddFunction.apply(grad, index=self.index, dim=self.dim, shape=self.in_shape)


class SortFunction(ValueSelectingFunction):
    label = "sort"
    derivative = "1 at the element each sorted position came from: the gradient is un-permuted"


class TopkFunction(ValueSelectingFunction):
    label = "topk"
    derivative = "1 at the k selected elements, 0 elsewhere"


class KthvalueFunction(ValueSelectingFunction):
    label = "kthvalue"
    derivative = "1 at the index of the k-th smallest element, 0 elsewhere"


class MedianFunction(ValueSelectingFunction):
    label = "median"
    grad_name = "MedianBackward1"
    derivative = "1 at the index of the (lower) median, 0 elsewhere"


class NanmedianFunction(ValueSelectingFunction):
    label = "nanmedian"
    grad_name = "NanmedianBackward1"
    derivative = "1 at the index of the (lower) median of the non-NaN elements, 0 elsewhere"


class ModeFunction(ValueSelectingFunction):
    label = "mode"
    derivative = "1 at the returned index of the most frequent value, 0 elsewhere"


class MedianAllFunction(Function):
    """The median of all elements (the lower one for an even count); the gradient is shared among the elements
    equal to it (among the NaNs when it is NaN), as PyTorch's ``evenly_distribute_backward``."""
    label = "median"
    grad_name = "MedianBackward0"
    derivative = "1/k at each of the k elements equal to the median, 0 elsewhere"

    def forward(self, a, ignore_nan=False):
        if ignore_nan:
            self.grad_name = "NanmedianBackward0"
        x = a._data.reshape(-1)
        self.in_shape = a.shape
        isnan = np.isnan(x) if x.dtype.kind in "fc" else np.zeros(x.shape, dtype=bool)
        valid = np.sort(x[~isnan]) if ignore_nan else np.sort(x)
        if x.size == 0 or valid.size == 0 or (not ignore_nan and isnan.any()):
            value = np.asarray(np.nan, dtype=x.dtype if x.dtype.kind in "fc" else np.float64)
            mask = isnan
        else:
            value = np.asarray(valid[(valid.size - 1) // 2])
            mask = x == value
        count = mask.sum()
        self.weights = (mask / count if count else mask).reshape(a.shape)
        self.save_for_backward(a)       # as PyTorch's node (input and result): in-place changes are errors
        self.save_output()
        return value

    def backward(self, grad):
        self.saved_tensors
        self.saved_output
        return expand(grad, self.in_shape) * Tensor._make(self.weights.astype(grad.dtype))


# ---------------------------------------------------------------------- helpers
def _argsort(x, axis, descending=False):
    """Stable argsort along ``axis``; descending keeps equal elements in their original order and puts NaN first."""
    if not descending:
        return np.argsort(x, axis=axis, kind="stable")
    idx = np.argsort(np.flip(x, axis), axis=axis, kind="stable")
    return x.shape[axis] - 1 - np.flip(idx, axis)


def _nan_count(x, axis):
    if x.dtype.kind not in "fc":
        return np.zeros(x.shape[:axis] + (1,) + x.shape[axis + 1:], dtype=np.int64)
    return np.isnan(x).sum(axis=axis, keepdims=True)


def _as_1d(input):
    """A 0-d tensor is handled as shape (1,) (PyTorch accepts dim 0 or -1 for it); results are reshaped back."""
    return reshape(input, (1,)) if input.ndim == 0 else input


def _select(cls, input, index, d, keepdim):
    """(values, int64 indices) of ``input`` at ``index`` (keepdims-shaped) along ``d``."""
    scalar = input.ndim == 0
    x = _as_1d(input)
    values = cls.apply(x, index=index, dim=d, keepdim=keepdim or scalar)
    indices = Tensor._make(index if keepdim or scalar else np.squeeze(index, axis=d))
    if scalar:
        values, indices = reshape(values, ()), Tensor._make(indices._data.reshape(()))
    return values, indices


def _nonempty_dim(x, d, op):
    if x.shape[d] == 0:
        raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size.")


# ---------------------------------------------------------------------- sort, argsort, msort, topk
@op
def sort(input, dim=-1, descending=False, *, stable=False):
    """Sort along ``dim``: ``(values, indices)``; ``descending`` for largest first. The sort is always stable
    (``stable=True`` and ``False`` give the same, valid, order); NaN counts as the largest value."""
    x = _as_1d(input)
    d = normalize_dim(dim, input.ndim, "sort")
    idx = _argsort(x._data, d, descending)
    return return_types.sort(*_select(SortFunction, input, idx, d, True))


@op(differentiable=False)
def argsort(input, dim=-1, descending=False, *, stable=False):
    """The int64 indices that sort ``input`` along ``dim`` (stable; see :func:`sort`)."""
    d = normalize_dim(dim, input.ndim, "argsort")
    idx = _argsort(_as_1d(input)._data, d, descending)
    return Tensor._make(idx.reshape(input.shape))


@op
def msort(input):
    """Sort along the first dim (``sort(input, dim=0).values``)."""
    return sort(input, dim=0).values


@op
def topk(input, k, dim=-1, largest=True, sorted=True):
    """The ``k`` largest (``largest=False``: smallest) elements along ``dim``: ``(values, indices)``, in sorted order
    (also with ``sorted=False``, where PyTorch's order is unspecified)."""
    x = _as_1d(input)
    d = normalize_dim(dim, input.ndim, "topk")
    n = x.shape[d]
    k = int(k)
    if not 0 <= k <= n:
        raise RuntimeError(f"topk: selected index k out of range (k={k} for dimension {dim} of size {n})")
    idx = np.take(_argsort(x._data, d, largest), np.arange(k), axis=d)
    return return_types.topk(*_select(TopkFunction, input, idx, d, True))


@op
def kthvalue(input, k, dim=-1, keepdim=False):
    """The ``k``-th smallest element along ``dim`` (``k`` counts from 1): ``(values, indices)``."""
    x = _as_1d(input)
    d = normalize_dim(dim, input.ndim, "kthvalue")
    n = x.shape[d]
    k = int(k)
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {dim} (k={k}, size {n})")
    idx = np.take(_argsort(x._data, d), [k - 1], axis=d)
    return return_types.kthvalue(*_select(KthvalueFunction, input, idx, d, keepdim))


# ---------------------------------------------------------------------- median, nanmedian, mode
def _median(input, dim, keepdim, ignore_nan):
    name = "nanmedian" if ignore_nan else "median"
    if dim is None:
        if keepdim:
            raise TypeError(f"{name}() missing 1 required positional arguments: \"dim\"")
        return MedianAllFunction.apply(input, ignore_nan=ignore_nan)
    x = _as_1d(input)
    d = normalize_dim(dim, input.ndim, name)
    _nonempty_dim(x, d, name)
    order = _argsort(x._data, d)                     # NaNs last, in their original order
    n, nans = x.shape[d], _nan_count(x._data, d)
    if ignore_nan:
        pos = np.maximum((n - nans - 1) // 2, 0)     # all-NaN slices give the first NaN
    else:
        pos = np.where(nans > 0, n - nans, (n - 1) // 2)   # any NaN: the first NaN
    idx = np.take_along_axis(order, pos, axis=d)
    cls = NanmedianFunction if ignore_nan else MedianFunction
    return getattr(return_types, name)(*_select(cls, input, idx, d, keepdim))


@op
def median(input, dim=None, keepdim=False):
    """``median(x)``: the lower median of all elements (NaN if any is NaN); ``median(x, dim)``: ``(values,
    indices)`` along ``dim``. For an even count the lower of the two middle values is returned (PyTorch's rule)."""
    return _median(input, dim, keepdim, False)


@op
def nanmedian(input, dim=None, keepdim=False):
    """:func:`median` ignoring NaNs (NaN only where every element is NaN)."""
    return _median(input, dim, keepdim, True)


@op
def mode(input, dim=-1, keepdim=False):
    """The most frequent value along ``dim`` and the index of its last occurrence: ``(values, indices)``; among
    equally frequent values the smallest wins. Each NaN counts once (NaNs never equal each other); with NaNs in a
    slice PyTorch's answer depends on where its unstable sort leaves them, and may differ."""
    x = _as_1d(input)
    d = normalize_dim(dim, input.ndim, "mode")
    _nonempty_dim(x, d, "mode")
    order = np.moveaxis(_argsort(x._data, d), d, -1)
    n = order.shape[-1]
    sv = np.take_along_axis(np.moveaxis(x._data, d, -1), order, axis=-1)
    pos = np.arange(n)
    starts = np.ones(sv.shape, dtype=bool)
    starts[..., 1:] = sv[..., 1:] != sv[..., :-1]
    ends = np.ones(sv.shape, dtype=bool)
    ends[..., :-1] = starts[..., 1:]
    run_start = np.maximum.accumulate(np.where(starts, pos, 0), axis=-1)
    length = np.where(ends, pos - run_start + 1, 0)
    best = np.argmax(length, axis=-1)[..., None]     # the first longest run: the smallest value
    idx = np.moveaxis(np.take_along_axis(order, best, axis=-1), -1, d)
    return return_types.mode(*_select(ModeFunction, input, idx, d, keepdim))


# ---------------------------------------------------------------------- searchsorted, bucketize
def _values_array(values, op):
    if isinstance(values, Tensor):
        return values._data, False
    if isinstance(values, (bool, int, float, np.number)):
        return np.asarray(values), True
    raise TypeError(f"{op}(): expected a Tensor or a number for the values to search, got {type(values).__name__}")


def _result_dtype(out_int32):
    return np.int32 if out_int32 else np.int64


@op(method=False, differentiable=False)
def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None):
    """For each value, the index where it would be inserted into ``sorted_sequence`` (along its last dim) to keep it
    sorted: the first such index (``side='left'``), or the last (``right=True`` / ``side='right'``).

    ``sorted_sequence`` is 1-d, or N-d with the same leading dims as ``input``; ``sorter`` holds int64 indices that
    sort an unsorted ``sorted_sequence``. The result is int64 (int32 with ``out_int32``), shaped like ``input``.
    """
    seq = sorted_sequence._data
    values, scalar = _values_array(input, "searchsorted")
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of left "
                               "while right was True")
        right = side == "right"
    if seq.ndim == 0:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 "
                           "dimension")
    if seq.ndim > 1 and (scalar or values.ndim != seq.ndim or values.shape[:-1] != seq.shape[:-1]):
        raise ShapeError(f"torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                         f"dimensions of boundaries tensor and input value tensor must match, but we got boundaries "
                         f"tensor {list(seq.shape)} and input value tensor {list(values.shape)}")
    if sorter is not None:
        order = sorter._data if isinstance(sorter, Tensor) else np.asarray(sorter)
        if order.dtype != np.int64:
            raise RuntimeError(f"torch.searchsorted(): sorter must be a tensor of long dtype but got dtype "
                               f"{order.dtype}")
        if order.shape != seq.shape:
            raise ShapeError(f"torch.searchsorted(): boundary and sorter must have the same size, but got boundary "
                             f"tensor {list(seq.shape)} and got sorter tensor {list(order.shape)}")
        if order.size and (order.min() < 0 or order.max() >= seq.shape[-1]):
            raise RuntimeError("torch.searchsorted(): sorter index out of range")
        seq = np.take_along_axis(seq, order, axis=-1)
    which = "right" if right else "left"
    if seq.ndim == 1:
        out = np.searchsorted(seq, values, side=which)
    else:
        rows, vals = seq.reshape(-1, seq.shape[-1]), values.reshape(-1, values.shape[-1])
        out = np.stack([np.searchsorted(r, v, side=which) for r, v in zip(rows, vals)]).reshape(values.shape)
    return Tensor._make(np.asarray(out, dtype=_result_dtype(out_int32)))


@op(method=False, differentiable=False)
def bucketize(input, boundaries, *, out_int32=False, right=False):
    """The index of the bucket of each value given 1-d sorted ``boundaries``: ``i`` with
    ``boundaries[i-1] < x <= boundaries[i]`` (``right=True``: ``boundaries[i-1] <= x < boundaries[i]``)."""
    if boundaries.ndim != 1:
        raise RuntimeError(f"bucketize: boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    values, _ = _values_array(input, "bucketize")
    out = np.searchsorted(boundaries._data, values, side="right" if right else "left")
    return Tensor._make(np.asarray(out, dtype=_result_dtype(out_int32)))

