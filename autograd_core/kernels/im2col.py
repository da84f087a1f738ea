"""numba im2col / col2im for 2-D convolution on NCHW arrays (conv1d is the H == 1 case).

Column layout: ``cols`` has shape ``(C*KH*KW, N*OH*OW)``; row ``(c*KH + i)*KW + j`` holds the input pixel seen by
kernel tap ``(i, j)`` of channel ``c``, for every output position of every sample, samples outermost. With it

* conv forward is ONE GEMM:      ``out(O, N*L)     = W(O, C*KK) @ cols``
* the weight grad is ONE GEMM:   ``dW(O, C*KK)     = g(O, N*L) @ cols.T``
* the input grad is ONE GEMM:    ``dcols(C*KK, N*L) = W.T @ g``, then ``col2im(dcols)``

and, because the rows of one group of channels are contiguous, ``cols.reshape(G, C//G*KK, N*L)`` is a view, so
grouped convolution is one batched matmul. PyTorch's ``F.unfold`` layout ``(N, C*KK, L)`` is
``cols.reshape(C*KK, N, L).transpose(1, 0, 2)``.

Both kernels loop over ``(n, c)`` planes (with ``prange`` for large arrays): each plane of ``x`` is read (im2col)
or written (col2im) by exactly one thread, so col2im's scatter-add needs no atomics. The valid range of output
columns of each kernel tap is computed up front, so the inner loops have no bounds tests (and vectorise when
stride is 1).

Signatures are generic (no per-shape compiles); the Python wrappers pass C-contiguous float32/float64 arrays and
Python ints only, so each kernel has at most two specialisations.
"""
import numpy as np

from ..shapes import ntuple
from ._jit import njit, pick, prange

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def conv_output_size(size, kernel, stride=1, padding=0, dilation=1):
    """Output length of a convolution along one axis: ``(size + 2p - d*(k-1) - 1) // s + 1`` (may be <= 0)."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def check_float(x, op):
    """Return ``x`` as a C-contiguous float32/float64 array; other dtypes raise TypeError naming ``op``."""
    x = np.asarray(x)
    if x.dtype not in FLOAT_DTYPES:
        raise TypeError(f"{op}: expected a float32 or float64 array, got {x.dtype}")
    return np.ascontiguousarray(x)


def conv_geometry(shape, kernel_size, stride, padding, dilation, op):
    """Validate hyper-parameters against an NCHW shape; return (kh, kw, sh, sw, ph, pw, dh, dw, oh, ow)."""
    if len(shape) != 4:
        raise ValueError(f"{op}: expected a 4-D (N, C, H, W) array, got shape {tuple(shape)}")
    kh, kw = ntuple(kernel_size, 2, "kernel_size")
    sh, sw = ntuple(stride, 2, "stride")
    ph, pw = ntuple(padding, 2, "padding")
    dh, dw = ntuple(dilation, 2, "dilation")
    if min(kh, kw, sh, sw, dh, dw) <= 0 or min(ph, pw) < 0:
        raise ValueError(f"{op}: kernel_size, stride and dilation must be positive and padding non-negative, got "
                         f"kernel_size={(kh, kw)}, stride={(sh, sw)}, padding={(ph, pw)}, dilation={(dh, dw)}")
    oh = conv_output_size(shape[2], kh, sh, ph, dh)
    ow = conv_output_size(shape[3], kw, sw, pw, dw)
    if oh <= 0 or ow <= 0:
        raise ValueError(f"{op}: kernel {(kh, kw)} with dilation {(dh, dw)} is larger than the padded input "
                         f"{(shape[2] + 2 * ph, shape[3] + 2 * pw)} (input shape {tuple(shape)}, padding {(ph, pw)})")
    return kh, kw, sh, sw, ph, pw, dh, dw, oh, ow


def im2col(x, kernel_size, stride=1, padding=0, dilation=1, out=None):
    """Unfold sliding blocks of ``x`` into columns (zero padding).

    Args:
        x: ``(N, C, H, W)`` float32/float64 array.
        kernel_size, stride, padding, dilation: ints or ``(h, w)`` pairs.
        out: optional C-contiguous array of the result's shape and dtype to write into (buffer reuse).

    Returns:
        ``cols`` of shape ``(C*KH*KW, N*OH*OW)``, dtype of ``x``.

    Example::

        >>> im2col(np.ones((1, 1, 3, 3)), 2).shape
        (4, 4)
    """
    x = check_float(x, "im2col")
    kh, kw, sh, sw, ph, pw, dh, dw, oh, ow = conv_geometry(x.shape, kernel_size, stride, padding, dilation, "im2col")
    n, c = x.shape[:2]
    shape = (c * kh * kw, n * oh * ow)
    if out is None:
        out = np.empty(shape, dtype=x.dtype)
    elif out.shape != shape or out.dtype != x.dtype or not out.flags.c_contiguous:
        raise ValueError(f"im2col: out must be a C-contiguous {x.dtype} array of shape {shape}, "
                         f"got {out.dtype} {out.shape}")
    pick(_im2col_serial, _im2col_parallel, out.size)(x, out, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow)
    return out


def col2im(cols, input_shape, kernel_size, stride=1, padding=0, dilation=1):
    """Fold columns back into an image, summing overlapping blocks: the adjoint of :func:`im2col`.

    Args:
        cols: ``(C*KH*KW, N*OH*OW)`` float32/float64 array. An F-contiguous one (the transpose of a GEMM's
            ``(N*OH*OW, C*KH*KW)`` output, the layout conv's input gradient produces) is read in place, without
            the transposing copy.
        input_shape: ``(N, C, H, W)`` of the image to produce.

    Returns:
        ``(N, C, H, W)`` array, dtype of ``cols``; padding positions are dropped.
    """
    cols = np.asarray(cols)
    rows = cols.ndim == 2 and cols.flags.f_contiguous and not cols.flags.c_contiguous
    cols = check_float(cols.T if rows else cols, "col2im")     # rows: the C-contiguous (N*OH*OW, C*KH*KW)
    shape = cols.shape[::-1] if rows else cols.shape
    input_shape = tuple(int(s) for s in input_shape)
    kh, kw, sh, sw, ph, pw, dh, dw, oh, ow = conv_geometry(input_shape, kernel_size, stride, padding, dilation,
                                                            "col2im")
    n, c = input_shape[:2]
    expected = (c * kh * kw, n * oh * ow)
    if shape != expected:
        raise ValueError(f"col2im: cols of shape {shape} do not fit input_shape {input_shape} with kernel "
                         f"{(kh, kw)}; expected {expected}")
    x = np.zeros(input_shape, dtype=cols.dtype)
    if rows:
        kernel = pick(_col2im_rows_serial, _col2im_rows_parallel, cols.size)
    else:
        kernel = pick(_col2im_serial, _col2im_parallel, cols.size)
    kernel(cols, x, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow)
    return x


@njit
def _valid_range(start, step, limit, count):
    """Indices ``o`` in ``[0, count)`` with ``0 <= start + o*step < limit`` form ``[lo, hi)``; return lo, hi."""
    lo = 0
    if start < 0:
        lo = min((-start + step - 1) // step, count)
    hi = count
    if start + (count - 1) * step >= limit:
        hi = (limit - start + step - 1) // step if limit > start else 0
    if hi < lo:
        hi = lo
    return lo, hi


# The kernels index flat views with ``U(i)`` (unsigned): numba then drops its negative-index wraparound test,
# which otherwise keeps LLVM from vectorising the short inner loops (2-3x slower). Every index is >= 0 by
# construction of the valid ranges.
U = np.uintp


@njit
def _im2col_plane(x, cols, nc, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow):
    """Write the columns of plane ``nc = n*C + c`` of ``x``: rows ``c*KH*KW ...``, columns of sample ``n``."""
    n_, c_, h_, w_ = x.shape
    xf = x.ravel()
    cf = cols.ravel()
    ncols = cols.shape[1]
    plane = oh * ow
    n = nc // c_
    c = nc % c_
    xbase = nc * h_ * w_
    for i in range(kh):
        oy_lo, oy_hi = _valid_range(i * dh - ph, sh, h_, oh)
        for j in range(kw):
            ox_lo, ox_hi = _valid_range(j * dw - pw, sw, w_, ow)
            rbase = ((c * kh + i) * kw + j) * ncols + n * plane
            for k in range(oy_lo * ow):                 # output rows whose tap is in the padding
                cf[U(rbase + k)] = 0
            for k in range(oy_hi * ow, plane):
                cf[U(rbase + k)] = 0
            ix0 = j * dw - pw
            for oy in range(oy_lo, oy_hi):
                dst = rbase + oy * ow
                src = xbase + (oy * sh - ph + i * dh) * w_ + ix0
                for ox in range(ox_lo):
                    cf[U(dst + ox)] = 0
                for ox in range(ox_hi, ow):
                    cf[U(dst + ox)] = 0
                for ox in range(ox_lo, ox_hi):
                    cf[U(dst + ox)] = xf[U(src + ox * sw)]


@njit
def _col2im_plane(cols, x, nc, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow):
    """Add the columns of plane ``nc`` back into ``x`` (only this plane is written: no races across planes)."""
    n_, c_, h_, w_ = x.shape
    xf = x.ravel()
    cf = cols.ravel()
    ncols = cols.shape[1]
    plane = oh * ow
    n = nc // c_
    c = nc % c_
    xbase = nc * h_ * w_
    for i in range(kh):
        oy_lo, oy_hi = _valid_range(i * dh - ph, sh, h_, oh)
        for j in range(kw):
            ox_lo, ox_hi = _valid_range(j * dw - pw, sw, w_, ow)
            rbase = ((c * kh + i) * kw + j) * ncols + n * plane
            ix0 = j * dw - pw
            for oy in range(oy_lo, oy_hi):
                dst = rbase + oy * ow
                src = xbase + (oy * sh - ph + i * dh) * w_ + ix0
                for ox in range(ox_lo, ox_hi):
                    xf[U(src + ox * sw)] += cf[U(dst + ox)]


@njit
def _col2im_rows_plane(rows, x, nc, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow):
    """:func:`_col2im_plane` reading the transposed layout ``rows = cols.T`` (``(N*OH*OW, C*KH*KW)``). The taps
    of one channel are adjacent in a row, so each output position's ``KH*KW`` values share a cache line or two,
    reused across the taps while the plane is summed."""
    n_, c_, h_, w_ = x.shape
    xf = x.ravel()
    rf = rows.ravel()
    nrows = rows.shape[1]
    plane = oh * ow
    n = nc // c_
    c = nc % c_
    xbase = nc * h_ * w_
    for i in range(kh):
        oy_lo, oy_hi = _valid_range(i * dh - ph, sh, h_, oh)
        for j in range(kw):
            ox_lo, ox_hi = _valid_range(j * dw - pw, sw, w_, ow)
            r = (c * kh + i) * kw + j
            ix0 = j * dw - pw
            for oy in range(oy_lo, oy_hi):
                src = (n * plane + oy * ow) * nrows + r
                dst = xbase + (oy * sh - ph + i * dh) * w_ + ix0
                for ox in range(ox_lo, ox_hi):
                    xf[U(dst + ox * sw)] += rf[U(src + ox * nrows)]


# Serial and parallel drivers over the (n, c) planes; ``pick`` takes the serial one for small arrays, where
# waking the thread pool costs more than the work.

@njit(nogil=True)   # also run by kernels/team.py's threads (ops/conv_few_channels.py)
def _im2col_serial(x, cols, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow):
    for nc in range(x.shape[0] * x.shape[1]):
        _im2col_plane(x, cols, nc, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow)


@njit(parallel=True)
def _im2col_parallel(x, cols, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow):
    for nc in prange(x.shape[0] * x.shape[1]):
        _im2col_plane(x, cols, nc, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow)


@njit
def _col2im_serial(cols, x, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow):
    for nc in range(x.shape[0] * x.shape[1]):
        _col2im_plane(cols, x, nc, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow)


@njit(parallel=True)
def _col2im_parallel(cols, x, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow):
    for nc in prange(x.shape[0] * x.shape[1]):
        _col2im_plane(cols, x, nc, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow)


@njit
def _col2im_rows_serial(rows, x, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow):
    for nc in range(x.shape[0] * x.shape[1]):
        _col2im_rows_plane(rows, x, nc, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow)


@njit(parallel=True)
def _col2im_rows_parallel(rows, x, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow):
    for nc in prange(x.shape[0] * x.shape[1]):
        _col2im_rows_plane(rows, x, nc, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow)
