"""Negative log-likelihood losses of count and real-valued targets: ``poisson_nll_loss`` and
``gaussian_nll_loss`` (``nn.functional`` re-exports them), compositions of Tensor ops with PyTorch's formulas,
arguments and checks."""
import math
import numbers

import numpy as np

from ..tensor import Tensor
from .distance import clamp_value
from .elementwise import where
from .loss import _reduce, _same_shape, reduction_mode
from .registry import op


@op(function=False, method=False)
def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    """Poisson negative log-likelihood: ``exp(x) - y x`` for a log-rate ``x`` (``log_input``), else
    ``x - y log(x + eps)``; ``full`` adds Stirling's ``y log y - y + log(2 pi y) / 2`` where ``y > 1``.

    Shape:
        input and target of the same shape; output a scalar, or that shape for 'none'.
    """
    reduction = reduction_mode(reduction, size_average, reduce, "poisson_nll_loss")
    target = _same_shape(input, target, "poisson_nll_loss")
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        big = target._data > 1
        t = where(big, target, 1.0)          # log(y) only where it is used: no -inf * 0 in the gradient
        stirling = t * t.log() - t + (t * (2 * math.pi)).log() * 0.5
        loss = loss + where(big, stirling, 0.0)
    return _reduce(loss, reduction)


@op(function=False, method=False)
def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Gaussian negative log-likelihood ``(log(max(var, eps)) + (x - y)^2 / max(var, eps)) / 2`` (+ ``log(2 pi)
    / 2`` with ``full``), ``var`` the predicted variance.

    The clamp to ``eps`` changes the value only: the gradient passes to ``var`` unchanged (PyTorch clamps in
    place under ``no_grad``).

    Shape:
        input ``(N, *)``; target the input's shape or broadcastable; ``var`` the input's shape, or with one dim
        of size 1, or without the last dim (one variance per sample), or a number.
    """
    if isinstance(var, numbers.Number):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = Tensor._make(np.full(input.shape, var, dtype=input.dtype))
    else:
        if (var.numpy() < 0).any():
            raise ValueError("var has negative entry/entries")
        if var.shape != input.shape:
            if input.shape[:-1] == var.shape:
                var = var.unsqueeze(-1)
            elif not (input.ndim == var.ndim
                      and sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1):
                raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    var = clamp_value(var, eps)
    loss = ((var.log() + (input - target) ** 2 / var)) * 0.5
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)
