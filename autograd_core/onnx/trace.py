"""Record one forward pass as a list of op records, through the tracing hook point of ``Function.apply``.

``autograd_core.function._tracer`` is called after every op with ``(node, inputs, kwargs, out)``. While a
:class:`Tracer` is installed (``with Tracer(...) as tr: model(*args)``) it turns each call into a :class:`Record`
whose inputs are :class:`Value` objects, so nothing depends on what a graph node keeps after its forward:

* ``input``: a tensor passed to the model (``index``: its position in ``args``);
* ``param``: a parameter or buffer of the model (``name``: its ``state_dict`` key);
* ``op``: the output of an earlier record (``record``: that record's position);
* ``const``: anything else (a Python number an op wrapped, a tensor made by a factory or by numpy outside the
  recorded ops); its value is copied when first met. An op whose inputs are all constants is itself a constant
  (folded: its recorded output is its value).

numpy arrays passed as keyword arguments (the indices of ``embedding``, the mask of ``where``, the arrays of an
advanced index) are matched to values by identity: ``embedding`` receives ``input.numpy()``, the input's own array.

An in-place op (``relu_``, ``x += y``, ``inplace=True`` modules) is followed: ``inplace.assign`` tells the tracer
that the tensor now stands for the op's output. Any other change in place (through a view, or by numpy) makes
the next use of the tensor raise, since the recorded value would be stale.
"""
import numpy as np

from .. import function as _function
from ..tensor import Tensor
from .errors import OnnxExporterError

__all__ = ["Value", "Record", "Tracer"]


class Value:
    """One tensor of the traced program (see the module docstring for ``kind``)."""

    __slots__ = ("kind", "index", "name", "record", "shape", "dtype", "array", "tensor", "twin")

    def __init__(self, kind, tensor=None, array=None, index=None, name=None, record=None):
        self.kind, self.index, self.name, self.record = kind, index, name, record
        data = tensor._data if tensor is not None else array
        self.shape, self.dtype = tuple(data.shape), data.dtype
        self.array = np.array(data, copy=True) if kind == "const" else None
        self.tensor = tensor
        self.twin = self    # the same value in the second trace (set by the alignment)


class Record:
    """One op call: its Function class, input values, keyword arguments, output value and module scope."""

    __slots__ = ("cls", "node", "inputs", "kwargs", "arrays", "out", "scope", "index", "twin")

    def __init__(self, cls, node, inputs, kwargs, arrays, out, scope, index):
        self.cls, self.node, self.inputs, self.kwargs = cls, node, inputs, kwargs
        self.arrays = arrays          # {id(ndarray in kwargs): Value} for the arrays that are traced values
        self.out, self.scope, self.index = out, scope, index
        self.twin = self


def _arrays_in(obj, out):
    """The numpy arrays inside a keyword argument (tuples, lists, dicts of them)."""
    if isinstance(obj, np.ndarray):
        out.append(obj)
    elif isinstance(obj, Tensor):
        out.append(obj._data)
    elif isinstance(obj, (tuple, list)):
        for o in obj:
            _arrays_in(o, out)
    elif isinstance(obj, dict):
        for o in obj.values():
            _arrays_in(o, out)
    return out


class Tracer:
    """Install as ``function._tracer`` for one forward pass; ``records`` and ``inputs`` hold the result."""

    def __init__(self, args, named_tensors):
        self.records = []
        self.inputs = [Value("input", t, index=i) for i, t in enumerate(args)]
        self._by_id = {}       # id(Tensor) -> Value
        self._by_array = {}    # id(ndarray) -> Value
        self._versions = {}    # id(Tensor) -> its version when it came to stand for its Value
        self._keep = []        # every tensor and array met: their ids stay unique while the trace lives
        for v, t in zip(self.inputs, args):
            self._register(t, v)
        for name, t in named_tensors:
            if id(t) not in self._by_id:
                self._register(t, Value("param", t, name=name))

    def _register(self, t, v):
        self._by_id[id(t)] = v
        self._by_array[id(t._data)] = v
        self._versions[id(t)] = t._version[0]
        self._keep.append(t)

    def assigned(self, tensor, out):
        """``inplace.assign`` wrote ``out`` into ``tensor`` (``relu_``, ``+=``, ``inplace=True``): the tensor now
        stands for out's value."""
        self._register(tensor, self.value_of(out, "an in-place op"))

    def value_of(self, t, where):
        """The Value a tensor used by an op stands for (a new constant when it is not known)."""
        v = self._by_id.get(id(t))
        if v is None:
            v = self._by_array.get(id(t._data))
            if v is not None:
                self._register(t, v)
        if v is None:
            v = Value("const", t)
            self._register(t, v)
            return v
        if t._version[0] != self._versions[id(t)]:
            raise OnnxExporterError(
                f"ONNX export: {where} uses a tensor of shape {tuple(t.shape)} that was modified in place after it "
                f"was computed (an in-place op such as relu_(), += or x[i] = v, or inplace=True); the exporter "
                f"follows values, not memory: use the out-of-place op")
        return v

    def __call__(self, node, inputs, kwargs, out):
        cls = type(node)
        stack = _function._scope_stack
        scope = stack[-1] if stack else ()
        where = f"op '{cls.op_name()}' ({cls.__name__})"
        vals = [self.value_of(t, where) for t in inputs]
        arrays = {}
        for a in _arrays_in(kwargs, []):
            v = self._by_array.get(id(a))
            if v is not None:
                arrays[id(a)] = v
            self._keep.append(a)
        index = len(self.records)
        folded = all(v.kind == "const" for v in vals) and not arrays
        ov = Value("const", out) if folded else Value("op", out, record=index)
        self._register(out, ov)
        self.records.append(Record(cls, node, vals, dict(kwargs), arrays, ov, scope, index))

    def __enter__(self):
        if _function._tracer is not None:
            raise OnnxExporterError("ONNX export: an export is already tracing (export is not re-entrant)")
        _function._tracer = self
        return self

    def __exit__(self, *exc):
        _function._tracer = None
        return False
