"""Comparisons, logical ops and value tests: boolean results, no gradient.

Operands broadcast and promote like the arithmetic ops (``elementwise.operands``); the results are ``bool``
tensors (``allclose`` and ``equal`` return Python bools, as PyTorch's do).
"""
import numpy as np

from ..tensor import Tensor
from .elementwise import operands
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
