"""dtypes and PyTorch's rules for turning Python data into arrays.

A dtype is a :class:`dtype` object that prints as PyTorch's (``autograd_core.float32``) and stands for one numpy
dtype: ``t.dtype == autograd_core.float32``, ``t.dtype == numpy.float32`` and ``numpy.zeros(3,
dtype=autograd_core.float32)`` all work, and numpy's attributes (``kind``, ``itemsize``, ``name``, ``type``) are
read through to the numpy dtype.
"""
import builtins

import numpy as np


class dtype:
    """A tensor element type, as ``torch.dtype``: ``autograd_core.float32``, ``autograd_core.int64``...

    It compares equal (and hashes equal) to the numpy dtype it stands for, converts with ``numpy.dtype(d)``,
    and has PyTorch's attributes ``is_floating_point``, ``is_complex``, ``is_signed`` and ``itemsize``. dtypes
    are not constructed by users: use the module-level ones.
    """

    __slots__ = ("dtype", "_name", "_hash")

    def __init__(self, np_dtype, name):
        self.dtype = np.dtype(np_dtype)    # numpy reads this attribute to convert (np.dtype(d), dtype=d)
        self._name = name
        self._hash = hash(self.dtype)

    @property
    def is_floating_point(self):
        return self.dtype.kind == "f"

    @property
    def is_complex(self):
        return self.dtype.kind == "c"

    @property
    def is_signed(self):
        return self.dtype.kind in "ifc"

    @property
    def itemsize(self):
        return self.dtype.itemsize

    def to_complex(self):
        """The complex dtype of this floating dtype (``float32 -> complex64``)."""
        return as_dtype({4: np.complex64, 8: np.complex128}.get(self.dtype.itemsize, np.complex64)) \
            if self.dtype.kind == "f" else self

    def to_real(self):
        """The real dtype of this complex dtype (``complex64 -> float32``)."""
        return as_dtype({8: np.float32, 16: np.float64}[self.dtype.itemsize]) if self.dtype.kind == "c" else self

    def __getattr__(self, attr):          # kind, name, type, char, str... of the numpy dtype
        return getattr(object.__getattribute__(self, "dtype"), attr)

    def __eq__(self, other):
        if isinstance(other, dtype):
            return self.dtype == other.dtype
        if other is None:                 # numpy reads None as float64; a dtype never equals None
            return False
        try:
            return self.dtype == np.dtype(other)
        except (TypeError, ValueError):
            return NotImplemented

    def __ne__(self, other):
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self):
        return self._hash

    def __repr__(self):
        return "autograd_core." + self._name

    __str__ = __repr__

    def __reduce__(self):
        return (as_dtype, (self.dtype.str,))

    def __call__(self, value):
        """A numpy scalar of this dtype (``autograd_core.float32(1.5)``, as ``numpy.float32(1.5)``)."""
        return self.dtype.type(value)


_BY_NUMPY = {}


def _make(np_type, name):
    d = dtype(np_type, name)
    _BY_NUMPY[d.dtype] = d
    return d


float16 = half = _make(np.float16, "float16")
float32 = float = _make(np.float32, "float32")
float64 = double = _make(np.float64, "float64")
complex64 = cfloat = _make(np.complex64, "complex64")
complex128 = cdouble = _make(np.complex128, "complex128")
int8 = _make(np.int8, "int8")
uint8 = _make(np.uint8, "uint8")
int16 = short = _make(np.int16, "int16")
uint16 = _make(np.uint16, "uint16")
int32 = int = _make(np.int32, "int32")
uint32 = _make(np.uint32, "uint32")
int64 = long = _make(np.int64, "int64")
uint64 = _make(np.uint64, "uint64")
bool = _make(np.bool_, "bool")

_NAMES = {d: o._name for d, o in _BY_NUMPY.items()}


def as_dtype(d):
    """The :class:`dtype` of anything numpy reads as a dtype (a numpy dtype or type, a string, a dtype)."""
    if type(d) is dtype:
        return d
    nd = np.dtype(d)
    out = _BY_NUMPY.get(nd)
    if out is None:
        out = _make(nd, nd.name)
    return out


_default_float = np.dtype(np.float32)


def get_default_dtype():
    """The dtype Python floats become (float32 unless :func:`set_default_dtype` changed it)."""
    return _BY_NUMPY[_default_float]


def set_default_dtype(dtype):
    """Set the dtype Python floats become (float32 unless changed, as in PyTorch)."""
    global _default_float
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"only floating-point types are supported as the default type, got {dtype}")
    _default_float = dtype


def name(dtype):
    return _NAMES.get(np.dtype(dtype), str(dtype))


def is_floating(dtype):
    return np.dtype(dtype).kind in "fc"


def is_integer(dtype):
    return np.dtype(dtype).kind in "iu"


_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def _category(dtype):
    return _CATEGORY[np.dtype(dtype).kind]


def _default_of(category):
    """The dtype a Python number of this category becomes (bool, int64, the default float, its complex)."""
    if category == 0:
        return np.dtype(np.bool_)
    if category == 1:
        return np.dtype(np.int64)
    if category == 2:
        return _default_float
    return np.dtype(np.complex128 if _default_float == np.float64 else np.complex64)


def promote_types(a, b):
    """PyTorch's ``torch.promote_types``: within a category numpy's promotion (``uint8 + int8 -> int16``); across
    categories the higher one's dtype (``int64 + float32 -> float32``, ``bool + uint8 -> uint8``)."""
    a, b = np.dtype(a), np.dtype(b)
    ca, cb = _category(a), _category(b)
    if ca == cb:
        return np.promote_types(a, b)
    return a if ca > cb else b


def result_type(*operands):
    """PyTorch's ``torch.result_type``: the dtype an op on these operands (tensors, arrays, Python numbers) computes in.

    Tensors with dimensions decide; a 0-d tensor only counts when its category (bool < integer < floating <
    complex) is higher, and a Python number only when its category is higher still, then giving that category's
    default (``int_tensor * 2.5`` is float32, ``float32_tensor + float64_0d`` stays float32).
    """
    dim_dt = zero_dt = None
    scalar_cat = -1
    for x in operands:
        if hasattr(x, "dtype") and hasattr(x, "ndim") and not isinstance(x, np.generic):
            if x.ndim:
                dim_dt = x.dtype if dim_dt is None else promote_types(dim_dt, x.dtype)
            else:
                zero_dt = x.dtype if zero_dt is None else promote_types(zero_dt, x.dtype)
        elif isinstance(x, (builtins.bool, np.bool_)):
            scalar_cat = max(scalar_cat, 0)
        elif isinstance(x, (builtins.int, np.integer)):
            scalar_cat = max(scalar_cat, 1)
        elif isinstance(x, (builtins.float, np.floating)):
            scalar_cat = max(scalar_cat, 2)
        elif isinstance(x, (builtins.complex, np.complexfloating)):
            scalar_cat = max(scalar_cat, 3)
        else:
            raise TypeError(f"result_type: unsupported operand of type {type(x).__name__}")
    out = dim_dt
    if zero_dt is not None and (out is None or _category(zero_dt) > _category(out)):
        out = zero_dt
    if scalar_cat >= 0 and (out is None or scalar_cat > _category(out)):
        out = _default_of(scalar_cat)
    return np.dtype(out)


def can_cast(from_dtype, to_dtype):
    """PyTorch's rule for writing an op's result into an existing tensor (in-place ops): no complex into real, no
    floating into integer, nothing but bool into bool."""
    f, t = np.dtype(from_dtype), np.dtype(to_dtype)
    if f.kind == "c" and t.kind != "c":
        return False
    if f.kind in "fc" and t.kind in "iub":
        return False
    return not (f.kind != "b" and t.kind == "b")


_TORCH_TYPE_NAMES = {"b": "Bool", "u1": "Byte", "i1": "Char", "i2": "Short", "i4": "Int", "i8": "Long",
                     "f2": "Half", "f4": "Float", "f8": "Double"}


def torch_type_name(dtype):
    """PyTorch's scalar-type name of a dtype, as its error messages print it (``'Long'`` for int64)."""
    dtype = np.dtype(dtype)
    return _TORCH_TYPE_NAMES.get("b" if dtype.kind == "b" else f"{dtype.kind}{dtype.itemsize}", str(dtype))


_C_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int", "int32": "int",
                 "int16": "short int", "int8": "signed char", "uint8": "unsigned char", "bool": "bool"}


def c_type_name(dtype):
    """The C type name PyTorch's dtype-mismatch messages print (``'float'`` for float32, ``'long int'``)."""
    return _C_TYPE_NAMES.get(np.dtype(dtype).name, str(dtype))
