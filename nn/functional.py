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
import warnings

import numpy as np

from autograd_core import ops
from autograd_core.errors import ShapeError, fmt_shape
from autograd_core.inplace import assign, check_inplace
from autograd_core.ops.saved import guard
from autograd_core.ops.conv import conv1d, conv2d, conv3d, fold, unfold  # noqa: F401  (re-exported)
from autograd_core.ops.conv_transpose import conv_transpose1d, conv_transpose2d, conv_transpose3d  # noqa: F401
from autograd_core.ops.embedding import embedding, embedding_bag, index_array  # noqa: F401  (re-exported)
from autograd_core.ops.loss import (binary_cross_entropy, binary_cross_entropy_with_logits,  # noqa: F401
                                    cross_entropy, huber_loss, kl_div, l1_loss, mse_loss, nll_loss, smooth_l1_loss)
from autograd_core.ops.ctc import ctc_loss  # noqa: F401  (re-exported)
from autograd_core.ops.loss_likelihood import gaussian_nll_loss, poisson_nll_loss  # noqa: F401
from autograd_core.ops.loss_margin import (cosine_embedding_loss, hinge_embedding_loss,  # noqa: F401
                                           margin_ranking_loss, multi_margin_loss, multilabel_margin_loss,
                                           multilabel_soft_margin_loss, soft_margin_loss, triplet_margin_loss,
                                           triplet_margin_with_distance_loss)
from autograd_core.ops.pooling import (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_max_pool1d,  # noqa: F401
                                       adaptive_max_pool2d, avg_pool1d, avg_pool2d, max_pool1d, max_pool2d)
from autograd_core.ops.attention import scaled_dot_product_attention  # noqa: F401  (re-exported)
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

from .functional_activation import (celu, celu_, glu, hardshrink, hardsigmoid, hardswish, hardtanh,  # noqa: F401
                                    hardtanh_, mish, prelu, relu6, rrelu, rrelu_, selu, selu_, softmin, softshrink,
                                    softsign, tanhshrink, threshold, threshold_)
from .functional_distance import cosine_similarity, normalize, pairwise_distance  # noqa: F401
from .functional_normalization import (batch_norm, group_norm, instance_norm, layer_norm,  # noqa: F401
                                       local_response_norm, rms_norm)
from .functional_attention import _canonical_mask, _none_or_dtype, multi_head_attention_forward  # noqa: F401


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


def relu_(input):
    """In-place :func:`relu`."""
    return relu(input, inplace=True)


def leaky_relu_(input, negative_slope=0.01):
    """In-place :func:`leaky_relu`."""
    return leaky_relu(input, negative_slope, inplace=True)


def elu_(input, alpha=1.0):
    """In-place :func:`elu`."""
    return elu(input, alpha, inplace=True)


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


def softplus(input, beta=1.0, threshold=20.0):  # noqa: F811  (PyTorch names the argument like F.threshold)
    """``log(1 + exp(beta x)) / beta``, and ``x`` itself where ``beta x > threshold`` (as PyTorch)."""
    return ops.softplus(input, beta=beta, threshold=threshold)


def logsigmoid(input):
    """``log(sigmoid(x)) = -softplus(-x)``, stable for large ``|x|``."""
    # PyTorch's node saves the input: changing it in place before backward is an error
    return guard(-ops.softplus(-input, beta=1.0, threshold=math.inf), input, name="LogSigmoidBackward0")


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
    mask = Tensor._make(_dropout_mask(input.shape, p, input.dtype))
    mask.name = f"dropout mask (p={p:g})"     # its name in graph pictures
    return _inplace(input, input * mask, inplace)


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
    mask = Tensor._make(_dropout_mask(input.shape[:2] + (1,) * (input.ndim - 2), p, input.dtype))
    mask.name = f"channel dropout mask (p={p:g})"
    return _inplace(input, input * mask, inplace)


def one_hot(tensor, num_classes=-1):
    """``(*)`` int64 class indices -> ``(*, num_classes)`` int64 one-hot codes (``-1``: max index + 1).

    As PyTorch, other index dtypes (int32, bool, floats) raise, and so do negative or too large class values and
    ``num_classes=-1`` with an empty input.
    """
    idx = tensor.numpy() if isinstance(tensor, Tensor) else np.asarray(tensor)
    if idx.dtype != np.int64:
        raise RuntimeError(f"one_hot is only applicable to index tensor of type LongTensor (got {idx.dtype}).")
    if num_classes == -1:
        if idx.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(idx.max()) + 1
    if idx.size and idx.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if idx.size and idx.max() >= num_classes:
        raise RuntimeError(f"Class values must be smaller than num_classes (got {int(idx.max())} for "
                           f"num_classes={num_classes}).")
    if num_classes < 0:
        raise RuntimeError(f"one_hot: num_classes must be -1 or non-negative, got {num_classes}")
    out = np.zeros(idx.shape + (num_classes,), dtype=np.int64)
    np.put_along_axis(out, idx[..., None], 1, axis=-1)
    return Tensor._make(out)


# ---------------------------------------------------------------------- padding
def pad(input, pad, mode="constant", value=None):
    """Pad the last ``len(pad) // 2`` dims; ``pad = (left, right, top, bottom, ...)`` starts from the last dim.

    Modes: ``'constant'`` (with ``value``, default 0), ``'reflect'``, ``'replicate'``, ``'circular'``.
    """
    return ops.pad(input, pad, mode=mode, value=0.0 if value is None else value)
