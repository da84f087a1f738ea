"""The Winograd fast path of ``conv2d``: stride 1, dilation 1, 3x3 or 5x5 kernels, one group, >= 8 channels.

F(2x2, 3x3) runs on ``kernels/winograd.py`` (transforms written out), F(2x2, 5x5) on ``kernels/winograd_general.py``
(Cook-Toom matrices, generic kernels). All three products are the adjoints of one bilinear form, so each gets its
own Winograd formula and they share their transforms:

* forward          ``Y  = A^T [ sum_c U ⊙ V ] A``          (``V = B^T d B`` kept for the weight gradient)
* weight gradient  ``dW = G^T [ sum_tiles V ⊙ T ] G``      (``T = A g A^T``, the output gradient's transform)
* input gradient   ``dX = sum_tiles B [ sum_k U ⊙ T ] B^T`` (added into overlapping input windows)

each with 16 (36 for 5x5) GEMMs in the domain instead of one im2col GEMM: 2.25x (2.78x) fewer multiplications.
:class:`ops.conv.ConvolutionFunction`, ``ConvWeightGradFunction`` and ``ConvInputGradFunction`` call
:func:`applies` and take this path when it holds. The plain im2col path is the reference: ``tests/test_winograd.py``
compares the two in float64, and :data:`ENABLED` = False turns this path off (for teaching, or to compare;
``bench/run.py --plain``). Below :data:`MIN_CHANNELS` input or output channels the transforms cost more than the
GEMMs save.

``ops/conv.py`` runs the forward and the unrecorded backward (the usual one) chunk by chunk
(:func:`conv2d_chunked`, :func:`gradients_chunked`): a few samples at a time are transformed, multiplied and
transformed back while their domain buffers are in cache, on our own thread team (``kernels/team.py``; numpy's
BLAS on one thread inside, so one team does all of it and a core taken by another process just takes fewer
chunks). The backward transforms the input again instead of keeping it from the forward (cheaper in cache than a
kept copy is from memory, and the memory is not held between forward and backward). The whole-batch functions
above serve a recorded backward (``create_graph``) and the tests. Measured (idle 2-core AMD EPYC, 2 threads,
conv2d 32->64, 14x14, batch 64): 5x5 forward 14-16 -> 7-9 ms, both gradients 35-38 -> 13-16 ms; 3x3 forward
about 7 ms either way, gradients 16-20 -> 8 ms.

Measured before that (single thread, CPU time, load ~8 on the 2-core AMD EPYC machine, best of 30 interleaved
runs): conv2d 32->64, 14x14, 3x3, batch 64 forward 11.6 -> 7.3 ms (PyTorch 4.9), forward+backward 28.2 -> 20.5
ms (PyTorch 15.5); the course CNN's training step (5x5 convs, with im2row) 94.7 -> 72.5 ms (PyTorch 59.2).
"""
import numpy as np

from ..kernels import buffers, team, winograd, winograd_general

KERNELS = ((3, 3), (5, 5))   # F(2x2, 3x3): kernels/winograd.py; F(2x2, 5x5): kernels/winograd_general.py
M = 2                        # output tile of the general path
__all__ = []                 # no public ops: the array-level fast path behind ops/conv.py's conv2d

ENABLED = True
MIN_CHANNELS = 8


def applies(geom, x_shape, w_shape):
    """Whether a convolution of geometry ``geom`` (``ops.conv.ConvGeometry``), input shape ``x_shape`` and weight
    shape ``w_shape`` takes the Winograd path (in both directions: padding at most 2)."""
    return (ENABLED and tuple(geom.kernel) in KERNELS and tuple(geom.stride) == (1, 1)
            and tuple(geom.dilation) == (1, 1) and geom.groups == 1
            and len(x_shape) == 4 and min(w_shape[0], w_shape[1]) >= MIN_CHANNELS)


def conv2d(x, w, bias, padding, keep_input=False):
    """``(N, C, H, W)`` * ``(K, C, 3, 3)`` (+ ``bias``) -> ``(N, K, OH, OW)``, stride 1, zero ``padding`` (arrays).

    With ``keep_input`` returns ``(out, transformed)``: the transformed input for :func:`weight_grad` (a pooled
    buffer, given back by it)."""
    if w.shape[-1] != 3:
        return _general_conv2d(x, w, bias, padding, keep_input)
    n, c, h, wd = x.shape
    k = w.shape[0]
    ph, pw = padding
    oh, ow = h + 2 * ph - 2, wd + 2 * pw - 2
    th, tw = winograd.tiles(oh, ow)
    vflat, v = winograd.input_transform(x, ph, pw, oh, ow)
    mflat, m = winograd.domain_buffer(n * th * tw, k, x.dtype)
    np.matmul(v, winograd.weight_transform(w), out=m)         # the 16 GEMMs (P, C) @ (C, K)
    out = winograd.output_transform(mflat, k, n, oh, ow, bias)
    buffers.give(mflat)
    if keep_input:
        return out, (vflat, v)
    buffers.give(vflat)
    return out


def weight_grad(x, g, padding, transformed=None, grad=None):
    """The gradient wrt the weight of :func:`conv2d` for input ``x`` and output gradient ``g``: the adjoint of the
    forward in the weight, ``G^T [sum over tiles of V^T (A g A^T)] G``, 16 GEMMs (C, P) @ (P, K).
    ``transformed``: the forward's transformed input (``conv2d(..., keep_input=True)``), given back here;
    ``grad``: :func:`grad_domain` of ``g`` when the caller has it."""
    oh, ow = g.shape[2:]
    r = x.shape[2] + 2 * padding[0] - oh + 1
    if r != 3:
        return _general_weight_grad(x, g, padding, r, transformed, grad)
    vflat, v = transformed if transformed is not None else winograd.input_transform(x, *padding, oh, ow)
    tflat, t = grad if grad is not None else winograd.grad_transform(g)
    du = np.matmul(v.transpose(0, 2, 1), t)
    buffers.give(vflat)
    if grad is None:
        buffers.give(tflat)
    return winograd.weight_from_domain(du)


def grad_domain(g, r=3):
    """The output gradient in the Winograd domain, ``A g A^T`` per tile (kernel size ``r``): shared by
    :func:`input_grad` and :func:`weight_grad` (a pooled buffer: give back ``[0]`` after both)."""
    return winograd.grad_transform(g) if r == 3 else _general_grad_domain(g, r)


def input_grad(g, w, padding, input_hw, grad=None):
    """The gradient wrt the input of :func:`conv2d` for output gradient ``g``: the adjoint of the forward in the
    input, ``B [T @ U^T] B^T`` per tile added into the tile's input window (``T``: :func:`grad_domain`, passed as
    ``grad`` when the caller has it, else computed and given back here)."""
    if w.shape[-1] != 3:
        return _general_input_grad(g, w, padding, input_hw, grad)
    n, k, oh, ow = g.shape
    c = w.shape[1]
    th, tw = winograd.tiles(oh, ow)
    tflat, t = grad if grad is not None else winograd.grad_transform(g)
    dvflat, dv = winograd.domain_buffer(n * th * tw, c, g.dtype)
    np.matmul(t, np.ascontiguousarray(winograd.weight_transform(w).transpose(0, 2, 1)), out=dv)   # (P,K) @ (K,C)
    if grad is None:
        buffers.give(tflat)
    dx = winograd.input_adjoint(dvflat, c, n, input_hw[0], input_hw[1], padding[0], padding[1], th, tw)
    buffers.give(dvflat)
    return dx


def input_grad_by_flipped_conv(g, w, padding):
    """The same gradient as a full forward convolution of ``g`` with the kernel flipped and its channel axes
    swapped (measured slower: it transforms the gradient's tiles as 4x4 input tiles; kept as a cross-check)."""
    ph, pw = padding
    wt = np.ascontiguousarray(w.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1])
    return conv2d(g, wt, None, (2 - ph, 2 - pw))


# ---------------------------------------------------------------------------------------------- F(2x2, r x r), r != 3

def _tiles(oh, ow):
    return -(-oh // M), -(-ow // M)


def _padded(x, ph, pw, hp, wp):
    """A pooled zeroed channels-last ``(N, hp, wp, C)`` copy of ``x`` placed at ``(ph, pw)``."""
    n, c, h, w = x.shape
    return _pad_into(x, ph, pw, buffers.take((n, hp, wp, c), x.dtype))


def _pad_into(x, ph, pw, xp):
    """``xp`` (channels-last ``(N, hp, wp, C)``) := zeros with ``x`` (NCHW) placed at ``(ph, pw)``; returns it."""
    h, w = x.shape[2:]
    xp.fill(0)
    xp[:, ph:ph + h, pw:pw + w, :] = x.transpose(0, 2, 3, 1)
    return xp


def _spatial(cs, shapes, dtype, nt, n):
    """Each thread's pooled channels-last chunk buffers ``(cs, *shape)``, one per entry of ``shapes``."""
    return [[buffers.take((cs,) + tuple(shape), dtype) for shape in shapes] for _ in range(min(nt, -(-n // cs)))]


def _weight_domain(w, gmat):
    """``G w G^T`` of every (k, c): ``(alpha**2, C, K)``."""
    k, c, r, _ = w.shape
    g = gmat.astype(w.dtype)
    u = g @ w.reshape(k * c, r, r) @ g.T
    return np.ascontiguousarray(u.reshape(k, c, -1).transpose(2, 1, 0))


def _general_input_domain(x, padding, r, oh, ow):
    n, c = x.shape[:2]
    at, g, bt = winograd_general.matrices(M, r)
    th, tw = _tiles(oh, ow)
    xp = _padded(x, padding[0], padding[1], M * th + r - 1, M * tw + r - 1)
    flat, v = winograd.domain_buffer(n * th * tw, c, x.dtype, bt.shape[0] ** 2)
    winograd_general.to_domain(xp, bt, M, th, tw, flat)
    buffers.give(xp)
    return flat, v


def _general_grad_domain(g, r):
    n, k, oh, ow = g.shape
    at = winograd_general.matrices(M, r)[0]
    th, tw = _tiles(oh, ow)
    gp = _padded(g, 0, 0, M * th, M * tw)
    flat, t = winograd.domain_buffer(n * th * tw, k, g.dtype, at.shape[1] ** 2)
    winograd_general.to_domain(gp, at.T, M, th, tw, flat)
    buffers.give(gp)
    return flat, t


def _general_conv2d(x, w, bias, padding, keep_input):
    n, c, h, wd = x.shape
    k, r = w.shape[0], w.shape[-1]
    at, g, _ = winograd_general.matrices(M, r)
    oh, ow = h + 2 * padding[0] - r + 1, wd + 2 * padding[1] - r + 1
    th, tw = _tiles(oh, ow)
    vflat, v = _general_input_domain(x, padding, r, oh, ow)
    mflat, m = winograd.domain_buffer(n * th * tw, k, x.dtype, v.shape[0])
    np.matmul(v, _weight_domain(w, g), out=m)
    y = buffers.take((n, M * th, M * tw, k), x.dtype)
    y.fill(0)
    winograd_general.from_domain(mflat, at, M, th, tw, y)
    buffers.give(mflat)
    out = winograd.to_nchw(y, oh, ow, bias)
    if keep_input:
        return out, (vflat, v)
    buffers.give(vflat)
    return out


def _general_weight_grad(x, g, padding, r, transformed, grad):
    oh, ow = g.shape[2:]
    gmat = winograd_general.matrices(M, r)[1]
    vflat, v = transformed if transformed is not None else _general_input_domain(x, padding, r, oh, ow)
    tflat, t = grad if grad is not None else _general_grad_domain(g, r)
    du = np.matmul(v.transpose(0, 2, 1), t)             # (alpha**2, C, K)
    buffers.give(vflat)
    if grad is None:
        buffers.give(tflat)
    return _general_weight_back(du, gmat, r)


def _general_weight_back(du, gmat, r):
    """``dU`` ``(alpha**2, C, K)`` -> the weight gradient ``(K, C, r, r)``: ``G^T dU G`` (adjoint of
    :func:`_weight_domain`)."""
    c, k = du.shape[1:]
    a = gmat.shape[0]
    gm = gmat.astype(du.dtype)
    d = np.ascontiguousarray(du.reshape(a * a, c * k).T).reshape(c * k, a, a)
    return np.ascontiguousarray((gm.T @ d @ gm).reshape(c, k, r, r).transpose(1, 0, 2, 3))


def _general_input_grad(g, w, padding, input_hw, grad):
    n, k, oh, ow = g.shape
    c, r = w.shape[1], w.shape[-1]
    _, gmat, bt = winograd_general.matrices(M, r)
    th, tw = _tiles(oh, ow)
    tflat, t = grad if grad is not None else _general_grad_domain(g, r)
    dvflat, dv = winograd.domain_buffer(n * th * tw, c, g.dtype, t.shape[0])
    np.matmul(t, np.ascontiguousarray(_weight_domain(w, gmat).transpose(0, 2, 1)), out=dv)
    if grad is None:
        buffers.give(tflat)
    h, wd = input_hw
    dxp = buffers.take((n, M * th + r - 1, M * tw + r - 1, c), g.dtype)
    dxp.fill(0)
    winograd_general.from_domain(dvflat, bt.T, M, th, tw, dxp)
    buffers.give(dvflat)
    dx = np.empty((n, c, h, wd), g.dtype)
    np.copyto(dx, dxp[:, padding[0]:padding[0] + h, padding[1]:padding[1] + wd, :].transpose(0, 3, 1, 2))
    buffers.give(dxp)
    return dx


# ---------------------------------------------------------------------------------------------- chunk by chunk

# A chunk's domain buffers (all threads' together) should stay in the caches: about this many bytes per thread.
CHUNK_BYTES = 2 << 20


class _Family:
    """The four transforms of F(2x2, r x r) on chunks of samples (serial, GIL-free kernels), and the weight's."""

    def __init__(self, r, dtype):
        self.r = r
        if r == 3:
            self.points = 16
            self.to_input = lambda xp, flat, th, tw: winograd._input_serial(xp, flat, th, tw)
            self.from_output = lambda flat, y, th, tw: winograd._output_serial(flat, y, th, tw)
            self.to_grad = lambda gp, flat, th, tw: winograd._grad_serial(gp, flat, th, tw)
            self.from_input_grad = lambda flat, dxp, th, tw: winograd._adjoint_serial(flat, dxp, th, tw)
            self.output_adds = False         # the hand-written output transform assigns every output
            return
        at, g, bt = winograd_general.matrices(M, r)
        a, self.points = bt.shape[0], bt.shape[0] ** 2
        self.gmat = g
        rows = {name: winograd_general._sparse_rows(lmat, dtype)
                for name, lmat in (("bt", bt), ("at", at), ("a", at.T), ("b", bt.T))}
        self.to_input = lambda xp, flat, th, tw: winograd_general._to_serial(xp, *rows["bt"], a, a, M, th, tw, flat)
        self.from_output = lambda flat, y, th, tw: winograd_general._from_serial(flat, *rows["at"], M, a, M, th, tw,
                                                                                 y)
        self.to_grad = lambda gp, flat, th, tw: winograd_general._to_serial(gp, *rows["a"], a, M, M, th, tw, flat)
        self.from_input_grad = lambda flat, dxp, th, tw: winograd_general._from_serial(flat, *rows["b"], a, a, M,
                                                                                       th, tw, dxp)
        self.output_adds = True

    def weight(self, w):
        """``U``, ``(points, C, K)``."""
        return winograd.weight_transform(w) if self.r == 3 else _weight_domain(w, self.gmat)

    def weight_back(self, du):
        """``dU`` ``(points, C, K)`` -> the weight gradient ``(K, C, r, r)``."""
        return winograd.weight_from_domain(du) if self.r == 3 else _general_weight_back(du, self.gmat, self.r)


def _plan(n, tiles_per_sample, points, channels, itemsize, nthreads):
    """Samples per chunk: the chunk's domain buffers near :data:`CHUNK_BYTES` (:func:`kernels.team.chunk_size`)."""
    return team.chunk_size(n, tiles_per_sample * points * channels * itemsize, nthreads, CHUNK_BYTES)


def _scratch(n, cs, tiles, channels, dtype, pts, nt):
    """Each thread's pooled flat domain buffers, one per entry of ``channels``, for a chunk of ``cs`` samples of
    ``tiles`` tiles each (only as many threads as there are chunks)."""
    return [[winograd.domain_buffer(cs * tiles, ch, dtype, pts)[0] for ch in channels]
            for _ in range(min(nt, -(-n // cs)))]


def _give_scratch(scratch):
    for bufs in scratch:
        for b in bufs:
            buffers.give(b)


def _rows(flat, p, ch, pts):
    """The ``(pts, p, ch)`` view of the first ``p`` tiles in the flat domain rows ``flat``."""
    return flat[:, :p * ch].reshape(pts, p, ch)


def conv2d_chunked(x, w, bias, padding):
    """:func:`conv2d` computed chunk of samples by chunk on :mod:`kernels.team`'s threads: transform, GEMMs and
    transform back of one chunk while its buffers are in cache (same result, same rounding as :func:`conv2d`)."""
    n, c, h, wd = x.shape
    k, r = w.shape[0], w.shape[-1]
    fam = _Family(r, x.dtype)
    oh, ow = h + 2 * padding[0] - r + 1, wd + 2 * padding[1] - r + 1
    th, tw = _tiles(oh, ow)
    pts = fam.points
    u = fam.weight(w)
    out = buffers.lease((n, k, oh, ow), x.dtype)
    b = None if bias is None else np.asarray(bias, x.dtype).reshape(k, 1, 1)
    nt = team.threads()
    cs = _plan(n, th * tw, pts, c + k, x.dtype.itemsize, nt)
    scratch = _scratch(n, cs, th * tw, (c, k), x.dtype, pts, nt)
    spatial = _spatial(cs, ((M * th + r - 1, M * tw + r - 1, c), (M * th, M * tw, k)), x.dtype, nt, n)

    def chunk(lo, hi, slot):
        # the whole chain for samples lo:hi on this thread, while its buffers are in cache: NCHW -> padded
        # channels-last, transform, GEMMs, transform back, channels-last -> NCHW (+ bias)
        vflat, mflat = scratch[slot]
        xp, y = (a[:hi - lo] for a in spatial[slot])
        p = (hi - lo) * th * tw
        fam.to_input(_pad_into(x[lo:hi], padding[0], padding[1], xp), vflat, th, tw)
        np.matmul(_rows(vflat, p, c, pts), u, out=_rows(mflat, p, k, pts))
        if fam.output_adds:
            y.fill(0)
        fam.from_output(mflat, y, th, tw)
        src = y[:, :oh, :ow, :].transpose(0, 3, 1, 2)
        if b is None:
            np.copyto(out[lo:hi], src)
        else:
            np.add(src, b, out=out[lo:hi])

    team.run(chunk, n, cs, nt)
    _give_scratch(scratch)
    _give_scratch(spatial)
    return out


def gradients_chunked(x, g, w, padding, need_input=True, need_weight=True):
    """``(dx, dw)`` of :func:`conv2d` for output gradient ``g`` (None where not needed), chunk of samples by chunk
    on :mod:`kernels.team`'s threads: a chunk's gradient transform feeds both its weight-gradient GEMMs (with its
    input transformed again, in cache, instead of kept from the forward) and its input-gradient GEMMs and
    transform back. Each chunk's ``dU`` is kept and they are summed in chunk order (deterministic)."""
    n, c, h, wd = x.shape
    k, r = w.shape[0], w.shape[-1]
    fam = _Family(r, x.dtype)
    oh, ow = g.shape[2:]
    th, tw = _tiles(oh, ow)
    pts = fam.points
    hp, wp = M * th + r - 1, M * tw + r - 1
    ut = np.ascontiguousarray(fam.weight(w).transpose(0, 2, 1)) if need_input else None
    nt = team.threads()
    cs = _plan(n, th * tw, pts, c + k, x.dtype.itemsize, nt)
    scratch = _scratch(n, cs, th * tw, (k, c), x.dtype, pts, nt)
    # per thread: the padded channels-last chunk of g, of x (weight gradient) and of dx (input gradient)
    spatial = _spatial(cs, ((M * th, M * tw, k), (hp, wp, c)), x.dtype, nt, n)
    # dU of each chunk, summed in chunk order after the run: the same rounding whichever thread did which chunk
    parts = buffers.take((-(-n // cs), pts, c, k), x.dtype) if need_weight else None
    dx = buffers.lease((n, c, h, wd), x.dtype) if need_input else None

    def chunk(lo, hi, slot):
        tflat, vflat = scratch[slot]
        gp, xp = (a[:hi - lo] for a in spatial[slot])
        p = (hi - lo) * th * tw
        fam.to_grad(_pad_into(g[lo:hi], 0, 0, gp), tflat, th, tw)
        t, v = _rows(tflat, p, k, pts), _rows(vflat, p, c, pts)
        if need_weight:
            fam.to_input(_pad_into(x[lo:hi], padding[0], padding[1], xp), vflat, th, tw)
            np.matmul(v.transpose(0, 2, 1), t, out=parts[lo // cs])
        if need_input:
            np.matmul(t, ut, out=v)                       # dV, in the input transform's buffer
            xp.fill(0)                                    # now dx's padded chunk
            fam.from_input_grad(vflat, xp, th, tw)
            np.copyto(dx[lo:hi], xp[:, padding[0]:padding[0] + h, padding[1]:padding[1] + wd, :].transpose(0, 3, 1, 2))

    team.run(chunk, n, cs, nt)
    _give_scratch(scratch)
    _give_scratch(spatial)
    dw = None
    if need_weight:
        dw = fam.weight_back(parts.sum(axis=0))
        buffers.give(parts)
    return dx, dw
