"""Normalization functions of ``nn.functional``: batch, instance, layer, group, RMS and local response norm.

All are compositions of autograd_core ops over :func:`_normalize` (``(x - mean) / sqrt(var + eps)`` with the
biased variance), so their gradients and second derivatives come from the ops. Running statistics are updated
in place outside the graph, as PyTorch does, with the unbiased variance.

Example::

    >>> F.group_norm(x, 4)                       # x (N, C, *), C divisible by 4
    >>> F.rms_norm(x, (x.shape[-1],))
"""
import numbers

import numpy as np

from autograd_core import ops
from autograd_core.errors import ShapeError, fmt_shape
from autograd_core.grad_mode import no_grad
from autograd_core.ops.saved import guard

__all__ = ["batch_norm", "instance_norm", "layer_norm", "group_norm", "rms_norm", "local_response_norm"]


def _normalize(x, dims, eps):
    """``(x - mean) / sqrt(var + eps)`` over ``dims`` with the biased variance; also returns mean and var."""
    mean = x.mean(dim=dims, keepdim=True)
    xc = x - mean
    var = (xc * xc).mean(dim=dims, keepdim=True)
    return xc * (var + eps).rsqrt(), mean, var


def _check_channels(op, C, input, **tensors):
    for name, t in tensors.items():
        if t is not None and t.numel() != C:
            raise ShapeError(f"{op}: {name} should contain {C} elements not {t.numel()} (input shape "
                             f"{fmt_shape(input.shape)})")


def _channel_shape(input):
    return (1, input.shape[1]) + (1,) * (input.ndim - 2)


def _verify_batch_size(shape):
    n = shape[0]
    for s in shape[2:]:
        n *= s
    if n == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {list(shape)}")


def _update_running(running, stat, momentum):
    """``running = (1 - momentum) * running + momentum * stat``, in place and outside the graph."""
    with no_grad():
        r = running.numpy()
        r *= 1.0 - momentum
        r += (momentum * stat).astype(r.dtype, copy=False)
        running._bump_version()


def _affine(out, weight, bias, shape):
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


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
    if (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must either both be None or neither be None")
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    if eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    C = input.shape[1]
    shape = _channel_shape(input)
    _check_channels("batch_norm", C, input, running_mean=running_mean, running_var=running_var, weight=weight,
                    bias=bias)
    dims = (0,) + tuple(range(2, input.ndim))
    if training:
        _verify_batch_size(input.shape)
        out, mean, var = _normalize(input, dims, eps)
        if running_mean is not None:
            n = input.numel() // C
            _update_running(running_mean, mean.numpy().reshape(C), momentum)
            _update_running(running_var, var.numpy().reshape(C) * (n / (n - 1)), momentum)
    else:
        if running_mean is None:
            raise RuntimeError("running_mean must be defined in evaluation mode")
        # in Tensor ops (the same numbers as numpy's), so an ONNX export sees the running statistics
        inv_std = 1.0 / (running_var.to(input.dtype) + eps).sqrt()
        out = (input - running_mean.reshape(shape).to(input.dtype)) * inv_std.reshape(shape)
    # PyTorch's node saves the input and weight: changing them in place before backward is an error
    return guard(_affine(out, weight, bias, shape), input, weight, name="NativeBatchNormBackward0")


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """Normalize each channel of each sample over its spatial dims.

    With ``use_input_stats`` (training, or no running statistics) the instance statistics are used and the given
    ``running_mean``/``running_var`` move towards their mean over the batch (the variance unbiased); otherwise
    the running statistics are used, per channel.

    Shape:
        input ``(N, C, *)``; running stats, weight and bias ``(C,)``.
    """
    if input.ndim < 2:
        raise ShapeError(f"instance_norm: expected an input of shape (N, C, *), got {fmt_shape(input.shape)}")
    if (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must either both be None or neither be None")
    C = input.shape[1]
    shape = _channel_shape(input)
    _check_channels("instance_norm", C, input, running_mean=running_mean, running_var=running_var, weight=weight,
                    bias=bias)
    if not use_input_stats:
        if running_mean is None:
            raise RuntimeError("Expected running_mean and running_var to be defined when use_input_stats is false")
        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    n = int(np.prod(input.shape[2:], dtype=np.int64))
    if n == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {list(input.shape)}")
    out, mean, var = _normalize(input, tuple(range(2, input.ndim)), eps)
    if running_mean is not None:
        N = input.shape[0]
        _update_running(running_mean, mean.numpy().reshape(N, C).mean(axis=0), momentum)
        _update_running(running_var, (var.numpy().reshape(N, C) * (n / (n - 1))).mean(axis=0), momentum)
    # PyTorch normalizes a view of the input with a repeated copy of weight: its node saves the input, not weight
    return guard(_affine(out, None if weight is None else weight.clone(), bias, shape), input,
                 name="NativeBatchNormBackward0")


def _trailing(normalized_shape):
    if isinstance(normalized_shape, numbers.Integral):
        return (int(normalized_shape),)
    return tuple(int(s) for s in normalized_shape)


def _check_trailing(input, normalized_shape, **tensors):
    k = len(normalized_shape)
    if input.ndim < k or input.shape[input.ndim - k:] != normalized_shape:
        raise ShapeError(f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
                         f"[*, {', '.join(map(str, normalized_shape))}], but got input of shape "
                         f"{fmt_shape(input.shape)}")
    for name, t in tensors.items():
        if t is not None and t.shape != normalized_shape:
            raise ShapeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                             f"{list(t.shape)} and normalized_shape = {list(normalized_shape)}")
    return tuple(range(input.ndim - k, input.ndim))


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalize over the last ``len(normalized_shape)`` dims, then scale by ``weight`` and shift by ``bias``.

    Shape:
        input ``(*, *normalized_shape)``; weight and bias ``normalized_shape``.
    """
    normalized_shape = _trailing(normalized_shape)
    dims = _check_trailing(input, normalized_shape, weight=weight, bias=bias)
    out, _, _ = _normalize(input, dims, eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return guard(out, input, weight, bias, name="NativeLayerNormBackward0")    # what PyTorch's node saves


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """``x / sqrt(mean(x^2) + eps) * weight`` over the last ``len(normalized_shape)`` dims.

    Args:
        eps: added to the mean square; ``None`` means the machine epsilon of the input's dtype.

    Shape:
        input ``(*, *normalized_shape)``; weight ``normalized_shape``.
    """
    normalized_shape = _trailing(normalized_shape)
    dims = _check_trailing(input, normalized_shape, weight=weight)
    if eps is None:
        eps = float(np.finfo(input.dtype).eps)
    out = input * ((input * input).mean(dim=dims, keepdim=True) + eps).rsqrt()
    return out * weight if weight is not None else out


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Split the channels into ``num_groups`` groups and normalize each group of each sample (over its channels
    and spatial dims), then apply the per-channel ``weight`` and ``bias``.

    Shape:
        input ``(N, C, *)`` with ``C`` divisible by ``num_groups``; weight and bias ``(C,)``.
    """
    if input.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.ndim}")
    N, C = input.shape[:2]
    if num_groups <= 0 or C % num_groups:
        raise ShapeError(f"Expected number of channels in input to be divisible by num_groups, but got input of "
                         f"shape {list(input.shape)} and num_groups={num_groups}")
    _verify_batch_size([N * C // num_groups, num_groups] + list(input.shape[2:]))
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.ndim != 1 or t.numel() != C):
            raise ShapeError(f"Expected {name} to be a vector of size equal to the number of channels in input, but "
                             f"got {name} of shape {list(t.shape)} and input of shape {list(input.shape)}")
    grouped = input.reshape(N, num_groups, C // num_groups * int(np.prod(input.shape[2:], dtype=np.int64)))
    out, _, _ = _normalize(grouped, (2,), eps)
    out = _affine(out.reshape(input.shape), weight, bias, _channel_shape(input))
    return guard(out, input, weight, name="NativeGroupNormBackward0")        # what PyTorch's node saves


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """``x / (k + alpha * mean_window(x^2)) ** beta``, the window ``size`` channels wide around each channel
    (zero-padded, the mean counting the padding), as in AlexNet.

    Shape:
        input ``(N, C, *)`` with at least 3 dims; output of the same shape.
    """
    if input.ndim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {input.ndim} dimensions)")
    if input.numel() == 0:
        return input
    N, C = input.shape[:2]
    sq = (input * input).reshape(N, 1, C, -1)
    sq = ops.pad(sq, (0, 0, size // 2, (size - 1) // 2))
    div = ops.avg_pool2d(sq, (size, 1), stride=1).reshape(input.shape)
    return input / (div * alpha + k) ** beta
