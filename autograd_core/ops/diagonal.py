"""Diagonals: ``diagonal`` (a view of one diagonal of two dimensions), its adjoint ``diag_embed``, ``diag`` and
``trace``.

``DiagonalFunction`` and ``DiagonalScatterFunction`` are each other's backward (taking a diagonal and writing one
into zeros), so both are differentiable to any order. The diagonal is a strided view of the input, writable as in
PyTorch (``x.diagonal().zero_()`` changes ``x``).
"""
import numpy as np

from ..function import Function
from ..shapes import normalize_dim
from .reduction import sum
from .registry import op


def _diagonal_view(x, offset, dim1, dim2):
    """A strided view of ``x``'s diagonal ``offset`` of dims ``dim1, dim2`` as the last axis (writable when ``x``
    is)."""
    n1, n2 = x.shape[dim1], x.shape[dim2]
    length = max(0, min(n1, n2 - offset) if offset >= 0 else min(n1 + offset, n2))
    rest = [d for d in range(x.ndim) if d not in (dim1, dim2)]
    shape = tuple(x.shape[d] for d in rest) + (length,)
    if length == 0 or 0 in shape:
        return np.zeros(shape, dtype=x.dtype)
    strides = tuple(x.strides[d] for d in rest) + (x.strides[dim1] + x.strides[dim2],)
    key = [slice(None)] * x.ndim
    key[dim2 if offset >= 0 else dim1] = slice(abs(offset), None)
    first = x[tuple(key)]                  # a view starting at the diagonal's first element
    return np.lib.stride_tricks.as_strided(first, shape=shape, strides=strides, writeable=x.flags.writeable)


class DiagonalFunction(Function):
    derivative = "the gradient goes back onto the diagonal, 0 elsewhere"
    is_view = True

    def forward(self, a, offset=0, dim1=0, dim2=1):
        self.in_shape, self.offset, self.dim1, self.dim2 = a.shape, offset, dim1, dim2
        return _diagonal_view(a._data, offset, dim1, dim2)

    def backward(self, grad):
        return DiagonalScatterFunction.apply(grad, shape=self.in_shape, offset=self.offset, dim1=self.dim1,
                                             dim2=self.dim2)


class DiagonalScatterFunction(Function):
    """Zeros of ``shape`` with ``a`` written on the diagonal ``offset`` of dims ``dim1, dim2``."""
    label = "diag_embed"
    derivative = "the gradient's diagonal"

    def forward(self, a, shape=None, offset=0, dim1=0, dim2=1):
        self.offset, self.dim1, self.dim2 = offset, dim1, dim2
        out = np.zeros(shape, dtype=a.dtype)
        _diagonal_view(out, offset, dim1, dim2)[...] = a._data
        return out

    def backward(self, grad):
        return DiagonalFunction.apply(grad, offset=self.offset, dim1=self.dim1, dim2=self.dim2)


def _take_diagonal(input, offset, dim1, dim2, name):
    if input.ndim < 2:
        raise RuntimeError(f"{name}: expected a tensor with at least 2 dimensions, got {input.ndim}")
    d1, d2 = _two_dims(dim1, dim2, input.ndim, name)
    return DiagonalFunction.apply(input, offset=int(offset), dim1=d1, dim2=d2)


def _two_dims(dim1, dim2, ndim, name):
    d1, d2 = normalize_dim(dim1, ndim, name), normalize_dim(dim2, ndim, name)
    if d1 == d2:
        raise RuntimeError(f"{name}: diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


@op
def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal ``offset`` (above the main one when positive) of the 2-D slices over ``dim1, dim2``, as the last
    dimension; a view of ``input``."""
    return _take_diagonal(input, offset, dim1, dim2, "diagonal")


@op
def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Matrices (over output dims ``dim1, dim2``) whose diagonal ``offset`` is ``input``'s last dimension, zeros
    elsewhere."""
    ndim = input.ndim + 1
    d1, d2 = _two_dims(dim1, dim2, ndim, "diag_embed")
    n = input.shape[-1] + abs(int(offset)) if input.ndim else 1 + abs(int(offset))
    rest = iter(input.shape[:-1])
    shape = tuple(n if d in (d1, d2) else next(rest) for d in range(ndim))
    return DiagonalScatterFunction.apply(input, shape=shape, offset=int(offset), dim1=d1, dim2=d2)


@op
def diag(input, diagonal=0):
    """A 1-D tensor as the diagonal ``diagonal`` of a square matrix, or the diagonal ``diagonal`` of a matrix as
    a 1-D tensor."""
    if input.ndim == 1:
        return diag_embed(input, offset=diagonal)
    if input.ndim == 2:
        return _take_diagonal(input, diagonal, 0, 1, "diag")
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")


@op
def trace(input):
    """The sum of a matrix's main diagonal (integers sum as int64)."""
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    return sum(diagonal(input))
