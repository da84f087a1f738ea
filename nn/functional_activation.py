"""More activations of ``nn.functional``: piecewise-linear ones, shrinkage, gated and randomized units.

Each is a composition of autograd_core ops (``where`` with a mask computed from the input, ``clamp``, ``sigmoid``,
``softplus``...), written so the gradient at a kink is PyTorch's: ``where(mask, x, c)`` passes the gradient
exactly where ``mask`` holds, so the mask is PyTorch's backward condition (``hardtanh`` passes nothing at
``min_val`` and ``max_val``, where ``clamp`` would pass it). SELU and CELU are ``ops.selu``/``ops.celu``: the
ELU node with other constants.

``inplace=True`` writes the result into the input (:func:`_apply`). A composition is more than one node, so it
reads a private clone of the input: nodes that saved their input keep the old value after the write-back.

Example::

    >>> F.hardtanh(x, -2.0, 2.0)
    >>> F.glu(torch.randn(4, 6), dim=-1).shape
    (4, 3)
"""
import math

import numpy as np

from autograd_core import ops
from autograd_core.errors import ShapeError, fmt_shape
from autograd_core.grad_mode import is_grad_enabled
from autograd_core.inplace import assign, check_inplace
from autograd_core.random import default_generator
from autograd_core.shapes import normalize_dim
from autograd_core.ops.saved import guard
from autograd_core.tensor import Tensor

__all__ = ["threshold", "threshold_", "hardtanh", "hardtanh_", "relu6", "hardsigmoid", "hardswish", "selu",
           "selu_", "celu", "celu_", "mish", "softsign", "tanhshrink", "hardshrink", "softshrink", "rrelu",
           "rrelu_", "glu", "softmin", "prelu"]


def _apply(input, fn, inplace):
    """``fn(input)``, written back into ``input`` when ``inplace`` (PyTorch's ``inplace=True``).

    With a graph to record, ``fn`` reads a clone, so a node inside ``fn`` that saved its input still sees the old
    value; the write-back makes ``input`` stand for the result (``inplace.assign``).
    """
    if not inplace:
        return fn(input)
    check_inplace(input)
    src = input.clone() if is_grad_enabled() and input.requires_grad else input
    return assign(input, fn(src))


def _const(array, like):
    return Tensor._make(np.asarray(array, dtype=like.dtype))


# ---------------------------------------------------------------------- piecewise linear
def threshold(input, threshold, value, inplace=False):
    """``input`` where ``input > threshold``, else ``value`` (the gradient is 0 there)."""
    # guard: PyTorch's node saves the input (changing it in place before backward is an error)
    return _apply(input, lambda x: guard(ops.where(x._data <= threshold, value, x), x, name="ThresholdBackward0"),
                  inplace)


_threshold = threshold


def threshold_(input, threshold, value):
    """In-place :func:`threshold`."""
    return _threshold(input, threshold, value, inplace=True)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """``input`` clipped to ``[min_val, max_val]``; the gradient is 1 strictly inside, 0 at and beyond the bounds."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")

    def f(x):
        d = x._data
        inside = ~((d <= min_val) | (d >= max_val))
        out = ops.where(inside, x, _const(np.clip(d, min_val, max_val), x))
        return guard(out, x, name="HardtanhBackward0")      # PyTorch's node saves the input
    return _apply(input, f, inplace)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    """In-place :func:`hardtanh`."""
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    """``min(max(0, x), 6)`` (``hardtanh(x, 0, 6)``: the gradient at 0 and 6 is 0)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def hardsigmoid(input, inplace=False):
    """``0`` for ``x <= -3``, ``1`` for ``x >= 3``, else ``(x + 3) / 6``."""
    def f(x):
        d = x._data
        inside = (d > -3) & (d < 3)
        out = ops.where(inside, (x + 3.0) / 6.0, _const(np.clip(d + 3, 0, 6) / 6, x))
        return guard(out, x, name="HardsigmoidBackward0")   # PyTorch's node saves the input
    return _apply(input, f, inplace)


def hardswish(input, inplace=False):
    """``x * relu6(x + 3) / 6``: 0 below -3, ``x`` above 3 (gradient ``x / 3 + 1/2`` on ``(-3, 3)``; at -3 it is
    0 and at 3 it is 1, as PyTorch's)."""
    def f(x):
        d = x._data
        mid = x * (x + 3.0) / 6.0
        return ops.where(d <= -3, 0.0, ops.where(d < 3, mid, x))
    return _apply(input, f, inplace)


# ---------------------------------------------------------------------- exponential family
def selu(input, inplace=False):
    """``scale * (max(0, x) + min(0, alpha * (exp(x) - 1)))``, ``alpha = 1.6733``, ``scale = 1.0507``."""
    return _apply(input, ops.selu, inplace)


def selu_(input):
    """In-place :func:`selu`."""
    return selu(input, inplace=True)


def celu(input, alpha=1.0, inplace=False):
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``."""
    return _apply(input, lambda x: ops.celu(x, alpha), inplace)


def celu_(input, alpha=1.0):
    """In-place :func:`celu`."""
    return celu(input, alpha, inplace=True)


def mish(input, inplace=False):
    """``x * tanh(softplus(x))`` (softplus without the linear threshold, as PyTorch's kernel)."""
    return _apply(input, lambda x: x * ops.tanh(ops.softplus(x, threshold=math.inf)), inplace)


def softsign(input):
    """``x / (1 + |x|)``."""
    return input / (input.abs() + 1)


def tanhshrink(input):
    """``x - tanh(x)``."""
    return input - ops.tanh(input)


# ---------------------------------------------------------------------- shrinkage
def hardshrink(input, lambd=0.5):
    """``x`` where ``|x| > lambd``, else 0."""
    d = input._data
    return guard(ops.where((d >= -lambd) & (d <= lambd), 0.0, input), input, name="HardshrinkBackward0")


def softshrink(input, lambd=0.5):
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, 0 between (``lambd >= 0``)."""
    if lambd < 0:
        raise RuntimeError(f"softshrink: lambda must be in range [0, inf) for input dtype {input.dtype}, but found "
                           f"{lambd}")
    d = input._data
    shift = _const(np.where(d > 0, lambd, -lambd), input)
    out = ops.where((d >= -lambd) & (d <= lambd), 0.0, input - shift)
    return guard(out, input, name="SoftshrinkBackward0")       # PyTorch's node saves the input


# ---------------------------------------------------------------------- randomized, gated, parametric
def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU: in training each non-positive element gets its own slope ``a ~ U(lower, upper)``
    (drawn from the library generator); otherwise the slope is ``(lower + upper) / 2``."""
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    if not training:
        return _apply(input, lambda x: ops.leaky_relu(x, (lower + upper) / 2), inplace)
    d = input._data
    slopes = default_generator().uniform(lower, upper, size=d.shape)
    noise = _const(np.where(d <= 0, slopes, 1.0), input)
    return _apply(input, lambda x: x * noise, inplace)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    """In-place :func:`rrelu`."""
    return rrelu(input, lower, upper, training, inplace=True)


def glu(input, dim=-1):
    """Gated linear unit: split ``input`` in halves ``a, b`` along ``dim``, return ``a * sigmoid(b)``.

    Shape:
        input ``(*, 2n, *)``, output ``(*, n, *)``.
    """
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = normalize_dim(dim, input.ndim, "glu")
    n = input.shape[d]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {n}")
    a, b = ops.split(input, n // 2, dim=d)
    return a * ops.sigmoid(b)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """``softmax(-x)`` along ``dim``."""
    return ops.softmax(-input, dim=dim, dtype=dtype)


def prelu(input, weight):
    """``x`` where positive, else ``weight * x``; ``weight`` has one element or one per channel (dim 1).

    Shape:
        input ``(N, C, *)`` (or any shape with a one-element weight), weight ``(1,)`` or ``(C,)``.
    """
    if weight.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.ndim}")
    channels = input.shape[1] if input.ndim >= 2 else 1
    n = weight.numel()
    if n != 1 and n != channels:
        raise ShapeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = {n} and "
                         f"channel size = {channels} (input shape {fmt_shape(input.shape)}).")
    w = weight.reshape(()) if n == 1 else weight.reshape((1, n) + (1,) * (input.ndim - 2))
    # PyTorch's node saves input and weight: changing either in place before backward is an error
    return guard(ops.where(input._data > 0, input, w * input), input, weight, name="PreluKernelBackward0")
