"""Every public name of autograd_core, nn, optim (and autograd_core.autograd, nn.functional) is importable,
callable where it should be, and documented."""
import importlib
import inspect
import types

import numpy as np
import pytest

import autograd_core
import nn
import optim

NAMESPACES = ["autograd_core", "autograd_core.autograd", "autograd_core.cuda", "autograd_core.accelerator",
              "autograd_core.backends", "nn", "nn.functional", "nn.init", "optim",
              "optim.lr_scheduler"]
NAMESPACES += ["autograd_core.data", "autograd_core.data.dataset", "autograd_core.data.sampler",
               "autograd_core.data.dataloader",
               "autograd_core.vision", "autograd_core.vision.datasets", "autograd_core.vision.transforms",
               "autograd_core.vision.transforms.functional", "autograd_core.vision.utils"]


def _public(modname):
    mod = importlib.import_module(modname)
    names = getattr(mod, "__all__", None)
    if names is None:
        names = [n for n, v in vars(mod).items() if not n.startswith("_") and not isinstance(v, types.ModuleType)
                 and getattr(v, "__module__", modname).split(".")[0] in ("autograd_core", "nn", "optim")]
    return [(modname, n) for n in names]


CASES = [c for m in NAMESPACES for c in _public(m)]


def _is_dtype(obj):
    """dtypes and layouts are values (autograd_core.float32, autograd_core.strided), not functions."""
    return isinstance(obj, (autograd_core.dtype, autograd_core.layout)) or (
        isinstance(obj, type) and issubclass(obj, np.generic))


@pytest.mark.parametrize("modname,name", CASES, ids=[f"{m}.{n}" for m, n in CASES])
def test_public_name_importable_callable_documented(modname, name):
    mod = importlib.import_module(modname)
    obj = getattr(mod, name)                                   # importable
    exec(f"from {modname} import {name}", {})                  # and importable by name
    if isinstance(obj, types.ModuleType) or _is_dtype(obj) or isinstance(obj, (str, int, float, np.dtype)):
        return
    assert callable(obj), f"{modname}.{name} is not callable"
    doc = inspect.getdoc(obj)
    assert doc and doc.strip(), f"{modname}.{name} has no docstring"


@pytest.mark.parametrize("modname", NAMESPACES)
def test_all_lists_only_existing_names(modname):
    mod = importlib.import_module(modname)
    for name in getattr(mod, "__all__", []):
        assert hasattr(mod, name), f"{modname}.__all__ lists {name!r} which does not exist"


def test_autograd_namespace_functions_are_plain_functions():
    """``autograd_core.autograd`` is a module (as ``torch.autograd``), so its functions are not bound methods."""
    assert isinstance(autograd_core.autograd, types.ModuleType)
    x = autograd_core.tensor([1.0, 2.0, 3.0], dtype=np.float64, requires_grad=True)
    (g,) = autograd_core.autograd.grad((x ** 3).sum(), [x])
    np.testing.assert_allclose(g.numpy(), [3.0, 12.0, 27.0])
    assert autograd_core.autograd.gradcheck(lambda t: (t * t).sum(), (x,))
    autograd_core.autograd.set_detect_anomaly(True)
    assert autograd_core.autograd.is_anomaly_enabled()
    autograd_core.autograd.set_detect_anomaly(False)
    y = (x * 2).sum()
    autograd_core.autograd.backward([y])
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0, 2.0])
    assert issubclass(autograd_core.autograd.Function, object)
    with autograd_core.autograd.detect_anomaly():
        (x * x).sum().backward()


def test_namespaces_are_shared_objects():
    assert autograd_core.autograd.Function is autograd_core.Function
    assert autograd_core.autograd.grad is autograd_core.grad
    assert nn.functional.cross_entropy is autograd_core.ops.cross_entropy
    assert optim.lr_scheduler.StepLR.__module__.startswith("optim")
