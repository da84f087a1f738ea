"""Affine layers: ``Linear``, ``Bilinear``, ``Identity`` and ``LazyLinear``, with PyTorch's parameters and default
init."""
import math
import numbers

import numpy as np

from autograd_core import dtypes
from autograd_core.device import check_device
from autograd_core.errors import ArgumentError

from . import functional as F
from . import init
from .lazy import LazyModuleMixin, is_lazy
from .module import Module
from .parameter import Parameter, UninitializedParameter


def check_sizes(layer, **sizes):
    """A layer's size arguments must be ints >= 0 (PyTorch: TypeError, or the RuntimeError of a negative dimension);
    the message names the layer, the argument and the value, e.g. ``Linear: in_features must be >= 0, got -1``."""
    for name, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{layer}: {name} should be of type int, got {type(value).__name__} {value!r}")
        if value < 0:
            raise ArgumentError(f"{layer}: {name} must be >= 0, got {name}={value} (a tensor can't have a negative "
                                f"dimension)")


def _empty_param(shape, dtype=None, device=None):
    """An uninitialized Parameter of the given dtype (default float dtype): the layers' factory kwargs."""
    check_device(device, "nn layer")
    dtype = np.dtype(dtype) if dtype is not None else dtypes.get_default_dtype()
    for d in shape:
        if d < 0:
            raise ArgumentError(f"Trying to create tensor with negative dimension {d}: {list(shape)}")
    return Parameter(np.empty(shape, dtype=dtype))


def _register_bias(module, bias, shape, dtype=None, device=None):
    """``module.bias``: an uninitialized Parameter of ``shape`` if ``bias``, else registered as None (as PyTorch)."""
    module.register_parameter("bias", _empty_param(shape, dtype, device) if bias else None)


def _uniform_fan_in_bias(bias, weight):
    """PyTorch's default bias init: U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    fan_in, _ = init._calculate_fan_in_and_fan_out(weight)
    bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
    init.uniform_(bias, -bound, bound)


class Identity(Module):
    """Returns its input unchanged (arguments are accepted and ignored, as in PyTorch).

    Example::

        >>> m = nn.Identity(54, unused_argument1=0.1)
        >>> m(x) is x
        True
    """

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """``y = x A^T + b``.

    Args:
        in_features: size of each input sample.
        out_features: size of each output sample.
        bias: learn an additive bias (default True).
        dtype: parameter dtype (default: the default float dtype).

    Shape:
        input ``(*, in_features)``, output ``(*, out_features)``.

    Attributes:
        weight ``(out_features, in_features)``, initialized from U(-1/sqrt(in_features), 1/sqrt(in_features))
        (``kaiming_uniform_(a=sqrt(5))``); bias ``(out_features,)`` from the same range.

    Example::

        >>> m = nn.Linear(20, 30)
        >>> m(autograd_core.randn(128, 20)).shape
        (128, 30)
    """

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        check_sizes("Linear", in_features=in_features, out_features=out_features)
        self.in_features = in_features
        self.out_features = out_features
        self.weight = _empty_param((out_features, in_features), dtype, device)
        _register_bias(self, bias, (out_features,), dtype, device)
        self.reset_parameters()

    def reset_parameters(self):
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            _uniform_fan_in_bias(self.bias, self.weight)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Bilinear(Module):
    """``y = x1^T A x2 + b``.

    Args:
        in1_features, in2_features: sizes of the two inputs.
        out_features: size of the output.
        bias: learn an additive bias (default True).

    Shape:
        input1 ``(*, in1_features)``, input2 ``(*, in2_features)``, output ``(*, out_features)``.

    Attributes:
        weight ``(out_features, in1_features, in2_features)`` and bias ``(out_features,)``, both from
        U(-1/sqrt(in1_features), 1/sqrt(in1_features)).

    Example::

        >>> m = nn.Bilinear(20, 30, 40)
        >>> m(autograd_core.randn(128, 20), autograd_core.randn(128, 30)).shape
        (128, 40)
    """

    def __init__(self, in1_features, in2_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        check_sizes("Bilinear", in1_features=in1_features, in2_features=in2_features, out_features=out_features)
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        self.weight = _empty_param((out_features, in1_features, in2_features), dtype, device)
        _register_bias(self, bias, (out_features,), dtype, device)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1.0 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


class LazyLinear(LazyModuleMixin, Linear):
    """A :class:`Linear` whose ``in_features`` is inferred from the first input (``input.shape[-1]``).

    Until then ``weight`` and ``bias`` are :class:`~nn.parameter.UninitializedParameter`; after the first call the
    module is a plain ``Linear``, initialized as one.

    Args:
        out_features: size of each output sample.
        bias: learn an additive bias (default True).

    Example::

        >>> m = nn.LazyLinear(10)
        >>> m(autograd_core.randn(2, 7)).shape, m
        ((2, 10), Linear(in_features=7, out_features=10, bias=True))
    """

    cls_to_become = Linear

    def __init__(self, out_features, bias=True, device=None, dtype=None):
        Module.__init__(self)
        self.in_features = 0
        self.out_features = out_features
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)
        else:
            self.register_parameter("bias", None)
        self._register_lazy_hook()

    def reset_parameters(self):
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input):
        """Materialize ``weight`` ``(out_features, input.shape[-1])`` and ``bias``, then initialize them."""
        if self.has_uninitialized_params():
            self.in_features = input.shape[-1]
            self.weight.materialize((self.out_features, self.in_features))
            if self.bias is not None:
                self.bias.materialize((self.out_features,))
            self.reset_parameters()

    def _materialized_from_state_dict(self):
        if not is_lazy(self.weight):
            self.in_features = self.weight.shape[1]
