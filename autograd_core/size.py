"""``Size``: the type of ``Tensor.shape`` and ``Tensor.size()``, a tuple of ints as ``torch.Size``."""
import math
import operator


class Size(tuple):
    """A tensor's shape: a tuple of ints that prints as ``autograd_core.Size([2, 3])``.

    Slicing and ``+`` give a ``Size`` again; ``numel()`` is the number of elements of a tensor of this shape.
    It compares equal to the plain tuple of the same ints.
    """

    __slots__ = ()

    def __new__(cls, sizes=()):
        if isinstance(sizes, Size):
            return sizes
        if type(sizes) is tuple and all(type(s) is int for s in sizes):
            return tuple.__new__(cls, sizes)
        try:
            items = tuple(sizes)
        except TypeError:
            raise TypeError(f"'{type(sizes).__name__}' object is not iterable") from None
        out = []
        for i, s in enumerate(items):
            if isinstance(s, bool) or not hasattr(s, "__index__"):
                raise TypeError(f"autograd_core.Size() takes an iterable of 'int' (item {i} is "
                                f"'{type(s).__name__}')")
            out.append(operator.index(s))
        return tuple.__new__(cls, out)

    def numel(self):
        """The number of elements of a tensor of this shape (1 for ``Size([])``)."""
        return math.prod(self)

    def __getitem__(self, key):
        out = tuple.__getitem__(self, key)
        return tuple.__new__(Size, out) if isinstance(key, slice) else out

    def __add__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(self, other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(other, self))

    def __mul__(self, n):
        return tuple.__new__(Size, tuple.__mul__(self, n))

    __rmul__ = __mul__

    def __repr__(self):
        return f"autograd_core.Size({list(self)!r})"

    def __reduce__(self):
        return (Size, (tuple(self),))
