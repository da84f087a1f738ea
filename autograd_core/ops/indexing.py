"""Index-based selection: take, take_along_dim, masked_select, masked_scatter, nonzero, argwhere, and the checks
every index argument goes through (dtype, shape, bounds) with PyTorch's exception types.

Selections are differentiable through the indexing nodes of ``shape.py`` (their gradient adds into the picked
positions, repeats accumulating); ``masked_scatter`` has a node of its own. Index results (nonzero, argwhere) are
int64 and carry no gradient. The scatter family (scatter, index_add, index_put...) is in ``scatter.py``.
"""
import numpy as np

from .. import dtypes
from ..errors import ShapeError, fmt_shape
from ..function import Function
from ..shapes import normalize_dim
from ..tensor import Tensor
from .elementwise import where
from .registry import op
from .saved import guard
from .shape import GatherFunction, expand, getitem, pad, reshape


# ---------------------------------------------------------------------- index checks (shared with scatter.py)
def index_array(index, op, name="index", kinds=(np.int64,), message=None, exc=RuntimeError):
    """The int array of an index argument, refused (``exc``) when its dtype is not one of ``kinds``."""
    if not isinstance(index, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(index).__name__}")
    idx = index._data
    if idx.dtype not in [np.dtype(k) for k in kinds]:
        allowed = "/".join(dtypes.name(k) for k in kinds)
        raise exc(message or f"{op}(): Expected dtype {allowed} for {name}, but got {dtypes.name(idx.dtype)}")
    return idx


def check_bounds(idx, n, op, dim, negative=False, exc=RuntimeError):
    """Every entry in ``[0, n)`` (``[-n, n)`` with ``negative``); returns the indices made non-negative."""
    lo = -n if negative else 0
    if idx.size and (idx.min() < lo or idx.max() >= n):
        bad = idx[(idx < lo) | (idx >= n)].flat[0]
        raise exc(f"{op}: index {bad} is out of bounds for dimension {dim} with size {n}")
    return np.where(idx < 0, idx + n, idx) if negative and idx.size and idx.min() < 0 else idx


def broadcast_shape(op, *shapes):
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        raise ShapeError(f"{op}: shapes {', '.join(fmt_shape(s) for s in shapes)} can't be broadcast together") \
            from None


def bool_mask(mask, op, message=None):
    if not isinstance(mask, Tensor):
        raise TypeError(f"{op}(): argument 'mask' must be Tensor, not {type(mask).__name__}")
    if mask.dtype != np.bool_:
        raise RuntimeError(message or f"{op}: expected BoolTensor for mask, got {dtypes.name(mask.dtype)}")
    return mask._data


class MaskedScatterFunction(Function):
    """``out = a`` with the True positions of ``mask`` filled, in order, by the first elements of ``source``."""
    derivative = "the gradient of the filled positions goes to the source elements used, the rest to the input"

    def forward(self, a, source, mask=None):
        self.mask, self.src_shape = mask, source.shape
        out = a._data.copy()
        out[mask] = source._data.reshape(-1)[:int(mask.sum())]
        return out

    def backward(self, grad):
        ga = gs = None
        if self.needs_input_grad[0]:
            ga = where(self.mask, 0.0, grad)
        if self.needs_input_grad[1]:
            used = getitem(grad, self.mask)
            n = int(np.prod(self.src_shape))
            gs = reshape(pad(used, (0, n - used.shape[0])), self.src_shape)
        return ga, gs


# ---------------------------------------------------------------------- functions
@op
def take(input, index):
    """The elements of ``input`` viewed as 1-d, at ``index`` (int64, any shape; negative counts from the end);
    the result has the shape of ``index``."""
    idx = index_array(index, "take", message=f"take(): Expected a long tensor for index, but got "
                      f"{dtypes.name(index.dtype) if isinstance(index, Tensor) else ''}")
    n = input.numel()
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx[(idx < -n) | (idx >= n)].flat[0]
        raise IndexError(f"take: out of range: tried to access index {bad} on a tensor of {n} elements.")
    return guard(getitem(reshape(input, (-1,)), (idx,)), input, name="TakeBackward0")   # PyTorch saves the input


@op
def take_along_dim(input, indices, dim=None):
    """``gather`` with broadcasting: the values at ``indices`` along ``dim`` (the flattened tensor when ``dim`` is
    None); ``input`` and ``indices`` broadcast against each other except along ``dim``."""
    idx = index_array(indices, "take_along_dim", "indices",
                      message="torch.take_along_dim(): dtype of indices should be Long but got "
                              f"{dtypes.name(indices.dtype) if isinstance(indices, Tensor) else ''}")
    if dim is None:
        flat = reshape(input, (-1,))
        idx = check_bounds(idx.reshape(-1), flat.shape[0], "take_along_dim", 0, negative=True)
        return GatherFunction.apply(flat, index=idx, dim=0)
    d = normalize_dim(dim, input.ndim, "take_along_dim")
    if idx.ndim != input.ndim:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number of dimensions, "
                           f"but got {input.ndim} dimensions for input, and {idx.ndim} dimensions for indices")
    if input.ndim == 0:
        input, idx = reshape(input, (1,)), idx.reshape(1)
    wanted = list(input.shape)
    wanted[d] = idx.shape[d]
    shape = broadcast_shape("take_along_dim", tuple(wanted), idx.shape)
    idx = check_bounds(np.broadcast_to(idx, shape), input.shape[d], "take_along_dim", d, negative=True)
    x_shape = list(shape)
    x_shape[d] = input.shape[d]
    out = GatherFunction.apply(expand(input, tuple(x_shape)), index=idx, dim=d)
    return reshape(out, ()) if indices.ndim == 0 else out


@op
def masked_select(input, mask):
    """The elements of ``input`` where the bool ``mask`` is True, as a 1-d tensor (the two broadcast)."""
    m = bool_mask(mask, "masked_select")
    shape = broadcast_shape("masked_select", input.shape, m.shape)
    return guard(getitem(expand(input, shape), (np.broadcast_to(m, shape),)), input, name="MaskedSelectBackward0")


@op(inplace=True)
def masked_scatter(input, mask, source):
    """``input`` with the True positions of the bool ``mask`` (broadcast) filled, in row-major order, by the first
    elements of ``source`` (which needs at least as many elements as the mask has True)."""
    m = bool_mask(mask, "masked_scatter", f"masked_scatter_ only supports boolean masks, but got mask with dtype "
                  f"{dtypes.name(mask.dtype) if isinstance(mask, Tensor) else ''}")
    if not isinstance(source, Tensor):
        raise TypeError(f"masked_scatter(): argument 'source' must be Tensor, not {type(source).__name__}")
    if source.dtype != input.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got "
                           f"{dtypes.name(input.dtype)} and {dtypes.name(source.dtype)}")
    shape = broadcast_shape("masked_scatter", input.shape, m.shape)
    m = np.broadcast_to(m, shape)
    if int(m.sum()) > source.numel():
        raise RuntimeError(f"masked_scatter: Number of elements of source ({source.numel()}) < number of ones in "
                           f"mask ({int(m.sum())})")
    return MaskedScatterFunction.apply(expand(input, shape), source, mask=m)


@op(differentiable=False)
def nonzero(input, *, as_tuple=False):
    """The int64 indices of the nonzero elements: an ``(n, ndim)`` tensor, or with ``as_tuple=True`` one 1-d tensor
    per dim (a 0-d input counts as 1-d there)."""
    x = input._data
    if as_tuple:
        return tuple(Tensor._make(i.astype(np.int64)) for i in np.nonzero(x.reshape(-1) if x.ndim == 0 else x))
    return Tensor._make(np.argwhere(x).astype(np.int64))


@op(differentiable=False)
def argwhere(input):
    """The int64 indices of the nonzero elements, an ``(n, ndim)`` tensor (``nonzero(input)``)."""
    return nonzero(input)
