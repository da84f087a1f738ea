"""Winograd F(2x2, 3x3) convolution for stride-1, 3x3 kernels: the same result as im2col + GEMM with 2.25x fewer
multiplications (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2016).

Each 2x2 block of outputs is computed from a 4x4 tile of the (zero-padded) input ``d`` and the 3x3 kernel ``g``:

    Y = A^T [ (G g G^T) * (B^T d B) ] A          (* elementwise over the 4x4 "Winograd domain")

    B^T = [[1, 0,-1, 0],     G = [[ 1,   0,   0 ],     A^T = [[1, 1, 1, 0],
           [0, 1, 1, 0],          [1/2, 1/2, 1/2],            [0, 1,-1,-1]]
           [0,-1, 1, 0],          [1/2,-1/2, 1/2],
           [0, 1, 0,-1]]          [ 0,   0,   1 ]]

Summed over input channels, the elementwise product becomes 16 GEMMs, one per point ``xi`` of the 4x4 domain:
``M[xi] = V[xi] @ U[xi]`` with ``V[xi]`` of shape ``(tiles, C)`` (the transformed input) and ``U[xi]`` of shape
``(C, K)`` (the transformed weight). A tile costs 16*C*K multiplications for 4 outputs, against 9*C*K per output.

* :func:`weight_transform` ``U = G g G^T`` (numpy, tiny);
* :func:`input_transform` ``V = B^T d B`` for every tile and channel (numba, one pass over ``x``);
* :func:`output_transform` ``Y = A^T M A`` for every tile and output channel, bias added, written in NCHW (numba).

The transforms are only additions and subtractions (``G``'s halves are exact), so float32 results match im2col's
to rounding. ``ops/conv_winograd.py`` selects this path automatically; the plain im2col kernels stay the
reference (and the teaching path).
"""
import numpy as np

from . import buffers
from ._jit import njit, pick, prange

G = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0.0, 0.0, 1.0]])


def tiles(oh, ow):
    """Number of 2x2 output tiles along each axis."""
    return (oh + 1) // 2, (ow + 1) // 2


def weight_transform(w):
    """``(K, C, 3, 3)`` -> ``U`` of shape ``(16, C, K)``: ``G g G^T`` per (k, c), the 4x4 domain flattened."""
    k, c = w.shape[:2]
    g = G.astype(w.dtype)                        # exact in float32 too
    u = g @ w.reshape(k * c, 3, 3) @ g.T         # (K*C, 4, 4)
    return np.ascontiguousarray(u.reshape(k, c, 16).transpose(2, 1, 0))


def domain_buffer(tiles_count, channels, dtype, points=16):
    """A pooled buffer for ``V`` or ``M``: ``(16, tiles*channels + SKEW)`` flat rows and its ``(16, tiles, channels)``
    view. The skew keeps the 16 rows from starting at addresses 4 KiB apart: with ``tiles*channels`` a multiple of
    1024 (common) the kernels' 16 store streams would otherwise share one cache set (measured 3-4x slower)."""
    flat = buffers.take((points, tiles_count * channels + SKEW), dtype)
    return flat, flat[:, :tiles_count * channels].reshape(points, tiles_count, channels)


SKEW = 16


def input_transform(x, ph, pw, oh, ow):
    """``(N, C, H, W)`` -> ``(flat, V)``: ``V`` of shape ``(16, N*TH*TW, C)`` holds ``B^T d B`` of every 4x4 input
    tile (tile ``(ty, tx)`` starts at row ``2*ty - ph``, column ``2*tx - pw``; outside the image reads zero);
    ``flat`` is its pooled buffer (:func:`domain_buffer`), to give back after use.

    The input is first copied, channels last and zero-padded to whole tiles, into a pooled buffer: every tile is
    then interior and the kernel's inner loop runs over contiguous channels (vectorised)."""
    n, c, h, w = x.shape
    th, tw = tiles(oh, ow)
    xp = buffers.take((n, 2 * th + 2, 2 * tw + 2, c), x.dtype)
    xp.fill(0)
    xp[:, ph:ph + h, pw:pw + w, :] = x.transpose(0, 2, 3, 1)
    flat, v = domain_buffer(n * th * tw, c, x.dtype)
    pick(_input_serial, _input_parallel, v.size)(xp, flat, th, tw)
    buffers.give(xp)
    return flat, v


def output_transform(mflat, k, n, oh, ow, bias=None):
    """``M`` of shape ``(16, N*TH*TW, K)`` (in the flat rows ``mflat`` of :func:`domain_buffer`) -> ``(N, K, OH,
    OW)``: ``A^T m A`` of every tile, plus ``bias``.

    The kernel writes channels last (its inner loop over contiguous output channels); one transposing pass, which
    also adds the bias, gives NCHW."""
    th, tw = tiles(oh, ow)
    y = buffers.take((n, 2 * th, 2 * tw, k), mflat.dtype)
    pick(_output_serial, _output_parallel, mflat.size)(mflat, y, th, tw)
    return to_nchw(y, oh, ow, bias)


def to_nchw(y, oh, ow, bias=None):
    """The pooled channels-last output of whole tiles ``y`` (``(N, >= OH, >= OW, K)``) -> a new ``(N, K, OH, OW)``
    array, plus ``bias``, in one pass; ``y`` goes back to the pool."""
    n, k = y.shape[0], y.shape[3]
    out = buffers.lease((n, k, oh, ow), y.dtype)
    src = y[:, :oh, :ow, :].transpose(0, 3, 1, 2)
    if bias is None:
        np.copyto(out, src)
    else:
        np.add(src, np.asarray(bias, y.dtype).reshape(k, 1, 1), out=out)
    buffers.give(y)
    return out


def grad_transform(g):
    """Output gradient ``(N, K, OH, OW)`` -> ``(flat, T)``: ``T`` of shape ``(16, N*TH*TW, K)`` holds ``A g A^T``
    of every 2x2 gradient tile (the adjoint of :func:`output_transform`; zero beyond the border)."""
    n, k, oh, ow = g.shape
    th, tw = tiles(oh, ow)
    gp = buffers.take((n, 2 * th, 2 * tw, k), g.dtype)
    if oh % 2 or ow % 2:
        gp.fill(0)
    gp[:, :oh, :ow, :] = g.transpose(0, 2, 3, 1)
    flat, t = domain_buffer(n * th * tw, k, g.dtype)
    pick(_grad_serial, _grad_parallel, t.size)(gp, flat, th, tw)
    buffers.give(gp)
    return flat, t


def weight_from_domain(du):
    """``dU`` of shape ``(16, C, K)`` -> the weight gradient ``(K, C, 3, 3)``: ``G^T dU G`` (adjoint of
    :func:`weight_transform`)."""
    c, k = du.shape[1:]
    g = G.astype(du.dtype)
    d = np.ascontiguousarray(du.reshape(16, c * k).T).reshape(c * k, 4, 4)
    dw = g.T @ d @ g                             # (C*K, 3, 3)
    return np.ascontiguousarray(dw.reshape(c, k, 3, 3).transpose(1, 0, 2, 3))


def input_adjoint(dvflat, c, n, h, w, ph, pw, th, tw):
    """The adjoint of :func:`input_transform`: ``dV`` (``(16, N*TH*TW, C)`` in the flat rows ``dvflat``) ->
    ``(N, C, H, W)``, each tile's ``B dV B^T`` added into the 4x4 input window it came from (windows overlap by 2:
    one sample per thread, so the additions never race)."""
    dxp = buffers.take((n, 2 * th + 2, 2 * tw + 2, c), dvflat.dtype)
    dxp.fill(0)
    pick(_adjoint_serial, _adjoint_parallel, dvflat.size)(dvflat, dxp, th, tw)
    out = np.empty((n, c, h, w), dvflat.dtype)
    np.copyto(out, dxp[:, ph:ph + h, pw:pw + w, :].transpose(0, 3, 1, 2))
    buffers.give(dxp)
    return out


# Flat views indexed with ``U(i)`` (unsigned), as in im2col.py: numba then drops its negative-index wraparound tests,
# which keep LLVM from vectorising; every index is >= 0 by construction.
U = np.uintp


@njit
def _input_row(xp, v, r, th, tw):
    """Tiles of tile row ``r = n*TH + ty`` of the padded channels-last input ``xp``: ``B^T d B`` of each tile,
    for all channels at once (``c`` innermost: contiguous loads and stores).

    One pass over the channels per row ``i`` of ``B^T`` (``t_i`` combines two input rows; it gives the four points
    ``4i .. 4i+3``): with all sixteen points in one loop, LLVM's runtime alias checks between the 16 loads and 16
    stores exceed its limit and the loop stays scalar (2x slower, measured); the results are bitwise the same."""
    n_, hp, wp, c_ = xp.shape
    xf = xp.ravel()
    vf = v.ravel()
    pc = v.shape[1]                    # stride of xi in the flat rows of v
    row = wp * c_                      # stride of an input row
    n = r // th
    y0 = 2 * (r % th)
    for tx in range(tw):
        b0 = ((n * hp + y0) * wp + 2 * tx) * c_
        o = (r * tw + tx) * c_
        # B^T rows: t0 = d0 - d2, t1 = d1 + d2, t2 = d2 - d1, t3 = d1 - d3
        for i in range(4):
            if i == 0:
                ra, rb = b0, b0 + 2 * row
            elif i == 1:
                ra, rb = b0 + row, b0 + 2 * row
            elif i == 2:
                ra, rb = b0 + 2 * row, b0 + row
            else:
                ra, rb = b0 + row, b0 + 3 * row
            q = o + 4 * i * pc
            if i == 1:
                for c in range(c_):
                    t0 = xf[U(ra + c)] + xf[U(rb + c)]
                    t1 = xf[U(ra + c_ + c)] + xf[U(rb + c_ + c)]
                    t2 = xf[U(ra + 2 * c_ + c)] + xf[U(rb + 2 * c_ + c)]
                    t3 = xf[U(ra + 3 * c_ + c)] + xf[U(rb + 3 * c_ + c)]
                    # V = t B (columns), point xi = 4*i + j at vf[xi*pc + o + c]
                    vf[U(q + c)] = t0 - t2
                    vf[U(q + pc + c)] = t1 + t2
                    vf[U(q + 2 * pc + c)] = t2 - t1
                    vf[U(q + 3 * pc + c)] = t1 - t3
            else:
                for c in range(c_):
                    t0 = xf[U(ra + c)] - xf[U(rb + c)]
                    t1 = xf[U(ra + c_ + c)] - xf[U(rb + c_ + c)]
                    t2 = xf[U(ra + 2 * c_ + c)] - xf[U(rb + 2 * c_ + c)]
                    t3 = xf[U(ra + 3 * c_ + c)] - xf[U(rb + 3 * c_ + c)]
                    vf[U(q + c)] = t0 - t2
                    vf[U(q + pc + c)] = t1 + t2
                    vf[U(q + 2 * pc + c)] = t2 - t1
                    vf[U(q + 3 * pc + c)] = t1 - t3


@njit
def _output_row(m, y, r, th, tw):
    """Outputs of tile row ``r``: ``A^T m A`` of each tile into the channels-last ``y`` (``(N, 2TH, 2TW, K)``),
    for all output channels at once (``k`` innermost)."""
    n_, yh, yw, k_ = y.shape
    mf = m.ravel()
    yf = y.ravel()
    pk = m.shape[1]                    # stride of xi in the flat rows of m
    row = yw * k_
    n = r // th
    y0 = 2 * (r % th)
    for tx in range(tw):
        o = (r * tw + tx) * k_
        b0 = ((n * yh + y0) * yw + 2 * tx) * k_
        for k in range(k_):
            q = o + k
            m00, m01, m02, m03 = mf[U(q)], mf[U(q + pk)], mf[U(q + 2 * pk)], mf[U(q + 3 * pk)]
            q += 4 * pk
            m10, m11, m12, m13 = mf[U(q)], mf[U(q + pk)], mf[U(q + 2 * pk)], mf[U(q + 3 * pk)]
            q += 4 * pk
            m20, m21, m22, m23 = mf[U(q)], mf[U(q + pk)], mf[U(q + 2 * pk)], mf[U(q + 3 * pk)]
            q += 4 * pk
            m30, m31, m32, m33 = mf[U(q)], mf[U(q + pk)], mf[U(q + 2 * pk)], mf[U(q + 3 * pk)]
            # s = A^T m, then Y = s A
            s00, s01, s02, s03 = m00 + m10 + m20, m01 + m11 + m21, m02 + m12 + m22, m03 + m13 + m23
            s10, s11, s12, s13 = m10 - m20 - m30, m11 - m21 - m31, m12 - m22 - m32, m13 - m23 - m33
            yf[U(b0 + k)] = s00 + s01 + s02
            yf[U(b0 + k_ + k)] = s01 - s02 - s03
            yf[U(b0 + row + k)] = s10 + s11 + s12
            yf[U(b0 + row + k_ + k)] = s11 - s12 - s13


@njit
def _grad_row(gp, t, r, th, tw):
    """Tiles of tile row ``r`` of the channels-last gradient ``gp`` (``(N, 2TH, 2TW, K)``): ``A g A^T`` with
    ``A = [[1, 0], [1, 1], [1, -1], [0, -1]]`` for all channels at once (one vectorized pass per row of ``A``, as
    in :func:`_input_row`)."""
    n_, gh, gw, k_ = gp.shape
    gf = gp.ravel()
    tf = t.ravel()
    pk = t.shape[1]
    row = gw * k_
    n = r // th
    y0 = 2 * (r % th)
    for tx in range(tw):
        b0 = ((n * gh + y0) * gw + 2 * tx) * k_
        b1 = b0 + row
        o = (r * tw + tx) * k_
        # rows: A g -> (g0, g0 + g1, g0 - g1, -g1), then each row times A^T: (a, a + b, a - b, -b)
        q = o
        for k in range(k_):
            g00, g01 = gf[U(b0 + k)], gf[U(b0 + k_ + k)]
            tf[U(q + k)], tf[U(q + pk + k)], tf[U(q + 2 * pk + k)], tf[U(q + 3 * pk + k)] = (
                g00, g00 + g01, g00 - g01, -g01)
        q += 4 * pk
        for k in range(k_):
            a1, b1_ = gf[U(b0 + k)] + gf[U(b1 + k)], gf[U(b0 + k_ + k)] + gf[U(b1 + k_ + k)]
            tf[U(q + k)], tf[U(q + pk + k)], tf[U(q + 2 * pk + k)], tf[U(q + 3 * pk + k)] = (
                a1, a1 + b1_, a1 - b1_, -b1_)
        q += 4 * pk
        for k in range(k_):
            a2, b2 = gf[U(b0 + k)] - gf[U(b1 + k)], gf[U(b0 + k_ + k)] - gf[U(b1 + k_ + k)]
            tf[U(q + k)], tf[U(q + pk + k)], tf[U(q + 2 * pk + k)], tf[U(q + 3 * pk + k)] = (
                a2, a2 + b2, a2 - b2, -b2)
        q += 4 * pk
        for k in range(k_):
            g10, g11 = gf[U(b1 + k)], gf[U(b1 + k_ + k)]
            tf[U(q + k)], tf[U(q + pk + k)], tf[U(q + 2 * pk + k)], tf[U(q + 3 * pk + k)] = (
                -g10, -g10 - g11, g11 - g10, g11)


@njit(nogil=True)   # also run by kernels/team.py's threads
def _grad_serial(gp, t, th, tw):
    for r in range(gp.shape[0] * th):
        _grad_row(gp, t, r, th, tw)


@njit(parallel=True)
def _grad_parallel(gp, t, th, tw):
    for r in prange(gp.shape[0] * th):
        _grad_row(gp, t, r, th, tw)


@njit
def _adjoint_sample(dv, dxp, n, th, tw):
    """Sample ``n``: for every tile and channel, ``B dV B^T`` added into the tile's window of ``dxp`` (channels
    last, padded). ``adj(e) = (e0, e1 - e2 + e3, e1 + e2 - e0, -e3)`` is ``B`` applied to a 4-vector. One
    vectorized pass over the channels per window column (as in :func:`_input_row`; bitwise the same sums)."""
    n_, hp, wp, c_ = dxp.shape
    vf = dv.ravel()
    xf = dxp.ravel()
    pc = dv.shape[1]
    row = wp * c_
    for ty in range(th):
        for tx in range(tw):
            b0 = ((n * hp + 2 * ty) * wp + 2 * tx) * c_
            o = ((n * th + ty) * tw + tx) * c_
            q0, q1, q2, q3 = o, o + 4 * pc, o + 8 * pc, o + 12 * pc
            # for each window column j: f_ij = adj(e_i)_j of every point row i, then B's rows into the window
            for c in range(c_):           # j = 0: f_i0 = e_i0
                f0, f1, f2, f3 = vf[U(q0 + c)], vf[U(q1 + c)], vf[U(q2 + c)], vf[U(q3 + c)]
                _add_window_column(xf, b0 + c, row, f0, f1, f2, f3)
            for c in range(c_):           # j = 1: f_i1 = e_i1 - e_i2 + e_i3
                p = pc + c
                f0 = vf[U(q0 + p)] - vf[U(q0 + p + pc)] + vf[U(q0 + p + 2 * pc)]
                f1 = vf[U(q1 + p)] - vf[U(q1 + p + pc)] + vf[U(q1 + p + 2 * pc)]
                f2 = vf[U(q2 + p)] - vf[U(q2 + p + pc)] + vf[U(q2 + p + 2 * pc)]
                f3 = vf[U(q3 + p)] - vf[U(q3 + p + pc)] + vf[U(q3 + p + 2 * pc)]
                _add_window_column(xf, b0 + c_ + c, row, f0, f1, f2, f3)
            for c in range(c_):           # j = 2: f_i2 = e_i1 + e_i2 - e_i0
                p = pc + c
                f0 = vf[U(q0 + p)] + vf[U(q0 + p + pc)] - vf[U(q0 + c)]
                f1 = vf[U(q1 + p)] + vf[U(q1 + p + pc)] - vf[U(q1 + c)]
                f2 = vf[U(q2 + p)] + vf[U(q2 + p + pc)] - vf[U(q2 + c)]
                f3 = vf[U(q3 + p)] + vf[U(q3 + p + pc)] - vf[U(q3 + c)]
                _add_window_column(xf, b0 + 2 * c_ + c, row, f0, f1, f2, f3)
            for c in range(c_):           # j = 3: f_i3 = -e_i3
                p = 3 * pc + c
                f0, f1, f2, f3 = -vf[U(q0 + p)], -vf[U(q1 + p)], -vf[U(q2 + p)], -vf[U(q3 + p)]
                _add_window_column(xf, b0 + 3 * c_ + c, row, f0, f1, f2, f3)


@njit(inline="always")
def _add_window_column(xf, b, row, f0, f1, f2, f3):
    """The rows (i) of ``B f``, added into one column of a tile's window: row 0 += f0, row 1 += f1 - f2 + f3,
    row 2 += f1 + f2 - f0, row 3 -= f3."""
    xf[U(b)] += f0
    xf[U(b + row)] += f1 - f2 + f3
    xf[U(b + 2 * row)] += f1 + f2 - f0
    xf[U(b + 3 * row)] -= f3


@njit(nogil=True)   # also run by kernels/team.py's threads
def _adjoint_serial(dv, dxp, th, tw):
    for n in range(dxp.shape[0]):
        _adjoint_sample(dv, dxp, n, th, tw)


@njit(parallel=True)
def _adjoint_parallel(dv, dxp, th, tw):
    for n in prange(dxp.shape[0]):
        _adjoint_sample(dv, dxp, n, th, tw)


@njit(nogil=True)   # also run by kernels/team.py's threads
def _input_serial(xp, v, th, tw):
    for r in range(xp.shape[0] * th):
        _input_row(xp, v, r, th, tw)


@njit(parallel=True)
def _input_parallel(xp, v, th, tw):
    for r in prange(xp.shape[0] * th):
        _input_row(xp, v, r, th, tw)


@njit(nogil=True)   # also run by kernels/team.py's threads
def _output_serial(m, y, th, tw):
    for r in range(y.shape[0] * th):
        _output_row(m, y, r, th, tw)


@njit(parallel=True)
def _output_parallel(m, y, th, tw):
    for r in prange(y.shape[0] * th):
        _output_row(m, y, r, th, tw)
