"""NumPy reference versions of the kernels: test oracles and bench baselines (the library never calls them).

Same signatures and results as ``im2col.py`` / ``im2col3d.py`` / ``pooling.py`` / ``pooling3d.py`` /
``recurrent.py``, built a different way on purpose, so the tests compare two independent algorithms: here we pad
once and loop over the *kernel taps* (a handful), taking one strided slice of the padded input per tap for all
outputs at once (chainer's ``im2col_cpu``); the numba kernels loop over *outputs* and clip each window.
Average-pool divisors are counted from 0/1 masks instead of from the window-clipping formula. Argument
validation is shared (the ``_geometry`` helpers).
"""
import math
from types import SimpleNamespace

import numpy as np

from .im2col import conv_geometry, check_float
from .im2col3d import conv3d_geometry
from .pooling import adaptive_geometry, _check_divisor, pool_geometry
from .pooling3d import pool3d_geometry


def _taps(kh, kw, sh, sw, dh, dw, oh, ow):
    """Yield ``(i, j, rows, cols)``: the slices of the padded input read by kernel tap ``(i, j)``."""
    for i in range(kh):
        for j in range(kw):
            yield i, j, slice(i * dh, i * dh + sh * (oh - 1) + 1, sh), slice(j * dw, j * dw + sw * (ow - 1) + 1, sw)


def _padded(x, ph, pw, extra_h, extra_w, value):
    """Pad H by (ph, ph + extra_h) and W by (pw, pw + extra_w) with ``value``."""
    return np.pad(x, ((0, 0), (0, 0), (ph, ph + extra_h), (pw, pw + extra_w)), constant_values=value)


def _extra(size, pad, kernel, stride, dilation, out):
    """How far the last window reaches past the padded input (ceil_mode), so slicing never runs short."""
    return max(0, (out - 1) * stride + dilation * (kernel - 1) + 1 - (size + 2 * pad))


# ------------------------------------------------------------------------------------------------------ im2col

def im2col(x, kernel_size, stride=1, padding=0, dilation=1, out=None):
    """Reference :func:`autograd_core.kernels.im2col.im2col`: ``(C*KH*KW, N*OH*OW)`` columns."""
    x = check_float(x, "im2col")
    kh, kw, sh, sw, ph, pw, dh, dw, oh, ow = conv_geometry(x.shape, kernel_size, stride, padding, dilation, "im2col")
    n, c = x.shape[:2]
    xp = _padded(x, ph, pw, 0, 0, 0)
    cols = np.empty((c, kh, kw, n, oh, ow), dtype=x.dtype)
    for i, j, rows, cs in _taps(kh, kw, sh, sw, dh, dw, oh, ow):
        cols[:, i, j] = xp[:, :, rows, cs].transpose(1, 0, 2, 3)
    cols = cols.reshape(c * kh * kw, n * oh * ow)
    if out is not None:
        out[...] = cols
        return out
    return cols


def col2im(cols, input_shape, kernel_size, stride=1, padding=0, dilation=1):
    """Reference :func:`autograd_core.kernels.im2col.col2im` (sums overlapping blocks)."""
    cols = check_float(cols, "col2im")
    input_shape = tuple(int(s) for s in input_shape)
    kh, kw, sh, sw, ph, pw, dh, dw, oh, ow = conv_geometry(input_shape, kernel_size, stride, padding, dilation,
                                                            "col2im")
    n, c, h, w = input_shape
    if cols.shape != (c * kh * kw, n * oh * ow):
        raise ValueError(f"col2im: cols of shape {cols.shape} do not fit input_shape {input_shape}; "
                         f"expected {(c * kh * kw, n * oh * ow)}")
    blocks = cols.reshape(c, kh, kw, n, oh, ow)
    xp = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=cols.dtype)
    for i, j, rows, cs in _taps(kh, kw, sh, sw, dh, dw, oh, ow):
        xp[:, :, rows, cs] += blocks[:, i, j].transpose(1, 0, 2, 3)
    return np.ascontiguousarray(xp[:, :, ph:ph + h, pw:pw + w])


# ------------------------------------------------------------------------------------------------------ max pool

def max_pool2d_forward(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Reference max pooling: ``(out, indices)`` with PyTorch's tie, NaN and index conventions."""
    x = check_float(x, "max_pool2d")
    kh, kw, sh, sw, ph, pw, dh, dw, oh, ow = pool_geometry(x.shape, kernel_size, stride, padding, dilation,
                                                            ceil_mode, "max_pool2d")
    n, c, h, w = x.shape
    eh, ew = _extra(h, ph, kh, sh, dh, oh), _extra(w, pw, kw, sw, dw, ow)
    xp = _padded(x, ph, pw, eh, ew, -np.inf)
    # flat H*W position of every padded pixel, -1 in the padding
    pos = np.full((h + 2 * ph + eh, w + 2 * pw + ew), -1, dtype=np.int64)
    pos[ph:ph + h, pw:pw + w] = np.arange(h * w).reshape(h, w)
    best = np.full((n, c, oh, ow), -np.inf, dtype=x.dtype)
    idx = np.full((n, c, oh, ow), -1, dtype=np.int64)
    for _, _, rows, cs in _taps(kh, kw, sh, sw, dh, dw, oh, ow):
        v, p = xp[:, :, rows, cs], pos[rows, cs]
        valid = p >= 0
        # the first valid tap always seeds the window (PyTorch starts from it); then strictly greater, or NaN
        take = valid & ((idx < 0) | (v > best) | np.isnan(v))
        best = np.where(take, v, best)
        idx = np.where(take, p, idx)
    return best, idx


def max_pool2d_backward(grad_out, indices, input_shape):
    """Reference scatter-add of ``grad_out`` at the flat ``indices`` (negative indices are skipped); any rank."""
    grad_out = check_float(grad_out, "max_pool2d_backward")
    input_shape = tuple(int(s) for s in input_shape)
    n, c = input_shape[:2]
    grad_in = np.zeros((n * c, int(np.prod(input_shape[2:]))), dtype=grad_out.dtype)
    g = grad_out.reshape(n * c, -1)
    k = np.asarray(indices, dtype=np.int64).reshape(n * c, -1)
    plane = np.broadcast_to(np.arange(n * c)[:, None], k.shape)
    keep = k >= 0
    np.add.at(grad_in, (plane[keep], k[keep]), g[keep])
    return grad_in.reshape(input_shape)


# ------------------------------------------------------------------------------------------------------ avg pool

def _avg_pool_parts(shape, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, op):
    """Geometry plus the divisor of every output, counted from 0/1 masks of the padded input."""
    kh, kw, sh, sw, ph, pw, _, _, oh, ow = pool_geometry(shape, kernel_size, stride, padding, 1, ceil_mode, op)
    h, w = shape[2], shape[3]
    eh, ew = _extra(h, ph, kh, sh, 1, oh), _extra(w, pw, kw, sw, 1, ow)
    divisor_override = _check_divisor(divisor_override, op)
    if divisor_override:
        divisor = np.full((oh, ow), float(divisor_override))
    else:
        mask = np.zeros((h + 2 * ph + eh, w + 2 * pw + ew))
        if count_include_pad:
            mask[:h + 2 * ph, :w + 2 * pw] = 1.0   # padding counts, the ceil_mode overhang does not
        else:
            mask[ph:ph + h, pw:pw + w] = 1.0
        divisor = sum(mask[rows, cs] for _, _, rows, cs in _taps(kh, kw, sh, sw, 1, 1, oh, ow))
    return (kh, kw, sh, sw, ph, pw, eh, ew, oh, ow), divisor


def avg_pool2d_forward(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                       divisor_override=None):
    """Reference average pooling (PyTorch semantics)."""
    x = check_float(x, "avg_pool2d")
    (kh, kw, sh, sw, ph, pw, eh, ew, oh, ow), divisor = _avg_pool_parts(
        x.shape, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, "avg_pool2d")
    xp = _padded(x, ph, pw, eh, ew, 0).astype(np.float64)
    total = sum(xp[:, :, rows, cs] for _, _, rows, cs in _taps(kh, kw, sh, sw, 1, 1, oh, ow))
    # a window entirely in the padding (possible only with count_include_pad=False) gives 0, as in PyTorch
    out = np.divide(total, divisor, out=np.zeros_like(total), where=divisor > 0)
    return out.astype(x.dtype)


def avg_pool2d_backward(grad_out, input_shape, kernel_size, stride=None, padding=0, ceil_mode=False,
                        count_include_pad=True, divisor_override=None):
    """Reference gradient of average pooling wrt its input."""
    grad_out = check_float(grad_out, "avg_pool2d_backward")
    input_shape = tuple(int(s) for s in input_shape)
    (kh, kw, sh, sw, ph, pw, eh, ew, oh, ow), divisor = _avg_pool_parts(
        input_shape, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override,
        "avg_pool2d_backward")
    n, c, h, w = input_shape
    g = np.divide(grad_out, divisor, out=np.zeros(grad_out.shape), where=divisor > 0)
    gp = np.zeros((n, c, h + 2 * ph + eh, w + 2 * pw + ew))
    for _, _, rows, cs in _taps(kh, kw, sh, sw, 1, 1, oh, ow):
        gp[:, :, rows, cs] += g
    return np.ascontiguousarray(gp[:, :, ph:ph + h, pw:pw + w]).astype(grad_out.dtype)


# ------------------------------------------------------------------------------------------------- adaptive pool

def _adaptive_windows(in_size, out_size):
    return [((o * in_size) // out_size, -(-(o + 1) * in_size // out_size)) for o in range(out_size)]


def adaptive_avg_pool2d_forward(x, output_size):
    """Reference adaptive average pooling (one window at a time)."""
    x = check_float(x, "adaptive_avg_pool2d")
    oh, ow = adaptive_geometry(x.shape, output_size, "adaptive_avg_pool2d")
    out = np.empty(x.shape[:2] + (oh, ow), dtype=x.dtype)
    for a, (y0, y1) in enumerate(_adaptive_windows(x.shape[2], oh)):
        for b, (x0, x1) in enumerate(_adaptive_windows(x.shape[3], ow)):
            out[:, :, a, b] = x[:, :, y0:y1, x0:x1].mean(axis=(2, 3), dtype=np.float64)
    return out


def adaptive_avg_pool2d_backward(grad_out, input_shape):
    """Reference gradient of adaptive average pooling."""
    grad_out = check_float(grad_out, "adaptive_avg_pool2d_backward")
    input_shape = tuple(int(s) for s in input_shape)
    oh, ow = grad_out.shape[2:]
    grad_in = np.zeros(input_shape, dtype=np.float64)
    for a, (y0, y1) in enumerate(_adaptive_windows(input_shape[2], oh)):
        for b, (x0, x1) in enumerate(_adaptive_windows(input_shape[3], ow)):
            grad_in[:, :, y0:y1, x0:x1] += grad_out[:, :, a, b, None, None] / ((y1 - y0) * (x1 - x0))
    return grad_in.astype(grad_out.dtype)


def adaptive_max_pool2d_forward(x, output_size):
    """Reference adaptive max pooling: ``(out, indices)``; first maximum wins, NaN propagates."""
    x = check_float(x, "adaptive_max_pool2d")
    oh, ow = adaptive_geometry(x.shape, output_size, "adaptive_max_pool2d")
    n, c, h, w = x.shape
    out = np.empty((n, c, oh, ow), dtype=x.dtype)
    indices = np.empty((n, c, oh, ow), dtype=np.int64)
    for a, (y0, y1) in enumerate(_adaptive_windows(h, oh)):
        for b, (x0, x1) in enumerate(_adaptive_windows(w, ow)):
            win = x[:, :, y0:y1, x0:x1].reshape(n, c, -1)
            nan = np.isnan(win)
            # the last NaN if any (PyTorch keeps replacing on NaN), else the first maximum
            last_nan = win.shape[2] - 1 - np.argmax(nan[:, :, ::-1], axis=2)
            k = np.where(nan.any(axis=2), last_nan, np.argmax(win, axis=2))
            out[:, :, a, b] = np.take_along_axis(win, k[:, :, None], axis=2)[:, :, 0]
            indices[:, :, a, b] = (y0 + k // (x1 - x0)) * w + x0 + k % (x1 - x0)
    return out, indices


# ------------------------------------------------------------------------------------------------------ 3-D

def _taps3d(k, s, d, out):
    """Yield ``(a, i, j, slices)``: the slices of the padded volume read by kernel tap ``(a, i, j)``."""
    for a in range(k[0]):
        for i in range(k[1]):
            for j in range(k[2]):
                yield a, i, j, tuple(slice(t * d[m], t * d[m] + s[m] * (out[m] - 1) + 1, s[m])
                                     for m, t in enumerate((a, i, j)))


def im2col3d(x, kernel_size, stride=1, padding=0, dilation=1):
    """Reference :func:`autograd_core.kernels.im2col3d.im2col3d`: ``(C*KD*KH*KW, N*OD*OH*OW)`` columns."""
    x = check_float(x, "im2col3d")
    k, s, p, d, out = conv3d_geometry(x.shape, kernel_size, stride, padding, dilation, "im2col3d")
    n, c = x.shape[:2]
    xp = np.pad(x, ((0, 0), (0, 0)) + tuple((q, q) for q in p))
    cols = np.empty((c,) + k + (n,) + out, dtype=x.dtype)
    for a, i, j, sl in _taps3d(k, s, d, out):
        cols[:, a, i, j] = xp[(slice(None), slice(None)) + sl].transpose(1, 0, 2, 3, 4)
    return cols.reshape(c * k[0] * k[1] * k[2], -1)


def col2im3d(cols, input_shape, kernel_size, stride=1, padding=0, dilation=1):
    """Reference :func:`autograd_core.kernels.im2col3d.col2im3d` (sums overlapping blocks)."""
    cols = check_float(cols, "col2im3d")
    input_shape = tuple(int(v) for v in input_shape)
    k, s, p, d, out = conv3d_geometry(input_shape, kernel_size, stride, padding, dilation, "col2im3d")
    n, c = input_shape[:2]
    blocks = cols.reshape((c,) + k + (n,) + out)
    xp = np.zeros((n, c) + tuple(input_shape[2 + m] + 2 * p[m] for m in range(3)), dtype=cols.dtype)
    for a, i, j, sl in _taps3d(k, s, d, out):
        xp[(slice(None), slice(None)) + sl] += blocks[:, a, i, j].transpose(1, 0, 2, 3, 4)
    inner = tuple(slice(p[m], p[m] + input_shape[2 + m]) for m in range(3))
    return np.ascontiguousarray(xp[(slice(None), slice(None)) + inner])


def max_pool3d_forward(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Reference 3-D max pooling: ``(out, indices)`` with PyTorch's tie, NaN and index conventions."""
    x = check_float(x, "max_pool3d")
    k, s, p, d, out = pool3d_geometry(x.shape, kernel_size, stride, padding, dilation, ceil_mode, "max_pool3d")
    n, c = x.shape[:2]
    size = x.shape[2:]
    extra = [_extra(size[m], p[m], k[m], s[m], d[m], out[m]) for m in range(3)]
    widths = ((0, 0), (0, 0)) + tuple((p[m], p[m] + extra[m]) for m in range(3))
    xp = np.pad(x, widths, constant_values=-np.inf)
    # flat D*H*W position of every padded voxel, -1 in the padding
    pos = np.pad(np.arange(np.prod(size)).reshape(size), widths[2:], constant_values=-1)
    best = np.full((n, c) + out, -np.inf, dtype=x.dtype)
    idx = np.full((n, c) + out, -1, dtype=np.int64)
    for _, _, _, sl in _taps3d(k, s, d, out):
        v, q = xp[(slice(None), slice(None)) + sl], pos[sl]
        take = (q >= 0) & ((idx < 0) | (v > best) | np.isnan(v))
        best = np.where(take, v, best)
        idx = np.where(take, q, idx)
    return best, idx


# ------------------------------------------------------------------------------------------------------ recurrent
# Whole-array numpy versions of ``recurrent.py``'s step kernels (same signatures and conventions).

def _np_sigmoid_(a):
    """In-place sigmoid, (1 + tanh(a/2)) / 2: one transcendental, no overflow."""
    a *= 0.5
    np.tanh(a, out=a)
    a *= 0.5
    a += 0.5


def _np_lstm_step(a, gx, cp, c, tc, h, out):
    H = c.shape[1]
    a += gx
    _np_sigmoid_(a[:, :2 * H])
    np.tanh(a[:, 2 * H:3 * H], out=a[:, 2 * H:3 * H])
    _np_sigmoid_(a[:, 3 * H:])
    i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
    np.multiply(f, cp, out=c)
    c += i * g
    np.tanh(c, out=tc)
    np.multiply(o, tc, out=out)
    h[...] = out


def _np_lstm_step_back(a, cp, tc, dy, dh, dc, dgx):
    H = dh.shape[1]
    i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
    dh += dy
    dc += dh * o * (1.0 - tc * tc)                          # through h = o tanh(c)
    dgx[:, :H] = dc * g * i * (1.0 - i)
    dgx[:, H:2 * H] = dc * cp * f * (1.0 - f)
    dgx[:, 2 * H:3 * H] = dc * i * (1.0 - g * g)
    dgx[:, 3 * H:] = dh * tc * o * (1.0 - o)
    dc *= f


def _np_gru_step(gh, gx, b_hh, hp, a, ghn, h, out):
    H = h.shape[1]
    gh += b_hh
    rz = a[:, :2 * H]
    np.add(gx[:, :2 * H], gh[:, :2 * H], out=rz)
    _np_sigmoid_(rz)
    r, z, n = a[:, :H], a[:, H:2 * H], a[:, 2 * H:]
    ghn[...] = gh[:, 2 * H:]
    np.multiply(r, ghn, out=n)
    n += gx[:, 2 * H:]
    np.tanh(n, out=n)
    np.subtract(hp, n, out=out)                              # h' = (1 - z) n + z h = n + z (h - n)
    out *= z
    out += n
    h[...] = out


def _np_gru_step_back(a, ghn, hp, dy, dh, dgx, dgh):
    H = dh.shape[1]
    r, z, n = a[:, :H], a[:, H:2 * H], a[:, 2 * H:]
    dh += dy
    dn = dh * (1.0 - z) * (1.0 - n * n)
    dgx[:, 2 * H:] = dn
    dgh[:, 2 * H:] = dn * r
    dgx[:, :H] = dn * ghn * r * (1.0 - r)
    dgx[:, H:2 * H] = dh * (hp - n) * z * (1.0 - z)
    dgh[:, :2 * H] = dgx[:, :2 * H]
    dh *= z


def _np_rnn_step(a, gx, relu, h, out):
    a += gx
    if relu:
        np.maximum(a, 0, out=a)
    else:
        np.tanh(a, out=a)
    h[...] = a
    out[...] = a


def _np_rnn_step_back(a, dy, relu, dh, dgx):
    dh += dy
    np.multiply(dh, (a > 0) if relu else 1.0 - a * a, out=dgx)


recurrent_steps = SimpleNamespace(lstm_step=_np_lstm_step, lstm_step_back=_np_lstm_step_back,
                                  gru_step=_np_gru_step, gru_step_back=_np_gru_step_back, rnn_step=_np_rnn_step,
                                  rnn_step_back=_np_rnn_step_back)


# ---------------------------------------------------------------------------------------------------------- CTC
def _ctc_extended(target, blank):
    ext = np.full(2 * len(target) + 1, blank, dtype=np.int64)
    ext[1::2] = target
    skip = np.zeros(len(ext), dtype=bool)                  # may l'_s be reached from l'_{s-2}
    skip[2:] = (ext[2:] != blank) & (ext[2:] != ext[:-2])
    return ext, skip


def ctc_forward(log_probs, targets, input_lengths, target_lengths, blank):
    """The CTC alpha recursion one time step at a time, vectorized over the extended target (np.logaddexp)."""
    lp = np.asarray(log_probs, dtype=np.float64)
    T, N, _ = lp.shape
    L = 2 * targets.shape[1] + 1
    nll = np.empty(N)
    alpha = np.full((N, T, L), -np.inf)
    for n in range(N):
        Tn, Sn = int(input_lengths[n]), int(target_lengths[n])
        ext, skip = _ctc_extended(targets[n, :Sn], blank)
        Ln = len(ext)
        if Tn == 0:
            nll[n] = np.inf if Sn else 0.0
            continue
        a = np.full(Ln, -np.inf)
        a[:2] = lp[0, n, ext[:2]]
        alpha[n, 0, :Ln] = a
        for t in range(1, Tn):
            prev = a
            a = prev.copy()
            a[1:] = np.logaddexp(a[1:], prev[:-1])
            a[2:] = np.where(skip[2:], np.logaddexp(a[2:], prev[:-2]), a[2:])
            a = a + lp[t, n, ext]
            alpha[n, t, :Ln] = a
        nll[n] = -np.logaddexp.reduce(a[-2:]) if Ln > 1 else -a[-1]
    return nll, alpha


def ctc_backward(log_probs, targets, input_lengths, target_lengths, blank, nll, alpha):
    """The beta recursion, then PyTorch's gradient ``exp(lp) - exp(log(sum alpha beta) + nll - lp)``."""
    lp = np.asarray(log_probs, dtype=np.float64)
    T, N, C = lp.shape
    grad = np.zeros_like(lp)
    for n in range(N):
        Tn, Sn = int(input_lengths[n]), int(target_lengths[n])
        if Tn == 0:
            continue
        ext, skip = _ctc_extended(targets[n, :Sn], blank)
        Ln = len(ext)
        beta = np.full((Tn, Ln), -np.inf)
        beta[Tn - 1, -2:] = lp[Tn - 1, n, ext[-2:]]
        beta[Tn - 1, -1] = lp[Tn - 1, n, blank]
        for t in range(Tn - 2, -1, -1):
            nxt = beta[t + 1]
            b = nxt.copy()
            b[:-1] = np.logaddexp(b[:-1], nxt[1:])
            b[:-2] = np.where(skip[2:], np.logaddexp(b[:-2], nxt[2:]), b[:-2])
            beta[t] = b + lp[t, n, ext]
        ab = alpha[n, :Tn, :Ln] + beta
        for t in range(Tn):
            lcab = np.full(C, -np.inf)
            np.logaddexp.at(lcab, ext, ab[t])
            grad[t, n] = np.exp(lp[t, n]) - np.exp(lcab + nll[n] - lp[t, n])
    return grad


# ------------------------------------------------------------------------------------------ special functions
# Oracles for kernels/special.py, each by a different method: bisection for the inverses, Lentz's continued
# fraction for erfcx, the trapezoid rule on the integral representation for the Bessel functions (exponentially
# accurate for a periodic analytic integrand), plain summation with an integral tail for zeta.

_vec_erf = np.vectorize(math.erf, otypes=[np.float64])
_vec_erfc = np.vectorize(math.erfc, otypes=[np.float64])


def _bisect(f, target, lo, hi, increasing=True, steps=200):
    lo, hi = np.full(target.shape, lo, dtype=np.float64), np.full(target.shape, hi, dtype=np.float64)
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        below = (f(mid) < target) if increasing else (f(mid) > target)
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    return 0.5 * (lo + hi)


def erfinv(y):
    """Reference inverse error function for ``|y| < 1``: bisection on ``erf`` (``|y| <= 0.5``) or ``erfc``."""
    y = np.asarray(y, dtype=np.float64)
    a = np.abs(y)
    near = _bisect(_vec_erf, a, 0.0, 1.0)
    far = _bisect(_vec_erfc, 1.0 - a, 0.0, 6.0, increasing=False)
    return np.sign(y) * np.where(a <= 0.5, near, far)


def ndtri(p):
    """Reference inverse normal CDF for ``0 < p < 1``: bisection on ``erfc(-x / sqrt 2) / 2 = p``."""
    p = np.asarray(p, dtype=np.float64)
    return _bisect(lambda x: 0.5 * _vec_erfc(-x / math.sqrt(2.0)), p, -40.0, 10.0)


def erfcx(x, terms=400):
    """Reference ``exp(x^2) erfc(x)``: the continued fraction ``1/sqrt(pi) / (x + 1/2 / (x + 1 / (x + ...)))``
    (evaluated bottom-up) for ``x >= 2``, the product of libm's ``exp`` and ``erfc`` below."""
    x = np.asarray(x, dtype=np.float64)
    big = np.where(x >= 2.0, x, 2.0)
    tail = big.copy()
    for k in range(terms, 0, -1):
        tail = big + (k / 2.0) / tail
    direct = np.exp(np.minimum(x, 2.0) ** 2) * _vec_erfc(np.minimum(x, 2.0))
    return np.where(x >= 2.0, 1.0 / (math.sqrt(math.pi) * tail), direct)


def digamma(x, shift=1000):
    """Reference digamma for ``x > 0``: ``psi(x) = psi(x + N) - sum_{j<N} 1/(x + j)`` with ``N = 1000`` and three
    terms of the asymptotic series at ``x + N``."""
    x = np.asarray(x, dtype=np.float64)
    z = x + shift
    psi = np.log(z) - 0.5 / z - 1.0 / (12 * z ** 2) + 1.0 / (120 * z ** 4) - 1.0 / (252 * z ** 6)
    return psi - sum(1.0 / (x + j) for j in range(shift))


def zeta(s, q, terms=2000):
    """Reference Hurwitz zeta for ``s > 1``, ``q > 0``: ``N`` terms, then the integral tail with two
    Euler-Maclaurin corrections."""
    s, q = np.broadcast_arrays(np.asarray(s, dtype=np.float64), np.asarray(q, dtype=np.float64))
    head = sum((q + k) ** -s for k in range(terms))
    a = q + terms
    return head + a ** (1 - s) / (s - 1) + 0.5 * a ** -s + s / 12.0 * a ** (-s - 1)


def bessel_i(nu, x, scaled=False, points=4000):
    """Reference ``I_nu(x)`` (nu 0 or 1): ``(1/pi) integral_0^pi exp(x cos t) cos(nu t) dt`` by the trapezoid
    rule, computed as ``exp(|x|) (1/pi) integral exp(|x| (cos t - 1)) ...`` so nothing overflows."""
    x = np.asarray(x, dtype=np.float64)
    t = np.linspace(0.0, math.pi, points + 1)
    w = np.full(t.shape, math.pi / points)
    w[[0, -1]] *= 0.5
    ax = np.abs(x)[..., None]
    val = (np.exp(ax * (np.cos(t) - 1.0)) * np.cos(nu * t) * w).sum(-1) / math.pi
    if nu == 1:
        val = np.sign(x) * val
    return val if scaled else val * np.exp(np.abs(x))
