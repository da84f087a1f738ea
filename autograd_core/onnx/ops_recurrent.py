"""ONNX mappings of the fused nodes: recurrent layers (``RNN``/``LSTM``/``GRU`` operators) and scaled dot-product
attention (as ``MatMul``/``Softmax`` primitives).

A fused recurrent node runs one layer in one direction; it becomes one ONNX recurrent operator with
``direction`` ``forward`` or ``reverse`` (a bidirectional layer is two of them and the ``Concat`` the trace
recorded). PyTorch's gate blocks are reordered for ONNX: LSTM ``i, f, g, o`` -> ``i, o, f, c``; GRU ``r, z, n``
-> ``z, r, h`` with ``linear_before_reset=1`` (PyTorch's GRU applies the reset gate to ``W_hn h + b_hn``).
The node's output ``(T + S, B, H)`` (outputs, then the final states) is rebuilt with a ``Concat``.
"""
from importlib import import_module
import numpy as np

from .context import maps

At = import_module("autograd_core.ops.attention")
Rc = import_module("autograd_core.ops.recurrent")

__all__ = []

_ORDER = {Rc.FusedLSTMFunction: (0, 3, 1, 2), Rc.FusedGRUFunction: (1, 0, 2), Rc.FusedRNNFunction: (0,)}


def _reorder(ctx, name, hidden, order):
    """Gate blocks of a ``(G*H, ...)`` weight or ``(G*H,)`` bias in ONNX's order."""
    g = ctx.g
    if order == tuple(range(len(order))):
        return name
    parts = [g.slice(name, [i * hidden], [(i + 1) * hidden], [0]) for i in order]
    return g.op("Concat", parts, axis=0)


def _zero_state(ctx, v):
    """Whether an initial state is a constant zero (then the ONNX input is omitted: zeros are its default)."""
    return v.kind == "const" and not v.array.any() and not v.twin.array.any()


@maps(Rc.FusedRNNFunction, Rc.FusedLSTMFunction, Rc.FusedGRUFunction)
def _recurrent(ctx, rec):
    g = ctx.g
    cls = rec.cls
    if rec.kwargs.get("batch_sizes") is not None or rec.twin.kwargs.get("batch_sizes") is not None:
        ctx.fail("packed sequences (variable lengths) are not supported by the exporter; pass a padded batch")
    k = 2 if cls is Rc.FusedLSTMFunction else 1
    x, states, weights = rec.inputs[0], rec.inputs[1:1 + k], rec.inputs[1 + k:]
    H = weights[1].shape[1]
    order = _ORDER[cls]
    W = g.unsqueeze(_reorder(ctx, ctx.name(weights[0]), H, order), [0])
    R = g.unsqueeze(_reorder(ctx, ctx.name(weights[1]), H, order), [0])
    B = None
    if rec.kwargs.get("bias", True) and len(weights) == 4:
        B = g.unsqueeze(g.op("Concat", [_reorder(ctx, ctx.name(weights[2]), H, order),
                                        _reorder(ctx, ctx.name(weights[3]), H, order)], axis=0), [0])
    init = [None if _zero_state(ctx, s) else g.unsqueeze(ctx.name(s), [0]) for s in states]
    direction = "reverse" if rec.kwargs.get("reverse") else "forward"
    attrs = {"hidden_size": int(H), "direction": direction}
    if cls is Rc.FusedLSTMFunction:
        Y, Yh, Yc = g.op("LSTM", [ctx.name(x), W, R, B, None, init[0], init[1]], outputs=3, **attrs)
        finals = [Yh, Yc]
    elif cls is Rc.FusedGRUFunction:
        Y, Yh = g.op("GRU", [ctx.name(x), W, R, B, None, init[0]], outputs=2, linear_before_reset=1, **attrs)
        finals = [Yh]
    else:
        act = "Relu" if rec.kwargs.get("nonlinearity") == "relu" else "Tanh"
        Y, Yh = g.op("RNN", [ctx.name(x), W, R, B, None, init[0]], outputs=2, activations=[act], **attrs)
        finals = [Yh]
    return g.op("Concat", [g.squeeze(Y, [1])] + finals, axis=0)


@maps(At.ScaledDotProductAttentionFunction, dynamic=("allowed",))
def _attention(ctx, rec):
    g = ctx.g
    kw = rec.kwargs
    if kw.get("dropout_p", 0.0) > 0.0:
        ctx.fail("attention dropout is active (the model is training); export in eval mode")
    q, k, v = (ctx.name(t) for t in rec.inputs[:3])
    nd = len(rec.inputs[1].shape)
    perm = list(range(nd - 2)) + [nd - 1, nd - 2]
    s = g.op("MatMul", [q, g.op("Transpose", [k], perm=perm)])
    dtype = rec.out.dtype
    scale = kw.get("scale", 1.0)
    if scale != 1.0:
        s = g.op("Mul", [s, g.scalar(scale, dtype)])
    masked = False
    if len(rec.inputs) > 3:
        s = g.op("Add", [s, ctx.name(rec.inputs[3])])
        masked = True
    allowed = kw.get("allowed")
    if allowed is not None:
        a = ctx.array_name(rec, np.asarray(allowed), np.asarray(rec.twin.kwargs.get("allowed")), dtype=bool)
        s = g.op("Where", [a, s, g.scalar(-np.inf, dtype)])
        masked = True
    if kw.get("causal"):
        L, S = rec.inputs[0].shape[-2], rec.inputs[1].shape[-2]
        L2, S2 = rec.twin.inputs[0].shape[-2], rec.twin.inputs[1].shape[-2]
        if (L, S) == (L2, S2):
            blocked = g.const(np.triu(np.ones((L, S), dtype=bool), 1))
        else:
            shape = ctx.shape_tensor([(L, L2), (S, S2)], rec.inputs[:2], "the causal mask's shape")
            ones = g.op("ConstantOfShape", [shape], value=ctx.onnx.numpy_helper.from_array(np.ones(1, np.int64),
                                                                                            "value"))
            blocked = g.op("Cast", [g.op("Trilu", [ones, g.ints([1])], upper=1)], to=ctx.tensor_type(bool))
        s = g.op("Where", [blocked, g.scalar(-np.inf, dtype), s])
        masked = True
    p = g.op("Softmax", [s], axis=-1)
    if masked:
        # a row whose keys are all masked out gets weights 0 (the fused node's and PyTorch's convention), not NaN
        m = g.reduce("ReduceMax", s, [-1], True)
        dead = g.op("IsInf", [m], detect_positive=0)
        p = g.op("Where", [dead, g.scalar(0.0, dtype), p])
    return g.op("MatMul", [p, v])
