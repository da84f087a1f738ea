"""2-D convolutions with few input channels (a CNN's first layer: C = 1 or 3), chunk of samples by chunk on
:mod:`kernels.team`'s threads. An array-level fast path behind ``ops/conv.py``'s conv2d, selected automatically.

With fewer than 8 input channels neither im2row nor Winograd pays off, and on the im2col path the thin GEMM
(``C*KH*KW`` = 25 columns for the course CNN's first layer) costs less than the passes around it: its
``(N*OH*OW, K)`` output transposed to NCHW took 2.8 of that layer's 5.4 ms forward at batch 64. Here:

* forward: each chunk of samples is unfolded (``kernels.im2col``'s serial kernel) into its thread's pooled columns,
  and each sample's ``(K, OH*OW)`` output block comes straight out of one GEMM ``W (K, C*KH*KW) @ cols_i``, written
  in place in the NCHW output; the bias is added while the block is in cache;
* weight (and bias) gradient: each chunk is unfolded again (cheaper than keeping 25x the input between forward and
  backward) and ``dW = sum_i g_i @ cols_i.T``; each chunk's part is summed in chunk order afterwards, so the result
  does not depend on which thread did which chunk;
* input gradient: the general path (``ops/conv.py``'s ``ConvInputGradFunction``).

Same arithmetic as the im2col path up to the order of the GEMM's sums (the tests compare the two).
``ENABLED = False`` turns it off.
"""
import numpy as np

from ..kernels import buffers, team
from ..kernels.im2col import _im2col_serial

__all__ = []

ENABLED = True
MAX_CHANNELS = 7              # from 8 input channels on, im2row / Winograd take over (ops/conv.py)
CHUNK_BYTES = 2 << 20


def applies(geom, x_shape):
    """Whether a convolution of geometry ``geom`` (``ops.conv.ConvGeometry``) on an input of ``x_shape`` takes
    this path."""
    return (ENABLED and len(geom.kernel) == 2 and len(x_shape) == 4 and geom.groups == 1
            and 0 < x_shape[1] <= MAX_CHANNELS and x_shape[0] > 0)


def _setup(x, geom, k):
    n, c = x.shape[:2]
    oh, ow = geom.output_spatial(x.shape[2:])
    length, ckk = oh * ow, c * geom.kernel[0] * geom.kernel[1]
    nt = team.threads()
    cs = team.chunk_size(n, (ckk + k) * length * x.dtype.itemsize, nt, CHUNK_BYTES)
    flats = [buffers.take((ckk * cs * length,), x.dtype) for _ in range(min(nt, -(-n // cs)))]
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = geom.kernel, geom.stride, geom.padding, geom.dilation

    def columns(lo, hi, slot):
        """The columns of samples lo:hi in this thread's buffer, as ``(hi - lo, C*KH*KW, OH*OW)`` (strided)."""
        m = hi - lo
        cols = flats[slot][:ckk * m * length].reshape(ckk, m * length)
        _im2col_serial(x[lo:hi], cols, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow)
        return cols.reshape(ckk, m, length).transpose(1, 0, 2)

    return (oh, ow), length, ckk, nt, cs, flats, columns


def _give(flats):
    for f in flats:
        buffers.give(f)


def conv2d(x, w, bias, geom):
    """``(N, C, H, W)`` * ``(K, C, KH, KW)`` (+ ``bias``) -> ``(N, K, OH, OW)`` (arrays; any stride, padding and
    dilation; one group)."""
    x = np.ascontiguousarray(x)
    n, k = x.shape[0], w.shape[0]
    (oh, ow), length, ckk, nt, cs, flats, columns = _setup(x, geom, k)
    w2 = np.ascontiguousarray(w.reshape(k, ckk))
    out = buffers.lease((n, k, oh, ow), x.dtype)
    b = None if bias is None else np.asarray(bias, x.dtype).reshape(k, 1)

    def chunk(lo, hi, slot):
        o = out[lo:hi].reshape(hi - lo, k, length)
        np.matmul(w2, columns(lo, hi, slot), out=o)
        if b is not None:
            np.add(o, b, out=o)

    team.run(chunk, n, cs, nt)
    _give(flats)
    return out


def weight_grad(x, g, geom, need_bias=False):
    """``(dW, db)`` of :func:`conv2d` for the output gradient ``g`` (``db`` None unless ``need_bias``)."""
    x, g = np.ascontiguousarray(x), np.ascontiguousarray(g)
    n, k = g.shape[:2]
    _, length, ckk, nt, cs, flats, columns = _setup(x, geom, k)
    chunks = -(-n // cs)
    parts = np.empty((chunks, k, ckk), np.result_type(x, g))
    bparts = np.empty((chunks, k), g.dtype) if need_bias else None

    def chunk(lo, hi, slot):
        gi = g[lo:hi].reshape(hi - lo, k, length)
        np.matmul(gi, columns(lo, hi, slot).transpose(0, 2, 1)).sum(axis=0, out=parts[lo // cs])
        if need_bias:
            gi.sum(axis=(0, 2), out=bparts[lo // cs])

    team.run(chunk, n, cs, nt)
    _give(flats)
    dw = parts.sum(axis=0).reshape((k, x.shape[1]) + tuple(geom.kernel))
    return dw, (None if bparts is None else bparts.sum(axis=0))
