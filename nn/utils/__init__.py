"""Training utilities: gradient clipping, flattening parameters to a vector and back, parameter counting."""
import math

import numpy as np

from autograd_core import ops
from autograd_core.errors import ShapeError, fmt_shape
from autograd_core.grad_mode import no_grad
from autograd_core.tensor import Tensor


def _tensors(parameters):
    if isinstance(parameters, Tensor):
        return [parameters]
    return list(parameters)


def _grads(parameters):
    return [p.grad for p in _tensors(parameters) if p.grad is not None]


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The ``norm_type``-norm of all ``tensors`` together, as if concatenated into one vector (a 0-d Tensor).

    ``norm_type`` may be ``inf`` (the largest absolute value).
    """
    arrays = [t.numpy() for t in _tensors(tensors)]
    norm_type = float(norm_type)
    if not arrays:
        return Tensor._make(np.asarray(0.0, dtype=np.float32))
    dtype = np.result_type(*arrays)
    if norm_type == math.inf:
        total = max(float(np.max(np.abs(a))) if a.size else 0.0 for a in arrays)
    elif norm_type == 0:
        total = float(sum(np.count_nonzero(a) for a in arrays))
    else:
        total = sum(float(np.sum(np.abs(a.astype(np.float64)) ** norm_type)) for a in arrays) ** (1.0 / norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so "
                           f"it cannot be clipped. To disable this error and scale the gradients by the non-finite "
                           f"norm anyway, set `error_if_nonfinite=False`")
    return Tensor._make(np.asarray(total, dtype=dtype))


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale the gradients by ``max_norm / (total_norm + 1e-6)`` when that is below 1 (in place)."""
    total = float(total_norm.item() if isinstance(total_norm, Tensor) else total_norm)
    coef = min(float(max_norm) / (total + 1e-6), 1.0)
    with no_grad():
        for g in _grads(parameters):
            g.numpy()[...] *= coef
            g._bump_version()


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Rescale the gradients in place so that their total norm is at most ``max_norm``.

    Args:
        parameters: a Tensor or an iterable of Tensors (their ``.grad`` is clipped).
        max_norm: the largest allowed total norm.
        norm_type: the p of the p-norm (``inf`` for the max norm).
        error_if_nonfinite: raise if the total norm is nan or inf.

    Returns:
        the total norm of the gradients before clipping, as a 0-d Tensor.

    Example::

        >>> loss.backward()
        >>> nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        >>> opt.step()
    """
    params = _tensors(parameters)
    grads = _grads(params)
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    clip_grads_with_norm_(params, max_norm, total)
    return total


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element into ``[-clip_value, clip_value]`` in place."""
    clip_value = float(clip_value)
    with no_grad():
        for g in _grads(parameters):
            np.clip(g.numpy(), -clip_value, clip_value, out=g.numpy())
            g._bump_version()


def parameters_to_vector(parameters):
    """Concatenate the parameters, flattened, into one 1-D Tensor (differentiable, as PyTorch's)."""
    params = _tensors(parameters)
    if not params:
        raise ValueError("parameters_to_vector: got no parameters")
    return ops.cat([p.reshape(-1) for p in params])


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of the 1-D ``vec`` into the parameters (their ``.data``), in order."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected a Tensor, but got: {type(vec).__name__}")
    params = _tensors(parameters)
    total = sum(p.numel() for p in params)
    if vec.ndim != 1 or vec.shape[0] != total:
        raise ShapeError(f"vector_to_parameters: vec has shape {fmt_shape(vec.shape)} but the parameters hold "
                         f"{total} elements")
    data, start = vec.numpy(), 0
    with no_grad():
        for p in params:
            n = p.numel()
            p.numpy()[...] = data[start:start + n].reshape(p.shape)
            p._bump_version()
            start += n


def count_parameters(module_or_parameters, trainable_only=False):
    """Number of scalar parameters of a Module (or an iterable of Tensors); ``trainable_only`` counts those
    with ``requires_grad``."""
    params = module_or_parameters.parameters() if hasattr(module_or_parameters, "parameters") \
        else _tensors(module_or_parameters)
    seen, total = set(), 0
    for p in params:
        if id(p) in seen or (trainable_only and not p.requires_grad):
            continue
        seen.add(id(p))
        total += p.numel()
    return int(total)


__all__ = ["clip_grad_norm_", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_",
           "parameters_to_vector", "vector_to_parameters", "count_parameters"]
