"""An ONNX graph under construction: unique names, nodes, initializers and small constants.

Only this module and :mod:`.export` build protobuf messages (``onnx.helper``); the op mappings call
:meth:`Graph.op` with plain Python values.
"""
import numpy as np

__all__ = ["Graph", "INT64_MAX", "INT64_MIN"]

INT64_MAX = np.iinfo(np.int64).max
INT64_MIN = np.iinfo(np.int64).min


class Graph:
    """Nodes in the order they are added (a topological order, as the trace is one)."""

    def __init__(self, onnx, opset):
        self.onnx, self.opset = onnx, opset
        self.nodes, self.initializers = [], []
        self._names = set()
        self._consts = {}
        self._count = {}

    def fresh(self, hint):
        """A name not used yet, from ``hint`` (``'MatMul'`` -> ``'MatMul_0'``...)."""
        hint = hint.replace(" ", "_") or "v"
        while True:
            n = self._count.get(hint, 0)
            self._count[hint] = n + 1
            name = f"{hint}_{n}"
            if name not in self._names:
                self._names.add(name)
                return name

    def reserve(self, name):
        if name in self._names:
            raise ValueError(f"ONNX export: the name {name!r} is used twice (input, output and parameter names must "
                             f"be unique)")
        self._names.add(name)
        return name

    def op(self, op_type, inputs, outputs=1, **attrs):
        """Add a node; returns its output name (or the list of names when ``outputs`` > 1). ``None`` among the
        inputs is an omitted optional input (``''``); ``None`` attributes are left out."""
        outs = [self.fresh(op_type) for _ in range(outputs)]
        attrs = {k: v for k, v in attrs.items() if v is not None}
        ins = ["" if i is None else i for i in inputs]
        while ins and ins[-1] == "":
            ins.pop()
        self.nodes.append(self.onnx.helper.make_node(op_type, ins, outs, name=self.fresh("n_" + op_type), **attrs))
        return outs[0] if outputs == 1 else outs

    def initializer(self, array, name):
        self.initializers.append(self.onnx.numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def const(self, array, hint="const"):
        """A constant (an initializer); small ones are shared by value."""
        array = np.asarray(array)
        key = None
        if array.size <= 64:
            key = (array.dtype.str, array.shape, array.tobytes())
            if key in self._consts:
                return self._consts[key]
        name = self.initializer(array, self.fresh(hint))
        if key is not None:
            self._consts[key] = name
        return name

    def ints(self, values):
        """A 1-D int64 constant."""
        return self.const(np.asarray(list(values), dtype=np.int64), "ints")

    def scalar(self, value, dtype):
        return self.const(np.asarray(value, dtype=dtype), "scalar")

    # ---------------------------------------------------------------- ops whose form changed between opsets
    def reduce(self, op_type, x, axes, keepdims):
        """``ReduceSum``/``ReduceMean``/``ReduceMax``... over ``axes`` (None: all), axes as an input where the
        opset wants one (ReduceSum from 13, the others from 18)."""
        as_input = op_type == "ReduceSum" or self.opset >= 18
        if axes is None:
            return self.op(op_type, [x], keepdims=int(keepdims))
        axes = [int(a) for a in axes]
        if as_input:
            return self.op(op_type, [x, self.ints(axes)], keepdims=int(keepdims))
        return self.op(op_type, [x], axes=axes, keepdims=int(keepdims))

    def unsqueeze(self, x, axes):
        return self.op("Unsqueeze", [x, self.ints(axes)])

    def squeeze(self, x, axes):
        return self.op("Squeeze", [x, self.ints(axes)])

    def slice(self, x, starts, ends, axes, steps=None):
        """Static ``Slice`` (lists of ints)."""
        return self.op("Slice", [x, self.ints(starts), self.ints(ends), self.ints(axes),
                                 None if steps is None else self.ints(steps)])
