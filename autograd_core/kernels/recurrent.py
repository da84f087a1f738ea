"""Step kernels of the fused recurrent layers (ndarrays in, ndarrays out; never Tensors).

One time step's elementwise work, on the running rows only, in two implementations with the same signatures:
numba loops (one pass over memory per step; float32 tanh by a vectorizable rational approximation) and numpy
(a dozen whole-array calls per step). ``kernels`` is the numba set when numba is installed; tests run both.
Used by ``autograd_core/ops/recurrent.py``.
"""
import math
from types import SimpleNamespace

import numpy as np

from ._jit import HAVE_NUMBA, njit

# ---------------------------------------------------------------------- step kernels (ndarrays in, ndarrays out)
# One time step's elementwise work, on the running rows only. Two implementations with the same signatures:
# numba loops (one pass over memory per step, float32 tanh by a vectorizable rational approximation) and numpy
# (a dozen whole-array calls per step). ``kernels`` picks numba when it is installed; tests run both.
#
# Conventions: ``a`` holds the step's gate pre-activations ``h_prev @ W_hh^T`` on entry and the activated gates on
# exit (they are what backward needs); ``gx`` the step's slice of the input projection; ``h``/``c`` the running
# states, updated in place; ``out`` the step's output rows. Backward kernels turn the running gradients
# ``dh``/``dc`` plus the output gradient ``dy`` into the gate gradients ``dgx`` (and ``dgh`` for the GRU, whose
# reset gate sits inside the hidden projection); the caller then adds ``dgh @ W_hh`` into ``dh``.

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


numpy_kernels = SimpleNamespace(lstm_step=_np_lstm_step, lstm_step_back=_np_lstm_step_back, gru_step=_np_gru_step,
                                gru_step_back=_np_gru_step_back, rnn_step=_np_rnn_step,
                                rnn_step_back=_np_rnn_step_back)


def _tanh(x):
    """tanh inside the numba kernels: exact (libm) in float64; in float32 Eigen's rational approximation
    (max error 3e-7, a couple of ulps, like the vectorized tanh PyTorch uses), which the compiler vectorizes --
    numpy's float32 tanh is a scalar loop here and took most of a step's time."""
    return math.tanh(x)


if HAVE_NUMBA:
    from numba import types
    from numba.extending import overload

    @overload(_tanh, inline="always")
    def _tanh_overload(x):
        if isinstance(x, types.Float) and x.bitwidth == 32:
            def tanh32(x):
                x = min(max(x, np.float32(-7.90531110763549805)), np.float32(7.90531110763549805))
                x2 = x * x
                p = np.float32(-2.76076847742355e-16)
                p = p * x2 + np.float32(2.00018790482477e-13)
                p = p * x2 + np.float32(-8.60467152213735e-11)
                p = p * x2 + np.float32(5.12229709037114e-08)
                p = p * x2 + np.float32(1.48572235717979e-05)
                p = p * x2 + np.float32(6.37261928875436e-04)
                p = p * x2 + np.float32(4.89352455891786e-03)
                q = np.float32(1.19825839466702e-06)
                q = q * x2 + np.float32(1.18534705686654e-04)
                q = q * x2 + np.float32(2.26843463243900e-03)
                q = q * x2 + np.float32(4.89352518554385e-03)
                return x * p / q
            return tanh32
        return lambda x: math.tanh(x)


# error_model="numpy": no ZeroDivisionError checks (they block vectorization); fastmath only allows fused
# multiply-adds, so NaN and inf still propagate as in numpy. Each loop reads and writes an array at the same
# index only, which lets LLVM vectorize it.
_jit = njit(error_model="numpy", fastmath={"contract"})


@_jit
def _nb_lstm_step(a, gx, cp, c, tc, h, out):
    n, H = c.shape
    one, half = a.dtype.type(1.0), a.dtype.type(0.5)
    for r in range(n):
        for k in range(4 * H):                     # sigmoid(x) = (1 + tanh(x / 2)) / 2, except for the g block
            s = one if 2 * H <= k < 3 * H else half
            a[r, k] = s * _tanh(s * (a[r, k] + gx[r, k])) + (one - s)
        for k in range(H):
            cn = a[r, H + k] * cp[r, k] + a[r, k] * a[r, 2 * H + k]
            c[r, k] = cn
            t = _tanh(cn)
            tc[r, k] = t
            v = a[r, 3 * H + k] * t
            h[r, k] = v
            out[r, k] = v


@_jit
def _nb_lstm_step_back(a, cp, tc, dy, dh, dc, dgx):
    n, H = dh.shape
    one = a.dtype.type(1.0)
    for r in range(n):
        for k in range(H):
            i, f, g, o = a[r, k], a[r, H + k], a[r, 2 * H + k], a[r, 3 * H + k]
            t = tc[r, k]
            d_h = dh[r, k] + dy[r, k]
            d_c = dc[r, k] + d_h * o * (one - t * t)
            dgx[r, k] = d_c * g * i * (one - i)
            dgx[r, H + k] = d_c * cp[r, k] * f * (one - f)
            dgx[r, 2 * H + k] = d_c * i * (one - g * g)
            dgx[r, 3 * H + k] = d_h * t * o * (one - o)
            dc[r, k] = d_c * f


@_jit
def _nb_gru_step(gh, gx, b_hh, hp, a, ghn, h, out):
    n, H = h.shape
    one, half = a.dtype.type(1.0), a.dtype.type(0.5)
    for r in range(n):
        for k in range(H):
            rr = half * _tanh(half * (gx[r, k] + gh[r, k] + b_hh[k])) + half
            z = half * _tanh(half * (gx[r, H + k] + gh[r, H + k] + b_hh[H + k])) + half
            hn = gh[r, 2 * H + k] + b_hh[2 * H + k]
            nn = _tanh(gx[r, 2 * H + k] + rr * hn)
            a[r, k] = rr
            a[r, H + k] = z
            a[r, 2 * H + k] = nn
            ghn[r, k] = hn
            v = nn + z * (hp[r, k] - nn)
            h[r, k] = v
            out[r, k] = v


@_jit
def _nb_gru_step_back(a, ghn, hp, dy, dh, dgx, dgh):
    n, H = dh.shape
    one = a.dtype.type(1.0)
    for r in range(n):
        for k in range(H):
            rr, z, nn = a[r, k], a[r, H + k], a[r, 2 * H + k]
            d_h = dh[r, k] + dy[r, k]
            dn = d_h * (one - z) * (one - nn * nn)
            dr = dn * ghn[r, k] * rr * (one - rr)
            dz = d_h * (hp[r, k] - nn) * z * (one - z)
            dgx[r, k] = dr
            dgx[r, H + k] = dz
            dgx[r, 2 * H + k] = dn
            dgh[r, k] = dr
            dgh[r, H + k] = dz
            dgh[r, 2 * H + k] = dn * rr
            dh[r, k] = d_h * z


@_jit
def _nb_rnn_step(a, gx, relu, h, out):
    n, H = h.shape
    zero = a.dtype.type(0.0)
    for r in range(n):
        for k in range(H):
            v = a[r, k] + gx[r, k]
            v = max(v, zero) if relu else _tanh(v)
            a[r, k] = v
            h[r, k] = v
            out[r, k] = v


@_jit
def _nb_rnn_step_back(a, dy, relu, dh, dgx):
    n, H = dh.shape
    one, zero = a.dtype.type(1.0), a.dtype.type(0.0)
    for r in range(n):
        for k in range(H):
            d = dh[r, k] + dy[r, k]
            dh[r, k] = d
            v = a[r, k]
            dgx[r, k] = (d if v > zero else zero) if relu else d * (one - v * v)


numba_kernels = SimpleNamespace(lstm_step=_nb_lstm_step, lstm_step_back=_nb_lstm_step_back, gru_step=_nb_gru_step,
                                gru_step_back=_nb_gru_step_back, rnn_step=_nb_rnn_step,
                                rnn_step_back=_nb_rnn_step_back)
kernels = numba_kernels if HAVE_NUMBA else numpy_kernels
