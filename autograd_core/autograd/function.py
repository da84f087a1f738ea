"""``torch.autograd.function``'s names: the Function base, its ctx class and ``once_differentiable``."""
from ..custom_function import FunctionCtx, once_differentiable
from ..function import Function

__all__ = ["Function", "FunctionCtx", "once_differentiable"]
