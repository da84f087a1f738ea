"""Ops that rearrange or repeat elements: flip, roll, rot90, tril/triu, repeat, tile, repeat_interleave, narrow,
movedim, the stacks (hstack, vstack, dstack, column_stack, atleast_nd), and the in-place transposes (``t_``,
``transpose_``, ``swapaxes_``, ``swapdims_``).

Only flip, roll and tril/triu need a node of their own (each backward is the same op again: flip the gradient back,
roll it back, mask it the same way); the others are compositions of reshape, expand, permute, indexing and cat, so
their gradients come from those ops (repeat sums the copies through expand, repeat_interleave through indexing).
"""
import builtins

import numpy as np

from .. import grad_mode
from ..errors import fmt_shape
from ..function import Function
from ..shapes import normalize_dim
from ..tensor import Tensor
from .elementwise import clone
from .registry import op, tensor_method
from .shape import cat, expand, getitem, permute, reshape, transpose


def _int_list(values, op, name):
    """An int, or a sequence of ints (varargs or one tuple/list), as a tuple of ints."""
    if len(values) == 1 and isinstance(values[0], (tuple, list)):
        values = tuple(values[0])
    out = []
    for v in values:
        if isinstance(v, Tensor):
            v = v.item()
        if isinstance(v, (bool, float)) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"{op}(): argument '{name}' must be a tuple of ints, got {type(v).__name__}")
        out.append(int(v))
    return tuple(out)


def _unique_dims(dims, ndim, op):
    dims = tuple(normalize_dim(d, ndim, op) for d in dims)
    for d in dims:
        if dims.count(d) > 1:
            raise RuntimeError(f"{op}: dim {d} appears multiple times in the list of dims")
    return dims


class FlipFunction(Function):
    derivative = "the gradient is flipped back along the same dims"

    def forward(self, a, dims=()):
        self.dims = dims
        return np.flip(a._data, axis=dims).copy()   # a copy, as PyTorch (a view would alias the input)

    def backward(self, grad):
        return FlipFunction.apply(grad, dims=self.dims)


class RollFunction(Function):
    derivative = "the gradient is rolled back by the opposite shifts"

    def forward(self, a, shifts=(), dims=()):
        self.shifts, self.dims = shifts, dims
        return np.roll(a._data, shifts, axis=dims)

    def backward(self, grad):
        return RollFunction.apply(grad, shifts=tuple(-s for s in self.shifts), dims=self.dims)


class TrilFunction(Function):
    derivative = "1 on and below the diagonal, 0 above: the gradient is masked the same way"

    def forward(self, a, diagonal=0, upper=False):
        self.diagonal, self.upper = diagonal, upper
        return (np.triu if upper else np.tril)(a._data, diagonal)

    def backward(self, grad):
        return type(self).apply(grad, diagonal=self.diagonal, upper=self.upper)


class TriuFunction(TrilFunction):
    derivative = "1 on and above the diagonal, 0 below: the gradient is masked the same way"


# ---------------------------------------------------------------------- flip, roll, rot90, tril, triu
@op
def flip(input, *dims, **kwargs):
    """Reverse the order of the elements along ``dims`` (a copy, not a view): ``flip(x, (0, 1))``, ``x.flip(0)``."""
    if "dims" in kwargs:
        dims = (kwargs.pop("dims"),)
    if kwargs:
        raise TypeError(f"flip() got an unexpected keyword argument {next(iter(kwargs))!r}")
    dims = _unique_dims(_int_list(dims, "flip", "dims"), input.ndim, "flip")
    if input.ndim == 0:
        return clone(input)
    return FlipFunction.apply(input, dims=dims)


@op
def fliplr(input):
    """Flip the columns (dim 1) of a tensor with at least 2 dims."""
    if input.ndim < 2:
        raise RuntimeError(f"fliplr: Input must be >= 2-d, got shape {fmt_shape(input.shape)}")
    return flip(input, (1,))


@op
def flipud(input):
    """Flip the rows (dim 0) of a tensor with at least 1 dim."""
    if input.ndim < 1:
        raise RuntimeError("flipud: Input must be >= 1-d, got a 0-d tensor")
    return flip(input, (0,))


@op
def roll(input, shifts, dims=None):
    """Shift the elements circularly by ``shifts`` along ``dims``; with ``dims=None`` the tensor is flattened,
    rolled and given back its shape."""
    shifts = _int_list((shifts,), "roll", "shifts")
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"roll: shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
        flat = RollFunction.apply(reshape(input, (-1,)), shifts=shifts, dims=(0,))
        return reshape(flat, input.shape)
    dims = _int_list((dims,), "roll", "dims")
    if len(shifts) != len(dims):
        raise RuntimeError(f"roll: shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    dims = tuple(normalize_dim(d, input.ndim, "roll") for d in dims)
    return RollFunction.apply(input, shifts=shifts, dims=dims)


@op
def rot90(input, k=1, dims=(0, 1)):
    """Rotate by 90 degrees ``k`` times in the plane of ``dims``, from the first dim towards the second."""
    dims = _int_list((dims,), "rot90", "dims")
    if len(dims) != 2:
        raise RuntimeError(f"rot90: expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise RuntimeError(f"rot90: expected total dims >= 2, but got total dims = {input.ndim}")
    d0, d1 = (normalize_dim(d, input.ndim, "rot90") for d in dims)
    if d0 == d1:
        raise RuntimeError(f"rot90: expected rotation dims to be different, but got dim0 = {dims[0]} and "
                           f"dim1 = {dims[1]}")
    k = int(k) % 4
    if k == 1:
        return transpose(flip(input, (d1,)), d0, d1)
    if k == 2:
        return flip(input, (d0, d1))
    if k == 3:
        return transpose(flip(input, (d0,)), d0, d1)
    return clone(input)


def _tri(input, diagonal, upper):
    name = "triu" if upper else "tril"
    if input.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions, got shape "
                           f"{fmt_shape(input.shape)}")
    return (TriuFunction if upper else TrilFunction).apply(input, diagonal=int(diagonal), upper=upper)


@op(inplace=True)
def tril(input, diagonal=0):
    """The lower triangle of the last two dims (elements with ``col - row <= diagonal``); the rest is zero."""
    return _tri(input, diagonal, False)


@op(inplace=True)
def triu(input, diagonal=0):
    """The upper triangle of the last two dims (elements with ``col - row >= diagonal``); the rest is zero."""
    return _tri(input, diagonal, True)


# ---------------------------------------------------------------------- repeat, tile, repeat_interleave
@op(function=False)
def repeat(input, *sizes):
    """Tile the tensor ``sizes[i]`` times along dim ``i`` (``len(sizes) >= ndim``; leading sizes add dims), as
    ``Tensor.repeat``; the gradient sums the copies."""
    sizes = _int_list(sizes, "repeat", "repeats")
    if not sizes:
        raise TypeError("repeat() missing 1 required positional arguments: \"repeats\"")
    if len(sizes) < input.ndim:
        raise RuntimeError(f"repeat: Number of dimensions of repeat dims ({len(sizes)}) can not be smaller than "
                           f"number of dimensions of tensor ({input.ndim})")
    shape = (1,) * (len(sizes) - input.ndim) + input.shape
    out_shape = tuple(s * n for s, n in zip(sizes, shape))
    if builtins.any(s < 0 for s in sizes):
        raise RuntimeError(f"repeat: Trying to create tensor with negative dimension: {list(out_shape)}")
    if builtins.all(s == 1 for s in sizes):
        return clone(reshape(input, shape))
    # (n0, n1) -> (1, n0, 1, n1) -> expand to (s0, n0, s1, n1) -> (s0*n0, s1*n1): each copy is a broadcast
    spread = reshape(input, tuple(v for n in shape for v in (1, n)))
    tiled = expand(spread, tuple(v for s, n in zip(sizes, shape) for v in (s, n)))
    out = reshape(tiled, out_shape)
    # a reshape that needed no copy (a 0-d or one-element input) is still a read-only broadcast of the input:
    # repeat returns new memory, as PyTorch's (writable, with its own version counter)
    return clone(out) if np.may_share_memory(out._data, input._data) else out


@op
def tile(input, *dims):
    """``repeat`` with fewer sizes than dims allowed (missing leading sizes are 1), as ``numpy.tile``."""
    dims = _int_list(dims, "tile", "dims")
    sizes = (1,) * (input.ndim - len(dims)) + dims
    return repeat(input, sizes) if sizes else clone(input)


def _repeat_counts(repeats, n, op):
    """``repeats`` (an int or an int tensor of 0 or 1 dims) as an int64 array of ``n`` counts."""
    if isinstance(repeats, Tensor):
        reps = repeats._data
        if reps.dtype.kind not in "iu":
            raise NotImplementedError(f"{op}: repeats must be an integer tensor, got {reps.dtype}")
        if reps.ndim > 1:
            raise RuntimeError(f"{op}: repeats must be 0-dim or 1-dim tensor, got shape {fmt_shape(reps.shape)}")
        if reps.ndim == 1 and reps.shape[0] not in (1, n):
            raise RuntimeError(f"{op}: repeats must have the same size as input along dim, but got "
                               f"repeats.size(0) = {reps.shape[0]} and input.size(0) = {n}")
        if (reps < 0).any():
            raise RuntimeError(f"{op}: repeats can not be negative")
        return np.broadcast_to(reps.astype(np.int64).reshape(-1), (n,))
    if isinstance(repeats, (bool, float)) or not isinstance(repeats, (int, np.integer)):
        raise TypeError(f"{op}(): repeats must be an int or a Tensor, got {type(repeats).__name__}")
    if repeats < 0:
        raise RuntimeError(f"{op}: Repeats must be non-negative, got {repeats}")
    return np.full(n, int(repeats), dtype=np.int64)


@op
def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat each element (each slice along ``dim``) ``repeats`` times, in place order: ``[a, b] -> [a, a, b, b]``.

    ``repeats`` is an int or an int tensor with one count per slice; with ``dim=None`` the input is flattened.
    ``repeat_interleave(counts)`` alone gives ``arange(len(counts))`` repeated by ``counts`` (int64).
    """
    if repeats is None:
        reps = input._data
        if reps.ndim != 1 or reps.dtype.kind not in "iu":
            raise RuntimeError(f"repeat_interleave only accept 1D vector as repeat, got shape "
                               f"{fmt_shape(reps.shape)} of {reps.dtype}")
        counts = _repeat_counts(input, reps.shape[0], "repeat_interleave")
        return Tensor._make(np.repeat(np.arange(reps.shape[0], dtype=np.int64), counts))
    if dim is None:
        input, d = reshape(input, (-1,)), 0
    else:
        if input.ndim == 0:   # PyTorch refuses a dim for a 0-d input here, even 0 or -1
            raise IndexError(f"repeat_interleave: Dimension out of range (expected to be in range of [-1, 0], but "
                             f"got {dim + 1 if dim >= 0 else dim})")
        d = normalize_dim(dim, input.ndim, "repeat_interleave")
    n = input.shape[d]
    counts = _repeat_counts(repeats, n, "repeat_interleave")
    total = int(counts.sum())
    if output_size is not None and int(output_size) != total:
        raise RuntimeError(f"repeat_interleave: Invalid output_size, expected {total} but got {output_size}")
    index = np.repeat(np.arange(n, dtype=np.int64), counts)
    return getitem(input, (slice(None),) * d + (index,))


# ---------------------------------------------------------------------- narrow, movedim
@op
def narrow(input, dim, start, length):
    """The slice ``start:start + length`` of dim ``dim`` (a view); ``start`` may be negative or a 0-d tensor."""
    if input.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = normalize_dim(dim, input.ndim, "narrow")
    start, length = int(start), int(length)
    n = input.shape[d]
    if not -n <= start <= n:
        raise IndexError(f"narrow: start out of range (expected to be in range of [{-n}, {n}], but got {start})")
    if start < 0:
        start += n
    if length < 0:
        raise RuntimeError(f"narrow(): length must be non-negative, got {length}.")
    if start + length > n:
        raise RuntimeError(f"narrow: start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return getitem(input, (slice(None),) * d + (slice(start, start + length),))


@op(aliases=("moveaxis",))
def movedim(input, source, destination):
    """Move the dims ``source`` to the positions ``destination``; the other dims keep their order."""
    src = _int_list((source,), "movedim", "source")
    dst = _int_list((destination,), "movedim", "destination")
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} dims) should contain "
                           f"the same number of dims as destination ({list(dst)} dims)")
    for name, dims in (("source", src), ("destination", dst)):
        norm = [normalize_dim(d, input.ndim, "movedim") for d in dims]
        if len(set(norm)) != len(norm):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({list(dims)})")
    src = [normalize_dim(d, input.ndim, "movedim") for d in src]
    dst = [normalize_dim(d, input.ndim, "movedim") for d in dst]
    rest = iter([d for d in range(input.ndim) if d not in src])
    where = dict(zip(dst, src))
    return permute(input, tuple(where[i] if i in where else next(rest) for i in range(input.ndim)))


# ---------------------------------------------------------------------- atleast_nd and the stacks
def _atleast_one(t, n):
    if not isinstance(t, Tensor):
        raise TypeError(f"atleast_{n}d(): expected Tensors, got {type(t).__name__}")
    if t.ndim >= n:
        return t
    if n == 3 and t.ndim == 2:
        return reshape(t, t.shape + (1,))
    if n == 3 and t.ndim == 1:
        return reshape(t, (1,) + t.shape + (1,))
    return reshape(t, (1,) * (n - t.ndim) + t.shape)


def _atleast(tensors, n):
    """One tensor for one tensor, a tuple for several (or for one sequence of tensors), as PyTorch."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tuple(_atleast_one(t, n) for t in tensors[0])
    out = tuple(_atleast_one(t, n) for t in tensors)
    return out[0] if len(out) == 1 else out


@op(method=False)
def atleast_1d(*tensors):
    """Each tensor viewed with at least 1 dim (a 0-d tensor becomes shape ``(1,)``); a tuple for several."""
    return _atleast(tensors, 1)


@op(method=False)
def atleast_2d(*tensors):
    """Each tensor viewed with at least 2 dims (``(n,)`` becomes ``(1, n)``); a tuple for several."""
    return _atleast(tensors, 2)


@op(method=False)
def atleast_3d(*tensors):
    """Each tensor viewed with at least 3 dims (``(n,)`` -> ``(1, n, 1)``, ``(m, n)`` -> ``(m, n, 1)``)."""
    return _atleast(tensors, 3)


def _tensor_list(tensors, op):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}(): argument 'tensors' must be a tuple of Tensors, not {type(tensors).__name__}")
    if not tensors:
        raise RuntimeError(f"{op} expects a non-empty TensorList")
    return list(tensors)


@op(method=False)
def hstack(tensors):
    """Concatenate horizontally: along dim 0 for 1-d tensors, dim 1 otherwise (0-d tensors count as 1-d)."""
    tensors = [_atleast_one(t, 1) for t in _tensor_list(tensors, "hstack")]
    return cat(tensors, dim=0 if tensors[0].ndim == 1 else 1)


@op(method=False, aliases=("row_stack",))
def vstack(tensors):
    """Concatenate vertically (dim 0) after making each tensor at least 2-d (``(n,)`` becomes a row)."""
    tensors = [_atleast_one(t, 2) for t in _tensor_list(tensors, "vstack")]
    return cat(tensors, dim=0)


@op(method=False)
def dstack(tensors):
    """Concatenate depth-wise (dim 2) after making each tensor at least 3-d."""
    tensors = [_atleast_one(t, 3) for t in _tensor_list(tensors, "dstack")]
    return cat(tensors, dim=2)


@op(method=False)
def column_stack(tensors):
    """Stack as columns: 0-d and 1-d tensors become ``(n, 1)`` columns, then everything is concatenated on dim 1."""
    tensors = [reshape(t, (t.numel(), 1)) if t.ndim <= 1 else t for t in _tensor_list(tensors, "column_stack")]
    return cat(tensors, dim=1)


# ---------------------------------------------------------------------- in-place transposes
def _transpose_in_place(self, dim0, dim1, name):
    """Swap two dims of ``self`` itself (its array becomes a transposed view of the same memory)."""
    if grad_mode.is_grad_enabled() and self.requires_grad:
        # The graph's earlier nodes that used this tensor read its shape at backward time, so changing it under
        # them would give wrong-shaped gradients; refuse rather than compute something wrong.
        raise RuntimeError(f"{name}: an in-place transpose of a tensor that requires grad is not supported; use the "
                           f"out-of-place form (x = x.{name[:-1]}(...)) or do it under no_grad()")
    if self.ndim:
        axes = list(range(self.ndim))
        d0, d1 = normalize_dim(dim0, self.ndim, name), normalize_dim(dim1, self.ndim, name)
        axes[d0], axes[d1] = axes[d1], axes[d0]
        self._data = self._data.transpose(axes)
    self._bump_version()
    return self


@tensor_method("t_")
def t_(self):
    """Transpose a tensor of at most 2 dims in place (``self`` becomes ``self.t()``)."""
    if self.ndim > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
    return _transpose_in_place(self, 0, self.ndim - 1 if self.ndim else 0, "t_")


@tensor_method("transpose_")
def transpose_(self, dim0, dim1):
    """Swap dims ``dim0`` and ``dim1`` in place."""
    return _transpose_in_place(self, dim0, dim1, "transpose_")


@tensor_method("swapaxes_")
def swapaxes_(self, axis0, axis1):
    """``transpose_(axis0, axis1)``."""
    return _transpose_in_place(self, axis0, axis1, "swapaxes_")


@tensor_method("swapdims_")
def swapdims_(self, dim0, dim1):
    """``transpose_(dim0, dim1)``."""
    return _transpose_in_place(self, dim0, dim1, "swapdims_")


def _tensor_args(tensors, op):
    """``f(a, b)`` and ``f([a, b])`` alike, as PyTorch's variadic tensor functions."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}(): expected Tensors as inputs, got {type(t).__name__}")
    return tuple(tensors)


@op(method=False)
def broadcast_tensors(*tensors):
    """The tensors expanded to their common broadcast shape (views: gradients sum back to each input)."""
    tensors = _tensor_args(tensors, "broadcast_tensors")
    try:
        shape = np.broadcast_shapes(*[t.shape for t in tensors])
    except ValueError:
        raise RuntimeError("broadcast_tensors(): shapes " + ", ".join(fmt_shape(t.shape) for t in tensors)
                           + " cannot be broadcast together") from None
    return tuple(expand(t, *shape) for t in tensors)


@op(method=False)
def meshgrid(*tensors, indexing=None):
    """Coordinate grids of 0-d/1-d tensors: with ``indexing='ij'`` (the default, as PyTorch) output ``k`` varies
    along dim ``k``; ``'xy'`` (numpy's default) swaps the first two dims. Outputs are expanded views."""
    tensors = _tensor_args(tensors, "meshgrid")
    if not tensors:
        raise RuntimeError("torch.meshgrid: expects a non-empty TensorList")
    if indexing is None:
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise ValueError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {indexing}")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: "
                               f"{fmt_shape(t.shape)}")
    swap = indexing == "xy" and len(tensors) >= 2
    ts = [reshape(t, -1) for t in tensors]
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    shape = tuple(t.shape[0] for t in ts)
    out = []
    for k, t in enumerate(ts):
        view = [1] * len(ts)
        view[k] = shape[k]
        out.append(expand(reshape(t, *view), *shape))
    if swap:
        out[0], out[1] = out[1], out[0]
    return tuple(out)


@op(method=False)
def cartesian_prod(*tensors):
    """Every combination of the elements of the 1-d tensors, as rows: ``(prod of lengths, len(tensors))``
    (one tensor: itself)."""
    tensors = _tensor_args(tensors, "cartesian_prod")
    for t in tensors:
        if t.ndim != 1:
            raise RuntimeError(f"cartesian_prod expects 1D tensors, but got a tensor of shape {fmt_shape(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    from .shape import stack
    return stack([reshape(g, -1) for g in meshgrid(*tensors, indexing="ij")], dim=1)


@op
def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The ``n``-th forward difference along ``dim`` (``out[i] = x[i + 1] - x[i]``), after concatenating
    ``prepend`` / ``append`` along ``dim``; bool tensors give ``x[i + 1] != x[i]``."""
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = normalize_dim(dim, input.ndim)
    parts = [p for p in (prepend, input, append) if p is not None]
    if len(parts) > 1:
        parts = [p if isinstance(p, Tensor) else Tensor(np.asarray(p, dtype=input.dtype)) for p in parts]
        for p in parts:
            if p.ndim != input.ndim:
                raise RuntimeError(f"diff expects prepend or append to be the same dimension as input, got "
                                   f"{fmt_shape(p.shape)} for input {fmt_shape(input.shape)}")
        x = cat(parts, dim=d)
    else:
        x = input
    for _ in range(int(n)):
        length = x.shape[d]
        if length == 0:
            break
        hi = (builtins.slice(None),) * d + (builtins.slice(1, None),)
        lo = (builtins.slice(None),) * d + (builtins.slice(0, length - 1),)
        if x.dtype == np.bool_:
            x = Tensor._make(x._data[hi] != x._data[lo])
        else:
            x = getitem(x, hi) - getitem(x, lo)
    return x
