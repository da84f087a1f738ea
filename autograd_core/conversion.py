"""Tensor methods about dtypes and devices: ``to``, ``cpu``, ``cuda``, ``type``, ``type_as``, ``new_*``, and the
queries PyTorch code asks (``is_floating_point``, ``is_cuda``, ``is_contiguous``, ``stride``...).

Devices are CPU-only (see ``device.py``): ``t.to('cpu')`` and ``t.cpu()`` return ``t``; ``'cuda'`` anywhere raises
RuntimeError. ``install()`` attaches the methods to Tensor (from ``autograd_core/__init__.py``).
"""
import numpy as np

from . import dtypes, ops
from .device import _no_device, check_device, check_factory_args, device, strided
from .tensor import Tensor, _legacy_data, as_array
from .types import _TensorType, resolve_type, type_name


def _is_dtype_arg(a):
    return isinstance(a, (dtypes.dtype, np.dtype, _TensorType)) or (isinstance(a, type) and issubclass(a, np.generic))


def parse_to(args, kwargs, where):
    """``to(...)``'s arguments as (device, dtype, non_blocking, copy), PyTorch's three forms:
    ``to(dtype, non_blocking, copy)``, ``to(device, dtype, non_blocking, copy)``, ``to(other, non_blocking, copy)``.
    The device is checked (CPU only)."""
    kwargs = dict(kwargs)
    dev, dt = kwargs.pop("device", None), kwargs.pop("dtype", None)
    non_blocking, copy = kwargs.pop("non_blocking", False), kwargs.pop("copy", False)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"{where} got an unexpected keyword argument '{next(iter(kwargs))}'")
    rest = list(args)
    if rest and isinstance(rest[0], Tensor):
        other = rest.pop(0)
        dev, dt = other.device, other.dtype
    elif rest and (isinstance(rest[0], (str, device)) or (isinstance(rest[0], int) and not isinstance(rest[0], bool))):
        dev = rest.pop(0)
        if rest and _is_dtype_arg(rest[0]):
            dt = rest.pop(0)
    elif rest and _is_dtype_arg(rest[0]):
        dt = rest.pop(0)
    flags = [non_blocking, copy]
    for i, a in enumerate(rest):
        if i >= 2 or not isinstance(a, bool):
            got = ", ".join(type(x).__name__ for x in args)
            raise TypeError(f"{where} received an invalid combination of arguments - got ({got}); expected "
                            "(dtype), (device, dtype=None), or (tensor), each optionally followed by non_blocking "
                            "and copy flags")
        flags[i] = a
    dev = check_device(dev, where) if dev is not None else None
    if dt is not None:
        dt = dtypes.as_dtype(dt.dtype if isinstance(dt, _TensorType) else dt)
    return dev, dt, flags[0], flags[1]


def to(self, *args, **kwargs):
    """This tensor on ``device`` and/or as ``dtype``: ``t.to(float64)``, ``t.to('cpu', dtype=...)``,
    ``t.to(device('cpu'))``, ``t.to(other_tensor)``, ``t.to(device, non_blocking=True)``.

    Returns ``t`` itself when nothing changes (unless ``copy=True``); a dtype change is differentiable. Only the
    CPU exists here: ``'cuda'`` raises RuntimeError ("no CUDA device: this engine runs on the CPU").
    """
    _, dt, _, copy = parse_to(args, kwargs, "Tensor.to()")
    if dt is not None and dt != self._data.dtype:
        return ops.cast(self, dt)
    return ops.clone(self) if copy else self


def cpu(self, memory_format=None):
    """This tensor (it already lives on the CPU)."""
    return self


def cuda(self, device=None, non_blocking=False, memory_format=None):
    """RuntimeError: there is no CUDA device (this engine runs on the CPU)."""
    raise RuntimeError(_no_device("cuda"))


def type_(self, dtype=None, non_blocking=False, **kwargs):
    """Without an argument, the type's name (``'autograd_core.FloatTensor'``, PyTorch's ``'torch.FloatTensor'``);
    with a dtype, a legacy type (``LongTensor``) or a type name (``'torch.LongTensor'``), ``self.to(that dtype)``."""
    if dtype is None:
        return type_name(self._data.dtype)
    return self.to(resolve_type(dtype))


def type_as(self, other):
    """``self.to(other.dtype)``."""
    if not isinstance(other, Tensor):
        raise TypeError(f"type_as(): argument 'other' must be Tensor, not {type(other).__name__}")
    return self.to(other.dtype)


def _size_args(size, where):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    out = []
    for s in size:
        if isinstance(s, bool) or not hasattr(s, "__index__"):
            raise TypeError(f"{where}: size must be a tuple of ints, got {tuple(size)!r}")
        if int(s) < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {int(s)}: {list(size)}")
        out.append(int(s))
    return tuple(out)


def _new(self, where, arr, device, requires_grad, pin_memory):
    check_factory_args(where, device, pin_memory)
    t = Tensor._make(arr)
    if requires_grad:
        t.requires_grad = True
    return t


def _dt(self, dtype):
    return self._data.dtype if dtype is None else np.dtype(dtype)


def new_zeros(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    """Zeros of ``size`` with this tensor's dtype (unless ``dtype``)."""
    arr = np.zeros(_size_args(size, "new_zeros()"), _dt(self, dtype))
    return _new(self, "new_zeros()", arr, device, requires_grad, pin_memory)


def new_ones(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    """Ones of ``size`` with this tensor's dtype (unless ``dtype``)."""
    arr = np.ones(_size_args(size, "new_ones()"), _dt(self, dtype))
    return _new(self, "new_ones()", arr, device, requires_grad, pin_memory)


def new_empty(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    """A tensor of ``size`` with this tensor's dtype (unless ``dtype``); zeros here, for determinism."""
    arr = np.zeros(_size_args(size, "new_empty()"), _dt(self, dtype))
    return _new(self, "new_empty()", arr, device, requires_grad, pin_memory)


def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None,
             pin_memory=False):
    """``fill_value`` in a tensor of ``size`` with this tensor's dtype (unless ``dtype``)."""
    arr = np.full(_size_args((size,), "new_full()"), fill_value, _dt(self, dtype))
    return _new(self, "new_full()", arr, device, requires_grad, pin_memory)


def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    """A copy of ``data`` as a tensor of this tensor's dtype (unless ``dtype``), as ``Tensor.new_tensor``."""
    arr = np.array(as_array(data, _dt(self, dtype)), copy=True)
    return _new(self, "new_tensor()", arr, device, requires_grad, pin_memory)


def new(self, *args, device=None):
    """PyTorch's legacy ``t.new(...)``: ``new(*sizes)`` (zeros here), ``new(data)`` or ``new()``, in this
    tensor's dtype; a tensor argument must already have that dtype."""
    check_device(device, "new()")
    if len(args) == 1 and isinstance(args[0], Tensor):
        if args[0]._data.dtype != self._data.dtype:
            raise TypeError(f"new(): expected a tensor of dtype {self.dtype}, got {args[0].dtype}")
        return args[0]
    return Tensor._make(_legacy_data(args, self._data.dtype) if args else np.zeros((0,), self._data.dtype))


def get_device(self):
    """-1: the CPU (PyTorch's answer for a CPU tensor; CUDA devices would be 0, 1...)."""
    return -1


def data_ptr(self):
    """The address of the first element (numpy's ``ctypes.data``): equal for tensors sharing memory there."""
    return self._data.ctypes.data


def is_floating_point(self):
    """Whether the dtype is a floating-point one (float16/32/64)."""
    return self._data.dtype.kind == "f"


def is_complex(self):
    """Whether the dtype is complex."""
    return self._data.dtype.kind == "c"


def is_contiguous(self, memory_format=None):
    """Whether the data is laid out row-major without gaps (numpy's C-contiguous flag: False for a transposed
    view, as in PyTorch)."""
    return bool(self._data.flags.c_contiguous)


def contiguous(self, memory_format=None):
    """This tensor when its data is row-major without gaps (:meth:`is_contiguous`), else a differentiable
    row-major copy, as PyTorch."""
    return self if self._data.flags.c_contiguous else ops.clone(self)


def stride(self, dim=None):
    """Steps in elements between neighbours along each dimension (numpy's byte strides / itemsize)."""
    st = tuple(s // self._data.itemsize for s in self._data.strides)
    return st if dim is None else st[dim]


def share_memory_(self):
    """Not available: tensors here are plain numpy memory of this process and can't be moved to shared memory,
    so Hogwild-style training (workers updating one model) can't work; raises RuntimeError."""
    raise RuntimeError("share_memory_(): tensors here are plain numpy memory and can't be shared between "
                       "processes (no shared-memory tensors in this engine)")


def is_shared(self):
    """False: tensors are never in shared memory here."""
    return False


def pin_memory(self, device=None):
    """RuntimeError: pinned memory is for copying to a CUDA device, and there is none (as PyTorch without one)."""
    raise RuntimeError("pin_memory(): pinned memory needs a CUDA device: this engine runs on the CPU")


def is_pinned(self, device=None):
    """False: memory is never pinned here."""
    return False


def _cast_to(dt, name):
    def method(self):
        return ops.cast(self, dt)
    method.__name__ = name
    method.__doc__ = f"``self.to({np.dtype(dt).name})``."
    return method


def is_signed(self):
    """Whether the dtype is signed (floating, complex and signed integers; not uint8 or bool)."""
    return self._data.dtype.kind in "ifc"


def is_same_size(self, other):
    """Whether ``other`` has this tensor's shape."""
    if not isinstance(other, Tensor):
        raise TypeError(f"is_same_size(): argument 'other' (position 1) must be Tensor, not {type(other).__name__}")
    return self._data.shape == other._data.shape


def _never(name, what):
    def method(self):
        return False
    method.__name__ = name
    method.__doc__ = f"False: there are no lazy {what} bits here (the data is always materialised)."
    return method


def _no_device_method(kind):
    def method(self, device=None, non_blocking=False, memory_format=None):
        raise RuntimeError(_no_device(kind))
    method.__name__ = kind
    method.__doc__ = f"RuntimeError: there is no {kind.upper()} device (this engine runs on the CPU)."
    return method


def ndimension(self):
    """The number of dimensions (``dim()``)."""
    return self._data.ndim


def nelement(self):
    """The number of elements (``numel()``)."""
    return self._data.size


def _false(name):
    def prop(self):
        return False
    prop.__name__ = name
    prop.__doc__ = f"False: tensors live on the CPU (``{name}``)."
    return property(prop)


_METHODS = {
    "to": to, "cpu": cpu, "cuda": cuda, "type": type_, "type_as": type_as, "new_zeros": new_zeros,
    "new_ones": new_ones, "new_empty": new_empty, "new_full": new_full, "new_tensor": new_tensor,
    "is_floating_point": is_floating_point, "is_complex": is_complex, "is_contiguous": is_contiguous,
    "contiguous": contiguous, "stride": stride, "share_memory_": share_memory_, "is_shared": is_shared,
    "pin_memory": pin_memory, "is_pinned": is_pinned, "new": new, "get_device": get_device, "data_ptr": data_ptr,
    "byte": _cast_to(np.uint8, "byte"), "char": _cast_to(np.int8, "char"), "short": _cast_to(np.int16, "short"),
    "ndimension": ndimension, "nelement": nelement, "is_signed": is_signed, "is_same_size": is_same_size,
    "is_conj": _never("is_conj", "conjugation"), "is_neg": _never("is_neg", "negation"),
    "cfloat": _cast_to(np.complex64, "cfloat"), "cdouble": _cast_to(np.complex128, "cdouble"),
    "xpu": _no_device_method("xpu"),
}
_PROPERTIES = {
    "is_cuda": _false("is_cuda"), "is_mps": _false("is_mps"), "is_meta": _false("is_meta"),
    "is_sparse": _false("is_sparse"), "is_quantized": _false("is_quantized"), "is_xpu": _false("is_xpu"),
    "is_mkldnn": _false("is_mkldnn"), "is_nested": _false("is_nested"),
    "is_cpu": property(lambda self: True, doc="True: every tensor lives on the CPU."),
    "nbytes": property(lambda self: self._data.nbytes, doc="The size of the data in bytes."),
    "itemsize": property(lambda self: self._data.itemsize, doc="The size of one element in bytes."),
    "layout": property(lambda self: strided, doc="``autograd_core.strided``: tensors are dense numpy arrays."),
}


def install():
    """Attach these methods and properties to Tensor."""
    for name, f in _METHODS.items():
        setattr(Tensor, name, f)
    for name, p in _PROPERTIES.items():
        setattr(Tensor, name, p)


__all__ = ["parse_to", "install"]
