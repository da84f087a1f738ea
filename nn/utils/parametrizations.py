"""Ready-made parametrizations (``torch.nn.utils.parametrizations``): ``weight_norm`` and ``spectral_norm``
built on :mod:`nn.utils.parametrize`, with PyTorch's state dict keys
(``parametrizations.weight.original0`` / ``original1`` for weight norm's g and v;
``parametrizations.weight.original`` plus the buffers ``parametrizations.weight.0._u`` / ``._v`` for spectral
norm).

``orthogonal`` is not provided: it needs the matrix exponential, the Cayley map's linear solve and Householder
products as differentiable ops, which this library does not have yet.
"""
from autograd_core import ops
from autograd_core.grad_mode import no_grad
from autograd_core.tensor import Tensor

from ..module import Module
from . import parametrize
from .spectral_norm import _is_conv_transpose, matrix_view, normalize, normalize_array, random_unit_vector
from .weight_norm import _weight_norm, norm_except_dim

__all__ = ["spectral_norm", "weight_norm"]


class _WeightNorm(Module):
    """``weight = g * v / ||v||`` from ``original0 = g`` and ``original1 = v``."""

    def __init__(self, dim=0):
        super().__init__()
        if dim is None:
            dim = -1
        self.dim = dim

    def forward(self, weight_g, weight_v):
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight):
        return norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module, name="weight", dim=0):
    r"""Weight normalization as a parametrization: ``module.<name>`` becomes :math:`g \, v / \|v\|` with
    ``g = parametrizations.<name>.original0`` and ``v = parametrizations.<name>.original1``.

    Args:
        module: the module.
        name: the parameter. Default: ``"weight"``.
        dim: the dim that keeps its own magnitude (``None`` or -1: one magnitude for the whole tensor).
            Default: 0.

    Returns:
        the module.

    Note: PyTorch also registers a load hook that accepts old ``weight_g`` / ``weight_v`` state dicts; here load
    a state dict with the ``parametrizations.weight.original0`` / ``original1`` keys.

    Example::

        >>> m = weight_norm(nn.Linear(20, 40))
        >>> m.parametrizations.weight.original0.shape
        (40, 1)
    """
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
    return module


class _SpectralNorm(Module):
    """``weight / sigma`` with the spectral norm ``sigma`` estimated by power iteration (buffers ``_u``, ``_v``);
    a 1-D weight is simply normalized."""

    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of [-{ndim}, {ndim - 1}] but got {dim})")
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            weight_mat = self._reshape_weight_to_matrix(weight)
            h, w = weight_mat.shape
            self.register_buffer("_u", Tensor(random_unit_vector(h, weight.dtype, self.eps)))
            self.register_buffer("_v", Tensor(random_unit_vector(w, weight.dtype, self.eps)))
            self._power_method(weight_mat, 15)  # start from good singular vectors

    def _reshape_weight_to_matrix(self, weight):
        return matrix_view(weight, self.dim)

    def _power_method(self, weight_mat, n_power_iterations):
        """Update ``_u`` and ``_v`` in place (no gradient): ``u = normalize(W v)``, ``v = normalize(W^T u)``."""
        w = weight_mat.numpy()
        u, v = self._u.numpy(), self._v.numpy()
        for _ in range(n_power_iterations):
            u[...] = normalize_array(w @ v, self.eps)
            v[...] = normalize_array(w.T @ u, self.eps)
        self._u._bump_version()
        self._v._bump_version()

    def forward(self, weight):
        if weight.ndim == 1:
            return normalize(weight, self.eps)
        weight_mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            with no_grad():
                self._power_method(weight_mat, self.n_power_iterations)
        u = Tensor._make(self._u.numpy().copy())
        v = Tensor._make(self._v.numpy().copy())
        sigma = ops.dot(u, ops.matmul(weight_mat, v))
        return weight / sigma

    def right_inverse(self, value):
        """Assigning a weight stores it as the original as is (it is normalized on access)."""
        return value


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Spectral normalization as a parametrization: ``module.<name>`` becomes ``original / sigma(original)``.

    In training mode each access runs ``n_power_iterations`` power-iteration steps (updating the buffers
    ``parametrizations.<name>.0._u`` / ``_v``); in eval mode the stored vectors are used. Registration runs 15
    iterations from random unit vectors (drawn from the library's generator).

    Args:
        module: the module.
        name: the parameter or buffer. Default: ``"weight"``.
        n_power_iterations: iterations per training access. Default: 1.
        eps: for the normalizations. Default: 1e-12.
        dim: the dim of output units; default 1 for ConvTranspose, else 0.

    Returns:
        the module.

    Example::

        >>> m = spectral_norm(nn.Linear(20, 40))
        >>> sorted(m.state_dict())
        ['bias', 'parametrizations.weight.0._u', 'parametrizations.weight.0._v', 'parametrizations.weight.original']
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if _is_conv_transpose(module) else 0
    parametrize.register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module
