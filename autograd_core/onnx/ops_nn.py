"""ONNX mappings of the layer ops: convolution, transposed convolution, pooling, embedding."""
from importlib import import_module
import math

import numpy as np

from .context import maps

C = import_module("autograd_core.ops.conv")
CT = import_module("autograd_core.ops.conv_transpose")
Em = import_module("autograd_core.ops.embedding")
P = import_module("autograd_core.ops.pooling")
P3 = import_module("autograd_core.ops.pooling3d")
Rs = import_module("autograd_core.ops.resample")

__all__ = []


def _pair(v, n=2):
    return tuple(int(x) for x in v) if isinstance(v, (tuple, list)) else (int(v),) * n


def _static_batch_only(ctx, rec, what):
    """Spatial sizes must be static (the batch may be dynamic)."""
    for v in list(rec.inputs[:1]) + [rec.out]:
        if any(a != b for a, b in ctx.dims(v)[1:]):
            ctx.fail(f"{what} with a dynamic channel or spatial size is not supported (only the batch dim may be "
                     f"dynamic)")


@maps(C.ConvolutionFunction, ignore=("cols",))
def _conv(ctx, rec):
    geom = rec.kwargs["geom"]
    names = [ctx.name(v) for v in rec.inputs]
    return ctx.g.op("Conv", names, kernel_shape=list(geom.kernel), strides=list(geom.stride),
                    pads=list(geom.padding) * 2, dilations=list(geom.dilation), group=int(geom.groups))


@maps(CT.ConvTransposeFunction, dynamic=("output_shape",))
def _conv_transpose(ctx, rec):
    geom = rec.kwargs["geom"]
    _static_batch_only(ctx, rec, "a transposed convolution")
    in_spatial = rec.inputs[0].shape[2:]
    out_spatial = rec.kwargs["output_shape"][2:]
    output_padding = []
    for n, o, k, s, p, d in zip(in_spatial, out_spatial, geom.kernel, geom.stride, geom.padding, geom.dilation):
        output_padding.append(int(o - ((n - 1) * s - 2 * p + d * (k - 1) + 1)))
    names = [ctx.name(v) for v in rec.inputs]
    return ctx.g.op("ConvTranspose", names, kernel_shape=list(geom.kernel), strides=list(geom.stride),
                    pads=list(geom.padding) * 2, dilations=list(geom.dilation), group=int(geom.groups),
                    output_padding=output_padding if any(output_padding) else None)


def _pool_out(n, k, s, p, d, ceil):
    span = n + 2 * p - d * (k - 1) - 1
    return (math.ceil(span / s) if ceil else span // s) + 1


def _check_pool_shape(ctx, rec, k, s, p, d, ceil):
    want = tuple(rec.out.shape[2:])
    got = tuple(_pool_out(n, *a, ceil) for n, a in zip(rec.inputs[0].shape[2:], zip(k, s, p, d)))
    if got != want:
        ctx.fail(f"ceil_mode=True gives output size {want} here and {got} under ONNX's rule (a last window starting in "
                 f"the right padding); use ceil_mode=False or other padding")


@maps(P.MaxPool2DWithIndicesFunction, P3.MaxPool3DWithIndicesFunction, ignore=("indices_out",))
def _max_pool(ctx, rec):
    kernel, stride, padding, dilation, ceil = rec.kwargs["params"]
    n = len(rec.inputs[0].shape) - 2
    k = _pair(kernel, n)
    s = k if stride is None else _pair(stride, n)
    p, d = _pair(padding, n), _pair(dilation, n)
    if ceil:
        _check_pool_shape(ctx, rec, k, s, p, d, True)
    return ctx.g.op("MaxPool", [ctx.name(rec.inputs[0])], kernel_shape=list(k), strides=list(s), pads=list(p) * 2,
                    dilations=list(d), ceil_mode=int(bool(ceil)))


@maps(P.AvgPool2DFunction)
def _avg_pool(ctx, rec):
    kernel, stride, padding, ceil, count_include_pad, divisor = rec.kwargs["params"]
    k = _pair(kernel)
    s = k if stride is None else _pair(stride)
    p = _pair(padding)
    g = ctx.g
    if ceil:
        _check_pool_shape(ctx, rec, k, s, p, (1, 1), True)
        if count_include_pad and any(p):
            ctx.fail("avg_pool2d with ceil_mode=True, count_include_pad=True and padding divides the last windows "
                     "differently in ONNX; use ceil_mode=False or count_include_pad=False")
    x = ctx.name(rec.inputs[0])
    if divisor is not None:
        if ceil:
            ctx.fail("avg_pool2d with divisor_override and ceil_mode=True is not supported by the exporter")
        y = g.op("AveragePool", [x], kernel_shape=list(k), strides=list(s), pads=list(p) * 2, count_include_pad=1)
        return g.op("Mul", [y, g.scalar(k[0] * k[1] / divisor, rec.out.dtype)])
    return g.op("AveragePool", [x], kernel_shape=list(k), strides=list(s), pads=list(p) * 2,
                ceil_mode=int(bool(ceil)), count_include_pad=int(bool(count_include_pad)))


def _window_matrix(n, out, dtype):
    """``(out, n)``: row o averages PyTorch's adaptive window ``[floor(o*n/out), ceil((o+1)*n/out))``."""
    m = np.zeros((out, n), dtype=np.float64)
    for o in range(out):
        lo, hi = (o * n) // out, -(-((o + 1) * n) // out)
        m[o, lo:hi] = 1.0 / (hi - lo)
    return m.astype(dtype)


def _adaptive(ctx, rec, glob, pool):
    _static_batch_only(ctx, rec, "adaptive pooling")
    H, W = rec.inputs[0].shape[2:]
    oh, ow = rec.out.shape[2:]
    x = ctx.name(rec.inputs[0])
    g = ctx.g
    if (oh, ow) == (1, 1):
        return g.op(glob, [x])
    if (H % oh or W % ow) and pool == "AveragePool":
        # unequal windows: the average along each axis is a matrix product (W then H), exact up to rounding
        dt = rec.out.dtype
        y = g.op("MatMul", [x, g.const(_window_matrix(W, ow, dt).T, "window")])
        return g.op("MatMul", [g.const(_window_matrix(H, oh, dt), "window"), y])
    if H % oh or W % ow:
        ctx.fail(f"adaptive pooling from {(H, W)} to {(oh, ow)}: ONNX has no adaptive pooling and the windows are not "
                 f"all equal (the input size must be a multiple of the output size)")
    k = [H // oh, W // ow]
    return ctx.g.op(pool, [x], kernel_shape=k, strides=k)


@maps(P.AdaptiveAvgPool2DFunction)
def _adaptive_avg(ctx, rec):
    return _adaptive(ctx, rec, "GlobalAveragePool", "AveragePool")


@maps(P.AdaptiveMaxPool2DFunction, ignore=("indices_out",))
def _adaptive_max(ctx, rec):
    return _adaptive(ctx, rec, "GlobalMaxPool", "MaxPool")


@maps(Em.EmbeddingFunction, dynamic=("indices",))
def _embedding(ctx, rec):
    idx = np.asarray(rec.kwargs["indices"])
    name = ctx.array_name(rec, idx, np.asarray(rec.twin.kwargs["indices"]), dtype=np.int64)
    return ctx.g.op("Gather", [ctx.name(rec.inputs[0]), name], axis=0)


def _same_taps(a, b):
    return (a.in_size == b.in_size and len(a.indices) == len(b.indices)
            and all(np.array_equal(x, y) for x, y in zip(a.indices, b.indices))
            and (a.weights is None) == (b.weights is None)
            and (a.weights is None or all(np.array_equal(x, y) for x, y in zip(a.weights, b.weights))))


@maps(Rs.AxisResampleFunction, dynamic=("taps",), ignore=("grad_taps",))
def _resample(ctx, rec):
    """Interpolation or a box average along one axis: ``sum_k w_k * Gather(x, i_k, axis)``, the node's own sparse
    map (so every mode and PyTorch's rounding of the source positions are reproduced exactly)."""
    taps, axis = rec.kwargs["taps"], int(rec.kwargs["axis"])
    if not _same_taps(taps, rec.twin.kwargs["taps"]):
        ctx.fail("interpolation along a dynamic axis is not supported by the exporter (its taps depend on the size)")
    g = ctx.g
    x = ctx.name(rec.inputs[0])
    ndim = len(rec.inputs[0].shape)
    shape = [1] * ndim
    shape[axis] = -1
    out = None
    for k, idx in enumerate(taps.indices):
        v = g.op("Gather", [x, g.const(idx, "taps")], axis=axis)
        if taps.weights is not None:
            w = taps.weights[k].astype(rec.out.dtype).reshape(shape)
            v = g.op("Mul", [v, g.const(w, "weights")])
        out = v if out is None else g.op("Add", [out, v])
    return out
