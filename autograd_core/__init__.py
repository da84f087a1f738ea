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
from .dtypes import (bool, cdouble, cfloat, complex64, complex128, double, dtype, float16, float32,  # noqa: E402
                     float64, get_default_dtype, half, int8, int16, int32, int64, long, set_default_dtype, short,
                     uint8, uint16, uint32, uint64)
from .engine import grad  # noqa: E402
from .errors import CheckpointError, GradcheckError, GraphFreedError, ShapeError  # noqa: E402
from .factories import (arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like, linspace,  # noqa: E402
                        logspace, name, normal, ones, ones_like, rand, rand_like, randint, randint_like, randn,
                        randn_like, randperm, tensor, tril_indices, triu_indices, zeros, zeros_like)
from .function import Function  # noqa: E402
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled,  # noqa: E402
                        no_grad, set_grad_enabled)
from .ops import registry as _registry  # noqa: E402
from .random import (Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed,  # noqa: E402
                     set_rng_state)
from .runtime import runtime_settings, tune_runtime  # noqa: E402  (opt-in process tuning; import changes nothing)
from . import serialization  # noqa: E402  (torch.serialization: save/load, safe_globals)
from .serialization import load, save  # noqa: E402
from .tensor import Tensor  # noqa: E402
from . import conversion as _conversion, sampling as _sampling  # noqa: E402
from . import _aliases  # noqa: E402
from .device import device, get_default_device, layout, set_default_device, strided  # noqa: E402
from .printing import set_printoptions  # noqa: E402
from .sampling import bernoulli, multinomial, poisson  # noqa: E402
from .size import Size  # noqa: E402
from .threads import get_num_interop_threads, get_num_threads, set_num_interop_threads, set_num_threads  # noqa: E402
from .types import (BoolTensor, ByteTensor, CharTensor, DoubleTensor, FloatTensor, HalfTensor, IntTensor,  # noqa: E402
                    LongTensor, ShortTensor, finfo, iinfo)

_tensor_methods.install()
_conversion.install()     # to/cpu/cuda/type/new_*/is_* (conversion.py), after the op methods
_sampling.install()       # multinomial/bernoulli/bernoulli_/exponential_/random_ methods
_aliases.install()        # autograd_core.nn is nn, .optim is optim, .utils.data is .data (see _aliases.py)
float = _dtypes.float   # noqa: A001  (autograd_core.float is float32, as torch.float)
int = _dtypes.int       # noqa: A001

# The ops: every op registered with function=True (ops/registry.py), e.g. autograd_core.exp, .matmul, .cat.
_OPS = _registry.top_level()
globals().update(_OPS)


def is_tensor(obj):
    """Whether ``obj`` is a :class:`Tensor`."""
    return isinstance(obj, Tensor)


def is_floating_point(input):
    """Whether ``input``'s dtype is a floating-point one."""
    return input.is_floating_point()


def is_complex(input):
    """Whether ``input``'s dtype is complex."""
    return input.is_complex()


def numel(input):
    """The number of elements of ``input``."""
    return input.numel()


def compile(model=None, **kwargs):  # noqa: A001  (torch.compile)
    """``model`` itself, unchanged: there is no compiler here (the ops run eagerly, as without
    ``torch.compile``); ``compile(**options)`` with no model returns a decorator that does the same."""
    if model is None:
        return lambda m: m
    return model


_LAZY = {"nn", "optim", "utils", "multiprocessing"}


def __getattr__(name):
    """``autograd_core.nn`` / ``.optim`` / ``.utils`` / ``.multiprocessing`` imported on first use (nn and optim
    import autograd_core, so importing them here eagerly would be a cycle)."""
    if name in _LAZY:
        import importlib
        return importlib.import_module("autograd_core." + name)
    raise AttributeError(f"module 'autograd_core' has no attribute '{name}'")


def __dir__():
    return sorted(set(globals()) | _LAZY)


from . import autograd, data  # noqa: E402  (the torch.autograd layout; datasets and DataLoader)
from . import return_types  # noqa: E402  (the named result tuples: sort, topk, max...)
from . import linalg, special  # noqa: E402, F401  (torch.linalg, torch.special)
from . import accelerator, backends, cuda  # noqa: E402  (CPU-only answers: cuda.is_available() is False)
from . import onnx  # noqa: E402, F401  (torch.onnx.export; imports the onnx package only when exporting; not in
#                    __all__, so `from autograd_core import *` never shadows the onnx package)
from .viz import Diagnostics, backprop_steps, draw_graph, graph_text, print_graph, to_dot  # noqa: E402

__all__ = [
    "Tensor", "tensor", "as_tensor", "from_numpy", "zeros", "ones", "empty", "full", "zeros_like", "ones_like",
    "full_like", "empty_like", "rand", "randn", "rand_like", "randn_like", "randint", "randperm", "normal", "arange",
    "linspace", "eye", "is_tensor", "logspace", "tril_indices", "triu_indices", "randint_like", "poisson", "name",
    "float16", "half", "float32", "float", "float64", "double", "int8", "uint8", "int16", "short", "int32", "int",
    "int64", "long", "bool", "get_default_dtype", "set_default_dtype",
    "ShapeError", "GradcheckError", "GraphFreedError", "CheckpointError",
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "inference_mode", "is_inference_mode_enabled",
    "manual_seed", "default_generator", "get_rng_state", "set_rng_state",
    "grad", "gradcheck", "gradgradcheck", "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled", "Function",
    "autograd", "data", "draw_graph", "to_dot", "backprop_steps", "graph_text", "print_graph", "Diagnostics",
    "runtime_settings", "tune_runtime", "return_types", "special", "linalg", "save", "load", "serialization",
    "nn", "optim", "utils", "multiprocessing", "cuda", "backends", "accelerator",
    "device", "get_default_device", "set_default_device", "layout", "strided",
    "dtype", "complex64", "cfloat", "complex128", "cdouble", "uint16", "uint32", "uint64",
    "Size", "FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor", "CharTensor",
    "ByteTensor", "BoolTensor", "finfo", "iinfo",
    "Generator", "initial_seed", "seed", "multinomial", "bernoulli",
    "set_num_threads", "get_num_threads", "set_num_interop_threads", "get_num_interop_threads",
    "is_floating_point", "is_complex", "numel", "compile", "set_printoptions",
]
__all__ += sorted(set(_OPS) - set(__all__))
