"""Shape helpers: the single broadcasting-gradient reduction and axis normalisation."""
from .errors import ShapeError, fmt_shape


def sum_to(grad, shape):
    """Sum a gradient of a broadcast shape back to ``shape`` (the inverse of broadcasting).

    The engine calls this on every edge whose shapes differ, so ops never unbroadcast themselves.
    It is a Tensor op (``SumTo``), so it is differentiable for higher-order gradients.
    """
    from .ops.shape import SumTo
    if grad.shape == tuple(shape):
        return grad
    return SumTo.apply(grad, shape=tuple(shape))


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
