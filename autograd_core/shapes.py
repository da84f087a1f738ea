"""Shape and argument helpers on plain Python values (no Tensor here): axis normalisation, the axes of a
broadcast reduction, and the int-or-tuple parser of every size argument (kernel_size, stride, padding...).

The broadcast-gradient reduction itself, ``sum_to``, is an op (``ops/shape.py``), next to its Function.
"""
from .errors import ShapeError, fmt_shape


def ntuple(value, n, name="argument", op=None):
    """``3 -> (3, 3)`` (for n=2), ``(2, 3) -> (2, 3)``: an int, or a tuple/list of ``n`` ints, as ``n`` ints.

    The one parser of PyTorch's int-or-tuple arguments; a wrong length raises ValueError naming the op and the
    argument: ``ntuple((1, 2, 3), 2, "stride", "conv2d")``.
    """
    if isinstance(value, (tuple, list)):
        if len(value) != n:
            where = f"{op}: " if op else ""
            kind = "a 1-tuple" if n == 1 else f"a tuple of {n} ints"
            raise ValueError(f"{where}{name} must be an int or {kind}, got {value!r}")
        return tuple(int(v) for v in value)
    return (int(value),) * n


def reduction_axes(from_shape, to_shape):
    """Axes to sum over (and which to keep) so an array of ``from_shape`` reduces to ``to_shape``."""
    lead = len(from_shape) - len(to_shape)
    if lead < 0:
        raise ShapeError(f"sum_to: can't reduce shape {fmt_shape(from_shape)} to {fmt_shape(to_shape)}")
    axes = list(range(lead))
    for i, n in enumerate(to_shape):
        if n == 1 and from_shape[lead + i] != 1:
            axes.append(lead + i)
        elif n != from_shape[lead + i]:
            raise ShapeError(f"sum_to: can't reduce shape {fmt_shape(from_shape)} to {fmt_shape(to_shape)}")
    return tuple(axes), lead


def normalize_dim(dim, ndim, op="op"):
    """A possibly negative dim -> 0..ndim-1, with an IndexError naming the op when out of range."""
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"{op}: dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim % n


def normalize_dims(dim, ndim, op="op"):
    """None -> all axes; int or sequence -> a sorted tuple of non-negative axes."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (list, tuple)):
        dims = tuple(sorted({normalize_dim(int(d), ndim, op) for d in dim}))
        return dims if ndim else ()
    return (normalize_dim(int(dim), ndim, op),) if ndim else ()
