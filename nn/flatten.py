"""``Flatten`` and ``Unflatten``: reshape a range of dims into one, and back."""
from .module import Module


class Flatten(Module):
    """Flatten dims ``start_dim..end_dim`` into one (by default all but the batch dim).

    Shape:
        input ``(*, S_start, ..., S_end, *)``, output ``(*, S_start * ... * S_end, *)``.

    Example::

        >>> nn.Flatten()(autograd_core.randn(32, 1, 5, 5)).shape
        (32, 25)
    """

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Expand dim ``dim`` into ``unflattened_size``.

    Shape:
        input ``(*, S_dim, *)``, output ``(*, U_1, ..., U_n, *)`` with ``prod(U) == S_dim`` (one ``U`` may be -1).

    Example::

        >>> nn.Unflatten(1, (2, 5, 5))(autograd_core.randn(2, 50)).shape
        (2, 2, 5, 5)
    """

    def __init__(self, dim, unflattened_size):
        super().__init__()
        if not isinstance(dim, int):
            raise TypeError(f"Unflatten: dim must be an int (named dims are not supported), got {dim!r}")
        self.dim = dim
        self.unflattened_size = tuple(unflattened_size) if isinstance(unflattened_size, list) else unflattened_size
        if not isinstance(self.unflattened_size, tuple):
            raise TypeError(f"Unflatten: unflattened_size must be a tuple of ints, got {unflattened_size!r}")

    def forward(self, input):
        return input.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
