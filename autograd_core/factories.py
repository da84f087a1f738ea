"""Tensor factories with PyTorch's names and defaults (float32 unless a dtype is given)."""
import numpy as np

from . import dtypes
from .errors import ArgumentError
from .factory_args import accepts_device_args
from .random import default_generator
from .tensor import Tensor, as_array


def _shape(size, who="factory"):
    """The size of ``zeros(2, 3)`` / ``zeros((2, 3))`` as a tuple; a negative size raises PyTorch's error, naming
    the function and the size (``zeros(): trying to create a tensor with negative dimension -1: [-1, 3]``)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    shape = tuple(int(s) for s in size)
    for s in shape:
        if s < 0:
            raise ArgumentError(f"{who}(): Trying to create tensor with negative dimension {s}: {list(shape)}")
    return shape


def _dt(dtype):
    return np.dtype(dtype) if dtype is not None else dtypes.get_default_dtype()


def tensor(data, dtype=None, requires_grad=False, *, label=None):
    """A new tensor holding a copy of ``data`` (PyTorch's dtype rules, see :class:`Tensor`).

    ``label`` (keyword only, an addition to PyTorch's signature, as micrograd's ``Value(..., label='a')``) names
    the tensor in graph pictures, text trees and the backprop replay; see :func:`name`.
    """
    arr = as_array(data, dtype)
    if isinstance(data, (np.ndarray, Tensor)) and arr is (data._data if isinstance(data, Tensor) else data):
        arr = arr.copy()
    t = Tensor(arr, requires_grad=requires_grad)
    if label is not None:
        t.name = _check_label(label)
    return t


def _check_label(label):
    if not isinstance(label, str) or not label:
        raise TypeError(f"a tensor's label must be a non-empty str, got {label!r}")
    return label


def name(tensor, label):
    """Name ``tensor`` for the pictures (``draw_graph``), the text tree and the backprop replay; returns it.

    Works on any tensor, leaf or intermediate (``h = ag.name(x @ w, "h")``), like micrograd's ``label``. The
    name is also ``tensor.label`` (and ``tensor.name``); parameters are named from their module anyway.

    Example::

        >>> a = ag.name(ag.tensor(2.0, requires_grad=True), "a")
        >>> e = ag.name(a * b, "e")
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"name() expects a Tensor, got {type(tensor).__name__}")
    tensor.name = _check_label(label)
    return tensor


def as_tensor(data, dtype=None):
    """Like :func:`tensor` but shares memory with a numpy array when no conversion is needed."""
    if isinstance(data, Tensor) and (dtype is None or data.dtype == np.dtype(dtype)):
        return data
    return Tensor(as_array(data, dtype))


def from_numpy(ndarray):
    """A tensor sharing memory with ``ndarray`` (its dtype kept)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"from_numpy expects a numpy.ndarray, got {type(ndarray).__name__}")
    return Tensor._make(ndarray)


def zeros(*size, dtype=None, requires_grad=False):
    """A tensor of zeros of the given size (``zeros(2, 3)`` or ``zeros((2, 3))``); float32 unless ``dtype``."""
    return Tensor(np.zeros(_shape(size, 'zeros'), dtype=_dt(dtype)), requires_grad=requires_grad)


def ones(*size, dtype=None, requires_grad=False):
    """A tensor of ones of the given size; float32 unless ``dtype``."""
    return Tensor(np.ones(_shape(size, 'ones'), dtype=_dt(dtype)), requires_grad=requires_grad)


def empty(*size, dtype=None, requires_grad=False):
    """An uninitialized tensor of the given size (its values are arbitrary); float32 unless ``dtype``."""
    return Tensor(np.empty(_shape(size, 'empty'), dtype=_dt(dtype)), requires_grad=requires_grad)


def full(size, fill_value, dtype=None, requires_grad=False):
    """A tensor of ``size`` filled with ``fill_value`` (its dtype inferred from the value, as PyTorch)."""
    if dtype is None:
        dtype = np.bool_ if isinstance(fill_value, bool) else (
            np.int64 if isinstance(fill_value, int) else dtypes.get_default_dtype())
    return Tensor(np.full(_shape((size,), 'full'), fill_value, dtype=dtype), requires_grad=requires_grad)


def _like(t, dtype):
    return np.dtype(dtype) if dtype is not None else t.dtype


def zeros_like(input, dtype=None, requires_grad=False):
    """Zeros with the shape (and dtype, unless given) of ``input``."""
    return Tensor(np.zeros(input.shape, dtype=_like(input, dtype)), requires_grad=requires_grad)


def ones_like(input, dtype=None, requires_grad=False):
    """Ones with the shape (and dtype, unless given) of ``input``."""
    return Tensor(np.ones(input.shape, dtype=_like(input, dtype)), requires_grad=requires_grad)


def full_like(input, fill_value, dtype=None, requires_grad=False):
    """``fill_value`` with the shape (and dtype, unless given) of ``input``."""
    return Tensor(np.full(input.shape, fill_value, dtype=_like(input, dtype)), requires_grad=requires_grad)


def empty_like(input, dtype=None, requires_grad=False):
    """An uninitialized tensor with the shape (and dtype, unless given) of ``input``."""
    return zeros_like(input, dtype, requires_grad)


def rand(*size, dtype=None, requires_grad=False, generator=None):
    """Uniform on [0, 1), from the library-wide generator (see :func:`manual_seed`)."""
    g = generator or default_generator()
    return Tensor(g.random(_shape(size, 'rand')).astype(_dt(dtype)), requires_grad=requires_grad)


def randn(*size, dtype=None, requires_grad=False, generator=None):
    """Standard normal, from the library-wide generator."""
    g = generator or default_generator()
    return Tensor(g.standard_normal(_shape(size, 'randn')).astype(_dt(dtype)), requires_grad=requires_grad)


def rand_like(input, dtype=None, requires_grad=False):
    """Uniform samples on [0, 1) with the shape (and dtype, unless given) of ``input``."""
    return rand(input.shape, dtype=_like(input, dtype), requires_grad=requires_grad)


def randn_like(input, dtype=None, requires_grad=False):
    """Standard normal samples with the shape (and dtype, unless given) of ``input``."""
    return randn(input.shape, dtype=_like(input, dtype), requires_grad=requires_grad)


def randint(low, high=None, size=None, dtype=None, generator=None):
    """Random integers in [low, high): ``randint(high, size)``, ``randint(low, high, size)``, ``randint(high,
    size=...)`` as in PyTorch (int64 unless ``dtype``)."""
    if high is not None and size is None and isinstance(high, (tuple, list)):
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    if size is None or not isinstance(size, (tuple, list)):
        raise TypeError(f"randint(): argument 'size' must be a tuple of ints, not {type(size).__name__}")
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    g = generator or default_generator()
    return Tensor(g.integers(low, high, size=_shape((size,), 'randint')).astype(dtype or np.int64))


def randperm(n, dtype=None, generator=None):
    """A random permutation of ``0 .. n-1`` (int64)."""
    if int(n) < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {int(n)}: [{int(n)}]")
    g = generator or default_generator()
    return Tensor(g.permutation(int(n)).astype(dtype or np.int64))


def normal(mean, std=1.0, size=None, generator=None, dtype=None):
    """Samples of ``N(mean, std**2)``: of ``size`` for number arguments, or elementwise for tensor ``mean`` /
    ``std`` (broadcast together, as ``torch.normal(mean_tensor, std_tensor)``)."""
    g = generator or default_generator()
    if size is None:
        if not isinstance(mean, Tensor) and not isinstance(std, Tensor):
            raise TypeError("normal(): give a size for number mean and std, or tensor mean / std")
        m, s = as_array(mean), as_array(std)
        if (s < 0).any():
            raise RuntimeError("normal expects all elements of std >= 0.0")
        shape = np.broadcast_shapes(m.shape, s.shape)
        out_dt = m.dtype if isinstance(mean, Tensor) else s.dtype
        return Tensor(g.normal(m, s, size=shape).astype(_dt(dtype) if dtype is not None else out_dt))
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    return Tensor(g.normal(mean, std, size=_shape((size,))).astype(_dt(dtype)))


def arange(start, end=None, step=1, dtype=None, requires_grad=False):
    """``arange(5)`` -> 0..4 (int64); a float argument gives the default float dtype."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ArgumentError(f"arange(): step must be nonzero, got step={step}")
    if (end - start) * step < 0:
        raise ArgumentError(f"arange(): upper bound and lower bound inconsistent with step sign: start={start}, "
                            f"end={end}, step={step}")
    if dtype is None:
        dtype = np.int64 if all(isinstance(v, (int, np.integer)) for v in (start, end, step)) \
            else dtypes.get_default_dtype()
    return Tensor(np.arange(start, end, step).astype(dtype), requires_grad=requires_grad)


def linspace(start, end, steps, dtype=None, requires_grad=False):
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    if int(steps) < 0:
        raise ArgumentError(f"linspace(): number of steps must be non-negative, got steps={steps}")
    return Tensor(np.linspace(start, end, int(steps)).astype(_dt(dtype)), requires_grad=requires_grad)


def eye(n, m=None, dtype=None, requires_grad=False):
    """The ``n x m`` identity matrix (``m`` defaults to ``n``)."""
    for name, v in (("n", n), ("m", m)):
        if v is not None and int(v) < 0:
            raise ArgumentError(f"eye(): {name} must be greater or equal to 0, got {name}={v}")
    return Tensor(np.eye(n, m, dtype=_dt(dtype)), requires_grad=requires_grad)


def logspace(start, end, steps, base=10.0, dtype=None, requires_grad=False):
    """``steps`` values from ``base**start`` to ``base**end``, evenly spaced in the exponent."""
    if int(steps) < 0:
        raise ArgumentError(f"logspace(): number of steps must be non-negative, got steps={steps}")
    return Tensor(np.logspace(start, end, int(steps), base=base).astype(_dt(dtype)), requires_grad=requires_grad)


def _triangle_indices(who, row, col, offset, dtype, lower):
    for name, v in (("row", row), ("col", col)):
        if int(v) < 0:
            raise ArgumentError(f"{who}(): {name} must be non-negative, got {name}={v}")
    r, c = np.nonzero((np.tri if lower else _upper)(int(row), int(col), int(offset)))
    return Tensor(np.stack([r, c]).astype(dtype or np.int64).reshape(2, -1))


def _upper(n, m, k):
    return 1 - np.tri(n, m, k - 1)


def tril_indices(row, col, offset=0, dtype=None):
    """The ``(2, N)`` coordinates of the lower triangle (on and below diagonal ``offset``) of a
    ``row x col`` matrix, row by row, as PyTorch (int64)."""
    return _triangle_indices("tril_indices", row, col, offset, dtype, True)


def triu_indices(row, col, offset=0, dtype=None):
    """The ``(2, N)`` coordinates of the upper triangle (on and above diagonal ``offset``) of a
    ``row x col`` matrix, row by row, as PyTorch (int64)."""
    return _triangle_indices("triu_indices", row, col, offset, dtype, False)


def randint_like(input, low=0, high=None, dtype=None, requires_grad=False, generator=None):
    """Random integers in [low, high) with the shape (and dtype, unless given) of ``input``;
    ``randint_like(x, high)`` draws from [0, high)."""
    if high is None:
        low, high = 0, low
    t = randint(low, high, tuple(input.shape), dtype=_like(input, dtype), generator=generator)
    if requires_grad:
        t.requires_grad = True
    return t


# device=, pin_memory=, layout= (and requires_grad= where missing) on every factory, as PyTorch (factory_args.py)
for _name in ("tensor", "as_tensor", "zeros", "ones", "empty", "full", "zeros_like", "ones_like", "full_like",
              "empty_like", "rand", "randn", "rand_like", "randn_like", "randint", "randperm", "normal", "arange",
              "linspace", "eye", "logspace", "tril_indices", "triu_indices", "randint_like"):
    globals()[_name] = accepts_device_args(globals()[_name])
