"""PyTorch-style custom Functions: static ``forward(ctx, ...)`` / ``backward(ctx, *grads)`` and ``.apply``.

The project's own ops subclass :class:`~autograd_core.function.Function` in the *instance* style (``forward(self,
*tensors)`` returns an ndarray). A subclass whose ``forward`` is a ``staticmethod`` is a PyTorch-style Function
instead; ``Function.__init_subclass__`` sends it here (:func:`install`), so the same base class serves both and
``torch.autograd.Function`` programs run unchanged::

    class Exp(Function):
        @staticmethod
        def forward(ctx, i):
            result = i.exp()
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, grad_output):
            (result,) = ctx.saved_tensors
            return grad_output * result

    y = Exp.apply(x)

Also the newer style, where ``forward(*args)`` takes no ctx and ``setup_context(ctx, inputs, output)`` saves
what backward needs. ``forward`` runs without recording (as in PyTorch); the ``ctx`` is the graph node itself
(``y.grad_fn``, named ``ExpBackward``), so attributes set on it are there in ``backward``. A Function with several
outputs gets one small per-output node for each (``Function._select``), which the engine gathers into the list
of output gradients ``backward`` receives.
"""
import functools
import inspect

import numpy as np

from . import grad_mode
from .function import ArrayInfo, Function, InputMeta
from .tensor import Tensor, version_counter

__all__ = ["FunctionCtx", "once_differentiable", "install"]


class _SavedOutput:
    """A saved tensor that is one of the node's own outputs: the array and version counter, not the Tensor (no
    reference cycle through the node)."""

    __slots__ = ("index", "data", "vlist", "version")

    def __init__(self, index, t):
        self.index, self.data, self.vlist, self.version = index, t._data, version_counter(t), t._version[0]


class FunctionCtx(Function):
    """The ``ctx`` of a PyTorch-style Function: the graph node (``y.grad_fn``) that runs its ``backward``."""

    _fn_cls = None
    _n_outputs = 1
    _materialize = True
    _non_diff = ()
    _dirty = ()
    _out_meta = ()

    # ------------------------------------------------------------------ the ctx API
    def save_for_backward(self, *tensors):
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward can only save variables, but argument {len(tensors)} is of type "
                                f"{type(t).__name__}")
        Function.save_for_backward(self, *tensors)

    @property
    def saved_tensors(self):
        saved = self._saved
        if not saved or not any(type(s) is _SavedOutput for s in saved):
            return Function.saved_tensors.fget(self)    # the freed / version checks
        inputs_only = tuple([None if type(s) is _SavedOutput else s for s in saved])
        self._saved = inputs_only
        try:
            Function.saved_tensors.fget(self)
        finally:
            self._saved = saved
        out = []
        for s in saved:
            if type(s) is _SavedOutput:
                if s.vlist[0] != s.version:
                    raise RuntimeError(
                        f"one of the variables needed for gradient computation has been modified by an inplace "
                        f"operation: output {s.index} of {self.name()} is at version {s.vlist[0]}; expected "
                        f"version {s.version}.")
                t = Tensor._make(s.data, s.index not in self._non_diff)
                if t._requires_grad:
                    t.grad_fn = self if self._n_outputs == 1 else _select_node(self, s.index)
                t._version = s.vlist
                s = t
            out.append(s)
        return tuple(out)

    def mark_non_differentiable(self, *tensors):
        """These outputs get no gradient (``requires_grad=False``; backward receives zeros for them)."""
        self._mark_nd = tensors

    def mark_dirty(self, *tensors):
        """These inputs were modified in place by ``forward`` (and are returned as outputs)."""
        self._mark_dirty = tensors

    def set_materialize_grads(self, value):
        """With False, backward receives None (not zeros) for outputs that got no gradient."""
        self._materialize = bool(value)

    def save_for_forward(self, *tensors):
        self._saved_forward = tensors

    # ------------------------------------------------------------------ the engine's side
    def name(self):
        return self._fn_cls.__name__ + "Backward"

    def backward(self, grad):
        grads = list(grad) if self._n_outputs > 1 else [grad]
        for i, g in enumerate(grads):
            if g is None and self._materialize:
                shape, dtype = self._out_meta[i]
                grads[i] = Tensor._make(np.zeros(shape, dtype=dtype))
        res = self._fn_cls.backward(self, *grads)
        if not isinstance(res, tuple):
            res = (res,)
        n = len(self.inputs)
        if len(res) > n and all(r is None for r in res[n:]):
            res = res[:n]
        if len(res) != n:
            raise RuntimeError(f"function {self.name()} returned an incorrect number of gradients (expected {n}, "
                               f"got {len(res)})")
        out = []
        for i, r in enumerate(res):
            if r is None:
                out.append(None)
                continue
            if not self._tensor_arg[i]:
                raise RuntimeError(f"function {self.name()} returned a gradient different than None at position "
                                   f"{i + 1}, but the corresponding forward input was not a Variable")
            if not isinstance(r, Tensor):
                raise TypeError(f"function {self.name()} returned a gradient of type {type(r).__name__} at "
                                f"position {i + 1}; expected a Tensor or None")
            out.append(r)
        return tuple(out)


class _OutputSelect(Function):
    """Output number ``index`` of a several-output node: the engine hands its gradient to the node's list."""

    needs_input_grad = (True,)
    _special = True

    def __init__(self, parent, index, meta):
        self._select = (parent, index)
        self._edges = (meta, parent)
        self.scope = parent.scope

    def name(self):
        return self._select[0].name()

    @classmethod
    def op_name(cls):
        return "output"

    def backward(self, grad):   # never called: the engine gathers the gradient for the parent node
        raise RuntimeError("an output node has no backward of its own")


def _select_node(parent, index):
    shape, dtype = parent._out_meta[index]
    meta = InputMeta.__new__(InputMeta)
    meta.shape, meta.dtype = shape, dtype
    meta._data = ArrayInfo(shape, dtype)
    return _OutputSelect(parent, index, meta)


def _constant(arg):
    """What a node keeps in ``inputs`` for a non-tensor argument: a 0-d constant (numbers) or a named one."""
    if isinstance(arg, (int, float)) and not isinstance(arg, bool):
        return Tensor._make(np.asarray(arg))
    t = Tensor._make(np.zeros(()))
    t.name = type(arg).__name__
    return t


def _bind(cls, args, kwargs):
    """The forward arguments as a positional tuple, defaults filled in (PyTorch binds them the same way)."""
    sig = cls.__dict__.get("_forward_sig")
    if sig is None:
        params = list(inspect.signature(cls.forward).parameters.values())
        if not cls._new_style:
            params = params[1:]          # ctx
        sig = inspect.Signature(params)
        cls._forward_sig = sig
    if not kwargs and len(args) == len(sig.parameters):
        return args
    bound = sig.bind(*args, **kwargs)
    bound.apply_defaults()
    return tuple(bound.args) + tuple(bound.kwargs.values())


def _apply(cls, *args, **kwargs):
    """``Function.apply`` of a PyTorch-style Function: run forward without recording, then make its node."""
    args = _bind(cls, args, kwargs)
    is_tensor = tuple([isinstance(a, Tensor) for a in args])
    enabled = grad_mode.is_grad_enabled()
    needs = tuple([it and enabled and a._requires_grad for a, it in zip(args, is_tensor)])
    ctx = cls._node_cls()
    ctx.needs_input_grad = needs
    ctx._tensor_arg = is_tensor
    prev = grad_mode._set(False)
    try:
        if cls._new_style:
            output = cls.forward(*args)
            cls.setup_context(ctx, args, output)
        else:
            output = cls.forward(ctx, *args)
    finally:
        grad_mode._set(prev)
    single = not isinstance(output, tuple)
    outs = [output] if single else list(output)
    requires = True in needs
    dirty = getattr(ctx, "_mark_dirty", ())
    nd = getattr(ctx, "_mark_nd", ())
    tensor_pos = [i for i, o in enumerate(outs) if isinstance(o, Tensor)]
    nd_pos = {i for i in tensor_pos if any(outs[i] is t for t in nd) or outs[i]._data.dtype.kind not in "fc"}
    for i in tensor_pos:
        o = outs[i]
        if any(o is a for a in args) and not any(o is d for d in dirty):
            alias = Tensor._make(o._data)          # an input returned unchanged: the output is a new alias of it
            alias._version = version_counter(o)
            outs[i] = alias
    for d in dirty:
        if d._requires_grad and d.grad_fn is None and enabled:
            raise RuntimeError("a leaf Variable that requires grad has been used in an in-place operation.")
        d._bump_version()
    if not requires:
        ctx._saved = None
        return outs[0] if single else tuple(outs)
    ctx.set_edges([a if it else _constant(a) for a, it in zip(args, is_tensor)],
                  [a.grad_fn if it else None for a, it in zip(args, is_tensor)])
    if dirty:   # a dirty input is also an output: the node keeps only its metadata (no cycle through it)
        ctx.inputs = tuple([InputMeta(a) if it and any(a is d for d in dirty) else a
                            for a, it in zip(ctx.inputs, is_tensor)])
    stack = grad_mode._state.scope_stack
    if stack:
        ctx.scope = stack[-1]
    ctx._n_outputs = len(outs)
    ctx._out_meta = tuple([(o.shape, o.dtype) if isinstance(o, Tensor) else ((), np.float32) for o in outs])
    ctx._non_diff = tuple(sorted(nd_pos))
    for i in tensor_pos:
        o = outs[i]
        if i in ctx._non_diff:
            o._requires_grad = False
            continue
        o._requires_grad = True
        o.grad_fn = ctx if single or len(outs) == 1 else _select_node(ctx, i)
    if ctx._saved:
        saved = []
        for s in ctx._saved:
            idx = next((i for i in tensor_pos if outs[i] is s), None) if s is not None else None
            saved.append(_SavedOutput(idx, s) if idx is not None else s)
        ctx._saved = tuple(saved)
    return outs[0] if single else tuple(outs)


def install(cls):
    """Make ``cls`` (a Function subclass with a static ``forward``) a PyTorch-style Function."""
    cls._torch_style = True
    cls._new_style = "setup_context" in _defined(cls)
    cls._node_cls = type(cls.__name__ + "Backward", (FunctionCtx,), {"_fn_cls": cls, "__module__": cls.__module__})
    cls.apply = classmethod(_apply)


def _defined(cls):
    names = set()
    for k in cls.__mro__:
        if k is Function:
            break
        names.update(k.__dict__)
    return names


def once_differentiable(fn):
    """Decorate a ``backward`` that cannot itself be differentiated: it runs without recording."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with grad_mode.no_grad():
            return fn(ctx, *args)
    return wrapper
