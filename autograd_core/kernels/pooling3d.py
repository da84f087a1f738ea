"""numba 3-D max pooling on NCDHW arrays: ``pooling.py``'s 2-D kernel with one more spatial axis.

Same conventions as the 2-D kernel (PyTorch's CPU semantics): -inf padding, ``indices`` are flat positions in the
unpadded ``D*H*W`` volume of each ``(n, c)`` plane (``return_indices``), ties keep the first maximum in row-major
window order and a NaN wins (the last NaN of a window). The backward is :func:`pooling.max_pool2d_backward`,
which scatters through flat indices and so serves every rank.

3-D average pooling needs no kernel of its own: a box average is separable, one 1-D average per axis
(``autograd_core/ops/pooling3d.py``).
"""
import numpy as np

from ..shapes import ntuple
from ._jit import njit, pick, prange
from .im2col import U, check_float
from .pooling import _tap_ranges, pool_output_size


def pool3d_geometry(shape, kernel_size, stride, padding, dilation, ceil_mode, op):
    """Validate against an NCDHW shape; return ``(k, s, p, d, out)``, each a 3-tuple (``stride=None``: kernel)."""
    if len(shape) != 5:
        raise ValueError(f"{op}: expected a 5-D (N, C, D, H, W) array, got shape {tuple(shape)}")
    k = ntuple(kernel_size, 3, "kernel_size")
    s = ntuple(kernel_size if stride is None else stride, 3, "stride")
    p = ntuple(padding, 3, "padding")
    d = ntuple(dilation, 3, "dilation")
    if min(k + s + d) <= 0 or min(p) < 0:
        raise ValueError(f"{op}: kernel_size, stride and dilation must be positive and padding non-negative, got "
                         f"kernel_size={k}, stride={s}, padding={p}, dilation={d}")
    if any(p[i] > k[i] // 2 for i in range(3)):
        raise ValueError(f"{op}: padding should be at most half of kernel size, got padding={p} and "
                         f"kernel_size={k}")
    out = tuple(pool_output_size(shape[2 + i], k[i], s[i], p[i], d[i], ceil_mode) for i in range(3))
    if min(out) <= 0:
        raise ValueError(f"{op}: output size {out} is too small for input shape {tuple(shape)} with "
                         f"kernel_size={k}, stride={s}, padding={p}, dilation={d}")
    return k, s, p, d, out


def max_pool3d_forward(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Max pooling over 3-D windows. Returns ``(out, indices)``: ``out`` ``(N, C, OD, OH, OW)`` in ``x.dtype``,
    ``indices`` int64 flat positions in the unpadded ``D*H*W`` volume. ``stride=None`` means ``kernel_size``.

    Example::

        >>> out, idx = max_pool3d_forward(np.arange(8.).reshape(1, 1, 2, 2, 2), 2)
        >>> out.ravel(), idx.ravel()
        (array([7.]), array([7]))
    """
    x = check_float(x, "max_pool3d")
    k, s, p, d, out_size = pool3d_geometry(x.shape, kernel_size, stride, padding, dilation, ceil_mode, "max_pool3d")
    n, c = x.shape[:2]
    out = np.empty((n, c) + out_size, dtype=x.dtype)
    indices = np.empty((n, c) + out_size, dtype=np.int64)
    taps = [_tap_ranges(out_size[i], s[i], p[i], d[i], k[i], x.shape[2 + i]) for i in range(3)]
    pick(_max_pool3d_serial, _max_pool3d_parallel, x.size)(x, out, indices, *taps, *s, *p, *d)
    return out, indices


@njit
def _max_pool3d_plane(xf, of, idxf, nc, d_, h_, w_, taps_z, taps_y, taps_x, sd, sh, sw, pd, ph, pw, dd, dh, dw):
    od, oh, ow = taps_z.shape[1], taps_y.shape[1], taps_x.shape[1]
    xbase = nc * d_ * h_ * w_
    obase = nc * od * oh * ow
    for oz in range(od):
        z0 = oz * sd - pd
        a_lo, a_hi = taps_z[0, oz], taps_z[1, oz]
        for oy in range(oh):
            y0 = oy * sh - ph
            i_lo, i_hi = taps_y[0, oy], taps_y[1, oy]
            for ox in range(ow):
                x0 = ox * sw - pw
                j_lo, j_hi = taps_x[0, ox], taps_x[1, ox]
                best = -np.inf
                best_idx = -1
                if a_lo < a_hi and i_lo < i_hi and j_lo < j_hi:   # PyTorch seeds with the first valid tap
                    best_idx = ((z0 + a_lo * dd) * h_ + y0 + i_lo * dh) * w_ + x0 + j_lo * dw
                has_nan = False
                for a in range(a_lo, a_hi):
                    for i in range(i_lo, i_hi):
                        row = ((z0 + a * dd) * h_ + y0 + i * dh) * w_ + x0
                        for j in range(j_lo, j_hi):
                            q = row + j * dw
                            v = xf[U(xbase + q)]
                            if v > best:
                                best = v
                                best_idx = q
                            has_nan |= v != v
                if has_nan:   # the last NaN of the window wins, as in PyTorch (see pooling.py)
                    for a in range(a_lo, a_hi):
                        for i in range(i_lo, i_hi):
                            row = ((z0 + a * dd) * h_ + y0 + i * dh) * w_ + x0
                            for j in range(j_lo, j_hi):
                                q = row + j * dw
                                if xf[U(xbase + q)] != xf[U(xbase + q)]:
                                    best = xf[U(xbase + q)]
                                    best_idx = q
                o = obase + (oz * oh + oy) * ow + ox
                of[U(o)] = best
                idxf[U(o)] = best_idx


@njit
def _max_pool3d_serial(x, out, indices, taps_z, taps_y, taps_x, sd, sh, sw, pd, ph, pw, dd, dh, dw):
    for nc in range(x.shape[0] * x.shape[1]):
        _max_pool3d_plane(x.ravel(), out.ravel(), indices.ravel(), nc, x.shape[2], x.shape[3], x.shape[4],
                          taps_z, taps_y, taps_x, sd, sh, sw, pd, ph, pw, dd, dh, dw)


@njit(parallel=True)
def _max_pool3d_parallel(x, out, indices, taps_z, taps_y, taps_x, sd, sh, sw, pd, ph, pw, dd, dh, dw):
    for nc in prange(x.shape[0] * x.shape[1]):
        _max_pool3d_plane(x.ravel(), out.ravel(), indices.ravel(), nc, x.shape[2], x.shape[3], x.shape[4],
                          taps_z, taps_y, taps_x, sd, sh, sw, pd, ph, pw, dd, dh, dw)
