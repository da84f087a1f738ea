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

Both kernels run over contiguous channels in their inner loop. ``winograd_codegen.py`` writes them out for
F(2x2, 5x5)'s four matrices (``winograd_f2x5.py``, about 2x faster: each output row computed once in registers
instead of read-modified-written once per nonzero), which the chunked convolutions run. Larger tiles are
numerically worse in float32; F(2x2, 5x5) stays within ~1e-5 relative of im2col for unit-scale data
(tests/test_winograd.py).
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


def _sparse_rows(lmat, dtype):
    """``lmat`` by rows, nonzeros only (CSR: ``ptr``, column ``idx``, ``val``): the transforms are sparse (F(2x2,
    5x5)'s ``B^T`` has 22 nonzeros out of 36) and the kernels skip the zeros without a test."""
    ptr, idx, val = [0], [], []
    for row in np.asarray(lmat):
        nz = np.flatnonzero(row)
        idx.extend(nz)
        val.extend(row[nz])
        ptr.append(len(idx))
    return np.array(ptr, np.intp), np.array(idx, np.intp), np.array(val, dtype)


def to_domain(src, lmat, m, th, tw, flat):
    """Every ``t x t`` tile (``t = lmat.shape[1]``) at ``(m*ty, m*tx)`` of ``src`` (``(N, Hp, Wp, C)``), as
    ``L tile L^T``, into the flat domain rows ``flat`` (``(alpha**2, >= N*TH*TW*C)``)."""
    a, t = lmat.shape
    ptr, idx, val = _sparse_rows(lmat, src.dtype)
    pick(_to_serial, _to_parallel, flat.size)(src, ptr, idx, val, a, t, m, th, tw, flat)


def from_domain(flat, lmat, m, th, tw, dst):
    """Every domain tile of ``flat`` back as ``L D L^T`` (``t x t``, ``t = lmat.shape[0]``), added into ``dst``
    (``(N, Hp, Wp, C)``, zeroed by the caller) at ``(m*ty, m*tx)``; one sample per thread (windows may overlap)."""
    t, a = lmat.shape
    ptr, idx, val = _sparse_rows(lmat, dst.dtype)
    pick(_from_serial, _from_parallel, flat.size)(flat, ptr, idx, val, t, a, m, th, tw, dst)


@njit
def _to_row(src, ptr, idx, val, a_, t_, m, th, tw, flat, r, tmp):
    """Tile row ``r = n*TH + ty``. Stage 1 runs along whole input rows (adjacent tiles overlap by ``t - m``
    columns, so each column is transformed once), stage 2 over the row's tiles; both inner loops are long and
    contiguous (``(column, channel)`` / ``(tile, channel)``)."""
    n_, hp, wp, c_ = src.shape
    sf = src.ravel()
    df = flat.ravel()
    stride = flat.shape[1]
    n = r // th
    y0 = m * (r % th)
    line = wp * c_
    for a in range(a_):                     # tmp[a, :, :] = sum_i L[a, i] * src[n, y0 + i, :, :]
        q = a * line
        for u in range(line):
            tmp[U(q + u)] = 0
        for e in range(ptr[a], ptr[a + 1]):
            lv = val[e]
            s = (n * hp + y0 + idx[e]) * line
            for u in range(line):
                tmp[U(q + u)] += lv * sf[U(s + u)]
    p0 = r * tw * c_
    for a in range(a_):                     # domain[a*alpha + b, tile, :] = sum_j L[b, j] * tmp[a, m*tile + j, :]
        for b in range(a_):
            o = (a * a_ + b) * stride + p0
            for u in range(tw * c_):
                df[U(o + u)] = 0
            for e in range(ptr[b], ptr[b + 1]):
                lv = val[e]
                q = a * line + idx[e] * c_
                for tx in range(tw):
                    d = o + tx * c_
                    g = q + m * tx * c_
                    for c in range(c_):
                        df[U(d + c)] += lv * tmp[U(g + c)]


@njit(nogil=True)   # also run by kernels/team.py's threads
def _to_serial(src, ptr, idx, val, a_, t_, m, th, tw, flat):
    tmp = np.empty(a_ * src.shape[2] * src.shape[3], src.dtype)
    for r in range(src.shape[0] * th):
        _to_row(src, ptr, idx, val, a_, t_, m, th, tw, flat, r, tmp)


@njit(parallel=True)
def _to_parallel(src, ptr, idx, val, a_, t_, m, th, tw, flat):
    for r in prange(src.shape[0] * th):
        tmp = np.empty(a_ * src.shape[2] * src.shape[3], src.dtype)
        _to_row(src, ptr, idx, val, a_, t_, m, th, tw, flat, r, tmp)


@njit
def _from_sample(flat, ptr, idx, val, t_, a_, m, th, tw, dst, n, tmp):
    """Sample ``n``, tile row by tile row: stage 1 over the row's tiles (contiguous ``(tile, channel)``), stage 2
    added into the output rows (windows of adjacent tiles and tile rows overlap when ``t > m``)."""
    n_, hp, wp, c_ = dst.shape
    df = flat.ravel()
    of = dst.ravel()
    stride = flat.shape[1]
    run = tw * c_
    for ty in range(th):
        p0 = (n * th + ty) * tw * c_
        for i in range(t_):                 # tmp[i, b, tile, :] = sum_a L[i, a] * D[a*alpha + b, tile, :]
            for b in range(a_):
                q = (i * a_ + b) * run
                for u in range(run):
                    tmp[U(q + u)] = 0
                for e in range(ptr[i], ptr[i + 1]):
                    lv = val[e]
                    o = (idx[e] * a_ + b) * stride + p0
                    for u in range(run):
                        tmp[U(q + u)] += lv * df[U(o + u)]
        for i in range(t_):                 # out[m*ty + i, m*tile + j, :] += sum_b L[j, b] * tmp[i, b, tile, :]
            s0 = (n * hp + m * ty + i) * wp * c_
            for j in range(t_):
                for e in range(ptr[j], ptr[j + 1]):
                    lv = val[e]
                    q = (i * a_ + idx[e]) * run
                    for tx in range(tw):
                        d = s0 + (m * tx + j) * c_
                        g = q + tx * c_
                        for c in range(c_):
                            of[U(d + c)] += lv * tmp[U(g + c)]


@njit(nogil=True)   # also run by kernels/team.py's threads
def _from_serial(flat, ptr, idx, val, t_, a_, m, th, tw, dst):
    tmp = np.empty(t_ * a_ * tw * dst.shape[3], dst.dtype)
    for n in range(dst.shape[0]):
        _from_sample(flat, ptr, idx, val, t_, a_, m, th, tw, dst, n, tmp)


@njit(parallel=True)
def _from_parallel(flat, ptr, idx, val, t_, a_, m, th, tw, dst):
    for n in prange(dst.shape[0]):
        tmp = np.empty(t_ * a_ * tw * dst.shape[3], dst.dtype)
        _from_sample(flat, ptr, idx, val, t_, a_, m, th, tw, dst, n, tmp)
