"""Elementwise arithmetic and math functions.

Binary ops broadcast like numpy; their backward returns full (broadcast-shape) gradients and the engine reduces
them to each input's shape. Where a derivative is undefined we follow PyTorch: abs'(0) = 0, sqrt'(0) = inf,
maximum/minimum split the gradient equally on ties, clamp passes the gradient at the bounds.
"""
import numpy as np

from ..function import Function
from ..grad_mode import is_grad_enabled
from .registry import op, tensor_method
from ..tensor import Tensor, constant, operand
from .. import dtypes


def operands(a, b):
    """Both operands as Tensors of one dtype, PyTorch's (``dtypes.result_type``): a Python float meeting an integer
    tensor makes it the default float dtype; ``int64 + float32`` tensors compute in float32; a 0-d tensor promotes
    only across categories."""
    tb = type(b)
    if (tb is float or tb is int) and type(a) is Tensor:     # the common ``y * 0.5``: one look at the dtype
        dt = a._data.dtype
        if dt.kind in "fc":
            return a, constant(b, dt)
    if not isinstance(a, Tensor):
        if isinstance(a, float) and b._data.dtype.kind in "iub":
            b = cast(b, dtypes.get_default_dtype())
        a = operand(a, b)
    if not isinstance(b, Tensor):
        if isinstance(b, float) and a._data.dtype.kind in "iub":
            a = cast(a, dtypes.get_default_dtype())
        b = operand(b, a)
    if a._data.dtype != b._data.dtype:
        dt = dtypes.result_type(a, b)
        a, b = cast(a, dt), cast(b, dt)
    return a, b


def promoted(*operands):
    """The operands as Tensors of PyTorch's result dtype (``dtypes.result_type``): ``int64 + float32`` tensors
    compute in float32, a 0-d float64 tensor doesn't promote a float32 one; numbers become constants."""
    dt = dtypes.result_type(*operands)
    return tuple(cast(x, dt) if isinstance(x, Tensor) else Tensor._make(np.asarray(x, dtype=dt)) for x in operands)


def floating(input):
    """``input`` cast to the default float dtype when it is an integer or bool tensor (``torch.sin(int_tensor)``
    is float32)."""
    return cast(input, dtypes.get_default_dtype()) if input._data.dtype.kind in "iub" else input


torch_type_name = dtypes.torch_type_name     # re-exported: the ops' error messages use them
c_type_name = dtypes.c_type_name


def require_floating(name, *tensors):
    """Refuse integer and bool tensors where PyTorch has no kernel for them (its NotImplementedError)."""
    for t in tensors:
        if isinstance(t, Tensor) and t._data.dtype.kind not in "fc":
            raise NotImplementedError(f'"{name}" not implemented for \'{dtypes.torch_type_name(t._data.dtype)}\'')


class AddFunction(Function):
    derivative = "∂out/∂a = 1, ∂out/∂b = 1"
    def forward(self, a, b):
        return a._data + b._data

    def backward(self, grad):
        return grad, grad


class SubFunction(Function):
    derivative = "∂out/∂a = 1, ∂out/∂b = -1"
    def forward(self, a, b):
        return a._data - b._data

    def backward(self, grad):
        return grad, (-grad if self.needs_input_grad[1] else None)


class MulFunction(Function):
    derivative = "∂out/∂a = b, ∂out/∂b = a"
    def forward(self, a, b):
        need = self.needs_input_grad   # save only what backward reads: in y = d * w with w constant, d isn't saved
        self.save_inputs(a if need[1] else None, b if need[0] else None)
        return a._data * b._data

    def backward(self, grad):
        a, b = self.saved_tensors
        need = self.needs_input_grad
        if not is_grad_enabled():   # a backward that is not recorded (the usual one): the products on the arrays
            g = grad._data
            return (Tensor._make(g * b._data) if need[0] else None, Tensor._make(g * a._data) if need[1] else None)
        return (grad * b if need[0] else None, grad * a if need[1] else None)


class DivFunction(Function):
    derivative = "∂out/∂a = 1/b, ∂out/∂b = -a/b²"
    def forward(self, a, b):
        need = self.needs_input_grad   # grad_a needs b only; grad_b needs a and b
        self.save_inputs(a if need[1] else None, b if need[0] or need[1] else None)
        x, y = a._data, b._data
        if x.dtype.kind in "iub" and y.dtype.kind in "iub":   # true division of integers gives the default float
            dt = dtypes.get_default_dtype()
            x, y = x.astype(dt), y.astype(dt)
        return x / y

    def backward(self, grad):
        a, b = self.saved_tensors
        need = self.needs_input_grad
        if not is_grad_enabled():   # a backward that is not recorded: the same expressions on the arrays
            g, y = grad._data, b._data
            return (Tensor._make(g / y) if need[0] else None,
                    Tensor._make(-g * a._data / (y * y)) if need[1] else None)
        ga = grad / b if need[0] else None
        gb = -grad * a / (b * b) if need[1] else None
        return ga, gb


class NegFunction(Function):
    derivative = "∂out/∂a = -1"
    def forward(self, a):
        return -a._data

    def backward(self, grad):
        return -grad


class PowFunction(Function):
    """``a ** b`` for tensors a and b (b may be a 0-d constant)."""
    derivative = "∂out/∂a = b·a^(b-1), ∂out/∂b = a^b·ln(a)"

    def forward(self, a, b):
        self.save_for_backward(a, b)
        self.save_output()
        return np.power(a._data, b._data)

    def backward(self, grad):
        a, b = self.saved_tensors
        ga = gb = None
        if self.needs_input_grad[0]:
            ga = where(b == 0, 0.0, grad * b * a ** (b - 1))
        if self.needs_input_grad[1]:
            out = self.saved_output
            # d/db a^b = a^b log a; PyTorch defines it as 0 where a == 0 and b >= 0
            safe_a = where(a == 0, 1.0, a)
            gb = where((a == 0) & (b >= 0), 0.0, grad * out * log(safe_a))
        return ga, gb


class PowScalarFunction(Function):
    """``a ** p`` for a Python-number exponent p."""
    derivative = "∂out/∂a = p·a^(p-1)"

    def forward(self, a, p):
        self.p = p
        self.save_for_backward(a)
        return np.power(a._data, a._data.dtype.type(p)) if a._data.dtype.kind == "f" else np.power(a._data, p)

    def backward(self, grad):
        (a,) = self.saved_tensors
        p = self.p
        if p == 0:
            return grad * 0.0
        if p == 1:
            return grad
        if p == 2:
            return grad * (a * 2.0)
        return grad * (p * pow_scalar(a, p - 1))


class ExpFunction(Function):
    derivative = "∂out/∂a = exp(a) = out"
    def forward(self, a):
        self.save_output()
        return np.exp(a._data)

    def backward(self, grad):
        return grad * self.saved_output


class LogFunction(Function):
    derivative = "∂out/∂a = 1/a"
    def forward(self, a):
        self.save_for_backward(a)
        return np.log(a._data)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad / a


class SqrtFunction(Function):
    derivative = "∂out/∂a = 1/(2·sqrt(a)) = 1/(2·out)"
    def forward(self, a):
        self.save_output()
        return np.sqrt(a._data)

    def backward(self, grad):
        return grad / (self.saved_output * 2.0)


class RsqrtFunction(Function):
    derivative = "∂out/∂a = -1/(2·a^(3/2)) = -out³/2"
    def forward(self, a):
        self.save_output()
        with np.errstate(divide="ignore", invalid="ignore"):
            return 1 / np.sqrt(a._data)

    def backward(self, grad):
        out = self.saved_output
        return grad * (out * out * out) * -0.5


class ReciprocalFunction(Function):
    derivative = "∂out/∂a = -1/a² = -out²"
    def forward(self, a):
        self.save_output()
        with np.errstate(divide="ignore"):
            return 1 / a._data

    def backward(self, grad):
        out = self.saved_output
        return -grad * (out * out)


class AbsFunction(Function):
    derivative = "∂out/∂a = sign(a)"
    def forward(self, a):
        self.save_for_backward(a)
        return np.abs(a._data)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * sign(a)


class SinFunction(Function):
    derivative = "∂out/∂a = cos(a)"
    def forward(self, a):
        self.save_for_backward(a)
        return np.sin(a._data)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * cos(a)


class CosFunction(Function):
    derivative = "∂out/∂a = -sin(a)"
    def forward(self, a):
        self.save_for_backward(a)
        return np.cos(a._data)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return -grad * sin(a)


def _extremum_grads(node, grad, hi, lo):
    """maximum(a, b) (``hi, lo = a, b``; minimum: ``b, a``): the gradient goes to the winner, ties share it equally,
    and where a NaN makes the comparison false both inputs get it (PyTorch's rule)."""
    def weight(loses):
        return Tensor._make(np.where(loses, 0.0, np.where(hi == lo, 0.5, 1.0)).astype(grad.dtype))
    return (grad * weight(hi < lo) if node.needs_input_grad[0] else None,
            grad * weight(hi > lo) if node.needs_input_grad[1] else None)


class MaximumFunction(Function):
    derivative = "the gradient goes to the larger input (split on ties)"
    def forward(self, a, b):
        self.save_for_backward(a, b)
        return np.maximum(a._data, b._data)

    def backward(self, grad):
        a, b = self.saved_tensors
        return _extremum_grads(self, grad, a._data, b._data)


class MinimumFunction(Function):
    derivative = "the gradient goes to the smaller input (split on ties)"
    def forward(self, a, b):
        self.save_for_backward(a, b)
        return np.minimum(a._data, b._data)

    def backward(self, grad):
        a, b = self.saved_tensors
        return _extremum_grads(self, grad, b._data, a._data)


class ClampFunction(Function):
    derivative = "∂out/∂a = 1 inside [min, max], else 0"
    def forward(self, a, min=None, max=None):
        self.save_for_backward(a)
        self.lo, self.hi = min, max
        return np.clip(a._data, min, max)

    def backward(self, grad):
        (a,) = self.saved_tensors
        x = a._data
        keep = np.ones(x.shape, dtype=bool)
        if self.lo is not None:
            keep &= x >= self.lo
        if self.hi is not None:
            keep &= x <= self.hi
        return grad * Tensor._make(keep.astype(grad.dtype))


class WhereFunction(Function):
    """``where(cond, a, b)``; ``cond`` is a constant boolean mask."""
    derivative = "the gradient goes to the input each element was taken from"

    def forward(self, a, b, cond=None):
        self.cond = cond
        return np.where(cond, a._data, b._data)

    def backward(self, grad):
        zero = Tensor._make(np.zeros((), dtype=grad.dtype))
        c = Tensor._make(self.cond)
        return (where(c, grad, zero) if self.needs_input_grad[0] else None,
                where(c, zero, grad) if self.needs_input_grad[1] else None)


class ToCopyFunction(Function):
    derivative = "the gradient is cast back to the input's dtype"
    def forward(self, a, dtype=None):
        self.src = a._data.dtype
        return a._data.astype(dtype)

    def backward(self, grad):
        return grad.to(self.src) if self.src.kind in "fc" else None


class CloneFunction(Function):
    derivative = "∂out/∂a = 1"
    def forward(self, a):
        return a._data.copy()

    def backward(self, grad):
        return grad


# ---------------------------------------------------------------------- functions
@op(inplace=True)
def add(input, other, alpha=1):
    """``input + alpha * other`` (broadcasting; either may be a Python number)."""
    if alpha != 1:
        other = mul(other, alpha)
    return AddFunction.apply(*operands(input, other))


@op(inplace=True, aliases=("subtract",))
def sub(input, other, alpha=1):
    """``input - alpha * other`` (broadcasting)."""
    if alpha != 1:
        other = mul(other, alpha)
    return SubFunction.apply(*operands(input, other))


@op(inplace=True, aliases=("multiply",))
def mul(input, other):
    """``input * other``, elementwise with broadcasting."""
    return MulFunction.apply(*operands(input, other))


@op(inplace=True, aliases=("divide", "true_divide"))
def div(input, other, rounding_mode=None):
    """``input / other`` (true division: integers give the default float dtype); ``rounding_mode='floor'`` or
    ``'trunc'`` rounds the quotient (no gradient)."""
    if rounding_mode is not None:
        if rounding_mode not in ("floor", "trunc"):
            raise ValueError(f"div: rounding_mode must be None, 'floor' or 'trunc', got {rounding_mode!r}")
        a, b = operands(input, other)
        f = np.floor_divide if rounding_mode == "floor" else (lambda x, y: np.trunc(x / y).astype(np.result_type(x, y)))
        return Tensor._make(np.asarray(f(a._data, b._data)))
    return DivFunction.apply(*operands(input, other))


@op(inplace=True, aliases=("negative",))
def neg(input):
    """``-input``."""
    return NegFunction.apply(input)


def pow_scalar(input, exponent):
    """``input ** exponent`` for a Python-number exponent (the node ``pow`` records then)."""
    return PowScalarFunction.apply(input, p=exponent)


@op(inplace=True)
def pow(input, exponent):
    """``input ** exponent``; either may be a Python number."""
    if isinstance(exponent, (int, float)) and not isinstance(exponent, bool) and isinstance(input, Tensor):
        return pow_scalar(input, exponent)
    return PowFunction.apply(*operands(input, exponent))


@op(inplace=True)
def exp(input):
    """``e ** input``, elementwise."""
    return ExpFunction.apply(input)


@op(inplace=True)
def log(input):
    """Natural logarithm (``-inf`` at 0, NaN below, as PyTorch)."""
    return LogFunction.apply(input)


@op(inplace=True)
def sqrt(input):
    """Square root; its gradient at 0 is ``inf`` (as PyTorch)."""
    return SqrtFunction.apply(input)


@op(inplace=True)
def rsqrt(input):
    """``1 / sqrt(input)``; its backward reads the output (as PyTorch's), not the input."""
    return RsqrtFunction.apply(floating(input))


@op(inplace=True, aliases=("absolute",))
def abs(input):
    """Absolute value; the gradient at 0 is 0 (PyTorch's subgradient)."""
    return AbsFunction.apply(input)


@op(inplace=True)
def sin(input):
    """Sine (radians)."""
    return SinFunction.apply(input)


@op(inplace=True)
def cos(input):
    """Cosine (radians)."""
    return CosFunction.apply(input)


@op(inplace=True)
def square(input):
    """``input ** 2``."""
    return pow_scalar(input, 2)


@op(inplace=True)
def reciprocal(input):
    """``1 / input``; its backward reads the output (as PyTorch's), not the input."""
    return ReciprocalFunction.apply(floating(input))


class Log1pFunction(Function):
    derivative = "∂out/∂a = 1/(1 + a)"

    def forward(self, a):
        self.save_for_backward(a)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log1p(a._data)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad / (a + 1.0)


class Expm1Function(Function):
    derivative = "∂out/∂a = exp(a) = out + 1"

    def forward(self, a):
        self.save_output()
        return np.expm1(a._data)

    def backward(self, grad):
        return grad * (self.saved_output + 1.0)


@op(inplace=True)
def log1p(input):
    """``log(1 + input)``, accurate for small inputs; backward reads the input (as PyTorch's)."""
    return Log1pFunction.apply(floating(input))


@op(inplace=True)
def expm1(input):
    """``exp(input) - 1``, accurate for small inputs; backward reads the output (as PyTorch's)."""
    return Expm1Function.apply(floating(input))


class SignFunction(Function):
    derivative = "∂out/∂a = 0 (sign is constant almost everywhere)"

    def forward(self, a):
        x = a._data
        return (x > 0).astype(x.dtype) - (x < 0).astype(x.dtype)    # NaN gives 0, as PyTorch

    def backward(self, grad):
        return Tensor._make(np.zeros(grad.shape, dtype=grad.dtype))


class SgnFunction(SignFunction):
    """``sgn``: ``sign`` for real tensors; PyTorch's node (written for complex inputs) saves the input and the
    result, so changing either in place before backward is an error, unlike ``sign``."""

    def forward(self, a):
        self.save_for_backward(a)
        self.save_output()
        return super().forward(a)

    def backward(self, grad):
        self.saved_tensors
        self.saved_output
        return super().backward(grad)


@op(inplace=True)
def sign(input):
    """Sign (-1, 0, 1; bool stays bool); its gradient is zero (as PyTorch's)."""
    if input.dtype == np.bool_:
        return Tensor._make(input._data.copy())
    return SignFunction.apply(input)


@op(inplace=True)
def sgn(input):
    """``sign`` of a real tensor (PyTorch's extension of sign to complex numbers); its gradient is zero."""
    if input.dtype == np.bool_:
        return Tensor._make(input._data.copy())
    return SgnFunction.apply(input)


@op(method=True)
def maximum(input, other):
    """Elementwise maximum; on ties the gradient is split equally (as PyTorch)."""
    return MaximumFunction.apply(*operands(input, other))


@op
def minimum(input, other):
    """Elementwise minimum; on ties the gradient is split equally (as PyTorch)."""
    return MinimumFunction.apply(*operands(input, other))


@op(inplace=True, aliases=("clip",))
def clamp(input, min=None, max=None):
    """Clamp to ``[min, max]`` (numbers or broadcasting tensors); the gradient passes at the bounds."""
    if min is None and max is None:
        raise ValueError("clamp: at least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        from .rounding import clamp_max, clamp_min   # tensor bounds: ties give the gradient to input
        out = input
        if min is not None:
            out = clamp_min(out, min)
        if max is not None:
            out = clamp_max(out, max)
        return out
    return ClampFunction.apply(input, min=min, max=max)


@op(method=False)
def where(condition, input=None, other=None):
    """Elements of ``input`` where ``condition`` holds, else of ``other`` (broadcasting; numbers allowed);
    ``where(condition)`` alone is ``nonzero(condition, as_tuple=True)``."""
    if input is None and other is None:
        from .indexing import nonzero
        return nonzero(condition, as_tuple=True)
    if input is None or other is None:
        raise TypeError("where() takes a condition alone, or a condition, an input and an other")
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        cond = cond.astype(bool)
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        a, b = promoted(input, other)       # where(cond, 1.0, 0): PyTorch's dtype of two numbers
    else:
        a, b = operands(input, other)
    if a.dtype != b.dtype:
        dt = np.result_type(a._data, b._data)
        a, b = a.to(dt), b.to(dt)
    return WhereFunction.apply(a, b, cond=cond)


@tensor_method("where")
def _where_method(self, condition, other):
    """``self`` where ``condition`` holds, else ``other`` (``torch.where(condition, self, other)``)."""
    return where(condition, self, other)


@op(inplace=True)
def masked_fill(input, mask, value):
    """``value`` where the boolean ``mask`` is True, else ``input`` (the mask broadcasts to the input)."""
    return where(mask, operand(value, input), input)


def cast(input, dtype):
    """``input`` as ``dtype`` (the node of ``Tensor.to(dtype)``; gradients are cast back)."""
    dtype = np.dtype(dtype)
    if input._data.dtype == dtype:
        return input
    return ToCopyFunction.apply(input, dtype=dtype)


@op
def clone(input):
    """A differentiable copy."""
    return CloneFunction.apply(input)
