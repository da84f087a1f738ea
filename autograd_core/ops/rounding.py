"""Rounding, remainders and value clean-up: floor/ceil/round/trunc/frac, fmod/remainder/floor_divide, copysign,
heaviside, nan_to_num, clamp_min/clamp_max.

Gradients are PyTorch's: the rounding functions have a zero gradient (``floor(x)`` requires grad, its gradient is
0); ``frac``, ``fmod`` and ``remainder`` pass the gradient to ``input`` and send ``-trunc(a/b)`` /
``-floor(a/b)`` times it to ``other``; ``floor_divide`` and ``heaviside`` have none. Integer results keep the
integer dtype; integer division by zero raises ``RuntimeError('ZeroDivisionError')`` as PyTorch's CPU kernels do.
"""
import numpy as np

from ..function import Function
from ..tensor import Tensor
from .elementwise import ClampFunction, floating, promoted, require_floating, torch_type_name, where
from .registry import op


def _zeros(grad):
    return Tensor._make(np.zeros(grad.shape, dtype=grad.dtype))


class _PiecewiseConstantFunction(Function):
    """A rounding function: its derivative is 0 wherever it exists."""
    derivative = "∂out/∂a = 0 (piecewise constant)"
    numpy_fn = None

    def forward(self, a):
        return type(self).numpy_fn(a._data)

    def backward(self, grad):
        return _zeros(grad)


class FloorFunction(_PiecewiseConstantFunction):
    numpy_fn = staticmethod(np.floor)


class CeilFunction(_PiecewiseConstantFunction):
    numpy_fn = staticmethod(np.ceil)


class TruncFunction(_PiecewiseConstantFunction):
    numpy_fn = staticmethod(np.trunc)


class RoundFunction(Function):
    derivative = "∂out/∂a = 0 (piecewise constant)"

    def forward(self, a, decimals=0):
        x = a._data
        if decimals == 0:
            return np.rint(x)                   # half to even, as nearbyint
        # PyTorch scales in the input's dtype: rint(x * 10^d) / 10^d, or rint(x / 10^-d) * 10^-d for d < 0
        scale = x.dtype.type(10.0 ** abs(decimals))
        return np.rint(x * scale) / scale if decimals > 0 else np.rint(x / scale) * scale

    def backward(self, grad):
        return _zeros(grad)


class FracFunction(Function):
    derivative = "∂out/∂a = 1"

    def forward(self, a):
        return a._data - np.trunc(a._data)

    def backward(self, grad):
        return grad


def _check_integer_division(a, b):
    if a._data.dtype.kind in "iub" and b._data.dtype.kind in "iub" and np.any(b._data == 0):
        raise RuntimeError("ZeroDivisionError")


class FmodFunction(Function):
    derivative = "∂out/∂a = 1, ∂out/∂b = -trunc(a/b)"

    def forward(self, a, b):
        if self.needs_input_grad[1]:
            self.save_for_backward(a, b)
        return np.fmod(a._data, b._data)

    def backward(self, grad):
        gb = None
        if self.needs_input_grad[1]:
            a, b = self.saved_tensors
            gb = -grad * Tensor._make(np.trunc(a._data / b._data))
        return grad, gb


class RemainderFunction(Function):
    derivative = "∂out/∂a = 1, ∂out/∂b = -floor(a/b)"

    def forward(self, a, b):
        if self.needs_input_grad[1]:
            self.save_for_backward(a, b)
        x, y = a._data, b._data
        if x.dtype.kind in "iub":
            return np.remainder(x, y)
        mod = np.fmod(x, y)                     # PyTorch's rule: fmod, moved by b when the signs differ
        return np.where((mod != 0) & ((y < 0) != (mod < 0)), mod + y, mod)

    def backward(self, grad):
        gb = None
        if self.needs_input_grad[1]:
            a, b = self.saved_tensors
            gb = -grad * Tensor._make(np.floor(a._data / b._data))
        return grad, gb


class CopysignFunction(Function):
    derivative = "∂out/∂a = sign(a)·sign(b) (0 at a = 0), ∂out/∂b = 0"

    def forward(self, a, b):
        out = np.copysign(a._data, b._data)
        if self.needs_input_grad[0]:
            with np.errstate(invalid="ignore", divide="ignore"):
                self.ratio = np.where(a._data == 0, 0, out / np.where(a._data == 0, 1, a._data)).astype(out.dtype)
            self.save_for_backward(a)     # PyTorch's node saves input and result: in-place changes are errors
            self.save_output()
        return out

    def backward(self, grad):
        if self.needs_input_grad[0]:
            self.saved_tensors
            self.saved_output
        ga = grad * Tensor._make(self.ratio) if self.needs_input_grad[0] else None
        return ga, (_zeros(grad) if self.needs_input_grad[1] else None)


class NanToNumFunction(Function):
    derivative = "∂out/∂a = 1 where a is finite, else 0"

    def forward(self, a, nan=0.0, posinf=None, neginf=None):
        x = a._data
        self.finite = np.isfinite(x)
        info = np.finfo(x.dtype)
        return np.nan_to_num(x, nan=nan, posinf=info.max if posinf is None else posinf,
                             neginf=info.min if neginf is None else neginf)

    def backward(self, grad):
        return grad * Tensor._make(self.finite.astype(grad.dtype))


class ClampTensorFunction(Function):
    """``max(a, bound)`` (or ``min``) with PyTorch's clamp gradient: ties go to ``a``, not shared."""
    derivative = "∂out/∂a = 1 where a is inside the bound, ∂out/∂bound = 1 where it is outside"

    def forward(self, a, bound, upper=False):
        x, b = a._data, bound._data
        self.outside = (x > b) if upper else (x < b)
        self.save_for_backward(a, bound)      # PyTorch's node saves both: in-place changes are errors
        return np.where(self.outside, b, x)

    def backward(self, grad):
        self.saved_tensors
        zero = Tensor._make(np.zeros((), dtype=grad.dtype))
        outside = Tensor._make(self.outside)
        return (where(outside, zero, grad) if self.needs_input_grad[0] else None,
                where(outside, grad, zero) if self.needs_input_grad[1] else None)


# ---------------------------------------------------------------------- functions
def _no_bool(name, input):
    if input._data.dtype == np.bool_:
        raise NotImplementedError(f'"{name}" not implemented for \'Bool\'')


def _rounding(cls, name, input):
    _no_bool(name, input)
    if input._data.dtype.kind in "iu":
        return Tensor._make(input._data.copy())      # integers are already rounded
    return cls.apply(input)


@op(inplace=True)
def floor(input):
    """The largest integer ``<= input``; zero gradient. Integer tensors are returned as they are (a copy)."""
    return _rounding(FloorFunction, "floor_vml_cpu", input)


@op(inplace=True)
def ceil(input):
    """The smallest integer ``>= input``; zero gradient."""
    return _rounding(CeilFunction, "ceil_vml_cpu", input)


@op(inplace=True, aliases=("fix",))
def trunc(input):
    """Rounds toward zero; zero gradient."""
    return _rounding(TruncFunction, "trunc_vml_cpu", input)


@op(inplace=True)
def round(input, decimals=0):
    """Rounds half to even, to ``decimals`` decimal places (negative: to tens, hundreds...); zero gradient."""
    _no_bool("round_vml_cpu", input)
    if input._data.dtype.kind in "iu":
        if decimals:
            raise NotImplementedError(f'"round_cpu" not implemented for \'{torch_type_name(input.dtype)}\'')
        return Tensor._make(input._data.copy())
    return RoundFunction.apply(input, decimals=int(decimals))


@op(inplace=True)
def frac(input):
    """``input - trunc(input)`` (the sign of ``input``); floating tensors only."""
    require_floating("frac_cpu", input)
    return FracFunction.apply(input)


@op(inplace=True)
def fmod(input, other):
    """C's ``fmod``: the remainder of ``input / other`` with the sign of ``input`` (broadcasting)."""
    a, b = promoted(input, other)
    _check_integer_division(a, b)
    return FmodFunction.apply(a, b)


@op(inplace=True)
def remainder(input, other):
    """Python's modulus (``%``): the remainder of ``input / other`` with the sign of ``other``."""
    a, b = promoted(input, other)
    _check_integer_division(a, b)
    return RemainderFunction.apply(a, b)


@op(inplace=True, differentiable=False)
def floor_divide(input, other):
    """``floor(input / other)`` (``//``), integer for integer operands; no gradient (as PyTorch)."""
    a, b = promoted(input, other)
    if a._data.dtype == np.bool_:
        raise NotImplementedError('"div_floor_cpu" not implemented for \'Bool\'')
    _check_integer_division(a, b)
    with np.errstate(divide="ignore", invalid="ignore"):
        return Tensor._make(np.asarray(np.floor_divide(a._data, b._data)))


@op(inplace=True)
def copysign(input, other):
    """``|input|`` with the sign of ``other`` (float result); the gradient to ``other`` is zero."""
    a, b = promoted(input, other)
    if a._data.dtype.kind in "iub":
        a, b = floating(a), floating(b)
    return CopysignFunction.apply(a, b)


@op(inplace=True, differentiable=False)
def heaviside(input, values):
    """The step function: 0 below 0, ``values`` at 0, 1 above (NaN gives 0); both must share a dtype."""
    if not isinstance(values, Tensor) or input._data.dtype != values._data.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    x, v = input._data, values._data
    return Tensor._make(np.asarray(np.where(x == 0, v, x > 0).astype(x.dtype)))


@op(inplace=True)
def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """NaN -> ``nan``, +inf -> ``posinf``, -inf -> ``neginf`` (the dtype's largest / lowest by default); the
    gradient is 0 where the input wasn't finite."""
    if input._data.dtype.kind not in "fc":
        return Tensor._make(input._data.copy())
    return NanToNumFunction.apply(input, nan=nan, posinf=posinf, neginf=neginf)


def _clamp_bound(input, bound, upper):
    if isinstance(bound, Tensor):
        a, b = promoted(input, bound)
        return ClampTensorFunction.apply(a, b, upper=upper)
    a = promoted(input, bound)[0]
    bound = a._data.dtype.type(bound)
    return ClampFunction.apply(a, max=bound) if upper else ClampFunction.apply(a, min=bound)


@op(inplace=True)
def clamp_min(input, min):
    """``max(input, min)`` (``min`` a number or a broadcasting tensor); the gradient passes at the bound."""
    return _clamp_bound(input, min, upper=False)


@op(inplace=True)
def clamp_max(input, max):
    """``min(input, max)`` (``max`` a number or a broadcasting tensor); the gradient passes at the bound."""
    return _clamp_bound(input, max, upper=True)
