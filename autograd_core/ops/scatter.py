"""gather and writing at indices: scatter (src or value), scatter_add, scatter_reduce (sum/prod/mean/amax/amin),
index_add, index_copy, index_fill, index_put, and ``Tensor.fill_diagonal_``; each with its in-place ``name_`` form.

The out-of-place op is the definition; ``t.scatter_(...)`` computes it and writes the result back
(``inplace.assign``). Gradients follow PyTorch's formulas: an overwritten position passes nothing to the input, a
gathered gradient goes to each source element (``src`` larger than ``index`` gets zeros past it, where PyTorch
refuses to run backward); scatter_reduce's prod is exact with zeros, its amax/amin share the gradient among ties.
"""
import warnings

import numpy as np

from .. import dtypes
from ..errors import ShapeError, fmt_shape
from ..function import Function
from ..inplace import assign, check_inplace
from ..shapes import normalize_dim
from ..tensor import Tensor
from .elementwise import masked_fill, where
from .indexing import check_bounds, index_array
from .registry import op, tensor_method
from .saved import guard
from .shape import (GatherFunction, IndexAddFunction, IndexPutFunction, ScatterAddFunction, along, expand, getitem,
                    reshape)

_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


def _scattered(shape, index, dim):
    """Boolean mask of the positions of an array of ``shape`` that ``index`` writes to along ``dim``."""
    hit = np.zeros(shape, dtype=bool)
    hit[along(index, dim)] = True
    return hit


def _gather(grad, index, dim):
    return GatherFunction.apply(grad, index=index, dim=dim)


class ScatterFunction(Function):
    """``out = a`` with ``out[..., index[i], ...] = src[i]`` along ``dim`` (index-shaped ``src``)."""
    derivative = "the overwritten positions pass no gradient to the input; each src element gets its position's"

    def forward(self, a, src, index=None, dim=0):
        self.index, self.dim = index, dim
        out = a._data.copy()
        out[along(index, dim)] = src._data
        return out

    def backward(self, grad):
        ga = gs = None
        if self.needs_input_grad[0]:
            ga = grad * Tensor._make((~_scattered(grad.shape, self.index, self.dim)).astype(grad.dtype))
        if self.needs_input_grad[1]:
            gs = _gather(grad, self.index, self.dim)
        return ga, gs


class ScatterReduceFunction(Function):
    """``out = a`` reduced with the ``src`` elements scattered to each position (sum, prod, mean, amax, amin)."""
    derivative = "as the reduction: 1 (sum), the product of the others (prod), 1/count (mean), shared ties (amax)"

    def forward(self, a, src, index=None, dim=0, reduce="sum", include_self=True):
        self.index, self.dim, self.reduce, self.include_self = index, dim, reduce, include_self
        if any(self.needs_input_grad):
            self.save_for_backward(a, src)   # sum and mean need only the index, but PyTorch's node saves these
            self.save_output()               # (in-place changes of them are errors there)
        x, s, grids = a._data, src._data, along(index, dim)
        out = x.copy()
        if not include_self:
            out[grids] = _identity(reduce, x.dtype)
        if reduce in ("sum", "mean"):
            np.add.at(out, grids, s)
        else:
            {"prod": np.multiply, "amax": np.maximum, "amin": np.minimum}[reduce].at(out, grids, s)
        if reduce == "mean":
            count = self._count(x.shape, s.dtype)
            out = out // count if x.dtype.kind in "iub" else out / count
        return out.astype(x.dtype, copy=False)

    def _count(self, shape, dtype):
        """How many values each position averages (itself when included), at least 1."""
        count = np.full(shape, 1 if self.include_self else 0, dtype=np.int64)
        np.add.at(count, along(self.index, self.dim), 1)
        return np.maximum(count, 1)

    def backward(self, grad):
        index, dim, reduce = self.index, self.dim, self.reduce
        (a, s), out = self.saved_tensors, self.saved_output
        if reduce == "sum":
            ga, gs = grad, _gather(grad, index, dim)
        elif reduce == "mean":
            count = Tensor._make(self._count(grad.shape, grad.dtype).astype(grad.dtype))
            ga = grad / count
            gs = _gather(ga, index, dim)
        elif reduce == "prod":
            ga, gs = self._prod_backward(grad, a, s, out)
        else:
            # the gradient is shared equally among the elements (of self and src) equal to the result
            value = out._data[along(index, dim)]
            self_is = (a._data == out._data).astype(grad.dtype)
            src_is = (s._data == value).astype(grad.dtype)
            count = self_is.copy()
            np.add.at(count, along(index, dim), src_is)
            shared = grad / Tensor._make(count)
            ga = shared * Tensor._make(self_is)
            gs = _gather(shared, index, dim) * Tensor._make(src_is)
        if not self.include_self:
            ga = ga * Tensor._make((~_scattered(grad.shape, index, dim)).astype(grad.dtype))
        return (ga if self.needs_input_grad[0] else None), (gs if self.needs_input_grad[1] else None)

    def _prod_backward(self, grad, a, s, out):
        # PyTorch's formula: divide the product by the element, except where that element is 0 (then recompute
        # the product with the element set to 1; a position with two zeros has zero gradient everywhere).
        index, dim, inc = self.index, self.dim, self.include_self
        self_zero = a._data == 0
        masked_self = masked_fill(a, Tensor._make(self_zero), 1.0)
        ga = grad * scatter_reduce(masked_self, dim, _index_tensor(index), s, "prod", include_self=inc) / masked_self
        src_zero = s._data == 0
        zeros_at = np.zeros(grad.shape, dtype=np.int64)
        np.add.at(zeros_at, along(index, dim), src_zero.astype(np.int64))
        single = src_zero & (zeros_at[along(index, dim)] == 1)
        masked_src = masked_fill(s, Tensor._make(single), 1.0)
        without = scatter_reduce(a, dim, _index_tensor(index), masked_src, "prod", include_self=inc)
        gs = where(single, _gather(grad * without, index, dim),
                   _gather(grad * out, index, dim) / masked_fill(s, Tensor._make(src_zero), 1.0))
        return ga, gs


def _index_tensor(index):
    """An index array as a constant Tensor (the recursive scatter_reduce calls of the prod backward take one)."""
    return Tensor._make(index)


def _identity(reduce, dtype):
    """The value a position starts from when its own element is left out (``include_self=False``)."""
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if dtype.kind == "f":
        lo, hi = -np.inf, np.inf
    elif dtype.kind == "b":
        lo, hi = False, True
    else:
        lo, hi = np.iinfo(dtype).min, np.iinfo(dtype).max
    return lo if reduce == "amax" else hi


# ---------------------------------------------------------------------- argument checks
def _scatter_args(op, input, dim, index, src=None):
    """Normalized dim and int64 index array for the scatter family (PyTorch's checks and messages)."""
    d = normalize_dim(dim, input.ndim, op)
    idx = index_array(index, op, kinds=(np.int64, np.int32), message=f"{op}(): Expected dtype int32/int64 for index")
    if idx.size == 0:
        return d, idx
    if idx.ndim != input.ndim:
        raise RuntimeError(f"{op}: Index tensor must have the same number of dimensions as self tensor (index "
                           f"{fmt_shape(idx.shape)}, self {fmt_shape(input.shape)})")
    if src is not None:
        if src.ndim != idx.ndim:
            raise RuntimeError(f"{op}: Index tensor must have the same number of dimensions as src tensor (index "
                               f"{fmt_shape(idx.shape)}, src {fmt_shape(src.shape)})")
        if src.dtype != input.dtype:
            raise RuntimeError(f"{op}(): Expected self.dtype to be equal to src.dtype (got "
                               f"{dtypes.name(input.dtype)} and {dtypes.name(src.dtype)})")
    too_big = any(idx.shape[i] > input.shape[i] for i in range(idx.ndim) if i != d) or \
        (src is not None and any(i > s for i, s in zip(idx.shape, src.shape)))
    if too_big:
        raise ShapeError(f"{op}: Expected index {list(idx.shape)} to be no larger than self {list(input.shape)} "
                         f"apart from dimension {d}" + (f" and to be no larger size than src {list(src.shape)}"
                                                        if src is not None else ""))
    check_bounds(idx, input.shape[d] if input.ndim else 1, op, d)
    return d, idx


def _src_part(src, idx):
    """The index-shaped corner of ``src`` that a scatter reads (differentiable: the rest gets zero gradient)."""
    if src.shape == idx.shape:
        return src
    return getitem(src, tuple(slice(0, n) for n in idx.shape))


def _as_1d(*tensors):
    return [reshape(t, (1,)) if isinstance(t, Tensor) and t.ndim == 0 else t for t in tensors]


# ---------------------------------------------------------------------- gather, scatter, scatter_add, scatter_reduce
@op
def gather(input, dim, index):
    """``out[i][j] = input[index[i][j]][j]`` (for ``dim=0``; likewise for any dim): the values at the int64
    ``index`` along ``dim``; ``index`` has the input's ndim and is no larger in the other dims."""
    d, idx = _scatter_args("gather", input, dim, index)
    if input.ndim == 0:
        return reshape(GatherFunction.apply(reshape(input, (1,)), index=idx.reshape(-1), dim=0), idx.shape)
    return GatherFunction.apply(input, index=idx, dim=d)


# ---------------------------------------------------------------------- scatter, scatter_add, scatter_reduce
@op(inplace=True)
def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """``input`` with ``out[index[i][j]][j] = src[i][j]`` (for ``dim=0``; likewise for any dim): ``src`` is a
    tensor with at least ``index``'s sizes, or a number ``value``. ``reduce='add'`` / ``'multiply'`` (deprecated in
    PyTorch, use :func:`scatter_reduce`) add or multiply instead of writing."""
    if src is not None and not isinstance(src, Tensor):
        src, value = None, src
    if (src is None) == (value is None):
        raise TypeError("scatter(): expected either a Tensor 'src' or a number 'value'")
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise RuntimeError(f"scatter: reduce argument must be either add or multiply, got {reduce!r}")
        if src is not None:
            warnings.warn("The reduce argument of scatter with Tensor src is deprecated (as in PyTorch); use "
                          "scatter_reduce instead", UserWarning, stacklevel=2)
    d, idx = _scatter_args("scatter", input, dim, index, src)
    if src is None:
        src = Tensor._make(np.full(idx.shape, value).astype(input.dtype))
    if idx.size == 0:
        return input.clone()
    scalar = input.ndim == 0
    x, s = _as_1d(input, _src_part(src, idx))
    idx = idx.reshape(-1) if scalar else idx
    if reduce is not None:
        out = ScatterReduceFunction.apply(x, s, index=idx, dim=d, reduce="sum" if reduce == "add" else "prod")
    else:
        out = ScatterFunction.apply(x, s, index=idx, dim=d)
    return reshape(out, ()) if scalar else out


@op(inplace=True)
def scatter_add(input, dim, index, src):
    """``input`` plus ``src`` added at ``index`` along ``dim`` (repeated indices accumulate): the adjoint of
    :func:`gather`."""
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_add(): argument 'src' must be Tensor, not {type(src).__name__}")
    d, idx = _scatter_args("scatter_add", input, dim, index, src)
    if idx.size == 0:
        return input.clone()
    scalar = input.ndim == 0
    x, s = _as_1d(input, _src_part(src, idx))
    added = ScatterAddFunction.apply(s, index=idx.reshape(-1) if scalar else idx, dim=d, shape=x.shape)
    out = x + added
    return reshape(out, ()) if scalar else out


@op(inplace=True)
def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """Reduce the ``src`` elements scattered to each position of ``input`` along ``dim`` with ``reduce`` (``'sum'``,
    ``'prod'``, ``'mean'``, ``'amax'``, ``'amin'``); ``include_self=False`` leaves ``input``'s own value out of the
    positions that receive something. Integer ``'mean'`` rounds down, as PyTorch."""
    if reduce not in _REDUCTIONS:
        raise RuntimeError(f"scatter_reduce: reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce!r}")
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_reduce(): argument 'src' must be Tensor, not {type(src).__name__}")
    d, idx = _scatter_args("scatter_reduce", input, dim, index, src)
    if idx.size == 0:
        return input.clone()
    scalar = input.ndim == 0
    x, s = _as_1d(input, _src_part(src, idx))
    out = ScatterReduceFunction.apply(x, s, index=idx.reshape(-1) if scalar else idx, dim=d, reduce=reduce,
                                      include_self=bool(include_self))
    return reshape(out, ()) if scalar else out


# ---------------------------------------------------------------------- index_add, index_copy, index_fill
def _vector_index(op, index, kinds, kind_message, kind_exc, dim_exc, dim_message):
    idx = index_array(index, op, kinds=kinds, message=kind_message, exc=kind_exc)
    if idx.ndim > 1:
        raise dim_exc(dim_message.format(ndim=idx.ndim))
    return idx.reshape(-1).astype(np.int64, copy=False)


def _index_source(op, x, d, idx, source, count_exc=RuntimeError):
    """``source`` checked to be ``x``'s shape with ``len(idx)`` along ``d`` (a 0-d source counts as 1 element)."""
    if not isinstance(source, Tensor):
        raise TypeError(f"{op}(): argument 'source' must be Tensor, not {type(source).__name__}")
    want = x.shape[:d] + (idx.shape[0],) + x.shape[d + 1:]
    if source.ndim == 0 and int(np.prod(want)) == 1:
        return reshape(source, want)
    if source.ndim != x.ndim or source.shape[d] != idx.shape[0]:
        n = source.shape[d] if source.ndim > d else 1
        raise count_exc(f"{op}: Number of indices ({idx.shape[0]}) should be equal to source.size(dim): ({n}), "
                        f"for dim: {d}")
    if source.shape != want:
        raise ShapeError(f"{op}: source tensor shape must match self tensor shape, excluding the specified "
                         f"dimension. Got self.shape = {list(x.shape)} source.shape = {list(source.shape)}")
    return source


def _check_same_dtype(op, input, other, what="source"):
    if other.dtype != input.dtype:
        raise RuntimeError(f"{op}: self ({dtypes.name(input.dtype)}) and {what} ({dtypes.name(other.dtype)}) must "
                           f"have the same scalar type")


@op(inplace=True)
def index_add(input, dim, index, source, *, alpha=1):
    """``input`` with ``alpha * source[..., i, ...]`` added to slice ``index[i]`` of dim ``dim`` (repeats
    accumulate); ``index`` is a 1-d int64/int32 tensor."""
    idx = _vector_index("index_add", index, (np.int64, np.int32),
                        f"index_add_(): Expected dtype int32/int64 for index but got: "
                        f"{dtypes.name(index.dtype) if isinstance(index, Tensor) else ''}", RuntimeError,
                        IndexError, "index_add_(): Index is supposed to be a vector, but got dim: {ndim}")
    scalar = input.ndim == 0
    (x,) = _as_1d(input)
    d = normalize_dim(dim, input.ndim, "index_add")
    source = _index_source("index_add", x, d, idx, source)
    _check_same_dtype("index_add_()", input, source)
    check_bounds(idx, x.shape[d], "index_add", d)
    saved = source
    if alpha != 1:
        source = source * Tensor._make(np.asarray(alpha).astype(input.dtype))
    key = (slice(None),) * d + (idx,)
    out = guard(x + IndexAddFunction.apply(source, key=key, basic=False, shape=x.shape), saved,
                name="IndexAddBackward0")      # PyTorch's node saves the source
    return reshape(out, ()) if scalar else out


@op(inplace=True)
def index_copy(input, dim, index, source):
    """``input`` with slice ``index[i]`` of dim ``dim`` replaced by ``source[..., i, ...]``; ``index`` is a 1-d
    int64 tensor."""
    idx = _vector_index("index_copy", index, (np.int64,),
                        f"index_copy_(): Expected a long tensor for index, but got "
                        f"{dtypes.name(index.dtype) if isinstance(index, Tensor) else ''}", RuntimeError,
                        IndexError, "index_copy_(): Index should have dimension 1 or 0 (got {ndim})")
    scalar = input.ndim == 0
    (x,) = _as_1d(input)
    d = normalize_dim(dim, input.ndim, "index_copy")
    source = _index_source("index_copy", x, d, idx, source, count_exc=IndexError)
    if source.dtype != input.dtype:
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, but got (self) "
                           f"{dtypes.name(input.dtype)} and (source) {dtypes.name(source.dtype)}")
    check_bounds(idx, x.shape[d], "index_copy_()", d, exc=IndexError)
    out = guard(IndexPutFunction.apply(x, source, key=(slice(None),) * d + (idx,), basic=False), source,
                name="IndexCopyBackward0")     # PyTorch's node saves the source
    return reshape(out, ()) if scalar else out


@op(inplace=True)
def index_fill(input, dim, index, value):
    """``input`` with slices ``index`` of dim ``dim`` set to ``value`` (a number or a 0-d tensor, which gets the
    gradient of those positions); negative indices count from the end."""
    idx = _vector_index("index_fill", index, (np.int64,), "index_fill_(): Expected dtype int64 for index.",
                        IndexError, RuntimeError, "index_fill: Index has to be a vector/scalar (got {ndim} dims)")
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value.ndim} dimension(s).")
        value = value.to(input.dtype)
    else:
        value = Tensor._make(np.asarray(value).astype(input.dtype))
    scalar = input.ndim == 0
    (x,) = _as_1d(input)
    d = normalize_dim(dim, input.ndim, "index_fill")
    idx = check_bounds(idx, x.shape[d], "index_fill", d, negative=True, exc=IndexError)
    out = IndexPutFunction.apply(x, value, key=(slice(None),) * d + (idx,), basic=False)
    return reshape(out, ()) if scalar else out


# ---------------------------------------------------------------------- index_put
def _index_put_key(input, indices):
    if isinstance(indices, Tensor) or not isinstance(indices, (tuple, list)):
        raise TypeError(f"index_put(): argument 'indices' must be a tuple of Tensors, not {type(indices).__name__}")
    key, dim = [], 0
    for i, t in enumerate(indices):
        if not isinstance(t, Tensor):
            raise TypeError(f"index_put(): expected Tensor as element {i} in argument 'indices', but got "
                            f"{type(t).__name__}")
        k = t._data
        if k.dtype == np.uint8:
            k = k.astype(bool)   # byte masks index like bool masks (deprecated in PyTorch)
        if k.dtype == np.bool_:
            if k.shape != input.shape[dim:dim + k.ndim]:
                raise IndexError(f"index_put: The shape of the mask {list(k.shape)} at index {i} does not match "
                                 f"the shape of the indexed tensor {list(input.shape)} at index {dim}")
            key.extend(np.nonzero(k))
            dim += k.ndim
            continue
        if k.dtype not in (np.int64, np.int32):
            raise IndexError("index_put: tensors used as indices must be long, int, byte or bool tensors")
        if dim >= input.ndim:
            dim += 1
            break
        key.append(check_bounds(k, input.shape[dim], "index_put", dim, negative=True, exc=IndexError))
        dim += 1
    if dim > input.ndim:
        raise IndexError(f"index_put: too many indices for tensor of dimension {input.ndim} (got {dim})")
    return tuple(key)


@op(inplace=True)
def index_put(input, indices, values, accumulate=False):
    """``input`` with ``out[indices] = values`` (``indices`` a tuple of int or bool tensors, one per leading dim;
    ``values`` broadcast to the indexed shape); ``accumulate=True`` adds instead, repeated indices adding up."""
    key = _index_put_key(input, indices)
    if not isinstance(values, Tensor):
        raise TypeError(f"index_put(): argument 'values' must be Tensor, not {type(values).__name__}")
    if values.dtype != input.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{dtypes.name(input.dtype)} for the destination and {dtypes.name(values.dtype)} for "
                           f"the source.")
    shape = np.broadcast_to(np.zeros((), dtype=bool), input.shape)[key].shape
    try:
        fits = np.broadcast_shapes(values.shape, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise ShapeError(f"index_put: shape mismatch: value tensor of shape {list(values.shape)} cannot be "
                         f"broadcast to indexing result of shape {list(shape)}")
    if not key:
        return (input + expand(values, input.shape)) if accumulate else expand(values, input.shape).clone()
    if accumulate:
        return input + IndexAddFunction.apply(expand(values, shape), key=key, basic=False, shape=input.shape)
    return IndexPutFunction.apply(input, values, key=key, basic=False)


@op(method=False)
def index_put_(input, indices, values, accumulate=False):
    """``torch.index_put_``: :func:`index_put` written into ``input`` (returned), as ``input.index_put_(...)``."""
    check_inplace(input)
    return assign(input, index_put(input, indices, values, accumulate))


# ---------------------------------------------------------------------- fill_diagonal_
@tensor_method("fill_diagonal_")
def fill_diagonal_(self, fill_value, wrap=False):
    """Set the main diagonal (``t[i, i, ...]``) to ``fill_value``, in place; for a tall matrix ``wrap=True``
    restarts the diagonal every ``ncols + 1`` rows, as ``numpy.fill_diagonal``. Differentiable: the diagonal's
    gradient is zero."""
    if self.ndim < 2:
        raise RuntimeError(f"fill_diagonal_: dimensions must larger than 1, got shape {fmt_shape(self.shape)}")
    if self.ndim > 2 and len(set(self.shape)) != 1:
        raise RuntimeError(f"fill_diagonal_: all dimensions of input must be of equal length, got shape "
                           f"{fmt_shape(self.shape)}")
    check_inplace(self)
    mask = np.zeros(self.shape, dtype=bool)
    np.fill_diagonal(mask, True, wrap=bool(wrap))
    value = fill_value.item() if isinstance(fill_value, Tensor) else fill_value
    value = Tensor._make(np.asarray(value).astype(self.dtype))
    return assign(self, masked_fill(self, Tensor._make(mask), value))
