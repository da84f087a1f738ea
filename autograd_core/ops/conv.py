"""Convolution: ``conv2d`` / ``conv1d`` (cross-correlation, as in PyTorch) and ``unfold`` / ``fold``.

Convolution is a hot path, so it gets its own Functions on the im2col kernels (``autograd_core.kernels``) rather
than a composition of Tensor ops. With ``cols = im2col(x)`` of shape ``(C*KH*KW, N*OH*OW)`` and ``rows(a)`` an
``(N, C, *spatial)`` array laid out channels-last as ``(N*L, C)``:

* forward           ``rows(y)  = cols.T @ W.T``               (one GEMM per group)
* weight gradient   ``dW.T     = cols @ rows(g)``             (``ConvWeightGrad``)
* input gradient    ``dx = col2im((rows(g) @ W).T)``          (``ConvInputGrad``, a transposed convolution)

Every GEMM is oriented so that its output has the long dimension (``N*OH*OW`` or ``C*KH*KW``) as its rows and
the short one (channels) as its columns: numpy's OpenBLAS (0.3.31) splits that shape steadily across its 2
threads, while the equivalent ``W @ cols`` (few rows, ``N*OH*OW`` columns) ran 2-3x slower in wall-clock time
on a busy 2-core machine and no faster on an idle one (``bench/results_conv_transpose.md``). The input
gradient's ``(N*OH*OW, C*KH*KW)`` product goes to ``col2im`` as its transpose, which the kernel reads in place.
With groups > 1 the same products run batched over the groups.

Chunking the batch so that the columns stay in cache between im2col and the GEMM was tried and measured slower
on the 2-core machine of ``bench/`` (more hand-overs between numba's and OpenBLAS's threads), so it is not done.

The three are one trilinear form ``T(x, W, g) = <conv(x, W), g>`` differentiated in each argument, so each one's
backward is made of the other two: every order of gradient works (``create_graph=True``) with no extra code.

Fast paths, selected automatically (the im2col path above stays the one to read, and the tests' oracle): 2-D
convolutions with one group and at least 8 input channels use ``kernels/im2row.py``'s channels-last patch rows
(``rows @ W'``, fewer and longer copies than im2col); stride-1 3x3 and 5x5 ones use Winograd
(``ops/conv_winograd.py``) in all three directions; those with fewer than 8 input channels (a first layer) run
chunk by chunk with their output straight from per-sample GEMMs (``ops/conv_few_channels.py``). ``ROWS_ENABLED`` /
``conv_winograd.ENABLED`` / ``conv_few_channels.ENABLED`` turn them off.
The large temporaries (columns, rows, Winograd domains) come from ``kernels/buffers.py``'s per-thread pool, so a
training loop does not fault their pages in again every step.

Memory: the forward keeps its ``cols`` only when the weight needs a gradient, hands it to the weight gradient,
and drops it before the input gradient allocates its own column buffer, so one im2col buffer per layer is alive
at a time; a second backward (``retain_graph=True``) recomputes it.
"""
from typing import NamedTuple

import numpy as np

from .. import grad_mode, kernels
from ..kernels import buffers, im2row
from ..errors import ArgumentError, ShapeError, fmt_shape, shape_errors
from ..function import Function
from . import conv_few_channels, conv_winograd
from .registry import op
from ..shapes import ntuple
from ..tensor import Tensor
from .shape import empty_result, pad, squeeze, unsqueeze


class ConvGeometry(NamedTuple):
    """Hyper-parameters of a 2-D or 3-D convolution, each a tuple with one entry per spatial dim.

    A 3-D geometry runs on the ``kernels.im2col3d`` pair, a 2-D one on ``kernels.im2col``; the columns have the
    same layout, so the Functions below serve both (conv1d is conv2d with ``H == 1``)."""
    kernel: tuple
    stride: tuple = (1, 1)
    padding: tuple = (0, 0)
    dilation: tuple = (1, 1)
    groups: int = 1

    def output_hw(self, h, w):
        return self.output_spatial((h, w))

    def output_spatial(self, spatial):
        """Output size along each spatial dim for an input of spatial size ``spatial``."""
        return tuple(kernels.conv_output_size(n, k, s, p, d) for n, k, s, p, d in
                     zip(spatial, self.kernel, self.stride, self.padding, self.dilation))

    def im2col(self, x):
        im2col = kernels.im2col3d if len(self.kernel) == 3 else kernels.im2col
        return im2col(x, self.kernel, self.stride, self.padding, self.dilation)

    def pooled_im2col(self, x):
        """:meth:`im2col` into a buffer of this thread's pool (``kernels.buffers``): give it back after its last
        use. (3-D columns are plain arrays; giving them back is harmless.)"""
        if len(self.kernel) == 3:
            return self.im2col(x)
        length = 1
        for s in self.output_spatial(x.shape[2:]):
            length *= s
        shape = (x.shape[1] * self.kernel[0] * self.kernel[1], x.shape[0] * length)
        return kernels.im2col(x, self.kernel, self.stride, self.padding, self.dilation,
                              out=buffers.take(shape, x.dtype))

    def uses_rows(self, channels):
        """Whether this convolution runs on ``kernels/im2row.py``'s channels-last rows (2-D, one group, at least
        ``ROWS_MIN_CHANNELS`` input channels; fewer, longer copies than im2col) rather than im2col's columns."""
        return ROWS_ENABLED and len(self.kernel) == 2 and self.groups == 1 and channels >= ROWS_MIN_CHANNELS

    def pooled_im2row(self, x):
        """The patches of ``x`` as im2row's rows ``(N*OH*OW, KH*KW*C)``, in a pooled buffer (give it back)."""
        return im2row.im2row(x, self.kernel, self.stride, self.padding, self.dilation, self.output_spatial(x.shape[2:]))


    def col2im(self, cols, input_shape):
        col2im = kernels.col2im3d if len(self.kernel) == 3 else kernels.col2im
        return col2im(cols, input_shape, self.kernel, self.stride, self.padding, self.dilation)


# The channels-last rows path (kernels/im2row.py) for 2-D convolutions with this many input channels or more;
# ROWS_ENABLED = False keeps every convolution on im2col's columns (the teaching path; tests compare the two).
ROWS_ENABLED = True
ROWS_MIN_CHANNELS = 8


# ------------------------------------------------------------------------------------------------ array helpers

def _to_cols(g):
    """``(N, O, *spatial)`` -> ``(O, N*prod(spatial))``, the layout of the GEMMs (one transposing copy)."""
    n, o = g.shape[:2]
    return np.ascontiguousarray(g.reshape(n, o, -1).transpose(1, 0, 2)).reshape(o, -1)


def _from_cols(y, n, spatial, bias=None):
    """``(O, N*L)`` (a grouped forward GEMM's output) -> ``(N, O, *spatial)``, adding the bias in the same pass.

    The transpose moves whole ``L = prod(spatial)`` output planes (contiguous runs), so it costs about one copy."""
    o = y.shape[0]
    src = y.reshape(o, n, -1).transpose(1, 0, 2)
    out = np.empty(src.shape, dtype=y.dtype)
    if bias is None:
        np.copyto(out, src)
    else:
        np.add(src, bias.reshape(o, 1), out=out)
    return out.reshape((n, o) + tuple(spatial))


def to_rows(a, pooled=False):
    """``(N, C, *spatial)`` -> ``(N*L, C)``: channels last, the GEMMs' layout of an image (one transposing copy;
    into a buffer of ``kernels.buffers`` when ``pooled``: give it back after its last use)."""
    n, c = a.shape[:2]
    src = a.reshape(n, c, -1).transpose(0, 2, 1)
    if not pooled:
        return np.ascontiguousarray(src).reshape(-1, c)
    out = buffers.take(src.shape, a.dtype)
    np.copyto(out, src)
    return out.reshape(-1, c)


def _from_rows(y, n, spatial, bias=None):
    """``(N*L, O)`` (the forward GEMM's output) -> ``(N, O, *spatial)``, adding the bias in the same pass."""
    o = y.shape[1]
    src = y.reshape(n, -1, o).transpose(0, 2, 1)
    out = buffers.lease(src.shape, y.dtype)
    if bias is None:
        np.copyto(out, src)
    else:
        np.add(src, bias.reshape(o, 1), out=out)
    return out.reshape((n, o) + tuple(spatial))


def spatial_dims(t):
    """The batch and spatial dims of an ``(N, C, *spatial)`` tensor: what a per-channel sum reduces."""
    return (0,) + tuple(range(2, t.ndim))


def _grouped(a, groups):
    """View a 2-D array ``(G*M, K)`` as ``(G, M, K)``."""
    return a.reshape(groups, a.shape[0] // groups, a.shape[1])


def _grouped_rows(rows, groups):
    """View rows ``(N*L, G*M)`` as ``(G, N*L, M)``."""
    return rows.reshape(rows.shape[0], groups, -1).transpose(1, 0, 2)


def _gemm(a, b):
    """Batched ``a @ b`` over groups; a plain 2-D GEMM when there is one group (the BLAS fast path)."""
    if a.shape[0] == 1:
        return (a[0] @ b[0])[None]
    return np.matmul(a, b)


def transposed_conv(grows, w, geom, output_shape):
    """``col2im((rows(g) @ W).T)``: the input gradient of a convolution of weight ``w`` (``(O, C/G, *k)``)
    whose output gradient has rows ``grows`` (``(N*L, O)``), as an ``output_shape`` array."""
    w2 = w.reshape(w.shape[0], -1)
    if geom.groups == 1:
        d = np.matmul(grows, w2, out=buffers.take((grows.shape[0], w2.shape[1]), np.result_type(grows, w2)))
        out = geom.col2im(d.T, output_shape)      # the kernel reads the transpose in place
        buffers.give(d)
        return out
    d = np.matmul(_grouped_rows(grows, geom.groups), _grouped(w2, geom.groups))     # (G, N*L, C/G*KK)
    return geom.col2im(np.ascontiguousarray(d.transpose(1, 0, 2)).reshape(grows.shape[0], -1).T, output_shape)


# ------------------------------------------------------------------------------------------------ the Functions

class ConvolutionFunction(Function):
    """``y = conv(x, W) + b`` on NCHW / NCDHW arrays via one im2col and one GEMM per group (``cols``: the
    columns of ``x``, when the caller already has them)."""
    label = "conv2d"
    derivative = "grad_x = transposed convolution of grad with W, grad_W = correlation of x with grad, grad_b = Σ grad"

    def forward(self, x, w, b=None, geom=None, cols=None):
        self.geom = geom
        n = x.shape[0]
        out_spatial = geom.output_spatial(x.shape[2:])
        self.save_for_backward(x, w)
        bias = None if b is None else b._data
        # the weight gradient reuses the columns (or rows); keep them only if it will be asked for
        keep = grad_mode.is_grad_enabled() and w.requires_grad
        if cols is None and conv_winograd.applies(geom, x.shape, w.shape):
            # nothing kept: the backward transforms the input again, chunk by chunk while in cache
            self._cols = None
            return conv_winograd.conv2d_chunked(x._data, w._data, bias, geom.padding)
        if cols is None and conv_few_channels.applies(geom, x.shape):
            self._cols = None       # the weight gradient unfolds the input again, chunk by chunk
            return conv_few_channels.conv2d(x._data, w._data, bias, geom)
        if cols is None and geom.uses_rows(x.shape[1]):
            rows = geom.pooled_im2row(x._data)
            y = np.matmul(rows, im2row.weight_rows(w._data), out=buffers.take((rows.shape[0], w.shape[0]), x.dtype))
            out = _from_rows(y, n, out_spatial, bias)
            buffers.give(y)
            self._cols, self._rows = None, (rows if keep else None)
            if not keep:
                buffers.give(rows)
            return out
        self._pooled = cols is None          # our own columns go back to the buffer pool after their last use
        cols = geom.pooled_im2col(x._data) if cols is None else cols
        self._cols = cols if keep else None
        w2 = w._data.reshape(w.shape[0], -1)
        if geom.groups == 1:
            y = np.matmul(cols.T, w2.T, out=buffers.take((cols.shape[1], w2.shape[0]), cols.dtype))
            out = _from_rows(y, n, out_spatial, bias)
            buffers.give(y)
        else:
            y = _gemm(_grouped(w2, geom.groups), _grouped(cols, geom.groups))
            out = _from_cols(y.reshape(w.shape[0], -1), n, out_spatial, bias)
        if not keep and self._pooled:
            buffers.give(cols)
        return out

    def backward(self, grad):
        x, w = self.saved_tensors
        needs = self.needs_input_grad
        cols, self._cols = self._cols, None
        rows, self._rows = getattr(self, "_rows", None), None
        winograd_path = conv_winograd.applies(self.geom, x.shape, w.shape)
        if winograd_path and not grad_mode.is_grad_enabled():
            # not recorded (the usual backward): both gradients chunk by chunk on the arrays, no nodes
            dx, dw = conv_winograd.gradients_chunked(x._data, grad._data, w._data, self.geom.padding, *needs[:2])
            gx = None if dx is None else Tensor._make(dx)
            gw = None if dw is None else Tensor._make(dw)
            if len(needs) == 2:
                return gx, gw
            return gx, gw, (Tensor._make(grad._data.sum(axis=(0, 2, 3))) if needs[2] else None)
        if cols is None and rows is None and not grad_mode.is_grad_enabled() and conv_few_channels.applies(
                self.geom, x.shape):
            gb = None
            if needs[1] or (len(needs) == 3 and needs[2]):
                dw, db = conv_few_channels.weight_grad(x._data, grad._data, self.geom, len(needs) == 3 and needs[2])
                gw = Tensor._make(dw) if needs[1] else None
                gb = None if db is None else Tensor._make(db)
            else:
                gw = None
            gx = (ConvInputGradFunction.apply(grad, w, geom=self.geom, input_shape=x.shape) if needs[0] else None)
            return (gx, gw, gb) if len(needs) == 3 else (gx, gw)
        grows = to_rows(grad._data, pooled=True)     # given back below, after both gradients used it
        gx = gw = gb = None
        # the Winograd paths share the output gradient's transform (given back below)
        wgrad = (conv_winograd.grad_domain(grad._data, self.geom.kernel[0])
                 if winograd_path and all(needs[:2]) else None)
        if needs[1]:
            gw = ConvWeightGradFunction.apply(x, grad, geom=self.geom, cols=cols, grows=grows, rows=rows,
                                              winograd_grad=wgrad)
        buffers.give(rows)
        if cols is not None and getattr(self, "_pooled", False):
            buffers.give(cols)   # the input gradient's column buffer (same size) reuses it
        del cols  # free the forward's columns before the input gradient allocates its own
        if needs[0]:
            gx = ConvInputGradFunction.apply(grad, w, geom=self.geom, input_shape=x.shape, grows=grows,
                                             winograd_grad=wgrad)
        if wgrad is not None:
            buffers.give(wgrad[0])
        if len(needs) == 3:
            if needs[2]:
                # create_graph (grad mode on in backward) needs a differentiable sum; otherwise one fast column-sum
                # of the already transposed gradient
                gb = (grad.sum(dim=spatial_dims(grad)) if grad_mode.is_grad_enabled()
                      else Tensor._make(grows.sum(axis=0)))
        buffers.give(grows)
        return (gx, gw, gb) if len(needs) == 3 else (gx, gw)

    def release(self):
        super().release()
        self._cols = self._rows = None


class ConvInputGradFunction(Function):
    """``dx = col2im((rows(g) @ W).T)``: the gradient of conv wrt its input (a transposed convolution of ``g``)."""
    label = "conv2d_input_grad"
    derivative = "linear in both inputs: its gradients are a convolution and a weight gradient"

    def forward(self, g, w, geom=None, input_shape=None, grows=None, winograd_grad=None):
        self.geom, self.input_shape = geom, tuple(input_shape)
        self.save_for_backward(g, w)
        if conv_winograd.applies(geom, self.input_shape, w.shape):
            return conv_winograd.input_grad(g._data, w._data, geom.padding, self.input_shape[2:], winograd_grad)
        grows = to_rows(g._data) if grows is None else grows
        return transposed_conv(grows, w._data, geom, self.input_shape)

    def backward(self, h):
        g, w = self.saved_tensors
        gg = ConvolutionFunction.apply(h, w, geom=self.geom) if self.needs_input_grad[0] else None
        gw = ConvWeightGradFunction.apply(h, g, geom=self.geom) if self.needs_input_grad[1] else None
        return gg, gw


class ConvWeightGradFunction(Function):
    """``dW.T = im2col(x) @ rows(g)``: the gradient of conv wrt its weight (``cols`` / ``grows`` may be passed in
    to reuse them)."""
    label = "conv2d_weight_grad"
    derivative = "linear in both inputs: its gradients are a convolution and an input gradient"

    def forward(self, x, g, geom=None, cols=None, grows=None, rows=None, winograd_grad=None):
        self.geom = geom
        self.save_for_backward(x, g)
        if cols is None and rows is None and conv_winograd.applies(
                geom, x.shape, (g.shape[1], x.shape[1]) + tuple(geom.kernel)):
            return conv_winograd.weight_grad(x._data, g._data, geom.padding, None, winograd_grad)
        if rows is not None or (cols is None and geom.uses_rows(x.shape[1])):
            given = rows is not None
            rows = rows if given else geom.pooled_im2row(x._data)
            grows = to_rows(g._data) if grows is None else grows
            dw = im2row.weight_from_rows(rows.T @ grows, (g.shape[1], x.shape[1]) + tuple(geom.kernel))
            if not given:
                buffers.give(rows)
            return dw
        pooled = cols is None
        cols = geom.pooled_im2col(x._data) if pooled else cols
        grows = to_rows(g._data) if grows is None else grows
        # computed as dW.T = cols @ rows(g): OpenBLAS (0.3.31, 2 threads) runs the equivalent g @ cols.T, with its
        # small M = C_out and huge K = N*OH*OW, up to 30x slower on a busy machine; this orientation is steady
        dw_t = _gemm(_grouped(cols, geom.groups), _grouped_rows(grows, geom.groups))
        if pooled:
            buffers.give(cols)
        c_per_group = x.shape[1] // geom.groups
        return np.ascontiguousarray(dw_t.transpose(0, 2, 1)).reshape((g.shape[1], c_per_group) + tuple(geom.kernel))

    def backward(self, h):
        x, g = self.saved_tensors
        gx = (ConvInputGradFunction.apply(g, h, geom=self.geom, input_shape=x.shape)
              if self.needs_input_grad[0] else None)
        gg = ConvolutionFunction.apply(x, h, geom=self.geom) if self.needs_input_grad[1] else None
        return gx, gg


class Im2ColFunction(Function):
    """``(N, C, H, W) -> (N, C*KH*KW, L)``: PyTorch's ``F.unfold`` layout of the im2col columns."""
    label = "unfold"
    derivative = "the gradient columns are folded back (col2im), overlaps summed"

    def forward(self, x, geom=None):
        self.geom, self.input_hw = geom, x.shape[2:]
        cols = geom.im2col(x._data)
        n = x.shape[0]
        return np.ascontiguousarray(cols.reshape(cols.shape[0], n, -1).transpose(1, 0, 2))

    def backward(self, grad):
        return Col2ImFunction.apply(grad, geom=self.geom, output_hw=self.input_hw)


class Col2ImFunction(Function):
    """``(N, C*KH*KW, L) -> (N, C, H, W)``, summing overlapping blocks: the adjoint of :class:`Im2ColFunction`."""
    label = "fold"
    derivative = "the gradient is unfolded into columns again (im2col)"

    def forward(self, u, geom=None, output_hw=None):
        self.geom = geom
        n, ckk, _ = u.shape
        cols = np.ascontiguousarray(u._data.transpose(1, 0, 2)).reshape(ckk, -1)
        channels = ckk // (geom.kernel[0] * geom.kernel[1])
        return geom.col2im(cols, (n, channels) + tuple(output_hw))

    def backward(self, grad):
        return Im2ColFunction.apply(grad, geom=self.geom)


# ------------------------------------------------------------------------------------------------ argument parsing

def _check_positive(op, **params):
    for name, value in params.items():
        if min(value) <= 0:
            raise ArgumentError(f"{op}: {name} must be positive, got {name}={value}")


def _same_padding(kernel, dilation, stride, op):
    """``padding='same'`` -> (symmetric padding, extra pixel on the bottom/right) per dim, as PyTorch pads."""
    if any(s != 1 for s in stride):
        raise ArgumentError(f"{op}: padding='same' is not supported for strided convolutions (stride={stride})")
    total = [d * (k - 1) for k, d in zip(kernel, dilation)]
    return tuple(t // 2 for t in total), tuple(t % 2 for t in total)


def _check_dtypes(op, *tensors):
    dtypes = {t.dtype for t in tensors if t is not None}
    if len(dtypes) > 1:
        raise TypeError(f"{op}: input, weight and bias must have the same dtype, got "
                        f"{', '.join(str(t.dtype) for t in tensors if t is not None)}; cast with .to(dtype)")
    if next(iter(dtypes)) not in (np.float32, np.float64):
        raise TypeError(f"{op}: expected float32 or float64 tensors, got {next(iter(dtypes))}")


def _check_geometry(op, shape, kernel, stride, padding, dilation):
    geometry = kernels.conv3d_geometry if len(kernel) == 3 else kernels.conv_geometry
    with shape_errors(op, shape):
        geometry(shape, kernel, stride, padding, dilation, op)


_SPATIAL_NAMES = {2: "H, W", 3: "D, H, W"}


def _convolution(op, nd, input, weight, bias, stride, padding, dilation, groups):
    """conv2d / conv3d: check the arguments as PyTorch does, then apply :class:`ConvolutionFunction`."""
    names = _SPATIAL_NAMES[nd]
    if input.ndim not in (nd + 1, nd + 2):
        raise ShapeError(f"{op}: expected a {nd + 1}-D (unbatched) or {nd + 2}-D (batched) input (N, C, {names}), "
                         f"got shape {fmt_shape(input.shape)}")
    if weight.ndim != nd + 2:
        k = ", ".join("K" + c for c in names.split(", "))
        raise ShapeError(f"{op}: expected a {nd + 2}-D weight (C_out, C_in/groups, {k}), got shape "
                         f"{fmt_shape(weight.shape)}")
    if input.ndim == nd + 1:
        return squeeze(_convolution(op, nd, unsqueeze(input, 0), weight, bias, stride, padding, dilation, groups), 0)
    _check_dtypes(op, input, weight, bias)
    groups = int(groups)
    out_ch, in_per_group = weight.shape[:2]
    if groups <= 0:
        raise ArgumentError(f"{op}: groups must be a positive integer, got {groups}")
    if input.shape[1] != in_per_group * groups:
        raise ShapeError(f"{op}: input of shape {fmt_shape(input.shape)} has {input.shape[1]} channels, but weight "
                         f"of shape {fmt_shape(weight.shape)} with groups={groups} expects "
                         f"{in_per_group * groups} channels")
    if out_ch % groups:
        raise ShapeError(f"{op}: weight of shape {fmt_shape(weight.shape)} has {out_ch} output channels, not "
                         f"divisible by groups={groups}")
    if bias is not None and tuple(bias.shape) != (out_ch,):
        raise ShapeError(f"{op}: bias of shape {fmt_shape(bias.shape)} does not match weight of shape "
                         f"{fmt_shape(weight.shape)} (expected ({out_ch},))")
    kernel = tuple(weight.shape[2:])
    stride = ntuple(stride, nd, "stride", op)
    dilation = ntuple(dilation, nd, "dilation", op)
    _check_positive(op, stride=stride, dilation=dilation)
    if isinstance(padding, str):
        if padding == "valid":
            padding = (0,) * nd
        elif padding == "same":
            padding, extra = _same_padding(kernel, dilation, stride, op)
            if any(extra):
                input = pad(input, [w for e in reversed(extra) for w in (0, e)])
        else:
            raise ValueError(f"{op}: invalid padding string {padding!r}, should be one of ['valid', 'same']")
    padding = ntuple(padding, nd, "padding", op)
    if min(padding) < 0:
        raise ArgumentError(f"{op}: padding must be non-negative, got padding={padding}")
    _check_geometry(op, input.shape, kernel, stride, padding, dilation)
    geom = ConvGeometry(kernel, stride, padding, dilation, groups)
    args = (input, weight) if bias is None else (input, weight, bias)
    if input.shape[0] == 0 or input.shape[1] == 0:     # an empty batch: an empty result, zero gradients
        return empty_result((input.shape[0], out_ch) + geom.output_spatial(input.shape[2:]), input.dtype, *args)
    return ConvolutionFunction.apply(*args, geom=geom)


# ------------------------------------------------------------------------------------------------ public ops

@op(method=False)
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D cross-correlation, PyTorch's ``F.conv2d``.

    Args:
        input: ``(N, C_in, H, W)`` or unbatched ``(C_in, H, W)``.
        weight: ``(C_out, C_in / groups, KH, KW)``.
        bias: optional ``(C_out,)``.
        stride, dilation: int or pair, positive.
        padding: int or pair of zero padding, or ``'valid'`` (none) / ``'same'`` (output size = input size,
            stride 1 only; an odd total padding puts the extra pixel at the bottom/right, as PyTorch).
        groups: split input and output channels into this many independent convolutions.

    Shape:
        output ``(N, C_out, H_out, W_out)``, ``H_out = (H + 2 padding - dilation (KH - 1) - 1) // stride + 1``.

    Example::

        >>> conv2d(autograd_core.randn(8, 3, 32, 32), autograd_core.randn(16, 3, 3, 3), padding=1).shape
        (8, 16, 32, 32)
    """
    return _convolution("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


@op(method=False)
def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D cross-correlation, PyTorch's ``F.conv3d`` (the 3-D im2col kernels, the GEMMs of conv2d).

    Args:
        input: ``(N, C_in, D, H, W)`` or unbatched ``(C_in, D, H, W)``.
        weight: ``(C_out, C_in / groups, KD, KH, KW)``; bias: optional ``(C_out,)``.
        stride, padding (int, triple, ``'valid'`` or ``'same'``), dilation, groups: as in :func:`conv2d`.

    Shape:
        output ``(N, C_out, D_out, H_out, W_out)``, each ``(size + 2 padding - dilation (K - 1) - 1) // stride + 1``.

    Example::

        >>> conv3d(autograd_core.randn(2, 3, 8, 8, 8), autograd_core.randn(4, 3, 3, 3, 3), padding=1).shape
        (2, 4, 8, 8, 8)
    """
    return _convolution("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


@op(method=False)
def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D cross-correlation, PyTorch's ``F.conv1d``: conv2d on ``(N, C, 1, L)``.

    Args:
        input: ``(N, C_in, L)`` or ``(C_in, L)``; weight: ``(C_out, C_in / groups, K)``; bias: ``(C_out,)``.
        stride, padding (int, ``'valid'`` or ``'same'``), dilation, groups: as in :func:`conv2d`.

    Shape:
        output ``(N, C_out, L_out)``, ``L_out = (L + 2 padding - dilation (K - 1) - 1) // stride + 1``.
    """
    op = "conv1d"
    if input.ndim not in (2, 3):
        raise ShapeError(f"{op}: expected a 2-D (unbatched) or 3-D (batched) input, got shape "
                         f"{fmt_shape(input.shape)}")
    if weight.ndim != 3:
        raise ShapeError(f"{op}: expected a 3-D weight (C_out, C_in/groups, K), got shape {fmt_shape(weight.shape)}")
    stride = ntuple(stride, 1, "stride", op)
    dilation = ntuple(dilation, 1, "dilation", op)
    if not isinstance(padding, str):
        padding = (0,) + ntuple(padding, 1, "padding", op)
    out = conv2d(unsqueeze(input, -2), unsqueeze(weight, -2), bias, (1,) + stride, padding, (1,) + dilation, groups)
    return squeeze(out, -2)


@op(method=False)
def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding local blocks, PyTorch's ``F.unfold``: ``(N, C, H, W) -> (N, C*KH*KW, L)``.

    Column ``l`` holds block ``l`` (row-major over the ``OH x OW`` block positions); row ``(c*KH + i)*KW + j`` is
    channel ``c`` at kernel tap ``(i, j)``. A 3-D input ``(C, H, W)`` gives ``(C*KH*KW, L)``.
    """
    op = "unfold"
    if input.ndim not in (3, 4):
        raise ShapeError(f"{op}: expected a 3-D or 4-D input, got shape {fmt_shape(input.shape)}")
    if input.ndim == 3:
        return squeeze(unfold(unsqueeze(input, 0), kernel_size, dilation, padding, stride), 0)
    geom = _fold_geometry(op, kernel_size, dilation, padding, stride)
    _check_geometry(op, input.shape, geom.kernel, geom.stride, geom.padding, geom.dilation)
    return Im2ColFunction.apply(input, geom=geom)


@op(method=False)
def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Combine sliding local blocks into an image, summing overlaps, PyTorch's ``F.fold`` (adjoint of unfold).

    Shape:
        input ``(N, C*KH*KW, L)`` or ``(C*KH*KW, L)``; output ``(N, C, *output_size)`` or ``(C, *output_size)``,
        where ``L`` must equal the number of block positions in ``output_size``.
    """
    op = "fold"
    if input.ndim not in (2, 3):
        raise ShapeError(f"{op}: expected a 2-D or 3-D input, got shape {fmt_shape(input.shape)}")
    if input.ndim == 2:
        return squeeze(fold(unsqueeze(input, 0), output_size, kernel_size, dilation, padding, stride), 0)
    geom = _fold_geometry(op, kernel_size, dilation, padding, stride)
    output_hw = ntuple(output_size, 2, "output_size", op)
    kk = geom.kernel[0] * geom.kernel[1]
    n, ckk, length = input.shape
    if ckk % kk:
        raise ShapeError(f"{op}: expected size of input's dimension 1 ({ckk}) to be divisible by the product of "
                         f"kernel_size {geom.kernel} ({kk}); input shape {fmt_shape(input.shape)}")
    _check_geometry(op, (n, ckk // kk) + output_hw, geom.kernel, geom.stride, geom.padding, geom.dilation)
    oh, ow = geom.output_hw(*output_hw)
    if length != oh * ow:
        raise ShapeError(f"{op}: input of shape {fmt_shape(input.shape)} has {length} blocks, but output_size "
                         f"{output_hw} with kernel_size {geom.kernel}, dilation {geom.dilation}, padding "
                         f"{geom.padding} and stride {geom.stride} gives {oh} x {ow} = {oh * ow} blocks")
    return Col2ImFunction.apply(input, geom=geom, output_hw=output_hw)


def _fold_geometry(op, kernel_size, dilation, padding, stride):
    kernel = ntuple(kernel_size, 2, "kernel_size", op)
    stride = ntuple(stride, 2, "stride", op)
    dilation = ntuple(dilation, 2, "dilation", op)
    padding = ntuple(padding, 2, "padding", op)
    _check_positive(op, kernel_size=kernel, stride=stride, dilation=dilation)
    if min(padding) < 0:
        raise ValueError(f"{op}: padding must be non-negative, got padding={padding}")
    return ConvGeometry(kernel, stride, padding, dilation)
