"""Inverses, determinants and linear solves: ``inv``, ``det``, ``slogdet``/``logdet``, ``solve``, ``pinv``,
``matrix_power`` (batched over leading dims, as PyTorch).

Backward passes, in Tensor ops so they differentiate again:

* ``inv``: ``gA = -A⁻ᵀ gX A⁻ᵀ`` from the saved inverse;
* ``det``: ``gA = g det(A) A⁻ᵀ``; for a singular matrix the cofactor matrix ``det(U)det(V) U diag(prod_{j≠i} s_j) Vᵀ``
  of its SVD (a constant there: not differentiable twice at singular matrices);
* ``slogdet``: ``g A⁻ᵀ`` for ``logabsdet`` (the sign has no gradient);
* ``solve`` ``X = A⁻¹ B``: ``gB = A⁻ᵀ gX``, ``gA = -gB Xᵀ``;
* ``pinv``: PyTorch's formula for the pseudo-inverse's derivative (valid where the rank doesn't change).
"""
from collections import namedtuple

import numpy as np

from ..errors import LinAlgError, ShapeError
from ..function import Function
from ..tensor import Tensor
from .decomposition import check_matrix
from .elementwise import torch_type_name, where
from .linalg import matmul
from .registry import op
from .shape import expand, squeeze, unsqueeze

Slogdet = namedtuple("slogdet", ["sign", "logabsdet"])


def _mT(t):
    return t.transpose(-2, -1)


def _eye_like(A):
    return Tensor._make(np.broadcast_to(np.eye(A.shape[-1], dtype=A.dtype), A.shape).copy())


class InvFunction(Function):
    label = "inv"
    derivative = "gA = -A⁻ᵀ gX A⁻ᵀ"
    grad_name = "LinalgInvExBackward0"

    def forward(self, a):
        try:
            out = np.linalg.inv(a._data)
        except np.linalg.LinAlgError:
            raise LinAlgError("linalg.inv: The diagonal element 1 is zero, the inversion could not be completed "
                              "because the input matrix is singular.") from None
        self.save_output()
        return out

    def backward(self, grad):
        inv_t = _mT(self.saved_output)
        return -(inv_t @ grad @ inv_t)


@op
def inverse(input):
    """The inverse of a square matrix (``torch.inverse``, ``torch.linalg.inv``); singular matrices raise
    :class:`~autograd_core.errors.LinAlgError`."""
    check_matrix("linalg.inv", input)
    return InvFunction.apply(input)


def _cofactor(x):
    """The cofactor matrices ``det(A) A⁻ᵀ`` of a batch, exact for singular ones too (via the SVD)."""
    U, S, Vh = np.linalg.svd(x)
    n = S.shape[-1]
    loo = np.ones_like(S)
    for i in range(n):
        loo[..., i] = np.prod(np.delete(S, i, axis=-1), axis=-1)
    sign = np.linalg.det(U) * np.linalg.det(Vh)
    return sign[..., None, None] * ((U * loo[..., None, :]) @ Vh)


class DetFunction(Function):
    label = "det"
    derivative = "gA = g·det(A)·A⁻ᵀ (the cofactor matrix)"
    grad_name = "LinalgDetBackward0"

    def forward(self, a):
        self.save_for_backward(a)
        self.save_output()
        return np.asarray(np.linalg.det(a._data))

    def backward(self, grad):
        (a,) = self.saved_tensors
        det = self.saved_output
        g = unsqueeze(unsqueeze(grad, -1), -1)
        if np.any(det._data == 0) or not np.all(np.isfinite(det._data)):
            return g * Tensor._make(_cofactor(a._data).astype(grad.dtype))
        return g * unsqueeze(unsqueeze(det, -1), -1) * _mT(inverse(a))


@op
def det(input):
    """The determinant of a square matrix (``torch.det``, ``torch.linalg.det``)."""
    check_matrix("linalg.det", input)
    return DetFunction.apply(input)


class LogabsdetFunction(Function):
    label = "slogdet"
    derivative = "∂log|det A|/∂A = A⁻ᵀ"
    grad_name = "LinalgSlogdetBackward0"

    def forward(self, a):
        self.save_for_backward(a)
        sign, logabs = np.linalg.slogdet(a._data)
        self.sign = np.asarray(sign)
        return np.asarray(logabs)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return unsqueeze(unsqueeze(grad, -1), -1) * _mT(inverse(a))


@op
def slogdet(input):
    """``(sign, logabsdet)`` with ``det(A) = sign * exp(logabsdet)``, without over- or underflow; only
    ``logabsdet`` has a gradient (``torch.slogdet``, ``torch.linalg.slogdet``)."""
    check_matrix("linalg.slogdet", input)
    logabs = LogabsdetFunction.apply(input)
    sign = np.linalg.slogdet(input._data)[0] if logabs.grad_fn is None else logabs.grad_fn.sign
    return Slogdet(Tensor._make(np.asarray(sign, dtype=input.dtype)), logabs)


@op
def logdet(input):
    """``log(det(A))``: NaN for a negative determinant, ``-inf`` for a singular matrix."""
    sign, logabs = slogdet(input)
    return where(sign._data < 0, float("nan"), logabs)


def _is_vector_rhs(A, B):
    return B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])


class SolveFunction(Function):
    label = "solve"
    derivative = "X = A⁻¹B: gB = A⁻ᵀ gX, gA = -gB Xᵀ"
    grad_name = "LinalgSolveExBackward0"

    def forward(self, a, b):
        try:
            x = np.linalg.solve(a._data, b._data)
        except np.linalg.LinAlgError:
            raise LinAlgError("torch.linalg.solve: The solver failed because the input matrix is singular.") from None
        if self.needs_input_grad[0]:
            self.save_output()
        self.save_for_backward(a)
        return x

    def backward(self, grad):
        (a,) = self.saved_tensors
        gb = linalg_solve(_mT(a), grad)
        ga = -(gb @ _mT(self.saved_output)) if self.needs_input_grad[0] else None
        return ga, gb


@op(function=False, method=False)
def linalg_solve(A, B, left=True):
    """The solution ``X`` of ``A X = B`` (``left=False``: ``X A = B``), batched with broadcasting; ``B`` may be a
    vector (or a batch of vectors of shape ``A.shape[:-1]``) (``torch.linalg.solve``)."""
    check_matrix("linalg.solve", A)
    if A.dtype != B.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
                           f"{torch_type_name(A.dtype)} and B of type {torch_type_name(B.dtype)} instead")
    if not left:
        return _mT(linalg_solve(_mT(A), _mT(B)))
    vector = _is_vector_rhs(A, B)
    b = unsqueeze(B, -1) if vector else B
    if b.ndim < 2 or b.shape[-2] != A.shape[-1]:
        shape_b = "x".join(str(n) for n in b.shape[-2:]) if b.ndim >= 2 else str(b.shape[-1])
        raise ShapeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
                         f"({A.shape[-2]}x{A.shape[-1]} and {shape_b})")
    try:
        batch = np.broadcast_shapes(A.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ShapeError(f"linalg.solve: the batch dimensions of A {tuple(A.shape)} and B {tuple(B.shape)} don't "
                         f"broadcast") from None
    a = expand(A, *(batch + A.shape[-2:])) if A.shape[:-2] != batch else A
    b = expand(b, *(batch + b.shape[-2:])) if b.shape[:-2] != batch else b
    x = SolveFunction.apply(a, b)
    return squeeze(x, -1) if vector else x


class PinvFunction(Function):
    label = "pinv"
    derivative = "PyTorch's pinv_backward: the derivative of A⁺ where the rank of A is constant"
    grad_name = "LinalgPinvBackward0"

    def forward(self, a, atol=0.0, rtol=None, hermitian=False):
        x = a._data
        m, n = x.shape[-2:]
        if rtol is None:
            rtol = np.finfo(x.dtype).eps * max(m, n) if atol <= 0 else 0.0
        if hermitian:
            w, V = np.linalg.eigh(x)
            big = np.abs(w).max(axis=-1, keepdims=True) if w.shape[-1] else np.zeros(w.shape[:-1] + (1,))
            keep = np.abs(w) > np.maximum(atol, rtol * big)
            winv = np.where(keep, 1.0 / np.where(keep, w, 1.0), 0.0).astype(x.dtype)
            out = (V * winv[..., None, :]) @ np.swapaxes(V, -1, -2)
        else:
            U, S, Vh = np.linalg.svd(x, full_matrices=False)
            big = S[..., :1] if S.shape[-1] else np.zeros(S.shape[:-1] + (1,))
            keep = S > np.maximum(atol, rtol * big)
            sinv = np.where(keep, 1.0 / np.where(keep, S, 1.0), 0.0).astype(x.dtype)
            out = (np.swapaxes(Vh, -1, -2) * sinv[..., None, :]) @ np.swapaxes(U, -1, -2)
        self.save_for_backward(a)
        self.save_output()
        return out.astype(x.dtype, copy=False)

    def backward(self, grad):
        (A,) = self.saved_tensors
        P = self.saved_output
        m, n = A.shape[-2:]
        Pt, gt = _mT(P), _mT(grad)
        if m <= n:
            K = gt @ P
            KPt = K @ Pt
            return -_mT(P @ K) + KPt - (A @ P) @ KPt + (Pt @ P) @ (gt - K @ A)
        K = P @ gt
        PtK = Pt @ K
        return -_mT(K @ P) + (gt - A @ K) @ P @ Pt + PtK - PtK @ P @ A


def _tol(v):
    if v is None:
        return None
    return float(v._data.max()) if isinstance(v, Tensor) else float(v)


@op(function=False, method=False)
def linalg_pinv(A, atol=None, rtol=None, hermitian=False):
    """The Moore-Penrose pseudo-inverse (``torch.linalg.pinv``): singular values below
    ``max(atol, rtol * largest)`` are treated as zero (``rtol`` defaults to ``eps * max(m, n)`` unless a positive
    ``atol`` is given); ``hermitian=True`` uses the symmetric eigendecomposition."""
    check_matrix("linalg.pinv", A, square=hermitian)
    return PinvFunction.apply(A, atol=_tol(atol) or 0.0, rtol=_tol(rtol), hermitian=bool(hermitian))


@op
def pinverse(input, rcond=1e-15):
    """``torch.pinverse``: the pseudo-inverse with singular values below ``rcond * largest`` treated as zero."""
    return linalg_pinv(input, rtol=rcond)


@op
def matrix_power(input, n):
    """``A @ A @ ... @ A`` (``n`` times; the identity for ``n = 0``, powers of the inverse for ``n < 0``), by
    repeated squaring in PyTorch's order."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"linalg_matrix_power(): argument 'n' (position 2) must be int, not {type(n).__name__}")
    if input.ndim < 2:
        raise RuntimeError("linalg.matrix_power: The input tensor A must have at least 2 dimensions.")
    if input.shape[-1] != input.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but they are "
                           f"{input.shape[-2]} by {input.shape[-1]} matrices")
    n = int(n)
    if n == 0:
        return _eye_like(input)
    a = inverse(input) if n < 0 else input
    if abs(n) == 1:
        return a.clone() if n > 0 else a
    z = result = None
    n = abs(n)
    while n > 0:
        bit = n % 2
        n //= 2
        z = a if z is None else matmul(z, z)
        if bit:
            result = z if result is None else matmul(result, z)
    return result


@op(function=False, method=False, differentiable=False)
def linalg_matrix_rank(A, atol=None, rtol=None, hermitian=False):
    """The number of singular values above ``max(atol, rtol * largest)`` (``torch.linalg.matrix_rank``; ``rtol``
    defaults to ``eps * max(m, n)`` unless a positive ``atol`` is given); int64."""
    check_matrix("linalg.matrix_rank", A, square=hermitian)
    x = A._data
    atol, rtol = _tol(atol) or 0.0, _tol(rtol)
    if rtol is None:
        rtol = np.finfo(x.dtype).eps * max(x.shape[-2:]) if atol <= 0 else 0.0
    s = np.abs(np.linalg.eigvalsh(x)) if hermitian else np.linalg.svd(x, compute_uv=False)
    big = s.max(axis=-1, keepdims=True) if s.shape[-1] else np.zeros(s.shape[:-1] + (1,))
    return Tensor._make(np.asarray((s > np.maximum(atol, rtol * big)).sum(axis=-1), dtype=np.int64))
