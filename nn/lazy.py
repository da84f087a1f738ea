"""Lazy modules: parameters whose shapes are inferred from the first input (PyTorch's ``LazyModuleMixin``).

A lazy module holds :class:`~nn.parameter.UninitializedParameter` objects until its first call, when a forward
pre-hook runs ``initialize_parameters(input)`` (which materializes them and resets them) and the module becomes
its ``cls_to_become`` (``LazyLinear`` -> ``Linear``). Loading a state dict into a lazy module materializes its
parameters with the checkpoint's shapes (``Module.load_state_dict`` calls :meth:`LazyModuleMixin._lazy_load_hook`).
"""
from .parameter import UninitializedParameter


def is_lazy(param):
    """Whether ``param`` is still an :class:`UninitializedParameter`."""
    return isinstance(param, UninitializedParameter)


class LazyModuleMixin:
    """Mixin of lazy modules: put it first in the bases (``class LazyLinear(LazyModuleMixin, Linear)``) and define
    ``initialize_parameters(*inputs)``."""

    cls_to_become = None

    def _register_lazy_hook(self):
        self._initialize_hook = self.register_forward_pre_hook(type(self)._infer_parameters)

    def has_uninitialized_params(self):
        """Whether any parameter or buffer of this module is still uninitialized."""
        return any(is_lazy(t) for t in list(self._parameters.values()) + list(self._buffers.values()))

    def initialize_parameters(self, *args, **kwargs):
        raise NotImplementedError(f"initialize_parameters is not implemented for {type(self).__name__}")

    def _infer_parameters(self, args):
        self.initialize_parameters(*args)
        if self.has_uninitialized_params():
            raise RuntimeError(f"module {self._get_name()} has not been fully initialized")
        self._initialize_hook.remove()
        del self._initialize_hook
        if self.cls_to_become is not None:
            self.__class__ = self.cls_to_become

    def _lazy_load_hook(self, state_dict, prefix):
        """Materialize uninitialized parameters that ``state_dict`` holds, with the shapes it gives them."""
        for name, t in list(self._parameters.items()) + list(self._buffers.items()):
            key = prefix + name
            if t is not None and is_lazy(t) and key in state_dict and not is_lazy(state_dict[key]):
                t.materialize(getattr(state_dict[key], "shape", None))
        self._materialized_from_state_dict()

    def _materialized_from_state_dict(self):
        """Hook for a lazy module to record what the loaded shapes imply (``LazyLinear.in_features``)."""
