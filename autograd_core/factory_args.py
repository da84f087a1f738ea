"""PyTorch's keyword arguments that every factory takes: ``device=``, ``pin_memory=``, ``layout=``, and
``requires_grad=`` where the factory itself has no such argument.

``factories.py`` wraps its public factories with :func:`accepts_device_args` (at its end), so ``zeros(2,
device='cpu')`` works and ``zeros(2, device='cuda')`` raises RuntimeError ("no CUDA device: this engine runs on
the CPU").
"""
import functools
import inspect

from .device import check_factory_args


def accepts_device_args(f):
    """``f`` taking ``device``, ``pin_memory`` and ``layout`` keywords (checked, then dropped), and
    ``requires_grad`` even if ``f`` has none (set on the result: only floating tensors can require grad)."""
    params = inspect.signature(f).parameters
    has_rg = "requires_grad" in params
    where = f"{f.__name__}()"

    @functools.wraps(f)
    def factory(*args, device=None, pin_memory=False, layout=None, **kwargs):
        check_factory_args(where, device, pin_memory, layout)
        if has_rg or "requires_grad" not in kwargs:
            return f(*args, **kwargs)
        requires_grad = kwargs.pop("requires_grad")
        out = f(*args, **kwargs)
        if requires_grad:
            out.requires_grad = True
        return out

    extra = [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=d)
             for n, d in (("device", None), ("layout", None), ("pin_memory", False))]
    if not has_rg:
        extra.append(inspect.Parameter("requires_grad", inspect.Parameter.KEYWORD_ONLY, default=False))
    factory.__signature__ = inspect.signature(f).replace(parameters=[*params.values(), *extra])
    return factory
