"""Special functions: the error-function family, the gamma family, modified Bessel functions of order 0 and 1,
the normal distribution's inverse and log CDF, entropy terms, the Hurwitz zeta.

The values come from ``kernels/special.py`` (computed in float64, returned in the input's dtype; integer inputs
compute in the default float dtype). Every derivative is again one of these functions (``lgamma' = digamma``,
``digamma' = polygamma(1)``, ``i0' = i1``...), so all of them can be differentiated again.

Ops of ``torch.special`` that have no top-level ``torch`` function are registered under their ATen names
(``special_erfcx``, ``special_i1``...) and published by ``autograd_core/special.py`` under PyTorch's names.
"""
import math

import numpy as np

from .. import kernels
from ..function import Function
from ..tensor import Tensor
from .elementwise import floating, promoted, where
from .reduction import sum
from .registry import op, tensor_method
from .shape import unsqueeze

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_PI_OVER_2 = math.sqrt(math.pi) / 2.0
_SQRT_2PI = math.sqrt(2.0 * math.pi)


def _kernel(f, a):
    """A float64 kernel applied to ``a``'s array, the result in ``a``'s dtype."""
    return f(a._data).astype(a._data.dtype, copy=False)


class ErfFunction(Function):
    derivative = "∂out/∂a = 2/√π · exp(-a²)"

    def forward(self, a):
        self.save_for_backward(a)
        return _kernel(kernels.erf, a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * ((a * a * -1.0).exp() * _TWO_OVER_SQRT_PI)


class ErfcFunction(Function):
    derivative = "∂out/∂a = -2/√π · exp(-a²)"

    def forward(self, a):
        self.save_for_backward(a)
        return _kernel(kernels.erfc, a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * ((a * a * -1.0).exp() * -_TWO_OVER_SQRT_PI)


class ErfcxFunction(Function):
    derivative = "∂out/∂a = 2a·out - 2/√π"

    def forward(self, a):
        self.save_for_backward(a)
        self.save_output()
        return _kernel(kernels.erfcx, a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * (a * self.saved_output * 2.0 - _TWO_OVER_SQRT_PI)


class ErfinvFunction(Function):
    derivative = "∂out/∂a = √π/2 · exp(out²)"

    def forward(self, a):
        self.save_for_backward(a)    # the input, not the output, as PyTorch's node (erfinv is recomputed)
        return _kernel(kernels.erfinv, a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        y = ErfinvFunction.apply(a)
        return grad * ((y * y).exp() * _SQRT_PI_OVER_2)


class NdtriFunction(Function):
    derivative = "∂out/∂a = √(2π) · exp(out²/2)"

    def forward(self, a):
        self.save_output()
        return _kernel(kernels.ndtri, a)

    def backward(self, grad):
        y = self.saved_output
        return grad * ((y * y * 0.5).exp() * _SQRT_2PI)


class LogNdtrFunction(Function):
    derivative = "∂out/∂a = φ(a) / Φ(a) = exp(-a²/2 - out) / √(2π)"

    def forward(self, a):
        self.save_for_backward(a)
        self.save_output()
        return _kernel(kernels.log_ndtr, a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * ((a * a * -0.5 - self.saved_output).exp() * (1.0 / _SQRT_2PI))


class LgammaFunction(Function):
    derivative = "∂out/∂a = digamma(a)"

    def forward(self, a):
        self.save_for_backward(a)
        return _kernel(kernels.lgamma, a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * digamma(a)


class DigammaFunction(Function):
    derivative = "∂out/∂a = polygamma(1, a)"

    def forward(self, a):
        self.save_for_backward(a)
        return _kernel(kernels.digamma, a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * polygamma(1, a)


class PolygammaFunction(Function):
    derivative = "∂out/∂a = polygamma(n + 1, a)"

    def forward(self, a, n=1):
        self.n = n
        self.save_for_backward(a)
        return _kernel(lambda x: kernels.polygamma(n, x), a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * polygamma(self.n + 1, a)


class BesselIFunction(Function):
    """``I0``, ``I1`` and their scaled forms ``exp(-|x|) I_nu(x)``; derivatives from ``I0' = I1`` and
    ``I1' = I0 - I1/x`` (0.5 at 0, PyTorch's)."""
    label = "bessel_i"
    derivative = "I0' = I1, I1' = I0 - I1/x; scaled: minus sign(x)·out"

    def forward(self, a, nu=0, scaled=False):
        self.nu, self.scaled = nu, scaled
        self.save_for_backward(a)
        if nu or scaled:              # i0's derivative reads only the input (PyTorch's node saves only that)
            self.save_output()
        return _kernel(lambda x: kernels.bessel_i(nu, x, scaled), a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        out = self.saved_output if self.nu or self.scaled else None
        if self.nu == 0:
            d = special_i1e(a) if self.scaled else special_i1(a)
            if self.scaled:
                d = d - a.sign() * out
            return grad * d
        tiny = np.abs(a._data) <= np.finfo(a.dtype).eps
        safe = where(tiny, float(np.finfo(a.dtype).eps), a)
        d = (special_i0e(safe) if self.scaled else i0(safe)) - out / safe
        if self.scaled:
            d = d - safe.sign() * out
        return grad * where(tiny, 0.5, d)


class EntrFunction(Function):
    derivative = "∂out/∂a = -(1 + ln a)"

    def forward(self, a):
        self.save_for_backward(a)
        x = a._data
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(x > 0, -x * np.log(np.where(x > 0, x, 1)), np.where(x == 0, 0, -np.inf))
        return np.where(np.isnan(x), x, out).astype(x.dtype)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * -(a.log() + 1.0)


class Xlog1pyFunction(Function):
    derivative = "∂out/∂x = log1p(y) (0 where x = 0 and y <= -1), ∂out/∂y = x/(1 + y)"

    def forward(self, a, b):
        self.save_for_backward(a, b)
        x, y = a._data, b._data
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(np.isnan(y), np.nan, np.where(x == 0, 0, x * np.log1p(y))).astype(x.dtype)

    def backward(self, grad):
        a, b = self.saved_tensors
        ga = gb = None
        if self.needs_input_grad[0]:
            ga = where((a._data == 0) & (b._data <= -1), 0.0, special_xlog1py(grad, b))
        if self.needs_input_grad[1]:
            gb = grad * a / (b + 1.0)
        return ga, gb


# ---------------------------------------------------------------------- functions (torch.<name>)
@op(inplace=True)
def erf(input):
    """The error function ``2/sqrt(pi) * integral_0^x exp(-t^2) dt``."""
    return ErfFunction.apply(floating(input))


@op(inplace=True)
def erfc(input):
    """The complementary error function ``1 - erf(input)``, accurate where it is tiny."""
    return ErfcFunction.apply(floating(input))


@op(inplace=True)
def erfinv(input):
    """The inverse error function: ``+-inf`` at ``+-1``, NaN outside ``[-1, 1]``."""
    return ErfinvFunction.apply(floating(input))


@op(inplace=True)
def lgamma(input):
    """``log|Gamma(input)|`` (``inf`` at 0 and the negative integers)."""
    return LgammaFunction.apply(floating(input))


@op(inplace=True)
def digamma(input):
    """``psi(input) = d/dx log Gamma(x)``: ``-inf`` at 0, NaN at the negative integers."""
    return DigammaFunction.apply(floating(input))


@op(method=False)
def polygamma(n, input):
    """The ``n``-th derivative of :func:`digamma` (``n = 0`` is digamma itself)."""
    if int(n) != n or n < 0:
        raise RuntimeError(f"polygamma(n, x) does not support negative n, got n = {n}")
    if n == 0:
        return digamma(input)
    return PolygammaFunction.apply(floating(input), n=int(n))


@tensor_method("polygamma", inplace=True)
def _polygamma_method(self, n):
    """``torch.polygamma(n, self)``."""
    return polygamma(n, self)


@op(inplace=True)
def mvlgamma(input, p):
    """The multivariate log-gamma ``sum_{j<p} lgamma(x - j/2) + p(p-1)/4 log(pi)``."""
    if int(p) != p or p < 1:
        raise RuntimeError(f"p has to be greater than or equal to 1, got {p}")
    p = int(p)
    x = floating(input)
    shifts = Tensor._make(np.arange(-(p - 1) / 2.0, 0.25, 0.5).astype(x.dtype))
    return sum(lgamma(unsqueeze(x, -1) + shifts), dim=-1) + p * (p - 1) * math.log(math.pi) / 4.0


@op(inplace=True)
def i0(input):
    """The modified Bessel function of the first kind of order 0."""
    return BesselIFunction.apply(floating(input), nu=0, scaled=False)


# ---------------------------------------------------------------------- torch.special only (ATen names)
@op(function=False, method=False)
def special_erfcx(input):
    """The scaled complementary error function ``exp(x^2) erfc(x)`` (``torch.special.erfcx``)."""
    return ErfcxFunction.apply(floating(input))


@op(function=False, method=False)
def special_i0e(input):
    """``exp(-|x|) I0(x)`` (``torch.special.i0e``)."""
    return BesselIFunction.apply(floating(input), nu=0, scaled=True)


@op(function=False, method=False)
def special_i1(input):
    """The modified Bessel function of the first kind of order 1 (``torch.special.i1``)."""
    return BesselIFunction.apply(floating(input), nu=1, scaled=False)


@op(function=False, method=False)
def special_i1e(input):
    """``exp(-|x|) I1(x)`` (``torch.special.i1e``)."""
    return BesselIFunction.apply(floating(input), nu=1, scaled=True)


@op(function=False, method=False)
def special_ndtri(input):
    """The inverse of the standard normal CDF (``torch.special.ndtri``)."""
    return NdtriFunction.apply(floating(input))


@op(function=False, method=False)
def special_log_ndtr(input):
    """``log`` of the standard normal CDF, accurate in both tails (``torch.special.log_ndtr``)."""
    return LogNdtrFunction.apply(floating(input))


@op(function=False, method=False)
def special_entr(input):
    """The entropy term ``-x log x`` (0 at 0, ``-inf`` below) (``torch.special.entr``)."""
    return EntrFunction.apply(floating(input))


@op(function=False, method=False)
def special_xlog1py(input, other):
    """``input * log1p(other)``, 0 where ``input == 0`` (``torch.special.xlog1py``); either may be a number."""
    a, b = promoted(input, other)
    return Xlog1pyFunction.apply(floating(a), floating(b))


@op(function=False, method=False, differentiable=False)
def special_zeta(input, other):
    """The Hurwitz zeta function ``sum_k (k + other)^-input`` (``torch.special.zeta``; no gradient, as PyTorch)."""
    a, b = promoted(input, other)
    a, b = floating(a), floating(b)
    return Tensor._make(kernels.zeta(a._data, b._data).astype(a.dtype))
