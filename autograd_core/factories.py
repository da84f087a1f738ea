"""Tensor factories with PyTorch's names and defaults (float32 unless a dtype is given)."""
import numpy as np

from . import dtypes
from .random import default_generator
from .tensor import Tensor, as_array


def _shape(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    return tuple(int(s) for s in size)


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
    return Tensor(np.zeros(_shape(size), dtype=_dt(dtype)), requires_grad=requires_grad)


def ones(*size, dtype=None, requires_grad=False):
    """A tensor of ones of the given size; float32 unless ``dtype``."""
    return Tensor(np.ones(_shape(size), dtype=_dt(dtype)), requires_grad=requires_grad)


def empty(*size, dtype=None, requires_grad=False):
    """An uninitialized tensor of the given size (its values are arbitrary); float32 unless ``dtype``."""
    return Tensor(np.empty(_shape(size), dtype=_dt(dtype)), requires_grad=requires_grad)


def full(size, fill_value, dtype=None, requires_grad=False):
    """A tensor of ``size`` filled with ``fill_value`` (its dtype inferred from the value, as PyTorch)."""
    if dtype is None:
        dtype = np.bool_ if isinstance(fill_value, bool) else (
            np.int64 if isinstance(fill_value, int) else dtypes.get_default_dtype())
    return Tensor(np.full(_shape((size,)), fill_value, dtype=dtype), requires_grad=requires_grad)


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
    return Tensor(g.random(_shape(size)).astype(_dt(dtype)), requires_grad=requires_grad)


def randn(*size, dtype=None, requires_grad=False, generator=None):
    """Standard normal, from the library-wide generator."""
    g = generator or default_generator()
    return Tensor(g.standard_normal(_shape(size)).astype(_dt(dtype)), requires_grad=requires_grad)


def rand_like(input, dtype=None, requires_grad=False):
    """Uniform samples on [0, 1) with the shape (and dtype, unless given) of ``input``."""
    return rand(input.shape, dtype=_like(input, dtype), requires_grad=requires_grad)


def randn_like(input, dtype=None, requires_grad=False):
    """Standard normal samples with the shape (and dtype, unless given) of ``input``."""
    return randn(input.shape, dtype=_like(input, dtype), requires_grad=requires_grad)


def randint(low, high=None, size=None, dtype=None, generator=None):
    """Random integers in [low, high) (``randint(high, size)`` also works, as in PyTorch)."""
    if high is None or (size is None and isinstance(high, (tuple, list))):
        low, high, size = 0, low, high
    g = generator or default_generator()
    return Tensor(g.integers(low, high, size=_shape((size,))).astype(dtype or np.int64))


def randperm(n, dtype=None, generator=None):
    """A random permutation of ``0 .. n-1`` (int64)."""
    g = generator or default_generator()
    return Tensor(g.permutation(int(n)).astype(dtype or np.int64))


def normal(mean, std, size, generator=None, dtype=None):
    """Samples of ``N(mean, std**2)`` of the given size."""
    g = generator or default_generator()
    return Tensor(g.normal(mean, std, size=_shape((size,))).astype(_dt(dtype)))


def arange(start, end=None, step=1, dtype=None, requires_grad=False):
    """``arange(5)`` -> 0..4 (int64); a float argument gives the default float dtype."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        dtype = np.int64 if all(isinstance(v, (int, np.integer)) for v in (start, end, step)) \
            else dtypes.get_default_dtype()
    return Tensor(np.arange(start, end, step).astype(dtype), requires_grad=requires_grad)


def linspace(start, end, steps, dtype=None, requires_grad=False):
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    return Tensor(np.linspace(start, end, int(steps)).astype(_dt(dtype)), requires_grad=requires_grad)


def eye(n, m=None, dtype=None, requires_grad=False):
    """The ``n x m`` identity matrix (``m`` defaults to ``n``)."""
    return Tensor(np.eye(n, m, dtype=_dt(dtype)), requires_grad=requires_grad)
