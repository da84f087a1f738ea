"""im2row: the convolution's patches as rows, channels last, for the fast path of 2-D convolution.

``rows`` has shape ``(N*OH*OW, KH*KW*C)``: row ``(n*OH + oy)*OW + ox`` holds the patch of output position
``(oy, ox)`` of sample ``n``, ordered tap by tap ``(i, j)`` with the ``C`` channels of each tap contiguous. It is
the transpose of im2col's columns (``kernels/im2col.py``, the teaching path and the oracle) up to the order of the
patch entries (``(i, j, c)`` here, ``(c, i, j)`` there), and with a matching weight ``W' = (KH*KW*C, K)``:

* forward          ``y_rows = rows @ W'``   (``(N*OH*OW, K)``, channels last, as before)
* weight gradient  ``dW'    = rows.T @ rows(g)``

Built from a zero-padded channels-last copy of the input, every copy is a contiguous run of ``C`` values (one
per tap and output position) instead of im2col's runs of ``OW`` values: fewer, longer, vectorised copies, and no
bounds tests (the padding is in the copy). For few channels (``C`` < 8) im2col's layout is faster.
"""
import numpy as np

from . import buffers
from ._jit import njit, pick, prange

U = np.uintp


def padded_nhwc(x, ph, pw):
    """``(N, C, H, W)`` -> a pooled ``(N, H + 2ph, W + 2pw, C)`` copy, zero borders (give it back after use)."""
    n, c, h, w = x.shape
    xp = buffers.take((n, h + 2 * ph, w + 2 * pw, c), x.dtype)
    if ph or pw:
        xp.fill(0)
    xp[:, ph:ph + h, pw:pw + w, :] = x.transpose(0, 2, 3, 1)
    return xp


def im2row(x, kernel, stride, padding, dilation, out_hw, out=None):
    """The patches of ``x`` (``(N, C, H, W)``) as rows ``(N*OH*OW, KH*KW*C)`` (a pooled buffer unless ``out``)."""
    kh, kw = kernel
    n, c = x.shape[:2]
    oh, ow = out_hw
    xp = padded_nhwc(x, *padding)
    rows = buffers.take((n * oh * ow, kh * kw * c), x.dtype) if out is None else out
    pick(_im2row_serial, _im2row_parallel, rows.size)(xp, rows, kh, kw, stride[0], stride[1], dilation[0],
                                                      dilation[1], oh, ow)
    buffers.give(xp)
    return rows


def weight_rows(w):
    """``(K, C, KH, KW)`` -> ``W' = (KH*KW*C, K)``, the weight in the row order of :func:`im2row`."""
    k, c, kh, kw = w.shape
    return np.ascontiguousarray(w.transpose(2, 3, 1, 0)).reshape(kh * kw * c, k)


def weight_from_rows(dw_rows, shape):
    """Inverse of :func:`weight_rows`: ``(KH*KW*C, K)`` -> ``(K, C, KH, KW)``."""
    k, c, kh, kw = shape
    return np.ascontiguousarray(dw_rows.reshape(kh, kw, c, k).transpose(3, 2, 0, 1))


@njit
def _im2row_line(xp, rows, r, kh, kw, sh, sw, dh, dw, oh, ow):
    """Rows of output line ``r = n*OH + oy``: for each ``ox`` and tap, one contiguous run of ``C`` channels."""
    n_, hp, wp, c_ = xp.shape
    xf = xp.ravel()
    rf = rows.ravel()
    n = r // oh
    oy = r % oh
    width = kh * kw * c_
    for ox in range(ow):
        dst = (r * ow + ox) * width
        for i in range(kh):
            src_row = ((n * hp + oy * sh + i * dh) * wp + ox * sw) * c_
            for j in range(kw):
                src = src_row + j * dw * c_
                for c in range(c_):
                    rf[U(dst + c)] = xf[U(src + c)]
                dst += c_


@njit
def _im2row_serial(xp, rows, kh, kw, sh, sw, dh, dw, oh, ow):
    for r in range(xp.shape[0] * oh):
        _im2row_line(xp, rows, r, kh, kw, sh, sw, dh, dw, oh, ow)


@njit(parallel=True)
def _im2row_parallel(xp, rows, kh, kw, sh, sw, dh, dw, oh, ow):
    for r in prange(xp.shape[0] * oh):
        _im2row_line(xp, rows, r, kh, kw, sh, sw, dh, dw, oh, ow)
