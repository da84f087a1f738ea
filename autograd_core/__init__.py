"""autograd_core: a reverse-mode automatic-differentiation engine over numpy, with PyTorch's API.

Example::

    >>> import autograd_core as ag
    >>> x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = (x ** 2).sum()
    >>> y.backward()
    >>> x.grad
    tensor([2., 4., 6.])
"""
__version__ = "0.1.0"

from . import runtime as _runtime
_runtime.apply()   # allocator and OpenMP settings for the kernels (see autograd_core/runtime.py); before numba runs
from .runtime import runtime_settings  # noqa: E402

from .tensor import Tensor, _install_methods
_install_methods()

from .dtypes import (float16, half, float32, float64, double, int8, uint8, int16, short, int32, int64, long,  # noqa
                     bool, get_default_dtype, set_default_dtype)
from . import dtypes as _dtypes
float = _dtypes.float   # noqa: A001  (autograd_core.float is float32, as torch.float)
int = _dtypes.int       # noqa: A001
from .errors import ShapeError, GradcheckError  # noqa
from .grad_mode import no_grad, enable_grad, set_grad_enabled, is_grad_enabled  # noqa
from .random import manual_seed, default_generator, get_rng_state, set_rng_state  # noqa
from .factories import (tensor, as_tensor, from_numpy, zeros, ones, empty, full, zeros_like, ones_like,  # noqa
                        full_like, empty_like, rand, randn, rand_like, randn_like, randint, randperm, normal,
                        arange, linspace, eye)
from .ops import *  # noqa
from .ops import sum, max, min, abs, pow  # noqa  (explicit: they shadow builtins, as in torch)
from .engine import grad  # noqa
from .checks import gradcheck, gradgradcheck  # noqa
from .anomaly import detect_anomaly, set_detect_anomaly, is_anomaly_enabled  # noqa
from .function import Function  # noqa


def is_tensor(obj):
    return isinstance(obj, Tensor)


class _AutogradNamespace:
    """``autograd_core.autograd.grad`` / ``.Function`` / ``.gradcheck``, mirroring ``torch.autograd``."""
    from .engine import grad
    from .checks import gradcheck, gradgradcheck
    from .anomaly import detect_anomaly, set_detect_anomaly
    from .function import Function


autograd = _AutogradNamespace()
from .viz import draw_graph, to_dot, backprop_steps, graph_text, print_graph, Diagnostics  # noqa: E402,F401
from . import data  # noqa: E402  (autograd_core.data: datasets and DataLoader)
