"""dtypes and PyTorch's rules for turning Python data into arrays.

dtypes are numpy dtypes (``autograd_core.float32 is numpy.float32``), so ``t.dtype == autograd_core.float32`` and
``t.dtype == numpy.float32`` both hold.
"""
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
