"""Winograd F(m x m, r x r) for any tile: the transform matrices built by Cook-Toom, and two generic numba kernels.

``winograd.py`` holds F(2x2, 3x3) with its transforms written out by hand (the fastest, and the one to read
first); this module serves the other sizes, F(2x2, 5x5) for the course CNN's 5x5 convolutions (2.78x fewer
multiplications than im2col + GEMM). With ``alpha = m + r - 1``:

* :func:`matrices` gives ``A^T`` (``m x alpha``), ``G`` (``alpha x r``), ``B^T`` (``alpha x alpha``) for the
  interpolation points ``0, 1, -1, 2, -2, ...`` and infinity: ``A^T`` and ``G`` by Cook-Toom (Lagrange
  interpolation), ``B^T`` solved from ``A^T diag(G g) B^T d = correlate(d, g)`` for all ``d, g`` (exact up to
  rounding; its entries are integers and are rounded to them);
* :func:`to_domain` takes every ``t x t`` tile (step ``m``) of a padded channels-last array to the
  ``alpha x alpha`` domain, ``L tile L^T`` (``L = B^T`` for the input, ``L = A`` for the output gradient);
* :func:`from_domain` takes every domain tile back, ``L D L^T`` (``L = A^T`` for the output, ``L = B`` for the
  input gradient, whose windows overlap and are summed), into a channels-last array.

Both kernels run over contiguous channels in their inner loop. Larger tiles are numerically worse in float32;
F(2x2, 5x5) stays within ~1e-5 relative of im2col for unit-scale data (tests/test_winograd.py).
"""
import functools

import numpy as np

from ._jit import njit, pick, prange

POINTS = (0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5)
U = np.uintp


@functools.lru_cache(maxsize=None)
def matrices(m, r):
    """``(A^T, G, B^T)`` (float64) of F(m, r)."""
    a = m + r - 1
    pts = POINTS[:a - 1]
    at, g = np.zeros((m, a)), np.zeros((a, r))
    for j, p in enumerate(pts):
        at[:, j] = [p ** i for i in range(m)]
        f = np.prod([p - q for q in pts if q != p])
        g[j] = [p ** k / f for k in range(r)]
    at[m - 1, a - 1] = g[a - 1, r - 1] = 1.0
    w = np.einsum("ij,jk->ikj", at, g).reshape(m * r, a)
    e = np.zeros((m * r, a))
    for i in range(m):
        for k in range(r):
            e[i * r + k, i + k] = 1.0
    bt = np.round(np.linalg.lstsq(w, e, rcond=None)[0])
    assert np.abs(w @ bt - e).max() < 1e-9, "Cook-Toom points give no exact B^T"
    return at, g, bt


def to_domain(src, lmat, m, th, tw, flat):
    """Every ``t x t`` tile (``t = lmat.shape[1]``) at ``(m*ty, m*tx)`` of ``src`` (``(N, Hp, Wp, C)``), as
    ``L tile L^T``, into the flat domain rows ``flat`` (``(alpha**2, >= N*TH*TW*C)``)."""
    lm = np.ascontiguousarray(lmat, dtype=src.dtype)
    scratch = src.shape[3] * lm.shape[0] * lm.shape[1]
    pick(_to_serial, _to_parallel, flat.size)(src, lm, m, th, tw, flat, scratch)


def from_domain(flat, lmat, m, th, tw, dst):
    """Every domain tile of ``flat`` back as ``L D L^T`` (``t x t``, ``t = lmat.shape[0]``), added into ``dst``
    (``(N, Hp, Wp, C)``, zeroed by the caller) at ``(m*ty, m*tx)``; one sample per thread (windows may overlap)."""
    lm = np.ascontiguousarray(lmat, dtype=dst.dtype)
    pick(_from_serial, _from_parallel, flat.size)(flat, lm, m, th, tw, dst)


@njit
def _to_row(src, lm, m, th, tw, flat, r, tmp):
    n_, hp, wp, c_ = src.shape
    a_, t_ = lm.shape
    sf = src.ravel()
    df = flat.ravel()
    stride = flat.shape[1]
    n = r // th
    y0 = m * (r % th)
    for tx in range(tw):
        x0 = m * tx
        p = (r * tw + tx) * c_
        # tmp[a, j, :] = sum_i L[a, i] * tile[i, j, :]
        for a in range(a_):
            for j in range(t_):
                q = (a * t_ + j) * c_
                for c in range(c_):
                    tmp[U(q + c)] = 0
                for i in range(t_):
                    lv = lm[a, i]
                    if lv != 0:
                        s = ((n * hp + y0 + i) * wp + x0 + j) * c_
                        for c in range(c_):
                            tmp[U(q + c)] += lv * sf[U(s + c)]
        # domain[a*alpha + b] = sum_j tmp[a, j, :] * L[b, j]
        for a in range(a_):
            for b in range(a_):
                o = (a * a_ + b) * stride + p
                for c in range(c_):
                    df[U(o + c)] = 0
                for j in range(t_):
                    lv = lm[b, j]
                    if lv != 0:
                        q = (a * t_ + j) * c_
                        for c in range(c_):
                            df[U(o + c)] += lv * tmp[U(q + c)]


@njit
def _to_serial(src, lm, m, th, tw, flat, scratch):
    tmp = np.empty(scratch, src.dtype)
    for r in range(src.shape[0] * th):
        _to_row(src, lm, m, th, tw, flat, r, tmp)


@njit(parallel=True)
def _to_parallel(src, lm, m, th, tw, flat, scratch):
    for r in prange(src.shape[0] * th):
        tmp = np.empty(scratch, src.dtype)
        _to_row(src, lm, m, th, tw, flat, r, tmp)


@njit
def _from_sample(flat, lm, m, th, tw, dst, n, tmp):
    n_, hp, wp, c_ = dst.shape
    t_, a_ = lm.shape
    df = flat.ravel()
    of = dst.ravel()
    stride = flat.shape[1]
    for ty in range(th):
        for tx in range(tw):
            p = ((n * th + ty) * tw + tx) * c_
            # tmp[i, b, :] = sum_a L[i, a] * D[a, b, :]
            for i in range(t_):
                for b in range(a_):
                    q = (i * a_ + b) * c_
                    for c in range(c_):
                        tmp[U(q + c)] = 0
                    for a in range(a_):
                        lv = lm[i, a]
                        if lv != 0:
                            o = (a * a_ + b) * stride + p
                            for c in range(c_):
                                tmp[U(q + c)] += lv * df[U(o + c)]
            # out[i, j, :] += sum_b tmp[i, b, :] * L[j, b]
            for i in range(t_):
                for j in range(t_):
                    s = ((n * hp + m * ty + i) * wp + m * tx + j) * c_
                    for b in range(a_):
                        lv = lm[j, b]
                        if lv != 0:
                            q = (i * a_ + b) * c_
                            for c in range(c_):
                                of[U(s + c)] += lv * tmp[U(q + c)]


@njit
def _from_serial(flat, lm, m, th, tw, dst):
    tmp = np.empty(lm.shape[0] * lm.shape[1] * dst.shape[3], dst.dtype)
    for n in range(dst.shape[0]):
        _from_sample(flat, lm, m, th, tw, dst, n, tmp)


@njit(parallel=True)
def _from_parallel(flat, lm, m, th, tw, dst):
    for n in prange(dst.shape[0]):
        tmp = np.empty(lm.shape[0] * lm.shape[1] * dst.shape[3], dst.dtype)
        _from_sample(flat, lm, m, th, tw, dst, n, tmp)
