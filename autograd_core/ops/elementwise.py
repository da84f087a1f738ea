"""Elementwise arithmetic and math functions.

Binary ops broadcast like numpy; their backward returns full (broadcast-shape) gradients and the engine reduces
them to each input's shape. Where a derivative is undefined we follow PyTorch: abs'(0) = 0, sqrt'(0) = inf,
maximum/minimum split the gradient equally on ties, clamp passes the gradient at the bounds.
"""
import numpy as np

from ..function import Function
from ..tensor import Tensor
from .. import dtypes


def as_tensor(x, like=None):
    """Wrap a Python number / array as a constant Tensor; numbers take ``like``'s dtype when it is floating
    (PyTorch: ``float32_tensor * 2.5`` stays float32; ``int_tensor * 2.5`` becomes the default float dtype)."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (bool, int, float)) and like is not None:
        ld = like._data.dtype
        if isinstance(x, bool):
            dt = ld
        elif isinstance(x, int):
            dt = ld if ld.kind in "fciu" else np.int64
        else:
            dt = ld if ld.kind in "fc" else dtypes.get_default_dtype()
        return Tensor._make(np.asarray(x, dtype=dt))
    return Tensor(x)


def _pair(a, b):
    """Both operands as Tensors; a Python float meeting an integer tensor makes it the default float dtype."""
    if not isinstance(a, Tensor):
        if isinstance(a, float) and b._data.dtype.kind in "iub":
            b = cast(b, dtypes.get_default_dtype())
        a = as_tensor(a, b)
    if not isinstance(b, Tensor):
        if isinstance(b, float) and a._data.dtype.kind in "iub":
            a = cast(a, dtypes.get_default_dtype())
        b = as_tensor(b, a)
    return a, b


class Add(Function):
    def forward(self, a, b):
        return a._data + b._data

    def backward(self, grad):
        return grad, grad


class Sub(Function):
    def forward(self, a, b):
        return a._data - b._data

    def backward(self, grad):
        return grad, (-grad if self.needs_input_grad[1] else None)


class Mul(Function):
    def forward(self, a, b):
        self.save_for_backward(a, b)
        return a._data * b._data

    def backward(self, grad):
        a, b = self.saved_tensors
        return (grad * b if self.needs_input_grad[0] else None,
                grad * a if self.needs_input_grad[1] else None)


class Div(Function):
    def forward(self, a, b):
        self.save_for_backward(a, b)
        x, y = a._data, b._data
        if x.dtype.kind in "iub" and y.dtype.kind in "iub":   # true division of integers gives the default float
            dt = dtypes.get_default_dtype()
            x, y = x.astype(dt), y.astype(dt)
        return x / y

    def backward(self, grad):
        a, b = self.saved_tensors
        ga = grad / b if self.needs_input_grad[0] else None
        gb = -grad * a / (b * b) if self.needs_input_grad[1] else None
        return ga, gb


class Neg(Function):
    def forward(self, a):
        return -a._data

    def backward(self, grad):
        return -grad


class Pow(Function):
    """``a ** b`` for tensors a and b (b may be a 0-d constant)."""

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


class PowScalar(Function):
    """``a ** p`` for a Python-number exponent p."""

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


class Exp(Function):
    def forward(self, a):
        self.save_output()
        return np.exp(a._data)

    def backward(self, grad):
        return grad * self.saved_output


class Log(Function):
    def forward(self, a):
        self.save_for_backward(a)
        return np.log(a._data)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad / a


class Sqrt(Function):
    def forward(self, a):
        self.save_output()
        return np.sqrt(a._data)

    def backward(self, grad):
        return grad / (self.saved_output * 2.0)


class Abs(Function):
    def forward(self, a):
        self.save_for_backward(a)
        return np.abs(a._data)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * sign(a)


class Sin(Function):
    def forward(self, a):
        self.save_for_backward(a)
        return np.sin(a._data)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * cos(a)


class Cos(Function):
    def forward(self, a):
        self.save_for_backward(a)
        return np.cos(a._data)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return -grad * sin(a)


class Maximum(Function):
    def forward(self, a, b):
        self.save_for_backward(a, b)
        return np.maximum(a._data, b._data)

    def backward(self, grad):
        a, b = self.saved_tensors
        # ties share the gradient equally (PyTorch)
        w = ((a._data > b._data) + 0.5 * (a._data == b._data)).astype(grad.dtype)
        w = Tensor._make(w)
        return (grad * w if self.needs_input_grad[0] else None,
                grad * (1.0 - w) if self.needs_input_grad[1] else None)


class Minimum(Function):
    def forward(self, a, b):
        self.save_for_backward(a, b)
        return np.minimum(a._data, b._data)

    def backward(self, grad):
        a, b = self.saved_tensors
        w = Tensor._make(((a._data < b._data) + 0.5 * (a._data == b._data)).astype(grad.dtype))
        return (grad * w if self.needs_input_grad[0] else None,
                grad * (1.0 - w) if self.needs_input_grad[1] else None)


class Clamp(Function):
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


class Where(Function):
    """``where(cond, a, b)``; ``cond`` is a constant boolean mask."""

    def forward(self, a, b, cond=None):
        self.cond = cond
        return np.where(cond, a._data, b._data)

    def backward(self, grad):
        zero = Tensor._make(np.zeros((), dtype=grad.dtype))
        c = Tensor._make(self.cond)
        return (where(c, grad, zero) if self.needs_input_grad[0] else None,
                where(c, zero, grad) if self.needs_input_grad[1] else None)


class Cast(Function):
    def forward(self, a, dtype=None):
        self.src = a._data.dtype
        return a._data.astype(dtype)

    def backward(self, grad):
        return grad.to(self.src) if self.src.kind in "fc" else None


class Clone(Function):
    def forward(self, a):
        return a._data.copy()

    def backward(self, grad):
        return grad


# ---------------------------------------------------------------------- functions
def add(input, other, alpha=1):
    if alpha != 1:
        other = mul(other, alpha)
    return Add.apply(*_pair(input, other))


def sub(input, other, alpha=1):
    if alpha != 1:
        other = mul(other, alpha)
    return Sub.apply(*_pair(input, other))


def mul(input, other):
    return Mul.apply(*_pair(input, other))


def div(input, other, rounding_mode=None):
    if rounding_mode is not None:
        a, b = _pair(input, other)
        f = np.floor_divide if rounding_mode == "floor" else (lambda x, y: np.trunc(x / y).astype(np.result_type(x, y)))
        return Tensor._make(np.asarray(f(a._data, b._data)))
    return Div.apply(*_pair(input, other))


true_divide = divide = div
multiply = mul
subtract = sub


def neg(input):
    return Neg.apply(input)


negative = neg


def pow_scalar(input, exponent):
    return PowScalar.apply(input, p=exponent)


def pow(input, exponent):
    """``input ** exponent``; either may be a Python number."""
    if isinstance(exponent, (int, float)) and not isinstance(exponent, bool) and isinstance(input, Tensor):
        return pow_scalar(input, exponent)
    return Pow.apply(*_pair(input, exponent))


def exp(input):
    return Exp.apply(input)


def log(input):
    return Log.apply(input)


def sqrt(input):
    return Sqrt.apply(input)


def rsqrt(input):
    return pow_scalar(input, -0.5)


def abs(input):
    return Abs.apply(input)


absolute = abs


def sin(input):
    return Sin.apply(input)


def cos(input):
    return Cos.apply(input)


def square(input):
    return pow_scalar(input, 2)


def reciprocal(input):
    return div(1.0, input)


def log1p(input):
    return log(add(input, 1.0))


def expm1(input):
    return sub(exp(input), 1.0)


def sign(input):
    """Sign (-1, 0, 1); no gradient (its derivative is 0 almost everywhere)."""
    return Tensor._make(np.sign(input._data))


def maximum(input, other):
    return Maximum.apply(*_pair(input, other))


def minimum(input, other):
    return Minimum.apply(*_pair(input, other))


def clamp(input, min=None, max=None):
    """Clamp to ``[min, max]`` (bounds are numbers; tensor bounds go through maximum/minimum)."""
    if min is None and max is None:
        raise ValueError("clamp: at least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        out = input
        if min is not None:
            out = maximum(out, min)
        if max is not None:
            out = minimum(out, max)
        return out
    return Clamp.apply(input, min=min, max=max)


clip = clamp


def where(condition, input, other):
    """Elements of ``input`` where ``condition`` holds, else of ``other`` (broadcasting)."""
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        cond = cond.astype(bool)
    a, b = _pair(input, other)
    if a.dtype != b.dtype:
        dt = np.result_type(a._data, b._data)
        a, b = a.to(dt), b.to(dt)
    return Where.apply(a, b, cond=cond)


def cast(input, dtype):
    dtype = np.dtype(dtype)
    if input._data.dtype == dtype:
        return input
    return Cast.apply(input, dtype=dtype)


def clone(input):
    return Clone.apply(input)


# comparisons: tensors without grad
def _cmp(f):
    def op(input, other):
        a, b = _pair(input, other)
        return Tensor._make(np.asarray(f(a._data, b._data)))
    op.__name__ = f.__name__
    return op


eq = _cmp(np.equal)
ne = _cmp(np.not_equal)
lt = _cmp(np.less)
le = _cmp(np.less_equal)
gt = _cmp(np.greater)
ge = _cmp(np.greater_equal)
logical_and = _cmp(np.logical_and)
logical_or = _cmp(np.logical_or)
logical_xor = _cmp(np.logical_xor)


def logical_not(input):
    return Tensor._make(np.logical_not(input._data))


def isnan(input):
    return Tensor._make(np.isnan(input._data))


def isinf(input):
    return Tensor._make(np.isinf(input._data))


def isfinite(input):
    return Tensor._make(np.isfinite(input._data))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    a, b = _pair(input, other)
    return bool(np.allclose(a._data, b._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(input, other):
    a, b = _pair(input, other)
    return a.shape == b.shape and bool(np.array_equal(a._data, b._data))
