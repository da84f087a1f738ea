"""Fold an eval-mode batch norm into the preceding convolution or linear layer (``torch.nn.utils.fusion``).

In eval mode ``bn(conv(x)) = conv'(x)`` with ``W' = W * gamma / sqrt(var + eps)`` (per output channel) and
``b' = (b - mean) * gamma / sqrt(var + eps) + beta``: one layer instead of two at inference time.
"""
import copy

import numpy as np

from ..parameter import Parameter


def _array(t):
    return None if t is None else t.numpy()


def fuse_conv_bn_eval(conv, bn, transpose=False):
    """A copy of ``conv`` whose weight and bias include ``bn`` (both must be in eval mode).

    Args:
        conv: a convolution (Conv1d, Conv2d, ...).
        bn: the batch norm that follows it (with running statistics).
        transpose: ``conv`` is a transposed convolution (output channels on dim 1 of its weight).

    Returns:
        the fused convolution (``conv`` is not modified).
    """
    if conv.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    fused_conv = copy.deepcopy(conv)
    if bn.running_mean is None or bn.running_var is None:
        raise AssertionError("bn.running_mean and bn.running_var must not be None")
    fused_conv.weight, fused_conv.bias = fuse_conv_bn_weights(fused_conv.weight, fused_conv.bias, bn.running_mean,
                                                              bn.running_var, bn.eps, bn.weight, bn.bias, transpose)
    return fused_conv


def fuse_conv_bn_weights(conv_w, conv_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b, transpose=False):
    """The fused ``(weight, bias)`` Parameters of a convolution followed by an eval-mode batch norm.

    Args:
        conv_w, conv_b: the convolution's weight and bias (None for no bias).
        bn_rm, bn_rv, bn_eps: the batch norm's running mean, running variance and eps.
        bn_w, bn_b: the batch norm's weight and bias (None when not affine).
        transpose: the weight is a transposed convolution's (output channels on dim 1).

    Returns:
        ``(weight, bias)`` as Parameters in the convolution's dtypes, each requiring grad like its source.
    """
    w = conv_w.numpy()
    rm, rv = bn_rm.numpy(), bn_rv.numpy()
    conv_weight_dtype = w.dtype
    conv_bias_dtype = conv_b.dtype if conv_b is not None else conv_weight_dtype
    b = _array(conv_b) if conv_b is not None else np.zeros_like(rm)
    gamma = _array(bn_w) if bn_w is not None else np.ones_like(rm)
    beta = _array(bn_b) if bn_b is not None else np.zeros_like(rm)
    var_rsqrt = 1 / np.sqrt(rv + bn_eps)
    shape = [1, -1] + [1] * (w.ndim - 2) if transpose else [-1, 1] + [1] * (w.ndim - 2)
    fused_w = (w * (gamma * var_rsqrt).reshape(shape)).astype(conv_weight_dtype)
    fused_b = ((b - rm) * var_rsqrt * gamma + beta).astype(conv_bias_dtype)
    b_requires_grad = conv_b.requires_grad if conv_b is not None else False
    return Parameter(fused_w, conv_w.requires_grad), Parameter(fused_b, b_requires_grad)


def fuse_linear_bn_eval(linear, bn):
    """A copy of ``linear`` whose weight and bias include the eval-mode batch norm ``bn`` that follows it.

    ``bn.num_features`` must equal ``linear.out_features`` (or be 1).
    """
    if linear.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    fused_linear = copy.deepcopy(linear)
    if linear.out_features != bn.num_features and bn.num_features != 1:
        raise AssertionError("To fuse, linear.out_features == bn.num_features or bn.num_features == 1, got "
                             f"linear.out_features={linear.out_features} and bn.num_features={bn.num_features}")
    if bn.running_mean is None or bn.running_var is None:
        raise AssertionError("bn.running_mean and bn.running_var must not be None")
    fused_linear.weight, fused_linear.bias = fuse_linear_bn_weights(fused_linear.weight, fused_linear.bias,
                                                                    bn.running_mean, bn.running_var, bn.eps,
                                                                    bn.weight, bn.bias)
    return fused_linear


def fuse_linear_bn_weights(linear_w, linear_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b):
    """The fused ``(weight, bias)`` Parameters of a linear layer followed by an eval-mode batch norm (affine)."""
    w = linear_w.numpy()
    rm, rv = bn_rm.numpy(), bn_rv.numpy()
    linear_weight_dtype = w.dtype
    linear_bias_dtype = linear_b.dtype if linear_b is not None else linear_weight_dtype
    b = _array(linear_b) if linear_b is not None else np.zeros_like(rm)
    bn_scale = bn_w.numpy() * (1 / np.sqrt(rv + bn_eps))
    fused_w = w * bn_scale[:, None].astype(linear_weight_dtype)
    fused_b = ((b - rm) * bn_scale + bn_b.numpy()).astype(linear_bias_dtype)
    b_requires_grad = linear_b.requires_grad if linear_b is not None else False
    return Parameter(fused_w, linear_w.requires_grad), Parameter(fused_b, b_requires_grad)
