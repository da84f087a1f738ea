"""Logarithms and exponentials in other bases, their stable combinations, ``logit`` and ``float_power``.

``logaddexp(a, b) = log(exp(a) + exp(b))`` never overflows (numpy's, shifted by the maximum); ``xlogy(x, y)`` is
``x * log(y)`` with 0 where ``x == 0`` (so ``0 * log(0) = 0``, the convention of entropies). Integer inputs compute
in the default float dtype, except where PyTorch has no integer kernel (``logaddexp``), which raises as it does.
"""
import math

import numpy as np

from ..function import Function
from ..inplace import assign, check_inplace
from ..tensor import Tensor
from .elementwise import cast, floating, pow, promoted, require_floating, torch_type_name, where
from .registry import op, tensor_method

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


class Log2Function(Function):
    derivative = "∂out/∂a = 1/(a·ln 2)"

    def forward(self, a):
        self.save_for_backward(a)
        return np.log2(a._data)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad / (a * _LN2)


class Log10Function(Function):
    derivative = "∂out/∂a = 1/(a·ln 10)"

    def forward(self, a):
        self.save_for_backward(a)
        return np.log10(a._data)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad / (a * _LN10)


class Exp2Function(Function):
    derivative = "∂out/∂a = 2^a·ln 2 = out·ln 2"

    def forward(self, a):
        self.save_output()
        return np.exp2(a._data)

    def backward(self, grad):
        return grad * (self.saved_output * _LN2)


class LogaddexpFunction(Function):
    derivative = "∂out/∂a = 1/(1 + exp(b - a)), ∂out/∂b = 1/(1 + exp(a - b))"

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return np.logaddexp(a._data, b._data)

    def backward(self, grad):
        a, b = self.saved_tensors
        return (grad / ((b - a).exp() + 1.0) if self.needs_input_grad[0] else None,
                grad / ((a - b).exp() + 1.0) if self.needs_input_grad[1] else None)


class Logaddexp2Function(Function):
    derivative = "∂out/∂a = 1/(1 + 2^(b - a)), ∂out/∂b = 1/(1 + 2^(a - b))"

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return np.logaddexp2(a._data, b._data)

    def backward(self, grad):
        a, b = self.saved_tensors
        return (grad / (exp2(b - a) + 1.0) if self.needs_input_grad[0] else None,
                grad / (exp2(a - b) + 1.0) if self.needs_input_grad[1] else None)


class XlogyFunction(Function):
    derivative = "∂out/∂x = log(y) (0 where x = 0 and y <= 0), ∂out/∂y = x/y"

    def forward(self, a, b):
        self.save_for_backward(a, b)
        x, y = a._data, b._data
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(np.isnan(y), np.nan, np.where(x == 0, 0, x * np.log(y))).astype(x.dtype)

    def backward(self, grad):
        a, b = self.saved_tensors
        ga = gb = None
        if self.needs_input_grad[0]:
            ga = where((a._data == 0) & (b._data <= 0), 0.0, xlogy(grad, b))
        if self.needs_input_grad[1]:
            gb = grad * a / b
        return ga, gb


class LogitFunction(Function):
    derivative = "∂out/∂a = 1/(a(1 - a)) (0 outside [eps, 1 - eps] when eps is given)"

    def forward(self, a, eps=None):
        self.save_for_backward(a)
        self.eps = eps
        x = a._data
        if eps is not None:
            x = np.clip(x, eps, 1.0 - eps)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(x / (1 - x))

    def backward(self, grad):
        (a,) = self.saved_tensors
        x = a._data
        d = grad / (a * (1.0 - a))
        if self.eps is None:
            return where((x < 0) | (x > 1), float("nan"), d)
        return where((x < self.eps) | (x > 1.0 - self.eps), 0.0, d)


# ---------------------------------------------------------------------- functions
@op(inplace=True)
def log2(input):
    """Base-2 logarithm."""
    return Log2Function.apply(floating(input))


@op(inplace=True)
def log10(input):
    """Base-10 logarithm."""
    return Log10Function.apply(floating(input))


@op(inplace=True)
def exp2(input):
    """``2 ** input``."""
    return Exp2Function.apply(floating(input))


@op
def logaddexp(input, other):
    """``log(exp(input) + exp(other))``, computed without overflow (floating tensors only)."""
    a, b = promoted(input, other)
    require_floating("logaddexp_cpu", a)
    return LogaddexpFunction.apply(a, b)


@op
def logaddexp2(input, other):
    """``log2(2**input + 2**other)``, computed without overflow (floating tensors only)."""
    a, b = promoted(input, other)
    require_floating("logaddexp2_cpu", a)
    return Logaddexp2Function.apply(a, b)


@op(inplace=True)
def xlogy(input, other):
    """``input * log(other)``, 0 where ``input == 0`` (NaN where ``other`` is); either may be a number."""
    a, b = promoted(input, other)
    return XlogyFunction.apply(floating(a), floating(b))


@op(inplace=True)
def logit(input, eps=None):
    """``log(p / (1 - p))``; with ``eps``, ``p`` is first clamped to ``[eps, 1 - eps]``."""
    return LogitFunction.apply(floating(input), eps=eps)


@op
def float_power(input, exponent):
    """``input ** exponent`` computed in float64 (both operands are cast to double first)."""
    if not isinstance(input, Tensor):
        input = Tensor._make(np.asarray(input, dtype=np.float64))
    base = cast(input, np.float64)
    if isinstance(exponent, Tensor):
        exponent = cast(exponent, np.float64)
    elif not isinstance(exponent, bool):
        exponent = float(exponent)
    return pow(base, exponent)


@tensor_method("float_power_")
def _float_power_(self, exponent):
    """In-place :func:`float_power`: ``self`` must already be float64 (PyTorch's rule)."""
    if self._data.dtype != np.float64:
        raise RuntimeError(f"the base given to float_power_ has dtype {torch_type_name(self.dtype)} but the "
                           f"operation's result requires dtype Double")
    check_inplace(self)
    return assign(self, float_power(self, exponent))

