"""Shape ops: reshape/view, permute/transpose, expand, sum_to, indexing, cat/stack/split, pad.

Each backward is again a shape op (reshape <-> reshape, expand <-> sum_to, getitem <-> index_add, pad <-> slice),
so all of them are differentiable to any order.
"""
import builtins

import numpy as np

from .. import grad_mode
from ..errors import ShapeError, fmt_shape
from ..function import Function
from ..inplace import assign, check_inplace
from .registry import op
from .saved import guard
from ..shapes import normalize_dim, reduction_axes
from ..tensor import FRESH_VERSION, Tensor, operand


class ReshapeFunction(Function):
    derivative = "the gradient is reshaped back to the input's shape"
    is_view = True

    def forward(self, a, shape=None):
        self.in_shape = a.shape
        try:
            return a._data.reshape(shape)
        except ValueError:
            raise ShapeError(f"reshape: shape {fmt_shape(shape) if -1 not in shape else shape} is invalid for input "
                             f"of shape {fmt_shape(a.shape)} ({a._data.size} elements)") from None

    def backward(self, grad):
        return reshape(grad, self.in_shape)


class PermuteFunction(Function):
    derivative = "the gradient is permuted back"
    is_view = True

    def forward(self, a, dims=None):
        self.dims = dims
        return a._data.transpose(dims)

    def backward(self, grad):
        return permute(grad, tuple(np.argsort(self.dims)))


class ExpandFunction(Function):
    derivative = "the gradient is summed over the broadcast dimensions"
    is_view = True

    def forward(self, a, shape=None):
        try:
            return np.broadcast_to(a._data, shape)
        except ValueError:
            raise ShapeError(f"expand: the shape {fmt_shape(a.shape)} can't be expanded to {fmt_shape(shape)} "
                             f"(only size-1 dimensions can grow)") from None

    def backward(self, grad):
        return grad  # the engine sums it back to the input's shape


class EmptyResultFunction(Function):
    """The result of an op on an empty batch (PyTorch's behaviour): zeros of the op's output shape (zero-size when
    the batch is empty), and zero gradients for every input (a layer's weight gets a zero ``.grad``)."""
    derivative = "0: an output with no elements depends on nothing"

    def forward(self, *inputs, shape=None, dtype=None):
        self.shapes = [(t.shape, t.dtype) for t in inputs]
        return np.zeros(shape, dtype=dtype)

    def backward(self, grad):
        return tuple(Tensor._make(np.zeros(s, dtype=d)) if need else None
                     for (s, d), need in zip(self.shapes, self.needs_input_grad))


def empty_result(shape, dtype, *inputs):
    """What a layer returns for an empty batch: a ``shape`` result connected to ``inputs`` (zero gradients)."""
    return EmptyResultFunction.apply(*[t for t in inputs if t is not None], shape=tuple(shape), dtype=dtype)


class SumToFunction(Function):
    """Reduce a broadcast gradient to ``shape``: the engine's one unbroadcast (see :func:`sum_to`)."""
    derivative = "the gradient is broadcast back to the input's shape"

    def forward(self, a, shape=None):
        self.in_shape = a.shape
        axes, lead = reduction_axes(a.shape, shape)
        out = a._data.sum(axis=axes, keepdims=True) if axes else a._data
        if lead:
            out = out.reshape(shape)
        return np.asarray(out)

    def backward(self, grad):
        return expand(grad, self.in_shape)


def sum_to(grad, shape):
    """Sum a gradient of a broadcast shape back to ``shape`` (the inverse of broadcasting).

    The engine calls this on every edge whose shapes differ, so ops never unbroadcast themselves. It is an op
    (``SumToFunction``), so it is differentiable for higher-order gradients.
    """
    shape = tuple(shape)
    if grad.shape == shape:
        return grad
    return SumToFunction.apply(grad, shape=shape)


def _normalize_key(key):
    """Tensors in an index become arrays; returns (key, is_basic)."""
    if not isinstance(key, tuple):
        key = (key,)
    out, basic = [], True
    for k in key:
        if isinstance(k, Tensor):
            k = k._data
            if k.ndim == 0 and k.dtype.kind in "iu":
                k = int(k)
        if isinstance(k, range):
            k = np.arange(k.start, k.stop, k.step)      # x[range(2)]: an integer index, as PyTorch
        if isinstance(k, (list, np.ndarray)):
            k = np.asarray(k)
            if k.dtype.kind not in "iub":
                raise IndexError(f"tensors used as indices must be long, int or bool tensors, got {k.dtype}")
            basic = False
        elif not (k is None or k is Ellipsis or isinstance(k, (slice, int, np.integer))):
            raise IndexError(f"invalid index of type {type(k).__name__}")
        out.append(k)
    return tuple(out), basic


class IndexFunction(Function):
    label = "index"
    derivative = "the gradient goes to the selected elements, 0 elsewhere"

    def forward(self, a, key=None, basic=True):
        self.in_shape, self.key, self.basic, self.dtype = a.shape, key, basic, a.dtype
        out = a._data[key]
        return out if isinstance(out, np.ndarray) else np.asarray(out)

    def backward(self, grad):
        return IndexAddFunction.apply(grad, key=self.key, basic=self.basic, shape=self.in_shape)


IndexFunction.is_view = True


class IndexAddFunction(Function):
    """Scatter a gradient into zeros of ``shape`` at ``key``, adding over repeated indices."""
    derivative = "the gradient is gathered back from the added positions"

    def forward(self, g, key=None, basic=True, shape=None):
        self.key, self.basic = key, basic
        out = np.zeros(shape, dtype=g.dtype)
        if basic:
            out[key] = g._data
        else:
            np.add.at(out, key, g._data)
        return out

    def backward(self, grad):
        return IndexFunction.apply(grad, key=self.key, basic=self.basic)


class IndexPutFunction(Function):
    """``out = input.clone(); out[key] = value`` (what ``input[key] = value`` records)."""
    label = "index_put"
    derivative = "the gradient of the overwritten positions goes to the values, the rest to the input"

    def forward(self, a, v, key=None, basic=True):
        self.key, self.basic, self.v_shape = key, basic, v.shape
        out = a._data.copy()
        out[key] = v._data
        return out

    def backward(self, grad):
        ga = gv = None
        if self.needs_input_grad[0]:
            mask = np.ones(grad.shape, dtype=grad.dtype)
            mask[self.key] = 0
            ga = grad * Tensor._make(mask)
        if self.needs_input_grad[1]:
            gv = IndexFunction.apply(grad, key=self.key, basic=self.basic)   # the engine sums it to value's shape
        return ga, gv


def along(index, dim):
    """The numpy key that picks ``index`` along ``dim``: ``a[along(index, dim)]`` is ``torch.gather(a, dim, index)``
    (sparse grids in the other dims, so ``index`` may be smaller than ``a`` there)."""
    grids = list(np.indices(index.shape, sparse=True))
    grids[dim] = index
    return tuple(grids)


class GatherFunction(Function):
    derivative = "the gradient is scattered back to the gathered positions"
    def forward(self, a, index=None, dim=0):
        self.index, self.dim, self.in_shape = index, dim, a.shape
        self.save_for_backward(a)      # as PyTorch's node: an in-place change of the input is an error
        return a._data[along(index, dim)]

    def backward(self, grad):
        self.saved_tensors
        return ScatterAddFunction.apply(grad, index=self.index, dim=self.dim, shape=self.in_shape)


class ScatterAddFunction(Function):
    """Adjoint of gather: add ``g`` into zeros of ``shape`` at ``index`` along ``dim`` (repeats accumulate)."""
    derivative = "the gradient is gathered back from the positions it was added to"

    def forward(self, g, index=None, dim=0, shape=None):
        self.index, self.dim = index, dim
        out = np.zeros(shape, dtype=g.dtype)
        np.add.at(out, along(index, dim), g._data)
        return out

    def backward(self, grad):
        return GatherFunction.apply(grad, index=self.index, dim=self.dim)


class CatFunction(Function):
    derivative = "the gradient is split back into the pieces"
    def forward(self, *tensors, dim=0):
        self.dim = dim
        self.sizes = [t.shape[dim] for t in tensors]
        return np.concatenate([t._data for t in tensors], axis=dim)

    def backward(self, grad):
        out, start = [], 0
        for need, n in zip(self.needs_input_grad, self.sizes):
            if need:
                key = (slice(None),) * self.dim + (slice(start, start + n),)
                out.append(IndexFunction.apply(grad, key=key, basic=True))
            else:
                out.append(None)
            start += n
        return tuple(out)


class ConstantPadNdFunction(Function):
    derivative = "the padding is cut off the gradient"
    def forward(self, a, widths=None, value=0.0):
        self.key = tuple(slice(lo, lo + n) for (lo, _), n in zip(widths, a.shape))
        return np.pad(a._data, widths, mode="constant", constant_values=value)

    def backward(self, grad):
        return IndexFunction.apply(grad, key=self.key, basic=True)


# ---------------------------------------------------------------------- functions
def _shape_arg(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


@op(aliases=("view",))
def reshape(input, *shape):
    """The same elements in a new shape (one dim may be -1); shares memory when numpy can."""
    shape = _shape_arg(shape)
    if shape == input.shape:
        return input
    return ReshapeFunction.apply(input, shape=shape)


@op
def flatten(input, start_dim=0, end_dim=-1):
    """Merge dims ``start_dim..end_dim`` into one."""
    if input.ndim == 0:
        return reshape(input, (1,))
    s = normalize_dim(start_dim, input.ndim, "flatten")
    e = normalize_dim(end_dim, input.ndim, "flatten")
    if s > e:
        raise ValueError(f"flatten: start_dim ({start_dim}) cannot come after end_dim ({end_dim})")
    shape = input.shape[:s] + (int(np.prod(input.shape[s:e + 1])),) + input.shape[e + 1:]
    return reshape(input, shape)


@op
def unflatten(input, dim, sizes):
    """Split dim ``dim`` into ``sizes`` (one of them may be -1)."""
    d = normalize_dim(dim, input.ndim, "unflatten")
    sizes = tuple(int(s) for s in sizes)
    known = int(np.prod([s for s in sizes if s != -1]))
    n = input.shape[d]
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    if sizes.count(-1) > 1 or (-1 in sizes and (known == 0 or n % known)) or (-1 not in sizes and known != n):
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
                           f"({n}) in the input tensor")
    return reshape(input, input.shape[:d] + sizes + input.shape[d + 1:])


@op(function=False)
def view_as(input, other):
    """``input.view(other.shape)``."""
    return reshape(input, other.shape)


@op(function=False)
def reshape_as(input, other):
    """``input.reshape(other.shape)``."""
    return reshape(input, other.shape)


@op
def permute(input, *dims):
    """Reorder the dims: ``permute(x, (2, 0, 1))``."""
    dims = _shape_arg(dims)
    if len(dims) != input.ndim:
        raise ShapeError(f"permute: number of dims {len(dims)} doesn't match the input's {input.ndim} "
                         f"(shape {fmt_shape(input.shape)})")
    dims = tuple(normalize_dim(d, input.ndim, "permute") for d in dims)
    if len(set(dims)) != len(dims):
        raise ValueError(f"permute: repeated dim in {dims}")
    if dims == tuple(range(input.ndim)):
        return input
    return PermuteFunction.apply(input, dims=dims)


@op(aliases=("swapaxes", "swapdims"))
def transpose(input, dim0, dim1):
    """Swap dims ``dim0`` and ``dim1``."""
    if input.ndim < 2 and input.ndim == 0:
        return input
    d0 = normalize_dim(dim0, input.ndim, "transpose")
    d1 = normalize_dim(dim1, input.ndim, "transpose")
    dims = list(range(input.ndim))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return permute(input, dims)


@op
def t(input):
    """Transpose of a tensor with at most 2 dims."""
    if input.ndim > 2:
        raise ValueError(f"t() expects a tensor with <= 2 dimensions, but got shape {fmt_shape(input.shape)}")
    return transpose(input, 0, 1) if input.ndim == 2 else input


@op
def squeeze(input, dim=None):
    """Remove size-1 dims (all, or those in ``dim``)."""
    if dim is None:
        shape = tuple(n for n in input.shape if n != 1)
    else:
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        dims = {normalize_dim(d, input.ndim, "squeeze") for d in dims}
        shape = tuple(n for i, n in enumerate(input.shape) if not (i in dims and n == 1))
    return reshape(input, shape)


@op
def unsqueeze(input, dim):
    """Insert a size-1 dim at ``dim``."""
    d = normalize_dim(dim, input.ndim + 1, "unsqueeze")
    return reshape(input, input.shape[:d] + (1,) + input.shape[d:])


@op
def expand(input, *shape):
    """Broadcast size-1 dims to ``shape`` without copying (-1 keeps a dim)."""
    shape = list(_shape_arg(shape))
    lead = len(shape) - input.ndim
    if lead < 0:
        raise ShapeError(f"expand: the number of sizes provided ({len(shape)}) must be greater or equal to the "
                         f"number of dimensions in the tensor ({input.ndim}), shape {fmt_shape(input.shape)}")
    for i, n in enumerate(input.shape):
        if shape[lead + i] == -1:
            shape[lead + i] = n
    shape = tuple(shape)
    if shape == input.shape:
        return input
    return ExpandFunction.apply(input, shape=shape)


@op
def expand_as(input, other):
    """``expand(input, other.shape)``."""
    return expand(input, other.shape)


@op
def broadcast_to(input, shape):
    """``expand(input, shape)``."""
    return expand(input, shape)


@op(method=False)
def getitem(input, key):
    """``input[key]``: basic and advanced (integer / boolean) indexing, as numpy and PyTorch."""
    key, basic = _normalize_key(key)
    out = IndexFunction.apply(input, key=key, basic=basic)
    if not basic and out._version is not FRESH_VERSION and out._version is input._version:
        # advanced indexing copies; numpy's result can still be a view of its own scratch buffer (an index along a
        # later dim), which apply takes for a view of the input: the copy gets its own version counter
        out._version = FRESH_VERSION
    return out


def _check_cat(tensors, dim, op):
    if len(tensors) == 0:
        raise ValueError(f"{op}: expected a non-empty list of tensors")
    ref = tensors[0]
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: expected a sequence of Tensors, element {i} is {type(t).__name__}")
        if t.ndim != ref.ndim or builtins.any(a != b for j, (a, b) in enumerate(zip(t.shape, ref.shape))
                                            if j != dim):
            raise ShapeError(f"{op}: sizes of tensors must match except in dimension {dim}; tensor 0 has shape "
                             f"{fmt_shape(ref.shape)} and tensor {i} has shape {fmt_shape(t.shape)}")


def _promote(dts):
    """PyTorch's promotion of tensors of different dtypes: the widest floating dtype if any is floating (float32
    with int64 stays float32, where numpy would give float64), else the widest integer, else bool."""
    for kinds in ("c", "f", "iu"):
        found = [d for d in dts if d.kind in kinds]
        if found:
            return np.result_type(*found)
    return np.dtype(bool)


@op(method=False, aliases=("concat", "concatenate"))
def cat(tensors, dim=0):
    """Concatenate along an existing dimension."""
    tensors = list(tensors)
    if tensors and tensors[0].ndim == 0:
        raise ShapeError("cat: zero-dimensional tensor cannot be concatenated")
    d = normalize_dim(dim, tensors[0].ndim if tensors else 1, "cat")
    _check_cat(tensors, d, "cat")
    dt = _promote([t.dtype for t in tensors])
    tensors = [t.to(dt) for t in tensors]
    return CatFunction.apply(*tensors, dim=d)


@op(method=False)
def stack(tensors, dim=0):
    """Join along a new dimension."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("stack: expected a non-empty list of tensors")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise ShapeError(f"stack: expects each tensor to be equal size, but got {fmt_shape(tensors[0].shape)} at "
                             f"entry 0 and {fmt_shape(t.shape)} at entry {i}")
    d = normalize_dim(dim, tensors[0].ndim + 1, "stack")
    return cat([unsqueeze(t, d) for t in tensors], dim=d)


@op
def split(input, split_size_or_sections, dim=0):
    """Split into chunks of a given size (int) or of given sizes (list), as ``torch.split``."""
    d = normalize_dim(dim, input.ndim, "split")
    n = input.shape[d]
    if isinstance(split_size_or_sections, int):
        if split_size_or_sections <= 0:
            raise ValueError(f"split: split_size must be positive, got {split_size_or_sections}")
        sizes = [split_size_or_sections] * (n // split_size_or_sections)
        if n % split_size_or_sections:
            sizes.append(n % split_size_or_sections)
    else:
        sizes = list(split_size_or_sections)
        if builtins.sum(sizes) != n:
            raise ShapeError(f"split: split sizes {sizes} must sum to the size {n} of dim {dim} "
                             f"(shape {fmt_shape(input.shape)})")
    out, start = [], 0
    for s in sizes:
        key = (slice(None),) * d + (slice(start, start + s),)
        out.append(IndexFunction.apply(input, key=key, basic=True))
        start += s
    return tuple(out)


@op
def chunk(input, chunks, dim=0):
    """Split into ``chunks`` pieces of equal size (the last may be smaller)."""
    d = normalize_dim(dim, input.ndim, "chunk")
    if chunks <= 0:
        raise ValueError(f"chunk: chunks must be positive, got {chunks}")
    size = -(-input.shape[d] // chunks)
    return split(input, builtins.max(size, 1), d)


@op
def unbind(input, dim=0):
    """The slices along ``dim``, as a tuple, the dim removed."""
    d = normalize_dim(dim, input.ndim, "unbind")
    return tuple(IndexFunction.apply(input, key=(slice(None),) * d + (i,), basic=True) for i in range(input.shape[d]))


_PAD_MODES = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


@op(method=False)
def pad(input, pad, mode="constant", value=0.0):
    """Pad like ``torch.nn.functional.pad``: ``pad`` lists (left, right) widths starting from the LAST dim."""
    if mode not in _PAD_MODES:
        raise ValueError(f"pad: mode must be one of {sorted(_PAD_MODES)}, got '{mode}'")
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise ValueError(f"pad: padding length {len(pad)} must be even and at most 2*ndim ({2 * input.ndim})")
    widths = [(0, 0)] * input.ndim
    for i in range(len(pad) // 2):
        lo, hi = int(pad[2 * i]), int(pad[2 * i + 1])
        widths[input.ndim - 1 - i] = (lo, hi)
    if mode != "constant":
        # reflect / replicate / circular: gather along each padded dim with the index pattern numpy.pad gives
        # arange(n); differentiable through indexing (repeated indices accumulate). Negative widths crop, as in
        # PyTorch: circular crops first and wraps what is left; reflect and replicate pad the whole input, then crop
        out = input
        for d, (lo, hi) in enumerate(widths):
            if lo == 0 and hi == 0:
                continue
            n = out.shape[d]
            if mode == "circular":
                if n + builtins.min(lo, 0) + builtins.min(hi, 0) < 0:
                    raise ShapeError(f"pad: negative padding ({lo}, {hi}) of dim {d} is larger than its size {n} "
                                     f"(input shape {fmt_shape(input.shape)})")
                start, n = builtins.max(-lo, 0), n + builtins.min(lo, 0) + builtins.min(hi, 0)
                lo, hi = builtins.max(lo, 0), builtins.max(hi, 0)
                if lo > n or hi > n:
                    raise ShapeError(f"pad: circular padding ({lo}, {hi}) of dim {d} would wrap around its size {n} "
                                     f"more than once (input shape {fmt_shape(input.shape)})")
                idx = start + np.pad(np.arange(n), (lo, hi), mode="wrap")
            else:
                if (mode == "reflect" and builtins.max(lo, hi) >= n) or n + lo + hi <= 0:
                    raise ValueError(f"pad: padding ({lo}, {hi}) of dim {d} is invalid for mode '{mode}' and input "
                                     f"shape {fmt_shape(input.shape)}")
                idx = np.pad(np.arange(n), (builtins.max(lo, 0), builtins.max(hi, 0)), mode=_PAD_MODES[mode])
                idx = idx[builtins.max(-lo, 0):len(idx) - builtins.max(-hi, 0)]
            out = getitem(out, (slice(None),) * d + (idx,))
        if mode != "circular":      # PyTorch's reflection / replication pad node saves the input
            kind = "Reflection" if mode == "reflect" else "Replication"
            out = guard(out, input, name=f"{kind}Pad{len(pad) // 2}DBackward0")
        return out
    for d, (lo, hi) in enumerate(widths):
        if input.shape[d] + builtins.min(lo, 0) + builtins.min(hi, 0) < 0:
            raise ShapeError(f"pad: negative padding ({lo}, {hi}) of dim {d} removes more than its size "
                             f"{input.shape[d]} (input shape {fmt_shape(input.shape)})")
    if builtins.any(lo < 0 or hi < 0 for lo, hi in widths):
        # negative padding crops
        key = tuple(slice(-lo if lo < 0 else None, hi if hi < 0 else None) for lo, hi in widths)
        input = getitem(input, key)
        widths = [(builtins.max(lo, 0), builtins.max(hi, 0)) for lo, hi in widths]
    if builtins.all(w == (0, 0) for w in widths):
        return input
    return ConstantPadNdFunction.apply(input, widths=tuple(widths), value=value)


@op(method=False)
def setitem(input, key, value):
    """``input[key] = value`` in place; recorded as an ``IndexPutFunction`` node when grad is on."""
    key, basic = _normalize_key(key)
    value = operand(value, input)
    if value.dtype != input.dtype:
        value = value.to(input.dtype)
    if grad_mode.is_grad_enabled() and (input.requires_grad or value.requires_grad):
        check_inplace(input, "an in-place operation (index assignment)")
        out = IndexPutFunction.apply(input, value, key=key, basic=basic)
        assign(input, out)
    else:
        grad_mode.check_inference_inplace(input)
        input._data[key] = value._data
        input._bump_version()


@op
def index_select(input, dim, index):
    """The entries of ``index`` along ``dim``."""
    d = normalize_dim(dim, input.ndim, "index_select")
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    return getitem(input, (slice(None),) * d + (idx,))
