"""Spectral normalization, the hook style (``torch.nn.utils.spectral_norm``): ``w = w_orig / sigma(w_orig)``
with the largest singular value ``sigma`` estimated by power iteration (Miyato et al., 2018).

The parameter ``name`` becomes ``name_orig``; the buffers ``name_u`` and ``name_v`` hold the power iteration's
singular vectors. In training mode every forward runs ``n_power_iterations`` steps (updating ``u`` and ``v`` in
place) before computing ``sigma = u^T W v``; in eval mode the stored ``u`` and ``v`` are used as they are. The
state dict holds ``weight_orig``, ``weight_u``, ``weight_v``, as PyTorch's.
"""
import numpy as np

from autograd_core import ops
from autograd_core.grad_mode import no_grad
from autograd_core.random import default_generator
from autograd_core.tensor import Tensor

from ..parameter import Parameter


def normalize_array(x, eps):
    """``x / max(||x||_2, eps)`` on an ndarray (``F.normalize(x, dim=0, eps=eps)`` for a vector)."""
    return x / max(float(np.sqrt(np.dot(x, x))), eps)


def normalize(x, eps):
    """``x / max(||x||_2, eps)`` for a 1-D Tensor, differentiable (``F.normalize(x, dim=0, eps=eps)``)."""
    return x / ops.clamp(ops.sqrt(ops.sum(x * x)), min=eps)


def random_unit_vector(n, dtype, eps):
    """A normalized standard-normal vector from the library's generator (the power iteration's start)."""
    return normalize_array(default_generator().standard_normal(n).astype(dtype), eps)


def matrix_view(weight, dim):
    """``weight`` with ``dim`` moved first and the rest flattened: a ``(weight.shape[dim], -1)`` matrix."""
    if dim != 0:
        weight = weight.permute(dim, *[d for d in range(weight.ndim) if d != dim])
    return weight.reshape(weight.shape[0], -1)


class SpectralNorm:
    """The forward pre-hook of :func:`spectral_norm`: recomputes ``module.<name>`` from ``<name>_orig``."""

    _version = 1

    def __init__(self, name="weight", n_power_iterations=1, dim=0, eps=1e-12):
        self.name = name
        self.dim = dim
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.n_power_iterations = n_power_iterations
        self.eps = eps

    def reshape_weight_to_matrix(self, weight):
        return matrix_view(weight, self.dim)

    def compute_weight(self, module, do_power_iteration):
        weight = getattr(module, self.name + "_orig")
        u = getattr(module, self.name + "_u")
        v = getattr(module, self.name + "_v")
        weight_mat = self.reshape_weight_to_matrix(weight)
        if do_power_iteration:
            w = weight_mat.numpy()
            u_arr, v_arr = u.numpy(), v.numpy()
            for _ in range(self.n_power_iterations):
                v_arr[...] = normalize_array(w.T @ u_arr, self.eps)
                u_arr[...] = normalize_array(w @ v_arr, self.eps)
            u._bump_version()
            v._bump_version()
            # copies, so that the next in-place power iteration cannot change what this graph saved
            u, v = Tensor._make(u_arr.copy()), Tensor._make(v_arr.copy())
        sigma = ops.dot(u, ops.matmul(weight_mat, v))
        return weight / sigma

    def remove(self, module):
        with no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        delattr(module, self.name)
        delattr(module, self.name + "_u")
        delattr(module, self.name + "_v")
        delattr(module, self.name + "_orig")
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module, do_power_iteration=module.training))

    @staticmethod
    def apply(module, name, n_power_iterations, dim, eps):
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, SpectralNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two spectral_norm hooks on the same parameter {name}")
        fn = SpectralNorm(name, n_power_iterations, dim, eps)
        weight = module._parameters.get(name)
        if weight is None:
            raise ValueError(f"`SpectralNorm` cannot be applied as parameter `{name}` is None")
        h, w = fn.reshape_weight_to_matrix(weight).shape
        u = random_unit_vector(h, weight.dtype, fn.eps)
        v = random_unit_vector(w, weight.dtype, fn.eps)
        delattr(module, fn.name)
        module.register_parameter(fn.name + "_orig", weight)
        setattr(module, fn.name, weight.data)  # a plain attribute until the first forward
        module.register_buffer(fn.name + "_u", Tensor(u))
        module.register_buffer(fn.name + "_v", Tensor(v))
        module.register_forward_pre_hook(fn)
        return fn


def _is_conv_transpose(module):
    return type(module).__name__ in ("ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d")


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Divide ``module.<name>`` by its spectral norm (largest singular value), estimated by power iteration.

    Args:
        module: the module.
        name: the parameter. Default: ``"weight"``.
        n_power_iterations: power iterations per training forward. Default: 1.
        eps: for the normalizations of ``u`` and ``v``. Default: 1e-12.
        dim: the dim of output units (the rows of the matrix); default 1 for ConvTranspose, else 0.

    Returns:
        the module, with parameter ``<name>_orig`` and buffers ``<name>_u``, ``<name>_v``.

    Example::

        >>> m = spectral_norm(nn.Linear(20, 40))
        >>> m.weight_u.shape
        (40,)
    """
    if dim is None:
        dim = 1 if _is_conv_transpose(module) else 0
    SpectralNorm.apply(module, name, n_power_iterations, dim, eps)
    return module


def remove_spectral_norm(module, name="weight"):
    """Undo :func:`spectral_norm`: ``module.<name>`` becomes a plain parameter holding ``w_orig / sigma`` (with
    the stored ``u`` and ``v``)."""
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, SpectralNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"spectral_norm of '{name}' not found in {module}")
