"""``Tensor``: a numpy array plus what reverse-mode autodiff needs (``grad``, ``requires_grad``, ``grad_fn``).

This module holds the data structure only. Every method that computes something (``t.exp()``, ``t + u``,
``t.backward()``, ``t.to(...)``) is attached by ``tensor_methods.py`` from the op registry, so this file imports
nothing of the engine and the import graph has no cycle through it.
"""
import weakref

import numpy as np

from . import dtypes, grad_mode, printing
from .device import CPU, check_device
from .errors import fmt_shape
from .size import Size

_SCALARS = (bool, int, float, complex, np.generic)
# The version counter of a tensor never changed in place and never sharing its counter: one immutable tuple for all
# of them (a new tensor allocates no counter, and a tuple of an int is not tracked by Python's cyclic GC). The first
# in-place change gives the tensor a list of its own (``_bump_version``), and so does sharing the counter with a view
# (``version_counter``). Read a version as ``t._version[0]``; write it only through ``_bump_version``.
FRESH_VERSION = (0,)
_new_size = tuple.__new__   # Size(shape) without re-checking numpy's ints


class Tensor:
    """A multi-dimensional array that records the operations applied to it.

    ``Tensor(3, 4)`` (ints, or a :class:`Size`) is PyTorch's legacy constructor: a float32 tensor of that shape,
    filled with zeros here (PyTorch leaves it uninitialised); ``Tensor()`` is an empty float32 tensor.
    ``Tensor(data)`` infers the dtype as :func:`tensor` does (PyTorch's legacy constructor makes Python ints
    float32; here they stay int64).

    Args:
        data: array-like (nested list, numpy array or Tensor; a float or bool makes a 0-d tensor).
        requires_grad: record operations on this tensor so ``backward()`` can compute ``.grad``.
        dtype: numpy dtype or ``autograd_core.float32`` etc.; by default Python floats become float32,
            Python ints int64, and numpy arrays keep their dtype (PyTorch's rules).

    Example::

        >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
        >>> (x * x).sum().backward()
        >>> x.grad
        tensor([2., 4., 6.])
    """

    __slots__ = ("_data", "grad", "_requires_grad", "grad_fn", "_version", "_hooks", "_retains", "name",
                 "__weakref__")
    __array_priority__ = 1000   # numpy defers binary operators to Tensor
    __array_ufunc__ = None      # ndarray + Tensor -> Tensor.__radd__, not an object array

    def __init__(self, *args, requires_grad=False, dtype=None, device=None):
        if device is not None:
            check_device(device, "Tensor()")
        self._data = _legacy_data(args, dtype)
        self.grad = None
        self.grad_fn = None
        self._version = FRESH_VERSION
        if grad_mode._slow and grad_mode._state.inference:    # made inside inference_mode: an inference tensor
            self._version = grad_mode.InferenceVersion(FRESH_VERSION)
        self._hooks = None
        self._retains = False
        self.name = None
        self._requires_grad = False
        if requires_grad:
            self.requires_grad = True

    @classmethod
    def _make(cls, data, requires_grad=False):
        """Wrap an ndarray without copying or checking (the ops' fast path)."""
        t = object.__new__(Tensor)
        t._data = data if type(data) is np.ndarray else np.asarray(data)
        t.grad = None
        t._requires_grad = requires_grad
        t.grad_fn = None
        t._version = FRESH_VERSION
        t._hooks = None
        t._retains = False
        t.name = None
        return t

    # ------------------------------------------------------------------ attributes
    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        value = bool(value)
        if value and self.grad_fn is None and not dtypes.is_floating(self._data.dtype):
            raise RuntimeError(f"only Tensors of floating point dtype can require gradients, got {self._data.dtype}")
        if not value and self.grad_fn is not None:
            raise RuntimeError("requires_grad can only be changed on leaf tensors; use detach() on a non-leaf")
        if value and type(self._version) is grad_mode.InferenceVersion and not grad_mode._state.inference:
            raise RuntimeError(grad_mode.INFERENCE_REQUIRES_GRAD)
        self._requires_grad = value

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` in place and return self."""
        self.requires_grad = requires_grad
        return self

    @property
    def data(self):
        """A tensor sharing this tensor's memory, detached from the graph (PyTorch's ``.data``)."""
        return Tensor._make(self._data)

    @data.setter
    def data(self, value):
        value = value._data if isinstance(value, Tensor) else np.asarray(value)
        self._data = value
        self._bump_version()

    @property
    def label(self):
        """The tensor's name in graph pictures (micrograd's ``label``; the same as ``.name``), or None."""
        return self.name

    @label.setter
    def label(self, value):
        if value is not None and (not isinstance(value, str) or not value):
            raise TypeError(f"a tensor's label must be a non-empty str or None, got {value!r}")
        self.name = value

    @property
    def shape(self):
        return _new_size(Size, self._data.shape)

    @property
    def dtype(self):
        d = self._data.dtype
        return dtypes._BY_NUMPY.get(d) or dtypes.as_dtype(d)

    @property
    def ndim(self):
        return self._data.ndim

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def device(self):
        return CPU

    @property
    def T(self):
        return self.permute(*reversed(range(self.ndim)))

    @property
    def mT(self):
        return self.transpose(-2, -1)

    def size(self, dim=None):
        """The shape, or the length of one dimension."""
        if dim is None:
            return _new_size(Size, self._data.shape)
        return self._data.shape[dim]

    def dim(self):
        return self._data.ndim

    def numel(self):
        return self._data.size

    def element_size(self):
        return self._data.itemsize

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def _bump_version(self):
        """Record an in-place change of ``_data`` (saved-tensor checks compare versions)."""
        v = self._version
        if v is FRESH_VERSION:
            _own_counter(self, 1)
        else:
            v[0] += 1

    # ------------------------------------------------------------------ conversion
    def numpy(self):
        """The underlying numpy array (shared memory, no copy)."""
        return self._data

    def __array__(self, dtype=None, copy=None):
        if dtype is not None and dtype != self._data.dtype:
            return self._data.astype(dtype)
        return self._data.copy() if copy else self._data

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise ValueError(f"item(): a Tensor with {self._data.size} elements cannot be converted to a Python "
                             f"scalar (shape {fmt_shape(self.shape)})")
        return self._data.item()

    def tolist(self):
        return self._data.tolist()

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if not dtypes.is_integer(self._data.dtype) or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.item())

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with {self._data.size} elements is ambiguous")
        return bool(self._data.item())

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    __hash__ = object.__hash__

    def detach(self):
        """A new tensor sharing memory with this one, cut from the graph."""
        t = Tensor._make(self._data)
        t._version = version_counter(self)
        return t

    def detach_(self):
        if self.grad_fn is not None:
            version_counter(self)      # a node that saved this tensor's array keeps following its version
        self.grad_fn = None
        self._requires_grad = False
        return self

    # ------------------------------------------------------------------ autograd
    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor replaces the gradient.

        Returns a handle whose ``remove()`` unregisters the hook.
        """
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            if self.grad_fn._hooks is None:
                self.grad_fn._hooks = []
                self.grad_fn._special = self.grad_fn._special or True
            hooks = self.grad_fn._hooks
        else:
            if self._hooks is None:
                self._hooks = []
            hooks = self._hooks
        hooks.append(hook)
        return _RemovableHandle(hooks, hook)

    def retain_grad(self):
        """Keep ``.grad`` on this non-leaf tensor after backward (leaves always keep it)."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            self.grad_fn._retain = weakref.ref(self)
            self.grad_fn._special = self.grad_fn._special or True
        self._retains = True

    @property
    def retains_grad(self):
        return self._retains and self.grad_fn is not None

    # ------------------------------------------------------------------ pickling and copying
    def _extra_slots(self):
        """Slots that subclasses add (``Buffer.persistent``...), with their values."""
        out = {}
        for klass in type(self).__mro__:
            if klass is Tensor:
                break
            for name in klass.__dict__.get("__slots__", ()):
                if hasattr(self, name):
                    out[name] = getattr(self, name)
        return out

    def __reduce_ex__(self, protocol):
        """Pickle the data, dtype, ``requires_grad`` and name, never the graph (as PyTorch: an op's output loads
        as a leaf that requires grad)."""
        return (_rebuild, (type(self), self._data, self._requires_grad, self.name, self._extra_slots()))

    def __deepcopy__(self, memo):
        """A copy of the data with ``requires_grad`` (and a deep copy of ``.grad``), cut from any graph."""
        import copy
        new = _rebuild(type(self), copy.deepcopy(self._data, memo), self._requires_grad, self.name,
                       copy.deepcopy(self._extra_slots(), memo))
        memo[id(self)] = new
        if self.grad is not None:
            new.grad = copy.deepcopy(self.grad, memo)
        return new

    # ------------------------------------------------------------------ printing
    def __repr__(self):
        body = np.array2string(self._data, separator=", ", prefix="tensor(", **printing.array2string_options())
        extras = []
        if self._data.dtype not in (np.float32, np.int64, np.bool_):
            extras.append(f"dtype={self.dtype}")   # dtype=autograd_core.float64, as torch prints torch.float64
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{self.grad_fn.name()}>")
        elif self._requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    def __format__(self, spec):
        if self._data.size == 1 and spec:
            return format(self._data.item(), spec)
        return repr(self)


def version_counter(t):
    """``t``'s version counter as a list that can be shared (with a view of ``t``) or held (by a node that saved
    ``t``'s array without ``t``) and still sees every later in-place change of ``t``."""
    v = t._version
    if v is FRESH_VERSION:
        v = _own_counter(t, 0)
    return v


def _own_counter(t, version):
    """Give ``t`` a version counter of its own (a list), at ``version``. The node that made ``t`` and saved its
    array for backward (``Function.save_output``) holds the shared fresh counter until then, and follows this list
    from now on, so it sees every later in-place change of ``t``."""
    v = t._version = [version]
    fn = t.grad_fn
    if fn is not None and fn._out_vlist is FRESH_VERSION:
        fn._out_vlist = v
    return v


def _rebuild(cls, data, requires_grad, name=None, extra=None):
    """A tensor of class ``cls`` from pickled (or deep-copied) state: a leaf, without hooks or graph."""
    t = object.__new__(cls)
    t._data = data
    t.grad = None
    t._requires_grad = requires_grad
    t.grad_fn = None
    t._version = FRESH_VERSION
    t._hooks = None
    t._retains = False
    t.name = name
    for k, v in (extra or {}).items():
        setattr(t, k, v)
    return t


class _RemovableHandle:
    def __init__(self, hooks, hook):
        self._hooks = hooks
        self._hook = hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def _legacy_data(args, dtype):
    """The array of ``Tensor(*args)``: one data argument, or sizes (ints / a Size), or nothing (empty)."""
    if len(args) == 1:
        a = args[0]
        if isinstance(a, Size):
            sizes = tuple(a)
        elif isinstance(a, int) and not isinstance(a, bool):
            sizes = (a,)
        elif isinstance(a, (list, tuple)) and dtype is None:
            # Python data: the default float dtype, as torch.Tensor([1, 2]) (a FloatTensor); arrays keep their dtype
            return as_array(a, dtypes.get_default_dtype())
        else:
            return as_array(a, dtype)
    else:
        sizes = args if args else (0,)
    for s in sizes:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
            raise TypeError(f"Tensor(): expected one data argument or sizes as ints, got {args!r}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(sizes)}")
    return np.zeros(tuple(int(s) for s in sizes), dtype=dtypes.get_default_dtype() if dtype is None else dtype)


def as_array(data, dtype=None):
    """PyTorch's ``torch.tensor`` rules: numpy input keeps its dtype; Python floats become the default float
    dtype (float32); Python ints become int64; an explicit ``dtype`` wins. Tensors are unwrapped."""
    if isinstance(data, Tensor):
        arr = data._data
    elif isinstance(data, (np.ndarray, np.generic)):
        arr = np.asarray(data)
    else:
        if isinstance(data, (list, tuple)) and any(isinstance(d, Tensor) for d in data):
            data = [d._data if isinstance(d, Tensor) else d for d in data]
        arr = np.asarray(data)
        if dtype is None:
            if arr.dtype.kind == "f":
                arr = arr.astype(dtypes.get_default_dtype())
            elif arr.dtype.kind in "iu":
                arr = arr.astype(np.int64)
            elif arr.dtype.kind == "c":
                arr = arr.astype(np.complex64)
            elif arr.dtype.kind not in "b":
                raise TypeError(f"can't make a tensor from data of type {type(data).__name__} "
                                f"(numpy dtype {arr.dtype})")
    if dtype is not None:
        dtype = np.dtype(dtype)
        if arr.dtype != dtype:
            arr = arr.astype(dtype)
    return arr


def operand(x, like=None):
    """An operand of an op as a Tensor: a Python number or array becomes a constant; numbers take ``like``'s dtype
    when it is floating (PyTorch: ``float32_tensor * 2.5`` stays float32; ``int_tensor * 2.5`` becomes the default
    float dtype)."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (bool, int, float)) and like is not None:
        ld = like._data.dtype
        if isinstance(x, bool):
            dt = ld
        elif isinstance(x, int):
            dt = ld if ld.kind in "fciu" else np.int64
        else:
            dt = ld if ld.kind in "fc" else dtypes.get_default_dtype()
        return constant(x, dt)
    return Tensor._make(as_array(x))


_CONSTANTS = {}    # numpy dtype -> {number: its 0-d constant Tensor}


def constant(x, dt):
    """The 0-d constant Tensor of the number ``x`` in numpy dtype ``dt`` (``y * 0.5``'s right operand). Constants
    are never changed in place, so the common ones are made once and shared: an op on a Python number allocates
    one tensor fewer. A float zero is not shared (``-0.0 == 0.0``, but not bit for bit), nor is NaN."""
    table = _CONSTANTS.get(dt)
    if table is None:
        table = _CONSTANTS[dt] = {}
    t = table.get(x)
    if t is None:
        t = Tensor._make(np.asarray(x, dtype=dt))
        if x and x == x:
            if len(table) >= 512:
                table.clear()
            table[x] = t
    return t
