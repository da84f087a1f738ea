"""ONNX mappings of less central ops: norms, cumulative sums, flips, triangles, einsum, erf, trunc."""
import math
from importlib import import_module

import numpy as np

from .context import maps
from .graph import INT64_MIN

Cu = import_module("autograd_core.ops.cumulative")
Ei = import_module("autograd_core.ops.einsum")
No = import_module("autograd_core.ops.norms")
Re = import_module("autograd_core.ops.rearrange")
Rd = import_module("autograd_core.ops.rounding")
Sp = import_module("autograd_core.ops.special")

__all__ = []


@maps(No.VectorNormFunction)
def _vector_norm(ctx, rec):
    g = ctx.g
    p = float(rec.kwargs.get("ord", 2.0))
    dims = rec.kwargs.get("dims", ())
    keep = bool(rec.kwargs.get("keepdim", False))
    x = ctx.name(rec.inputs[0])
    ndim = len(rec.inputs[0].shape)
    axes = [int(d) for d in dims] if dims else (None if ndim else [])
    if axes == []:
        return g.op("Abs", [x])
    if p == 2.0:
        return g.op("Sqrt", [g.reduce("ReduceSumSquare", x, axes, keep)])
    if p == 1.0:
        return g.reduce("ReduceL1", x, axes, keep)
    if p == math.inf:
        return g.reduce("ReduceMax", g.op("Abs", [x]), axes, keep)
    if p == -math.inf:
        return g.reduce("ReduceMin", g.op("Abs", [x]), axes, keep)
    if p == 0:
        ctx.fail("the 0-'norm' (a count of nonzeros) is not supported by the exporter")
    dt = rec.out.dtype
    s = g.reduce("ReduceSum", g.op("Pow", [g.op("Abs", [x]), g.scalar(p, dt)]), axes, keep)
    return g.op("Pow", [s, g.scalar(1.0 / p, dt)])


@maps(Cu.CumsumFunction)
def _cumsum(ctx, rec):
    g = ctx.g
    return g.op("CumSum", [ctx.name(rec.inputs[0]), g.const(np.asarray(int(rec.kwargs.get("dim", 0)), np.int64))])


@maps(Re.FlipFunction)
def _flip(ctx, rec):
    dims = [int(d) for d in rec.kwargs.get("dims", ())]
    x = ctx.name(rec.inputs[0])
    if not dims:
        return ctx.g.op("Identity", [x])
    return ctx.g.slice(x, [-1] * len(dims), [INT64_MIN] * len(dims), dims, [-1] * len(dims))


@maps(Re.TrilFunction, Re.TriuFunction)
def _tril(ctx, rec):
    g = ctx.g
    k = g.const(np.asarray(int(rec.kwargs.get("diagonal", 0)), np.int64))
    return g.op("Trilu", [ctx.name(rec.inputs[0]), k], upper=int(bool(rec.kwargs.get("upper", False))))


@maps(Ei.EinsumFunction)
def _einsum(ctx, rec):
    eq = ",".join(rec.kwargs["terms"]) + "->" + rec.kwargs["output"]
    return ctx.g.op("Einsum", [ctx.name(v) for v in rec.inputs], equation=eq)


@maps(Sp.ErfFunction)
def _erf(ctx, rec):
    return ctx.g.op("Erf", [ctx.name(rec.inputs[0])])


@maps(Rd.TruncFunction)
def _trunc(ctx, rec):
    g = ctx.g
    x = ctx.name(rec.inputs[0])
    return g.op("Mul", [g.op("Sign", [x]), g.op("Floor", [g.op("Abs", [x])])])
