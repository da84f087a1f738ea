"""Gradient clipping: rescale gradients to a maximum total norm, or clamp them elementwise (PyTorch's
``torch.nn.utils.clip_grad``)."""
import math
import types
import warnings

import numpy as np

from autograd_core.grad_mode import no_grad
from autograd_core.tensor import Tensor


def _tensors(parameters):
    if isinstance(parameters, Tensor):
        return [parameters]
    return list(parameters)


def _grads(parameters):
    return [p.grad for p in _tensors(parameters) if p.grad is not None]


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The ``norm_type``-norm of all ``tensors`` together, as if concatenated into one vector (a 0-d Tensor of
    their dtype; p-norms accumulate in float64).

    ``norm_type`` may be ``inf`` (the largest absolute value) or ``-inf`` (the smallest). ``norm_type=0`` follows
    PyTorch, which takes the norm of the per-tensor norms: it counts the tensors holding a nonzero, not the
    nonzeros. No tensors give ``tensor(0.)``.

    Args:
        tensors: a Tensor or an iterable of Tensors (e.g. gradients).
        norm_type: p of the p-norm, or ``inf`` / ``-inf``. Default: 2.
        error_if_nonfinite: raise RuntimeError if the norm is nan or inf. Default: False.
        foreach: accepted for PyTorch compatibility (an implementation choice there).
    """
    arrays = [t.numpy() for t in _tensors(tensors)]
    norm_type = float(norm_type)
    if not arrays:
        return Tensor._make(np.asarray(0.0, dtype=np.float32))
    dtype = np.result_type(*arrays)
    if norm_type == math.inf:
        total = max(float(np.max(np.abs(a))) if a.size else 0.0 for a in arrays)
    elif norm_type == -math.inf:
        total = min(float(np.min(np.abs(a))) if a.size else math.inf for a in arrays)
    elif norm_type == 0:
        total = float(sum(bool(np.count_nonzero(a)) for a in arrays))
    else:
        with np.errstate(divide="ignore"):  # 0 ** negative p = inf, as in PyTorch
            total = sum(float(np.sum(np.abs(a.astype(np.float64)) ** norm_type)) for a in arrays) ** (1.0 / norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so "
                           f"it cannot be clipped. To disable this error and scale the gradients by the non-finite "
                           f"norm anyway, set `error_if_nonfinite=False`")
    return Tensor._make(np.asarray(total, dtype=dtype))


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Multiply the gradients in place by ``min(1, max_norm / (total_norm + 1e-6))``.

    Args:
        parameters: a Tensor or an iterable of Tensors whose ``.grad`` is scaled.
        max_norm: the largest allowed total norm.
        total_norm: the total norm of the gradients (e.g. from :func:`get_total_norm`).
        foreach: accepted for PyTorch compatibility.
    """
    grads = _grads(parameters)
    if not grads:
        return
    total = np.asarray(total_norm.numpy() if isinstance(total_norm, Tensor) else total_norm)
    coef = np.minimum(float(max_norm) / (total + 1e-6), 1.0).astype(total.dtype)
    with no_grad(), np.errstate(invalid="ignore"):  # inf * 0 -> nan, silently, as in PyTorch
        for g in grads:
            arr = g.numpy()
            arr *= coef.astype(arr.dtype)
            g._bump_version()


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Rescale the gradients in place so that their total norm is at most ``max_norm``.

    Args:
        parameters: a Tensor or an iterable of Tensors (their ``.grad`` is clipped).
        max_norm: the largest allowed total norm.
        norm_type: the p of the p-norm (``inf`` for the max norm). Default: 2.
        error_if_nonfinite: raise if the total norm is nan or inf. Default: False.
        foreach: accepted for PyTorch compatibility.

    Returns:
        the total norm of the gradients before clipping, as a 0-d Tensor.

    Example::

        >>> loss.backward()
        >>> nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        >>> opt.step()
    """
    if isinstance(parameters, Tensor):
        params = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        params = list(parameters)
        if is_generator and not params:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.", stacklevel=2)
    total = get_total_norm(_grads(params), norm_type, error_if_nonfinite)
    clip_grads_with_norm_(params, max_norm, total)
    return total


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated alias of :func:`clip_grad_norm_` (as in PyTorch)."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`.",
                  FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element into ``[-clip_value, clip_value]`` in place.

    Args:
        parameters: a Tensor or an iterable of Tensors (their ``.grad`` is clamped).
        clip_value: the bound.
        foreach: accepted for PyTorch compatibility.
    """
    clip_value = float(clip_value)
    with no_grad():
        for g in _grads(parameters):
            np.clip(g.numpy(), -clip_value, clip_value, out=g.numpy())
            g._bump_version()
