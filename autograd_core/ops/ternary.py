"""Pointwise ops of three operands: ``lerp``, ``addcmul``, ``addcdiv``; compositions, so their gradients (and
higher ones) come from the ops they are made of.

``lerp`` uses PyTorch's two-sided formula (``start + w (end - start)`` for ``|w| < 0.5``, else
``end - (end - start)(1 - w)``), which is exact at both ends.
"""
import numpy as np

from ..tensor import Tensor
from .elementwise import abs, add, c_type_name, div, mul, promoted, require_floating, sub, where
from .registry import op
from .saved import guard

def _same_dtype(input, other, what):
    if isinstance(other, Tensor) and other.dtype != input.dtype:
        raise RuntimeError(f"expected dtype {c_type_name(input.dtype)} for `{what}` but got dtype "
                           f"{c_type_name(other.dtype)}")


@op(inplace=True)
def lerp(input, end, weight):
    """Linear interpolation ``input + weight * (end - input)``; ``weight`` is a number or a broadcasting tensor.

    ``input``, ``end`` (and a tensor ``weight``) must share a floating dtype, as in PyTorch.
    """
    _same_dtype(input, end, "end")
    _same_dtype(input, weight, "weight")
    require_floating("lerp_kernel_tensor" if isinstance(weight, Tensor) else "lerp_kernel_scalar", input)
    diff = sub(end, input)
    if not isinstance(weight, Tensor):
        w = float(weight)
        return add(input, mul(diff, w)) if -0.5 < w < 0.5 else sub(end, mul(diff, 1.0 - w))
    small = abs(weight)._data < 0.5
    out = where(small, add(input, mul(weight, diff)), sub(end, mul(diff, sub(1.0, weight))))
    return guard(out, input, end, weight, name="LerpBackward1")   # PyTorch's node saves all three


def _value(value, dtype):
    """``value`` as PyTorch uses it: truncated to an integer when the result is an integer tensor."""
    return int(value) if np.dtype(dtype).kind in "iub" else value


@op(inplace=True)
def addcmul(input, tensor1, tensor2, value=1):
    """``input + value * tensor1 * tensor2`` (broadcasting)."""
    a, t1, t2 = promoted(input, tensor1, tensor2)
    v = _value(value, a.dtype)
    prod = mul(t1, t2)
    return add(a, prod if v == 1 else mul(prod, v))


@op(inplace=True)
def addcdiv(input, tensor1, tensor2, value=1):
    """``input + value * tensor1 / tensor2`` (broadcasting); integer ``tensor1`` and ``tensor2`` are refused, as
    in PyTorch."""
    if tensor1.dtype.kind in "iub" and tensor2.dtype.kind in "iub":
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future release addcdiv will perform a "
            "true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as "
            "(input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) if both inputs are integer tensors "
            "and (input + value * tensor1 / tensor2) otherwise.")
    a, t1, t2 = promoted(input, tensor1, tensor2)
    q = div(t1, t2)
    return add(a, q if value == 1 else mul(q, value))
