"""What an op mapping sees: the ONNX names of values, shapes that may be symbolic, and constants checked.

The exporter traces the model twice (:mod:`.export`): once on the user's inputs, once on fresh random inputs whose
dynamic axes are larger. The two traces are aligned op by op (``Record.twin``, ``Value.twin``), which tells the
mappings, without any symbolic shape algebra, which numbers depend on the input:

* a size that is the same in both traces is a constant; one that differs is computed in the graph from the
  ``Shape`` of a value (:meth:`Context.int_expr`: a dynamic input dim, times, divided by or plus a constant, or a
  product of two of them);
* a constant tensor (made outside the recorded ops) is exported as an initializer only if it is the same in both
  traces; a uniform one whose shape changes (the zero initial state of an RNN) becomes ``ConstantOfShape``;
  anything else would be a silently wrong graph and raises instead.
"""
import numpy as np

from .errors import OnnxExporterError
from .graph import Graph

__all__ = ["Context", "MAPPINGS", "maps"]

#: Function class -> (mapping, keyword arguments that may differ between the traces, ones never compared)
MAPPINGS = {}


def maps(*classes, dynamic=(), ignore=()):
    """Register ``fn(ctx, rec) -> output name`` as the mapping of these Function classes (exact classes: a
    subclass needs its own entry, so it is never exported with its parent's meaning by accident)."""
    def register(fn):
        for cls in classes:
            MAPPINGS[cls] = (fn, frozenset(dynamic), frozenset(ignore))
        return fn
    return register


def _same(a, b, arrays1, arrays2):
    """Deep equality of two keyword arguments; arrays that are traced values compare by the value they are."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
            return False
        va, vb = arrays1.get(id(a)), arrays2.get(id(b))
        if va is not None or vb is not None:
            return va is not None and vb is not None and va.twin is vb
        return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y, arrays1, arrays2) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k], arrays1, arrays2) for k in a)
    try:
        return bool(a == b) and type(a) is type(b)
    except Exception:
        return False


def _uniform(a):
    if a.size == 0:
        return False
    first = a.reshape(-1)[0]
    return bool(np.all(a == first)) or (a.dtype.kind == "f" and bool(np.all(np.isnan(a))))


class Context:
    """The state of one export, handed to every mapping."""

    def __init__(self, onnx, opset, module_names):
        self.onnx = onnx
        self.g = Graph(onnx, opset)
        self.opset = opset
        self.names = {}              # id(Value) -> ONNX name
        self.sources = []            # (Value, axis): the dynamic dims of the graph inputs
        self._dim_cache = {}
        self._shape_cache = {}
        self.module_names = module_names
        self.where = "the model"

    # ---------------------------------------------------------------- where we are (for error messages)
    def describe(self, rec):
        """``"op 'conv2d' (ConvolutionFunction) in module 'features.0' (Conv2d)"``."""
        return f"op '{rec.cls.op_name()}' ({rec.cls.__name__}) in {self.scope_name(rec.scope)}"

    def scope_name(self, scope):
        if not scope:
            return "the model's own forward"
        m = scope[-1]
        name = self.module_names.get(id(m), "?")
        return f"module '{name}' ({type(m).__name__})" if name else f"the top-level module ({type(m).__name__})"

    def fail(self, message):
        raise OnnxExporterError(f"ONNX export: {self.where}: {message}")

    # ---------------------------------------------------------------- values
    def name(self, v):
        """The ONNX name of a Value (a constant is emitted at its first use)."""
        n = self.names.get(id(v))
        if n is None:
            if v.kind != "const":
                self.fail(f"internal error: value of kind {v.kind} used before it was computed")
            n = self.names[id(v)] = self._const(v)
        return n

    def is_const(self, v):
        return v.kind == "const"

    def const_value(self, v):
        """The value of a constant that the mapping folds into attributes; it must not depend on the input."""
        a1, a2 = v.array, v.twin.array
        if a1.shape != a2.shape or not np.array_equal(a1, a2, equal_nan=a1.dtype.kind in "fc"):
            self.fail(f"a tensor of shape {a1.shape} computed outside the recorded ops changes with the input "
                      f"(it differs between two traces), so it cannot be a constant of the graph")
        return a1

    def _const(self, v):
        a1, a2 = v.array, v.twin.array
        if a1.shape == a2.shape and np.array_equal(a1, a2, equal_nan=a1.dtype.kind in "fc"):
            return self.g.const(a1)
        # a fill of a shape that follows the input (the zero initial state of an RNN); not for booleans, which are
        # masks far more often than fills
        if (a1.ndim == a2.ndim and a1.dtype != bool and _uniform(a1) and _uniform(a2)
                and np.array_equal(a1.reshape(-1)[:1], a2.reshape(-1)[:1], equal_nan=a1.dtype.kind in "fc")):
            shape = self.shape_tensor(list(zip(a1.shape, a2.shape)), (), "a constant of dynamic shape")
            fill = self.onnx.numpy_helper.from_array(a1.reshape(-1)[:1].copy(), "value")
            return self.g.op("ConstantOfShape", [shape], value=fill)
        if a1.ndim == 0 and a2.ndim == 0 and a1.dtype.kind == "f" and a1 != 0 and a2 != 0:
            # 1 / n of a mean over a dynamic dim
            n1, n2 = 1.0 / float(a1), 1.0 / float(a2)
            if abs(n1 - round(n1)) < 1e-3 * max(1.0, n1) and abs(n2 - round(n2)) < 1e-3 * max(1.0, n2):
                e = self.int_expr(int(round(n1)), int(round(n2)))
                if e is not None:
                    n = self.g.op("Cast", [self.g.squeeze(e, [0])], to=self.tensor_type(a1.dtype))
                    return self.g.op("Reciprocal", [n])
        self.fail(f"a tensor of shape {a1.shape} computed outside the recorded ops (by numpy or a non-differentiable "
                  f"op such as a comparison, argmax or a mask conversion) depends on the input's values or size "
                  f"(it differs between two traces); exporting it as a constant would give a wrong graph")

    def tensor_type(self, dtype):
        return self.onnx.helper.np_dtype_to_tensor_dtype(np.dtype(dtype))

    # ---------------------------------------------------------------- shapes
    @staticmethod
    def dims(v):
        """``[(size in trace 1, size in trace 2), ...]`` of a value."""
        return list(zip(v.shape, v.twin.shape))

    def shape_of(self, v, axis):
        """``Shape(v)[axis]`` as a 1-D int64 tensor of one element."""
        key = (id(v), axis)
        if key not in self._dim_cache:
            s = self._shape_cache.get(id(v))
            if s is None:
                s = self._shape_cache[id(v)] = self.g.op("Shape", [self.name(v)])
            self._dim_cache[key] = self.g.op("Gather", [s, self.g.ints([axis])], axis=0)
        return self._dim_cache[key]

    def int_expr(self, a, b, local=()):
        """A 1-element int64 tensor that is ``a`` in trace 1 and ``b`` in trace 2, from the dims of ``local``
        values and of the graph inputs; None when no simple expression fits."""
        g = self.g
        if a == b:
            return g.ints([a])
        cands = [(v, ax, s) for v in local for ax, s in enumerate(self.dims(v)) if s[0] != s[1]]
        cands += [(v, ax, s) for v, ax in self.sources for s in [self.dims(v)[ax]]]
        for v, ax, (s1, s2) in cands:
            if (s1, s2) == (a, b):
                return self.shape_of(v, ax)
        for v, ax, (s1, s2) in cands:
            if s1 and s2 and a % s1 == 0 and b % s2 == 0 and a // s1 == b // s2:
                return g.op("Mul", [self.shape_of(v, ax), g.ints([a // s1])])
            if a and b and s1 % a == 0 and s2 % b == 0 and s1 // a == s2 // b:
                return g.op("Div", [self.shape_of(v, ax), g.ints([s1 // a])])
            if a - s1 == b - s2:
                return g.op("Add", [self.shape_of(v, ax), g.ints([a - s1])])
        for i, (v, ax, (s1, s2)) in enumerate(cands):
            for w, bx, (t1, t2) in cands[i:]:
                p1, p2 = s1 * t1, s2 * t2
                if p1 and p2 and a % p1 == 0 and b % p2 == 0 and a // p1 == b // p2:
                    e = g.op("Mul", [self.shape_of(v, ax), self.shape_of(w, bx)])
                    return e if a == p1 else g.op("Mul", [e, g.ints([a // p1])])
        return None

    def shape_tensor(self, pairs, local=(), what="a shape", infer=False, copy_from=None):
        """A 1-D int64 tensor of sizes given as ``(trace 1, trace 2)`` pairs. ``copy_from`` (Reshape targets):
        the input's dims, where an equal dynamic dim at the same position may be written 0; ``infer``: one dim
        no expression fits may be written -1."""
        g = self.g
        if all(a == b for a, b in pairs):
            return g.ints([a for a, _ in pairs])
        parts, unknown = [], []
        for i, (a, b) in enumerate(pairs):
            if a == b:
                parts.append([a])
            elif copy_from is not None and i < len(copy_from) and copy_from[i] == (a, b):
                parts.append([0])
            else:
                e = self.int_expr(a, b, local)
                if e is None:
                    unknown.append(i)
                    parts.append([-1])
                else:
                    parts.append(e)
        if len(unknown) > 1 or (unknown and not infer):
            self.fail(f"{what} {[p[0] for p in pairs]} depends on the input's size in a way the exporter cannot "
                      f"express (dims {unknown}); export with fewer dynamic axes")
        if all(isinstance(p, list) for p in parts):
            return g.ints([p[0] for p in parts])
        return g.op("Concat", [g.ints(p) if isinstance(p, list) else p for p in parts], axis=0)

    # ---------------------------------------------------------------- keyword arguments
    def check_kwargs(self, rec, dynamic, ignore):
        """Keyword arguments that differ between the traces must be ones the mapping handles (``dynamic``)."""
        k1, k2 = rec.kwargs, rec.twin.kwargs
        for key in k1.keys() | k2.keys():
            if key in dynamic or key in ignore:
                continue
            if not _same(k1.get(key), k2.get(key), rec.arrays, rec.twin.arrays):
                if isinstance(k1.get(key), np.ndarray):
                    self.fail(f"its array argument {key!r} (shape {k1[key].shape}) was computed outside the recorded "
                              f"ops (by numpy, e.g. a comparison on the input's values) and changes with the input; "
                              f"exporting it as a constant would give a wrong graph")
                self.fail(f"its argument {key}={_short(k1.get(key))} changes with the input "
                          f"({_short(k2.get(key))} in a trace with other input sizes or values); it cannot be exported "
                          f"with these dynamic axes")

    def array_value(self, rec, arr):
        """The traced Value an array in ``rec.kwargs`` is, or None when it is a constant."""
        return rec.arrays.get(id(arr))

    def array_name(self, rec, arr, arr2, dtype=None):
        """The ONNX name of an array argument: the traced value it is, or a checked constant."""
        v = rec.arrays.get(id(arr))
        if v is not None:
            n = self.name(v)
        else:
            if arr2 is None or arr.shape != arr2.shape or not np.array_equal(arr, arr2):
                self.fail(f"an index or mask array of shape {arr.shape} computed outside the recorded ops changes "
                          f"with the input; it cannot be a constant of the graph")
            n = self.g.const(arr)
        if dtype is not None and np.dtype(dtype) != arr.dtype:
            n = self.g.op("Cast", [n], to=self.tensor_type(dtype))
        return n


def _short(x):
    s = repr(x)
    return s if len(s) < 80 else s[:77] + "..."
