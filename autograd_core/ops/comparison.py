"""Comparisons, logical ops, value tests and ``all``/``any``: boolean results, no gradient.

Operands broadcast and promote like the arithmetic ops (``elementwise.operands``); the results are ``bool``
tensors (``allclose`` and ``equal`` return Python bools, as PyTorch's do).
"""
import numpy as np

from ..dtypes import get_default_dtype
from ..shapes import normalize_dims
from ..tensor import Tensor
from .elementwise import operands, torch_type_name
from .registry import op


def _compare(input, other, f):
    a, b = operands(input, other)
    return Tensor._make(np.asarray(f(a._data, b._data)))


@op(inplace=True, differentiable=False)
def eq(input, other):
    """``input == other`` elementwise."""
    return _compare(input, other, np.equal)


@op(inplace=True, differentiable=False)
def ne(input, other):
    """``input != other`` elementwise."""
    return _compare(input, other, np.not_equal)


@op(inplace=True, differentiable=False)
def lt(input, other):
    """``input < other`` elementwise."""
    return _compare(input, other, np.less)


@op(inplace=True, differentiable=False)
def le(input, other):
    """``input <= other`` elementwise."""
    return _compare(input, other, np.less_equal)


@op(inplace=True, differentiable=False)
def gt(input, other):
    """``input > other`` elementwise."""
    return _compare(input, other, np.greater)


@op(inplace=True, differentiable=False)
def ge(input, other):
    """``input >= other`` elementwise."""
    return _compare(input, other, np.greater_equal)


@op(inplace=True, differentiable=False)
def logical_and(input, other):
    """Elementwise logical AND (nonzero is True)."""
    return _compare(input, other, np.logical_and)


@op(inplace=True, differentiable=False)
def logical_or(input, other):
    """Elementwise logical OR (nonzero is True)."""
    return _compare(input, other, np.logical_or)


@op(inplace=True, differentiable=False)
def logical_xor(input, other):
    """Elementwise logical XOR (nonzero is True)."""
    return _compare(input, other, np.logical_xor)


@op(inplace=True, differentiable=False)
def logical_not(input):
    """Elementwise logical NOT (nonzero is True)."""
    return Tensor._make(np.logical_not(input._data))


@op(differentiable=False)
def isnan(input):
    """True where ``input`` is NaN."""
    return Tensor._make(np.isnan(input._data))


@op(differentiable=False)
def isinf(input):
    """True where ``input`` is +inf or -inf."""
    return Tensor._make(np.isinf(input._data))


@op(differentiable=False)
def isfinite(input):
    """True where ``input`` is neither NaN nor infinite."""
    return Tensor._make(np.isfinite(input._data))


@op(differentiable=False)
def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Whether ``|input - other| <= atol + rtol * |other|`` everywhere (a Python bool)."""
    a, b = operands(input, other)
    return bool(np.allclose(a._data, b._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


@op(differentiable=False)
def equal(input, other):
    """Whether both have the same shape and elements (a Python bool)."""
    a, b = operands(input, other)
    return a.shape == b.shape and bool(np.array_equal(a._data, b._data))


@op(differentiable=False)
def isposinf(input):
    """True where ``input`` is +inf."""
    return Tensor._make(np.isposinf(input._data) if input._data.dtype.kind == "f" else np.zeros(input.shape, bool))


@op(differentiable=False)
def isneginf(input):
    """True where ``input`` is -inf."""
    return Tensor._make(np.isneginf(input._data) if input._data.dtype.kind == "f" else np.zeros(input.shape, bool))


@op(differentiable=False)
def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """``|input - other| <= atol + rtol * |other|`` elementwise (exact equality always counts, infinities only
    equal themselves); both tensors must share a dtype, as in PyTorch."""
    if not isinstance(other, Tensor):
        other = Tensor._make(np.asarray(other, dtype=input.dtype))
    if input.dtype != other.dtype:
        raise RuntimeError(f"{torch_type_name(input.dtype)} did not match {torch_type_name(other.dtype)}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
    x, y = input._data, other._data
    close = x == y
    if equal_nan and x.dtype.kind == "f":
        close = close | (np.isnan(x) & np.isnan(y))
    if rtol == 0 and atol == 0:
        return Tensor._make(np.asarray(close))
    if x.dtype == np.bool_:
        x, y = x.astype(get_default_dtype()), y.astype(get_default_dtype())
    fy = y if y.dtype.kind == "f" else y.astype(get_default_dtype())
    with np.errstate(invalid="ignore", over="ignore"):
        allowed = atol + np.abs(rtol * fy)
        actual = np.abs(x - y)
        close = close | (np.isfinite(actual) & (actual <= allowed))
    return Tensor._make(np.asarray(close))


def _all_any(f, input, dim, keepdim, name):
    x = input._data
    if dim is None:
        out = np.asarray(f(x))
        if keepdim:
            out = out.reshape((1,) * x.ndim)
    else:
        out = np.asarray(f(x, axis=normalize_dims(dim, x.ndim, name), keepdims=keepdim))
    return Tensor._make(out.astype(np.uint8) if x.dtype == np.uint8 else out)


@op(differentiable=False)
def all(input, dim=None, keepdim=False):
    """Whether every element (along ``dim``: int, tuple or None) is nonzero; bool (uint8 for uint8 input)."""
    return _all_any(np.all, input, dim, keepdim, "all")


@op(differentiable=False)
def any(input, dim=None, keepdim=False):
    """Whether some element (along ``dim``: int, tuple or None) is nonzero; bool (uint8 for uint8 input)."""
    return _all_any(np.any, input, dim, keepdim, "any")
