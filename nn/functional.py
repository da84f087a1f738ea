"""Stateless functions behind the layers: ``import nn.functional as F`` (PyTorch's ``torch.nn.functional``).

Most functions here are compositions of autograd_core ops, so their gradients (and second derivatives) come for
free. Every op with a graph node of its own lives in ``autograd_core/ops/`` (activations in ``activation.py``,
losses in ``loss.py``, ``embedding.py``, convolution in ``conv.py`` / ``conv_transpose.py``, pooling in
``pooling.py`` / ``pooling3d.py`` / ``pooling_variants.py``, resampling in ``resample.py`` / ``grid_sample.py``)
and is re-exported here, so this module holds no ``Function``.

Example::

    >>> import nn.functional as F
    >>> y = F.relu(F.linear(x, w, b))
    >>> loss = F.cross_entropy(logits, target)
"""
import math
import numbers
import warnings

import numpy as np

from autograd_core import ops
from autograd_core.errors import ShapeError, fmt_shape
from autograd_core.grad_mode import no_grad
from autograd_core.inplace import assign, check_inplace
from autograd_core.ops.conv import conv1d, conv2d, conv3d, fold, unfold  # noqa: F401  (re-exported)
from autograd_core.ops.conv_transpose import conv_transpose1d, conv_transpose2d, conv_transpose3d  # noqa: F401
from autograd_core.ops.embedding import embedding, index_array  # noqa: F401  (re-exported)
from autograd_core.ops.loss import (binary_cross_entropy, binary_cross_entropy_with_logits,  # noqa: F401
                                    cross_entropy, huber_loss, kl_div, l1_loss, mse_loss, nll_loss, smooth_l1_loss)
from autograd_core.ops.pooling import (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_max_pool1d,  # noqa: F401
                                       adaptive_max_pool2d, avg_pool1d, avg_pool2d, max_pool1d, max_pool2d)
from autograd_core.ops.pooling3d import adaptive_avg_pool3d, avg_pool3d, max_pool3d  # noqa: F401
from autograd_core.ops.pooling_variants import (fractional_max_pool2d, fractional_max_pool2d_with_indices,  # noqa
                                                fractional_max_pool3d, fractional_max_pool3d_with_indices,
                                                lp_pool1d, lp_pool2d, lp_pool3d, max_unpool1d, max_unpool2d,
                                                max_unpool3d)
from autograd_core.ops.resample import (interpolate, pixel_shuffle, pixel_unshuffle, upsample,  # noqa: F401
                                        upsample_bilinear, upsample_nearest)
from autograd_core.ops.grid_sample import affine_grid, grid_sample  # noqa: F401
from autograd_core.random import default_generator
from autograd_core.tensor import Tensor


def _inplace(input, out, inplace):
    """Write ``out`` into ``input`` when ``inplace`` (PyTorch's ``inplace=True``), else return ``out``.

    ``out`` must come from ONE node reading ``input`` (``Tensor._assign`` rebases that node onto the old value),
    which is why elu and silu are single Functions rather than compositions.
    """
    if not inplace:
        return out
    check_inplace(input)
    return assign(input, out)


# ---------------------------------------------------------------------- activations
def relu(input, inplace=False):
    """``max(x, 0)``; the gradient at 0 is 0 (PyTorch's convention)."""
    return _inplace(input, ops.relu(input), inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """``x`` for ``x > 0`` else ``negative_slope * x``."""
    return _inplace(input, ops.leaky_relu(input, negative_slope), inplace)


def elu(input, alpha=1.0, inplace=False):
    """``x`` for ``x > 0`` else ``alpha * (exp(x) - 1)``."""
    return _inplace(input, ops.elu(input, alpha=alpha), inplace)


def gelu(input, approximate="none"):
    """``x * Phi(x)`` (``approximate='none'``) or its tanh approximation (``approximate='tanh'``)."""
    if approximate == "none":
        return input * ops.normal_cdf(input)
    if approximate == "tanh":
        inner = (input + input * input * input * 0.044715) * math.sqrt(2.0 / math.pi)
        return input * 0.5 * (ops.tanh(inner) + 1.0)
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def sigmoid(input):
    """``1 / (1 + exp(-x))``, computed without overflow."""
    return ops.sigmoid(input)


def tanh(input):
    """Hyperbolic tangent."""
    return ops.tanh(input)


def silu(input, inplace=False):
    """``x * sigmoid(x)`` (also called swish)."""
    return _inplace(input, ops.silu(input), inplace)


def softplus(input, beta=1.0, threshold=20.0):
    """``log(1 + exp(beta x)) / beta``, and ``x`` itself where ``beta x > threshold`` (as PyTorch)."""
    return ops.softplus(input, beta=beta, threshold=threshold)


def logsigmoid(input):
    """``log(sigmoid(x)) = -softplus(-x)``, stable for large ``|x|``."""
    return -ops.softplus(-input, beta=1.0, threshold=math.inf)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``exp(x) / sum(exp(x))`` along ``dim`` (shifted by the maximum, so it never overflows)."""
    return ops.softmax(input, dim=dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``x - logsumexp(x)`` along ``dim``, computed stably."""
    return ops.log_softmax(input, dim=dim, dtype=dtype)


# ---------------------------------------------------------------------- linear layers
def linear(input, weight, bias=None):
    """``y = x W^T + b`` (one fused node).

    Shape:
        input ``(*, in_features)``, weight ``(out_features, in_features)``, bias ``(out_features,)``,
        output ``(*, out_features)``.
    """
    return ops.linear(input, weight, bias)


def bilinear(input1, input2, weight, bias=None):
    """``y_k = x1^T A_k x2 + b_k``.

    Shape:
        input1 ``(*, in1)``, input2 ``(*, in2)``, weight ``(out, in1, in2)``, bias ``(out,)``, output ``(*, out)``.
    """
    out_f, in1, in2 = weight.shape
    if input1.shape[-1] != in1 or input2.shape[-1] != in2 or input1.shape[:-1] != input2.shape[:-1]:
        raise ShapeError(f"bilinear: inputs of shapes {fmt_shape(input1.shape)} and {fmt_shape(input2.shape)} do "
                         f"not fit a weight of shape {fmt_shape(weight.shape)}")
    lead = input1.shape[:-1]
    x1, x2 = input1.reshape(-1, in1), input2.reshape(-1, in2)
    w = weight.permute(1, 0, 2).reshape(in1, out_f * in2)
    out = ((x1 @ w).reshape(-1, out_f, in2) * x2.unsqueeze(1)).sum(dim=-1)
    if bias is not None:
        out = out + bias
    return out.reshape(lead + (out_f,))


# ---------------------------------------------------------------------- dropout
def _check_p(p):
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _dropout_mask(shape, p, dtype):
    """Keep each entry with probability ``1 - p`` and scale the kept ones by ``1 / (1 - p)`` (inverted dropout)."""
    if p == 1.0:
        return np.zeros(shape, dtype=dtype)
    keep = default_generator().random(shape, dtype=np.float32 if dtype == np.float32 else np.float64) >= p
    return keep * dtype.type(1.0 / (1.0 - p))


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the rest by ``1/(1-p)``; identity unless training."""
    _check_p(p)
    if not training or p == 0.0:
        return input
    mask = _dropout_mask(input.shape, p, input.dtype)
    return _inplace(input, input * Tensor._make(mask), inplace)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels: input ``(N, C, H, W)`` (a 3-D input is read as ``(N, C, L)``, as PyTorch does)."""
    _check_p(p)
    if input.ndim not in (3, 4):
        warnings.warn(f"dropout2d: Received a {input.ndim}-D input to dropout2d; it expects 3-D or 4-D inputs",
                      stacklevel=2)
    if not training or p == 0.0:
        return input
    if input.ndim < 2:
        raise ShapeError(f"dropout2d: expected an input with a channel dimension, got shape {fmt_shape(input.shape)}")
    mask = _dropout_mask(input.shape[:2] + (1,) * (input.ndim - 2), p, input.dtype)
    return _inplace(input, input * Tensor._make(mask), inplace)


# ---------------------------------------------------------------------- normalization
def _normalize(x, dims, eps):
    """``(x - mean) / sqrt(var + eps)`` over ``dims`` with the biased variance; also returns mean and var."""
    mean = x.mean(dim=dims, keepdim=True)
    xc = x - mean
    var = (xc * xc).mean(dim=dims, keepdim=True)
    return xc * (var + eps).rsqrt(), mean, var


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """Normalize each channel (dim 1) over the batch and spatial dims.

    In training, batch statistics are used and, when given, ``running_mean``/``running_var`` are updated in place:
    ``running = (1 - momentum) * running + momentum * batch_stat`` (the variance unbiased). Otherwise the running
    statistics are used.

    Shape:
        input ``(N, C)`` or ``(N, C, *)``; running stats, weight and bias ``(C,)``.
    """
    if input.ndim < 2:
        raise ShapeError(f"batch_norm: expected an input of shape (N, C, *), got {fmt_shape(input.shape)}")
    C = input.shape[1]
    shape = (1, C) + (1,) * (input.ndim - 2)
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if t is not None and t.shape != (C,):
            raise ShapeError(f"batch_norm: {name} has shape {fmt_shape(t.shape)}, expected ({C},) for an input of "
                             f"shape {fmt_shape(input.shape)}")
    dims = (0,) + tuple(range(2, input.ndim))
    if training:
        n = input.numel() // C if C else 0
        if n <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                             f"{fmt_shape(input.shape)}")
        out, mean, var = _normalize(input, dims, eps)
        if running_mean is not None and running_var is not None:
            with no_grad():
                rm, rv = running_mean.numpy(), running_var.numpy()
                rm *= 1.0 - momentum
                rm += momentum * mean.numpy().reshape(C)
                rv *= 1.0 - momentum
                rv += momentum * (n / (n - 1)) * var.numpy().reshape(C)
                running_mean._bump_version()
                running_var._bump_version()
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: running_mean and running_var must be given when training=False")
        inv_std = 1.0 / np.sqrt(running_var.numpy().astype(input.dtype) + eps)
        out = (input - running_mean.reshape(shape).to(input.dtype)) * Tensor._make(inv_std.reshape(shape))
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalize over the last ``len(normalized_shape)`` dims, then scale by ``weight`` and shift by ``bias``.

    Shape:
        input ``(*, *normalized_shape)``; weight and bias ``normalized_shape``.
    """
    if isinstance(normalized_shape, numbers.Integral):
        normalized_shape = (normalized_shape,)
    normalized_shape = tuple(int(s) for s in normalized_shape)
    k = len(normalized_shape)
    if input.shape[input.ndim - k:] != normalized_shape or input.ndim < k:
        raise ShapeError(f"layer_norm: expected an input of shape (*, {', '.join(map(str, normalized_shape))}), "
                         f"got {fmt_shape(input.shape)}")
    out, _, _ = _normalize(input, tuple(range(input.ndim - k, input.ndim)), eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def one_hot(tensor, num_classes=-1):
    """``(*)`` integer class indices -> ``(*, num_classes)`` int64 one-hot codes (``-1``: max index + 1)."""
    idx = index_array(tensor, "one_hot")
    if idx.size and idx.min() < 0:
        raise ValueError("one_hot: class values must be non-negative")
    if num_classes == -1:
        num_classes = int(idx.max()) + 1 if idx.size else 0
    if idx.size and idx.max() >= num_classes:
        raise ValueError(f"one_hot: class values must be smaller than num_classes ({num_classes}), got "
                         f"{int(idx.max())}")
    out = np.zeros(idx.shape + (num_classes,), dtype=np.int64)
    np.put_along_axis(out, idx[..., None], 1, axis=-1)
    return Tensor._make(out)


# ---------------------------------------------------------------------- padding
def pad(input, pad, mode="constant", value=None):
    """Pad the last ``len(pad) // 2`` dims; ``pad = (left, right, top, bottom, ...)`` starts from the last dim.

    Modes: ``'constant'`` (with ``value``, default 0), ``'reflect'``, ``'replicate'``, ``'circular'``.
    """
    return ops.pad(input, pad, mode=mode, value=0.0 if value is None else value)
