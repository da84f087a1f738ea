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


def _sigmoid(x):
    """sigmoid inside the numba kernels, as (1 + tanh(x / 2)) / 2 with the tanh above (vectorizes; no exp)."""
    return 0.5 * _tanh(0.5 * x) + 0.5


@overload(_sigmoid, inline="always")
def _sigmoid_overload(x):
    if isinstance(x, types.Float) and x.bitwidth == 32:
        return lambda x: np.float32(0.5) * _tanh(np.float32(0.5) * x) + np.float32(0.5)
    return lambda x: 0.5 * _tanh(0.5 * x) + 0.5


# error_model="numpy": no ZeroDivisionError checks (they block vectorization); fastmath only allows fused
# multiply-adds, so NaN and inf still propagate as in numpy. Each loop reads and writes an array at the same
# index only, which lets LLVM vectorize it, and stores to few arrays: LLVM checks at run time that the arrays
# a loop writes do not overlap the ones it reads, and past a handful of stores it gives up and leaves the loop
# scalar -- hence one loop per gate rather than one loop doing everything (the LSTM backward and GRU forward
# kernels 2.5-3x faster, same results).
_jit = njit(error_model="numpy", fastmath={"contract"})


@_jit
def _nb_lstm_step(a, gx, cp, c, tc, h, out):
    n, H = c.shape
    for r in range(n):
        ar, gr = a[r], gx[r]
        for k in range(2 * H):                     # i, f
            ar[k] = _sigmoid(ar[k] + gr[k])
        for k in range(H):                         # g (a loop from 0 with an offset: range(2H, 3H) stays scalar)
            ar[2 * H + k] = _tanh(ar[2 * H + k] + gr[2 * H + k])
        for k in range(H):                         # o
            ar[3 * H + k] = _sigmoid(ar[3 * H + k] + gr[3 * H + k])
        for k in range(H):
            cn = ar[H + k] * cp[r, k] + ar[k] * ar[2 * H + k]
            c[r, k] = cn
            t = _tanh(cn)
            tc[r, k] = t
            v = ar[3 * H + k] * t
            h[r, k] = v
            out[r, k] = v


@_jit
def _nb_lstm_step_back(a, cp, tc, dy, dh, dc, dgx):
    n, H = dh.shape
    one = a.dtype.type(1.0)
    for r in range(n):
        ar, cpr, tcr, dyr, dhr, dcr, dgr = a[r], cp[r], tc[r], dy[r], dh[r], dc[r], dgx[r]
        for k in range(H):                         # dc += dh * o * tanh'(c); the o gate's gradient
            d_h = dhr[k] + dyr[k]
            t, o = tcr[k], ar[3 * H + k]
            dcr[k] = dcr[k] + d_h * o * (one - t * t)
            dgr[3 * H + k] = d_h * t * o * (one - o)
        for k in range(H):                         # i
            i = ar[k]
            dgr[k] = dcr[k] * ar[2 * H + k] * i * (one - i)
        for k in range(H):                         # f
            f = ar[H + k]
            dgr[H + k] = dcr[k] * cpr[k] * f * (one - f)
        for k in range(H):                         # g
            g = ar[2 * H + k]
            dgr[2 * H + k] = dcr[k] * ar[k] * (one - g * g)
        for k in range(H):                         # the gradient carried to the previous cell state
            dcr[k] = dcr[k] * ar[H + k]


@_jit
def _nb_gru_step(gh, gx, b_hh, hp, a, ghn, h, out):
    n, H = h.shape
    for r in range(n):
        ghr, gr, hpr, ar, ghnr, hr, outr = gh[r], gx[r], hp[r], a[r], ghn[r], h[r], out[r]
        for k in range(2 * H):                     # r, z
            ar[k] = _sigmoid(gr[k] + ghr[k] + b_hh[k])
        for k in range(H):                         # the hidden projection of n, before the reset gate
            ghnr[k] = ghr[2 * H + k] + b_hh[2 * H + k]
        for k in range(H):                         # n
            ar[2 * H + k] = _tanh(gr[2 * H + k] + ar[k] * ghnr[k])
        for k in range(H):
            nn = ar[2 * H + k]
            v = nn + ar[H + k] * (hpr[k] - nn)
            hr[k] = v
            outr[k] = v


@_jit
def _nb_gru_step_back(a, ghn, hp, dy, dh, dgx, dgh):
    n, H = dh.shape
    one = a.dtype.type(1.0)
    for r in range(n):
        ar, ghnr, hpr, dyr, dhr, dgr, dghr = a[r], ghn[r], hp[r], dy[r], dh[r], dgx[r], dgh[r]
        for k in range(H):                         # the running gradient dh + dy, kept in dh for now
            dhr[k] = dhr[k] + dyr[k]
        for k in range(H):                         # n
            z, nn = ar[H + k], ar[2 * H + k]
            dgr[2 * H + k] = dhr[k] * (one - z) * (one - nn * nn)
        for k in range(H):                         # z
            z = ar[H + k]
            dgr[H + k] = dhr[k] * (hpr[k] - ar[2 * H + k]) * z * (one - z)
        for k in range(H):                         # r
            rr = ar[k]
            dgr[k] = dgr[2 * H + k] * ghnr[k] * rr * (one - rr)
        for k in range(2 * H):                     # r and z enter through both projections alike
            dghr[k] = dgr[k]
        for k in range(H):                         # n's hidden projection is scaled by the reset gate
            dghr[2 * H + k] = dgr[2 * H + k] * ar[k]
        for k in range(H):                         # the gradient carried to the previous hidden state
            dhr[k] = dhr[k] * ar[H + k]


@_jit
def _nb_rnn_step(a, gx, relu, h, out):
    n, H = h.shape
    zero = a.dtype.type(0.0)
    for r in range(n):
        ar, gr, hr, outr = a[r], gx[r], h[r], out[r]
        if relu:
            for k in range(H):
                ar[k] = max(ar[k] + gr[k], zero)
        else:
            for k in range(H):
                ar[k] = _tanh(ar[k] + gr[k])
        for k in range(H):
            v = ar[k]
            hr[k] = v
            outr[k] = v


@_jit
def _nb_rnn_step_back(a, dy, relu, dh, dgx):
    n, H = dh.shape
    one, zero = a.dtype.type(1.0), a.dtype.type(0.0)
    for r in range(n):
        ar, dyr, dhr, dgr = a[r], dy[r], dh[r], dgx[r]
        for k in range(H):
            dhr[k] = dhr[k] + dyr[k]
        if relu:
            for k in range(H):
                dgr[k] = dhr[k] if ar[k] > zero else zero
        else:
            for k in range(H):
                v = ar[k]
                dgr[k] = dhr[k] * (one - v * v)


step_kernels = SimpleNamespace(lstm_step=_nb_lstm_step, lstm_step_back=_nb_lstm_step_back, gru_step=_nb_gru_step,
                               gru_step_back=_nb_gru_step_back, rnn_step=_nb_rnn_step, rnn_step_back=_nb_rnn_step_back)
