"""Activations with their own graph node. Derivatives use the saved output where possible (tanh, sigmoid, relu).

Conventions at kinks follow PyTorch: relu'(0) = 0; leaky_relu'(0) = negative_slope; elu'(0) = alpha.

Each of these is one node for a reason a composition of Tensor ops can't meet:

- ``NormalCdfFunction`` (exact GELU): numpy has no ``erf`` (``kernels/special.py``); its derivative is the normal
  density, written in Tensor ops.
- ``SoftplusFunction``: ``log1p(exp(x))`` without overflow, with the derivative ``sigmoid(beta * x)``.
- ``EluFunction``, ``SiluFunction``: single nodes, so that ``inplace=True`` (``inplace.assign`` rebases ONE node)
  works; their ``exp`` never overflows. ``EluFunction`` takes ATen's ``scale`` and ``input_scale`` too, so SELU
  and CELU are the same node with other constants.

Compositions (``gelu``, ``logsigmoid``, ``softmax``...) live in ``nn/functional.py`` and ``ops/reduction.py``.
Backward passes are written in Tensor ops, so they can be differentiated again (``create_graph=True``).
"""
import math

import numpy as np

from .. import kernels
from ..kernels import buffers
from ..function import Function
from ..grad_mode import is_grad_enabled
from ..tensor import Tensor
from .elementwise import clamp, where
from .registry import op

_SQRT1_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


class TanhFunction(Function):
    derivative = "∂out/∂a = 1 - out²"
    def forward(self, a):
        self.save_output()
        return np.tanh(a._data)

    def backward(self, grad):
        y = self.saved_output
        return grad * (1.0 - y * y)


class SigmoidFunction(Function):
    derivative = "∂out/∂a = out·(1 - out)"
    def forward(self, a):
        self.save_output()
        x = a._data
        e = np.exp(-np.abs(x))          # never overflows
        return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype, copy=False)

    def backward(self, grad):
        y = self.saved_output
        return grad * (y * (1.0 - y))


class ReluFunction(Function):
    label = "relu"
    derivative = "∂out/∂a = 1 where out > 0, else 0"

    def forward(self, a):
        self.save_output()
        x = a._data
        if x.dtype.kind == "f" and x.flags.c_contiguous:
            return np.maximum(x, 0, out=buffers.lease(x.shape, x.dtype))   # pooled pages (kernels/buffers.py)
        return np.maximum(x, 0)

    def backward(self, grad):
        y = self.saved_output
        if not is_grad_enabled():
            # not recorded (the usual backward): PyTorch's threshold_backward, one pass and one new array (an inf
            # gradient where the output is 0 gives 0, not inf * 0); a NaN output passes its gradient
            g, yd = grad._data, y._data
            if g.dtype == yd.dtype and g.shape == yd.shape and g.flags.c_contiguous and yd.flags.c_contiguous:
                return Tensor._make(kernels.relu_backward(yd, g, buffers.lease(g.shape, g.dtype)))
            return Tensor._make(np.where(yd <= 0, g.dtype.type(0), g))
        return where(Tensor._make(y._data <= 0), 0.0, grad)   # recorded (create_graph): the same, as an op


class LeakyReluFunction(Function):
    label = "leaky_relu"
    derivative = "∂out/∂a = 1 where a > 0, else negative_slope"

    def forward(self, a, negative_slope=0.01):
        self.save_for_backward(a)
        self.slope = negative_slope
        x = a._data
        return np.where(x > 0, x, x * x.dtype.type(negative_slope))

    def backward(self, grad):
        (a,) = self.saved_tensors
        x = a._data
        return grad * Tensor._make(np.where(x > 0, 1.0, self.slope).astype(grad.dtype))


class NormalCdfFunction(Function):
    """The standard normal CDF ``Phi(x) = (1 + erf(x / sqrt(2))) / 2``; its derivative is the density."""
    label = "normal_cdf"
    derivative = "∂out/∂a = exp(-a²/2) / sqrt(2π), the normal density"

    def forward(self, a):
        self.save_for_backward(a)
        x = a._data
        return (0.5 * (1.0 + kernels.erf(x * _SQRT1_2))).astype(x.dtype, copy=False)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * ((a * a * -0.5).exp() * _INV_SQRT_2PI)


class EluFunction(Function):
    """``scale * x`` for ``x > 0`` else ``scale * alpha * (exp(input_scale * x) - 1)``: ELU, and with other
    constants SELU and CELU (ATen's ``elu(x, alpha, scale, input_scale)``). One node, so ``inplace=True`` can
    rebase it."""
    label = "elu"
    derivative = "∂out/∂a = scale where a > 0, else scale·alpha·input_scale·exp(input_scale·a)"

    def forward(self, a, alpha=1.0, scale=1.0, input_scale=1.0):
        self.save_for_backward(a)
        self.alpha, self.scale, self.input_scale = alpha, scale, input_scale
        x = a._data
        neg = np.expm1(np.minimum(x, 0) * input_scale) * (alpha * scale)
        return np.where(x > 0, x * scale if scale != 1.0 else x, neg).astype(x.dtype, copy=False)

    def backward(self, grad):
        (a,) = self.saved_tensors
        # PyTorch: the negative branch holds at x == 0, so elu'(0) = alpha (celu'(0) = 1)
        neg = (clamp(a, max=0.0) * self.input_scale).exp() * (self.alpha * self.scale * self.input_scale)
        return grad * where(a._data > 0, self.scale, neg)


class SiluFunction(Function):
    """``x * sigmoid(x)`` in one node (so ``inplace=True`` can rebase it); derivative ``s (1 + x (1 - s))``."""
    label = "silu"
    derivative = "∂out/∂a = σ(a)·(1 + a·(1 - σ(a)))"

    def forward(self, a):
        self.save_for_backward(a)
        x = a._data
        e = np.exp(-np.abs(x))                      # the stable sigmoid: exp never overflows
        return x * np.where(x >= 0, 1.0, e) / (1.0 + e)

    def backward(self, grad):
        (a,) = self.saved_tensors
        s = sigmoid(a)
        return grad * (s * (a * (1.0 - s) + 1.0))


class SoftplusFunction(Function):
    """``log(1 + exp(beta * x)) / beta``, linear above ``threshold`` (as PyTorch), computed without overflow."""
    label = "softplus"
    derivative = "∂out/∂a = σ(β·a)"

    def forward(self, a, beta=1.0, threshold=20.0):
        self.save_for_backward(a)
        self.beta, self.threshold = beta, threshold
        x = a._data
        bx = x * beta
        return np.where(bx > threshold, x, np.logaddexp(0, bx) / beta).astype(x.dtype, copy=False)

    def backward(self, grad):
        (a,) = self.saved_tensors
        slope = sigmoid(a * self.beta)    # d/dx softplus = sigmoid(beta x)
        return grad * where(a._data * self.beta > self.threshold, 1.0, slope)


# ---------------------------------------------------------------------- functions
@op(inplace=True)
def tanh(input):
    """Hyperbolic tangent."""
    return TanhFunction.apply(input)


@op(inplace=True)
def sigmoid(input):
    """``1 / (1 + exp(-input))``, computed without overflow."""
    return SigmoidFunction.apply(input)


@op(inplace=True)
def relu(input):
    """``max(input, 0)``; the gradient at 0 is 0 (PyTorch's convention)."""
    return ReluFunction.apply(input)


@op
def leaky_relu(input, negative_slope=0.01):
    """``input`` where positive, else ``negative_slope * input``."""
    return LeakyReluFunction.apply(input, negative_slope=negative_slope)


@op(method=False)
def elu(input, alpha=1.0):
    """``input`` where positive, else ``alpha * (exp(input) - 1)``."""
    return EluFunction.apply(input, alpha=alpha)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


@op(method=False)
def selu(input):
    """``scale * elu(input, alpha)`` with the self-normalizing constants ``alpha = 1.6733``, ``scale = 1.0507``."""
    return EluFunction.apply(input, alpha=_SELU_ALPHA, scale=_SELU_SCALE)


@op(method=False)
def celu(input, alpha=1.0):
    """``input`` where positive, else ``alpha * (exp(input / alpha) - 1)`` (continuously differentiable ELU)."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return EluFunction.apply(input, alpha=alpha, input_scale=1.0 / alpha)


@op(method=False)
def silu(input):
    """``input * sigmoid(input)`` (also called swish)."""
    return SiluFunction.apply(input)


@op(method=False)
def softplus(input, beta=1.0, threshold=20.0):
    """``log(1 + exp(beta * input)) / beta``, and ``input`` itself where ``beta * input > threshold``."""
    return SoftplusFunction.apply(input, beta=beta, threshold=threshold)


@op(method=False)
def normal_cdf(input):
    """The standard normal CDF ``Phi(input)`` (exact GELU is ``x * normal_cdf(x)``)."""
    return NormalCdfFunction.apply(input)
