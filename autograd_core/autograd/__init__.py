"""``autograd_core.autograd``: the engine's entry points under ``torch.autograd``'s names.

The code lives in the core modules (``engine.py``, ``function.py``, ``custom_function.py``, ``checks.py``,
``anomaly.py``, ``grad_mode.py``); this package gives them the layout PyTorch programs import from
(``from torch.autograd import grad, Function``), plus ``functional`` (Jacobians, Hessians and their vector
products, built on ``grad``) and ``function`` (``from torch.autograd.function import once_differentiable``).
"""
from ..anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from ..checks import gradcheck, gradgradcheck
from ..custom_function import once_differentiable
from ..engine import backward, grad
from ..function import Function
from ..grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad,
                         set_grad_enabled)
from . import function, functional

__all__ = ["backward", "grad", "Function", "once_differentiable", "gradcheck", "gradgradcheck", "detect_anomaly",
           "set_detect_anomaly", "is_anomaly_enabled", "no_grad", "enable_grad", "set_grad_enabled",
           "is_grad_enabled", "inference_mode", "is_inference_mode_enabled", "functional",
           "function"]


def __getattr__(name):
    """Submodules of ``torch.autograd`` (``functional``...) imported on first attribute use, as PyTorch programs
    reach them (``torch.autograd.functional.jacobian``) without importing them."""
    import importlib
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as e:
        if e.name != f"{__name__}.{name}":
            raise
        raise AttributeError(f"module '{__name__}' has no attribute '{name}'") from None
