"""Norms and distances: ``linalg.vector_norm``, ``linalg.matrix_norm``, ``linalg.norm``, ``torch.norm`` (and
``Tensor.norm``), ``dist``, ``cdist``.

``VectorNormFunction`` has PyTorch's gradient, including where the plain formula has none: 0 at a zero vector for
``ord = 2``, the gradient of ``ord = +-inf`` shared among tied extreme entries, a zero gradient for ``ord = 0``.
Matrix norms are compositions, as PyTorch writes them: ``'fro'`` is the vector 2-norm, ``1``/``inf`` the extreme
of absolute column/row sums, ``2``/``-2``/``'nuc'`` the largest/smallest/sum of the singular values.
"""
import math

import numpy as np

from ..function import Function
from ..shapes import normalize_dim, normalize_dims
from ..tensor import Tensor
from .elementwise import abs, sub, torch_type_name, where
from .reduction import amax, amin, sum
from .registry import op
from .saved import guard
from .shape import reshape, unsqueeze


def _keep(shape, dims):
    return tuple(1 if i in dims else n for i, n in enumerate(shape))


class VectorNormFunction(Function):
    derivative = "∂‖a‖_p/∂a = sign(a)·|a|^(p-1) / ‖a‖^(p-1) (0 at a = 0)"

    def forward(self, a, ord=2.0, dims=(), keepdim=False):
        self.ord, self.dims, self.keepdim = ord, dims, keepdim
        self.save_for_backward(a)
        self.save_output()
        x = np.abs(a._data)
        if ord == math.inf:
            out = x.max(axis=dims, keepdims=keepdim)
        elif ord == -math.inf:
            out = x.min(axis=dims, keepdims=keepdim)
        elif ord == 0:
            out = (x != 0).sum(axis=dims, keepdims=keepdim).astype(x.dtype)
        elif ord == 1:
            out = x.sum(axis=dims, keepdims=keepdim)
        elif ord == 2:
            out = np.sqrt((x * x).sum(axis=dims, keepdims=keepdim))
        else:
            with np.errstate(divide="ignore", over="ignore"):
                out = (x ** ord).sum(axis=dims, keepdims=keepdim) ** (1.0 / ord)
        return np.asarray(out, dtype=x.dtype)

    def backward(self, grad):
        (a,) = self.saved_tensors
        norm = self.saved_output
        p = self.ord
        if not self.keepdim and a.ndim:
            shape = _keep(a.shape, self.dims)
            grad, norm = reshape(grad, shape), reshape(norm, shape)
        if p == 0:
            return Tensor._make(np.zeros(a.shape, dtype=grad.dtype))
        if p == 1:
            return a.sign() * grad
        zero = norm._data == 0
        safe = where(zero, 1.0, norm)            # keeps 0/0 out of the graph, also for second derivatives
        if p == 2:
            return grad * where(zero, 0.0, a / safe)
        if math.isinf(p):
            mask = (np.abs(a._data) == norm._data) | np.isnan(a._data)
            share = Tensor._make((mask / mask.sum(axis=self.dims, keepdims=True)).astype(grad.dtype))
            return a.sign() * grad * share
        if p < 1:
            scaled = a.sign() * where(a._data == 0, 0.0, abs(a) ** (p - 1))
            return scaled * grad * norm ** (1 - p)
        scaled = a * abs(a) ** (p - 2) if p >= 2 else a.sign() * abs(a) ** (p - 1)
        return scaled * where(zero, 0.0, grad / safe ** (p - 1))


def _check_floating(name, input):
    if input.dtype.kind not in "fc":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{torch_type_name(input.dtype)}")


def _number_ord(name, ord):
    if isinstance(ord, str) or not isinstance(ord, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}(): argument 'ord' must be Number, not {type(ord).__name__}")
    return float(ord)


@op(function=False, method=False)
def linalg_vector_norm(x, ord=2, dim=None, keepdim=False, dtype=None):
    """The vector ``ord``-norm ``(sum |x|^ord)^(1/ord)`` over ``dim`` (all elements when None); ``ord`` may be
    ``inf`` (max ``|x|``), ``-inf`` (min), 0 (the number of nonzeros) or any real (``torch.linalg.vector_norm``)."""
    ord = _number_ord("linalg_vector_norm", ord)
    if dtype is not None:
        x = x.to(dtype)
    _check_floating("linalg.vector_norm", x)
    dims = normalize_dims(dim, x.ndim, "linalg.vector_norm")
    if math.isinf(ord) and (x.numel() == 0 and (dim is None or any(x.shape[d] == 0 for d in dims))):
        raise RuntimeError(f"linalg.vector_norm cannot compute the {ord:g} norm on an empty tensor because the "
                           f"operation does not have an identity")
    return VectorNormFunction.apply(x, ord=ord, dims=dims, keepdim=keepdim)


_MATRIX_ORDS = ("fro", "nuc", math.inf, -math.inf, 1, -1, 2, -2)


@op(function=False, method=False)
def linalg_matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, dtype=None):
    """The matrix norm over the two dims ``dim`` (``torch.linalg.matrix_norm``): ``'fro'``, ``'nuc'`` (sum of
    singular values), ``2``/``-2`` (largest/smallest singular value), ``1``/``-1`` (max/min absolute column sum),
    ``inf``/``-inf`` (max/min absolute row sum)."""
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    dim = tuple(dim) if isinstance(dim, (list, tuple)) else (dim,)
    if len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {', '.join(str(d) for d in dim)}")
    d0, d1 = (normalize_dim(d, A.ndim, "linalg.matrix_norm") for d in dim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    if ord not in _MATRIX_ORDS:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if dtype is not None:
        A = A.to(dtype)
    _check_floating("linalg.matrix_norm", A)
    if ord == "fro":
        return linalg_vector_norm(A, 2, (d0, d1), keepdim)
    if ord in ("nuc", 2, -2):
        from .decomposition import linalg_svdvals
        rest = [d for d in range(A.ndim) if d not in (d0, d1)]
        s = linalg_svdvals(A.permute(*rest, d0, d1))
        out = sum(s, dim=-1) if ord == "nuc" else (amax if ord == 2 else amin)(s, dim=-1)
        if keepdim:
            for d in sorted((d0, d1)):
                out = unsqueeze(out, d)
        return out
    if math.isinf(ord):                          # row sums: the roles of the two dims swap
        d0, d1 = d1, d0
    extreme = amax if ord > 0 else amin
    sums = linalg_vector_norm(A, 1, d0, keepdim)
    if not keepdim and d0 < d1:
        d1 -= 1
    return extreme(sums, dim=d1, keepdim=keepdim)


@op(function=False, method=False)
def linalg_norm(A, ord=None, dim=None, keepdim=False, dtype=None):
    """A vector or matrix norm, as ``torch.linalg.norm``: with ``ord=None`` the 2-norm of all elements (or over
    ``dim``); a 2-tuple ``dim``, a 2-D input without ``dim``, or a string ``ord`` give a matrix norm."""
    if dim is not None:
        dims = tuple(dim) if isinstance(dim, (list, tuple)) else (dim,)
        if len(dims) not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dims)}")
    elif ord is not None and A.ndim not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got "
                           f"{A.ndim}D.")
    if isinstance(ord, str) or (ord is not None and ((dim is not None and len(dims) == 2) or
                                                     (dim is None and A.ndim == 2))):
        return linalg_matrix_norm(A, ord, dims if dim is not None else (0, 1), keepdim, dtype)
    return linalg_vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype)


@op
def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """``torch.norm``: the 2-norm (``'fro'``, the default), any vector ``p``-norm over ``dim``, or ``'nuc'``."""
    dims = [dim] if isinstance(dim, int) else dim
    if isinstance(p, str):
        if p == "fro" and (dim is None or len(dims) <= 2):
            return linalg_vector_norm(input, 2, dims, keepdim, dtype)
        return linalg_matrix_norm(input, p, dims if dims is not None else list(range(input.ndim)), keepdim, dtype)
    return linalg_vector_norm(input, 2.0 if p is None else p, dims, keepdim, dtype)


@op
def dist(input, other, p=2):
    """The ``p``-norm of ``input - other`` (broadcasting)."""
    # PyTorch's node saves both inputs and the result: changing any in place before backward is an error
    return guard(linalg_vector_norm(sub(input, other), p), input, other, output=True, name="DistBackward0")


@op(method=False)
def cdist(x1, x2, p=2.0, compute_mode=None):
    """Pairwise ``p``-norm distances between the rows of ``x1 (*, P, M)`` and ``x2 (*, R, M)``: ``(*, P, R)``
    (batch dims broadcast). ``compute_mode`` is accepted for PyTorch's signature; distances are always computed
    directly (no ``|x|² - 2xy + |y|²`` shortcut)."""
    if x1.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {x1.ndim}D")
    if x2.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X2 got: {x2.ndim}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if x1.dtype.kind != "f" or x2.dtype.kind != "f":
        raise RuntimeError(f"cdist only supports floating-point dtypes, X1 got: {x1.dtype}, X2 got: {x2.dtype}")
    diff = sub(unsqueeze(x1, -2), unsqueeze(x2, -3))
    return guard(linalg_vector_norm(diff, p, -1), x1, x2, output=True, name="CdistBackward0")   # as PyTorch's node
