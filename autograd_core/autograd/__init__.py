"""``autograd_core.autograd``: the engine's entry points under ``torch.autograd``'s names.

The code lives in the core modules (``engine.py``, ``function.py``, ``checks.py``, ``anomaly.py``,
``grad_mode.py``); this package only gives them the layout PyTorch programs import from
(``from torch.autograd import grad, Function``).
"""
from ..anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from ..checks import gradcheck, gradgradcheck
from ..engine import backward, grad
from ..function import Function
from ..grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled

__all__ = ["backward", "grad", "Function", "gradcheck", "gradgradcheck", "detect_anomaly", "set_detect_anomaly",
           "is_anomaly_enabled", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled"]


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
