"""``Parameter``: a Tensor that a Module registers as learnable when assigned as an attribute."""
import numpy as np

from autograd_core import serialization as _serialization
from autograd_core.device import check_device
from autograd_core.tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor with ``requires_grad=True`` by default, registered by ``Module.__setattr__``.

    Example::

        self.weight = Parameter(autograd_core.randn(3, 4))
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            data = np.empty((0,), dtype=np.float32)
        super().__init__(data._data if isinstance(data, Tensor) else data, requires_grad=requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


_serialization.register_parameter_type(Parameter)   # files record Parameters and load them back as Parameters


class Buffer(Tensor):
    """Marks a tensor to be registered as a buffer when assigned to a Module (``self.x = Buffer(t)``)."""

    __slots__ = ("persistent",)

    def __init__(self, data, persistent=True):
        super().__init__(data._data if isinstance(data, Tensor) else data)
        self.persistent = persistent


_LAZY_USE = ("Attempted to use an uninitialized parameter in {}. This error happens when you are using a `LazyModule` "
             "or explicitly manipulating `nn.UninitializedParameter` objects. When using LazyModules Call `forward` "
             "with a dummy batch to initialize the parameters before calling torch functions")


class _Unmaterialized(np.ndarray):
    """The data of an :class:`UninitializedParameter`: an empty array whose use in a computation raises (numpy's
    ufuncs and array functions are what the ops run on), while casts (``module.double()``) keep working."""

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        raise ValueError(_LAZY_USE.format(ufunc.__name__))

    def __array_function__(self, func, types, args, kwargs):
        raise ValueError(_LAZY_USE.format(func.__name__))

    def __getitem__(self, key):
        raise ValueError(_LAZY_USE.format("indexing"))


class UninitializedParameter(Parameter):
    """A parameter whose shape is not known yet (lazy modules: ``nn.LazyLinear``); :meth:`materialize` gives it
    a shape and makes it a plain :class:`Parameter`.

    Its shape can't be read (RuntimeError) and computing with it raises ValueError, as in PyTorch. Its dtype is
    the one the module is cast to before materializing (``.double()``).
    """

    __slots__ = ()
    cls_to_become = Parameter

    def __init__(self, requires_grad=True, device=None, dtype=None):
        check_device(device, type(self).__name__ + "()")
        from autograd_core import dtypes
        dt = np.dtype(dtype) if dtype is not None else dtypes.get_default_dtype()
        super().__init__(np.empty((0,), dtype=dt), requires_grad=requires_grad)
        self._data = self._data.view(_Unmaterialized)

    def materialize(self, shape, device=None, dtype=None):
        """Allocate (uninitialized) data of ``shape`` and become a :class:`Parameter`."""
        dt = np.dtype(dtype) if dtype is not None else self._data.dtype
        self._data = np.empty(tuple(shape), dtype=dt)
        self.__class__ = self.cls_to_become
        self._bump_version()

    @property
    def shape(self):
        raise RuntimeError("Can't access the shape of an uninitialized parameter or buffer. This error usually "
                           "happens in `load_state_dict` when trying to load an uninitialized parameter into an "
                           "initialized one. Call `forward` to initialize the parameters before accessing their "
                           "attributes.")

    def numel(self):
        raise ValueError(_LAZY_USE.format("numel"))

    size = numel

    def __repr__(self):
        return "<UninitializedParameter>"
