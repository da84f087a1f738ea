"""Reductions: sum, mean, var/std (and var_mean/std_mean), max/min (global, along a dim, elementwise with a second
tensor, amax/amin, aminmax), argmax/argmin, logsumexp, softmax and log_softmax.

Gradient conventions follow PyTorch: ``max()``/``amax`` share the gradient equally among tied maxima;
``max(dim)`` sends it to the index it returns (the first maximum).
"""
import numpy as np

from .. import return_types
from ..function import Function
from .registry import op
from ..shapes import normalize_dim, normalize_dims
from ..tensor import Tensor
from .saved import guard
from .shape import expand, reshape


def _keepdim_shape(shape, dims):
    return tuple(1 if i in dims else n for i, n in enumerate(shape))


def _unreduce(grad, in_shape, dims, keepdim):
    """Broadcast a reduced gradient back over the input's shape (a differentiable expand)."""
    if not keepdim:
        grad = reshape(grad, _keepdim_shape(in_shape, dims))
    return expand(grad, in_shape)


class SumFunction(Function):
    derivative = "∂out/∂a = 1: the gradient is copied back over the summed elements"
    def forward(self, a, dims=None, keepdim=False):
        self.in_shape, self.dims, self.keepdim = a.shape, dims, keepdim
        out = a._data.sum(axis=dims, keepdims=keepdim)
        return out if isinstance(out, np.ndarray) else np.asarray(out)

    def backward(self, grad):
        return _unreduce(grad, self.in_shape, self.dims, self.keepdim)


class AmaxFunction(Function):
    """max/min over dims with the gradient shared among ties."""
    label = "amax"
    derivative = "1 at the maximum (shared among ties), 0 elsewhere"

    def forward(self, a, dims=None, keepdim=False, is_min=False, nan_wins=False):
        self.in_shape, self.dims, self.keepdim = a.shape, dims, keepdim
        x = a._data
        if x.size == 0:
            name = "amin" if is_min else "amax"
            if not dims:
                raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                                   f"Specify the reduction dim with the 'dim' argument.")
            empty = next((d for d in dims if x.shape[d] == 0), None)
            if empty is not None:
                raise IndexError(f"{name}(): Expected reduction dim {empty} to have non-zero size.")
        m = (x.min if is_min else x.max)(axis=dims, keepdims=True)
        self.save_for_backward(a)   # for the in-place checks only: PyTorch rejects changes of input and output
        self.save_output()
        # max()/min() of everything: a NaN result takes the whole gradient to the NaN positions (PyTorch)
        mask = np.isnan(x) if nan_wins and np.isnan(m).any() else (x == m)
        with np.errstate(invalid="ignore"):   # a NaN in amax(dim): 0/0, a NaN gradient (as PyTorch's)
            self.weights = mask / mask.sum(axis=dims, keepdims=True).astype(x.dtype)
        return m if keepdim else np.asarray(m.reshape([n for i, n in enumerate(m.shape) if i not in dims]))

    def backward(self, grad):
        self.saved_tensors, self.saved_output   # noqa: B018  (raise if input or output changed in place)
        return _unreduce(grad, self.in_shape, self.dims, self.keepdim) * Tensor._make(self.weights.astype(grad.dtype))


class MaxFunction(Function):
    """Values of max/min along one dim; the gradient goes to the returned index."""
    label = "max"
    derivative = "1 at the index of the maximum, 0 elsewhere"

    def forward(self, a, dim=0, keepdim=False, is_min=False):
        x = a._data
        if x.shape and x.shape[dim] == 0:
            raise IndexError(f"{'min' if is_min else 'max'}(): Expected reduction dim {dim} to have non-zero size.")
        idx = (np.argmin if is_min else np.argmax)(x, axis=dim, keepdims=True)
        self.in_shape, self.dim, self.keepdim, self.idx = a.shape, dim, keepdim, idx
        vals = np.take_along_axis(x, idx, axis=dim)
        return vals if keepdim else np.squeeze(vals, axis=dim)

    def backward(self, grad):
        mask = np.zeros(self.in_shape, dtype=grad.dtype)
        np.put_along_axis(mask, self.idx, 1, axis=self.dim)
        return _unreduce(grad, self.in_shape, (self.dim,), self.keepdim) * Tensor._make(mask)


class SoftmaxFunction(Function):
    derivative = "grad_a = out·(grad - Σ grad·out)"
    def forward(self, a, dim=-1):
        self.dim = dim
        self.save_output()
        x = a._data
        e = np.exp(x - x.max(axis=dim, keepdims=True, initial=-np.inf))   # initial: an empty dim is fine
        e /= e.sum(axis=dim, keepdims=True)
        return e

    def backward(self, grad):
        y = self.saved_output
        return y * (grad - (grad * y).sum(dim=self.dim, keepdim=True))


class LogSoftmaxFunction(Function):
    derivative = "grad_a = grad - softmax(a)·Σ grad"
    def forward(self, a, dim=-1):
        self.dim = dim
        self.save_output()
        x = a._data
        shifted = x - x.max(axis=dim, keepdims=True, initial=-np.inf)
        with np.errstate(divide="ignore"):   # an empty dim (or a row of -inf): log(0)
            return shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))

    def backward(self, grad):
        y = self.saved_output
        return grad - y.exp() * grad.sum(dim=self.dim, keepdim=True)


# ---------------------------------------------------------------------- functions
@op
def sum(input, dim=None, keepdim=False, dtype=None):
    """Sum over ``dim`` (int, tuple or None for all)."""
    if dtype is not None:
        input = input.to(dtype)
    elif input.dtype.kind in "bi" and input.dtype != np.int64:
        input = input.to(np.int64)   # PyTorch sums bool/int tensors as int64
    dims = normalize_dims(dim, input.ndim, "sum")
    return SumFunction.apply(input, dims=dims, keepdim=keepdim)


@op
def mean(input, dim=None, keepdim=False, dtype=None):
    """Mean over ``dim`` (int, tuple or None for all); floating inputs only (as PyTorch)."""
    if dtype is not None:
        input = input.to(dtype)
    if input.dtype.kind not in "fc":
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be floating point, got "
                           f"{input.dtype}; use .float() first")
    dims = normalize_dims(dim, input.ndim, "mean")
    n = 1
    for d in dims:
        n *= input.shape[d]
    return SumFunction.apply(input, dims=dims, keepdim=keepdim) * (1.0 / n if n else float("nan"))


@op
def var(input, dim=None, unbiased=None, keepdim=False, correction=None):
    """Variance; ``correction=1`` (default, Bessel) or ``unbiased=False`` for the population variance
    (``var(x, False)`` is ``var(x, unbiased=False)``, as PyTorch's overload)."""
    return guard(_var(input, dim, unbiased, keepdim, correction, "var"), input, name="VarBackward0")


def _var(input, dim, unbiased, keepdim, correction, name):
    """The variance as a composite of ops (var and std put PyTorch's saved-input check on top)."""
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    dims = normalize_dims(dim, input.ndim, name)
    n = 1
    for d in dims:
        n *= input.shape[d]
    centered = input - mean(input, dim=dims, keepdim=True)
    dof = n - correction
    return sum(centered * centered, dim=dims, keepdim=keepdim) * (1.0 / dof if dof > 0 else float("nan"))


@op
def std(input, dim=None, unbiased=None, keepdim=False, correction=None):
    """Standard deviation: the square root of :func:`var` (same arguments)."""
    out = _var(input, dim, unbiased, keepdim, correction, "std").sqrt()
    return guard(out, input, output=True, name="StdBackward0")    # PyTorch's node saves input and result


@op(method=False)
def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var(input, ...), mean(input, ...))`` over the same dims, as a tuple (arguments as :func:`var`)."""
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    return var(input, dim, unbiased, keepdim, correction), mean(input, dim, keepdim)


@op(method=False)
def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std(input, ...), mean(input, ...))`` over the same dims, as a tuple (arguments as :func:`var`)."""
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    return std(input, dim, unbiased, keepdim, correction), mean(input, dim, keepdim)


def _max_min(input, dim, keepdim, other, is_min):
    name = "min" if is_min else "max"
    if isinstance(dim, Tensor):   # max(a, b) elementwise, as torch.max(input, other)
        dim, other = None, dim
    if other is not None:
        if not isinstance(other, Tensor):
            raise TypeError(f"{name}(): argument 'other' must be a Tensor, not {type(other).__name__}")
        from .elementwise import maximum, minimum
        return (minimum if is_min else maximum)(input, other)
    if dim is None:
        if input.numel() == 0:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                               f"Specify the reduction dim with the 'dim' argument.")
        return AmaxFunction.apply(input, dims=tuple(range(input.ndim)), keepdim=False, is_min=is_min, nan_wins=True)
    d = normalize_dim(dim, input.ndim, name)
    result = getattr(return_types, name)
    if input.ndim == 0:
        return result(input, Tensor._make(np.asarray(0, dtype=np.int64)))
    values = MaxFunction.apply(input, dim=d, keepdim=keepdim, is_min=is_min)
    idx = (np.argmin if is_min else np.argmax)(input._data, axis=d, keepdims=keepdim)
    return result(values, Tensor._make(np.asarray(idx, dtype=np.int64)))


@op
def max(input, dim=None, keepdim=False, *, other=None):
    """``max(x)``: the largest element; ``max(x, dim)``: ``(values, indices)`` along ``dim`` (the first maximum);
    ``max(x, y)`` (or ``other=y``): the elementwise maximum."""
    return _max_min(input, dim, keepdim, other, False)


@op
def min(input, dim=None, keepdim=False, *, other=None):
    """``min(x)``: the smallest element; ``min(x, dim)``: ``(values, indices)`` along ``dim`` (the first minimum);
    ``min(x, y)`` (or ``other=y``): the elementwise minimum."""
    return _max_min(input, dim, keepdim, other, True)


@op
def amax(input, dim=(), keepdim=False):
    """Maximum over ``dim`` (all dims by default); the gradient is shared equally among tied maxima."""
    if dim in ((), None) and input.numel() == 0:
        raise RuntimeError("amax(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
                           "reduction dim with the 'dim' argument.")
    dims = normalize_dims(None if dim in ((), None) else dim, input.ndim, "amax")
    return AmaxFunction.apply(input, dims=dims, keepdim=keepdim, is_min=False)


@op
def amin(input, dim=(), keepdim=False):
    """Minimum over ``dim`` (all dims by default); the gradient is shared equally among tied minima."""
    if dim in ((), None) and input.numel() == 0:
        raise RuntimeError("amin(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
                           "reduction dim with the 'dim' argument.")
    dims = normalize_dims(None if dim in ((), None) else dim, input.ndim, "amin")
    return AmaxFunction.apply(input, dims=dims, keepdim=keepdim, is_min=True)


@op
def aminmax(input, *, dim=None, keepdim=False):
    """``(min, max)`` over all elements or along ``dim``, as :func:`amin` and :func:`amax` (ties share the
    gradient)."""
    if dim is None:
        if input.numel() == 0:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
                               "identity.")
        dims = tuple(range(input.ndim))
    else:
        dims = (normalize_dim(dim, input.ndim, "aminmax"),) if input.ndim else ()
        if dims and input.shape[dims[0]] == 0:
            raise IndexError(f"aminmax: Expected reduction dim {dims[0]} to have non-zero size.")
    lo = AmaxFunction.apply(input, dims=dims, keepdim=keepdim, is_min=True)
    hi = AmaxFunction.apply(input, dims=dims, keepdim=keepdim, is_min=False)
    return return_types.aminmax(lo, hi)


def _arg_extreme(f, name, input, dim, keepdim):
    if dim is None:
        idx = f(input._data)
        return Tensor._make(np.asarray(idx, dtype=np.int64).reshape((1,) * input.ndim if keepdim else ()))
    d = normalize_dim(dim, input.ndim, name)
    return Tensor._make(np.asarray(f(input._data, axis=d, keepdims=keepdim), dtype=np.int64))


@op(differentiable=False)
def argmax(input, dim=None, keepdim=False):
    """Index of the largest value (of the flattened tensor when ``dim`` is None); int64, no gradient."""
    return _arg_extreme(np.argmax, "argmax", input, dim, keepdim)


@op(differentiable=False)
def argmin(input, dim=None, keepdim=False):
    """Index of the smallest value (of the flattened tensor when ``dim`` is None); int64, no gradient."""
    return _arg_extreme(np.argmin, "argmin", input, dim, keepdim)


@op
def logsumexp(input, dim, keepdim=False):
    """``log(sum(exp(x)))`` along ``dim``, computed stably by shifting by the maximum."""
    dims = normalize_dims(dim, input.ndim, "logsumexp")
    m = input._data.max(axis=dims, keepdims=True) if input.numel() else np.zeros(())
    m = np.where(np.isfinite(m), m, 0).astype(input.dtype)
    mt = Tensor._make(m)
    out = ((input - mt).exp().sum(dim=dims, keepdim=True)).log() + mt
    out = out if keepdim else reshape(out, [n for i, n in enumerate(out.shape) if i not in dims])
    return guard(out, input, output=True, name="LogsumexpBackward0")   # PyTorch's node saves input and result


def _softmax_dim(ndim):
    return 0 if ndim in (0, 1, 3) else 1   # PyTorch's legacy implicit choice


@op
def softmax(input, dim=None, dtype=None):
    """``exp(x) / sum(exp(x))`` along ``dim``, shifted by the maximum so it never overflows."""
    if dtype is not None:
        input = input.to(dtype)
    d = normalize_dim(_softmax_dim(input.ndim) if dim is None else dim, input.ndim, "softmax")
    return SoftmaxFunction.apply(input, dim=d)


@op
def log_softmax(input, dim=None, dtype=None):
    """``x - logsumexp(x)`` along ``dim``, computed stably."""
    if dtype is not None:
        input = input.to(dtype)
    d = normalize_dim(_softmax_dim(input.ndim) if dim is None else dim, input.ndim, "log_softmax")
    return LogSoftmaxFunction.apply(input, dim=d)


@op
def prod(input, dim=None, keepdim=False):
    """Product; written as exp(sum(log|x|)) with the sign restored would lose zeros, so it is a plain op whose
    gradient is computed for inputs without zeros and by the explicit leave-one-out product otherwise."""
    dims = normalize_dims(dim, input.ndim, "prod")
    return ProdFunction.apply(input, dims=dims, keepdim=keepdim)


class ProdFunction(Function):
    derivative = "∂out/∂aᵢ = product of the other elements"
    def forward(self, a, dims=None, keepdim=False):
        self.save_for_backward(a)
        self.save_output()
        self.dims, self.keepdim = dims, keepdim
        return np.asarray(a._data.prod(axis=dims, keepdims=keepdim))

    def backward(self, grad):
        (a,) = self.saved_tensors
        x = a._data
        if np.any(x == 0):
            # leave-one-out products, exact with zeros (not differentiable twice)
            moved = np.moveaxis(x, self.dims, tuple(range(len(self.dims))))
            flat = moved.reshape((-1,) + moved.shape[len(self.dims):])
            left = np.cumprod(np.concatenate([np.ones_like(flat[:1]), flat[:-1]]), axis=0)
            right = np.cumprod(np.concatenate([np.ones_like(flat[:1]), flat[::-1][:-1]]), axis=0)[::-1]
            loo = (left * right).reshape(moved.shape)
            loo = np.moveaxis(loo, tuple(range(len(self.dims))), self.dims)
            return _unreduce(grad, x.shape, self.dims, self.keepdim) * Tensor._make(loo)
        out = self.saved_output
        out_k = out if self.keepdim else reshape(out, _keepdim_shape(x.shape, self.dims))
        return _unreduce(grad, x.shape, self.dims, self.keepdim) * out_k / a
