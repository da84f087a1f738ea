"""numba im2col / col2im for 3-D convolution on NCDHW arrays: ``im2col.py`` with one more spatial axis.

Column layout: ``cols`` has shape ``(C*KD*KH*KW, N*OD*OH*OW)``; row ``((c*KD + a)*KH + i)*KW + j`` holds the input
voxel seen by kernel tap ``(a, i, j)`` of channel ``c``, for every output position of every sample, samples
outermost, so the conv3d GEMMs are those of conv2d (``autograd_core/ops/conv.py`` serves both).

As in ``im2col.py`` both kernels loop over ``(n, c)`` planes (``prange`` for large arrays; col2im's scatter-add
then never races), with the valid output range of each tap computed up front so inner loops test no bounds.
"""
import numpy as np

from ..shapes import ntuple
from ._jit import njit, pick, prange
from .im2col import U, _valid_range, check_float, conv_output_size


def conv3d_geometry(shape, kernel_size, stride, padding, dilation, op):
    """Validate hyper-parameters against an NCDHW shape; return ``(k, s, p, d, out)``, each a 3-tuple."""
    if len(shape) != 5:
        raise ValueError(f"{op}: expected a 5-D (N, C, D, H, W) array, got shape {tuple(shape)}")
    k = ntuple(kernel_size, 3, "kernel_size")
    s = ntuple(stride, 3, "stride")
    p = ntuple(padding, 3, "padding")
    d = ntuple(dilation, 3, "dilation")
    if min(k + s + d) <= 0 or min(p) < 0:
        raise ValueError(f"{op}: kernel_size, stride and dilation must be positive and padding non-negative, got "
                         f"kernel_size={k}, stride={s}, padding={p}, dilation={d}")
    out = tuple(conv_output_size(shape[2 + i], k[i], s[i], p[i], d[i]) for i in range(3))
    if min(out) <= 0:
        raise ValueError(f"{op}: kernel {k} with dilation {d} is larger than the padded input "
                         f"{tuple(shape[2 + i] + 2 * p[i] for i in range(3))} (input shape {tuple(shape)}, "
                         f"padding {p})")
    return k, s, p, d, out


def im2col3d(x, kernel_size, stride=1, padding=0, dilation=1):
    """Unfold the sliding 3-D blocks of ``x`` into columns (zero padding).

    Args:
        x: ``(N, C, D, H, W)`` float32/float64 array.
        kernel_size, stride, padding, dilation: ints or ``(d, h, w)`` triples.

    Returns:
        ``cols`` of shape ``(C*KD*KH*KW, N*OD*OH*OW)``, dtype of ``x``.

    Example::

        >>> im2col3d(np.ones((1, 1, 3, 3, 3)), 2).shape
        (8, 8)
    """
    x = check_float(x, "im2col3d")
    k, s, p, d, out = conv3d_geometry(x.shape, kernel_size, stride, padding, dilation, "im2col3d")
    n, c = x.shape[:2]
    cols = np.empty((c * k[0] * k[1] * k[2], n * out[0] * out[1] * out[2]), dtype=x.dtype)
    pick(_im2col3d_serial, _im2col3d_parallel, cols.size)(x, cols, *k, *s, *p, *d, *out)
    return cols


def col2im3d(cols, input_shape, kernel_size, stride=1, padding=0, dilation=1):
    """Fold columns back into a volume, summing overlapping blocks: the adjoint of :func:`im2col3d`.

    Args:
        cols: ``(C*KD*KH*KW, N*OD*OH*OW)`` float32/float64 array.
        input_shape: ``(N, C, D, H, W)`` of the volume to produce.

    Returns:
        ``(N, C, D, H, W)`` array, dtype of ``cols``; padding positions are dropped.
    """
    cols = check_float(cols, "col2im3d")
    input_shape = tuple(int(v) for v in input_shape)
    k, s, p, d, out = conv3d_geometry(input_shape, kernel_size, stride, padding, dilation, "col2im3d")
    n, c = input_shape[:2]
    expected = (c * k[0] * k[1] * k[2], n * out[0] * out[1] * out[2])
    if cols.shape != expected:
        raise ValueError(f"col2im3d: cols of shape {cols.shape} do not fit input_shape {input_shape} with kernel "
                         f"{k}; expected {expected}")
    x = np.zeros(input_shape, dtype=cols.dtype)
    pick(_col2im3d_serial, _col2im3d_parallel, cols.size)(cols, x, *k, *s, *p, *d, *out)
    return x


@njit
def _im2col3d_plane(x, cols, nc, kd, kh, kw, sd, sh, sw, pd, ph, pw, dd, dh, dw, od, oh, ow):
    """Write the columns of plane ``nc = n*C + c``: rows ``c*KD*KH*KW ...``, the columns of sample ``n``."""
    n_, c_, d_, h_, w_ = x.shape
    xf = x.ravel()
    cf = cols.ravel()
    ncols = cols.shape[1]
    plane = od * oh * ow
    n = nc // c_
    c = nc % c_
    xbase = nc * d_ * h_ * w_
    for a in range(kd):
        oz_lo, oz_hi = _valid_range(a * dd - pd, sd, d_, od)
        for i in range(kh):
            oy_lo, oy_hi = _valid_range(i * dh - ph, sh, h_, oh)
            for j in range(kw):
                ox_lo, ox_hi = _valid_range(j * dw - pw, sw, w_, ow)
                rbase = (((c * kd + a) * kh + i) * kw + j) * ncols + n * plane
                for q in range(plane):     # zero first: taps in the padding leave their columns untouched below
                    cf[U(rbase + q)] = 0
                ix0 = j * dw - pw
                for oz in range(oz_lo, oz_hi):
                    iz = oz * sd - pd + a * dd
                    for oy in range(oy_lo, oy_hi):
                        dst = rbase + (oz * oh + oy) * ow
                        src = xbase + (iz * h_ + oy * sh - ph + i * dh) * w_ + ix0
                        for ox in range(ox_lo, ox_hi):
                            cf[U(dst + ox)] = xf[U(src + ox * sw)]


@njit
def _col2im3d_plane(cols, x, nc, kd, kh, kw, sd, sh, sw, pd, ph, pw, dd, dh, dw, od, oh, ow):
    """Add the columns of plane ``nc`` back into ``x`` (only this plane is written: no races across planes)."""
    n_, c_, d_, h_, w_ = x.shape
    xf = x.ravel()
    cf = cols.ravel()
    ncols = cols.shape[1]
    plane = od * oh * ow
    n = nc // c_
    c = nc % c_
    xbase = nc * d_ * h_ * w_
    for a in range(kd):
        oz_lo, oz_hi = _valid_range(a * dd - pd, sd, d_, od)
        for i in range(kh):
            oy_lo, oy_hi = _valid_range(i * dh - ph, sh, h_, oh)
            for j in range(kw):
                ox_lo, ox_hi = _valid_range(j * dw - pw, sw, w_, ow)
                rbase = (((c * kd + a) * kh + i) * kw + j) * ncols + n * plane
                ix0 = j * dw - pw
                for oz in range(oz_lo, oz_hi):
                    iz = oz * sd - pd + a * dd
                    for oy in range(oy_lo, oy_hi):
                        dst = rbase + (oz * oh + oy) * ow
                        src = xbase + (iz * h_ + oy * sh - ph + i * dh) * w_ + ix0
                        for ox in range(ox_lo, ox_hi):
                            xf[U(src + ox * sw)] += cf[U(dst + ox)]


@njit
def _im2col3d_serial(x, cols, kd, kh, kw, sd, sh, sw, pd, ph, pw, dd, dh, dw, od, oh, ow):
    for nc in range(x.shape[0] * x.shape[1]):
        _im2col3d_plane(x, cols, nc, kd, kh, kw, sd, sh, sw, pd, ph, pw, dd, dh, dw, od, oh, ow)


@njit(parallel=True)
def _im2col3d_parallel(x, cols, kd, kh, kw, sd, sh, sw, pd, ph, pw, dd, dh, dw, od, oh, ow):
    for nc in prange(x.shape[0] * x.shape[1]):
        _im2col3d_plane(x, cols, nc, kd, kh, kw, sd, sh, sw, pd, ph, pw, dd, dh, dw, od, oh, ow)


@njit
def _col2im3d_serial(cols, x, kd, kh, kw, sd, sh, sw, pd, ph, pw, dd, dh, dw, od, oh, ow):
    for nc in range(x.shape[0] * x.shape[1]):
        _col2im3d_plane(cols, x, nc, kd, kh, kw, sd, sh, sw, pd, ph, pw, dd, dh, dw, od, oh, ow)


@njit(parallel=True)
def _col2im3d_parallel(cols, x, kd, kh, kw, sd, sh, sw, pd, ph, pw, dd, dh, dw, od, oh, ow):
    for nc in prange(x.shape[0] * x.shape[1]):
        _col2im3d_plane(cols, x, nc, kd, kh, kw, sd, sh, sw, pd, ph, pw, dd, dh, dw, od, oh, ow)
