"""ONNX mappings of arithmetic, elementwise math, activations, matrix products, reductions and softmax."""
from importlib import import_module
import math

import numpy as np

from .context import maps

A = import_module("autograd_core.ops.activation")
E = import_module("autograd_core.ops.elementwise")
X = import_module("autograd_core.ops.exponential")
L = import_module("autograd_core.ops.linalg")
R = import_module("autograd_core.ops.reduction")
Rd = import_module("autograd_core.ops.rounding")
T = import_module("autograd_core.ops.trig")

__all__ = []


def _ins(ctx, rec):
    return [ctx.name(v) for v in rec.inputs]


def _unary(op_type):
    def fn(ctx, rec):
        return ctx.g.op(op_type, _ins(ctx, rec))
    return fn


def _binary(op_type):
    def fn(ctx, rec):
        return ctx.g.op(op_type, _ins(ctx, rec))
    return fn


for _cls, _op in ((E.AddFunction, "Add"), (E.SubFunction, "Sub"), (E.MulFunction, "Mul"), (E.DivFunction, "Div"),
                  (E.PowFunction, "Pow"), (E.MaximumFunction, "Max"), (E.MinimumFunction, "Min")):
    maps(_cls)(_binary(_op))

for _cls, _op in ((E.NegFunction, "Neg"), (E.ExpFunction, "Exp"), (E.LogFunction, "Log"), (E.SqrtFunction, "Sqrt"),
                  (E.AbsFunction, "Abs"), (E.SinFunction, "Sin"), (E.CosFunction, "Cos"), (E.SignFunction, "Sign"),
                  (E.SgnFunction, "Sign"),
                  (E.CloneFunction, "Identity"), (E.ReciprocalFunction, "Reciprocal"),
                  (A.TanhFunction, "Tanh"), (A.SigmoidFunction, "Sigmoid"),
                  (A.ReluFunction, "Relu"), (T.TanFunction, "Tan"), (T.AsinFunction, "Asin"),
                  (T.AcosFunction, "Acos"), (T.AtanFunction, "Atan"), (T.SinhFunction, "Sinh"),
                  (T.CoshFunction, "Cosh"), (T.AsinhFunction, "Asinh"), (T.AcoshFunction, "Acosh"),
                  (T.AtanhFunction, "Atanh"), (Rd.FloorFunction, "Floor"), (Rd.CeilFunction, "Ceil")):
    maps(_cls)(_unary(_op))


def _scalar(ctx, rec, value):
    return ctx.g.scalar(value, rec.out.dtype)


@maps(E.PowScalarFunction)
def _pow_scalar(ctx, rec):
    x = ctx.name(rec.inputs[0])
    p = rec.kwargs["p"]
    if p == 2:
        return ctx.g.op("Mul", [x, x])
    if p == 0.5:
        return ctx.g.op("Sqrt", [x])
    if p == -0.5:
        return ctx.g.op("Reciprocal", [ctx.g.op("Sqrt", [x])])
    if p == 1:
        return ctx.g.op("Identity", [x])
    return ctx.g.op("Pow", [x, _scalar(ctx, rec, p)])


@maps(E.Log1pFunction)
def _log1p(ctx, rec):
    return ctx.g.op("Log", [ctx.g.op("Add", [ctx.name(rec.inputs[0]), _scalar(ctx, rec, 1.0)])])


@maps(E.Expm1Function)
def _expm1(ctx, rec):
    return ctx.g.op("Sub", [ctx.g.op("Exp", [ctx.name(rec.inputs[0])]), _scalar(ctx, rec, 1.0)])


@maps(E.RsqrtFunction)
def _rsqrt(ctx, rec):
    return ctx.g.op("Reciprocal", [ctx.g.op("Sqrt", [ctx.name(rec.inputs[0])])])


@maps(X.Log2Function, X.Log10Function)
def _log_base(ctx, rec):
    base = 2.0 if rec.cls is X.Log2Function else 10.0
    return ctx.g.op("Div", [ctx.g.op("Log", _ins(ctx, rec)), _scalar(ctx, rec, math.log(base))])


@maps(X.Exp2Function)
def _exp2(ctx, rec):
    return ctx.g.op("Pow", [_scalar(ctx, rec, 2.0), ctx.name(rec.inputs[0])])


@maps(E.ClampFunction)
def _clamp(ctx, rec):
    lo, hi = rec.kwargs.get("min"), rec.kwargs.get("max")
    x = ctx.name(rec.inputs[0])
    return ctx.g.op("Clip", [x, None if lo is None else _scalar(ctx, rec, lo),
                             None if hi is None else _scalar(ctx, rec, hi)])


@maps(Rd.ClampTensorFunction)
def _clamp_tensor(ctx, rec):
    a, b = _ins(ctx, rec)
    return ctx.g.op("Min" if rec.kwargs.get("upper") else "Max", [a, b])


@maps(Rd.RoundFunction)
def _round(ctx, rec):
    d = rec.kwargs.get("decimals", 0)
    x = ctx.name(rec.inputs[0])
    if not d:
        return ctx.g.op("Round", [x])
    k = _scalar(ctx, rec, 10.0 ** d)
    return ctx.g.op("Div", [ctx.g.op("Round", [ctx.g.op("Mul", [x, k])]), k])


@maps(E.WhereFunction)
def _where(ctx, rec):
    cond = rec.kwargs["cond"]
    c = ctx.array_name(rec, np.asarray(cond), np.asarray(rec.twin.kwargs["cond"]), dtype=bool)
    a, b = _ins(ctx, rec)
    return ctx.g.op("Where", [c, a, b])


@maps(E.ToCopyFunction)
def _cast(ctx, rec):
    return ctx.g.op("Cast", _ins(ctx, rec), to=ctx.tensor_type(rec.kwargs["dtype"]))


# ---------------------------------------------------------------------- activations
@maps(A.LeakyReluFunction)
def _leaky_relu(ctx, rec):
    return ctx.g.op("LeakyRelu", _ins(ctx, rec), alpha=float(rec.kwargs.get("negative_slope", 0.01)))


@maps(A.EluFunction)
def _elu(ctx, rec):
    alpha = float(rec.kwargs.get("alpha", 1.0))
    scale = float(rec.kwargs.get("scale", 1.0))
    input_scale = float(rec.kwargs.get("input_scale", 1.0))
    x = ctx.name(rec.inputs[0])
    g = ctx.g
    if scale == 1.0 and input_scale == 1.0:
        return g.op("Elu", [x], alpha=alpha)
    # scale * (x if x > 0 else alpha * (exp(input_scale * x) - 1))
    neg = g.op("Mul", [g.op("Sub", [g.op("Exp", [g.op("Mul", [x, _scalar(ctx, rec, input_scale)])]),
                                    _scalar(ctx, rec, 1.0)]), _scalar(ctx, rec, alpha)])
    y = g.op("Where", [g.op("Greater", [x, _scalar(ctx, rec, 0.0)]), x, neg])
    return g.op("Mul", [y, _scalar(ctx, rec, scale)])


@maps(A.SiluFunction)
def _silu(ctx, rec):
    x = ctx.name(rec.inputs[0])
    return ctx.g.op("Mul", [x, ctx.g.op("Sigmoid", [x])])


@maps(A.NormalCdfFunction)
def _normal_cdf(ctx, rec):
    g = ctx.g
    x = ctx.name(rec.inputs[0])
    erf = g.op("Erf", [g.op("Mul", [x, _scalar(ctx, rec, 1.0 / math.sqrt(2.0))])])
    return g.op("Mul", [g.op("Add", [erf, _scalar(ctx, rec, 1.0)]), _scalar(ctx, rec, 0.5)])


@maps(A.SoftplusFunction)
def _softplus(ctx, rec):
    g = ctx.g
    beta, threshold = float(rec.kwargs.get("beta", 1.0)), float(rec.kwargs.get("threshold", 20.0))
    x = ctx.name(rec.inputs[0])
    bx = x if beta == 1.0 else g.op("Mul", [x, _scalar(ctx, rec, beta)])
    sp = g.op("Softplus", [bx])
    if beta != 1.0:
        sp = g.op("Div", [sp, _scalar(ctx, rec, beta)])
    if math.isinf(threshold):
        return sp
    return g.op("Where", [g.op("Greater", [bx, _scalar(ctx, rec, threshold)]), x, sp])


# ---------------------------------------------------------------------- matrix products
@maps(L.MatMulFunction)
def _matmul(ctx, rec):
    return ctx.g.op("MatMul", _ins(ctx, rec))


@maps(L.LinearFunction)
def _linear(ctx, rec):
    g = ctx.g
    names = _ins(ctx, rec)
    x, w = names[0], names[1]
    b = names[2] if len(names) > 2 else None
    if len(rec.inputs[0].shape) == 2:
        return g.op("Gemm", [x, w, b], transB=1)
    y = g.op("MatMul", [x, g.op("Transpose", [w], perm=[1, 0])])
    return y if b is None else g.op("Add", [y, b])


# ---------------------------------------------------------------------- reductions
def _dims(rec, key="dims"):
    dims = rec.kwargs.get(key)
    return None if dims is None else [int(d) for d in (dims if isinstance(dims, (tuple, list)) else (dims,))]


@maps(R.SumFunction, R.ProdFunction)
def _sum(ctx, rec):
    dims = _dims(rec)
    x = ctx.name(rec.inputs[0])
    if dims is not None and not dims:
        return ctx.g.op("Identity", [x])
    op = "ReduceSum" if rec.cls is R.SumFunction else "ReduceProd"
    return ctx.g.reduce(op, x, dims, rec.kwargs.get("keepdim", False))


@maps(R.AmaxFunction)
def _amax(ctx, rec):
    dims = _dims(rec)
    op = "ReduceMin" if rec.kwargs.get("is_min") else "ReduceMax"
    return ctx.g.reduce(op, ctx.name(rec.inputs[0]), dims, rec.kwargs.get("keepdim", False))


@maps(R.MaxFunction)
def _max_dim(ctx, rec):
    op = "ReduceMin" if rec.kwargs.get("is_min") else "ReduceMax"
    return ctx.g.reduce(op, ctx.name(rec.inputs[0]), [int(rec.kwargs.get("dim", 0))], rec.kwargs.get("keepdim", False))


@maps(R.SoftmaxFunction, R.LogSoftmaxFunction)
def _softmax(ctx, rec):
    op = "Softmax" if rec.cls is R.SoftmaxFunction else "LogSoftmax"
    return ctx.g.op(op, _ins(ctx, rec), axis=int(rec.kwargs.get("dim", -1)))
