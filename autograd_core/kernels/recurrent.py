"""Step kernels of the fused recurrent layers (ndarrays in, ndarrays out; never Tensors).

One time step's elementwise work, on the running rows only: numba loops, one pass over memory per step, with the
float32 tanh computed by a vectorizable rational approximation. ``reference.recurrent_steps`` has numpy versions
with the same signatures (a dozen whole-array calls per step); the tests run both. Used by
``autograd_core/ops/recurrent.py``.
"""
import math
from types import SimpleNamespace

import numpy as np

from numba import types
from numba.extending import overload

from ._jit import njit

# ---------------------------------------------------------------------- step kernels (ndarrays in, ndarrays out)
# Conventions: ``a`` holds the step's gate pre-activations ``h_prev @ W_hh^T`` on entry and the activated gates on
# exit (they are what backward needs); ``gx`` the step's slice of the input projection; ``h``/``c`` the running
# states, updated in place; ``out`` the step's output rows. Backward kernels turn the running gradients
# ``dh``/``dc`` plus the output gradient ``dy`` into the gate gradients ``dgx`` (and ``dgh`` for the GRU, whose
# reset gate sits inside the hidden projection); the caller then adds ``dgh @ W_hh`` into ``dh``.

def _tanh(x):
    """tanh inside the numba kernels: exact (libm) in float64; in float32 Eigen's rational approximation
    (max error 3e-7, a couple of ulps, like the vectorized tanh PyTorch uses), which the compiler vectorizes --
    numpy's float32 tanh is a scalar loop here and took most of a step's time."""
    return math.tanh(x)


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
    half = a.dtype.type(0.5)
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


step_kernels = SimpleNamespace(lstm_step=_nb_lstm_step, lstm_step_back=_nb_lstm_step_back, gru_step=_nb_gru_step,
                               gru_step_back=_nb_gru_step_back, rnn_step=_nb_rnn_step, rnn_step_back=_nb_rnn_step_back)
