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

from . import dtypes as _dtypes  # noqa: E402
from . import tensor_methods as _tensor_methods  # noqa: E402
from .anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly  # noqa: E402
from .checks import gradcheck, gradgradcheck  # noqa: E402
from .dtypes import (bool, double, float16, float32, float64, get_default_dtype, half, int8, int16,  # noqa: E402
                     int32, int64, long, set_default_dtype, short, uint8)
from .engine import grad  # noqa: E402
from .errors import CheckpointError, GradcheckError, GraphFreedError, ShapeError  # noqa: E402
from .factories import (arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like, linspace,  # noqa: E402
                        normal, ones, ones_like, rand, rand_like, randint, randn, randn_like, randperm, tensor,
                        zeros, zeros_like)
from .function import Function  # noqa: E402
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled  # noqa: E402
from .ops import registry as _registry  # noqa: E402
from .random import default_generator, get_rng_state, manual_seed, set_rng_state  # noqa: E402
from .runtime import runtime_settings, tune_runtime  # noqa: E402  (opt-in process tuning; import changes nothing)
from .tensor import Tensor  # noqa: E402

_tensor_methods.install()
float = _dtypes.float   # noqa: A001  (autograd_core.float is float32, as torch.float)
int = _dtypes.int       # noqa: A001

# The ops: every op registered with function=True (ops/registry.py), e.g. autograd_core.exp, .matmul, .cat.
_OPS = _registry.top_level()
globals().update(_OPS)


def is_tensor(obj):
    """Whether ``obj`` is a :class:`Tensor`."""
    return isinstance(obj, Tensor)


from . import autograd, data  # noqa: E402  (the torch.autograd layout; datasets and DataLoader)
from . import return_types  # noqa: E402  (the named result tuples: sort, topk, max...)
from . import linalg, special  # noqa: E402, F401  (torch.linalg, torch.special)
from .viz import Diagnostics, backprop_steps, draw_graph, graph_text, print_graph, to_dot  # noqa: E402

__all__ = [
    "Tensor", "tensor", "as_tensor", "from_numpy", "zeros", "ones", "empty", "full", "zeros_like", "ones_like",
    "full_like", "empty_like", "rand", "randn", "rand_like", "randn_like", "randint", "randperm", "normal", "arange",
    "linspace", "eye", "is_tensor",
    "float16", "half", "float32", "float", "float64", "double", "int8", "uint8", "int16", "short", "int32", "int",
    "int64", "long", "bool", "get_default_dtype", "set_default_dtype",
    "ShapeError", "GradcheckError", "GraphFreedError", "CheckpointError",
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "manual_seed", "default_generator", "get_rng_state", "set_rng_state",
    "grad", "gradcheck", "gradgradcheck", "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled", "Function",
    "autograd", "data", "draw_graph", "to_dot", "backprop_steps", "graph_text", "print_graph", "Diagnostics",
    "runtime_settings", "tune_runtime", "return_types", "special", "linalg",
]
__all__ += sorted(set(_OPS) - set(__all__))
