"""ONNX mappings of the shape ops: reshape (view, flatten, squeeze, unsqueeze), permute, expand, indexing with
ints, slices, None and one index array, cat (and stack), constant padding, gather.

Sizes that depend on a dynamic axis are computed in the graph (:meth:`Context.shape_tensor`); slice bounds that
move with a dynamic axis are written from its end (``x[:T]`` of a ``T + 2`` axis is ``x[:-2]``).
"""
from importlib import import_module
import numpy as np

from .context import maps
from .graph import INT64_MAX, INT64_MIN

S = import_module("autograd_core.ops.shape")

__all__ = []


@maps(S.ReshapeFunction, dynamic=("shape",))
def _reshape(ctx, rec):
    v = rec.inputs[0]
    out = rec.out
    pairs = ctx.dims(out)
    target = ctx.shape_tensor(pairs, (v,), "the reshape target", infer=True, copy_from=ctx.dims(v))
    return ctx.g.op("Reshape", [ctx.name(v), target])


@maps(S.PermuteFunction)
def _permute(ctx, rec):
    return ctx.g.op("Transpose", [ctx.name(rec.inputs[0])], perm=[int(d) for d in rec.kwargs["dims"]])


@maps(S.ExpandFunction, dynamic=("shape",))
def _expand(ctx, rec):
    v = rec.inputs[0]
    target = ctx.shape_tensor(ctx.dims(rec.out), (v,), "the expand target")
    return ctx.g.op("Expand", [ctx.name(v), target])


@maps(S.CatFunction)
def _cat(ctx, rec):
    return ctx.g.op("Concat", [ctx.name(v) for v in rec.inputs], axis=int(rec.kwargs.get("dim", 0)))


@maps(S.ConstantPadNdFunction)
def _pad(ctx, rec):
    widths = rec.kwargs["widths"]
    value = rec.kwargs.get("value", 0.0)
    pads = [int(lo) for lo, _ in widths] + [int(hi) for _, hi in widths]
    g = ctx.g
    return g.op("Pad", [ctx.name(rec.inputs[0]), g.ints(pads), g.scalar(value, rec.out.dtype)], mode="constant")


@maps(S.GatherFunction, dynamic=("index",))
def _gather(ctx, rec):
    idx = np.asarray(rec.kwargs["index"])
    name = ctx.array_name(rec, idx, np.asarray(rec.twin.kwargs["index"]), dtype=np.int64)
    return ctx.g.op("GatherElements", [ctx.name(rec.inputs[0]), name], axis=int(rec.kwargs.get("dim", 0)))


def _expand_key(key, ndim):
    """The key with Ellipsis replaced by full slices, padded with full slices to the input's rank."""
    key = list(key)
    used = sum(1 for k in key if k is not None and k is not Ellipsis)
    at = next((i for i, k in enumerate(key) if k is Ellipsis), None)
    if at is None:
        return key + [slice(None)] * (ndim - used)
    key[at:at + 1] = [slice(None)] * (ndim - used)
    return key


def _bound(ctx, a, b, size, default, local):
    """One slice bound from the two traces: a constant, a position from the end of a dynamic axis, or None."""
    if a is None and b is None:
        return default, False
    if a == b and (size[0] == size[1] or a < 0 or (a is not None and a >= 0 and a <= min(size))):
        return int(a), False
    if a is not None and b is not None and a - size[0] == b - size[1] and a - size[0] < 0:
        return int(a - size[0]), False
    e = ctx.int_expr(a, b, local) if a is not None and b is not None and a >= 0 and b >= 0 else None
    if e is None:
        ctx.fail(f"a slice bound ({a} and {b} in two traces) that moves with a dynamic axis of size "
                 f"{size[0]} / {size[1]} in a way the exporter cannot express")
    return e, True


@maps(S.IndexFunction, dynamic=("key",))
def _index(ctx, rec):
    v = rec.inputs[0]
    g = ctx.g
    x = ctx.name(v)
    dims = ctx.dims(v)
    ndim = len(dims)
    k1 = _expand_key(rec.kwargs["key"], ndim)
    k2 = _expand_key(rec.twin.kwargs["key"], ndim)
    if len(k1) != len(k2):
        ctx.fail("the index changes with the input")
    arrays = [i for i, k in enumerate(k1) if isinstance(k, np.ndarray)]
    if arrays and (len(arrays) > 1 or k1[arrays[0]].dtype == bool):
        ctx.fail("advanced indexing with a boolean mask or with more than one index array is not supported by the "
                 "exporter (one integer index array along one axis is)")
    starts, ends, axes, steps, dyn = [], [], [], [], False
    squeeze, unsqueeze, gather = [], [], None
    axis = 0          # input axis
    out_axis = 0      # output axis (before the gather's dims)
    for a, b in zip(k1, k2):
        if a is None:
            unsqueeze.append(out_axis)
            out_axis += 1
            continue
        size = dims[axis]
        if isinstance(a, np.ndarray):
            gather = (axis, a, b)
            out_axis += 1
        elif isinstance(a, (int, np.integer)):
            if isinstance(b, slice) or b is None:
                ctx.fail("the index changes with the input")
            if a == b and (a < 0 or size[0] == size[1]):
                s = int(a)
            elif a - size[0] == b - size[1]:
                s = int(a - size[0])
            else:
                ctx.fail(f"an integer index ({a} and {b} in two traces) that moves with a dynamic axis")
            e = s + 1 if s != -1 else INT64_MAX
            starts.append(s)
            ends.append(e)
            axes.append(axis)
            steps.append(1)
            squeeze.append(axis)
        elif isinstance(a, slice):
            if a == slice(None) and b == slice(None):
                axis += 1
                out_axis += 1
                continue
            step = 1 if a.step is None else int(a.step)
            if (b.step or 1) != step:
                ctx.fail("a slice step that changes with the input")
            if size[0] == size[1] and a == b:
                lo, hi, st = a.indices(size[0])
                if step < 0 and hi < 0:
                    hi = INT64_MIN
                starts.append(lo)
                ends.append(hi)
            else:
                lo, d1 = _bound(ctx, a.start, b.start, size, 0 if step > 0 else INT64_MAX, (v,))
                hi, d2 = _bound(ctx, a.stop, b.stop, size, INT64_MAX if step > 0 else INT64_MIN, (v,))
                dyn = dyn or d1 or d2
                starts.append(lo)
                ends.append(hi)
            axes.append(axis)
            steps.append(step)
            out_axis += 1
        else:
            ctx.fail(f"index element {a!r} is not supported")
        axis += 1
    y = x
    if axes:
        if dyn:
            st = g.op("Concat", [p if isinstance(p, str) else g.ints([p]) for p in starts], axis=0)
            en = g.op("Concat", [p if isinstance(p, str) else g.ints([p]) for p in ends], axis=0)
            y = g.op("Slice", [y, st, en, g.ints(axes), g.ints(steps)])
        else:
            y = g.slice(y, starts, ends, axes, steps)
    if gather is not None and squeeze:
        ctx.fail("an index mixing integers and an index array is not supported by the exporter (numpy moves the "
                 "indexed dims); index in two steps")
    if gather is not None:
        ax, a, b = gather
        idx = ctx.array_name(rec, a, b, dtype=np.int64)
        if a.ndim != 1:
            ctx.fail("an index array of more than one dimension is not supported by the exporter")
        y = g.op("Gather", [y, idx], axis=ax)
    if squeeze:
        y = g.squeeze(y, squeeze)
    if unsqueeze:
        y = g.unsqueeze(y, unsqueeze)
    if y is x:
        y = g.op("Identity", [x])
    return y
