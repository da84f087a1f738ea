"""The ``Function`` base class: one class per differentiable op, forward and backward side by side.

A ``Function`` instance is a node of the recorded graph (a tensor's ``grad_fn``). ``forward`` takes the input
Tensors and returns a numpy array; ``backward`` takes the gradient of the output (a Tensor) and returns one
gradient per input, written with Tensor ops, so the backward pass can itself be recorded (``create_graph=True``)
and differentiated again.

Naming: a Function class is called ``<Op>Function`` (``MulFunction``, ``ConvolutionFunction``), so it is never
confused with the ``nn`` Module of the same idea (``nn.ReLU`` is a layer, ``ReluFunction`` the graph node); its
node prints with PyTorch's name, ``<Op>Backward0`` (``MulBackward0``), or ``grad_name`` when PyTorch's differs.

Example::

    class MulFunction(Function):
        def forward(self, a, b):
            self.save_for_backward(a, b)
            return a._data * b._data

        def backward(self, grad):
            a, b = self.saved_tensors
            return grad * b, grad * a

    y = MulFunction.apply(a, b)
"""
import traceback

from . import grad_mode
from .errors import GraphFreedError, ShapeError, as_shape_error, fmt_shape
from .tensor import Tensor

# The module whose forward is running (dotted name), set by nn.Module.__call__; read by viz to group nodes.
_scope_stack = []
# Anomaly mode (detect_anomaly): record where each node was created and check backward outputs for NaN/Inf.
_anomaly = {"enabled": False}
# The tracing hook point: when set (only by ``autograd_core.onnx.export``, for the duration of one forward pass), it
# is called as ``_tracer(node, inputs, kwargs, out)`` after every op, whether grad mode records a graph or not.
_tracer = None


class Function:
    """A node of the graph: the op that produced a tensor, with what its backward needs."""

    # Class-level defaults: a node only stores what differs (creating a node is on every op's hot path).
    inputs = ()
    input_fns = ()         # the grad_fn of each input when this node was created (None for leaves/constants)
    needs_input_grad = ()
    _saved = None
    _saved_versions = None
    _save_out = False
    _released = False
    _out_ref = None
    _out_version = 0
    _hooks = None          # gradient hooks registered on the (non-leaf) output tensor
    _retain = None         # weak reference to the output tensor when retain_grad() was called
    scope = None           # the nn.Module call stack (outermost first) when the node was created
    creation_trace = None  # where the node was created (anomaly mode only)

    # Read by the pictures and the backprop replay (autograd_core/viz): the op's short name and, as taught, its
    # local derivative (``out`` is the output, ``a``/``b`` the inputs). Set them on each subclass.
    label = None
    derivative = None
    grad_name = None       # PyTorch's node name where it is not ``<Op>Backward0``

    # ------------------------------------------------------------------ to be written by each op
    def forward(self, *inputs, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define forward")

    def backward(self, grad):
        raise NotImplementedError(f"{type(self).__name__} must define backward")

    # ------------------------------------------------------------------ saving
    def save_for_backward(self, *tensors):
        """Keep these Tensors for backward; in-place changes to them are detected at backward time."""
        self._saved = tensors
        self._saved_versions = tuple(t._version[0] if t is not None else 0 for t in tensors)

    def save_output(self):
        """Keep the op's result for backward (exp, tanh, sigmoid... write their derivative with it)."""
        self._save_out = True

    @property
    def saved_tensors(self):
        if self._released:
            raise GraphFreedError(
                f"Trying to backward through the graph a second time (or to access saved tensors after they have "
                f"been freed): {self.name()} freed its saved tensors after the first backward. Specify "
                f"retain_graph=True in the first backward() call if you need to backward twice.")
        saved = self._saved or ()
        for i, (t, v) in enumerate(zip(saved, self._saved_versions or ())):
            if t is not None and t._version[0] != v:
                raise RuntimeError(
                    f"one of the variables needed for gradient computation has been modified by an inplace "
                    f"operation: the tensor of shape {fmt_shape(t.shape)} saved by {self.name()} (input {i}) is at "
                    f"version {t._version[0]}; expected version {v}. Use an out-of-place op (x = x + y instead of "
                    f"x += y) or clone() the tensor before modifying it.")
        return saved

    @property
    def saved_output(self):
        self.saved_tensors  # same freed / version checks
        out = self._out_ref
        if out is None:
            raise RuntimeError(f"{self.name()} did not save its output")
        if out._version[0] != self._out_version:
            raise RuntimeError(
                f"one of the variables needed for gradient computation has been modified by an inplace operation: "
                f"the output of {self.name()} (shape {fmt_shape(out.shape)}) is at version {out._version[0]}; "
                f"expected version {self._out_version}.")
        return out

    @property
    def has_saved(self):
        return bool(self._saved) or self._save_out

    def release(self):
        """Free what backward needed (called by the engine after backward unless retain_graph)."""
        if self.has_saved:
            self._released = True
        self._saved = None
        if self._save_out:
            self._out_ref = None

    # ------------------------------------------------------------------ naming (PyTorch's grad_fn names)
    @classmethod
    def stem(cls):
        """The class name without its ``Function`` suffix: ``'Mul'`` for ``MulFunction``."""
        name = cls.__name__.lstrip("_")
        return name[:-len("Function")] if name.endswith("Function") else name

    @classmethod
    def op_name(cls):
        """The op's short name, e.g. ``'mul'`` for ``MulFunction``."""
        return cls.label or cls.stem().lower()

    def name(self):
        """PyTorch-style node name, e.g. ``'MulBackward0'``."""
        return self.grad_name or self.stem() + "Backward0"

    def __repr__(self):
        return f"<{self.name()}>"

    @property
    def next_functions(self):
        """``((node_or_None, 0), ...)`` for each input, leaves as ``AccumulateGrad`` (as in PyTorch)."""
        out = []
        for t, fn in zip(self.inputs, self.input_fns):
            if fn is not None:
                out.append((fn, 0))
            elif t.requires_grad:
                out.append((AccumulateGrad(t), 0))
            else:
                out.append((None, 0))
        return tuple(out)

    # ------------------------------------------------------------------ applying
    is_view = False   # True for ops whose output may share memory with input 0 (reshape, permute...)

    @classmethod
    def apply(cls, *inputs, **kwargs):
        """Run the op on Tensors and, when grad mode is on and an input requires grad, record the node.

        ``needs_input_grad`` is set before ``forward`` runs, so a forward can save only what its backward will
        use (``MulFunction`` keeps ``b`` only when ``a`` needs a gradient); it is all False when nothing will be
        recorded, and then a forward should save nothing.
        """
        node = cls()
        requires = False
        if grad_mode._enabled:
            needs = tuple([t._requires_grad for t in inputs])
            requires = True in needs
            node.needs_input_grad = needs
        else:
            node.needs_input_grad = (False,) * len(inputs)
        try:
            data = node.forward(*inputs, **kwargs)
        except ShapeError:
            raise
        except (ValueError, IndexError) as exc:
            # numpy's shape errors get the op's name and the input shapes; other errors pass through unchanged
            err = as_shape_error(exc, cls.op_name(), [t.shape for t in inputs])
            if err is None:
                raise
            raise err from None
        out = Tensor._make(data, requires)
        if requires:
            node.inputs = inputs
            # the graph's edges, fixed now: an in-place op that later rebinds an input's grad_fn doesn't rewire them
            node.input_fns = tuple([t.grad_fn for t in inputs])
            if _scope_stack:
                node.scope = _scope_stack[-1]
            if _anomaly["enabled"]:
                node.creation_trace = "".join(traceback.format_stack()[:-1])
            out.grad_fn = node
            if node._save_out:
                node._out_ref = out
                node._out_version = 0
        else:
            node._saved = None
        if cls.is_view and data.base is not None:
            # views share the version counter of their base so in-place changes through either are seen
            out._version = inputs[0]._version
        if _tracer is not None:
            _tracer(node, inputs, kwargs, out)
        return out


class AccumulateGrad:
    """Stands for a leaf in ``next_functions`` (PyTorch shows leaves this way)."""

    def __init__(self, variable):
        self.variable = variable
        self.next_functions = ()

    def name(self):
        return "AccumulateGrad"

    def __repr__(self):
        return "<AccumulateGrad>"
