"""dtypes and PyTorch's rules for turning Python data into arrays.

dtypes are numpy dtypes (``autograd_core.float32 is numpy.float32``), so ``t.dtype == autograd_core.float32`` and
``t.dtype == numpy.float32`` both hold.
"""
import builtins

import numpy as np

float16 = half = np.float16
float32 = float = np.float32
float64 = double = np.float64
int8 = np.int8
uint8 = np.uint8
int16 = short = np.int16
int32 = int = np.int32
int64 = long = np.int64
bool = np.bool_

_NAMES = {np.dtype(np.float16): "float16", np.dtype(np.float32): "float32", np.dtype(np.float64): "float64",
          np.dtype(np.int8): "int8", np.dtype(np.uint8): "uint8", np.dtype(np.int16): "int16",
          np.dtype(np.int32): "int32", np.dtype(np.int64): "int64", np.dtype(np.bool_): "bool"}

_default_float = np.dtype(np.float32)


def get_default_dtype():
    """The dtype Python floats become (float32 unless :func:`set_default_dtype` changed it)."""
    return _default_float


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
