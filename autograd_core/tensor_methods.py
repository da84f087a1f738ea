"""Tensor's methods and Python operators, attached in one place.

* Op methods come from the op registry (``ops/registry.py``): every op registered with ``method=True`` becomes
  ``Tensor.<name>``, and with ``inplace=True`` also ``Tensor.<name>_`` (computed out of place, then written back
  by ``inplace.assign`` with a version bump). Nothing here lists ops by hand.
* Python operators (``+``, ``@``, ``<``, ``[]``...) are the table ``_OPERATORS`` below, each naming its op.
* Methods that are not ops: casts (``float``, ``long``...), in-place fills (``zero_``, ``normal_``...) and the
  autograd entry points (``backward``); ``to``/``type``/``cpu``/``contiguous`` live in ``conversion.py``.

``install()`` runs once, from ``autograd_core/__init__.py``.
"""
import numpy as np

from . import dtypes, engine, grad_mode, ops
from .inplace import assign, check_inplace, fill
from .ops import registry
from .ops.elementwise import torch_type_name
from .random import default_generator
from .tensor import Tensor, operand


def _inplace(f, name):
    """``t.<op>_(...)``: the op out of place, written back into ``t`` (when its dtype can hold the result)."""
    def method(self, *args, **kwargs):
        check_inplace(self)
        out = f(self, *args, **kwargs)
        if out.dtype != self.dtype and not dtypes.can_cast(out.dtype, self.dtype):
            raise RuntimeError(f"result type {torch_type_name(out.dtype)} can't be cast to the desired output type "
                               f"{torch_type_name(self.dtype)}")
        return assign(self, out)
    method.__name__ = name
    method.__qualname__ = "Tensor." + name
    method.__doc__ = f"In-place :func:`{f.__name__}`: ``t.{name}(...)`` writes the result into ``t``."
    return method


def _reflected(f):
    """``2 - t`` -> ``sub(2, t)``."""
    def method(self, other):
        return f(operand(other, self), self)
    return method


def _invert(self):
    """``~t``: bitwise NOT of an integer tensor, logical NOT of a bool one."""
    if self.dtype.kind not in "iub":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return ops.bitwise_not(self)


def _rtruediv(self, other):
    """``2 / t`` is ``t.reciprocal() * 2``, as PyTorch's ``__rdiv__``: its backward reads the reciprocal (the
    output), not ``t``, so changing ``t`` in place before backward is allowed, as there."""
    return ops.mul(ops.reciprocal(self), other)


# operator -> op (the reflected and in-place forms are derived below); & | ^ << >> are bitwise on integer
# tensors and logical on bool ones, as in PyTorch
_OPERATORS = {
    "add": ops.add, "sub": ops.sub, "mul": ops.mul, "truediv": ops.div, "pow": ops.pow, "matmul": ops.matmul,
    "floordiv": ops.floor_divide, "mod": ops.remainder,
    "and": ops.bitwise_and, "or": ops.bitwise_or, "xor": ops.bitwise_xor,
    "lshift": ops.bitwise_left_shift, "rshift": ops.bitwise_right_shift,
}
_REFLECTED = ("add", "sub", "mul", "truediv", "pow", "matmul", "floordiv", "mod", "and", "or", "xor", "lshift",
              "rshift")
_INPLACE = ("add", "sub", "mul", "truediv", "pow", "floordiv", "mod", "and", "or", "xor", "lshift", "rshift")
_UNARY_AND_COMPARISON = {
    "__neg__": ops.neg, "__pos__": lambda self: self, "__abs__": ops.abs, "__invert__": _invert,
    "__eq__": ops.eq, "__ne__": ops.ne, "__lt__": ops.lt, "__le__": ops.le, "__gt__": ops.gt, "__ge__": ops.ge,
    "__getitem__": ops.getitem, "__setitem__": ops.setitem,
}


# ---------------------------------------------------------------------- methods that are not ops
def _caster(dtype, name):
    def method(self):
        return ops.cast(self, dtype)
    method.__name__ = name
    method.__doc__ = f"``self.to({np.dtype(dtype).name})``."
    return method


def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
    """Compute gradients of this tensor with respect to the graph's leaves; they accumulate into ``.grad``.

    Args:
        gradient: gradient of some scalar w.r.t. this tensor (needed unless it has one element).
        retain_graph: keep saved tensors for another backward (defaults to ``create_graph``).
        create_graph: record the backward pass, for higher-order derivatives.
        inputs: accumulate only into these tensors' ``.grad``.
    """
    engine.backward([self], [gradient], retain_graph, create_graph, inputs)


def is_inference(self):
    """True for an inference tensor: one created inside ``inference_mode`` (or a view of one)."""
    return type(self._version) is grad_mode.InferenceVersion


def zero_(self):
    """Fill with zeros, in place."""
    return fill(self, 0)


def fill_(self, value):
    """Fill with ``value`` (a number or a one-element tensor), in place."""
    return fill(self, value._data if isinstance(value, Tensor) else value)


def copy_(self, src):
    """Copy ``src``'s elements (broadcast to this shape) into this tensor, in place."""
    return fill(self, src._data if isinstance(src, Tensor) else np.asarray(src))


def normal_(self, mean=0.0, std=1.0, generator=None):
    """Fill with samples of ``N(mean, std**2)``, in place."""
    g = generator or default_generator()
    return fill(self, g.normal(mean, std, size=self.shape))


def uniform_(self, a=0.0, b=1.0, generator=None):
    """Fill with samples of ``U(a, b)``, in place."""
    g = generator or default_generator()
    return fill(self, g.uniform(a, b, size=self.shape))


_PLAIN_METHODS = {
    "backward": backward, "is_inference": is_inference,
    "zero_": zero_, "fill_": fill_, "copy_": copy_, "normal_": normal_, "uniform_": uniform_,
    "float": _caster(np.float32, "float"), "double": _caster(np.float64, "double"),
    "half": _caster(np.float16, "half"), "long": _caster(np.int64, "long"), "int": _caster(np.int32, "int"),
    "bool": _caster(np.bool_, "bool"),
}


def install():
    """Attach the op methods (from the registry), the operators and the plain methods to Tensor."""
    for name, (f, inplace) in registry.METHODS.items():
        setattr(Tensor, name, f)
        if inplace:
            setattr(Tensor, name + "_", _inplace(f, name + "_"))
    for name, f in _OPERATORS.items():
        setattr(Tensor, f"__{name}__", f)
    for name in _REFLECTED:
        setattr(Tensor, f"__r{name}__", _reflected(_OPERATORS[name]))
    Tensor.__rtruediv__ = _rtruediv
    for name in _INPLACE:
        setattr(Tensor, f"__i{name}__", _inplace(_OPERATORS[name], f"__i{name}__"))
    for name, f in _UNARY_AND_COMPARISON.items():
        setattr(Tensor, name, f)
    for name, f in _PLAIN_METHODS.items():
        setattr(Tensor, name, f)
