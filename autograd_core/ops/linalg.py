"""Matrix products: ``matmul`` (1-D, 2-D and batched with broadcasting), plus ``mm``, ``bmm``, ``dot``, ``outer``."""
import numpy as np

from ..errors import ShapeError, fmt_shape
from ..function import Function
from .shape import reshape, transpose, unsqueeze, squeeze


class MatMul(Function):
    """``a @ b`` for operands with at least 2 dims (batch dims broadcast)."""

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return np.matmul(a._data, b._data)

    def backward(self, grad):
        a, b = self.saved_tensors
        ga = grad @ transpose(b, -1, -2) if self.needs_input_grad[0] else None
        gb = transpose(a, -1, -2) @ grad if self.needs_input_grad[1] else None
        return ga, gb   # broadcast batch dims are summed away by the engine


def matmul(input, other):
    """Matrix product with NumPy/PyTorch semantics: 1-D operands are treated as vectors."""
    if input.ndim == 0 or other.ndim == 0:
        raise ShapeError(f"matmul: both arguments need at least 1 dimension, got shapes {fmt_shape(input.shape)} "
                         f"and {fmt_shape(other.shape)}")
    k1 = input.shape[-1]
    k2 = other.shape[-2] if other.ndim > 1 else other.shape[0]
    if k1 != k2:
        raise ShapeError(f"matmul: shapes {fmt_shape(input.shape)} and {fmt_shape(other.shape)} cannot be multiplied "
                         f"(inner dimensions {k1} and {k2} differ)")
    if input.dtype != other.dtype:
        dt = np.result_type(input._data, other._data)
        input, other = input.to(dt), other.to(dt)
    a = unsqueeze(input, 0) if input.ndim == 1 else input
    b = unsqueeze(other, -1) if other.ndim == 1 else other
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ShapeError(f"matmul: batch dimensions of shapes {fmt_shape(input.shape)} and {fmt_shape(other.shape)} "
                         f"don't broadcast") from None
    out = MatMul.apply(a, b)
    if other.ndim == 1:
        out = squeeze(out, -1)
    if input.ndim == 1:
        out = squeeze(out, -2 if other.ndim > 1 else -1)
    return out


def mm(input, mat2):
    if input.ndim != 2 or mat2.ndim != 2:
        raise ShapeError(f"mm: expects 2-D tensors, got shapes {fmt_shape(input.shape)} and {fmt_shape(mat2.shape)}")
    return matmul(input, mat2)


def bmm(input, mat2):
    if input.ndim != 3 or mat2.ndim != 3 or input.shape[0] != mat2.shape[0]:
        raise ShapeError(f"bmm: expects 3-D tensors with equal batch size, got shapes {fmt_shape(input.shape)} and "
                         f"{fmt_shape(mat2.shape)}")
    return matmul(input, mat2)


def dot(input, other):
    if input.ndim != 1 or other.ndim != 1:
        raise ShapeError(f"dot: expects 1-D tensors, got shapes {fmt_shape(input.shape)} and {fmt_shape(other.shape)}")
    return matmul(input, other)


def outer(input, vec2):
    return reshape(input, (-1, 1)) * reshape(vec2, (1, -1))
