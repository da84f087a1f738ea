"""numba max / average / adaptive pooling on NCHW arrays, forward and backward (1-D pooling is the H == 1 case).

Semantics follow PyTorch's CPU kernels exactly:

* output size: ``floor_or_ceil((H + 2p - d*(k-1) - 1) / s) + 1``; with ``ceil_mode`` the last window must start
  inside the input or the left padding (``(out-1)*s < H + p``), else it is dropped.
* max pooling pads with -inf; ``indices`` are flat positions in the *unpadded* ``H*W`` plane (``return_indices``).
  Ties keep the first maximum in row-major window order; a NaN wins (the last NaN of a window, as PyTorch).
* average pooling: a window is clipped to ``[-p, H + p)`` first (this size is the ``count_include_pad`` divisor),
  then to the input (the ``count_include_pad=False`` divisor); ``divisor_override`` replaces both.
* adaptive pooling: window ``o`` covers ``[floor(o*H/OH), ceil((o+1)*H/OH))``.

Every kernel walks the strided window of each output directly (no reshape-max, no padded copy). Max and average
pooling run over ``(n, c)`` planes, in parallel (``prange``) for large arrays, so the backward scatter-adds
never race; adaptive pooling (mostly global pooling of small maps) runs serially.
"""
import numpy as np

from ..shapes import ntuple
from . import buffers
from ._jit import njit, pick, prange
from .im2col import U, check_float


def pool_output_size(size, kernel, stride, padding=0, dilation=1, ceil_mode=False):
    """Output length of a pooling window along one axis (PyTorch's ``pooling_output_shape``)."""
    numerator = size + 2 * padding - dilation * (kernel - 1) - 1 + (stride - 1 if ceil_mode else 0)
    out = numerator // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def pool_geometry(shape, kernel_size, stride, padding, dilation, ceil_mode, op):
    """Validate against an NCHW shape; return (kh, kw, sh, sw, ph, pw, dh, dw, oh, ow)."""
    if len(shape) != 4:
        raise ValueError(f"{op}: expected a 4-D (N, C, H, W) array, got shape {tuple(shape)}")
    kh, kw = ntuple(kernel_size, 2, "kernel_size")
    sh, sw = ntuple(kernel_size if stride is None else stride, 2, "stride")
    ph, pw = ntuple(padding, 2, "padding")
    dh, dw = ntuple(dilation, 2, "dilation")
    if min(kh, kw, sh, sw, dh, dw) <= 0 or min(ph, pw) < 0:
        raise ValueError(f"{op}: kernel_size, stride and dilation must be positive and padding non-negative, got "
                         f"kernel_size={(kh, kw)}, stride={(sh, sw)}, padding={(ph, pw)}, dilation={(dh, dw)}")
    if ph > kh // 2 or pw > kw // 2:
        raise ValueError(f"{op}: padding should be at most half of kernel size, got padding={(ph, pw)} "
                         f"and kernel_size={(kh, kw)}")
    oh = pool_output_size(shape[2], kh, sh, ph, dh, ceil_mode)
    ow = pool_output_size(shape[3], kw, sw, pw, dw, ceil_mode)
    if oh <= 0 or ow <= 0:
        raise ValueError(f"{op}: output size ({oh}, {ow}) is too small for input shape {tuple(shape)} with "
                         f"kernel_size={(kh, kw)}, stride={(sh, sw)}, padding={(ph, pw)}, dilation={(dh, dw)}")
    return kh, kw, sh, sw, ph, pw, dh, dw, oh, ow


# ---------------------------------------------------------------------------------------------------------- max pool

def max_pool2d_forward(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Max pooling. Returns ``(out, indices)``: ``out`` ``(N, C, OH, OW)`` in ``x.dtype``, ``indices`` int64 flat
    positions in the unpadded ``H*W`` plane (PyTorch's ``return_indices``). ``stride=None`` means ``kernel_size``.

    Example::

        >>> out, idx = max_pool2d_forward(np.arange(16.).reshape(1, 1, 4, 4), 2)
        >>> out[0, 0], idx[0, 0]
        (array([[ 5.,  7.], [13., 15.]]), array([[ 5,  7], [13, 15]]))
    """
    x = check_float(x, "max_pool2d")
    kh, kw, sh, sw, ph, pw, dh, dw, oh, ow = pool_geometry(x.shape, kernel_size, stride, padding, dilation,
                                                            ceil_mode, "max_pool2d")
    n, c = x.shape[:2]
    out = buffers.lease((n, c, oh, ow), x.dtype)
    indices = buffers.lease((n, c, oh, ow), np.int64)
    if (kh, kw, sh, sw, ph, pw, dh, dw) == (2, 2, 2, 2, 0, 0, 1, 1) and 2 * oh <= x.shape[2] and 2 * ow <= x.shape[3]:
        # the usual CNN pooling (all windows inside the input; ceil_mode may add a partial one): own kernel
        pick(_max_pool2d_2x2_serial, _max_pool2d_2x2_parallel, x.size)(x, out, indices)
        return out, indices
    taps_y = _tap_ranges(oh, sh, ph, dh, kh, x.shape[2])
    taps_x = _tap_ranges(ow, sw, pw, dw, kw, x.shape[3])
    kernel = pick(_max_pool2d_serial, _max_pool2d_parallel, x.size)
    kernel(x, out, indices, taps_y, taps_x, sh, sw, ph, pw, dh, dw)
    return out, indices


def max_pool2d_backward(grad_out, indices, input_shape):
    """Scatter-add ``grad_out`` to the positions in ``indices``: the gradient of max (and adaptive max) pooling.

    The indices are flat positions in each ``(n, c)`` plane, so this serves every spatial rank (1-D, 2-D and 3-D
    pooling, max unpooling).

    Args:
        grad_out: ``(N, C, *out)`` float array.
        indices: int64 array of the same shape, flat positions in the ``H*W`` plane (negative: no input, skipped).
        input_shape: ``(N, C, *spatial)``.
    """
    grad_out = check_float(grad_out, "max_pool2d_backward")
    indices = np.ascontiguousarray(indices, dtype=np.int64)
    input_shape = tuple(int(s) for s in input_shape)
    if (grad_out.shape != indices.shape or grad_out.ndim < 3 or len(input_shape) < 3
            or tuple(grad_out.shape[:2]) != input_shape[:2]):
        raise ValueError(f"max_pool2d_backward: grad_out {grad_out.shape}, indices {indices.shape} and "
                         f"input_shape {input_shape} do not fit")
    n, c = input_shape[:2]
    grad_in = buffers.lease_zeros(input_shape, grad_out.dtype)
    if grad_in.size == 0 or grad_out.size == 0:     # an empty batch: nothing to scatter
        return grad_in
    kernel = pick(_max_pool2d_backward_serial, _max_pool2d_backward_parallel, grad_in.size)
    kernel(grad_out.reshape(n, c, 1, -1), indices.reshape(n, c, 1, -1), grad_in.reshape(n, c, -1))
    return grad_in


def _tap_ranges(count, stride, pad, dilation, kernel, size):
    """``(2, count)`` int64: for each window along an axis, the taps ``[lo, hi)`` that land inside the input."""
    start = np.arange(count, dtype=np.int64) * stride - pad
    lo = np.clip(-(start // dilation), 0, kernel)                    # ceil(-start / d)
    hi = np.maximum(np.minimum(-((start - size) // dilation), kernel), lo)   # ceil((size - start) / d)
    return np.stack([lo, hi])


@njit
def _max_pool2d_plane(xf, of, idxf, nc, h_, w_, taps_y, taps_x, sh, sw, ph, pw, dh, dw):
    oh, ow = taps_y.shape[1], taps_x.shape[1]
    xbase = nc * h_ * w_
    obase = nc * oh * ow
    for oy in range(oh):
        y0 = oy * sh - ph
        i_lo, i_hi = taps_y[0, oy], taps_y[1, oy]
        for ox in range(ow):
            x0 = ox * sw - pw
            j_lo, j_hi = taps_x[0, ox], taps_x[1, ox]
            best = -np.inf
            best_idx = -1
            if i_lo < i_hi and j_lo < j_hi:   # PyTorch seeds with the first valid tap
                best_idx = (y0 + i_lo * dh) * w_ + x0 + j_lo * dw
            has_nan = False
            for i in range(i_lo, i_hi):
                row = (y0 + i * dh) * w_ + x0
                for j in range(j_lo, j_hi):
                    p = row + j * dw
                    v = xf[U(xbase + p)]
                    # ``v > best`` alone compiles to a select; adding ``or v != v`` here makes a branch that
                    # random data mispredicts (2.5x slower). NaNs are rare: note them, fix the window up below.
                    if v > best:
                        best = v
                        best_idx = p
                    has_nan |= v != v
            if has_nan:   # PyTorch keeps replacing on NaN: the last NaN of the window wins
                for i in range(i_lo, i_hi):
                    for j in range(j_lo, j_hi):
                        p = (y0 + i * dh) * w_ + x0 + j * dw
                        if xf[U(xbase + p)] != xf[U(xbase + p)]:
                            best = xf[U(xbase + p)]
                            best_idx = p
            of[U(obase + oy * ow + ox)] = best
            idxf[U(obase + oy * ow + ox)] = best_idx


@njit
def _max_pool2d_serial(x, out, indices, taps_y, taps_x, sh, sw, ph, pw, dh, dw):
    for nc in range(x.shape[0] * x.shape[1]):
        _max_pool2d_plane(x.ravel(), out.ravel(), indices.ravel(), nc, x.shape[2], x.shape[3], taps_y, taps_x,
                          sh, sw, ph, pw, dh, dw)


@njit(parallel=True)
def _max_pool2d_parallel(x, out, indices, taps_y, taps_x, sh, sw, ph, pw, dh, dw):
    for nc in prange(x.shape[0] * x.shape[1]):
        _max_pool2d_plane(x.ravel(), out.ravel(), indices.ravel(), nc, x.shape[2], x.shape[3], taps_y, taps_x,
                          sh, sw, ph, pw, dh, dw)


@njit
def _max_pool2d_2x2_plane(xf, of, idxf, nc, h_, w_, oh, ow):
    """:func:`_max_pool2d_plane` for 2x2 windows with stride 2 inside the input, the usual CNN pooling.

    Branch-free, so LLVM vectorises it (5x faster than tracking the argmax with compares): the max of the four
    taps, then the first tap equal to it (PyTorch's tie rule). Rows with a NaN are redone with the scalar rule of
    :func:`_max_pool2d_plane` (a NaN wins, the last NaN of a window stays)."""
    xbase = nc * h_ * w_
    obase = nc * oh * ow
    for oy in range(oh):
        orow = obase + oy * ow
        has_nan = False
        for ox in range(ow):
            q = 2 * oy * w_ + 2 * ox
            a = xf[U(xbase + q)]
            b = xf[U(xbase + q + 1)]
            c = xf[U(xbase + q + w_)]
            d = xf[U(xbase + q + w_ + 1)]
            m = max(max(a, b), max(c, d))
            k = q + w_ + 1
            k = q + w_ if c == m else k
            k = q + 1 if b == m else k
            k = q if a == m else k
            of[U(orow + ox)] = m
            idxf[U(orow + ox)] = k
            has_nan |= (a != a) | (b != b) | (c != c) | (d != d)
        if has_nan:
            for ox in range(ow):
                q = 2 * oy * w_ + 2 * ox
                best_idx = q
                for k in (q + 1, q + w_, q + w_ + 1):
                    v = xf[U(xbase + k)]
                    if v > xf[U(xbase + best_idx)] or v != v:
                        best_idx = k
                of[U(orow + ox)] = xf[U(xbase + best_idx)]
                idxf[U(orow + ox)] = best_idx


@njit
def _max_pool2d_2x2_serial(x, out, indices):
    for nc in range(x.shape[0] * x.shape[1]):
        _max_pool2d_2x2_plane(x.ravel(), out.ravel(), indices.ravel(), nc, x.shape[2], x.shape[3],
                              out.shape[2], out.shape[3])


@njit(parallel=True)
def _max_pool2d_2x2_parallel(x, out, indices):
    for nc in prange(x.shape[0] * x.shape[1]):
        _max_pool2d_2x2_plane(x.ravel(), out.ravel(), indices.ravel(), nc, x.shape[2], x.shape[3],
                              out.shape[2], out.shape[3])


@njit
def _max_pool2d_backward_plane(gof, idxf, gif, nc, ocount, plane):
    obase = nc * ocount
    ibase = nc * plane
    for o in range(ocount):
        k = idxf[U(obase + o)]
        if 0 <= k < plane:  # numba does not bounds-check; never write outside the plane
            gif[U(ibase + k)] += gof[U(obase + o)]


@njit
def _max_pool2d_backward_serial(grad_out, indices, grad_in):
    for nc in range(grad_in.shape[0] * grad_in.shape[1]):
        _max_pool2d_backward_plane(grad_out.ravel(), indices.ravel(), grad_in.ravel(), nc,
                                   grad_out.shape[2] * grad_out.shape[3], grad_in.shape[2])


@njit(parallel=True)
def _max_pool2d_backward_parallel(grad_out, indices, grad_in):
    for nc in prange(grad_in.shape[0] * grad_in.shape[1]):
        _max_pool2d_backward_plane(grad_out.ravel(), indices.ravel(), grad_in.ravel(), nc,
                                   grad_out.shape[2] * grad_out.shape[3], grad_in.shape[2])


# ---------------------------------------------------------------------------------------------------------- avg pool

def avg_pool2d_forward(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                       divisor_override=None):
    """Average pooling with zero padding, PyTorch semantics. Returns ``(N, C, OH, OW)`` in ``x.dtype``."""
    x = check_float(x, "avg_pool2d")
    kh, kw, sh, sw, ph, pw, _, _, oh, ow = pool_geometry(x.shape, kernel_size, stride, padding, 1, ceil_mode,
                                                          "avg_pool2d")
    divisor = _check_divisor(divisor_override, "avg_pool2d")
    out = np.empty(x.shape[:2] + (oh, ow), dtype=x.dtype)
    windows = _avg_setup(x.shape, (oh, ow), kh, kw, sh, sw, ph, pw, count_include_pad, divisor)
    pick(_avg_pool2d_serial, _avg_pool2d_parallel, x.size)(x, out, *windows)
    return out


def avg_pool2d_backward(grad_out, input_shape, kernel_size, stride=None, padding=0, ceil_mode=False,
                        count_include_pad=True, divisor_override=None):
    """Gradient of :func:`avg_pool2d_forward` wrt its input: each output's grad spread evenly over its window."""
    grad_out = check_float(grad_out, "avg_pool2d_backward")
    input_shape = tuple(int(s) for s in input_shape)
    kh, kw, sh, sw, ph, pw, _, _, oh, ow = pool_geometry(input_shape, kernel_size, stride, padding, 1, ceil_mode,
                                                          "avg_pool2d_backward")
    if grad_out.shape != input_shape[:2] + (oh, ow):
        raise ValueError(f"avg_pool2d_backward: grad_out shape {grad_out.shape} does not match the output shape "
                         f"{input_shape[:2] + (oh, ow)} of input shape {input_shape}")
    divisor = _check_divisor(divisor_override, "avg_pool2d_backward")
    grad_in = np.zeros(input_shape, dtype=grad_out.dtype)
    windows = _avg_setup(input_shape, (oh, ow), kh, kw, sh, sw, ph, pw, count_include_pad, divisor)
    pick(_avg_pool2d_backward_serial, _avg_pool2d_backward_parallel, grad_in.size)(grad_out, grad_in, *windows)
    return grad_in


def _check_divisor(divisor_override, op):
    if divisor_override is None:
        return 0
    if int(divisor_override) != divisor_override or divisor_override <= 0:
        raise ValueError(f"{op}: divisor_override must be a positive int, got {divisor_override!r}")
    return int(divisor_override)


def _avg_windows(count, stride, pad, kernel, size):
    """Per window along an axis: ``(2, count)`` start/end clipped to the input, and the length of the window
    clipped to the padded input (the ``count_include_pad`` divisor)."""
    start = np.arange(count, dtype=np.int64) * stride - pad
    end = np.minimum(start + kernel, size + pad)
    return np.stack([np.maximum(start, 0), np.minimum(end, size)]), end - start


def _avg_setup(input_shape, out_hw, kh, kw, sh, sw, ph, pw, count_include_pad, divisor_override):
    """Windows along each axis and the float64 divisor of every output (PyTorch's rules, see the module doc)."""
    win_y, len_y = _avg_windows(out_hw[0], sh, ph, kh, input_shape[2])
    win_x, len_x = _avg_windows(out_hw[1], sw, pw, kw, input_shape[3])
    if divisor_override:
        divisor = np.full(out_hw, float(divisor_override))
    elif count_include_pad:
        divisor = np.outer(len_y, len_x).astype(np.float64)
    else:
        divisor = np.outer(win_y[1] - win_y[0], win_x[1] - win_x[0]).astype(np.float64)
    # a window with no input (possible with ceil_mode) gives 0, as in PyTorch
    empty = np.outer(win_y[1] <= win_y[0], np.ones(out_hw[1], bool)) | (win_x[1] <= win_x[0])
    return win_y, win_x, np.where(empty, np.inf, divisor)


@njit
def _avg_pool2d_plane(xf, of, nc, h_, w_, win_y, win_x, divisor):
    oh, ow = divisor.shape
    xbase = nc * h_ * w_
    obase = nc * oh * ow
    for oy in range(oh):
        for ox in range(ow):
            total = 0.0
            for iy in range(win_y[0, oy], win_y[1, oy]):
                for ix in range(win_x[0, ox], win_x[1, ox]):
                    total += xf[U(xbase + iy * w_ + ix)]
            of[U(obase + oy * ow + ox)] = total / divisor[oy, ox]


@njit
def _avg_pool2d_backward_plane(gof, gif, nc, h_, w_, win_y, win_x, divisor):
    oh, ow = divisor.shape
    ibase = nc * h_ * w_
    obase = nc * oh * ow
    for oy in range(oh):
        for ox in range(ow):
            g = gof[U(obase + oy * ow + ox)] / divisor[oy, ox]
            for iy in range(win_y[0, oy], win_y[1, oy]):
                for ix in range(win_x[0, ox], win_x[1, ox]):
                    gif[U(ibase + iy * w_ + ix)] += g


@njit
def _avg_pool2d_serial(x, out, win_y, win_x, divisor):
    for nc in range(x.shape[0] * x.shape[1]):
        _avg_pool2d_plane(x.ravel(), out.ravel(), nc, x.shape[2], x.shape[3], win_y, win_x, divisor)


@njit(parallel=True)
def _avg_pool2d_parallel(x, out, win_y, win_x, divisor):
    for nc in prange(x.shape[0] * x.shape[1]):
        _avg_pool2d_plane(x.ravel(), out.ravel(), nc, x.shape[2], x.shape[3], win_y, win_x, divisor)


@njit
def _avg_pool2d_backward_serial(grad_out, grad_in, win_y, win_x, divisor):
    for nc in range(grad_in.shape[0] * grad_in.shape[1]):
        _avg_pool2d_backward_plane(grad_out.ravel(), grad_in.ravel(), nc, grad_in.shape[2], grad_in.shape[3],
                                   win_y, win_x, divisor)


@njit(parallel=True)
def _avg_pool2d_backward_parallel(grad_out, grad_in, win_y, win_x, divisor):
    for nc in prange(grad_in.shape[0] * grad_in.shape[1]):
        _avg_pool2d_backward_plane(grad_out.ravel(), grad_in.ravel(), nc, grad_in.shape[2], grad_in.shape[3],
                                   win_y, win_x, divisor)


# ----------------------------------------------------------------------------------------------------- adaptive pool

def adaptive_geometry(shape, output_size, op):
    """Validate an adaptive pool's ``output_size`` (int, pair, None entries keep the input size); return (oh, ow)."""
    if len(shape) != 4:
        raise ValueError(f"{op}: expected a 4-D (N, C, H, W) array, got shape {tuple(shape)}")
    if not isinstance(output_size, (tuple, list)):
        output_size = (output_size, output_size)
    if len(output_size) != 2:
        raise ValueError(f"{op}: output_size must be an int or a pair, got {output_size!r}")
    # None keeps that input size, as in PyTorch
    oh = shape[2] if output_size[0] is None else int(output_size[0])
    ow = shape[3] if output_size[1] is None else int(output_size[1])
    if oh <= 0 or ow <= 0 or shape[2] <= 0 or shape[3] <= 0:
        raise ValueError(f"{op}: output_size {(oh, ow)} and input spatial size {tuple(shape[2:])} must be positive")
    return oh, ow


def adaptive_avg_pool2d_forward(x, output_size):
    """Adaptive average pooling to ``output_size`` (int or pair).

    Window ``o`` along H covers ``[floor(o*H/OH), ceil((o+1)*H/OH))`` (PyTorch's formula), likewise along W.
    """
    x = check_float(x, "adaptive_avg_pool2d")
    oh, ow = adaptive_geometry(x.shape, output_size, "adaptive_avg_pool2d")
    out = np.empty(x.shape[:2] + (oh, ow), dtype=x.dtype)
    _adaptive_avg_pool2d(x, out)
    return out


def adaptive_avg_pool2d_backward(grad_out, input_shape):
    """Gradient of :func:`adaptive_avg_pool2d_forward` wrt its input."""
    grad_out = check_float(grad_out, "adaptive_avg_pool2d_backward")
    input_shape = tuple(int(s) for s in input_shape)
    if grad_out.ndim != 4 or grad_out.shape[:2] != input_shape[:2]:
        raise ValueError(f"adaptive_avg_pool2d_backward: grad_out {grad_out.shape} does not fit input {input_shape}")
    grad_in = np.zeros(input_shape, dtype=grad_out.dtype)
    _adaptive_avg_pool2d_backward(grad_out, grad_in)
    return grad_in


def adaptive_max_pool2d_forward(x, output_size):
    """Adaptive max pooling; returns ``(out, indices)`` like :func:`max_pool2d_forward` (backward: its backward)."""
    x = check_float(x, "adaptive_max_pool2d")
    oh, ow = adaptive_geometry(x.shape, output_size, "adaptive_max_pool2d")
    out = np.empty(x.shape[:2] + (oh, ow), dtype=x.dtype)
    indices = np.empty(x.shape[:2] + (oh, ow), dtype=np.int64)
    _adaptive_max_pool2d(x, out, indices)
    return out, indices


@njit
def _adaptive_window(o, out_size, in_size):
    return (o * in_size) // out_size, ((o + 1) * in_size + out_size - 1) // out_size


@njit
def _adaptive_avg_pool2d(x, out):
    n_, c_, h_, w_ = x.shape
    oh, ow = out.shape[2], out.shape[3]
    for nc in range(n_ * c_):
        n = nc // c_
        c = nc % c_
        for oy in range(oh):
            y0, y1 = _adaptive_window(oy, oh, h_)
            for ox in range(ow):
                x0, x1 = _adaptive_window(ox, ow, w_)
                total = 0.0
                for iy in range(y0, y1):
                    for ix in range(x0, x1):
                        total += x[n, c, iy, ix]
                out[n, c, oy, ox] = total / ((y1 - y0) * (x1 - x0))


@njit
def _adaptive_avg_pool2d_backward(grad_out, grad_in):
    n_, c_, h_, w_ = grad_in.shape
    oh, ow = grad_out.shape[2], grad_out.shape[3]
    for nc in range(n_ * c_):
        n = nc // c_
        c = nc % c_
        for oy in range(oh):
            y0, y1 = _adaptive_window(oy, oh, h_)
            for ox in range(ow):
                x0, x1 = _adaptive_window(ox, ow, w_)
                g = grad_out[n, c, oy, ox] / ((y1 - y0) * (x1 - x0))
                for iy in range(y0, y1):
                    for ix in range(x0, x1):
                        grad_in[n, c, iy, ix] += g


@njit
def _adaptive_max_pool2d(x, out, indices):
    n_, c_, h_, w_ = x.shape
    oh, ow = out.shape[2], out.shape[3]
    for nc in range(n_ * c_):
        n = nc // c_
        c = nc % c_
        for oy in range(oh):
            y0, y1 = _adaptive_window(oy, oh, h_)
            for ox in range(ow):
                x0, x1 = _adaptive_window(ox, ow, w_)
                best = -np.inf
                best_idx = y0 * w_ + x0
                for iy in range(y0, y1):
                    for ix in range(x0, x1):
                        v = x[n, c, iy, ix]
                        if v > best or v != v:
                            best = v
                            best_idx = iy * w_ + ix
                out[n, c, oy, ox] = best
                indices[n, c, oy, ox] = best_idx
