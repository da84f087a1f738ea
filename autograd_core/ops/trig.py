"""Trigonometric and hyperbolic functions, their inverses, ``atan2``, ``hypot``, ``sinc`` and the angle conversions.

Integer and bool inputs compute in the default float dtype (``torch.tan(int_tensor)`` is float32). Derivatives
are PyTorch's; where one is undefined (``asin`` at +-1) it is whatever the formula gives there (inf), as in PyTorch.
"""
import math

import numpy as np

from ..function import Function
from .elementwise import cos, floating, mul, promoted, require_floating, sin, where
from .registry import op


class TanFunction(Function):
    derivative = "∂out/∂a = 1 + tan²(a) = 1 + out²"

    def forward(self, a):
        self.save_output()
        return np.tan(a._data)

    def backward(self, grad):
        y = self.saved_output
        return grad * (y * y + 1.0)


class AsinFunction(Function):
    derivative = "∂out/∂a = 1/sqrt(1 - a²)"

    def forward(self, a):
        self.save_for_backward(a)
        return np.arcsin(a._data)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * (1.0 - a * a).rsqrt()


class AcosFunction(Function):
    derivative = "∂out/∂a = -1/sqrt(1 - a²)"

    def forward(self, a):
        self.save_for_backward(a)
        return np.arccos(a._data)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return -grad * (1.0 - a * a).rsqrt()


class AtanFunction(Function):
    derivative = "∂out/∂a = 1/(1 + a²)"

    def forward(self, a):
        self.save_for_backward(a)
        return np.arctan(a._data)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad / (a * a + 1.0)


class SinhFunction(Function):
    derivative = "∂out/∂a = cosh(a)"

    def forward(self, a):
        self.save_for_backward(a)
        return np.sinh(a._data)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * cosh(a)


class CoshFunction(Function):
    derivative = "∂out/∂a = sinh(a)"

    def forward(self, a):
        self.save_for_backward(a)
        return np.cosh(a._data)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * sinh(a)


class AsinhFunction(Function):
    derivative = "∂out/∂a = 1/sqrt(a² + 1)"

    def forward(self, a):
        self.save_for_backward(a)
        return np.arcsinh(a._data)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * (a * a + 1.0).rsqrt()


class AcoshFunction(Function):
    derivative = "∂out/∂a = 1/sqrt(a² - 1)"

    def forward(self, a):
        self.save_for_backward(a)
        return np.arccosh(a._data)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * (a * a - 1.0).rsqrt()


class AtanhFunction(Function):
    derivative = "∂out/∂a = 1/(1 - a²)"

    def forward(self, a):
        self.save_for_backward(a)
        return np.arctanh(a._data)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad / (1.0 - a * a)


class Atan2Function(Function):
    derivative = "∂out/∂a = b/(a² + b²), ∂out/∂b = -a/(a² + b²)"

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return np.arctan2(a._data, b._data)

    def backward(self, grad):
        a, b = self.saved_tensors
        scale = grad / (a * a + b * b)
        return (scale * b if self.needs_input_grad[0] else None,
                -scale * a if self.needs_input_grad[1] else None)


class HypotFunction(Function):
    derivative = "∂out/∂a = a/out, ∂out/∂b = b/out"

    def forward(self, a, b):
        need = self.needs_input_grad   # grad_a needs a and out, grad_b needs b and out
        self.save_for_backward(a if need[0] else None, b if need[1] else None)
        self.save_output()
        return np.hypot(a._data, b._data)

    def backward(self, grad):
        a, b = self.saved_tensors
        scale = grad / self.saved_output
        return (scale * a if self.needs_input_grad[0] else None,
                scale * b if self.needs_input_grad[1] else None)


class SincFunction(Function):
    derivative = "∂out/∂a = (cos(πa)·πa - sin(πa)) / (πa²), 0 at a = 0"

    def forward(self, a):
        self.save_for_backward(a)
        x = a._data
        with np.errstate(invalid="ignore", divide="ignore"):
            px = x * x.dtype.type(math.pi)
            return np.where(x == 0, x.dtype.type(1), np.sin(px) / px)

    def backward(self, grad):
        (a,) = self.saved_tensors
        zero = a._data == 0
        safe = where(zero, 1.0, a)                  # the formula's 0/0 at a = 0 never enters the graph
        px = safe * math.pi
        d = (px * cos(px) - sin(px)) / (px * safe)
        return grad * where(zero, 0.0, d)


# ---------------------------------------------------------------------- functions
@op(inplace=True)
def tan(input):
    """Tangent (radians)."""
    return TanFunction.apply(floating(input))


@op(inplace=True, aliases=("arcsin",))
def asin(input):
    """Inverse sine; NaN outside ``[-1, 1]``."""
    return AsinFunction.apply(floating(input))


@op(inplace=True, aliases=("arccos",))
def acos(input):
    """Inverse cosine; NaN outside ``[-1, 1]``."""
    return AcosFunction.apply(floating(input))


@op(inplace=True, aliases=("arctan",))
def atan(input):
    """Inverse tangent, in ``(-pi/2, pi/2)``."""
    return AtanFunction.apply(floating(input))


@op(inplace=True)
def sinh(input):
    """Hyperbolic sine."""
    return SinhFunction.apply(floating(input))


@op(inplace=True)
def cosh(input):
    """Hyperbolic cosine."""
    return CoshFunction.apply(floating(input))


@op(inplace=True, aliases=("arcsinh",))
def asinh(input):
    """Inverse hyperbolic sine."""
    return AsinhFunction.apply(floating(input))


@op(inplace=True, aliases=("arccosh",))
def acosh(input):
    """Inverse hyperbolic cosine; NaN below 1."""
    return AcoshFunction.apply(floating(input))


@op(inplace=True, aliases=("arctanh",))
def atanh(input):
    """Inverse hyperbolic tangent; ``+-inf`` at ``+-1``, NaN outside ``[-1, 1]``."""
    return AtanhFunction.apply(floating(input))


@op(inplace=True, aliases=("arctan2",))
def atan2(input, other):
    """The angle of the point ``(other, input)``: ``atan(input / other)`` in the right quadrant, in ``[-pi, pi]``
    (broadcasting; integer operands compute in the default float dtype)."""
    a, b = promoted(input, other)
    return Atan2Function.apply(floating(a), floating(b))


@op(inplace=True)
def hypot(input, other):
    """``sqrt(input² + other²)`` without overflow (floating tensors only, as PyTorch)."""
    a, b = promoted(input, other)
    require_floating("hypot_cpu", a)
    return HypotFunction.apply(a, b)


@op(inplace=True)
def sinc(input):
    """The normalized sinc ``sin(pi x) / (pi x)``, 1 at 0."""
    return SincFunction.apply(floating(input))


@op(inplace=True)
def deg2rad(input):
    """Degrees to radians."""
    return mul(floating(input), math.pi / 180.0)


@op(inplace=True)
def rad2deg(input):
    """Radians to degrees."""
    return mul(floating(input), 180.0 / math.pi)
