"""Weight normalization, the hook style (``torch.nn.utils.weight_norm``, deprecated in PyTorch in favour of
``nn.utils.parametrizations.weight_norm``): ``w = g * v / ||v||`` (Salimans & Kingma, 2016).

The parameter ``name`` is replaced by two parameters, ``name_g`` (the magnitude, one per slice along ``dim``)
and ``name_v`` (the direction), and a forward pre-hook recomputes ``module.name`` from them before every call.
The state dict then holds ``weight_g`` / ``weight_v``, as PyTorch's.
"""
import warnings

from autograd_core import ops

from ..parameter import Parameter


def norm_except_dim(v, pow=2, dim=0):
    """The 2-norm of ``v`` over every dim except ``dim``, kept as size-1 dims (``torch.norm_except_dim``).

    ``dim=-1`` means *no* dim is kept (the norm of the whole tensor, a 0-d result), as in PyTorch. Differentiable.
    """
    if pow != 2:
        raise NotImplementedError(f"norm_except_dim: only pow=2 is supported, got {pow}")
    if dim == -1:
        return ops.sqrt(ops.sum(v * v))
    if not -v.ndim <= dim < v.ndim:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-v.ndim}, {v.ndim - 1}], but got "
                         f"{dim})")
    dim %= v.ndim
    others = tuple(d for d in range(v.ndim) if d != dim)
    return ops.sqrt(ops.sum(v * v, dim=others, keepdim=True))


def _weight_norm(v, g, dim=0):
    """``v * (g / norm_except_dim(v, 2, dim))`` (``torch._weight_norm``); differentiable in ``v`` and ``g``."""
    return v * (g / norm_except_dim(v, 2, dim))


class WeightNorm:
    """The forward pre-hook of :func:`weight_norm`: recomputes ``module.<name>`` from ``<name>_g`` and
    ``<name>_v``."""

    def __init__(self, name, dim):
        if dim is None:
            dim = -1
        self.name = name
        self.dim = dim

    def compute_weight(self, module):
        g = getattr(module, self.name + "_g")
        v = getattr(module, self.name + "_v")
        return _weight_norm(v, g, self.dim)

    @staticmethod
    def apply(module, name, dim):
        warnings.warn("`torch.nn.utils.weight_norm` is deprecated in favor of "
                      "`torch.nn.utils.parametrizations.weight_norm`.", FutureWarning, stacklevel=3)
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two weight_norm hooks on the same parameter {name}")
        if dim is None:
            dim = -1
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        del module._parameters[name]
        module.register_parameter(name + "_g", Parameter(norm_except_dim(weight, 2, dim).data))
        module.register_parameter(name + "_v", Parameter(weight.data))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module):
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(weight.data))

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module, name="weight", dim=0):
    r"""Reparametrize ``module.<name>`` as :math:`w = g \, v / \|v\|` with new parameters ``<name>_g`` and
    ``<name>_v``.

    Args:
        module: the module (e.g. ``nn.Linear``, ``nn.Conv2d``).
        name: the parameter to reparametrize. Default: ``"weight"``.
        dim: the dim along which each slice gets its own magnitude: 0 gives one ``g`` per output unit
            (``g`` of shape ``(out, 1, ...)``); ``None`` or -1 one ``g`` for the whole tensor. Default: 0.

    Returns:
        the module.

    Example::

        >>> m = weight_norm(nn.Linear(20, 40), name="weight")
        >>> m.weight_g.shape, m.weight_v.shape
        ((40, 1), (40, 20))
    """
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module, name="weight"):
    """Undo :func:`weight_norm`: ``module.<name>`` becomes a plain parameter again (holding ``g v / ||v||``)."""
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")
