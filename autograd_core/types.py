"""PyTorch's legacy tensor types (``FloatTensor``, ``LongTensor``...), ``Tensor.type()``, and ``finfo`` / ``iinfo``.

``FloatTensor([1, 2])`` is a float32 tensor and ``FloatTensor(2, 3)`` one of that shape (zeros here; PyTorch
leaves it uninitialised); ``isinstance(t, FloatTensor)`` checks the dtype. They are factories, not subclasses:
every tensor is a :class:`Tensor`.
"""
import numpy as np

from . import dtypes
from .device import check_device
from .tensor import Tensor, _legacy_data


class _TensorType(type):
    """The metaclass of the legacy types: calling one makes a Tensor of its dtype; isinstance checks the dtype."""

    def __call__(cls, *args, device=None):
        check_device(device, f"{cls.__name__}()")
        if len(args) == 1 and isinstance(args[0], Tensor) and args[0]._data.dtype != cls.dtype.dtype:
            raise TypeError(f"expected {cls.__name__} (dtype {cls.dtype}), got a tensor of dtype {args[0].dtype}")
        if len(args) == 1 and isinstance(args[0], Tensor):
            return args[0]
        return Tensor._make(_legacy_data(args, cls.dtype) if args else np.zeros((0,), cls.dtype.dtype))

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj._data.dtype == cls.dtype.dtype

    def __repr__(cls):
        return f"<class 'autograd_core.{cls.__name__}'>"


def _legacy(name, dtype):
    doc = (f"``{name}(data)`` / ``{name}(*sizes)``: a tensor of dtype {dtype} (PyTorch's legacy constructor); "
           f"``isinstance(t, {name})`` is ``t.dtype == {dtype}``.")
    return _TensorType(name, (), {"dtype": dtype, "__doc__": doc, "__module__": "autograd_core"})


FloatTensor = _legacy("FloatTensor", dtypes.float32)
DoubleTensor = _legacy("DoubleTensor", dtypes.float64)
HalfTensor = _legacy("HalfTensor", dtypes.float16)
LongTensor = _legacy("LongTensor", dtypes.int64)
IntTensor = _legacy("IntTensor", dtypes.int32)
ShortTensor = _legacy("ShortTensor", dtypes.int16)
CharTensor = _legacy("CharTensor", dtypes.int8)
ByteTensor = _legacy("ByteTensor", dtypes.uint8)
BoolTensor = _legacy("BoolTensor", dtypes.bool)

LEGACY_TYPES = (FloatTensor, DoubleTensor, HalfTensor, LongTensor, IntTensor, ShortTensor, CharTensor, ByteTensor,
                BoolTensor)
_BY_DTYPE = {t.dtype.dtype: t for t in LEGACY_TYPES}
_BY_NAME = {}
for _t in LEGACY_TYPES:
    _BY_NAME.update({_t.__name__: _t, "autograd_core." + _t.__name__: _t, "torch." + _t.__name__: _t})


def type_name(dtype):
    """``'autograd_core.FloatTensor'`` for float32 (PyTorch's ``'torch.FloatTensor'``)."""
    t = _BY_DTYPE.get(np.dtype(dtype))
    return f"autograd_core.{t.__name__}" if t is not None else f"autograd_core.{dtypes.name(dtype)}"


def resolve_type(dtype):
    """The dtype a ``Tensor.type(...)`` argument names: a dtype, a legacy type or its name (``'torch.LongTensor'``,
    ``'autograd_core.LongTensor'``)."""
    if isinstance(dtype, str):
        t = _BY_NAME.get(dtype)
        if t is None:
            raise ValueError(f"invalid type: '{dtype}'")
        return t.dtype
    if isinstance(dtype, _TensorType):
        return dtype.dtype
    try:
        return dtypes.as_dtype(dtype)
    except TypeError:
        raise TypeError(f"type(): expected a dtype, a tensor type or its name, got {type(dtype).__name__}") from None


def _info_dtype(kind, dtype, where):
    if dtype is None:
        return dtypes.get_default_dtype()
    if isinstance(dtype, (bool, int, float, str)) or not _numpy_dtype_like(dtype):
        raise TypeError(f"{where}(): argument 'type' (position 1) must be a dtype, not {type(dtype).__name__}")
    d = dtypes.as_dtype(dtype)
    if d.kind not in kind:
        if d.kind == "b":
            raise TypeError(f"{d} is not supported by autograd_core.{where}")
        other = "iinfo" if where == "finfo" else "finfo"
        need = "a floating point" if where == "finfo" else "an integer"
        raise TypeError(f"autograd_core.{where}() requires {need} input type. Use autograd_core.{other} to handle "
                        f"'autograd_core.{where}'")
    return d


def _numpy_dtype_like(obj):
    try:
        np.dtype(obj)
        return True
    except TypeError:
        return False


class finfo:
    """Machine limits of a floating dtype, as ``torch.finfo``: ``bits``, ``eps``, ``max``, ``min``, ``tiny``,
    ``smallest_normal``, ``resolution`` (floats) and ``dtype`` (its name); ``finfo()`` is the default dtype's."""

    def __init__(self, type=None):   # noqa: A002  (torch's argument name)
        d = _info_dtype("fc", type, "finfo")
        info = np.finfo(d.dtype)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -int(info.precision)
        self.dtype = info.dtype.name

    def __eq__(self, other):
        return isinstance(other, finfo) and self.dtype == other.dtype

    def __hash__(self):
        return hash(("finfo", self.dtype))

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """Limits of an integer dtype, as ``torch.iinfo``: ``bits``, ``max``, ``min`` (ints) and ``dtype`` (its
    name)."""

    def __init__(self, type):   # noqa: A002
        d = _info_dtype("iu", type, "iinfo")
        info = np.iinfo(d.dtype)
        self.bits = int(info.bits)
        self.max = int(info.max)
        self.min = int(info.min)
        self.dtype = np.dtype(d.dtype).name

    def __eq__(self, other):
        return isinstance(other, iinfo) and self.dtype == other.dtype

    def __hash__(self):
        return hash(("iinfo", self.dtype))

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
