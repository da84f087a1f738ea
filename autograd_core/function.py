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
import inspect
import itertools
import traceback

import numpy as np

from . import grad_mode
from .errors import GraphFreedError, ShapeError, as_shape_error, fmt_shape
from .tensor import FRESH_VERSION, Tensor, version_counter

# Per-thread state (grad_mode._ThreadState): grad mode, anomaly mode (detect_anomaly: record where each node was
# created and check backward outputs for NaN/Inf) and the module scope stack (nn.Module.__call__ pushes the
# module whose forward is running; viz reads it to group nodes).
_tls = grad_mode._state


def scope_stack():
    """This thread's stack of module scopes (tuples of modules, outermost first)."""
    return _tls.scope_stack


_ndarray = np.ndarray
_asarray = np.asarray
_new_object = object.__new__
# Small tuples that most nodes store (needs_input_grad, the saved versions), made once and shared: a tuple stored per
# node is one more object for Python's cyclic GC to visit until it finds it holds no references.
_NEEDS = {k: k for n in (1, 2, 3) for k in itertools.product((False, True), repeat=n)}
_VERSIONS = {k: k for n in (1, 2, 3) for k in itertools.product((None, 0), repeat=n)}
_NO_GRAD = ((), (False,), (False, False), (False, False, False))   # needs_input_grad when nothing is recorded


class _SavedInputs:
    """``Function._saved`` after ``save_inputs``: the saved tensors are some of the node's own inputs."""

    def __repr__(self):
        return "SAVED_INPUTS"


SAVED_INPUTS = _SavedInputs()
FREED = 2    # Function._special of a released node (truthy, and not True: ``_released`` tells it apart)
_META = {}   # (shape, dtype, requires_grad) -> its InputMeta: freeing a node allocates nothing new


def _meta(t):
    data = t._data
    key = (data.shape, data.dtype, t._requires_grad)
    m = _META.get(key)
    if m is None:
        if len(_META) > 4096:
            _META.clear()
        m = _META[key] = InputMeta(t)
    return m


class ArrayInfo:
    """The numpy shape and dtype of an array that is gone: ``InputMeta._data``, so the engine reads
    ``t._data.shape`` / ``t._data.dtype`` of every input alike, tensor or not."""

    __slots__ = ("shape", "dtype", "size", "ndim")

    def __init__(self, shape, dtype):
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.ndim = len(self.shape)
        n = 1
        for d in self.shape:
            n *= d
        self.size = n


class InputMeta:
    """What a freed node keeps of an input that is not a leaf: its shape and dtype (the engine reduces and casts
    gradients to them), not its data. ``Function.release`` puts these in ``node.inputs`` so that the activations
    are freed after backward even while the graph's output is still referenced. Shared and immutable: one per
    (shape, dtype, requires_grad)."""

    __slots__ = ("shape", "dtype", "requires_grad", "_data")
    grad_fn = None
    name = None

    def __init__(self, t):
        self.shape = t.shape
        self.dtype = t.dtype
        self.requires_grad = t._requires_grad
        self._data = ArrayInfo(t._data.shape, t._data.dtype)

    @property
    def ndim(self):
        return len(self.shape)

    def numel(self):
        n = 1
        for d in self.shape:
            n *= d
        return n

    def __repr__(self):
        return f"InputMeta(shape={fmt_shape(self.shape)}, dtype={self.dtype})"
# The tracing hook point: when set (only by ``autograd_core.onnx.export``, for the duration of one forward pass), it
# is called as ``_tracer(node, inputs, kwargs, out)`` after every op, whether grad mode records a graph or not.
_tracer = None


class Function:
    """A node of the graph: the op that produced a tensor, with what its backward needs."""

    # Class-level defaults: a node only stores what differs (creating a node is on every op's hot path).
    # The graph's edges: the n inputs, then the grad_fn each had when this node was created (None for leaves and
    # constants); read them as ``inputs`` and ``input_fns`` (or ``_edges``, both halves in one tuple). A node of one
    # or two inputs recorded by ``apply`` keeps them as attributes (``_x0``, ``_x1``; ``_f0``, ``_f1``; ``_e`` is
    # None): no tuple of its own, so a million-node graph is a million objects fewer for Python's cyclic GC to walk.
    # Any other node keeps the tuple in ``_e``.
    _e = None
    _x0 = _x1 = _f0 = _f1 = None
    needs_input_grad = ()
    _saved = None
    _saved_versions = None
    _save_out = False
    _special = False       # hooks, retain_grad, a per-output node (True) or freed (FREED): the engine looks closer
    _array_checks = 8      # release(): how many more releases of this class to scan for arrays (-1: always)
    _out_data = None       # the saved output's array and version counter (not the Tensor: no reference cycle)
    _out_vlist = None
    _out_version = 0
    _select = None         # (node, index) for the per-output nodes of a several-output Function
    _hooks = None          # gradient hooks registered on the (non-leaf) output tensor
    _retain = None         # weak reference to the output tensor when retain_grad() was called
    scope = None           # the nn.Module call stack (outermost first) when the node was created
    creation_trace = None  # where the node was created (anomaly mode only)

    # Read by the pictures and the backprop replay (autograd_core/viz): the op's short name and, as taught, its
    # local derivative (``out`` is the output, ``a``/``b`` the inputs). Set them on each subclass.
    label = None
    derivative = None
    grad_name = None       # PyTorch's node name where it is not ``<Op>Backward0``

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._array_checks = 8
        if isinstance(inspect.getattr_static(cls, "forward"), staticmethod):
            from .custom_function import install   # a PyTorch-style Function (static forward(ctx, ...))
            install(cls)

    @property
    def _edges(self):
        """The inputs then their grad_fns, as one tuple."""
        e = self._e
        if e is not None:
            return e
        if self._x0 is None:    # no edges recorded (a node that was never part of a graph)
            return ()
        if len(self.needs_input_grad) == 1:
            return (self._x0, self._f0)
        return (self._x0, self._x1, self._f0, self._f1)

    @_edges.setter
    def _edges(self, edges):
        if self._e is None and self._x0 is not None:   # attributes to a tuple: they must not keep the inputs alive
            self._x0 = self._x1 = self._f0 = self._f1 = None
        self._e = tuple(edges)

    @property
    def inputs(self):
        """The input tensors (an input freed after backward is its :class:`InputMeta`)."""
        e = self._edges
        return e[:len(e) >> 1]

    @inputs.setter
    def inputs(self, value):
        """Replace the inputs (the same number), keeping the edges' grad_fns."""
        e = self._edges
        n = len(e) >> 1
        if len(value) != n:
            raise ValueError(f"{self.name()}: {len(value)} inputs given for a node with {n}")
        self._edges = tuple(value) + e[n:]

    @property
    def input_fns(self):
        """The grad_fn of each input when this node was created (None for leaves and constants): the edges that
        backward follows, fixed then, so an in-place op that later rebinds an input's grad_fn doesn't rewire them."""
        e = self._edges
        return e[len(e) >> 1:]

    def set_edges(self, inputs, input_fns):
        """Record the node's inputs and their grad_fns (one per input)."""
        if len(inputs) != len(input_fns):
            raise ValueError(f"{self.name()}: {len(inputs)} inputs but {len(input_fns)} grad_fns")
        self._edges = tuple(inputs) + tuple(input_fns)

    # ------------------------------------------------------------------ to be written by each op
    def forward(self, *inputs, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define forward")

    def backward(self, grad):
        raise NotImplementedError(f"{type(self).__name__} must define backward")

    # ------------------------------------------------------------------ saving
    def save_for_backward(self, *tensors):
        """Keep these Tensors for backward; in-place changes to them are detected at backward time."""
        self._saved = tensors
        if len(tensors) == 2:     # the common case, spelled out (this runs on every recorded binary op)
            a, b = tensors
            v = (0 if a is None else a._version[0], 0 if b is None else b._version[0])
        else:
            v = tuple([0 if t is None else t._version[0] for t in tensors])
        self._saved_versions = _VERSIONS.get(v, v)

    def save_inputs(self, *tensors):
        """As ``save_for_backward``, for tensors that are the op's own inputs, each given at its position in
        forward's arguments (``None`` for those not needed): ``self.save_inputs(a if need[1] else None, b if need[0]
        else None)``. The node then keeps only their versions: the tensors are already among its inputs, so it
        allocates no tuple of them (one object fewer per node for the cyclic GC)."""
        self._saved = SAVED_INPUTS
        if len(tensors) == 2:
            a, b = tensors
            v = (None if a is None else a._version[0], None if b is None else b._version[0])
        else:
            v = tuple([None if t is None else t._version[0] for t in tensors])
        self._saved_versions = _VERSIONS.get(v, v)

    def saved_inputs(self):
        """The tensors ``save_inputs`` kept, as a tuple (None where an input was not kept)."""
        versions = self._saved_versions
        if self._e is None and len(versions) == 2:      # the common binary op, its inputs kept as attributes
            return (None if versions[0] is None else self._x0, None if versions[1] is None else self._x1)
        e = self._edges
        return tuple([None if v is None else e[i] for i, v in enumerate(versions)])

    def save_output(self):
        """Keep the op's result for backward (exp, tanh, sigmoid... write their derivative with it)."""
        self._save_out = True

    def freed_error(self):
        return GraphFreedError(
            f"Trying to backward through the graph a second time (or to access saved tensors after they have "
            f"been freed): {self.name()} freed its saved tensors after the first backward. Specify "
            f"retain_graph=True in the first backward() call if you need to backward twice.")

    @property
    def _released(self):
        """True once ``release`` freed what backward needed (kept in ``_special``: a node whose forward set several
        attributes gets no new one at release, which would make Python build it a dict of its own)."""
        return self._special is FREED

    @property
    def saved_tensors(self):
        saved = self._saved
        if saved is None:
            if self._released:
                raise self.freed_error()
            return ()
        if saved is SAVED_INPUTS:
            saved = self.saved_inputs()
        for t, v in zip(saved, self._saved_versions):
            if t is not None and t._version[0] != v:
                self._modified_error()
        return saved

    def _modified_error(self):
        saved = self.saved_inputs() if self._saved is SAVED_INPUTS else self._saved
        for i, (t, v) in enumerate(zip(saved, self._saved_versions)):
            if t is not None and t._version[0] != v:
                raise RuntimeError(
                    f"one of the variables needed for gradient computation has been modified by an inplace "
                    f"operation: the tensor of shape {fmt_shape(t.shape)} saved by {self.name()} (input {i}) is at "
                    f"version {t._version[0]}; expected version {v}. Use an out-of-place op (x = x + y instead of "
                    f"x += y) or clone() the tensor before modifying it.")

    @property
    def saved_output(self):
        self.saved_tensors  # same freed / version checks
        data = self._out_data
        if data is None:
            raise RuntimeError(f"{self.name()} did not save its output")
        if self._out_vlist[0] != self._out_version:
            raise RuntimeError(
                f"one of the variables needed for gradient computation has been modified by an inplace operation: "
                f"the output of {self.name()} (shape {fmt_shape(data.shape)}) is at version {self._out_vlist[0]}; "
                f"expected version {self._out_version}.")
        # a fresh Tensor for the output, whose grad_fn is this node (so create_graph differentiates through it);
        # the node keeps only the array, so output -> node -> output is not a reference cycle
        out = Tensor._make(data, True)
        out.grad_fn = self
        out._version = self._out_vlist
        return out

    @property
    def has_saved(self):
        return bool(self._saved) or self._save_out

    def release(self):
        """Free what backward needed (called by the engine after backward unless retain_graph): the saved
        tensors, the arrays its forward kept as attributes, and the inputs that are not leaves needing a gradient
        (their shape and dtype stay, as :class:`InputMeta`). A node that freed something refuses a second
        backward (:class:`GraphFreedError`)."""
        # attributes are reset, not deleted, and __dict__ is read only while the class is being scanned: reading
        # it would make Python build the node a dict of its own (one more object for the cyclic GC to walk)
        released = False
        if self._saved is not None:
            self._saved = None
            released = True
        if self._out_data is not None:
            self._out_data = None
            released = True
        cls = type(self)
        if cls._array_checks:
            # masks, indices... that forward kept as attributes. Each class is looked at on its first releases;
            # one that never kept an array is not scanned again (a node is released once per backward: keep it cheap)
            d = self.__dict__
            arrays = [k for k, v in d.items() if type(v) is _ndarray]
            if arrays:
                for k in arrays:
                    del d[k]
                released = True
                cls._array_checks = -1
            elif cls._array_checks > 0:
                cls._array_checks -= 1
        if released:
            self._special = FREED
        # keep the leaves that get a gradient, and one-element inputs (constants, which the pictures print; they
        # cost less than the bookkeeping); of the other inputs only the shape and dtype stay
        if self._e is None:
            x0, x1 = self._x0, self._x1
            if (type(x0) is InputMeta or x0._data.size <= 1) and (
                    x1 is None or type(x1) is InputMeta or x1._data.size <= 1):
                return      # all scalars (a chain of scalar ops): nothing worth freeing
        e = self._edges
        n = len(e) >> 1
        for i in range(n):
            t = e[i]
            if type(t) is not InputMeta and t._data.size > 1:
                break
        else:
            return      # all scalars (a chain of scalar ops): nothing worth freeing
        self._edges = tuple([t if type(t) is InputMeta or t._data.size <= 1 or fn is None and t._requires_grad
                             else _meta(t) for t, fn in zip(e, e[n:])]) + e[n:]

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
        n = len(inputs)
        slow = grad_mode._slow   # 0: every thread in the default state (grad on, no anomaly, no module scope)
        if not slow or _tls.enabled:
            if n == 2:
                a, b = inputs
                needs = (a._requires_grad, b._requires_grad)
                requires = needs[0] or needs[1]
            else:
                needs = tuple([t._requires_grad for t in inputs])
                requires = True in needs
            node.needs_input_grad = _NEEDS.get(needs, needs)   # a shared tuple: one object fewer per node for the GC
        else:
            requires = False
            node.needs_input_grad = _NO_GRAD[n] if n < 4 else (False,) * n
        try:
            data = node.forward(*inputs, **kwargs) if kwargs else node.forward(*inputs)
        except ShapeError:
            raise
        except (ValueError, IndexError) as exc:
            # numpy's shape errors get the op's name and the input shapes; other errors pass through unchanged
            err = as_shape_error(exc, cls.op_name(), [t.shape for t in inputs])
            if err is None:
                raise
            raise err from None
        # Tensor._make, inlined (this is every op's hot path)
        out = _new_object(Tensor)
        out._data = data if type(data) is _ndarray else _asarray(data)
        out.grad = None
        out._requires_grad = requires
        out._version = FRESH_VERSION
        out._hooks = None
        out._retains = False
        out.name = None
        if cls.is_view and out._data.base is not None:
            # views share the version counter of their base so in-place changes through either are seen
            out._version = version_counter(inputs[0])
        elif slow and not requires and _tls.inference:
            out._version = grad_mode.InferenceVersion(FRESH_VERSION)    # an inference tensor (inference_mode)
        if requires:
            out.grad_fn = node
            # the graph's edges, fixed now: an in-place op that later rebinds an input's grad_fn doesn't rewire them
            if n == 2:
                node._x0 = a
                node._x1 = b
                node._f0 = a.grad_fn
                node._f1 = b.grad_fn
            elif n == 1:
                a = inputs[0]
                node._x0 = a
                node._f0 = a.grad_fn
            else:
                node._e = inputs + tuple([t.grad_fn for t in inputs])
            if grad_mode._inference_used and node._saved is not None:  # inference tensors cannot be saved
                grad_mode.check_inference_saved(node.saved_inputs() if node._saved is SAVED_INPUTS else node._saved)
            if slow:
                stack = _tls.scope_stack
                if stack:
                    node.scope = stack[-1]
                if _tls.anomaly:
                    node.creation_trace = "".join(traceback.format_stack()[:-1])
            if node._save_out:
                # the output's counter is the shared fresh one; the first in-place change or view of the output
                # gives it a list of its own and hands it to this node (tensor._own_counter): no list per node
                node._out_data = out._data
                node._out_vlist = out._version     # the fresh one, or the base's counter for a view
        else:
            out.grad_fn = None
            if node._saved is not None:
                node._saved = None
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
