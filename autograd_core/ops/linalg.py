"""Matrix products: ``matmul`` (1-D, 2-D and batched with broadcasting), ``mm``, ``bmm``, ``dot``, ``outer``,
``mv``, the fused ``addmm``/``addmv``/``baddbmm``/``addbmm`` (``beta * input + alpha * product``), ``tensordot``,
``kron``, ``cross``, ``multi_dot``, ``vecdot`` and ``linear``.

Only ``matmul`` and ``linear`` have nodes of their own; the rest are compositions of them and of shape ops, so their
gradients (and higher ones) follow. Operands of a product must share a dtype, as in PyTorch.
"""
import numpy as np

from ..errors import ShapeError, fmt_shape
from ..function import Function
from ..grad_mode import is_grad_enabled
from ..tensor import Tensor
from ..shapes import normalize_dim
from .elementwise import add, c_type_name, mul, operands, sub
from .reduction import sum
from .registry import op
from .shape import expand, getitem, permute, reshape, stack, transpose, unsqueeze, squeeze


class MatMulFunction(Function):
    """``a @ b`` for operands with at least 2 dims (batch dims broadcast)."""
    derivative = "grad_a = grad @ bᵀ, grad_b = aᵀ @ grad"

    def forward(self, a, b):
        need = self.needs_input_grad   # save only what backward will read (in-place changes of the rest are fine)
        self.save_for_backward(a if need[1] else None, b if need[0] else None)
        return np.matmul(a._data, b._data)

    def backward(self, grad):
        a, b = self.saved_tensors
        need = self.needs_input_grad
        if not is_grad_enabled():   # a backward that is not recorded: the same products on the arrays
            g = grad._data
            return (Tensor._make(np.matmul(g, np.swapaxes(b._data, -1, -2))) if need[0] else None,
                    Tensor._make(np.matmul(np.swapaxes(a._data, -1, -2), g)) if need[1] else None)
        ga = grad @ transpose(b, -1, -2) if need[0] else None
        gb = transpose(a, -1, -2) @ grad if need[1] else None
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
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {c_type_name(input.dtype)} != "
                           f"{c_type_name(other.dtype)}")
    if input.ndim == 2 and other.ndim == 2:
        return MatMulFunction.apply(input, other)
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
        need = self.needs_input_grad   # save only what backward will read (in-place changes of the rest are fine)
        self.save_for_backward(x if need[1] else None, w if need[0] else None)
        self.x_shape = x.shape
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
        need = self.needs_input_grad
        if not is_grad_enabled():   # a backward that is not recorded (the usual one): one GEMM per gradient
            g = grad._data
            g2 = g.reshape(-1, g.shape[-1]) if g.ndim != 2 else g
            gx = Tensor._make(np.matmul(g2, w._data).reshape(self.x_shape)) if need[0] else None
            gw = gb = None
            if need[1]:
                xa = x._data
                gw = Tensor._make(np.matmul(g2.T, xa.reshape(-1, xa.shape[-1]) if xa.ndim != 2 else xa))
            if len(need) > 2 and need[2]:
                gb = Tensor._make(np.asarray(g2.sum(axis=0)))
            return (gx, gw, gb) if len(need) > 2 else (gx, gw)
        g2 = reshape(grad, (-1, grad.shape[-1])) if grad.ndim != 2 else grad
        gx = None
        if self.needs_input_grad[0]:
            gx = g2 @ w if grad.ndim == 2 else reshape(g2 @ w, self.x_shape)
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


# ---------------------------------------------------------------------- products built from matmul
@op
def mv(input, vec):
    """Matrix-vector product: ``(n, m) @ (m,) -> (n,)``."""
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input.ndim}, {vec.ndim}")
    if input.shape[1] != vec.shape[0]:
        raise ShapeError(f"size mismatch, got input ({input.shape[0]}), mat ({input.shape[0]}x{input.shape[1]}), "
                         f"vec ({vec.shape[0]})")
    return matmul(input, vec)


def _scaled_sum(name, input, product, beta, alpha):
    """``beta * input + alpha * product``, with ``input`` broadcast to the product's shape; ``beta = 0`` ignores
    ``input`` entirely (its NaN and inf don't propagate), as in PyTorch."""
    if input.dtype != product.dtype:
        raise RuntimeError(f"{name}: self and mat2 must have the same dtype, but got {c_type_name(input.dtype)} and "
                           f"{c_type_name(product.dtype)}")
    try:
        shape = np.broadcast_shapes(input.shape, product.shape)
    except ValueError:
        shape = None
    if shape != product.shape:
        raise ShapeError(f"{name}: input of shape {fmt_shape(input.shape)} doesn't broadcast to the product's shape "
                         f"{fmt_shape(product.shape)}")
    if alpha != 1:
        product = mul(product, alpha)
    if beta == 0:
        return product
    return add(input if beta == 1 else mul(input, beta), product)


def _need(name, t, ndim, what):
    if t.ndim != ndim:
        kind = {1: "a vector", 2: "a matrix", 3: "a 3D tensor"}[ndim]
        raise RuntimeError(f"{name}: {what} must be {kind}, got {t.ndim}-D tensor")


def _product_check(name, a, b, what=("mat1", "mat2")):
    if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
        sa = "x".join(str(n) for n in a.shape[-2:])
        sb = "x".join(str(n) for n in b.shape[-2:])
        raise ShapeError(f"{name}: {what[0]} and {what[1]} shapes cannot be multiplied ({sa} and {sb})")


@op(inplace=True)
def addmm(input, mat1, mat2, beta=1, alpha=1):
    """``beta * input + alpha * (mat1 @ mat2)`` for matrices; ``input`` broadcasts to ``(n, p)``."""
    _need("addmm", mat1, 2, "mat1")
    _need("addmm", mat2, 2, "mat2")
    _product_check("addmm", mat1, mat2)
    return _scaled_sum("addmm", input, matmul(mat1, mat2), beta, alpha)


@op(inplace=True)
def addmv(input, mat, vec, beta=1, alpha=1):
    """``beta * input + alpha * (mat @ vec)``; ``input`` broadcasts to ``(n,)``."""
    return _scaled_sum("addmv", input, mv(mat, vec), beta, alpha)


@op(inplace=True)
def baddbmm(input, batch1, batch2, beta=1, alpha=1):
    """``beta * input + alpha * bmm(batch1, batch2)``; ``input`` broadcasts to ``(b, n, p)``."""
    _need("baddbmm", batch1, 3, "batch1")
    _need("baddbmm", batch2, 3, "batch2")
    return _scaled_sum("baddbmm", input, bmm(batch1, batch2), beta, alpha)


@op(inplace=True)
def addbmm(input, batch1, batch2, beta=1, alpha=1):
    """``beta * input + alpha * sum_b batch1[b] @ batch2[b]`` (one product of the concatenated batches)."""
    _need("addbmm", batch1, 3, "batch1")
    _need("addbmm", batch2, 3, "batch2")
    if batch1.shape[0] != batch2.shape[0]:
        raise ShapeError(f"addbmm: batch1 and batch2 must have the same number of batches, got {batch1.shape[0]} and "
                         f"{batch2.shape[0]}")
    _product_check("addbmm", batch1, batch2, ("batch1", "batch2"))
    b, n, m = batch1.shape
    p = batch2.shape[2]
    flat1 = reshape(permute(batch1, 1, 0, 2), n, b * m)       # [b1 | b2 | ...] side by side
    return _scaled_sum("addbmm", input, matmul(flat1, reshape(batch2, b * m, p)), beta, alpha)


def _tensordot_dims(dims, a, b):
    if isinstance(dims, int) or (hasattr(dims, "ndim") and dims.ndim == 0):
        dims = int(dims)
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(a.ndim, b.ndim):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        return list(range(a.ndim - dims, a.ndim)), list(range(dims))
    da, db = dims[0], dims[1]
    da = [int(d) for d in (da.tolist() if hasattr(da, "tolist") else da)] if not isinstance(da, int) else [da]
    db = [int(d) for d in (db.tolist() if hasattr(db, "tolist") else db)] if not isinstance(db, int) else [db]
    if len(da) != len(db):
        raise RuntimeError(f"both dimension lists should have same length, got {len(da)} and {len(db)}")
    return [normalize_dim(d, a.ndim, "tensordot") for d in da], [normalize_dim(d, b.ndim, "tensordot") for d in db]


@op(method=False)
def tensordot(a, b, dims=2):
    """Sum of products over the last ``dims`` dims of ``a`` and the first ``dims`` of ``b``, or over the dims
    listed in ``dims = (dims_a, dims_b)``; the free dims of ``a`` then ``b`` remain."""
    da, db = _tensordot_dims(dims, a, b)
    for i, j in zip(da, db):
        if a.shape[i] != b.shape[j]:
            raise ShapeError(f"contracted dimensions need to match, but first has size {a.shape[i]} in dim {i - a.ndim}"
                             f" and second has size {b.shape[j]} in dim {j}")
    free_a = [d for d in range(a.ndim) if d not in da]
    free_b = [d for d in range(b.ndim) if d not in db]
    k = int(np.prod([a.shape[d] for d in da], dtype=np.int64))
    left = reshape(permute(a, *(free_a + da)), -1, k) if a.ndim else reshape(a, 1, 1)
    right = reshape(permute(b, *(db + free_b)), k, -1) if b.ndim else reshape(b, 1, 1)
    return reshape(matmul(left, right), *([a.shape[d] for d in free_a] + [b.shape[d] for d in free_b]))


@op
def kron(input, other):
    """The Kronecker product: block ``(i, j)`` is ``input[i, j] * other`` (shapes multiply dim by dim)."""
    nd = max(input.ndim, other.ndim)
    sa = (1,) * (nd - input.ndim) + tuple(input.shape)
    sb = (1,) * (nd - other.ndim) + tuple(other.shape)
    a = reshape(input, *[n for d in sa for n in (d, 1)])
    b = reshape(other, *[n for d in sb for n in (1, d)])
    return reshape(mul(a, b), *[x * y for x, y in zip(sa, sb)])


def _cross(input, other, dim, name):
    if input.ndim != other.ndim:
        raise RuntimeError(f"{name}: inputs must have the same number of dimensions.")
    a, b = operands(input, other)
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ShapeError(f"{name}: shapes {fmt_shape(a.shape)} and {fmt_shape(b.shape)} don't broadcast") from None
    d = normalize_dim(dim, len(shape), name)
    if a.shape[d] != 3 or b.shape[d] != 3:
        raise RuntimeError(f"{name}: inputs dimension {dim} must have length 3. Got {a.shape[d]} and {b.shape[d]}")
    a, b = expand(a, *shape), expand(b, *shape)

    def part(t, i):
        return getitem(t, (slice(None),) * d + (i,))
    a0, a1, a2 = (part(a, i) for i in range(3))
    b0, b1, b2 = (part(b, i) for i in range(3))
    return stack([sub(mul(a1, b2), mul(a2, b1)), sub(mul(a2, b0), mul(a0, b2)), sub(mul(a0, b1), mul(a1, b0))], dim=d)


@op
def cross(input, other, dim=None):
    """The 3-D cross product along ``dim`` (the first dimension of size 3 when None, with PyTorch's deprecation
    warning)."""
    if dim is None:
        from .decomposition import warn_once
        warn_once("cross", "Using torch.cross without specifying the dim arg is deprecated. Please either pass the "
                           "dim explicitly or simply use torch.linalg.cross.")
        sizes = np.broadcast_shapes(input.shape, other.shape) if input.ndim == other.ndim else input.shape
        dim = next((i for i, n in enumerate(sizes) if n == 3), -1)
    return _cross(input, other, dim, "linalg.cross")


@op(function=False, method=False)
def linalg_cross(input, other, dim=-1):
    """The 3-D cross product along ``dim`` (``torch.linalg.cross``; broadcasting)."""
    return _cross(input, other, dim, "linalg.cross")


@op(function=False, method=False)
def linalg_multi_dot(tensors):
    """``tensors[0] @ tensors[1] @ ...`` (``torch.linalg.multi_dot``): the first may be a 1-D row, the last a 1-D
    column, the others are matrices."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    for i, t in enumerate(tensors):
        allowed = (1, 2) if i in (0, len(tensors) - 1) else (2,)
        if t.ndim not in allowed:
            raise RuntimeError(f"multi_dot(): tensor {i} must be {'1D or 2D' if len(allowed) == 2 else '2D'} but "
                               f"got {t.ndim}D")
    out = tensors[0]
    for t in tensors[1:]:
        out = matmul(out, t)
    return out


@op(function=False, method=False)
def linalg_vecdot(x, y, dim=-1):
    """The dot product of vectors along ``dim`` (``torch.linalg.vecdot``; broadcasting)."""
    return sum(mul(x, y), dim=dim)
