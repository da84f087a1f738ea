"""Bitwise ops on integer and bool tensors (``&``, ``|``, ``^``, ``~``, ``<<``, ``>>``): no gradient.

Operands promote as PyTorch's (``bool & int64 -> int64``, ``int32 | 3 -> int32``); on bool tensors
``&``/``|``/``^``/``~`` are the logical ops and stay bool. Floating tensors are refused with PyTorch's
``NotImplementedError``. Shifts follow PyTorch's CPU kernels: a left shift by a negative count or by the bit width
or more gives 0; such a right shift gives the sign fill (0 or -1).
"""
import numpy as np

from ..tensor import Tensor
from .elementwise import promoted, torch_type_name
from .registry import op


def _integral(name, *tensors, allow_bool=True):
    for t in tensors:
        kind = t._data.dtype.kind
        if kind not in ("iub" if allow_bool else "iu"):
            raise NotImplementedError(f'"{name}" not implemented for \'{torch_type_name(t._data.dtype)}\'')


def _binary(name, f, input, other):
    a, b = promoted(input, other)
    _integral(name, a)
    return Tensor._make(np.asarray(f(a._data, b._data)))


@op(inplace=True, differentiable=False)
def bitwise_and(input, other):
    """Bitwise AND of integer or bool tensors (logical AND for bool)."""
    return _binary("bitwise_and_cpu", np.bitwise_and, input, other)


@op(inplace=True, differentiable=False)
def bitwise_or(input, other):
    """Bitwise OR of integer or bool tensors (logical OR for bool)."""
    return _binary("bitwise_or_cpu", np.bitwise_or, input, other)


@op(inplace=True, differentiable=False)
def bitwise_xor(input, other):
    """Bitwise XOR of integer or bool tensors (logical XOR for bool)."""
    return _binary("bitwise_xor_cpu", np.bitwise_xor, input, other)


@op(inplace=True, differentiable=False)
def bitwise_not(input):
    """Bitwise NOT of an integer tensor (``-x - 1`` for signed types); logical NOT for bool."""
    _integral("bitwise_not_cpu", input)
    return Tensor._make(np.asarray(np.invert(input._data)))


def _unsigned(dtype):
    return np.dtype(f"u{dtype.itemsize}")


def _lshift(x, s):
    bits = x.dtype.itemsize * 8
    x, s = np.broadcast_arrays(x, s)
    bad = (s < 0) | (s >= bits)
    count = np.where(bad, 0, s).astype(_unsigned(x.dtype))
    out = np.left_shift(np.ascontiguousarray(x).view(_unsigned(x.dtype)), count).view(x.dtype)
    return np.where(bad, x.dtype.type(0), out)


def _rshift(x, s):
    signed = x.dtype.kind == "i"
    max_shift = x.dtype.itemsize * 8 - (1 if signed else 0)
    x, s = np.broadcast_arrays(x, s)
    bad = (s < 0) | (s >= max_shift)
    if not signed:
        count = np.where(bad, 0, s).astype(x.dtype)
        return np.where(bad, x.dtype.type(0), np.right_shift(x, count))
    return np.right_shift(x, np.where(bad, max_shift, s).astype(x.dtype))


@op(inplace=True, differentiable=False)
def bitwise_left_shift(input, other):
    """``input << other`` on integer tensors, wrapping like the integer type (0 for counts outside
    ``[0, bits)``)."""
    a, b = promoted(input, other)
    _integral("lshift_cpu", a, allow_bool=False)
    return Tensor._make(np.asarray(_lshift(a._data, b._data)))


@op(inplace=True, differentiable=False)
def bitwise_right_shift(input, other):
    """``input >> other`` on integer tensors: arithmetic for signed types (the sign fill for counts outside
    ``[0, bits)``)."""
    a, b = promoted(input, other)
    _integral("rshift_cpu", a, allow_bool=False)
    return Tensor._make(np.asarray(_rshift(a._data, b._data)))
