"""The torch layout of submodules: ``autograd_core.nn`` *is* the ``nn`` package, ``autograd_core.optim`` is
``optim``, ``autograd_core.utils.data`` is ``autograd_core.data``, with all their submodules.

A meta-path finder answers imports of those names (``import autograd_core.nn.functional as F``,
``from autograd_core.utils.data import DataLoader``, ``import autograd_core.utils.data.sampler``) by importing
the real module and registering the very same module object under the alias name, so there is one copy of every
class. It only answers names under the aliases below (nothing else is affected), and it imports lazily: ``nn``
and ``optim`` (which import ``autograd_core``) are imported the first time they are asked for, so importing
``autograd_core`` has no import cycle.
"""
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys

ALIASES = {"autograd_core.nn": "nn", "autograd_core.optim": "optim", "autograd_core.utils.data": "autograd_core.data"}


def target_name(fullname):
    """The real module name behind an alias name (``'autograd_core.nn.functional'`` -> ``'nn.functional'``), or
    None when ``fullname`` is not under an alias."""
    for alias, real in ALIASES.items():
        if fullname == alias or fullname.startswith(alias + "."):
            return real + fullname[len(alias):]
    return None


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, real):
        self.real = real

    def create_module(self, spec):
        module = importlib.import_module(self.real)     # the real module object itself
        self._spec = module.__spec__
        return module

    def exec_module(self, module):
        module.__spec__ = self._spec    # the import system set the alias spec; the module keeps its real one


class AliasFinder(importlib.abc.MetaPathFinder):
    """Finds ``autograd_core.nn[.x]``, ``autograd_core.optim[.x]`` and ``autograd_core.utils.data[.x]`` as the real
    modules ``nn[.x]``, ``optim[.x]`` and ``autograd_core.data[.x]``."""

    def find_spec(self, fullname, path=None, target=None):
        real = target_name(fullname)
        if real is None:
            return None
        if real in sys.modules:
            return importlib.machinery.ModuleSpec(fullname, _AliasLoader(real))
        try:
            found = importlib.util.find_spec(real)
        except ModuleNotFoundError:
            found = None
        if found is None:
            return None          # the usual "No module named 'autograd_core....'"
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(real))


_FINDER = AliasFinder()


def install():
    """Put the finder first on ``sys.meta_path`` (once), before the path finder could load a second copy."""
    if not any(isinstance(f, AliasFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _FINDER)


def lazy_module(name):
    """``autograd_core.<name>`` for the lazy top-level aliases (``nn``, ``optim``), importing it on first use."""
    return importlib.import_module("autograd_core." + name)
