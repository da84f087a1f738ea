"""Matrix products: ``matmul`` (1-D, 2-D and batched with broadcasting), plus ``mm``, ``bmm``, ``dot``, ``outer``."""
import numpy as np

from ..errors import ShapeError, fmt_shape
from ..function import Function
from .registry import op
from .shape import reshape, transpose, unsqueeze, squeeze


class MatMulFunction(Function):
    """``a @ b`` for operands with at least 2 dims (batch dims broadcast)."""
    derivative = "grad_a = grad @ bᵀ, grad_b = aᵀ @ grad"

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return np.matmul(a._data, b._data)

    def backward(self, grad):
        a, b = self.saved_tensors
        ga = grad @ transpose(b, -1, -2) if self.needs_input_grad[0] else None
        gb = transpose(a, -1, -2) @ grad if self.needs_input_grad[1] else None
        return ga, gb   # broadcast batch dims are summed away by the engine


@op
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
    out = MatMulFunction.apply(a, b)
    if other.ndim == 1:
        out = squeeze(out, -1)
    if input.ndim == 1:
        out = squeeze(out, -2 if other.ndim > 1 else -1)
    return out


@op
def mm(input, mat2):
    """Product of two 2-D tensors."""
    if input.ndim != 2 or mat2.ndim != 2:
        raise ShapeError(f"mm: expects 2-D tensors, got shapes {fmt_shape(input.shape)} and {fmt_shape(mat2.shape)}")
    return matmul(input, mat2)


@op
def bmm(input, mat2):
    """Batched product of two 3-D tensors with equal batch size: ``(B, n, m) @ (B, m, p)``."""
    if input.ndim != 3 or mat2.ndim != 3 or input.shape[0] != mat2.shape[0]:
        raise ShapeError(f"bmm: expects 3-D tensors with equal batch size, got shapes {fmt_shape(input.shape)} and "
                         f"{fmt_shape(mat2.shape)}")
    return matmul(input, mat2)


@op
def dot(input, other):
    """Inner product of two 1-D tensors."""
    if input.ndim != 1 or other.ndim != 1:
        raise ShapeError(f"dot: expects 1-D tensors, got shapes {fmt_shape(input.shape)} and {fmt_shape(other.shape)}")
    return matmul(input, other)


@op
def outer(input, vec2):
    """Outer product of two 1-D tensors: ``(n,), (m,) -> (n, m)``."""
    return reshape(input, (-1, 1)) * reshape(vec2, (1, -1))


class LinearFunction(Function):
    """``input @ weight.T + bias`` as one node (the hot path of every MLP): no transposed copy of the weight and a
    weight gradient that comes out contiguous."""
    derivative = "out = x Wᵀ + b: grad_x = grad @ W, grad_W = gradᵀ @ x, grad_b = Σ grad over the batch"

    def forward(self, x, w, b=None):
        self.save_for_backward(x, w)
        xa = x._data
        if xa.ndim > 2:   # one 2-D GEMM: numpy's batched matmul runs one small threaded GEMM per leading index
            out = np.matmul(xa.reshape(-1, xa.shape[-1]), w._data.T).reshape(xa.shape[:-1] + (w.shape[0],))
        else:
            out = np.matmul(xa, w._data.T)
        if b is not None:
            out += b._data
        return out

    def backward(self, grad):
        x, w = self.saved_tensors
        g2 = reshape(grad, (-1, grad.shape[-1])) if grad.ndim != 2 else grad
        gx = None
        if self.needs_input_grad[0]:
            gx = g2 @ w if grad.ndim == 2 else reshape(g2 @ w, x.shape)
        gw = gb = None
        if self.needs_input_grad[1]:
            x2 = reshape(x, (-1, x.shape[-1])) if x.ndim != 2 else x
            gw = transpose(g2, 0, 1) @ x2
        if len(self.needs_input_grad) > 2 and self.needs_input_grad[2]:
            gb = grad.sum(dim=tuple(range(grad.ndim - 1))) if grad.ndim > 1 else grad
        return (gx, gw, gb) if len(self.needs_input_grad) > 2 else (gx, gw)


@op(method=False)
def linear(input, weight, bias=None):
    """``y = input @ weight.T + bias`` (PyTorch's ``F.linear``).

    Shape:
        input ``(*, in_features)``, weight ``(out_features, in_features)``, bias ``(out_features,)``,
        output ``(*, out_features)``.
    """
    if weight.ndim != 2 or input.ndim == 0 or input.shape[-1] != weight.shape[1]:
        raise ShapeError(f"linear: input of shape {fmt_shape(input.shape)} doesn't match weight of shape "
                         f"{fmt_shape(weight.shape)} (expected input (*, {weight.shape[-1] if weight.ndim else '?'}))")
    if bias is not None and bias.shape != (weight.shape[0],):
        raise ShapeError(f"linear: bias of shape {fmt_shape(bias.shape)} doesn't match weight of shape "
                         f"{fmt_shape(weight.shape)}")
    if input.dtype != weight.dtype:
        raise TypeError(f"linear: input dtype {input.dtype} and weight dtype {weight.dtype} differ; cast the input "
                        f"(x.to({weight.dtype})) or the model (model.to(...))")
    if input.ndim == 1:
        return squeeze(LinearFunction.apply(unsqueeze(input, 0), weight, *(() if bias is None else (bias,))), 0)
    return LinearFunction.apply(input, weight, *(() if bias is None else (bias,)))
