"""``autograd_core.autograd``: the engine's entry points under ``torch.autograd``'s names.

The code lives in the core modules (``engine.py``, ``function.py``, ``checks.py``, ``anomaly.py``,
``grad_mode.py``); this package only gives them the layout PyTorch programs import from
(``from torch.autograd import grad, Function``).
"""
from ..anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from ..checks import gradcheck, gradgradcheck
from ..engine import backward, grad
from ..custom_function import once_differentiable
from ..function import Function
from ..grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled

__all__ = ["backward", "grad", "Function", "once_differentiable", "gradcheck", "gradgradcheck", "detect_anomaly",
           "set_detect_anomaly", "is_anomaly_enabled", "no_grad", "enable_grad", "set_grad_enabled",
           "is_grad_enabled"]
