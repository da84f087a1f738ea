"""Dropout layers (inverted dropout: kept values are scaled by ``1/(1-p)`` in training; identity in eval).

Masks are drawn from the library-wide generator, so ``autograd_core.manual_seed`` makes them reproducible.
"""
from . import functional as F
from .module import Module


class _DropoutNd(Module):
    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zero each element with probability ``p`` during training and scale the others by ``1/(1-p)``.

    Args:
        p: probability of an element to be zeroed (default 0.5).
        inplace: modify the input in place.

    Shape:
        any shape; output of the same shape.

    Example::

        >>> m = nn.Dropout(p=0.2)
        >>> y = m(autograd_core.randn(20, 16))   # about 20% zeros, the rest times 1.25
        >>> m.eval(); m(x) is x
        True
    """

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """Zero whole channels (feature maps) with probability ``p`` during training, scaling the rest by ``1/(1-p)``.

    Shape:
        input ``(N, C, H, W)`` (a 3-D input is read as ``(N, C, L)``, as PyTorch does); output of the same shape.

    Example::

        >>> nn.Dropout2d(p=0.2)(autograd_core.randn(20, 16, 32, 32)).shape
        (20, 16, 32, 32)
    """

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training, self.inplace)
