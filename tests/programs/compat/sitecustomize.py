"""Stand-ins for torch names that other issue-13 branches add (the torch layout, devices, ``save``), installed
only where the name is still missing, so tests/programs run before those branches are merged. Once they are,
nothing here is used any more and this folder can be deleted.

Put on ``PYTHONPATH`` of a subprocess (and so of its spawned DataLoader workers); Python imports
``sitecustomize`` at start-up.
"""
import sys
import types


def _install():
    try:
        import autograd_core as ac
        import nn
        import optim
    except ImportError:
        return

    def alias(name, module):
        if name not in sys.modules:
            sys.modules[name] = module
            parent, _, child = name.rpartition(".")
            if not hasattr(sys.modules[parent], child):
                setattr(sys.modules[parent], child, module)

    alias("autograd_core.nn", nn)
    alias("autograd_core.nn.functional", nn.functional)
    alias("autograd_core.optim", optim)
    alias("autograd_core.optim.lr_scheduler", optim.lr_scheduler)
    if "autograd_core.utils" not in sys.modules and not hasattr(ac, "utils"):
        alias("autograd_core.utils", types.ModuleType("autograd_core.utils"))
    alias("autograd_core.utils.data", ac.data)

    if not hasattr(ac, "device"):
        class device(str):
            def __new__(cls, kind="cpu"):
                if kind != "cpu":
                    raise RuntimeError("no CUDA device: this engine runs on the CPU")
                return super().__new__(cls, kind)

            @property
            def type(self):
                return str(self)
        ac.device = device
    if not hasattr(ac, "accelerator"):
        ac.accelerator = types.SimpleNamespace(is_available=lambda: False, current_accelerator=lambda: None)
    if not hasattr(ac, "cuda"):
        ac.cuda = types.SimpleNamespace(is_available=lambda: False, device_count=lambda: 0)
    if not hasattr(ac, "save"):
        from nn import serialization
        ac.save, ac.load = serialization.save, serialization.load


_install()
