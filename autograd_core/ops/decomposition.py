"""Matrix decompositions: Cholesky, QR, the symmetric eigendecomposition and the SVD (batched over leading dims).

The forward passes are LAPACK's, through numpy. A node has one output here, so a decomposition with several factors
returns them *packed* side by side in one array (``_pack``) that the wrapper slices back apart with differentiable
``getitem``/``reshape``: each factor's gradient reaches the node, zeros where a factor isn't used.

The backward passes are PyTorch's formulas for the well-conditioned case (distinct eigenvalues / singular values),
written in Tensor ops from the saved (packed) output, so they can be differentiated again:

* Cholesky ``A = L Lᵀ``: ``gA = L⁻ᵀ Φ(Lᵀ gL) L⁻¹``, ``Φ`` the lower triangle with its diagonal halved, symmetrized;
* QR (``m >= n``): ``gA = (gQ + Q copyltu(M)) R⁻ᵀ``, ``M = R gRᵀ - gQᵀ Q``; wide matrices split ``A = [X | Y]``;
* eigh: ``gA = V (diag(gL) + skew(Vᵀ gV) / E) Vᵀ``, ``E_ij = λ_j - λ_i``;
* SVD: ``gA = U [(skew(Uᵀ gU) S + S skew(Vᵀ gV)) / E + diag(gS)] Vᵀ`` (+ the terms of the non-square case),
  ``E_jk = s_k² - s_j²``. With only ``gS`` (``svdvals``) or only ``gL`` (``eigvalsh``) the gradient is
  ``U diag(gS) Vᵀ`` (``V diag(gL) Vᵀ``), defined also for repeated values.
"""
import warnings
from collections import namedtuple

import numpy as np

from .. import grad_mode
from ..errors import LinAlgError
from ..function import Function
from ..tensor import Tensor
from .diagonal import diag_embed
from .elementwise import torch_type_name
from .linalg import matmul
from .registry import op
from .shape import cat, getitem, reshape, unsqueeze

QR = namedtuple("linalg_qr", ["Q", "R"])
Eigh = namedtuple("linalg_eigh", ["eigenvalues", "eigenvectors"])
SVD = namedtuple("linalg_svd", ["U", "S", "Vh"])
SVDLegacy = namedtuple("svd", ["U", "S", "V"])


# ---------------------------------------------------------------------- checks and packing
def check_matrix(name, A, square=True):
    """PyTorch's checks of a linalg input: at least 2-D, (square,) floating."""
    if A.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if square and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are {A.shape[-2]} by "
                           f"{A.shape[-1]} matrices")
    if A.dtype.kind not in "fc":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{torch_type_name(A.dtype)}")


def _pack(*arrays, batch=()):
    return np.concatenate([a.reshape(batch + (-1,)) for a in arrays], axis=-1)


def _unpack(t, batch, shapes):
    """The factors of a packed tensor, as differentiable slices."""
    out, start = [], 0
    for s in shapes:
        n = int(np.prod(s, dtype=np.int64))
        out.append(reshape(getitem(t, (Ellipsis, slice(start, start + n))), *(batch + tuple(s))))
        start += n
    return out


def _unpack_arrays(a, batch, shapes):
    out, start = [], 0
    for s in shapes:
        n = int(np.prod(s, dtype=np.int64))
        out.append(a[..., start:start + n].reshape(batch + tuple(s)))
        start += n
    return out


def _mT(t):
    return t.transpose(-2, -1)


def _skew(t):
    return t - _mT(t)


def _eye(n, dtype):
    return Tensor._make(np.eye(n, dtype=dtype))


def _tril(t, k=0):
    return t * Tensor._make(np.tril(np.ones(t.shape[-2:], dtype=t.dtype), k))


def _solve(A, B):
    """``A⁻¹ B`` as an op (the backward formulas' triangular solves; differentiable)."""
    from .solvers import linalg_solve
    return linalg_solve(A, B)


# ---------------------------------------------------------------------- Cholesky
class CholeskyFunction(Function):
    label = "cholesky"
    derivative = "gA = L⁻ᵀ Φ(Lᵀ gL) L⁻¹, Φ = lower triangle with the diagonal halved, symmetrized"
    grad_name = "LinalgCholeskyExBackward0"

    def forward(self, a):
        try:
            L = np.linalg.cholesky(a._data)
        except np.linalg.LinAlgError:
            raise LinAlgError("linalg.cholesky: The factorization could not be completed because the input is not "
                              "positive-definite.") from None
        self.save_output()
        return L

    def backward(self, grad):
        L = self.saved_output
        P = _tril(_mT(L) @ grad)
        phi = (P + _mT(_tril(P, -1))) * 0.5
        gA = _solve(_mT(L), phi)                    # L⁻ᵀ Φ
        return _mT(_solve(_mT(L), _mT(gA)))          # (L⁻ᵀ Φ) L⁻¹


def _cholesky(A, upper, name):
    check_matrix(name, A)
    L = CholeskyFunction.apply(A)
    return _mT(L) if upper else L


_WARNED = set()


def warn_once(key, message):
    """PyTorch's deprecation warnings (``TORCH_WARN_ONCE``): one ``UserWarning`` per process and key."""
    if key not in _WARNED:
        _WARNED.add(key)
        warnings.warn(message, UserWarning, stacklevel=3)


@op
def cholesky(input, upper=False):
    """The Cholesky factor of a symmetric positive-definite matrix: lower ``L`` with ``A = L Lᵀ`` (``upper``:
    ``U = Lᵀ``, ``A = Uᵀ U``). Only the lower triangle of ``A`` is read. Deprecated in PyTorch in favour of
    ``linalg.cholesky`` (same warning here)."""
    warn_once("cholesky", "torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in a "
                          "future PyTorch release.")
    return _cholesky(input, upper, "linalg.cholesky")


@op(function=False, method=False)
def linalg_cholesky(A, upper=False):
    """``torch.linalg.cholesky``: see :func:`cholesky`."""
    return _cholesky(A, upper, "linalg.cholesky")


# ---------------------------------------------------------------------- QR
class QrFunction(Function):
    label = "qr"
    derivative = "gA = (gQ + Q copyltu(R gRᵀ - gQᵀ Q)) R⁻ᵀ"
    grad_name = "LinalgQrBackward0"

    def forward(self, a, mode="reduced"):
        x = a._data
        self.mode = mode
        Q, R = np.linalg.qr(x, mode=mode)
        self.batch = x.shape[:-2]
        self.shapes = (Q.shape[-2:], R.shape[-2:])
        self.save_output()
        return _pack(Q, R, batch=self.batch)

    def backward(self, grad):
        Q, R = _unpack(self.saved_output, self.batch, self.shapes)
        gQ, gR = _unpack(grad, self.batch, self.shapes)
        m, n = Q.shape[-2], R.shape[-1]
        if self.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.")
        if m >= n:
            return _qr_backward_tall(gQ, gR, Q, R)
        # A = [X | Y]: X = Q U is square, Y = Q V
        U, V = getitem(R, (Ellipsis, slice(None, m))), getitem(R, (Ellipsis, slice(m, None)))
        gU, gV = getitem(gR, (Ellipsis, slice(None, m))), getitem(gR, (Ellipsis, slice(m, None)))
        Y = matmul(Q, V)
        gX = _qr_backward_tall(gQ + Y @ _mT(gV), gU, Q, U)
        return cat([gX, Q @ gV], dim=-1)


def _qr_backward_tall(gQ, gR, Q, R):
    M = R @ _mT(gR) - _mT(gQ) @ Q
    low = _tril(M)
    M = low + _mT(low)
    M = M - diag_embed(M.diagonal(0, -2, -1) * 0.5)     # copyltu: the lower triangle mirrored, diagonal once
    rhs = gQ + Q @ M
    return _mT(_solve(R, _mT(rhs)))                     # rhs R⁻ᵀ


class QrRFunction(Function):
    """R alone (``mode='r'``): PyTorch computes no Q, so there is no gradient."""
    label = "qr"
    derivative = "none: the derivative of linalg.qr depends on Q, which mode='r' does not compute"
    grad_name = "LinalgQrBackward0"

    def forward(self, a):
        return np.linalg.qr(a._data, mode="r")

    def backward(self, grad):
        raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please "
                           "use linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr.")


@op(function=False, method=False)
def linalg_qr(A, mode="reduced"):
    """``A = Q R`` with orthonormal columns ``Q`` and upper-triangular ``R`` (``torch.linalg.qr``): ``mode`` is
    ``'reduced'`` (``Q`` is ``m x k``, k = min(m, n)), ``'complete'`` (``Q`` is ``m x m``) or ``'r'`` (``R`` only,
    ``Q`` empty)."""
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', "
                           f"or 'complete'")
    check_matrix("linalg.qr", A, square=False)
    if mode == "r":
        return QR(Tensor._make(np.zeros(0, dtype=A.dtype)), QrRFunction.apply(A))
    packed = QrFunction.apply(A, mode=mode)
    m, n = A.shape[-2:]
    q_cols = m if mode == "complete" else min(m, n)
    r_rows = m if mode == "complete" else min(m, n)
    return QR(*_unpack(packed, A.shape[:-2], ((m, q_cols), (r_rows, n))))


@op
def qr(input, some=True):
    """``torch.qr``: :func:`linalg_qr` with ``mode='reduced'`` (``some=True``) or ``'complete'`` (deprecated in
    PyTorch in favour of ``linalg.qr``; same warning here)."""
    warn_once("qr", "torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future PyTorch "
                    "release. The boolean parameter 'some' has been replaced with a string parameter 'mode'.")
    return linalg_qr(input, "reduced" if some else "complete")


# ---------------------------------------------------------------------- symmetric eigendecomposition
class EighFunction(Function):
    label = "eigh"
    derivative = "gA = V (diag(gL) + skew(Vᵀ gV)/E) Vᵀ, E_ij = λ_j - λ_i"
    grad_name = "LinalgEighBackward0"

    def forward(self, a, UPLO="L"):
        x = a._data
        L, V = np.linalg.eigh(x, UPLO=UPLO)
        self.batch, self.n = x.shape[:-2], x.shape[-1]
        self.save_output()
        return _pack(L, V, batch=self.batch)

    def backward(self, grad):
        n, shapes = self.n, ((self.n,), (self.n, self.n))
        L, V = _unpack(self.saved_output, self.batch, shapes)
        gL, gV = _unpack(grad, self.batch, shapes)
        if not _unpack_arrays(grad._data, self.batch, shapes)[1].any():
            return (V * unsqueeze(gL, -2)) @ _mT(V)          # eigenvalues only: defined for repeated ones too
        VgV = _mT(V) @ gV
        VgV = (VgV - _mT(VgV)) * 0.5
        E = unsqueeze(L, -2) - unsqueeze(L, -1) + _eye(n, L.dtype)
        inner = VgV / E + diag_embed(gL)
        return V @ inner @ _mT(V)


def _eigh(A, UPLO, name):
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    check_matrix(name, A)
    packed = EighFunction.apply(A, UPLO=UPLO)
    n = A.shape[-1]
    return _unpack(packed, A.shape[:-2], ((n,), (n, n)))


@op(function=False, method=False)
def linalg_eigh(A, UPLO="L"):
    """Eigenvalues (ascending) and orthonormal eigenvectors (columns) of a symmetric matrix, read from its lower
    (``UPLO='L'``) or upper triangle (``torch.linalg.eigh``). The eigenvectors' signs are arbitrary."""
    return Eigh(*_eigh(A, UPLO, "linalg.eigh"))


@op(function=False, method=False)
def linalg_eigvalsh(A, UPLO="L"):
    """The eigenvalues (ascending) of a symmetric matrix (``torch.linalg.eigvalsh``)."""
    return _eigh(A, UPLO, "linalg.eigvalsh")[0]


# ---------------------------------------------------------------------- SVD
class SvdFunction(Function):
    label = "svd"
    derivative = "gA = U [(skew(Uᵀ gU) S + S skew(Vᵀ gV)) / E + diag(gS)] Vᵀ, E_jk = s_k² - s_j²"
    grad_name = "LinalgSvdBackward0"

    def forward(self, a, full_matrices=False):
        x = a._data
        U, S, Vh = np.linalg.svd(x, full_matrices=full_matrices)
        self.batch = x.shape[:-2]
        self.shapes = (U.shape[-2:], S.shape[-1:], Vh.shape[-2:])
        self.save_output()
        return _pack(U, S, Vh, batch=self.batch)

    def backward(self, grad):
        U, S, Vh = _unpack(self.saved_output, self.batch, self.shapes)
        gU, gS, gVh = _unpack(grad, self.batch, self.shapes)
        arrays = _unpack_arrays(grad._data, self.batch, self.shapes)
        k = S.shape[-1]
        if U.shape[-1] != k:                  # full_matrices: the extra columns carry no gradient (as PyTorch)
            U, gU = getitem(U, (Ellipsis, slice(None, k))), getitem(gU, (Ellipsis, slice(None, k)))
        if Vh.shape[-2] != k:
            Vh, gVh = getitem(Vh, (Ellipsis, slice(None, k), slice(None))), \
                getitem(gVh, (Ellipsis, slice(None, k), slice(None)))
        if not arrays[0].any() and not arrays[2].any():
            return (U * unsqueeze(gS, -2)) @ Vh                  # singular values only
        return _svd_backward(gU, gS, gVh, U, S, Vh)


def _svd_backward(gU, gS, gVh, U, S, Vh):
    m, n, k = U.shape[-2], Vh.shape[-1], S.shape[-1]
    UgU = _skew(_mT(U) @ gU)
    VgV = _skew(Vh @ _mT(gVh))
    S2 = S * S
    E = unsqueeze(S2, -2) - unsqueeze(S2, -1) + _eye(k, S.dtype)
    gA = (UgU * unsqueeze(S, -2) + unsqueeze(S, -1) * VgV) / E + diag_embed(gS)
    if m > n:
        gUSinv = gU / unsqueeze(S, -2)
        gA = (U @ gA + gUSinv - U @ (_mT(U) @ gUSinv)) @ Vh
    elif m < n:
        SinvgVh = gVh / unsqueeze(S, -1)
        gA = U @ (gA @ Vh + SinvgVh - (SinvgVh @ _mT(Vh)) @ Vh)
    else:
        gA = U @ gA @ Vh
    return gA


def _svd(A, full_matrices, name):
    check_matrix(name, A, square=False)
    m, n = A.shape[-2:]
    k = min(m, n)
    packed = SvdFunction.apply(A, full_matrices=full_matrices)
    shapes = ((m, m), (k,), (n, n)) if full_matrices else ((m, k), (k,), (k, n))
    return _unpack(packed, A.shape[:-2], shapes)


@op(function=False, method=False)
def linalg_svd(A, full_matrices=True):
    """``A = U diag(S) Vh`` with descending singular values ``S`` (``torch.linalg.svd``; ``full_matrices=True`` by
    default, as PyTorch). Singular vectors are determined up to sign."""
    return SVD(*_svd(A, full_matrices, "linalg.svd"))


@op(function=False, method=False)
def linalg_svdvals(A):
    """The singular values of ``A``, descending (``torch.linalg.svdvals``); the gradient is ``U diag(gS) Vh``."""
    if not (A.requires_grad and grad_mode.is_grad_enabled()):
        check_matrix("linalg.svdvals", A, square=False)
        return Tensor._make(np.linalg.svd(A._data, compute_uv=False))
    return _svd(A, False, "linalg.svdvals")[1]


@op
def svd(input, some=True, compute_uv=True):
    """``torch.svd``: ``(U, S, V)`` with ``A = U diag(S) Vᵀ`` (note ``V``, not ``Vh``); ``some=False`` gives square
    ``U`` and ``V``; ``compute_uv=False`` gives zero-filled ``U`` and ``V``."""
    if not compute_uv:
        m, n = input.shape[-2:]
        S = linalg_svdvals(input)
        batch = input.shape[:-2]
        return SVDLegacy(Tensor._make(np.zeros(batch + (m, m), input.dtype)), S,
                         Tensor._make(np.zeros(batch + (n, n), input.dtype)))
    U, S, Vh = _svd(input, not some, "linalg.svd")
    return SVDLegacy(U, S, _mT(Vh))
