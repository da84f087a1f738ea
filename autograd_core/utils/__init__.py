"""``autograd_core.utils``: the torch.utils layout. ``autograd_core.utils.data`` is the ``autograd_core.data``
package itself (the same module objects, submodules included: ``autograd_core.utils.data.dataloader`` is
``autograd_core.data.dataloader``), registered by ``autograd_core/_aliases.py``."""
import importlib


def __getattr__(name):
    if name == "data":
        return importlib.import_module("autograd_core.utils.data")
    raise AttributeError(f"module 'autograd_core.utils' has no attribute '{name}'")


__all__ = ["data"]
